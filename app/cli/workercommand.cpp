// `cairn worker --spec FILE`: runs one training job and reports it as JSON Lines on stdout.
#include "trainingcommands.h"

#include "cairn/algorithms/pluginmanager.h"
#include "cairn/jobs/distributed.h"
#include "cairn/jobs/distributedlauncher.h"
#include "cairn/jobs/jobspec.h"
#include "cairn/jobs/workercontext.h"
#include "cairn/remote/host.h"
#include "cairn/remote/probe.h"

#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonDocument>
#include <QThread>

#include <chrono>
#include <csignal>
#include <cstring>
#include <cstdio>
#include <iostream>
#include <optional>
#include <malloc.h>
#include <string>
#include <thread>
#include <sys/prctl.h>
#include <unistd.h>

namespace cairn::cli {

namespace {

WorkerContext *g_context = nullptr;

/// Training allocates and frees the same large activation and gradient buffers every step. With
/// glibc's defaults they are mmapped or trimmed from the heap and faulted back in (zeroed) each
/// time, which cost about a fifth of a CNN epoch; a worker keeps its freed memory instead.
void keepFreedMemory()
{
    ::mallopt(M_MMAP_THRESHOLD, 32 * 1024 * 1024);
    ::mallopt(M_TRIM_THRESHOLD, 1024 * 1024 * 1024);
    ::mallopt(M_TOP_PAD, 64 * 1024 * 1024);
}

/// glibc backs its heap with transparent huge pages only when the glibc.malloc.hugetlb tunable is
/// set at start-up: the worker starts itself again once with it (a CNN epoch then takes a
/// thirtieth of the page faults). Nothing has been read or started yet, so nothing is lost; if exec fails
/// the worker goes on as it is.
void restartWithHugePages()
{
    QByteArray tunables = qgetenv("GLIBC_TUNABLES");
    if (tunables.contains("glibc.malloc.hugetlb"))
        return;
    tunables += (tunables.isEmpty() ? "" : ":") + QByteArray("glibc.malloc.hugetlb=1");
    qputenv("GLIBC_TUNABLES", tunables);
    std::vector<QByteArray> arguments;
    for (const QString &a : QCoreApplication::arguments())
        arguments.push_back(a.toLocal8Bit());
    std::vector<char *> argv;
    for (QByteArray &a : arguments)
        argv.push_back(a.data());
    argv.push_back(nullptr);
    ::execv("/proc/self/exe", argv.data());
}

/// A library's message without its native stack trace ("Stack trace:" and "[bt] (n) …" lines,
/// as XGBoost and dmlc append them): the user reads the reason, the log keeps nothing worse.
QString withoutBacktrace(QString message)
{
    if (const qsizetype trace = message.indexOf(QLatin1String("Stack trace:")); trace >= 0)
        message.truncate(trace);
    QStringList kept;
    for (const QString &line : message.split(QLatin1Char('\n')))
        if (!line.trimmed().startsWith(QLatin1String("[bt]")))
            kept << line;
    return kept.join(QLatin1Char('\n')).trimmed();
}

extern "C" void onTerminate(int)
{
    // std::atomic<bool>::store is lock-free here, so safe in a signal handler.
    if (g_context)
        g_context->requestStop();
}

} // namespace

int runWorkerCommand(Context &c, const QString &verb)
{
    if (!verb.isEmpty())
        throw UsageError(QStringLiteral("cairn worker takes no sub-command (got '%1')").arg(verb));
    QCommandLineParser parser;
    parser.addOption({QStringLiteral("spec"), QStringLiteral("The job spec (JSON) to run."), QStringLiteral("FILE")});
    parser.addOption({QStringLiteral("events-file"), QStringLiteral("Append the events to FILE instead of stdout (a worker on another machine, which outlives its connection)."), QStringLiteral("FILE")});
    parser.addOption({QStringLiteral("control-file"), QStringLiteral("Read control lines from FILE (appended to by the job manager) instead of stdin."), QStringLiteral("FILE")});
    parser.addOption({QStringLiteral("handshake"), QStringLiteral("Print this worker's version and protocol as JSON and exit.")});
    if (!c.parse(parser, QStringLiteral("cairn worker --spec FILE [--events-file FILE --control-file FILE] | --handshake\n"
                                        "Runs one training job. Streams JSON Lines events on stdout and reads control lines\n"
                                        "({\"type\":\"stop\"}) on stdin. Started by the job manager; not usually run by hand.")))
        return 0;
    if (parser.isSet(QStringLiteral("handshake"))) {
        c.out << QJsonDocument(remote::workerHandshake()).toJson(QJsonDocument::Compact) << "\n";
        return 0;
    }
    if (!parser.isSet(QStringLiteral("spec")))
        throw UsageError(QStringLiteral("cairn worker needs --spec FILE"));
    const QString eventsFile = parser.value(QStringLiteral("events-file"));
    const QString controlFile = parser.value(QStringLiteral("control-file"));
    const bool detached = !eventsFile.isEmpty();

    restartWithHugePages();
    keepFreedMemory();
    std::optional<DistributedPlace> place;
    QString placeError;
    try {
        place = DistributedPlace::fromEnvironment();
        // One task of its own (a Slurm step of one task): the job's ranks are started from here.
        if (place && !place->isDistributed())
            place.reset();
    } catch (const Error &e) {
        placeError = e.message();
    }
    const QString specPath = parser.value(QStringLiteral("spec"));
    std::FILE *events = nullptr;
    if (place && place->rank != 0) {
        // Rank 0's events are the job's; each other rank keeps its own beside the spec.
        const QString path = DistributedLauncher::rankEventsPath(QFileInfo(specPath).absolutePath(), place->rank);
        events = std::fopen(QFile::encodeName(path).constData(), "a");
        if (!events)
            throw Error(QStringLiteral("cannot open the rank's events file %1: %2").arg(path, QString::fromLocal8Bit(std::strerror(errno))));
    } else if (detached) {
        events = std::fopen(QFile::encodeName(eventsFile).constData(), "a");
        if (!events)
            throw Error(QStringLiteral("cannot open the events file %1: %2").arg(eventsFile, QString::fromLocal8Bit(std::strerror(errno))));
    } else {
        // Events get a private copy of stdout; anything a library prints to stdout goes to stderr
        // instead, where it cannot corrupt the event stream.
        std::fflush(stdout);
        const int eventFd = ::dup(STDOUT_FILENO);
        events = eventFd >= 0 ? ::fdopen(eventFd, "w") : nullptr;
        if (!events)
            throw Error(QStringLiteral("cannot set up the event stream on stdout"));
        ::dup2(STDERR_FILENO, STDOUT_FILENO);
    }

    JobSpec spec;
    try {
        spec = JobSpec::load(specPath);
        if (!placeError.isEmpty())
            throw Error(placeError);
        if (!place && !spec.distributed.isEmpty()) {
            // A rank started over SSH: its place came in its spec. The environment carries it on
            // to the trainer, as for a rank started here.
            place = DistributedPlace::fromJson(spec.distributed);
            QProcessEnvironment env;
            place->exportTo(env);
            const QJsonObject extra = spec.distributed.value(QStringLiteral("environment")).toObject();
            for (auto it = extra.begin(); it != extra.end(); ++it)
                if (it.key().startsWith(QLatin1String("CAIRN_")) && !qEnvironmentVariableIsSet(it.key().toUtf8().constData()))
                    env.insert(it.key(), it.value().toString());
            for (const QString &key : env.keys())
                qputenv(key.toUtf8().constData(), env.value(key).toUtf8());
            if (spec.resources.cpus == 0 && !qEnvironmentVariableIsSet("CAIRN_THREADS")) {
                // The host's cores shared by the ranks it runs.
                const int perHost = std::max(1, spec.distributed.value(QStringLiteral("ranksOnHost")).toInt(1));
                spec.resources.cpus = std::max(1, QThread::idealThreadCount() / perHost);
            }
        }
        // A rank's threads: as the launcher or Slurm says, unless the spec fixes them.
        if (place && spec.resources.cpus == 0) {
            const int threads = qEnvironmentVariable("CAIRN_THREADS", qEnvironmentVariable("SLURM_CPUS_PER_TASK")).toInt();
            spec.resources.cpus = threads > 0 ? threads : 1;
        }
    } catch (const Error &e) {
        const QByteArray line = JobEvent::status(QStringLiteral("failed"), e.message()).toLine();
        std::fwrite(line.constData(), 1, size_t(line.size()), events);
        std::fflush(events);
        throw;
    }
    // Lives until the process exits: the stdin thread and the signal handler may use it to the end.
    auto *context = new WorkerContext(spec, events);
    g_context = context;
    struct sigaction sa = {};
    sa.sa_handler = onTerminate;
    sigemptyset(&sa.sa_mask);
    ::sigaction(SIGTERM, &sa, nullptr);
    ::sigaction(SIGINT, &sa, nullptr);
    std::signal(SIGPIPE, SIG_IGN);
    if (detached) {
        // Its events go to a file that a later supervisor reads: the worker outlives this one.
        std::thread([context, controlFile] {
            qint64 pos = 0;
            QByteArray partial;
            while (!controlFile.isEmpty()) {
                QFile f(controlFile);
                if (f.open(QIODevice::ReadOnly) && f.size() > pos && f.seek(pos)) {
                    const QByteArray more = f.readAll();
                    pos += more.size();
                    partial += more;
                    qsizetype nl;
                    while ((nl = partial.indexOf('\n')) >= 0) {
                        const QByteArray line = partial.left(nl);
                        partial.remove(0, nl + 1);
                        if (!line.trimmed().isEmpty() && !context->handleControlLine(line))
                            context->log(QStringLiteral("ignored control line: %1").arg(QString::fromUtf8(line.left(200))), LogLevel::Warning);
                    }
                }
                std::this_thread::sleep_for(std::chrono::milliseconds(200));
            }
        }).detach();
    } else {
        // The worker ends with its supervisor (Linux): without it nobody records the job.
        ::prctl(PR_SET_PDEATHSIG, SIGTERM);
        if (::getppid() == 1)
            context->requestStop();
        std::thread([context] {
            std::string line;
            while (std::getline(std::cin, line)) {
                if (!context->handleControlLine(QByteArrayView(line.data(), qsizetype(line.size()))))
                    context->log(QStringLiteral("ignored control line: %1").arg(QString::fromStdString(line).left(200)), LogLevel::Warning);
            }
        }).detach();
    }

    context->emitEvent(JobEvent::status(QStringLiteral("running")));
    if (!place && spec.resources.worldSize() > 1) {
        // The job's ranks run as processes of this machine, started and watched from here.
        DistributedLauncher::Options o;
        o.program = QCoreApplication::applicationFilePath();
        o.arguments = {QStringLiteral("worker"), QStringLiteral("--spec"), QFileInfo(specPath).absoluteFilePath()};
        o.jobDir = QFileInfo(specPath).absolutePath();
        o.worldSize = spec.resources.worldSize();
        o.threadsPerRank = spec.resources.cpus > 0 ? spec.resources.cpus : std::max(1, context->cpuCount() / o.worldSize);
        if (!spec.resources.hosts.isEmpty()) {
            // One instance per host, started from here; this machine's ranks share its cores.
            o.specPath = QFileInfo(specPath).absoluteFilePath();
            o.processesPerHost = spec.resources.processesPerInstance;
            if (spec.resources.cpus == 0)
                o.threadsPerRank = std::max(1, context->cpuCount() / o.processesPerHost);
            try {
                const remote::HostStore store;
                for (const QString &name : spec.resources.hosts) {
                    const remote::Host h = store.host(name);
                    if (h.isSlurm())
                        throw Error(QStringLiteral("host '%1' is a Slurm cluster: run the job on it with --host %1 --instances N instead of in a list of hosts").arg(name));
                    o.hosts << h;
                }
            } catch (const Error &e) {
                context->emitEvent(JobEvent::status(QStringLiteral("failed"), e.message()));
                std::fflush(events);
                return 1;
            }
        }
        const int code = DistributedLauncher(o, *context).run();
        std::fflush(events);
        return code;
    }
    context->log(QStringLiteral("worker pid %1 on %2 cpu(s); output in %3").arg(::getpid()).arg(context->cpuCount()).arg(spec.outputDir));
    try {
        context->checkResources();
        PluginManager plugins;
        AlgorithmPlugin *plugin = plugins.pluginFor(spec.algorithm);
        std::unique_ptr<Trainer> trainer = plugin->createTrainer(spec.algorithm, spec);
        trainer->run(*context);
    } catch (const Error &e) {
        // Said once, in the status event; the supervisor reports it.
        context->emitEvent(JobEvent::status(QStringLiteral("failed"), withoutBacktrace(e.message())));
        std::fflush(events);
        return 1;
    } catch (const std::exception &e) {
        const QString what = withoutBacktrace(QString::fromLocal8Bit(e.what()));
        context->emitEvent(JobEvent::status(QStringLiteral("failed"), QStringLiteral("internal error: %1").arg(what)));
        std::fflush(events);
        return 1;
    }
    if (context->stopRequested())
        context->emitEvent(JobEvent::status(QStringLiteral("stopped"), QStringLiteral("stopped on request; the model so far was saved")));
    else
        context->emitEvent(JobEvent::status(QStringLiteral("finished")));
    std::fflush(events);
    return 0;
}

} // namespace cairn::cli
