// The job manager against stand-in workers (shell scripts): event handling, malformed lines,
// stop → SIGTERM → SIGKILL escalation, the per-host limit, and lost-run recovery.
#include "cairn/jobs/jobmanager.h"
#include "cairn/store/experimentstore.h"
#include "cairn/util/process.h"
#include "cairn/workspace/workspace.h"

#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QHostInfo>
#include <QProcess>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

#include <cmath>
#include <csignal>
#include <sys/wait.h>
#include <unistd.h>

using namespace cairn;

namespace {
JobSpec specFor(const QString &name)
{
    JobSpec s;
    s.algorithm = QStringLiteral("stand-in");
    s.runName = name;
    s.hyperparameters = QJsonObject{{QStringLiteral("eta"), 0.5}, {QStringLiteral("rounds"), 10}};
    data::ChannelSpec train;
    train.path = QStringLiteral("/dev/null");
    s.channels.insert(QStringLiteral("train"), train);
    return s;
}

QString readAll(const QString &path)
{
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? QString::fromUtf8(f.readAll()) : QString();
}
} // namespace

class tst_JobManager : public QObject
{
    Q_OBJECT

    std::unique_ptr<QTemporaryDir> m_dir;
    std::unique_ptr<Workspace> m_ws;

    std::unique_ptr<JobManager> manager(const QString &script)
    {
        auto m = std::make_unique<JobManager>(*m_ws);
        m->setWorkerCommand(QStringLiteral("/bin/sh"), {QStringLiteral("-c"), script, QStringLiteral("sh")});
        m->setFlushInterval(20);
        return m;
    }

    static bool waitIdle(JobManager &m, int ms = 15000)
    {
        QElapsedTimer t;
        t.start();
        while (!m.isIdle() && t.elapsed() < ms)
            QTest::qWait(20);
        return m.isIdle();
    }

private Q_SLOTS:
    void init()
    {
        m_dir = std::make_unique<QTemporaryDir>();
        m_ws = std::make_unique<Workspace>(m_dir->path());
    }
    void cleanup()
    {
        m_ws.reset();
        m_dir.reset();
    }

    void jobsPreparedInTheSameSecondGetFoldersOfTheirOwn()
    {
        // An id is the second and 4 random hex digits: 3,000 jobs within a second or two draw
        // the same id dozens of times (AutoML starts its folds at once, other processes too).
        // In memory (/dev/shm), where saving a job costs no disk flush, they take about a second.
        QTemporaryDir memory(QDir(QStringLiteral("/dev/shm")).exists() ? QStringLiteral("/dev/shm/cairn-ids-XXXXXX") : QString());
        QVERIFY(memory.isValid());
        Workspace workspace(memory.path());
        QSet<QString> ids;
        for (int i = 0; i < 3000; ++i) {
            JobSpec spec = specFor(QStringLiteral("same second"));
            ids.insert(JobManager::prepareJob(workspace, spec));
        }
        QCOMPARE(ids.size(), 3000);
        QCOMPARE(QDir(JobRecord::jobsRoot(workspace.path())).entryList(QDir::Dirs | QDir::NoDotAndDotDot).size(), 3000);
    }

    void recordsEventsAndSurvivesMalformedLines()
    {
        const QString script = QStringLiteral(
            "echo '{\"type\":\"status\",\"status\":\"running\"}'\n"
            "echo '{\"type\":\"metric\",\"key\":\"train.loss\",\"value\":0.9,\"step\":0}'\n"
            "echo 'this is not json'\n"
            "echo '{\"type\":\"metric\",\"key\":\"train.loss\"'\n"
            "echo '{\"type\":\"teleport\"}'\n"
            "printf '\\377\\376\\000garbage\\n'\n"
            "echo '{\"type\":\"metric\",\"key\":\"train.loss\",\"value\":0.5,\"step\":1}'\n"
            "echo '{\"type\":\"metric\",\"key\":\"train.loss\",\"value\":null,\"step\":2}'\n"
            "echo '{\"type\":\"param\",\"key\":\"eta\",\"value\":\"0.7\"}'\n"
            "echo '{\"type\":\"param\",\"key\":\"depth\",\"value\":\"4\"}'\n"
            "echo '{\"type\":\"tag\",\"key\":\"note\",\"value\":\"hello\"}'\n"
            "echo '{\"type\":\"progress\",\"fraction\":0.5,\"message\":\"half way\"}'\n"
            "echo '{\"type\":\"log\",\"level\":\"info\",\"message\":\"a log line\"}'\n"
            "echo 'to stderr' >&2\n"
            "printf '{\"type\":\"status\",\"status\":\"finished\"}'\n" // no final newline
            "exit 0\n");
        auto m = manager(script);
        QSignalSpy finished(m.get(), &JobManager::jobFinished);
        const QString id = m->submit(specFor(QStringLiteral("events")));
        QVERIFY(waitIdle(*m));
        QCOMPARE(finished.size(), 1);
        QCOMPARE(finished.first().at(1).value<JobState>(), JobState::Finished);
        const JobRecord r = m->job(id);
        QCOMPARE(r.state, JobState::Finished);
        QCOMPARE(r.progress, 1.0);
        ExperimentStore &store = m_ws->store();
        const Run run = store.run(r.runUuid);
        QCOMPARE(run.status, RunStatus::Finished);
        QCOMPARE(run.sourceType, QStringLiteral("JOB"));
        QCOMPARE(run.name, QStringLiteral("events"));
        const MetricSeries loss = store.metricHistory(run.id, QStringLiteral("train.loss"));
        QCOMPARE(loss.values.size(), 3);
        QCOMPARE(loss.values[0], 0.9);
        QCOMPARE(loss.values[1], 0.5);
        QVERIFY(std::isnan(loss.values[2]));
        QHash<QString, QString> params;
        for (const Param &p : store.params(run.id))
            params.insert(p.key, p.value);
        QCOMPARE(params.value(QStringLiteral("eta")), QStringLiteral("0.5")); // the spec's value stands
        QCOMPARE(params.value(QStringLiteral("depth")), QStringLiteral("4"));
        QCOMPARE(params.value(QStringLiteral("algorithm")), QStringLiteral("stand-in"));
        bool tagged = false;
        for (const Tag &t : store.tags(run.id))
            tagged = tagged || (t.key == QLatin1String("note") && t.value == QLatin1String("hello"));
        QVERIFY(tagged);
        const QString dir = JobRecord::dirOf(m_ws->path(), id);
        const QString log = readAll(dir + QStringLiteral("/job.log"));
        QCOMPARE(log.count(QStringLiteral("ignored malformed event line")), 4);
        QVERIFY(log.contains(QStringLiteral("unknown event type 'teleport'")));
        QVERIFY(log.contains(QStringLiteral("params cannot change")));
        QVERIFY(log.contains(QStringLiteral("a log line")));
        QVERIFY(log.contains(QStringLiteral("stderr: to stderr")));
        const QString events = readAll(dir + QStringLiteral("/events.jsonl"));
        QCOMPARE(events.count(QLatin1Char(0x0a)), 10);
        QVERIFY(QFile::exists(dir + QStringLiteral("/spec.json")));
    }

    void failedWorkerReportsWhy()
    {
        auto m = manager(QStringLiteral("echo 'cannot read the data' >&2; exit 3"));
        const QString id = m->submit(specFor(QStringLiteral("fails")));
        QVERIFY(waitIdle(*m));
        const JobRecord r = m->job(id);
        QCOMPARE(r.state, JobState::Failed);
        QCOMPARE(r.exitCode, 3);
        QVERIFY2(r.message.contains(QStringLiteral("code 3")) && r.message.contains(QStringLiteral("cannot read the data")), qPrintable(r.message));
        QCOMPARE(m_ws->store().run(r.runUuid).status, RunStatus::Failed);
        // Exit 0 without a "finished" status is not success either.
        auto m2 = manager(QStringLiteral("exit 0"));
        const QString id2 = m2->submit(specFor(QStringLiteral("silent")));
        QVERIFY(waitIdle(*m2));
        QCOMPARE(m2->job(id2).state, JobState::Failed);
        // A worker program that does not exist.
        auto m3 = manager(QString());
        m3->setWorkerCommand(QStringLiteral("/nonexistent/cairn"));
        const QString id3 = m3->submit(specFor(QStringLiteral("missing")));
        QVERIFY(waitIdle(*m3));
        QCOMPARE(m3->job(id3).state, JobState::Failed);
        QVERIFY(m3->job(id3).message.contains(QStringLiteral("cannot start")));
    }

    // A worker that dies by a signal: the job's message names it (it said only "the worker
    // crashed or was killed").
    void workerKilledBySignalIsNamed()
    {
        auto m = manager(QStringLiteral("echo '{\"type\":\"status\",\"status\":\"running\"}'; kill -SEGV $$"));
        const QString id = m->submit(specFor(QStringLiteral("segv")));
        QVERIFY(waitIdle(*m));
        JobRecord r = m->job(id);
        QCOMPARE(r.state, JobState::Failed);
        QVERIFY2(r.message.startsWith(QStringLiteral("the worker crashed with signal 11 (SIGSEGV, ")), qPrintable(r.message));
        auto m2 = manager(QStringLiteral("kill -KILL $$"));
        const QString id2 = m2->submit(specFor(QStringLiteral("killed")));
        QVERIFY(waitIdle(*m2));
        r = m2->job(id2);
        QCOMPARE(r.state, JobState::Failed);
        QVERIFY2(r.message.startsWith(QStringLiteral("the worker was killed by signal 9 (SIGKILL, ")), qPrintable(r.message));
        QVERIFY2(r.message.contains(QStringLiteral("memory ran out")), qPrintable(r.message));
        QCOMPARE(m_ws->store().run(r.runUuid).status, RunStatus::Failed);
    }

    // A killed process its parent has not reaped yet (a zombie) is gone for the store.
    void zombieCountsAsGone()
    {
        const pid_t child = ::fork();
        if (child == 0)
            ::_exit(0);
        QVERIFY(child > 0);
        QTRY_VERIFY_WITH_TIMEOUT(!processExists(child), 10000);
        QVERIFY(::kill(child, 0) == 0); // still a zombie: kill(0) alone would call it alive
        ::waitpid(child, nullptr, 0);
        QVERIFY(!processExists(child));
        QVERIFY(processExists(QCoreApplication::applicationPid()));
    }

    void stopWithControlLine()
    {
        // A cooperative worker: reads the stop line, says so, exits.
        auto m = manager(QStringLiteral("echo '{\"type\":\"status\",\"status\":\"running\"}'; read line; "
                                        "echo \"{\\\"type\\\":\\\"log\\\",\\\"message\\\":\\\"got $line\\\"}\" | sed 's/\"type\":\"stop\"//'; "
                                        "echo '{\"type\":\"status\",\"status\":\"stopped\"}'; exit 0"));
        // A grace period no loaded machine reaches: the log below proves no SIGTERM was needed.
        m->setStopGracePeriods(60000, 5000);
        const QString id = m->submit(specFor(QStringLiteral("stop")));
        QTRY_VERIFY_WITH_TIMEOUT(m->job(id).workerPid > 0, 5000);
        m->stop(id);
        QVERIFY(waitIdle(*m, 60000));
        const JobRecord r = m->job(id);
        QCOMPARE(r.state, JobState::Stopped);
        QCOMPARE(m_ws->store().run(r.runUuid).status, RunStatus::Killed);
        const QString log = readAll(JobRecord::dirOf(m_ws->path(), id) + QStringLiteral("/job.log"));
        QVERIFY(!log.contains(QStringLiteral("SIGTERM")));
    }

    void stopEscalatesToTerminate()
    {
        // Ignores stdin but exits on SIGTERM.
        auto m = manager(QStringLiteral("trap 'exit 0' TERM; echo '{\"type\":\"status\",\"status\":\"running\"}'; while true; do sleep 0.05; done"));
        m->setStopGracePeriods(200, 5000);
        const QString id = m->submit(specFor(QStringLiteral("term")));
        QTRY_VERIFY_WITH_TIMEOUT(m_ws->store().metricKeys().isEmpty() && m->job(id).workerPid > 0, 5000);
        QTest::qWait(100);
        m->stop(id);
        QVERIFY(waitIdle(*m, 10000));
        const QString log = readAll(JobRecord::dirOf(m_ws->path(), id) + QStringLiteral("/job.log"));
        QVERIFY2(log.contains(QStringLiteral("sending SIGTERM")), qPrintable(log));
        QVERIFY(!log.contains(QStringLiteral("sending SIGKILL")));
        QCOMPARE(m->job(id).state, JobState::Stopped);
    }

    void stopEscalatesToKill()
    {
        // Ignores stdin and SIGTERM: only SIGKILL ends it.
        auto m = manager(QStringLiteral("trap '' TERM; echo '{\"type\":\"status\",\"status\":\"running\"}'; while true; do sleep 0.05; done"));
        m->setStopGracePeriods(200, 300);
        const QString id = m->submit(specFor(QStringLiteral("kill")));
        QTRY_VERIFY_WITH_TIMEOUT(m->job(id).workerPid > 0, 5000);
        QTest::qWait(100);
        QElapsedTimer t;
        t.start();
        m->stop(id);
        QVERIFY(waitIdle(*m, 10000));
        // 200 ms + 300 ms of grace; Qt's default coarse timers may fire up to 5 % early.
        QVERIFY2(t.elapsed() >= 475, qPrintable(QString::number(t.elapsed())));
        const JobRecord r = m->job(id);
        const QString log = readAll(JobRecord::dirOf(m_ws->path(), id) + QStringLiteral("/job.log"));
        QVERIFY2(log.contains(QStringLiteral("sending SIGTERM")) && log.contains(QStringLiteral("sending SIGKILL")), qPrintable(log));
        QCOMPARE(r.state, JobState::Stopped);
        QVERIFY(r.message.contains(QStringLiteral("killed")));
        QCOMPARE(m_ws->store().run(r.runUuid).status, RunStatus::Killed);
    }

    void maxRuntimeAndStopRequests()
    {
        const QString loop = QStringLiteral("trap 'exit 0' TERM; echo '{\"type\":\"status\",\"status\":\"running\"}'; while true; do sleep 0.05; done");
        auto m = manager(loop);
        m->setStopGracePeriods(100, 2000);
        JobSpec s = specFor(QStringLiteral("limited"));
        s.stopping.maxRuntimeSeconds = 1;
        const QString id = m->submit(s);
        QVERIFY(waitIdle(*m, 10000));
        QVERIFY2(m->job(id).message.contains(QStringLiteral("maximum run time")), qPrintable(m->job(id).message));
        // Another process asks through the job folder.
        const QString id2 = m->submit(specFor(QStringLiteral("requested")));
        QTRY_VERIFY_WITH_TIMEOUT(m->job(id2).workerPid > 0, 5000);
        JobManager::requestStop(m_ws->path(), id2);
        QVERIFY(waitIdle(*m, 10000));
        QCOMPARE(m->job(id2).state, JobState::Stopped);
        QVERIFY(m->job(id2).message.contains(QStringLiteral("cairn jobs stop")));
    }

    void respectsTheConcurrencyLimit()
    {
        auto m = manager(QStringLiteral("sleep 0.3; echo '{\"type\":\"status\",\"status\":\"finished\"}'"));
        m->setMaxConcurrentJobs(2);
        int most = 0;
        connect(m.get(), &JobManager::jobStarted, this, [&] { most = std::max(most, m->runningCount()); });
        QStringList ids;
        for (int i = 0; i < 5; ++i)
            ids << m->submit(specFor(QStringLiteral("c%1").arg(i)));
        QCOMPARE(m->runningCount(), 2);
        QCOMPARE(m->job(ids.last()).state, JobState::Queued);
        QCOMPARE(m_ws->store().run(m->job(ids.last()).runUuid).status, RunStatus::Scheduled);
        // A queued job can be stopped before it starts.
        m->stop(ids.last());
        QCOMPARE(m->job(ids.last()).state, JobState::Stopped);
        QVERIFY(waitIdle(*m, 15000));
        QCOMPARE(most, 2);
        for (int i = 0; i < 4; ++i)
            QCOMPARE(m->job(ids[i]).state, JobState::Finished);
        QCOMPARE(JobRecord::list(m_ws->path()).size(), 5);
    }

    void marksLostRunsFailed()
    {
        // A process id that certainly no longer exists.
        QProcess gone;
        gone.start(QStringLiteral("/bin/true"));
        QVERIFY(gone.waitForFinished());
        const qint64 deadPid = gone.processId() > 0 ? gone.processId() : 999999;
        ExperimentStore &store = m_ws->store();
        const QString host = QHostInfo::localHostName();
        ExperimentStore::NewRun lost;
        lost.host = host;
        lost.pid = deadPid;
        const Run lostRun = store.createRun(lost);
        ExperimentStore::NewRun alive;
        alive.host = host;
        alive.pid = QCoreApplication::applicationPid();
        const Run aliveRun = store.createRun(alive);
        // A job record left running by a supervisor that died.
        JobRecord r;
        r.id = QStringLiteral("job-lost");
        r.state = JobState::Running;
        r.host = host;
        r.managerPid = deadPid;
        r.started = 1;
        r.save(JobRecord::dirOf(m_ws->path(), r.id));

        JobManager m(*m_ws);
        QVERIFY(m.recoverLostRuns() >= 1);
        QCOMPARE(store.run(lostRun.uuid).status, RunStatus::Failed);
        QVERIFY(store.run(lostRun.uuid).endTime > 0);
        QCOMPARE(store.run(aliveRun.uuid).status, RunStatus::Running);
        const JobRecord after = JobRecord::load(JobRecord::dirOf(m_ws->path(), r.id));
        QCOMPARE(after.state, JobState::Failed);
        QVERIFY(after.message.contains(QStringLiteral("lost")));
    }

    void supervisorExitFailsItsJobs()
    {
        QString uuid;
        {
            auto m = manager(QStringLiteral("while true; do sleep 0.05; done"));
            const QString id = m->submit(specFor(QStringLiteral("orphan")));
            QTRY_VERIFY_WITH_TIMEOUT(m->job(id).workerPid > 0, 5000);
            uuid = m->job(id).runUuid;
        }
        QCOMPARE(m_ws->store().run(uuid).status, RunStatus::Failed);
    }
};

QTEST_GUILESS_MAIN(tst_JobManager)
#include "tst_jobmanager.moc"
