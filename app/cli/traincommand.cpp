// `cairn train ...`: builds a job spec, runs it through the job manager, prints progress.
#include "jobspecoptions.h"
#include "trainingcommands.h"

#include "cairn/algorithms/pluginmanager.h"
#include "cairn/debugger/rule.h"
#include "cairn/debugger/tensorstore.h"
#include "cairn/jobs/jobmanager.h"
#include "cairn/store/experimentstore.h"
#include "cairn/util/process.h"

#include <QCoreApplication>
#include <QDeadlineTimer>
#include <QDir>
#include <QElapsedTimer>
#include <QFileInfo>
#include <QJsonArray>
#include <QProcess>
#include <QThread>
#include <QTimer>

#include <algorithm>
#include <csignal>

namespace cairn::cli {

namespace {

volatile std::sig_atomic_t g_interrupts = 0;
extern "C" void onInterrupt(int)
{
    g_interrupts = g_interrupts + 1;
}

void printSummary(Context &c, const QString &runUuid)
{
    ExperimentStore &store = c.workspace().store();
    const Run run = store.run(runUuid);
    QList<QStringList> rows{{QStringLiteral("METRIC"), QStringLiteral("LAST"), QStringLiteral("STEP")}};
    for (const MetricSummary &m : store.metricSummaries(run.id)) {
        // Per-step curves are in the store; the summary shows the final (validation) numbers.
        if (m.key.startsWith(QLatin1String("importance.")))
            continue;
        rows << QStringList{m.key, QString::number(m.last, 'g', 6), QString::number(m.lastStep)};
    }
    if (rows.size() > 1)
        printAligned(c.out, rows);
}

} // namespace

int runTrainCommand(Context &c, const QString &verb)
{
    if (!verb.isEmpty())
        throw UsageError(QStringLiteral("unexpected argument '%1' (see cairn train --help)").arg(verb));
    QCommandLineParser parser;
    addJobSpecOptions(parser);
    parser.addOption({QStringLiteral("detach"), QStringLiteral("Start the job in the background and return (follow it with cairn jobs logs -f).")});
    parser.addOption({{QStringLiteral("q"), QStringLiteral("quiet")}, QStringLiteral("Print only the result.")});
    if (!c.parse(parser, QStringLiteral("cairn train --algorithm ID --train PATH [--validation PATH] --target COL [--hp key=value ...]\n"
                                        "            [--experiment NAME] [--run-name NAME] [--cpus N] [--detach]\n"
                                        "Trains a model as a job: the worker runs in its own process and its metrics go to a run.")))
        return 0;
    if (!parser.positionalArguments().isEmpty())
        throw UsageError(QStringLiteral("unexpected argument '%1'").arg(parser.positionalArguments().first()));
    PluginManager plugins;
    JobSpec spec = jobSpecFromOptions(parser, plugins, QStringLiteral("cairn train"));
    const bool quiet = parser.isSet(QStringLiteral("quiet"));

    Workspace &ws = c.workspace();
    if (parser.isSet(QStringLiteral("detach"))) {
        const QString id = JobManager::prepareJob(ws, spec);
        qint64 pid = 0;
        const bool ok = QProcess::startDetached(QCoreApplication::applicationFilePath(),
                                                {QStringLiteral("jobs"), QStringLiteral("supervise"), id, QStringLiteral("--workspace"), ws.path()},
                                                ws.path(), &pid);
        if (!ok)
            throw Error(QStringLiteral("cannot start the background supervisor for job %1").arg(id));
        // Return once the supervisor has taken the job: until then the record names this
        // process, and a reader that saw it gone would mark the job lost.
        const QString dir = JobRecord::dirOf(ws.path(), id);
        QDeadlineTimer deadline(60000);
        while (JobRecord::load(dir).managerPid != pid) {
            if (!processExists(pid) || deadline.hasExpired())
                throw Error(QStringLiteral("the background supervisor of job %1 did not start it (see %2)")
                                .arg(id, QDir(dir).filePath(QStringLiteral("job.log"))));
            QThread::msleep(20);
        }
        c.out << id << "\n";
        if (!quiet)
            c.err << "cairn: job " << id << " started in the background; follow it with: cairn jobs logs -f " << id << "\n";
        c.out.flush();
        c.err.flush();
        return 0;
    }

    JobManager manager(ws);
    manager.recoverLostRuns();
    QString jobId;
    QString runUuid;
    JobState finalState = JobState::Failed;
    QString finalMessage;
    QElapsedTimer lastProgress;
    QString lastMessage;
    QObject::connect(&manager, &JobManager::jobLogLine, [&](const QString &, const QString &line) {
        // The job's state and its reason are said once, at the end; the log keeps every line.
        static const QStringList said{QStringLiteral("[cairn] starting"), QStringLiteral("[cairn] job "), QStringLiteral("status: ")};
        if (quiet || std::any_of(said.begin(), said.end(), [&](const QString &p) { return line.startsWith(p); }))
            return;
        c.err << line << "\n", c.err.flush();
    });
    QObject::connect(&manager, &JobManager::jobProgress, [&](const QString &, double fraction, const QString &message) {
        if (quiet || message == lastMessage || (lastProgress.isValid() && lastProgress.elapsed() < 1000 && fraction < 1))
            return;
        lastMessage = message;
        lastProgress.restart();
        c.err << QStringLiteral("[%1%] ").arg(int(fraction * 100), 3) << message << "\n";
        c.err.flush();
    });
    QObject::connect(&manager, &JobManager::jobFinished, [&](const QString &, JobState state, const QString &message) {
        finalState = state;
        finalMessage = message;
    });
    QObject::connect(&manager, &JobManager::idle, QCoreApplication::instance(), &QCoreApplication::quit, Qt::QueuedConnection);

    struct sigaction sa = {};
    sa.sa_handler = onInterrupt;
    sigemptyset(&sa.sa_mask);
    ::sigaction(SIGINT, &sa, nullptr);
    ::sigaction(SIGTERM, &sa, nullptr);
    int handled = 0;
    QTimer interruptPoll;
    QObject::connect(&interruptPoll, &QTimer::timeout, [&] {
        if (g_interrupts > handled) {
            handled = g_interrupts;
            if (!quiet)
                c.err << "cairn: stopping the job (Ctrl-C again to stop harder)\n", c.err.flush();
            manager.stop(jobId, QStringLiteral("interrupted"));
        }
    });
    interruptPoll.start(100);

    jobId = manager.submit(spec);
    runUuid = manager.job(jobId).runUuid;
    if (!quiet)
        c.err << "cairn: job " << jobId << ", run " << runUuid << "\n", c.err.flush();
    QCoreApplication::exec();
    interruptPoll.stop();

    c.out << "run " << runUuid << ": " << jobStateName(finalState) << "\n";
    printSummary(c, runUuid);
    if (!spec.debugger.rules.isEmpty()) {
        // Each rule's verdict, as `cairn debug rules` and the Debugger panel show it.
        const QList<debugger::RuleResult> verdicts = debugger::TensorStore(ws.store()).ruleResults(ws.store().run(runUuid).id);
        if (!verdicts.isEmpty()) {
            c.out << "debugger rules:\n";
            printRuleResults(c.out, verdicts);
        }
    }
    const QString model = QDir(ws.artifactDir(runUuid)).filePath(QStringLiteral("model"));
    if (QFileInfo::exists(QDir(model).filePath(QStringLiteral("model.json"))))
        c.out << "model: " << model << "\n";
    c.out.flush();
    if (finalState == JobState::Finished)
        return 0;
    if (finalState == JobState::Stopped)
        return 130;
    throw Error(QStringLiteral("job %1 failed: %2 (see cairn jobs logs %1)").arg(jobId, finalMessage));
}

} // namespace cairn::cli
