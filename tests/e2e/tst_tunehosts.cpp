// A tuning job spread over hosts: real XGBoost trials on this machine and on a real sshd on a
// loopback port (the SSH host), at once; a host that cannot be reached is reported and its trials
// run on the others; with no host left the job fails clearly.
#include "clirunner.h"
#include "loopbacksshd.h"

#include "cairn/store/experimentstore.h"
#include "cairn/workspace/workspace.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QRegularExpression>
#include <QSet>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

#include <pwd.h>
#include <unistd.h>

using namespace cairn;

class tst_TuneHosts : public QObject
{
    Q_OBJECT
    QTemporaryDir m_dir;
    QString m_t;
    QString m_ws;
    LoopbackSshd m_sshd;
    QProcessEnvironment m_env;

    ProcessResult cairn(const QStringList &args, int timeoutMs = 180000)
    {
        return runProgram(QStringLiteral(CAIRN_CLI_PATH), QStringList{QStringLiteral("--workspace"), m_ws} + args, m_env, timeoutMs);
    }

    QStringList tuneArgs(const QString &hosts, int trials, const QString &name) const
    {
        return {QStringLiteral("tune"), QStringLiteral("--algorithm"), QStringLiteral("xgboost"), QStringLiteral("--train"),
                QStringLiteral(CAIRN_SHARED_DATA_DIR "/tabular/titanic.csv"), QStringLiteral("--target"), QStringLiteral("survived"),
                QStringLiteral("--objective"), QStringLiteral("validation:auc"), QStringLiteral("--range"), QStringLiteral("max_depth=2:5:int"),
                QStringLiteral("--range"), QStringLiteral("eta=0.05:0.5:log"), QStringLiteral("--hp"), QStringLiteral("num_round=20"),
                QStringLiteral("--cpus"), QStringLiteral("1"), QStringLiteral("--strategy"), QStringLiteral("random"),
                QStringLiteral("--max-trials"), QString::number(trials), QStringLiteral("--parallel"), QStringLiteral("2"),
                QStringLiteral("--hosts"), hosts, QStringLiteral("--name"), name};
    }

    static QString tagOf(ExperimentStore &store, const Run &run, const QString &key)
    {
        for (const Tag &t : store.tags(run.id))
            if (t.key == key)
                return t.value;
        return {};
    }

    static QString lineValue(const QString &out, const QString &prefix)
    {
        for (const QString &line : out.split(QLatin1Char('\n')))
            if (line.startsWith(prefix))
                return line.mid(prefix.size()).trimmed();
        return {};
    }

private Q_SLOTS:
    void initTestCase()
    {
        if (const QString missing = loopbackSshMissing(); !missing.isEmpty())
            QSKIP(qPrintable(missing));
        m_t = m_dir.path();
        m_ws = m_t + QStringLiteral("/ws");
        const QString started = startLoopbackSshd(m_sshd, QStringLiteral(CAIRN_CLI_PATH), m_t, &m_env);
        QVERIFY2(started.isEmpty(), qPrintable(started));
        const QString failed = addLoopbackHost(QStringLiteral(CAIRN_CLI_PATH), m_sshd, QStringLiteral("gpu1"), m_t + QStringLiteral("/remote work"), m_env);
        QVERIFY2(failed.isEmpty(), qPrintable(failed));
        // Nothing listens on this port: the host cannot be reached.
        const QString unreachable = addUnreachableHost(QStringLiteral(CAIRN_CLI_PATH), m_sshd, QStringLiteral("down"), m_env);
        QVERIFY2(unreachable.isEmpty(), qPrintable(unreachable));
    }

    void cleanupTestCase() { m_sshd.stop(); }

    void trialsSpreadOverLocalAndSsh()
    {
        const ProcessResult r = cairn(tuneArgs(QStringLiteral("local,gpu1"), 4, QStringLiteral("spread")));
        QVERIFY2(r.exitCode == 0, qPrintable(r.err + r.out));
        QVERIFY2(r.out.contains(QStringLiteral("4 trials finished, 0 failed")), qPrintable(r.out));
        QVERIFY2(r.err.contains(QStringLiteral("on gpu1")) && r.err.contains(QStringLiteral("on local")), qPrintable(r.err));

        Workspace ws(m_ws);
        ExperimentStore &store = ws.store();
        const Run tuning = store.run(lineValue(r.out, QStringLiteral("tuning run ")).section(QLatin1Char(':'), 0, 0));
        QCOMPARE(tuning.status, RunStatus::Finished);
        const QList<Run> trials = store.childRuns(tuning.uuid);
        QCOMPARE(trials.size(), 4);
        QSet<QString> hosts;
        for (const Run &trial : trials) {
            QCOMPARE(trial.status, RunStatus::Finished);
            const QString host = tagOf(store, trial, QStringLiteral("cairn.host"));
            hosts.insert(host);
            if (host == QLatin1String("gpu1"))
                QCOMPARE(trial.host, QStringLiteral("gpu1")); // the run records the host that ran it
            bool hasAuc = false;
            for (const MetricSummary &m : store.metricSummaries(trial.id))
                hasAuc = hasAuc || (m.key == QLatin1String("validation.auc") && m.count >= 20);
            QVERIFY2(hasAuc, qPrintable(trial.name));
        }
        QCOMPARE(hosts, (QSet<QString>{QStringLiteral("local"), QStringLiteral("gpu1")}));
        const QString best = lineValue(r.out, QStringLiteral("best run "));
        QCOMPARE(tagOf(store, tuning, QStringLiteral("best_run")), best);
        QVERIFY(QFileInfo::exists(QDir(ws.artifactDir(best)).filePath(QStringLiteral("model/model.json"))));
    }

    void unreachableHostGivesItsTrialsToTheOthers()
    {
        const ProcessResult r = cairn(tuneArgs(QStringLiteral("down,local"), 3, QStringLiteral("with-down")));
        QVERIFY2(r.exitCode == 0, qPrintable(r.err + r.out));
        QVERIFY2(r.err.contains(QStringLiteral("host 'down' cannot run trials")), qPrintable(r.err));
        QVERIFY2(r.out.contains(QStringLiteral("3 trials finished, 0 failed")), qPrintable(r.out));
        Workspace ws(m_ws);
        const Run tuning = ws.store().run(lineValue(r.out, QStringLiteral("tuning run ")).section(QLatin1Char(':'), 0, 0));
        QCOMPARE(tagOf(ws.store(), tuning, QStringLiteral("tuning.dropped_hosts")), QStringLiteral("down"));
        int finishedHere = 0;
        for (const Run &trial : ws.store().childRuns(tuning.uuid))
            finishedHere += trial.status == RunStatus::Finished && tagOf(ws.store(), trial, QStringLiteral("cairn.host")) == QLatin1String("local") ? 1 : 0;
        QCOMPARE(finishedHere, 3);
    }

    void noHostLeftFailsClearly()
    {
        const ProcessResult r = cairn(tuneArgs(QStringLiteral("down"), 2, QStringLiteral("all-down")));
        QCOMPARE(r.exitCode, 1);
        QVERIFY2(r.err.contains(QStringLiteral("no host is left to run the trials")) && r.err.contains(QStringLiteral("down: ")), qPrintable(r.err));
        QVERIFY2(!r.err.contains(QStringLiteral("other hosts")), qPrintable(r.err));
        // Unknown names and --host with --hosts are refused before any run exists.
        QCOMPARE(cairn(tuneArgs(QStringLiteral("local,nope"), 2, QStringLiteral("x"))).exitCode, 1);
        QCOMPARE(cairn(tuneArgs(QStringLiteral("local"), 2, QStringLiteral("x")) << QStringLiteral("--host") << QStringLiteral("local")).exitCode, 2);
    }
};

QTEST_GUILESS_MAIN(tst_TuneHosts)
#include "tst_tunehosts.moc"
