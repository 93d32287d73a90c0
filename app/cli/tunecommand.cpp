// `cairn tune ...`: a hyperparameter tuning job; trials are training jobs run by the job manager.
#include "jobspecoptions.h"
#include "trainingcommands.h"

#include "cairn/jobs/jobmanager.h"
#include "cairn/store/experimentstore.h"
#include "cairn/store/runexport.h"
#include "cairn/tuning/strategy.h"
#include "cairn/tuning/tuningjob.h"

#include <QCoreApplication>
#include <QTimer>

#include <csignal>

namespace cairn::cli {

namespace {

volatile std::sig_atomic_t g_tuneInterrupts = 0;
extern "C" void onTuneInterrupt(int)
{
    g_tuneInterrupts = g_tuneInterrupts + 1;
}

// Metrics where higher is better; anything that reads as a loss or an error is minimised.
std::optional<bool> higherIsBetter(const QString &objective)
{
    const QString name = objective.section(QLatin1Char('.'), -1).toLower();
    for (const char *up : {"auc", "accuracy", "f1", "precision", "recall", "r2", "balanced_accuracy", "purity", "map", "ndcg"})
        if (name == QLatin1String(up) || name.startsWith(QLatin1String(up) + QLatin1Char('_')))
            return true;
    for (const char *down : {"loss", "logloss", "error", "rmse", "mse", "mae", "inertia", "merror", "mlogloss"})
        if (name.contains(QLatin1String(down)))
            return false;
    return std::nullopt;
}

QString paramsText(const QJsonObject &params)
{
    QStringList parts;
    for (auto it = params.constBegin(); it != params.constEnd(); ++it) {
        const QJsonValue v = it.value();
        parts << QStringLiteral("%1=%2").arg(it.key(), v.isDouble() ? QString::number(v.toDouble(), 'g', 4) : v.toVariant().toString());
    }
    return parts.join(QLatin1Char(' '));
}

} // namespace

int runTuneCommand(Context &c, const QString &verb)
{
    if (!verb.isEmpty())
        throw UsageError(QStringLiteral("unexpected argument '%1' (see cairn tune --help)").arg(verb));
    QCommandLineParser parser;
    addJobSpecOptions(parser, false);
    parser.addOption({QStringLiteral("objective"), QStringLiteral("Metric to optimise, e.g. validation:auc or validation.rmse."), QStringLiteral("METRIC")});
    parser.addOption({QStringLiteral("maximize"), QStringLiteral("Higher is better (default for auc, accuracy, f1, r2…).")});
    parser.addOption({QStringLiteral("minimize"), QStringLiteral("Lower is better (default for losses and errors).")});
    parser.addOption({QStringLiteral("strategy"), QStringLiteral("bayesian (default), random or grid."), QStringLiteral("NAME")});
    parser.addOption({QStringLiteral("max-trials"), QStringLiteral("Number of trials (default 20)."), QStringLiteral("N")});
    parser.addOption({QStringLiteral("parallel"), QStringLiteral("Trials at the same time (default 2)."), QStringLiteral("K")});
    parser.addOption({QStringLiteral("hosts"), QStringLiteral("Spread the trials over these hosts, comma-separated (e.g. local,gpu1; cairn hosts list)."), QStringLiteral("LIST")});
    parser.addOption({QStringLiteral("range"), QStringLiteral("A tuned parameter: name=low:high[:log|:int] or name=a,b,c; may repeat."), QStringLiteral("RANGE")});
    parser.addOption({QStringLiteral("early-stopping"), QStringLiteral("Stop trials whose objective curve is worse than the median (the median rule).")});
    parser.addOption({QStringLiteral("warm-start"), QStringLiteral("An earlier tuning run whose trials seed the search; may repeat."), QStringLiteral("RUN")});
    parser.addOption({QStringLiteral("tuning-seed"), QStringLiteral("Seed of the search strategy (default 1)."), QStringLiteral("N")});
    parser.addOption({QStringLiteral("name"), QStringLiteral("Name of the tuning run."), QStringLiteral("NAME")});
    parser.addOption({{QStringLiteral("q"), QStringLiteral("quiet")}, QStringLiteral("Print only the result.")});
    if (!c.parse(parser, QStringLiteral(
            "cairn tune --algorithm ID --train PATH --target COL --objective validation:auc [--maximize|--minimize]\n"
            "           --range eta=0.01:0.3:log --range max_depth=3:10:int [--strategy bayesian|random|grid]\n"
            "           [--max-trials N] [--parallel K] [--hosts local,gpu1] [--early-stopping] [--warm-start RUN] [--hp fixed=value ...]\n"
            "Tunes hyperparameters: every trial is a training job whose run is a child of the tuning run.")))
        return 0;
    if (!parser.positionalArguments().isEmpty())
        throw UsageError(QStringLiteral("unexpected argument '%1'").arg(parser.positionalArguments().first()));

    PluginManager plugins;
    tuning::TuningSpec spec;
    spec.base = jobSpecFromOptions(parser, plugins, QStringLiteral("cairn tune"), false);
    const AlgorithmInfo info = plugins.algorithm(spec.base.algorithm);
    if (parser.values(QStringLiteral("range")).isEmpty())
        throw UsageError(QStringLiteral("cairn tune needs at least one --range, e.g. --range %1").arg(
            info.schema.parameters().isEmpty() ? QStringLiteral("name=low:high") : info.schema.parameters().first().name + QStringLiteral("=…")));
    try {
        spec.space = tuning::SearchSpace::fromRanges(info.schema, parser.values(QStringLiteral("range")));
    } catch (const Error &e) {
        throw UsageError(e.message());
    }
    if (!parser.isSet(QStringLiteral("objective")))
        throw UsageError(QStringLiteral("cairn tune needs --objective METRIC, e.g. validation:auc"));
    spec.objective = tuning::TuningSpec::normaliseObjective(parser.value(QStringLiteral("objective")));
    if (parser.isSet(QStringLiteral("maximize")) && parser.isSet(QStringLiteral("minimize")))
        throw UsageError(QStringLiteral("give --maximize or --minimize, not both"));
    if (parser.isSet(QStringLiteral("maximize")) || parser.isSet(QStringLiteral("minimize")))
        spec.maximize = parser.isSet(QStringLiteral("maximize"));
    else if (const auto up = higherIsBetter(spec.objective))
        spec.maximize = *up;
    else
        throw UsageError(QStringLiteral("is a higher %1 better? Say --maximize or --minimize").arg(spec.objective));
    spec.strategy = parser.value(QStringLiteral("strategy")).isEmpty() ? QStringLiteral("bayesian") : parser.value(QStringLiteral("strategy")).toLower();
    if (!tuning::Strategy::names().contains(spec.strategy))
        throw UsageError(QStringLiteral("unknown --strategy '%1': use bayesian, random or grid").arg(spec.strategy));
    if (parser.isSet(QStringLiteral("max-trials")))
        spec.maxTrials = intOption(parser, QStringLiteral("max-trials"), 1);
    if (parser.isSet(QStringLiteral("parallel")))
        spec.maxParallel = intOption(parser, QStringLiteral("parallel"), 1);
    if (parser.isSet(QStringLiteral("tuning-seed")))
        spec.seed = quint64(intOption(parser, QStringLiteral("tuning-seed"), 0));
    spec.earlyStopping = parser.isSet(QStringLiteral("early-stopping"));
    spec.hosts = spreadHostsOption(parser);
    spec.name = parser.value(QStringLiteral("name"));
    Workspace &ws = c.workspace();
    for (const QString &previous : parser.values(QStringLiteral("warm-start")))
        spec.warmStartFrom << ws.store().run(previous).uuid;
    const bool quiet = parser.isSet(QStringLiteral("quiet"));

    JobManager manager(ws);
    manager.recoverLostRuns();
    manager.setMaxConcurrentJobs(spec.maxParallel);
    tuning::TuningJob job(ws, manager, spec);
    QObject::connect(&job, &tuning::TuningJob::trialFinished, [&](const tuning::Trial &t) {
        if (quiet)
            return;
        const bool isBest = job.best() && job.best()->index == t.index;
        c.err << QStringLiteral("trial %1/%2  %3  %4  %5%6\n")
                     .arg(t.index, 2)
                     .arg(t.host.isEmpty() ? QString::number(spec.maxTrials) : QStringLiteral("%1  on %2").arg(spec.maxTrials).arg(t.host))
                     .arg(t.earlyStopped ? QStringLiteral("STOPPED EARLY") : jobStateName(t.state).toUpper(), -13)
                     .arg(std::isfinite(t.objective) ? QStringLiteral("%1=%2").arg(spec.objective, QString::number(t.objective, 'g', 6))
                                                     : QStringLiteral("(no %1)").arg(spec.objective))
                     .arg(paramsText(t.params))
                     .arg(isBest ? QStringLiteral("  ← best so far") : QString());
        if (t.state == JobState::Failed && !t.message.isEmpty())
            c.err << "          " << t.message.left(200) << "\n";
        c.err.flush();
    });
    QObject::connect(&job, &tuning::TuningJob::hostDropped, [&](const QString &host, const QString &message) {
        c.err << QStringLiteral("cairn: host '%1' cannot run trials%2: %3\n")
                     .arg(host, job.failure().isEmpty() ? QStringLiteral(", its trials go to the other hosts") : QString(), message);
        c.err.flush();
    });
    QObject::connect(&job, &tuning::TuningJob::finished, QCoreApplication::instance(), &QCoreApplication::quit, Qt::QueuedConnection);

    struct sigaction sa = {};
    sa.sa_handler = onTuneInterrupt;
    sigemptyset(&sa.sa_mask);
    ::sigaction(SIGINT, &sa, nullptr);
    ::sigaction(SIGTERM, &sa, nullptr);
    QTimer interruptPoll;
    QObject::connect(&interruptPoll, &QTimer::timeout, [&] {
        if (g_tuneInterrupts > 0 && !job.isFinished()) {
            g_tuneInterrupts = 0;
            if (!quiet)
                c.err << "cairn: stopping the tuning job\n", c.err.flush();
            job.stop();
        }
    });
    interruptPoll.start(100);

    job.start();
    if (!quiet)
        c.err << "cairn: tuning run " << job.runUuid() << " (" << spec.strategy << ", " << spec.maxTrials << " trials, "
              << spec.maxParallel << " at a time" << (spec.hosts.isEmpty() ? QString() : QStringLiteral(" over ") + spec.hosts.join(QLatin1Char(','))) << ")\n", c.err.flush();
    if (!job.isFinished())
        QCoreApplication::exec();
    interruptPoll.stop();

    if (!job.failure().isEmpty())
        throw Error(job.failure());
    int finished = 0, failed = 0;
    for (const tuning::Trial &t : job.trials())
        (t.state == JobState::Finished ? finished : failed) += 1;
    c.out << "tuning run " << job.runUuid() << ": " << finished << " trials finished, " << failed << " failed or stopped\n";
    if (const tuning::Trial *best = job.best()) {
        c.out << "best trial " << best->index << ": " << spec.objective << " = " << formatMetricValue(best->objective) << "\n"
              << "best run " << best->runUuid << "\n"
              << "best params " << paramsText(best->params) << "\n";
        c.out.flush();
        return 0;
    }
    c.out.flush();
    throw Error(QStringLiteral("no trial produced %1 (see cairn runs list --filter \"parent_run_id = '%2'\")").arg(spec.objective, job.runUuid()));
}

} // namespace cairn::cli
