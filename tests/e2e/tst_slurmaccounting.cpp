// Slurm with accounting: a real slurmdbd on a private MariaDB (localslurm.h with accounting), and
// slurmctld forgetting finished jobs after MinJobAge=2 s, so that only sacct still knows them:
// - a job whose worker was killed ends FAILED with its exit code as sacct has it (slurm.json
//   says the state came from sacct), every metric stored once;
// - a 2-task job over its --memory ends OUT_OF_MEMORY naming the rank that used the most, as
//   sacct's MaxRSSTask of the killed step says;
// - a job cancelled while no one followed it, then a slurmctld restart without its state (the
//   job never again in squeue): re-attached, sacct resolves it as cancelled in Slurm, which
//   what the job left in its folder (no exit code) could not.
#include "slurmclitest.h"

#include "cairn/jobs/jobrecord.h"
#include "cairn/store/experimentstore.h"
#include "cairn/workspace/workspace.h"

#include <QDir>
#include <QDirIterator>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

#include <csignal>

using namespace cairn;

class tst_SlurmAccounting : public SlurmCliTest
{
    Q_OBJECT

    QString slurmId(const JobRecord &j) const { return slurmState(j).value(QStringLiteral("slurmJobId")).toString(); }
    bool controllerKnows(const QString &id) const
    {
        return m_slurm.command({QStringLiteral("scontrol"), QStringLiteral("show"), QStringLiteral("job"), id}).contains("JobId=");
    }
    QByteArray sacct(const QString &id, const QString &fields) const
    {
        return m_slurm.command({QStringLiteral("sacct"), QStringLiteral("-n"), QStringLiteral("-P"), QStringLiteral("-j"), id, QStringLiteral("-o"), fields});
    }

    /// A following `cairn train` that dies, leaving its Slurm job to run on.
    JobRecord startAndAbandon(const QString &experiment)
    {
        QProcess cli;
        startCli(cli, trainOnCluster(experiment, QStringLiteral("diamonds.csv"), QStringLiteral("price"), 100000));
        auto running = [&] { return stored(jobOf(experiment), QStringLiteral("validation.rmse")) >= 3; };
        if (!QTest::qWaitFor(running, 60000))
            return {};
        ::kill(pid_t(cli.processId()), SIGKILL);
        cli.waitForFinished(10000);
        return jobOf(experiment);
    }

private Q_SLOTS:
    void initTestCase()
    {
        const QString why = LocalSlurm::accountingUnavailableReason();
        if (!why.isEmpty())
            QSKIP(qPrintable(why));
        LocalSlurm::Options options;
        options.enforceMemory = true;
        options.accounting = true;
        options.minJobAge = 2;
        const QString failed = startCluster(QString(m_dir.path() + QStringLiteral("/shared")), options);
        QVERIFY2(failed.isEmpty(), qPrintable(failed));
    }

    void cleanupTestCase() { m_slurm.stop(); }

    void forgottenFailedJobEndsFromSacct()
    {
        const JobRecord j = startAndAbandon(QStringLiteral("failed"));
        QVERIFY(!j.id.isEmpty());
        const QString id = slurmId(j);
        // The worker dies on the node (as a crash would): the batch script exits 137, Slurm says FAILED.
        QList<pid_t> workers;
        QDirIterator proc(QStringLiteral("/proc"), QDir::Dirs | QDir::NoDotAndDotDot);
        while (proc.hasNext()) {
            const QString p = proc.next();
            if (QFileInfo(p + QStringLiteral("/cwd")).canonicalFilePath() == QFileInfo(clusterJobDir(j)).canonicalFilePath()) {
                QFile cmd(p + QStringLiteral("/cmdline"));
                if (cmd.open(QIODevice::ReadOnly) && cmd.readAll().contains("worker"))
                    workers << pid_t(proc.fileName().toInt());
            }
        }
        QVERIFY(!workers.isEmpty());
        for (pid_t pid : std::as_const(workers))
            ::kill(pid, SIGKILL);
        // slurmctld forgets it after MinJobAge; the accounting database keeps it.
        QTRY_VERIFY_WITH_TIMEOUT(!controllerKnows(id), 60000);
        QTRY_VERIFY_WITH_TIMEOUT(sacct(id, QStringLiteral("JobID,State")).contains(QStringLiteral("%1|FAILED").arg(id).toUtf8()), 30000);
        // What sacct says of it (Slurm 22.05 records this one as exit code 9, the signal).
        const QByteArray exitCode = sacct(id, QStringLiteral("JobID,ExitCode")).split('\n').value(0).split('|').value(1).split(':').value(0);
        const ProcessResult r = cairn({QStringLiteral("jobs"), QStringLiteral("attach"), j.id});
        const JobRecord end = JobRecord::load(jobDir(j));
        QCOMPARE(end.state, JobState::Failed);
        QCOMPARE(slurmState(j).value(QStringLiteral("state")).toString(), QStringLiteral("FAILED"));
        QCOMPARE(slurmState(j).value(QStringLiteral("source")).toString(), QStringLiteral("sacct"));
        QFile log(jobDir(j) + QStringLiteral("/job.log"));
        QVERIFY(log.open(QIODevice::ReadOnly));
        const QByteArray said = log.readAll();
        QVERIFY2(said.contains(QStringLiteral("Slurm job %1: FAILED, from the accounting database (sacct)").arg(id).toUtf8()), said.right(2000).constData());
        QVERIFY2(said.contains("exit code " + exitCode), said.right(2000).constData());
        verifyStoredExactlyOnce(m_ws, clusterJobDir(j) + QStringLiteral("/events.jsonl"), j.runUuid, QStringLiteral("validation.rmse"));
        Workspace ws(m_ws);
        QCOMPARE(ws.store().run(j.runUuid).status, RunStatus::Failed);
    }

    void twoTasksOverTheirMemoryNameTheRank()
    {
        // Two tasks on the node share the job's --memory (Slurm limits the step as a whole);
        // rank 0 also runs XGBoost's tracker (Python), so it holds more than rank 1.
        QStringList args = trainOnCluster(QStringLiteral("oom"), QStringLiteral("diamonds.csv"), QStringLiteral("price"), 100000);
        args << QStringLiteral("--processes-per-instance") << QStringLiteral("2") << QStringLiteral("--memory") << QStringLiteral("80");
        const ProcessResult r = cairn(args);
        QVERIFY(r.exitCode != 0);
        const JobRecord j = jobOf(QStringLiteral("oom"));
        QCOMPARE(j.state, JobState::Failed);
        QCOMPARE(slurmState(j).value(QStringLiteral("state")).toString(), QStringLiteral("OUT_OF_MEMORY"));
        // The rank sacct says peaked in the killed step (its first step, <id>.0).
        const QString id = slurmId(j);
        const QList<QByteArray> step = sacct(id + QStringLiteral(".0"), QStringLiteral("MaxRSSTask,NTasks")).trimmed().split('|');
        QCOMPARE(step.value(1), QByteArray("2"));
        QVERIFY2(j.message.contains(QStringLiteral("OUT_OF_MEMORY (rank %1 of 2 used the most").arg(QString::fromUtf8(step.value(0)))), qPrintable(j.message + r.err));
        QVERIFY2(j.message.contains(QStringLiteral("over the job's limit of 80 MB")), qPrintable(j.message));
        qInfo("%s", qPrintable(j.message));
    }

    void cancelledJobUnseenAfterRestartResolvedBySacct()
    {
        // Last: slurmctld restarts without its state, so job ids start again.
        const JobRecord j = startAndAbandon(QStringLiteral("cancelled"));
        QVERIFY(!j.id.isEmpty());
        const QString id = slurmId(j);
        m_slurm.command({QStringLiteral("scancel"), id});
        QTRY_VERIFY_WITH_TIMEOUT(sacct(id, QStringLiteral("JobID,State")).contains(QStringLiteral("%1|CANCELLED").arg(id).toUtf8()), 30000);
        m_slurm.stopController();
        QString error;
        QVERIFY2(m_slurm.startController(&error, true), qPrintable(error));
        QVERIFY(!m_slurm.command({QStringLiteral("squeue"), QStringLiteral("-h"), QStringLiteral("-o"), QStringLiteral("%i")}).contains(id.toUtf8()));
        QVERIFY(!controllerKnows(id));
        QVERIFY(!QFile::exists(clusterJobDir(j) + QStringLiteral("/exit_code"))); // nothing in its folder says how it ended
        const ProcessResult r = cairn({QStringLiteral("jobs"), QStringLiteral("attach"), j.id});
        QVERIFY2((r.out + r.err).contains(QStringLiteral("Slurm job %1: CANCELLED, from the accounting database (sacct)").arg(id)), qPrintable(r.err + r.out));
        const JobRecord end = JobRecord::load(jobDir(j));
        QCOMPARE(end.state, JobState::Stopped);
        QCOMPARE(slurmState(j).value(QStringLiteral("state")).toString(), QStringLiteral("CANCELLED"));
        QCOMPARE(slurmState(j).value(QStringLiteral("source")).toString(), QStringLiteral("sacct"));
        QVERIFY2(end.message.contains(QStringLiteral("cancelled in Slurm")), qPrintable(end.message));
        Workspace ws(m_ws);
        QCOMPARE(ws.store().run(j.runUuid).status, RunStatus::Killed);
    }
};

QTEST_GUILESS_MAIN(tst_SlurmAccounting)
#include "tst_slurmaccounting.moc"
