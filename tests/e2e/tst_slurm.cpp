// Slurm clusters end to end against a real Slurm on this machine (munged, slurmctld and slurmd
// started by the test, see localslurm.h): a real XGBoost job through sbatch, a job asking for more
// CPUs than exist (refused or pending with its reason), scancel of a running job, slurmctld
// restarted mid-job with the job still followed then re-attached and stopped with every metric
// point stored once, a job killed at its time limit (TIMEOUT), a job of two tasks through srun, and
// a cluster reached through a login host (a private sshd on loopback), tuning trials as one job array.
#include "slurmclitest.h"

#include "cairn/jobs/jobrecord.h"
#include "cairn/store/experimentstore.h"
#include "cairn/workspace/workspace.h"

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QSet>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

#include <csignal>
#include <pwd.h>
#include <unistd.h>

using namespace cairn;

class tst_Slurm : public SlurmCliTest
{
    Q_OBJECT
    QString m_marker;   ///< created only if some name were run as shell code (the cluster's work folder has a hostile name)
    QProcess m_timeoutJob; ///< started first: Slurm's time limits count in minutes

    QStringList longJob(const QString &experiment) const
    {
        return trainOnCluster(experiment, QStringLiteral("diamonds.csv"), QStringLiteral("price"), 100000);
    }

    QString readAll(const QString &path) const
    {
        QFile f(path);
        return f.open(QIODevice::ReadOnly) ? QString::fromUtf8(f.readAll()) : QString();
    }

private Q_SLOTS:
    void initTestCase()
    {
        const QString why = LocalSlurm::unavailableReason();
        if (!why.isEmpty())
            QSKIP(qPrintable(why));
        m_marker = m_dir.path() + QStringLiteral("/PWNED");
        const QString failed = startCluster(m_dir.path() + QStringLiteral("/shared 'q' \"dq\"; $(touch %1)").arg(m_marker), LocalSlurm::Options());
        QVERIFY2(failed.isEmpty(), qPrintable(failed));
        // A one-minute limit (Slurm's smallest), checked every 30 s by slurmctld: started now,
        // looked at last.
        QStringList timeout = longJob(QStringLiteral("timeout"));
        timeout << QStringLiteral("--time-limit") << QStringLiteral("1");
        startCli(m_timeoutJob, timeout);
    }

    void cleanupTestCase()
    {
        if (m_timeoutJob.state() != QProcess::NotRunning) {
            m_timeoutJob.kill();
            m_timeoutJob.waitForFinished(5000);
        }
        m_slurm.stop();
        QVERIFY2(!QFile::exists(m_marker), "a name was run as shell code");
    }

    void listsAndQueue()
    {
        ProcessResult r = cairn({QStringLiteral("hosts"), QStringLiteral("list")});
        QVERIFY2(r.out.contains(QStringLiteral("slurm")) && r.out.contains(QStringLiteral("Slurm on this machine")), qPrintable(r.out));
        r = cairn({QStringLiteral("hosts"), QStringLiteral("queue"), QStringLiteral("cluster"), QStringLiteral("--format"), QStringLiteral("json")});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        const QJsonObject o = r.json().object();
        const QJsonObject part = o.value(QStringLiteral("partitions")).toArray().at(0).toObject();
        QCOMPARE(part.value(QStringLiteral("name")).toString(), QStringLiteral("debug"));
        QVERIFY(part.value(QStringLiteral("default")).toBool());
        QCOMPARE(part.value(QStringLiteral("cpusTotal")).toInt(), QThread::idealThreadCount());
        QCOMPARE(o.value(QStringLiteral("nodes")).toArray().at(0).toObject().value(QStringLiteral("name")).toString(), m_slurm.nodeName());
        r = cairn({QStringLiteral("hosts"), QStringLiteral("queue"), QStringLiteral("cluster")});
        QVERIFY2(r.out.contains(QStringLiteral("debug (default)")), qPrintable(r.out));
        // Not a cluster; a bad time limit is refused before any job exists.
        QCOMPARE(cairn({QStringLiteral("hosts"), QStringLiteral("queue"), QStringLiteral("local")}).exitCode, 2);
        r = cairn({QStringLiteral("train"), QStringLiteral("--algorithm"), QStringLiteral("xgboost"), QStringLiteral("--train"), sharedTable(QStringLiteral("titanic.csv")),
                   QStringLiteral("--target"), QStringLiteral("survived"), QStringLiteral("--host"), QStringLiteral("cluster"), QStringLiteral("--time-limit"),
                   QStringLiteral("2h; $(touch %1)").arg(m_marker)});
        QCOMPARE(r.exitCode, 2);
        QVERIFY2(r.err.contains(QStringLiteral("not a Slurm time limit")), qPrintable(r.err));
    }

    void xgboostJobThroughSbatch()
    {
        const ProcessResult r = cairn({QStringLiteral("train"), QStringLiteral("--algorithm"), QStringLiteral("xgboost"), QStringLiteral("--train"),
                                       sharedTable(QStringLiteral("titanic.csv")), QStringLiteral("--target"), QStringLiteral("survived"), QStringLiteral("--hp"),
                                       QStringLiteral("num_round=30"), QStringLiteral("--host"), QStringLiteral("cluster"), QStringLiteral("--cpus"), QStringLiteral("1"),
                                       QStringLiteral("--time-limit"), QStringLiteral("10:00"), QStringLiteral("--experiment"), QStringLiteral("sbatch"),
                                       QStringLiteral("--run-name"), QStringLiteral("it's $(touch %1)").arg(m_marker)});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        QVERIFY2(r.err.contains(QStringLiteral("submitted to Slurm on 'cluster' as job")), qPrintable(r.err));
        const JobRecord j = jobOf(QStringLiteral("sbatch"));
        QCOMPARE(j.state, JobState::Finished);
        QCOMPARE(j.runner, QStringLiteral("slurm"));
        const QString script = readAll(clusterJobDir(j) + QStringLiteral("/job.sbatch"));
        for (const char *line : {"#SBATCH --ntasks=1\n", "#SBATCH --cpus-per-task=1\n", "#SBATCH --time=10:00\n", "#SBATCH --job-name=cairn-it_s_touch_"})
            QVERIFY2(script.contains(QLatin1String(line)), line);
        const QString slurmId = slurmState(j).value(QStringLiteral("slurmJobId")).toString();
        QVERIFY(!slurmId.isEmpty());
        QCOMPARE(slurmState(j).value(QStringLiteral("state")).toString(), QStringLiteral("COMPLETED"));
        QVERIFY(m_slurm.command({QStringLiteral("scontrol"), QStringLiteral("show"), QStringLiteral("job"), slurmId}).contains("JobState=COMPLETED"));
        // Every point once, the model back in the run's artifacts.
        verifyStoredExactlyOnce(m_ws, clusterJobDir(j) + QStringLiteral("/events.jsonl"), j.runUuid, QStringLiteral("validation.log_loss"));
        QVERIFY(storedMetricSteps(m_ws, j.runUuid, QStringLiteral("validation.log_loss")).size() >= 30);
        Workspace ws(m_ws);
        QCOMPARE(ws.store().run(j.runUuid).status, RunStatus::Finished);
        const QString artifacts = QDir(m_ws).filePath(QStringLiteral("artifacts/") + j.runUuid);
        QVERIFY2(!QDir(artifacts).entryList(QDir::Files | QDir::Dirs | QDir::NoDotAndDotDot).isEmpty(), qPrintable(artifacts));
    }

    void moreCpusThanExistIsRefusedOrPendsWithReason()
    {
        QProcess cli;
        QStringList args = longJob(QStringLiteral("toobig"));
        args[args.indexOf(QStringLiteral("--cpus")) + 1] = QStringLiteral("64");
        startCli(cli, args);
        QString reason;
        QTRY_VERIFY_WITH_TIMEOUT(cli.state() == QProcess::NotRunning || [&] {
            for (const QJsonValue &v : cairn({QStringLiteral("hosts"), QStringLiteral("queue"), QStringLiteral("cluster"), QStringLiteral("--format"),
                                              QStringLiteral("json")}).json().object().value(QStringLiteral("queue")).toArray())
                if (v.toObject().value(QStringLiteral("ours")).toBool() && v.toObject().value(QStringLiteral("state")).toString() == QLatin1String("PENDING"))
                    reason = v.toObject().value(QStringLiteral("reason")).toString();
            return !reason.isEmpty() && readAll(jobDir(jobOf(QStringLiteral("toobig"))) + QStringLiteral("/job.log")).contains(QStringLiteral(": PENDING (") + reason + QLatin1Char(')'));
        }(), 60000);
        const JobRecord j = jobOf(QStringLiteral("toobig"));
        if (cli.state() == QProcess::NotRunning) {
            // Refused at submission: the job failed with Slurm's words.
            QCOMPARE(j.state, JobState::Failed);
            QVERIFY2(j.message.contains(QStringLiteral("refused")), qPrintable(j.message));
            return;
        }
        QVERIFY2(reason == QLatin1String("Resources") || reason == QLatin1String("PartitionConfig") || reason == QLatin1String("BadConstraints"), qPrintable(reason));
        QCOMPARE(slurmState(j).value(QStringLiteral("reason")).toString(), reason);
        const ProcessResult list = cairn({QStringLiteral("jobs"), QStringLiteral("list")});
        QVERIFY2(list.out.contains(QStringLiteral(": PENDING (%1)").arg(reason)), qPrintable(list.out));
        // Stopped while pending: Slurm takes it out of the queue; the run is stopped, not failed.
        const ProcessResult r = cairn({QStringLiteral("jobs"), QStringLiteral("stop"), j.id});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        QVERIFY(cli.waitForFinished(60000));
        QCOMPARE(JobRecord::load(jobDir(j)).state, JobState::Stopped);
        QCOMPARE(slurmState(j).value(QStringLiteral("state")).toString(), QStringLiteral("CANCELLED"));
    }

    void scancelOfARunningJob()
    {
        QProcess cli;
        startCli(cli, longJob(QStringLiteral("cancel")));
        QTRY_VERIFY_WITH_TIMEOUT(stored(jobOf(QStringLiteral("cancel")), QStringLiteral("validation.rmse")) >= 5, 60000);
        const JobRecord j = jobOf(QStringLiteral("cancel"));
        QCOMPARE(slurmState(j).value(QStringLiteral("state")).toString(), QStringLiteral("RUNNING"));
        m_slurm.command({QStringLiteral("scancel"), slurmState(j).value(QStringLiteral("slurmJobId")).toString()});
        QVERIFY(cli.waitForFinished(60000));
        const JobRecord end = JobRecord::load(jobDir(j));
        QCOMPARE(end.state, JobState::Stopped);
        QVERIFY2(end.message.contains(QStringLiteral("cancelled in Slurm")), qPrintable(end.message));
        Workspace ws(m_ws);
        QCOMPARE(ws.store().run(j.runUuid).status, RunStatus::Killed);
    }

    void controllerRestartedMidJobThenReattached()
    {
        QProcess cli;
        startCli(cli, longJob(QStringLiteral("restart")));
        QTRY_VERIFY_WITH_TIMEOUT(stored(jobOf(QStringLiteral("restart")), QStringLiteral("validation.rmse")) >= 5, 60000);
        const JobRecord j = jobOf(QStringLiteral("restart"));
        const QString log = jobDir(j) + QStringLiteral("/job.log");

        // slurmctld goes away: the job runs on under slurmd and its points keep coming.
        m_slurm.stopController();
        QTRY_VERIFY_WITH_TIMEOUT(readAll(log).contains(QStringLiteral("does not answer")), 30000);
        const int during = stored(j, QStringLiteral("validation.rmse"));
        QTRY_VERIFY_WITH_TIMEOUT(stored(j, QStringLiteral("validation.rmse")) > during + 5, 30000);
        QString error;
        QVERIFY2(m_slurm.startController(&error), qPrintable(error));
        QTRY_VERIFY_WITH_TIMEOUT(readAll(log).contains(QStringLiteral("answers again")), 30000);
        QCOMPARE(JobRecord::load(jobDir(j)).state, JobState::Running);

        // The supervisor dies: the job is detached, then `jobs stop` follows it again and stops it.
        ::kill(pid_t(cli.processId()), SIGKILL);
        QVERIFY(cli.waitForFinished(10000));
        ProcessResult r = cairn({QStringLiteral("jobs"), QStringLiteral("list")});
        QVERIFY2(r.out.contains(QStringLiteral("(detached)")), qPrintable(r.out));
        const qint64 size = QFileInfo(clusterJobDir(j) + QStringLiteral("/events.jsonl")).size();
        QTRY_VERIFY_WITH_TIMEOUT(QFileInfo(clusterJobDir(j) + QStringLiteral("/events.jsonl")).size() > size + 1000, 30000);
        r = cairn({QStringLiteral("jobs"), QStringLiteral("stop"), j.id});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err + r.out));
        const JobRecord end = JobRecord::load(jobDir(j));
        QCOMPARE(end.state, JobState::Stopped);
        verifyStoredExactlyOnce(m_ws, clusterJobDir(j) + QStringLiteral("/events.jsonl"), j.runUuid, QStringLiteral("validation.rmse"));
    }

    void twoTaskTorchJobThroughSrun()
    {
        if (!cairn({QStringLiteral("algorithms"), QStringLiteral("list")}).out.contains(QStringLiteral("mlp")))
            QSKIP("the torch plugin is not built here");
        if (!cairn({QStringLiteral("train"), QStringLiteral("--help")}).out.contains(QStringLiteral("--processes-per-instance")))
            QSKIP("this build's cairn train has no distributed training (--processes-per-instance)");
        // One instance of two ranks: `srun` starts both; they find each other from Slurm's variables.
        const ProcessResult r = cairn({QStringLiteral("train"), QStringLiteral("--algorithm"), QStringLiteral("mlp"), QStringLiteral("--train"),
                                       sharedTable(QStringLiteral("breast_cancer.csv")), QStringLiteral("--target"), QStringLiteral("target"), QStringLiteral("--hp"),
                                       QStringLiteral("epochs=3"), QStringLiteral("--cpus"), QStringLiteral("1"), QStringLiteral("--processes-per-instance"),
                                       QStringLiteral("2"), QStringLiteral("--host"), QStringLiteral("cluster"), QStringLiteral("--experiment"), QStringLiteral("srun")});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        const JobRecord j = jobOf(QStringLiteral("srun"));
        QCOMPARE(j.state, JobState::Finished);
        const QString dir = clusterJobDir(j);
        const QString script = readAll(dir + QStringLiteral("/job.sbatch"));
        QVERIFY2(script.contains(QStringLiteral("#SBATCH --ntasks=2\n")) && script.contains(QStringLiteral("#SBATCH --nodes=1\n"))
                     && script.contains(QStringLiteral("srun ")), qPrintable(script));
        // Each rank's own output is kept; rank 1 wrote its events beside the spec, rank 0 the job's.
        QVERIFY(QFileInfo::exists(dir + QStringLiteral("/worker-0.err")));
        QVERIFY(QFileInfo::exists(dir + QStringLiteral("/worker-1.err")));
        QVERIFY2(QFileInfo(dir + QStringLiteral("/rank-1.jsonl")).size() > 0, qPrintable(QDir(dir).entryList().join(QLatin1Char(' '))));
        QVERIFY(stored(j, QStringLiteral("validation.accuracy")) + stored(j, QStringLiteral("validation.loss")) > 0);
        verifyStoredExactlyOnce(m_ws, dir + QStringLiteral("/events.jsonl"), j.runUuid, QStringLiteral("train.loss"));
    }

    void throughALoginHost()
    {
        if (!LoopbackSshd::available() || QStandardPaths::findExecutable(QStringLiteral("rsync")).isEmpty())
            QSKIP("openssh-server and rsync are not installed (scripts/setup installs them)");
        // The login host: a private sshd whose logins see this cluster (SLURM_CONF) and the cairn built here.
        const QString sshDir = m_t + QStringLiteral("/sshd");
        QDir().mkpath(sshDir);
        LoopbackSshd sshd;
        QString error;
        QVERIFY2(sshd.start(sshDir, QFileInfo(QStringLiteral(CAIRN_CLI_PATH)).absolutePath(), &error), qPrintable(error));
        QFile keys(sshDir + QStringLiteral("/authorized_keys"));
        QVERIFY(keys.open(QIODevice::ReadOnly));
        QByteArray line = keys.readAll();
        keys.close();
        line.replace("environment=\"PATH=", "environment=\"SLURM_CONF=" + QFile::encodeName(m_slurm.confPath()) + "\",environment=\"PATH=");
        QVERIFY(keys.open(QIODevice::WriteOnly | QIODevice::Truncate));
        keys.write(line);
        keys.close();
        const QString login = QString::fromLocal8Bit(::getpwuid(::getuid())->pw_name) + QStringLiteral("@127.0.0.1");
        ProcessResult r = cairn({QStringLiteral("hosts"), QStringLiteral("add"), QStringLiteral("--slurm"), QStringLiteral("hpc"), QStringLiteral("--login"), login,
                                 QStringLiteral("--port"), QString::number(sshd.port()), QStringLiteral("--identity"), sshDir + QStringLiteral("/userkey"),
                                 QStringLiteral("--known-hosts"), sshDir + QStringLiteral("/known_hosts"), QStringLiteral("--ssh-config"), QStringLiteral("/dev/null"),
                                 QStringLiteral("--work-dir"), m_t + QStringLiteral("/login work $(touch %1)").arg(m_marker)});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        cairn({QStringLiteral("hosts"), QStringLiteral("probe"), QStringLiteral("hpc"), QStringLiteral("--accept-new-host-key")});
        r = cairn({QStringLiteral("hosts"), QStringLiteral("queue"), QStringLiteral("hpc"), QStringLiteral("--format"), QStringLiteral("json")});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        QCOMPARE(r.json().object().value(QStringLiteral("nodes")).toArray().at(0).toObject().value(QStringLiteral("name")).toString(), m_slurm.nodeName());

        // The data goes to the cluster's cache over the login host, the job through sbatch there.
        r = cairn({QStringLiteral("train"), QStringLiteral("--algorithm"), QStringLiteral("xgboost"), QStringLiteral("--train"), sharedTable(QStringLiteral("titanic.csv")),
                   QStringLiteral("--target"), QStringLiteral("survived"), QStringLiteral("--hp"), QStringLiteral("num_round=10"), QStringLiteral("--cpus"),
                   QStringLiteral("1"), QStringLiteral("--host"), QStringLiteral("hpc"), QStringLiteral("--experiment"), QStringLiteral("login")});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        QVERIFY2(r.err.contains(QStringLiteral("sent ")) && r.err.contains(QStringLiteral("as job")), qPrintable(r.err));
        const JobRecord j = jobOf(QStringLiteral("login"));
        QCOMPARE(j.state, JobState::Finished);
        const QString dir = m_t + QStringLiteral("/login work $(touch %1)/jobs/").arg(m_marker) + j.id;
        QVERIFY(QFileInfo::exists(dir + QStringLiteral("/job.sbatch")));
        verifyStoredExactlyOnce(m_ws, dir + QStringLiteral("/events.jsonl"), j.runUuid, QStringLiteral("validation.log_loss"));
        const QString artifacts = QDir(m_ws).filePath(QStringLiteral("artifacts/") + j.runUuid);
        QVERIFY2(!QDir(artifacts).entryList(QDir::Files | QDir::Dirs | QDir::NoDotAndDotDot).isEmpty(), qPrintable(artifacts));
        sshd.stop();
    }

    void tuningTrialsAsOneJobArray()
    {
        // The trials started together go as one job array; Slurm runs its tasks side by side,
        // each task its own trial, followed and recorded as its own job.
        const ProcessResult r = cairn({QStringLiteral("tune"), QStringLiteral("--algorithm"), QStringLiteral("xgboost"), QStringLiteral("--train"),
                                       sharedTable(QStringLiteral("titanic.csv")), QStringLiteral("--target"), QStringLiteral("survived"), QStringLiteral("--objective"),
                                       QStringLiteral("validation:auc"), QStringLiteral("--maximize"), QStringLiteral("--range"), QStringLiteral("max_depth=2:6:int"),
                                       QStringLiteral("--hp"), QStringLiteral("num_round=10"), QStringLiteral("--max-trials"), QStringLiteral("4"),
                                       QStringLiteral("--parallel"), QStringLiteral("4"), QStringLiteral("--host"), QStringLiteral("cluster"), QStringLiteral("--cpus"),
                                       QStringLiteral("1"), QStringLiteral("--experiment"), QStringLiteral("tune")});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err + r.out));
        QVERIFY2((r.out + r.err).contains(QStringLiteral("4 trials finished, 0 failed")), qPrintable(r.out + r.err));
        const QByteArray names = m_slurm.command({QStringLiteral("squeue"), QStringLiteral("-h"), QStringLiteral("-t"), QStringLiteral("all"), QStringLiteral("-o"),
                                                  QStringLiteral("%i %j %T")});
        QSet<QString> tasks;
        QString array;
        for (const JobRecord &j : JobRecord::list(m_ws)) {
            if (j.experiment != QLatin1String("tune"))
                continue;
            QCOMPARE(j.state, JobState::Finished);
            const QString id = slurmState(j).value(QStringLiteral("slurmJobId")).toString();
            QVERIFY2(id.contains(QLatin1Char('_')), qPrintable(id));
            QVERIFY(array.isEmpty() || array == id.section(QLatin1Char('_'), 0, 0));
            array = id.section(QLatin1Char('_'), 0, 0);
            tasks.insert(id);
            QVERIFY2(names.contains((id + QStringLiteral(" cairn-tune-xgboost-trials COMPLETED")).toUtf8()), names.constData());
            QVERIFY(stored(j, QStringLiteral("validation.auc")) > 0);
            verifyStoredExactlyOnce(m_ws, clusterJobDir(j) + QStringLiteral("/events.jsonl"), j.runUuid, QStringLiteral("validation.auc"));
        }
        QCOMPARE(tasks, (QSet<QString>{array + QStringLiteral("_0"), array + QStringLiteral("_1"), array + QStringLiteral("_2"), array + QStringLiteral("_3")}));
        const QString script = readAll(m_shared + QStringLiteral("/jobs/array-") + [&] {
            for (const JobRecord &j : JobRecord::list(m_ws))
                if (j.experiment == QLatin1String("tune") && slurmState(j).value(QStringLiteral("slurmJobId")).toString().endsWith(QStringLiteral("_0")))
                    return j.id;
            return QString();
        }() + QStringLiteral("/job.sbatch"));
        QVERIFY2(script.contains(QStringLiteral("#SBATCH --array=0-3\n")), qPrintable(script));
    }

    void timeLimitEndsTimeout()
    {
        // Last: the job started with a one-minute limit in initTestCase.
        QVERIFY(m_timeoutJob.waitForFinished(150000));
        QVERIFY(m_timeoutJob.exitCode() != 0);
        const QString err = QString::fromUtf8(m_timeoutJob.readAllStandardError());
        const JobRecord j = jobOf(QStringLiteral("timeout"));
        QCOMPARE(j.state, JobState::Failed);
        QVERIFY2(j.message.contains(QStringLiteral("TIMEOUT")) && j.message.contains(QStringLiteral("time limit")), qPrintable(j.message + err));
        QCOMPARE(slurmState(j).value(QStringLiteral("state")).toString(), QStringLiteral("TIMEOUT"));
        QVERIFY(stored(j, QStringLiteral("validation.rmse")) > 0);
        Workspace ws(m_ws);
        QCOMPARE(ws.store().run(j.runUuid).status, RunStatus::Failed);
    }
};

QTEST_GUILESS_MAIN(tst_Slurm)
#include "tst_slurm.moc"
