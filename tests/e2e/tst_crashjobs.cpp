// Crash consistency of real jobs: kill -9 at a seeded random moment of (b) a training job's
// worker (`cairn worker`), (b') the `cairn train` CLI that supervises it, (d) a `cairn tune` CLI
// with its trials running. After each kill the next start (`cairn runs list`) must find:
// `PRAGMA integrity_check` ok; every metric point that was acknowledged still there; no run left
// RUNNING or SCHEDULED (each one the kill ended is FAILED with its reason in the `cairn.error`
// tag); no worker left running.
// Acknowledged = committed by the job manager: the points this test read back from the store
// (its own connection) before the kill. When only the worker dies, its supervisor lives on and
// must commit every event it received, so every metric line in the job's events.jsonl counts too.
// CAIRN_CRASH_SEEDS sets the kills per case (default 2 for CI; docs/development.md: 50).
#include "clirunner.h"
#include "crashkill.h"

#include "cairn/jobs/jobevent.h"
#include "cairn/jobs/jobrecord.h"
#include "cairn/store/experimentstore.h"
#include "cairn/util/process.h"
#include "cairn/workspace/workspace.h"

#include <QDateTime>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QJsonArray>
#include <QJsonObject>
#include <QProcess>
#include <QSet>
#include <QTemporaryDir>
#include <QThread>
#include <QtTest>

#include <cmath>
#include <csignal>
#include <memory>
#include <optional>

using namespace cairn;

namespace {

/// run uuid → metric key → step → value
using Points = QHash<QString, QHash<QString, QHash<qint64, double>>>;

qint64 pointCount(const Points &points)
{
    qint64 n = 0;
    for (const auto &keys : points)
        for (const auto &steps : keys)
            n += steps.size();
    return n;
}

/// Every metric point the store returns now of the runs started at or after `sinceMs`.
Points readPoints(ExperimentStore &store, qint64 sinceMs = 0)
{
    Points out;
    RunQuery q;
    q.view = ViewType::All;
    for (const Run &run : store.searchRuns(q))
        if (run.startTime >= sinceMs)
        for (const MetricSummary &m : store.metricSummaries(run.id)) {
            const MetricSeries s = store.metricHistory(run.id, m.key);
            auto &steps = out[run.uuid][m.key];
            for (int i = 0; i < s.steps.size(); ++i)
                steps.insert(s.steps.at(i), s.values.at(i));
        }
    return out;
}

void mergeInto(Points &all, const Points &more)
{
    for (auto run = more.cbegin(); run != more.cend(); ++run)
        for (auto key = run->cbegin(); key != run->cend(); ++key)
            all[run.key()][key.key()].insert(key.value());
}

/// The metric lines of the jobs' events.jsonl (what their supervisor received from the worker).
Points eventPoints(const QString &workspace, const QSet<QString> &skipJobs)
{
    Points out;
    for (const JobRecord &r : JobRecord::list(workspace)) {
        if (skipJobs.contains(r.id))
            continue;
        QFile f(QDir(JobRecord::dirOf(workspace, r.id)).filePath(QStringLiteral("events.jsonl")));
        if (r.runUuid.isEmpty() || !f.open(QIODevice::ReadOnly))
            continue;
        for (const QByteArray &line : f.readAll().split('\n')) {
            const std::optional<JobEvent> e = JobEvent::parse(line);
            if (e && e->type == JobEvent::Type::Metric)
                out[r.runUuid][e->key()].insert(e->step(), e->value());
        }
    }
    return out;
}

/// What of `acknowledged` is missing from `now`, said in words; empty when nothing is.
QString missingPoints(const Points &acknowledged, const Points &now)
{
    for (auto run = acknowledged.cbegin(); run != acknowledged.cend(); ++run)
        for (auto key = run->cbegin(); key != run->cend(); ++key)
            for (auto step = key->cbegin(); step != key->cend(); ++step) {
                const auto &stored = now.value(run.key()).value(key.key());
                const auto it = stored.constFind(step.key());
                const bool same = it != stored.cend() && (it.value() == step.value() || (std::isnan(it.value()) && std::isnan(step.value())));
                if (!same)
                    return QStringLiteral("run %1: %2 at step %3 (%4 acknowledged, %5 stored for the key)")
                        .arg(run.key(), key.key())
                        .arg(step.key())
                        .arg(key->size())
                        .arg(stored.size());
            }
    return {};
}

/// Processes whose command line names the workspace (workers get `--spec WS/jobs/ID/spec.json`).
QList<qint64> processesOf(const QString &workspace)
{
    QList<qint64> pids;
    const QByteArray needle = workspace.toLocal8Bit();
    for (const QString &entry : QDir(QStringLiteral("/proc")).entryList(QDir::Dirs | QDir::NoDotAndDotDot)) {
        bool ok = false;
        const qint64 pid = entry.toLongLong(&ok);
        if (!ok)
            continue;
        QFile cmdline(QStringLiteral("/proc/%1/cmdline").arg(pid));
        if (cmdline.open(QIODevice::ReadOnly) && cmdline.readAll().contains(needle)) {
            QFile stat(QStringLiteral("/proc/%1/stat").arg(pid));
            // A zombie (state Z) is dead already; its parent has not reaped it yet.
            if (stat.open(QIODevice::ReadOnly) && !stat.readAll().contains(") Z "))
                pids << pid;
        }
    }
    return pids;
}

enum class Target { Worker, Cli };

} // namespace

class TestCrashJobs : public QObject
{
    Q_OBJECT

    QTemporaryDir m_dir;

    static QStringList trainArgs()
    {
        // Long enough never to finish inside the test; many rounds a second, so events stream.
        return {QStringLiteral("train"), QStringLiteral("--algorithm"), QStringLiteral("xgboost"), QStringLiteral("--train"),
                sharedTable(QStringLiteral("titanic.csv")), QStringLiteral("--target"), QStringLiteral("survived"), QStringLiteral("--hp"),
                QStringLiteral("num_round=100000"), QStringLiteral("--hp"), QStringLiteral("eta=0.001"), QStringLiteral("--cpus"), QStringLiteral("1"),
                QStringLiteral("--experiment"), QStringLiteral("crash")};
    }

    static QStringList tuneArgs()
    {
        return {QStringLiteral("tune"), QStringLiteral("--algorithm"), QStringLiteral("xgboost"), QStringLiteral("--train"),
                sharedTable(QStringLiteral("titanic.csv")), QStringLiteral("--target"), QStringLiteral("survived"), QStringLiteral("--hp"),
                QStringLiteral("num_round=400"), QStringLiteral("--range"), QStringLiteral("max_depth=2:8:int"), QStringLiteral("--strategy"),
                QStringLiteral("random"), QStringLiteral("--max-trials"), QStringLiteral("1000"), QStringLiteral("--parallel"), QStringLiteral("2"),
                QStringLiteral("--objective"), QStringLiteral("validation:auc"), QStringLiteral("--maximize"), QStringLiteral("--cpus"),
                QStringLiteral("1"), QStringLiteral("--experiment"), QStringLiteral("crash-tune"), QStringLiteral("--quiet")};
    }

    /// Starts `cairn ARGS` in the workspace, kills `target` with SIGKILL at a moment drawn from
    /// seed, and returns the points the store had returned just before the kill. One seed in
    /// four counts the delay from the start (so some kills land before a worker or a point
    /// exists); the others from the first committed point.
    bool runAndKill(const QString &ws, const QStringList &args, Target target, int seed, int maxDelayMs, Points *acknowledged,
                    QSet<QString> *oldJobs, QString *error)
    {
        std::mt19937 rng = crashkill::rngFor(seed);
        const bool fromStart = seed % 4 == 0;
        const int delayMs = crashkill::uniform(rng, 0, maxDelayMs);
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.remove(QStringLiteral("CAIRN_WORKSPACE"));
        QProcess cli;
        cli.setProcessEnvironment(env);
        cli.setProcessChannelMode(QProcess::MergedChannels);
        cli.start(QStringLiteral(CAIRN_CLI_PATH), QStringList{QStringLiteral("--workspace"), ws} + args);
        if (!cli.waitForStarted(30000)) {
            *error = QStringLiteral("cairn did not start: %1").arg(cli.errorString());
            return false;
        }
        const auto fail = [&](const QString &why) {
            cli.kill();
            cli.waitForFinished(30000);
            *error = why + QStringLiteral(": ") + QString::fromUtf8(cli.readAll()).right(2000);
            return false;
        };
        // The process to kill: for a worker, the one its job record names; a kill before it
        // exists would test nothing more than the CLI case.
        for (const JobRecord &r : JobRecord::list(ws))
            oldJobs->insert(r.id);
        const auto newWorkerPid = [&]() -> qint64 {
            for (const JobRecord &r : JobRecord::list(ws))
                if (!oldJobs->contains(r.id) && r.workerPid > 0 && processExists(r.workerPid))
                    return r.workerPid;
            return 0;
        };
        std::unique_ptr<Workspace> reader;
        const qint64 since = QDateTime::currentMSecsSinceEpoch(); // this seed's runs (earlier ones were checked)
        const auto read = [&] {
            if (!reader && QFileInfo::exists(QDir(ws).filePath(QStringLiteral("cairn.db"))))
                reader = std::make_unique<Workspace>(ws);
            if (reader)
                *acknowledged = readPoints(reader->store(), since);
        };
        read();
        const qint64 pointsBefore = pointCount(*acknowledged);
        QElapsedTimer timer;
        timer.start();
        qint64 victim = target == Target::Cli ? cli.processId() : 0;
        while (!fromStart || target == Target::Worker) {
            if (target == Target::Worker && victim == 0)
                victim = newWorkerPid();
            read();
            if (victim > 0 && (fromStart || pointCount(*acknowledged) > pointsBefore))
                break;
            if (cli.state() != QProcess::Running)
                return fail(QStringLiteral("cairn ended before the kill"));
            if (timer.elapsed() > 90000)
                return fail(QStringLiteral("no worker or no committed point within 90 s"));
            cli.waitForFinished(50);
        }
        timer.restart();
        for (;;) {
            read(); // the kill comes right after a read: what it returned is what was acknowledged
            if (timer.elapsed() >= delayMs)
                break;
            QThread::msleep(qMin<qint64>(50, delayMs - timer.elapsed()));
        }
        if (cli.state() != QProcess::Running)
            return fail(QStringLiteral("cairn ended before the kill"));
        if (::kill(pid_t(victim), SIGKILL) != 0)
            return fail(QStringLiteral("cannot kill %1").arg(victim));
        reader.reset();
        if (!cli.waitForFinished(90000))
            return fail(QStringLiteral("cairn did not end after the kill"));
        if (target == Target::Worker) {
            // The supervisor lived: it must say that the worker was killed and fail the job.
            const QString out = QString::fromUtf8(cli.readAll());
            if (cli.exitStatus() != QProcess::NormalExit || cli.exitCode() == 0)
                return fail(QStringLiteral("cairn train exited %1 after its worker was killed").arg(cli.exitCode()));
            if (!out.contains(QStringLiteral("SIGKILL"))) {
                *error = QStringLiteral("cairn train does not name the signal that killed the worker: %1").arg(out.right(2000));
                return false;
            }
        }
        return true;
    }

    /// The next start and what it must find; `what` names the case in messages.
    void checkAfterKill(const QString &ws, const Points &acknowledged, bool supervisorLived, const QSet<QString> &oldJobs, int seed,
                        int *runsSeen, qint64 *pointsSeen)
    {
        const QString where = QStringLiteral("seed %1").arg(seed);
        const ProcessResult list = cairnInWorkspace(ws, {QStringLiteral("runs"), QStringLiteral("list"), QStringLiteral("--format"), QStringLiteral("json")});
        QVERIFY2(list.exitCode == 0, qPrintable(where + QStringLiteral(": runs list: ") + list.err));
        QCOMPARE(crashkill::integrityOf(QDir(ws).filePath(QStringLiteral("cairn.db"))), QStringLiteral("ok"));

        // No orphan worker: the supervisor's death ends its workers (or the next start does).
        QList<qint64> left;
        QElapsedTimer timer;
        timer.start();
        while (!(left = processesOf(ws)).isEmpty() && timer.elapsed() < 30000)
            QThread::msleep(100);
        QVERIFY2(left.isEmpty(), qPrintable(where + QStringLiteral(": processes still running for the workspace: %1").arg(left.size())));

        Workspace workspace(ws);
        ExperimentStore &store = workspace.store();
        RunQuery q;
        q.view = ViewType::All;
        const QList<Run> runs = store.searchRuns(q);
        for (const Run &run : runs) {
            QVERIFY2(run.status != RunStatus::Running && run.status != RunStatus::Scheduled,
                     qPrintable(where + QStringLiteral(": run %1 is still %2").arg(run.uuid, runStatusName(run.status))));
            if (run.status == RunStatus::Failed) {
                QString reason;
                for (const Tag &t : store.tags(run.id))
                    if (t.key == QLatin1String("cairn.error"))
                        reason = t.value;
                QVERIFY2(!reason.isEmpty(), qPrintable(where + QStringLiteral(": failed run %1 does not say why").arg(run.uuid)));
            }
        }
        for (const JobRecord &r : JobRecord::list(ws)) { // every job.json whole, none left running
            QVERIFY2(isTerminal(r.state), qPrintable(where + QStringLiteral(": job %1 is still %2").arg(r.id, jobStateName(r.state))));
            QVERIFY2(!r.message.isEmpty() || r.state == JobState::Finished, qPrintable(where + QStringLiteral(": job %1 has no reason").arg(r.id)));
        }
        const Points now = readPoints(store);
        const QString missing = missingPoints(acknowledged, now);
        QVERIFY2(missing.isEmpty(), qPrintable(where + QStringLiteral(": an acknowledged point is lost: ") + missing));
        if (supervisorLived) {
            const QString unrecorded = missingPoints(eventPoints(ws, oldJobs), now);
            QVERIFY2(unrecorded.isEmpty(), qPrintable(where + QStringLiteral(": an event the supervisor received is not in the store: ") + unrecorded));
        }
        *runsSeen = int(runs.size());
        *pointsSeen = pointCount(now);
    }

    void killRepeatedly(const QStringList &args, Target target, int maxDelayMs, const char *what)
    {
        // Every seed kills in the same workspace, so later ones meet the leftovers of earlier ones.
        const QString ws = m_dir.filePath(QString::fromLatin1(what));
        const int seeds = crashkill::seedCount(2);
        Points everAcknowledged;
        int withPoints = 0, runs = 0;
        qint64 points = 0;
        QElapsedTimer clock;
        clock.start();
        for (int seed = 0; seed < seeds; ++seed) {
            Points acknowledged;
            QSet<QString> oldJobs;
            QString error;
            QVERIFY2(runAndKill(ws, args, target, seed, maxDelayMs, &acknowledged, &oldJobs, &error),
                     qPrintable(QStringLiteral("seed %1: %2").arg(seed).arg(error)));
            checkAfterKill(ws, acknowledged, target == Target::Worker, oldJobs, seed, &runs, &points);
            if (QTest::currentTestFailed())
                return;
            mergeInto(everAcknowledged, acknowledged);
            withPoints += pointCount(acknowledged) > 0 ? 1 : 0;
        }
        // Later kills in the same workspace took nothing of what earlier ones left.
        Workspace workspace(ws);
        const QString missing = missingPoints(everAcknowledged, readPoints(workspace.store()));
        QVERIFY2(missing.isEmpty(), qPrintable(QStringLiteral("after all seeds: ") + missing));
        qInfo("%s: %d kills in %.1f s; %d of them after points were committed; %d runs, %lld points in the store, %lld acknowledged "
              "before the kills, all there",
              what, seeds, clock.elapsed() / 1000.0, withPoints, runs, points, pointCount(everAcknowledged));
        QVERIFY(points > 0);
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY2(QFileInfo::exists(sharedTable(QStringLiteral("titanic.csv"))), "../shared/data is missing: the jobs train on its titanic.csv");
    }

    // (b) The worker dies; `cairn train` sees it, fails the job naming SIGKILL, exits non-zero.
    void killedWorker() { killRepeatedly(trainArgs(), Target::Worker, 1500, "worker"); }

    // (b') The supervising CLI dies; its worker follows (parent-death signal) and the next start
    // marks the job and the run.
    void killedTrainCli() { killRepeatedly(trainArgs(), Target::Cli, 2500, "train-cli"); }

    // (d) A tuning job's CLI dies with trials running: the parent run and every trial.
    void killedTuneCli() { killRepeatedly(tuneArgs(), Target::Cli, 4000, "tune-cli"); }
};

QTEST_GUILESS_MAIN(TestCrashJobs)
#include "tst_crashjobs.moc"
