// A dead or stuck rank of a data-parallel job fails the whole job within the timeout, naming
// the rank, and leaves no rank running: real `cairn worker` processes, SIGKILL and SIGSTOP.
#include "distributedjobs.h"

#include <QElapsedTimer>
#include <QTemporaryDir>
#include <QTest>

#include <csignal>

using namespace cairn;
using namespace distributedjobs;

class tst_DistributedFailures : public QObject
{
    Q_OBJECT
private:
    // sharedMemory: the gradients go through a shared-memory segment (the default for ranks on
    // one host) rather than gloo.
    void failRankOne(int signal, double timeoutSeconds, qint64 limitMs, bool sharedMemory = true)
    {
        QTemporaryDir tmp;
        const QString dir = tmp.filePath(QStringLiteral("job"));
        const QString spec = writeSpec(dir, cnnSpec(dir, 2, 10000, 20));
        QProcess p;
        QProcessEnvironment env = workerEnv(timeoutSeconds);
        env.insert(QStringLiteral("CAIRN_DIST_SHM"), sharedMemory ? QStringLiteral("1") : QStringLiteral("0"));
        p.setProcessEnvironment(env);
        p.setWorkingDirectory(dir);
        p.start(QStringLiteral(CAIRN_CLI_PATH), {QStringLiteral("worker"), QStringLiteral("--spec"), spec});
        QVERIFY(p.waitForStarted());
        // Rank 1's pid from the launcher's log line; then wait for rank 1 to be training.
        QByteArray out;
        qint64 pid = 0;
        QElapsedTimer t;
        t.start();
        while (pid == 0 && t.elapsed() < 60000 && p.state() == QProcess::Running) {
            p.waitForReadyRead(500);
            out += p.readAllStandardOutput();
            for (const JobEvent &e : parseEvents(out))
                if (e.type == JobEvent::Type::Log && e.message().contains(QLatin1String("(pids "))) {
                    const QString pids = e.message().section(QLatin1String("(pids "), 1).section(QLatin1Char(';'), 0, 0);
                    pid = pids.section(QLatin1String(", "), 1, 1).toLongLong();
                }
        }
        QVERIFY2(pid > 0, out.constData());
        const QString rankEvents = QDir(dir).filePath(QStringLiteral("rank-1.jsonl"));
        auto rankOneTrains = [&] {
            QFile f(rankEvents);
            return f.open(QIODevice::ReadOnly) && f.readAll().contains("\"train.loss\"");
        };
        QTRY_VERIFY_WITH_TIMEOUT(rankOneTrains(), 90000);
        QVERIFY(p.state() == QProcess::Running);
        // Rank 0 says how the gradients go (its events may lag behind rank 1's).
        const QByteArray how = sharedMemory ? "summed in shared memory" : "all-reduced by gloo";
        QTRY_VERIFY2_WITH_TIMEOUT((out += p.readAllStandardOutput()).contains(how), out.left(3000).constData(), 30000);
        QVERIFY(p.state() == QProcess::Running);
        ::kill(pid_t(pid), signal);
        QElapsedTimer sinceKill;
        sinceKill.start();
        const bool ended = p.waitForFinished(int(limitMs));
        const qint64 took = sinceKill.elapsed();
        if (signal == SIGSTOP)
            ::kill(pid_t(pid), SIGKILL); // nothing left behind if the launcher did not
        if (!ended) {
            p.kill();
            p.waitForFinished();
        }
        QVERIFY2(ended, qPrintable(QStringLiteral("the job still ran %1 ms after rank 1 was signalled").arg(took)));
        out += p.readAllStandardOutput();
        const QList<JobEvent> events = parseEvents(out);
        QVERIFY(!events.isEmpty());
        const JobEvent last = events.last();
        qInfo("failed after %lld ms: %s", took, qPrintable(last.message()));
        QCOMPARE(last.status(), QStringLiteral("failed"));
        QVERIFY2(last.message().contains(QLatin1String("rank 1")), qPrintable(last.message()));
        QCOMPARE(p.exitCode(), 1);
        // No rank is left running.
        QTRY_VERIFY_WITH_TIMEOUT(::kill(pid_t(pid), 0) != 0, 10000);
    }

private Q_SLOTS:
    void stopReachesEveryRank()
    {
        // A stop control line to the worker: every rank stops after the same step, rank 0 saves.
        QTemporaryDir tmp;
        const QString dir = tmp.filePath(QStringLiteral("job"));
        JobSpec spec = mlpSpec(dir, 2);
        spec.hyperparameters.insert(QStringLiteral("epochs"), 10000);
        QProcess p;
        p.setProcessEnvironment(workerEnv());
        p.setWorkingDirectory(dir);
        p.start(QStringLiteral(CAIRN_CLI_PATH), {QStringLiteral("worker"), QStringLiteral("--spec"), writeSpec(dir, spec)});
        QVERIFY(p.waitForStarted());
        QByteArray out;
        QElapsedTimer t;
        t.start();
        while (!out.contains("\"train.epoch_loss\"") && t.elapsed() < 90000 && p.state() == QProcess::Running) {
            p.waitForReadyRead(500);
            out += p.readAllStandardOutput();
        }
        QVERIFY2(out.contains("\"train.epoch_loss\""), out.right(2000).constData());
        p.write("{\"type\":\"stop\"}\n");
        QVERIFY(p.waitForFinished(60000));
        out += p.readAllStandardOutput();
        const QList<JobEvent> events = parseEvents(out);
        QCOMPARE(events.last().status(), QStringLiteral("stopped"));
        QCOMPARE(p.exitCode(), 0);
        QVERIFY(QFileInfo::exists(QDir(spec.outputDir).filePath(QStringLiteral("model/model.pt"))));
        // Rank 1 stopped too, by agreement, not by being killed.
        QFile rankOne(QDir(dir).filePath(QStringLiteral("rank-1.jsonl")));
        QVERIFY(rankOne.open(QIODevice::ReadOnly));
        QCOMPARE(parseEvents(rankOne.readAll()).last().status(), QStringLiteral("stopped"));
    }

    void killedRankFailsTheJob()
    {
        // A dead rank: its peers see the connection close; the launcher sees it die.
        failRankOne(SIGKILL, 60, 30000);
    }

    void killedRankFailsTheJobOverGloo()
    {
        failRankOne(SIGKILL, 60, 30000, false);
    }

    void stuckRankFailsTheJob()
    {
        // A stopped rank answers nothing: the collectives time out (4 s here) and the others
        // name the rank whose heartbeat went stale.
        failRankOne(SIGSTOP, 4, 40000);
    }

    void stuckRankFailsTheJobOverGloo()
    {
        failRankOne(SIGSTOP, 4, 40000, false);
    }
};

QTEST_GUILESS_MAIN(tst_DistributedFailures)
#include "tst_distributedfailures.moc"
