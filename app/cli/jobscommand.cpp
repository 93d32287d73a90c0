// `cairn jobs list|logs|stop|show` and the internal `cairn jobs supervise ID` (--detach).
#include "trainingcommands.h"

#include "cairn/jobs/jobmanager.h"
#include "cairn/remote/slurmrunner.h"
#include "cairn/store/types.h"

#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QProcess>
#include <QThread>
#include <QTimer>

#include <cerrno>
#include <csignal>

namespace cairn::cli {

namespace {

bool alive(qint64 pid)
{
    return pid > 0 && (::kill(pid_t(pid), 0) == 0 || errno != ESRCH);
}

int list(Context &c)
{
    QCommandLineParser parser;
    parser.addOption(formatOption());
    parser.addOption({QStringLiteral("active"), QStringLiteral("Only queued and running jobs.")});
    if (!c.parse(parser, QStringLiteral("cairn jobs list [--active] [--format table|json]")))
        return 0;
    const QString ws = c.workspace().path();
    try {
        JobManager::markLostRuns(c.workspace());
    } catch (const Error &) {
        // A read-only workspace: its jobs are listed as they are, "(lost)" shown below.
    }
    QList<JobRecord> jobs = JobRecord::list(ws);
    if (parser.isSet(QStringLiteral("active")))
        jobs.removeIf([](const JobRecord &r) { return isTerminal(r.state); });
    if (c.format(parser) == Format::Json) {
        QJsonArray a;
        for (const JobRecord &r : jobs)
            a.append(r.toJson());
        c.printJson(a);
        return 0;
    }
    const qint64 now = nowMs();
    QList<QStringList> rows{{QStringLiteral("JOB"), QStringLiteral("STATE"), QStringLiteral("HOST"), QStringLiteral("ALGORITHM"), QStringLiteral("PROGRESS"),
                             QStringLiteral("ELAPSED"), QStringLiteral("RUN"), QStringLiteral("MESSAGE")}};
    for (const JobRecord &r : jobs) {
        QString state = jobStateName(r.state);
        // A worker on an SSH host runs on without its supervisor: `jobs attach` follows it again.
        const bool remote = r.runner == QLatin1String("ssh") || r.runner == QLatin1String("slurm");
        if (!isTerminal(r.state) && !alive(r.managerPid))
            state += remote ? QStringLiteral(" (detached)") : QStringLiteral(" (lost)");
        QString message = r.message;
        if (r.runner == QLatin1String("slurm") && !isTerminal(r.state)) {
            // Where the job stands in Slurm's queue, and why it waits.
            const QJsonObject slurm = remote::SlurmRunner::slurmState(JobRecord::dirOf(ws, r.id));
            const QString reason = slurm.value(QStringLiteral("reason")).toString();
            if (!slurm.value(QStringLiteral("state")).toString().isEmpty())
                message = QStringLiteral("Slurm job %1: %2%3").arg(slurm.value(QStringLiteral("slurmJobId")).toString(), slurm.value(QStringLiteral("state")).toString(),
                                                                   reason.isEmpty() ? QString() : QStringLiteral(" (%1)").arg(reason));
        }
        rows << QStringList{r.id, state, remote ? r.host : QStringLiteral("local"), r.algorithm, QStringLiteral("%1%").arg(int(r.progress * 100)),
                            formatDuration(r.elapsedMs(now)), r.runUuid.left(12), message.left(60)};
    }
    printAligned(c.out, rows);
    return 0;
}

int logs(Context &c)
{
    QCommandLineParser parser;
    parser.addPositionalArgument(QStringLiteral("JOB"), QStringLiteral("Job id (or prefix, or its run id)."));
    parser.addOption({{QStringLiteral("f"), QStringLiteral("follow")}, QStringLiteral("Keep printing until the job ends.")});
    parser.addOption({QStringLiteral("events"), QStringLiteral("Print the raw event stream (events.jsonl) instead.")});
    if (!c.parse(parser, QStringLiteral("cairn jobs logs JOB [--follow] [--events]")))
        return 0;
    if (parser.positionalArguments().size() != 1)
        throw UsageError(QStringLiteral("cairn jobs logs needs one job id"));
    const QString ws = c.workspace().path();
    const JobRecord r = JobRecord::resolve(ws, parser.positionalArguments().first());
    const QString dir = JobRecord::dirOf(ws, r.id);
    QFile f(QDir(dir).filePath(parser.isSet(QStringLiteral("events")) ? QStringLiteral("events.jsonl") : QStringLiteral("job.log")));
    const bool follow = parser.isSet(QStringLiteral("follow"));
    while (!f.open(QIODevice::ReadOnly)) {
        if (!follow)
            throw Error(QStringLiteral("job %1 has no log yet (%2)").arg(r.id, f.fileName()));
        QThread::msleep(200);
    }
    for (;;) {
        const QByteArray chunk = f.readAll();
        if (!chunk.isEmpty()) {
            c.out.flush();
            std::fwrite(chunk.constData(), 1, size_t(chunk.size()), stdout);
            std::fflush(stdout);
        }
        if (!follow)
            break;
        const JobRecord now = JobRecord::load(dir);
        if (isTerminal(now.state) || !alive(now.managerPid)) {
            const QByteArray rest = f.readAll();
            std::fwrite(rest.constData(), 1, size_t(rest.size()), stdout);
            std::fflush(stdout);
            break;
        }
        QThread::msleep(250);
    }
    return 0;
}

int stop(Context &c)
{
    QCommandLineParser parser;
    parser.addPositionalArgument(QStringLiteral("JOB"), QStringLiteral("Job id (or prefix)."));
    parser.addOption({QStringLiteral("wait"), QStringLiteral("Wait until the job has ended.")});
    if (!c.parse(parser, QStringLiteral("cairn jobs stop JOB [--wait]\nAsks the job to stop (it saves what it has), then terminates it.")))
        return 0;
    if (parser.positionalArguments().size() != 1)
        throw UsageError(QStringLiteral("cairn jobs stop needs one job id"));
    const QString ws = c.workspace().path();
    const JobRecord r = JobRecord::resolve(ws, parser.positionalArguments().first());
    if (isTerminal(r.state)) {
        c.out << "job " << r.id << " already " << jobStateName(r.state) << "\n";
        return 0;
    }
    if (!alive(r.managerPid) && (r.runner == QLatin1String("ssh") || r.runner == QLatin1String("slurm"))) {
        // A worker on an SSH host that nobody follows: follow it here and stop it properly.
        JobManager manager(c.workspace());
        JobState finalState = JobState::Failed;
        QObject::connect(&manager, &JobManager::jobFinished, [&](const QString &, JobState state, const QString &) { finalState = state; });
        QObject::connect(&manager, &JobManager::idle, QCoreApplication::instance(), &QCoreApplication::quit, Qt::QueuedConnection);
        manager.reattach(r.id);
        manager.stop(r.id, QStringLiteral("stopped by request (cairn jobs stop)"));
        c.out << "stopping job " << r.id << " on host '" << r.host << "'\n";
        c.out.flush();
        QCoreApplication::exec();
        c.out << "job " << r.id << ": " << jobStateName(finalState) << "\n";
        return 0;
    }
    if (!alive(r.managerPid)) {
        // Nobody supervises it any more: end the worker ourselves and record the loss.
        if (alive(r.workerPid))
            ::kill(pid_t(r.workerPid), SIGTERM);
        JobManager manager(c.workspace());
        manager.recoverLostRuns();
        c.out << "job " << r.id << " had lost its supervisor; marked failed\n";
        return 0;
    }
    JobManager::requestStop(ws, r.id);
    c.out << "stop requested for job " << r.id << "\n";
    c.out.flush();
    if (parser.isSet(QStringLiteral("wait"))) {
        const QString dir = JobRecord::dirOf(ws, r.id);
        for (;;) {
            const JobRecord now = JobRecord::load(dir);
            if (isTerminal(now.state) || !alive(now.managerPid)) {
                c.out << "job " << r.id << ": " << jobStateName(now.state) << "\n";
                break;
            }
            QThread::msleep(200);
        }
    }
    return 0;
}

int show(Context &c)
{
    QCommandLineParser parser;
    parser.addPositionalArgument(QStringLiteral("JOB"), QStringLiteral("Job id (or prefix)."));
    if (!c.parse(parser, QStringLiteral("cairn jobs show JOB\nThe job's record and spec as JSON.")))
        return 0;
    if (parser.positionalArguments().size() != 1)
        throw UsageError(QStringLiteral("cairn jobs show needs one job id"));
    const QString ws = c.workspace().path();
    const JobRecord r = JobRecord::resolve(ws, parser.positionalArguments().first());
    QJsonObject o = r.toJson();
    o.insert(QStringLiteral("spec"), JobSpec::load(QDir(JobRecord::dirOf(ws, r.id)).filePath(QStringLiteral("spec.json"))).toJson());
    c.printJson(o);
    return 0;
}

/// Runs a job prepared by `cairn train --detach` to its end, in the background.
int supervise(Context &c)
{
    QCommandLineParser parser;
    parser.addPositionalArgument(QStringLiteral("JOB"), QStringLiteral("Job id."));
    if (!c.parse(parser, QStringLiteral("cairn jobs supervise JOB\n(Internal: what cairn train --detach starts.)")))
        return 0;
    if (parser.positionalArguments().size() != 1)
        throw UsageError(QStringLiteral("cairn jobs supervise needs one job id"));
    std::signal(SIGHUP, SIG_IGN);
    JobManager manager(c.workspace());
    QObject::connect(&manager, &JobManager::idle, QCoreApplication::instance(), &QCoreApplication::quit, Qt::QueuedConnection);
    // Adopt first: the job's record still names `cairn train --detach`, which has exited, and
    // recovery would take it for lost.
    manager.adopt(parser.positionalArguments().first());
    manager.recoverLostRuns();
    QCoreApplication::exec();
    return 0;
}

/// Follows jobs left running on SSH hosts (after the studio or the CLI exited or lost the
/// network) until they end, catching up on their events from where the store stopped.
int attach(Context &c)
{
    QCommandLineParser parser;
    parser.addPositionalArgument(QStringLiteral("JOB"), QStringLiteral("Job id or prefix (default: every detached job)."), QStringLiteral("[JOB...]"));
    parser.addOption({QStringLiteral("detach"), QStringLiteral("Follow them in the background and return.")});
    if (!c.parse(parser, QStringLiteral("cairn jobs attach [JOB...] [--detach]\n"
                                        "Follows jobs whose worker runs on an SSH host and that no process follows, until they end.")))
        return 0;
    const QString ws = c.workspace().path();
    QStringList ids;
    for (const QString &a : parser.positionalArguments())
        ids << JobRecord::resolve(ws, a).id;
    if (ids.isEmpty())
        ids = JobManager::detachedJobs(ws);
    if (ids.isEmpty()) {
        c.out << "no detached jobs\n";
        return 0;
    }
    if (parser.isSet(QStringLiteral("detach"))) {
        qint64 pid = 0;
        if (!QProcess::startDetached(QCoreApplication::applicationFilePath(),
                                     QStringList{QStringLiteral("jobs"), QStringLiteral("attach")} + ids + QStringList{QStringLiteral("--workspace"), ws}, ws, &pid))
            throw Error(QStringLiteral("cannot start the background process that follows the jobs"));
        c.out << "following " << ids.join(QStringLiteral(", ")) << " in the background (pid " << pid << ")\n";
        return 0;
    }
    std::signal(SIGHUP, SIG_IGN);
    JobManager manager(c.workspace());
    int failed = 0;
    QObject::connect(&manager, &JobManager::jobLogLine, [&](const QString &id, const QString &line) {
        c.err << id.left(8) << " " << line << "\n";
        c.err.flush();
    });
    QObject::connect(&manager, &JobManager::jobFinished, [&](const QString &id, JobState state, const QString &message) {
        c.out << "job " << id << ": " << jobStateName(state) << (message.isEmpty() ? QString() : QStringLiteral(" (%1)").arg(message)) << "\n";
        c.out.flush();
        failed += state == JobState::Finished ? 0 : 1;
    });
    QObject::connect(&manager, &JobManager::idle, QCoreApplication::instance(), &QCoreApplication::quit, Qt::QueuedConnection);
    for (const QString &id : ids)
        manager.reattach(id);
    QCoreApplication::exec();
    return failed == 0 ? 0 : 1;
}

} // namespace

int runJobsCommand(Context &c, const QString &verb)
{
    if (verb.isEmpty() || verb == QLatin1String("list"))
        return list(c);
    if (verb == QLatin1String("logs") || verb == QLatin1String("log"))
        return logs(c);
    if (verb == QLatin1String("stop"))
        return stop(c);
    if (verb == QLatin1String("show"))
        return show(c);
    if (verb == QLatin1String("supervise"))
        return supervise(c);
    if (verb == QLatin1String("attach"))
        return attach(c);
    throw UsageError(QStringLiteral("unknown jobs command '%1' (use list, logs, stop, show or attach)").arg(verb));
}

} // namespace cairn::cli
