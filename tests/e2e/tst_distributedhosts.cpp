// A data-parallel job spread over hosts, one instance each (`cairn train --hosts`): a real sshd
// on a loopback port registered under two host names, real `cairn worker` ranks over SSH, the
// rendezvous on rank 0's host. The job completes with rank 0's metrics and model, every rank's
// host recorded in the run and the other rank's log fetched back; a killed remote rank and an
// unreachable host each fail the job within the timeout, naming the rank and its host.
#include "clirunner.h"
#include "distributedjobs.h"
#include "loopbacksshd.h"

#include "cairn/jobs/jobrecord.h"
#include "cairn/store/experimentstore.h"
#include "cairn/workspace/workspace.h"

#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

#include <csignal>

using namespace cairn;

class tst_DistributedHosts : public QObject
{
    Q_OBJECT
    QTemporaryDir m_dir;
    QString m_t;
    LoopbackSshd m_sshd;
    QProcessEnvironment m_env;

    QStringList trainArgs(const QString &ws, const QString &hosts) const
    {
        return {QStringLiteral("--workspace"), ws, QStringLiteral("train"), QStringLiteral("--hosts"), hosts, QStringLiteral("--cpus"), QStringLiteral("1")};
    }

    QString jobDirOf(const QString &ws) const
    {
        const QList<JobRecord> jobs = JobRecord::list(ws);
        return jobs.isEmpty() ? QString() : JobRecord::dirOf(ws, jobs.last().id);
    }

private Q_SLOTS:
    void initTestCase()
    {
        if (const QString missing = loopbackSshMissing(); !missing.isEmpty())
            QSKIP(qPrintable(missing));
        m_t = m_dir.path();
        const QString started = startLoopbackSshd(m_sshd, QStringLiteral(CAIRN_CLI_PATH), m_t, &m_env);
        QVERIFY2(started.isEmpty(), qPrintable(started));
        m_env.insert(QStringLiteral("CAIRN_DIST_TIMEOUT"), QStringLiteral("30"));
        const QString failed = addTwoLoopbackNodes(QStringLiteral(CAIRN_CLI_PATH), m_sshd, m_t, m_env);
        QVERIFY2(failed.isEmpty(), qPrintable(failed));
    }

    void cleanupTestCase() { m_sshd.stop(); }

    void mlpOverTwoHosts()
    {
        const QString ws = m_t + QStringLiteral("/ws-mlp");
        const ProcessResult r = runProgram(QStringLiteral(CAIRN_CLI_PATH),
                                           trainArgs(ws, QStringLiteral("node-a,node-b"))
                                               + QStringList{QStringLiteral("--algorithm"), QStringLiteral("mlp"), QStringLiteral("--train"),
                                                             sharedTable(QStringLiteral("breast_cancer.csv")), QStringLiteral("--target"),
                                                             QStringLiteral("target"), QStringLiteral("--hp"), QStringLiteral("epochs=2")},
                                           m_env, 240000);
        QVERIFY2(r.exitCode == 0, qPrintable(r.err + r.out));
        Workspace workspace(ws);
        const QList<Run> runs = workspace.store().searchRuns({});
        QCOMPARE(runs.size(), 1);
        const Run run = runs.first();
        QCOMPARE(run.status, RunStatus::Finished);
        QCOMPARE(run.host, QStringLiteral("node-a, node-b"));
        QMap<QString, QString> tags;
        for (const Tag &t : workspace.store().tags(run.id))
            tags.insert(t.key, t.value);
        // Each rank's host, as the launcher placed it.
        const QString ranks = tags.value(QStringLiteral("distributed.ranks"));
        QVERIFY2(ranks.contains(QStringLiteral("0=node-a")) && ranks.contains(QStringLiteral("1=node-b")), qPrintable(ranks));
        QVERIFY2(tags.value(QStringLiteral("distributed.hosts")).contains(QStringLiteral("node-b")), qPrintable(tags.value(QStringLiteral("distributed.hosts"))));
        // Rank 0's metrics, every rank's throughput, rank 0's model.
        QVERIFY(!workspace.store().metricHistory(run.id, QStringLiteral("validation.accuracy")).values.isEmpty());
        QVERIFY(!workspace.store().metricHistory(run.id, QStringLiteral("throughput.rank1")).values.isEmpty());
        const QDir artifacts(workspace.artifactDir(run.uuid));
        QVERIFY2(QFileInfo(artifacts.filePath(QStringLiteral("model/model.pt"))).size() > 0, qPrintable(artifacts.path()));
        // Rank 1's events came back from its host.
        const QString jobDir = jobDirOf(ws);
        QFile rankOne(QDir(jobDir).filePath(QStringLiteral("rank-1.jsonl")));
        QVERIFY2(rankOne.open(QIODevice::ReadOnly), qPrintable(rankOne.fileName()));
        distributedjobs::WorkerRun rankOneRun;
        rankOneRun.events = distributedjobs::parseEvents(rankOne.readAll());
        QCOMPARE(rankOneRun.lastStatus().status(), QStringLiteral("finished"));
    }

    void killedRemoteRankFailsTheJob()
    {
        // Rank 0 here, rank 1 over SSH; rank 1's worker is killed mid-training (of far more epochs
        // than the test waits for).
        const QString ws = m_t + QStringLiteral("/ws-kill");
        QProcess p;
        p.setProcessEnvironment(m_env);
        p.setProcessChannelMode(QProcess::MergedChannels);
        p.start(QStringLiteral(CAIRN_CLI_PATH),
                trainArgs(ws, QStringLiteral("local,node-b"))
                    + QStringList{QStringLiteral("--algorithm"), QStringLiteral("mlp"), QStringLiteral("--train"),
                                  sharedTable(QStringLiteral("breast_cancer.csv")), QStringLiteral("--target"), QStringLiteral("target"),
                                  QStringLiteral("--hp"), QStringLiteral("epochs=10000")});
        QVERIFY(p.waitForStarted());
        // Rank 1 trains once its events (streamed back from node-b) show a training loss.
        QString rankEvents;
        auto rankOneTrains = [&] {
            if (rankEvents.isEmpty() && !jobDirOf(ws).isEmpty())
                rankEvents = QDir(jobDirOf(ws)).filePath(QStringLiteral("rank-1.jsonl"));
            QFile f(rankEvents);
            return !rankEvents.isEmpty() && f.open(QIODevice::ReadOnly) && f.readAll().contains("\"train.loss\"");
        };
        QTRY_VERIFY_WITH_TIMEOUT(rankOneTrains() || p.state() != QProcess::Running, 120000);
        QVERIFY2(p.state() == QProcess::Running, p.readAll().constData());
        // The worker on node-b: the child of the wrapper whose pid its job folder records.
        const JobSpec rankSpec = JobSpec::load(QDir(jobDirOf(ws)).filePath(QStringLiteral("ranks/rank-1/spec.json")));
        QFile pidFile(m_t + QStringLiteral("/remote-node-b/jobs/") + rankSpec.id + QStringLiteral("/pid"));
        QVERIFY(pidFile.open(QIODevice::ReadOnly));
        const QString wrapper = QString::fromLatin1(pidFile.readAll()).trimmed();
        const ProcessResult child = runProgram(QStringLiteral("pgrep"), {QStringLiteral("-P"), wrapper});
        const qint64 worker = child.out.trimmed().section(QLatin1Char('\n'), 0, 0).toLongLong();
        QVERIFY2(worker > 0, qPrintable(child.out + child.err));
        QVERIFY(::kill(pid_t(worker), SIGKILL) == 0);
        QElapsedTimer sinceKill;
        sinceKill.start();
        const bool ended = p.waitForFinished(60000); // the timeout is 30 s; a dead rank is noticed sooner
        const qint64 took = sinceKill.elapsed();
        if (!ended) {
            p.kill();
            p.waitForFinished();
        }
        const QString out = QString::fromUtf8(p.readAll());
        QVERIFY2(ended, qPrintable(QStringLiteral("the job still ran %1 ms after rank 1 was killed").arg(took)));
        qInfo("failed after %lld ms", took);
        QVERIFY(p.exitCode() != 0);
        Workspace workspace(ws);
        const QList<Run> runs = workspace.store().searchRuns({});
        QCOMPARE(runs.size(), 1);
        QCOMPARE(runs.first().status, RunStatus::Failed);
        QFile log(QDir(jobDirOf(ws)).filePath(QStringLiteral("job.log")));
        QVERIFY(log.open(QIODevice::ReadOnly));
        const QString text = QString::fromUtf8(log.readAll());
        qInfo("%s", qPrintable(text.section(QStringLiteral("rank 1 of 2"), 1).section(QLatin1Char('\n'), 0, 0)));
        QVERIFY2(text.contains(QStringLiteral("rank 1 of 2 on host 'node-b'")) && text.contains(QStringLiteral("SIGKILL")), qPrintable(text.right(3000) + out));
    }

    void unreachableHostFailsTheJob()
    {
        // A host whose port nobody listens on: the job fails at once, naming it.
        const QString added = addUnreachableHost(QStringLiteral(CAIRN_CLI_PATH), m_sshd, QStringLiteral("gone"), m_env);
        QVERIFY2(added.isEmpty(), qPrintable(added));
        const QString ws = m_t + QStringLiteral("/ws-gone");
        QElapsedTimer t;
        t.start();
        const ProcessResult r = runProgram(QStringLiteral(CAIRN_CLI_PATH),
                                           trainArgs(ws, QStringLiteral("local,gone"))
                                               + QStringList{QStringLiteral("--algorithm"), QStringLiteral("mlp"), QStringLiteral("--train"),
                                                             sharedTable(QStringLiteral("breast_cancer.csv")), QStringLiteral("--target"),
                                                             QStringLiteral("target"), QStringLiteral("--hp"), QStringLiteral("epochs=2")},
                                           m_env, 120000);
        qInfo("failed after %lld ms", t.elapsed());
        QVERIFY(r.exitCode != 0);
        QVERIFY2(t.elapsed() < 60000, qPrintable(QString::number(t.elapsed())));
        QFile log(QDir(jobDirOf(ws)).filePath(QStringLiteral("job.log")));
        QVERIFY(log.open(QIODevice::ReadOnly));
        const QString text = QString::fromUtf8(log.readAll());
        qInfo("%s", qPrintable(text.section(QStringLiteral("rank 1 of 2"), 1).section(QLatin1Char('\n'), 0, 0)));
        QVERIFY2(text.contains(QStringLiteral("rank 1 of 2 on host 'gone'")), qPrintable(text.right(3000) + r.err));
        // Usage mistakes are refused before any run exists.
        const ProcessResult mismatch = runProgram(QStringLiteral(CAIRN_CLI_PATH),
                                                  trainArgs(ws, QStringLiteral("node-a,node-b"))
                                                      + QStringList{QStringLiteral("--instances"), QStringLiteral("3"), QStringLiteral("--algorithm"),
                                                                    QStringLiteral("mlp"), QStringLiteral("--train"), sharedTable(QStringLiteral("breast_cancer.csv")),
                                                                    QStringLiteral("--target"), QStringLiteral("target")},
                                                  m_env);
        QCOMPARE(mismatch.exitCode, 2);
        QVERIFY2(mismatch.err.contains(QStringLiteral("one instance runs on each host")), qPrintable(mismatch.err));
        const ProcessResult unknown = runProgram(QStringLiteral(CAIRN_CLI_PATH),
                                                 trainArgs(ws, QStringLiteral("node-a,nowhere"))
                                                     + QStringList{QStringLiteral("--algorithm"), QStringLiteral("mlp"), QStringLiteral("--train"),
                                                                   sharedTable(QStringLiteral("breast_cancer.csv")), QStringLiteral("--target"), QStringLiteral("target")},
                                                 m_env);
        QVERIFY(unknown.exitCode != 0);
        QVERIFY2(unknown.err.contains(QStringLiteral("nowhere")), qPrintable(unknown.err));
        QCOMPARE(Workspace(ws).store().searchRuns({}).size(), 1);
    }
};

QTEST_GUILESS_MAIN(tst_DistributedHosts)
#include "tst_distributedhosts.moc"
