// How Slurm jobs end when Slurm itself says little, and tuning trials as one job array, against a
// real Slurm on this machine that enforces memory limits without cgroups (localslurm.h with
// enforceMemory: jobacct_gather/linux with OverMemoryKill, memory a consumable resource):
// - a job over its --memory is killed by slurmstepd; this Slurm reports it FAILED, and the run
//   ends OUT_OF_MEMORY with the memory it used and its limit;
// - there is no slurmdbd, so sacct has nothing: a job slurmctld has forgotten ends from what it
//   left in its folder (the exit code its batch script wrote), every metric stored once;
// - a tuning job's trials go as one job array; a running task stops through its control file,
//   one cancelled in Slurm ends stopped, and a pending one is taken out of the queue with
//   `scancel JOBID_TASK`, each on its own.
#include "slurmclitest.h"

#include "cairn/jobs/jobrecord.h"
#include "cairn/store/experimentstore.h"
#include "cairn/workspace/workspace.h"

#include <QDir>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QSet>
#include <QTemporaryDir>
#include <QTest>

#include <csignal>

using namespace cairn;

class tst_SlurmBatch : public SlurmCliTest
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase()
    {
        const QString why = LocalSlurm::unavailableReason();
        if (!why.isEmpty())
            QSKIP(qPrintable(why));
        LocalSlurm::Options options;
        options.enforceMemory = true;
        const QString failed = startCluster(QString(m_dir.path() + QStringLiteral("/shared work")), options);
        QVERIFY2(failed.isEmpty(), qPrintable(failed));
    }

    void cleanupTestCase() { m_slurm.stop(); }

    void overItsMemoryEndsOutOfMemory()
    {
        // The worker alone (Qt, the algorithms' libraries, the data) holds more than 30 MB.
        QStringList args = trainOnCluster(QStringLiteral("oom"), QStringLiteral("diamonds.csv"), QStringLiteral("price"), 100000);
        args << QStringLiteral("--memory") << QStringLiteral("30");
        const ProcessResult r = cairn(args);
        QVERIFY(r.exitCode != 0);
        const JobRecord j = jobOf(QStringLiteral("oom"));
        QCOMPARE(j.state, JobState::Failed);
        QVERIFY2(j.message.contains(QStringLiteral("OUT_OF_MEMORY")) && j.message.contains(QStringLiteral("over its limit of 30 MB")), qPrintable(j.message + r.err));
        QVERIFY2(j.message.contains(QStringLiteral("more memory than it asked for")), qPrintable(j.message));
        QCOMPARE(slurmState(j).value(QStringLiteral("state")).toString(), QStringLiteral("OUT_OF_MEMORY"));
        // What Slurm itself says without cgroups: the job FAILED, killed by signal 9.
        const QByteArray job = m_slurm.command({QStringLiteral("scontrol"), QStringLiteral("show"), QStringLiteral("job"),
                                                slurmState(j).value(QStringLiteral("slurmJobId")).toString()});
        QVERIFY2(job.contains("JobState=FAILED") || job.contains("JobState=CANCELLED") || job.contains("JobState=OUT_OF_MEMORY"), job.constData());
        Workspace ws(m_ws);
        QCOMPARE(ws.store().run(j.runUuid).status, RunStatus::Failed);
    }

    void forgottenJobEndsFromWhatItLeft()
    {
        // No slurmdbd here: sacct has nothing to say.
        QVERIFY(m_slurm.command({QStringLiteral("sacct"), QStringLiteral("-n"), QStringLiteral("-X")}).trimmed().isEmpty());
        QProcess cli;
        startCli(cli, trainOnCluster(QStringLiteral("forgotten"), QStringLiteral("titanic.csv"), QStringLiteral("survived"), 300));
        QTRY_VERIFY_WITH_TIMEOUT(stored(jobOf(QStringLiteral("forgotten")), QStringLiteral("validation.log_loss")) >= 3, 60000);
        const JobRecord j = jobOf(QStringLiteral("forgotten"));
        // The supervisor dies; the job ends on the cluster meanwhile.
        ::kill(pid_t(cli.processId()), SIGKILL);
        QVERIFY(cli.waitForFinished(10000));
        QTRY_VERIFY_WITH_TIMEOUT(QFile::exists(clusterJobDir(j) + QStringLiteral("/exit_code")), 60000);
        // slurmctld restarts without its state: it no longer knows the job.
        m_slurm.stopController();
        QString error;
        QVERIFY2(m_slurm.startController(&error, true), qPrintable(error));
        const QString id = slurmState(j).value(QStringLiteral("slurmJobId")).toString();
        QVERIFY(!m_slurm.command({QStringLiteral("scontrol"), QStringLiteral("show"), QStringLiteral("job"), id}).contains("JobId="));
        // Re-attached, it ends from the exit code its batch script left: finished, every point once.
        const ProcessResult r = cairn({QStringLiteral("jobs"), QStringLiteral("attach"), j.id});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err + r.out));
        const JobRecord end = JobRecord::load(jobDir(j));
        QCOMPARE(end.state, JobState::Finished);
        QCOMPARE(slurmState(j).value(QStringLiteral("state")).toString(), QStringLiteral("COMPLETED"));
        verifyStoredExactlyOnce(m_ws, clusterJobDir(j) + QStringLiteral("/events.jsonl"), j.runUuid, QStringLiteral("validation.log_loss"));
        QVERIFY(stored(j, QStringLiteral("validation.log_loss")) >= 300);
        Workspace ws(m_ws);
        QCOMPARE(ws.store().run(j.runUuid).status, RunStatus::Finished);
    }

    void trialsOfAJobArrayStoppedOneByOne()
    {
        // Three long trials as one array of three tasks.
        QProcess tune;
        startCli(tune, {QStringLiteral("tune"), QStringLiteral("--algorithm"), QStringLiteral("xgboost"), QStringLiteral("--train"),
                        sharedTable(QStringLiteral("diamonds.csv")), QStringLiteral("--target"), QStringLiteral("price"), QStringLiteral("--objective"),
                        QStringLiteral("validation:rmse"), QStringLiteral("--range"), QStringLiteral("max_depth=2:6:int"), QStringLiteral("--hp"),
                        QStringLiteral("num_round=100000"), QStringLiteral("--max-trials"), QStringLiteral("3"), QStringLiteral("--parallel"),
                        QStringLiteral("3"), QStringLiteral("--host"), QStringLiteral("cluster"), QStringLiteral("--cpus"), QStringLiteral("1"),
                        QStringLiteral("--experiment"), QStringLiteral("array")});
        QString array;
        auto submittedAsOneArray = [&] {
            const QList<JobRecord> trials = jobsOf(QStringLiteral("array"));
            QSet<QString> ids;
            for (const JobRecord &t : trials)
                ids.insert(slurmState(t).value(QStringLiteral("slurmJobId")).toString());
            array = ids.isEmpty() ? QString() : ids.begin()->section(QLatin1Char('_'), 0, 0);
            return trials.size() == 3
                   && ids == QSet<QString>{array + QStringLiteral("_0"), array + QStringLiteral("_1"), array + QStringLiteral("_2")};
        };
        auto why = [&] {
            QString out;
            for (const JobRecord &t : jobsOf(QStringLiteral("array"))) {
                QFile log(jobDir(t) + QStringLiteral("/job.log"));
                log.open(QIODevice::ReadOnly);
                out += t.id + QLatin1Char(' ') + slurmState(t).value(QStringLiteral("slurmJobId")).toString() + QLatin1Char('\n') + QString::fromUtf8(log.readAll()).right(600);
            }
            return out;
        };
        QTRY_VERIFY2_WITH_TIMEOUT(submittedAsOneArray(), qPrintable(why()), 60000);
        auto trial = [&](int task) {
            for (const JobRecord &t : jobsOf(QStringLiteral("array")))
                if (slurmState(t).value(QStringLiteral("slurmJobId")).toString() == QStringLiteral("%1_%2").arg(array).arg(task))
                    return t;
            return JobRecord();
        };
        // Task 0 runs and logs; stopping it writes the stop line into its own control file.
        QTRY_VERIFY_WITH_TIMEOUT(stored(trial(0), QStringLiteral("validation.rmse")) >= 3, 60000);
        ProcessResult r = cairn({QStringLiteral("jobs"), QStringLiteral("stop"), trial(0).id});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        QTRY_COMPARE_WITH_TIMEOUT(JobRecord::load(jobDir(trial(0))).state, JobState::Stopped, 60000);
        QVERIFY(QFile::exists(clusterJobDir(trial(0)) + QStringLiteral("/control")));
        QVERIFY(!QFile::exists(clusterJobDir(trial(1)) + QStringLiteral("/control")));
        // Task 1 goes with scancel of its own id; the others run on.
        m_slurm.command({QStringLiteral("scancel"), QStringLiteral("%1_1").arg(array)});
        QTRY_COMPARE_WITH_TIMEOUT(JobRecord::load(jobDir(trial(1))).state, JobState::Stopped, 60000);
        QVERIFY2(JobRecord::load(jobDir(trial(1))).message.contains(QStringLiteral("cancelled in Slurm")), qPrintable(JobRecord::load(jobDir(trial(1))).message));
        QCOMPARE(JobRecord::load(jobDir(trial(2))).state, JobState::Running);
        const QByteArray queue = m_slurm.command({QStringLiteral("squeue"), QStringLiteral("-h"), QStringLiteral("-o"), QStringLiteral("%i %j %T")});
        QVERIFY2(queue.contains(QStringLiteral("%1_2 cairn-tune-xgboost-trials RUNNING").arg(array).toUtf8()), queue.constData());
        // Stopping the tuning job stops the last one.
        ::kill(pid_t(tune.processId()), SIGTERM);
        QVERIFY(tune.waitForFinished(60000));
        QCOMPARE(JobRecord::load(jobDir(trial(2))).state, JobState::Stopped);
        Workspace ws(m_ws);
        for (int task = 0; task < 3; ++task)
            QCOMPARE(ws.store().run(trial(task).runUuid).status, RunStatus::Killed);
    }

    void pendingArrayTaskStoppedWithScancel()
    {
        // Tasks that cannot start (more CPUs than the node has) wait in the queue; stopping one
        // trial takes only its task out (scancel JOBID_TASK), which leaves no record behind.
        QProcess tune;
        startCli(tune, {QStringLiteral("tune"), QStringLiteral("--algorithm"), QStringLiteral("xgboost"), QStringLiteral("--train"),
                        sharedTable(QStringLiteral("titanic.csv")), QStringLiteral("--target"), QStringLiteral("survived"), QStringLiteral("--objective"),
                        QStringLiteral("validation:auc"), QStringLiteral("--maximize"), QStringLiteral("--range"), QStringLiteral("max_depth=2:6:int"),
                        QStringLiteral("--max-trials"), QStringLiteral("2"), QStringLiteral("--parallel"), QStringLiteral("2"), QStringLiteral("--host"),
                        QStringLiteral("cluster"), QStringLiteral("--cpus"), QStringLiteral("64"), QStringLiteral("--experiment"), QStringLiteral("pending")});
        auto bothPending = [&] {
            const QList<JobRecord> trials = jobsOf(QStringLiteral("pending"));
            int pending = 0;
            for (const JobRecord &t : trials)
                pending += slurmState(t).value(QStringLiteral("state")).toString() == QLatin1String("PENDING") ? 1 : 0;
            return trials.size() == 2 && pending == 2;
        };
        QTRY_VERIFY_WITH_TIMEOUT(bothPending(), 60000);
        const JobRecord first = jobsOf(QStringLiteral("pending")).at(0);
        const JobRecord second = jobsOf(QStringLiteral("pending")).at(1);
        const QString id = slurmState(first).value(QStringLiteral("slurmJobId")).toString();
        QVERIFY2(id.contains(QLatin1Char('_')), qPrintable(id));
        const ProcessResult r = cairn({QStringLiteral("jobs"), QStringLiteral("stop"), first.id});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        QTRY_COMPARE_WITH_TIMEOUT(JobRecord::load(jobDir(first)).state, JobState::Stopped, 60000);
        QCOMPARE(slurmState(first).value(QStringLiteral("state")).toString(), QStringLiteral("CANCELLED"));
        QVERIFY(!m_slurm.command({QStringLiteral("squeue"), QStringLiteral("-h"), QStringLiteral("-o"), QStringLiteral("%i")}).contains(id.toUtf8()));
        QCOMPARE(JobRecord::load(jobDir(second)).state, JobState::Running); // still waiting in the queue
        ::kill(pid_t(tune.processId()), SIGTERM);
        QVERIFY(tune.waitForFinished(60000));
        QCOMPARE(JobRecord::load(jobDir(second)).state, JobState::Stopped);
    }
};

QTEST_GUILESS_MAIN(tst_SlurmBatch)
#include "tst_slurmbatch.moc"
