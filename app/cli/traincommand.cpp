// `cairn train ...`: builds a job spec, runs it through the job manager, prints progress.
#include "trainingcommands.h"

#include "cairn/algorithms/pluginmanager.h"
#include "cairn/jobs/jobmanager.h"
#include "cairn/store/experimentstore.h"

#include <QCoreApplication>
#include <QDir>
#include <QElapsedTimer>
#include <QFileInfo>
#include <QJsonArray>
#include <QProcess>
#include <QTimer>

#include <csignal>

namespace cairn::cli {

namespace {

volatile std::sig_atomic_t g_interrupts = 0;
extern "C" void onInterrupt(int)
{
    g_interrupts = g_interrupts + 1;
}

data::ChannelSpec channelFor(const QString &path, const QString &labels, const QString &what)
{
    const QFileInfo info(path);
    if (!info.exists())
        throw UsageError(QStringLiteral("%1 %2 does not exist").arg(what, path));
    data::ChannelSpec c;
    c.path = info.absoluteFilePath();
    c.type = data::ChannelSpec::guessType(c.path);
    if (!labels.isEmpty()) {
        if (!QFileInfo::exists(labels))
            throw UsageError(QStringLiteral("labels file %1 does not exist").arg(labels));
        c.labelsPath = QFileInfo(labels).absoluteFilePath();
    }
    if (c.type == data::ChannelSpec::Type::Idx && c.labelsPath.isEmpty()) {
        // The usual MNIST naming: xxx-images-idx3-ubyte.gz goes with xxx-labels-idx1-ubyte.gz.
        QString guess = c.path;
        guess.replace(QStringLiteral("-images-idx3-"), QStringLiteral("-labels-idx1-"));
        if (guess != c.path && QFileInfo::exists(guess))
            c.labelsPath = guess;
    }
    return c;
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
    parser.addOption({{QStringLiteral("a"), QStringLiteral("algorithm")}, QStringLiteral("Algorithm id (cairn algorithms list)."), QStringLiteral("ID")});
    parser.addOption({QStringLiteral("train"), QStringLiteral("Training data: CSV, IDX images, image folder or manifest."), QStringLiteral("PATH")});
    parser.addOption({QStringLiteral("train-labels"), QStringLiteral("IDX labels for --train (guessed from the MNIST naming)."), QStringLiteral("PATH")});
    parser.addOption({QStringLiteral("validation"), QStringLiteral("Validation data (default: a seeded split of --train)."), QStringLiteral("PATH")});
    parser.addOption({QStringLiteral("validation-labels"), QStringLiteral("IDX labels for --validation."), QStringLiteral("PATH")});
    parser.addOption({QStringLiteral("test"), QStringLiteral("Test data, scored once after training."), QStringLiteral("PATH")});
    parser.addOption({QStringLiteral("test-labels"), QStringLiteral("IDX labels for --test."), QStringLiteral("PATH")});
    parser.addOption({{QStringLiteral("t"), QStringLiteral("target")}, QStringLiteral("The column to predict (tables)."), QStringLiteral("COL")});
    parser.addOption({QStringLiteral("task"), QStringLiteral("binary, multiclass, regression or clustering (default: inferred)."), QStringLiteral("TASK")});
    parser.addOption({QStringLiteral("hp"), QStringLiteral("A hyperparameter, key=value; may repeat."), QStringLiteral("KEY=VALUE")});
    parser.addOption({{QStringLiteral("e"), QStringLiteral("experiment")}, QStringLiteral("Experiment name (created if new; default: Default)."), QStringLiteral("NAME")});
    parser.addOption({QStringLiteral("run-name"), QStringLiteral("Name of the run."), QStringLiteral("NAME")});
    parser.addOption({QStringLiteral("cpus"), QStringLiteral("CPU threads for the job (default: all)."), QStringLiteral("N")});
    parser.addOption({QStringLiteral("seed"), QStringLiteral("Seed for the split and the learner (default 42)."), QStringLiteral("N")});
    parser.addOption({QStringLiteral("validation-fraction"), QStringLiteral("Share held out when there is no --validation (default 0.2)."), QStringLiteral("F")});
    parser.addOption({QStringLiteral("max-runtime"), QStringLiteral("Stop the job after this many seconds."), QStringLiteral("S")});
    parser.addOption({QStringLiteral("detach"), QStringLiteral("Start the job in the background and return (follow it with cairn jobs logs -f).")});
    parser.addOption({{QStringLiteral("q"), QStringLiteral("quiet")}, QStringLiteral("Print only the result.")});
    if (!c.parse(parser, QStringLiteral("cairn train --algorithm ID --train PATH [--validation PATH] --target COL [--hp key=value ...]\n"
                                        "            [--experiment NAME] [--run-name NAME] [--cpus N] [--detach]\n"
                                        "Trains a model as a job: the worker runs in its own process and its metrics go to a run.")))
        return 0;
    if (!parser.positionalArguments().isEmpty())
        throw UsageError(QStringLiteral("unexpected argument '%1'").arg(parser.positionalArguments().first()));
    if (!parser.isSet(QStringLiteral("algorithm")))
        throw UsageError(QStringLiteral("cairn train needs --algorithm ID (see cairn algorithms list)"));
    if (!parser.isSet(QStringLiteral("train")))
        throw UsageError(QStringLiteral("cairn train needs --train PATH"));

    JobSpec spec;
    spec.algorithm = parser.value(QStringLiteral("algorithm"));
    PluginManager plugins;
    const AlgorithmInfo info = plugins.algorithm(spec.algorithm);
    try {
        spec.hyperparameters = info.schema.resolve(info.schema.parseAssignments(parser.values(QStringLiteral("hp"))));
    } catch (const UsageError &) {
        throw;
    } catch (const Error &e) {
        throw UsageError(QStringLiteral("bad --hp: %1").arg(e.message()));
    }
    spec.channels.insert(QStringLiteral("train"), channelFor(parser.value(QStringLiteral("train")), parser.value(QStringLiteral("train-labels")), QStringLiteral("training data")));
    if (parser.isSet(QStringLiteral("validation")))
        spec.channels.insert(QStringLiteral("validation"), channelFor(parser.value(QStringLiteral("validation")), parser.value(QStringLiteral("validation-labels")), QStringLiteral("validation data")));
    if (parser.isSet(QStringLiteral("test")))
        spec.channels.insert(QStringLiteral("test"), channelFor(parser.value(QStringLiteral("test")), parser.value(QStringLiteral("test-labels")), QStringLiteral("test data")));
    spec.target = parser.value(QStringLiteral("target"));
    spec.task = parser.value(QStringLiteral("task"));
    if (!spec.task.isEmpty() && !taskFromName(spec.task))
        throw UsageError(QStringLiteral("unknown --task '%1' (use binary, multiclass, regression or clustering)").arg(spec.task));
    const bool clustering = spec.task == QLatin1String("clustering") || (info.tasks.size() == 1 && info.tasks.first() == Task::Clustering);
    if (info.input == QLatin1String("tabular") && spec.target.isEmpty() && !clustering)
        throw UsageError(QStringLiteral("cairn train needs --target COL: the column to predict"));
    auto intOption = [&](const QString &name, int min) {
        bool ok = false;
        const int v = parser.value(name).toInt(&ok);
        if (!ok || v < min)
            throw UsageError(QStringLiteral("--%1 needs a whole number ≥ %2, not '%3'").arg(name).arg(min).arg(parser.value(name)));
        return v;
    };
    if (parser.isSet(QStringLiteral("cpus")))
        spec.resources.cpus = intOption(QStringLiteral("cpus"), 1);
    if (parser.isSet(QStringLiteral("seed")))
        spec.seed = quint64(intOption(QStringLiteral("seed"), 0));
    if (parser.isSet(QStringLiteral("max-runtime")))
        spec.stopping.maxRuntimeSeconds = intOption(QStringLiteral("max-runtime"), 1);
    if (parser.isSet(QStringLiteral("validation-fraction"))) {
        bool ok = false;
        spec.validationFraction = parser.value(QStringLiteral("validation-fraction")).toDouble(&ok);
        if (!ok || spec.validationFraction < 0 || spec.validationFraction >= 1)
            throw UsageError(QStringLiteral("--validation-fraction must be in [0, 1)"));
    }
    spec.experiment = parser.value(QStringLiteral("experiment"));
    spec.runName = parser.value(QStringLiteral("run-name"));
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
        if (!quiet && !line.startsWith(QLatin1String("[cairn] starting")))
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
