// `cairn automl --train data.csv --target COL ...`: automatic machine learning on a table; the
// candidates are training jobs run by the job manager, the leaderboard is printed at the end.
#include "jobspecoptions.h"
#include "trainingcommands.h"

#include "cairn/automl/automljob.h"
#include "cairn/jobs/jobmanager.h"
#include "cairn/remote/host.h"
#include "cairn/jobs/jobspeccheck.h"
#include "cairn/store/runexport.h"

#include <QCoreApplication>
#include <QFileInfo>
#include <QJsonArray>
#include <QTimer>

#include <cmath>
#include <csignal>

namespace cairn::cli {

namespace {

volatile std::sig_atomic_t g_automlInterrupts = 0;
extern "C" void onAutomlInterrupt(int)
{
    g_automlInterrupts = g_automlInterrupts + 1;
}

QString metricText(double v)
{
    return std::isfinite(v) ? QString::number(v, 'f', 4) : QStringLiteral("-");
}

QString paramsText(const QJsonObject &params)
{
    QStringList parts;
    for (auto it = params.constBegin(); it != params.constEnd(); ++it) {
        const QJsonValue v = it.value();
        parts << QStringLiteral("%1=%2").arg(it.key(), v.isDouble() ? QString::number(v.toDouble(), 'g', 3) : v.toVariant().toString());
    }
    return parts.isEmpty() ? QStringLiteral("defaults") : parts.join(QLatin1Char(' '));
}

QString candidateLabel(const automl::Candidate &c)
{
    return c.name();
}

} // namespace

int runAutoMLCommand(Context &c, const QString &verb)
{
    if (!verb.isEmpty())
        throw UsageError(QStringLiteral("unexpected argument '%1' (see cairn automl --help)").arg(verb));
    QCommandLineParser parser;
    parser.addOption({QStringLiteral("train"), QStringLiteral("Training data (CSV with a header row)."), QStringLiteral("CSV")});
    parser.addOption({QStringLiteral("target"), QStringLiteral("The column to predict."), QStringLiteral("COL")});
    parser.addOption({QStringLiteral("problem-type"), QStringLiteral("auto (default), binary, multiclass or regression."), QStringLiteral("TYPE")});
    parser.addOption({QStringLiteral("metric"), QStringLiteral("Objective: auto (default: f1, accuracy or mse), or auc, accuracy, balanced_accuracy, "
                                                               "precision, recall, f1, f1_macro, log_loss, mse, rmse, mae, r2."), QStringLiteral("NAME")});
    parser.addOption({QStringLiteral("time-limit"), QStringLiteral("Budget in seconds (default 600)."), QStringLiteral("SECONDS")});
    parser.addOption({QStringLiteral("max-candidates"), QStringLiteral("Stop after this many candidates (default: as many as the time allows)."), QStringLiteral("N")});
    parser.addOption({QStringLiteral("experiment"), QStringLiteral("Experiment of the AutoML run (default: Default)."), QStringLiteral("NAME")});
    parser.addOption({QStringLiteral("name"), QStringLiteral("Name of the AutoML run (default: automl-<file name>)."), QStringLiteral("NAME")});
    parser.addOption({QStringLiteral("algorithms"), QStringLiteral("Only these algorithms, comma-separated (default: every tabular one)."), QStringLiteral("A,B")});
    parser.addOption({QStringLiteral("no-ensemble"), QStringLiteral("Do not combine the best candidates (no ensemble, no stack).")});
    parser.addOption({QStringLiteral("cpus"), QStringLiteral("Training jobs at the same time (default: the machine's cores)."), QStringLiteral("N")});
    parser.addOption({QStringLiteral("seed"), QStringLiteral("Seed of the folds and the search (default 42)."), QStringLiteral("N")});
    parser.addOption({QStringLiteral("host"), QStringLiteral("Train the candidates on this host (cairn hosts list; default: local)."), QStringLiteral("NAME")});
    parser.addOption({QStringLiteral("hosts"), QStringLiteral("Spread the candidates over these hosts, comma-separated (e.g. local,gpu1; cairn hosts list)."), QStringLiteral("LIST")});
    parser.addOption({{QStringLiteral("q"), QStringLiteral("quiet")}, QStringLiteral("Print only the result.")});
    parser.addOption(formatOption());
    if (!c.parse(parser, QStringLiteral(
            "cairn automl --train data.csv --target COL [--problem-type auto|binary|multiclass|regression]\n"
            "             [--metric auto|NAME] [--time-limit SECONDS] [--max-candidates N] [--experiment NAME]\n"
            "             [--algorithms a,b] [--no-ensemble] [--cpus N] [--seed N] [--host NAME | --hosts local,gpu1]\n"
            "             [--format table|json]\n"
            "Profiles the table, tunes every applicable algorithm within the time limit, validates by k-fold\n"
            "or hold-out by data size, optionally ensembles the best, and saves the best model in the AutoML\n"
            "run: `cairn predict --model <run>` applies it to raw rows.")))
        return 0;
    if (!parser.positionalArguments().isEmpty())
        throw UsageError(QStringLiteral("unexpected argument '%1'").arg(parser.positionalArguments().first()));
    if (!parser.isSet(QStringLiteral("train")) || !parser.isSet(QStringLiteral("target")))
        throw UsageError(QStringLiteral("cairn automl needs --train CSV and --target COL"));
    const Format format = c.format(parser);
    if (format == Format::Csv)
        throw UsageError(QStringLiteral("cairn automl prints a table or JSON (--format table|json)"));

    automl::AutoMLSpec spec;
    spec.trainPath = parser.value(QStringLiteral("train"));
    if (!QFileInfo(spec.trainPath).isFile())
        throw InputError(QStringLiteral("training data %1 does not exist").arg(spec.trainPath));
    spec.target = parser.value(QStringLiteral("target"));
    // The table and its target are checked before the AutoML run exists: a typo makes no run.
    data::ChannelSpec table;
    table.path = spec.trainPath;
    QStringList columns;
    try {
        columns = checkTableFile(table);
    } catch (const Error &e) {
        throw InputError(e.message());
    }
    if (!columns.contains(spec.target))
        throw InputError(unknownColumnMessage(spec.target, spec.trainPath, columns));
    if (parser.isSet(QStringLiteral("problem-type")))
        spec.problemType = parser.value(QStringLiteral("problem-type")).toLower();
    if (parser.isSet(QStringLiteral("metric")))
        spec.metric = parser.value(QStringLiteral("metric")).toLower();
    if (parser.isSet(QStringLiteral("time-limit")))
        spec.timeLimitSeconds = intOption(parser, QStringLiteral("time-limit"), 1);
    if (parser.isSet(QStringLiteral("max-candidates")))
        spec.maxCandidates = intOption(parser, QStringLiteral("max-candidates"), 1);
    if (parser.isSet(QStringLiteral("cpus")))
        spec.maxParallel = intOption(parser, QStringLiteral("cpus"), 1);
    if (parser.isSet(QStringLiteral("seed")))
        spec.seed = quint64(intOption(parser, QStringLiteral("seed"), 0));
    spec.experiment = parser.value(QStringLiteral("experiment"));
    spec.name = parser.value(QStringLiteral("name"));
    for (const QString &a : parser.value(QStringLiteral("algorithms")).split(QLatin1Char(','), Qt::SkipEmptyParts))
        spec.algorithms << a.trimmed();
    spec.ensemble = !parser.isSet(QStringLiteral("no-ensemble"));
    if (parser.isSet(QStringLiteral("host")))
        spec.host = remote::HostStore().host(parser.value(QStringLiteral("host"))).name; // an unknown name lists the known ones
    spec.hosts = spreadHostsOption(parser);
    const bool quiet = parser.isSet(QStringLiteral("quiet"));

    Workspace &ws = c.workspace();
    JobManager manager(ws);
    manager.recoverLostRuns();
    // At the time limit running folds must end quickly: the budget includes stopping them.
    manager.setStopGracePeriods(2000, 2000);
    automl::AutoMLJob job(ws, manager, spec);
    auto say = [&](const QString &line) {
        if (quiet)
            return;
        c.err << line << "\n";
        c.err.flush();
    };
    QObject::connect(&job, &automl::AutoMLJob::phaseChanged, [&](const QString &phase, const QString &message) {
        if (phase == QLatin1String("failed"))
            return; // printed once, as the error, below
        say(QStringLiteral("cairn: %1: %2").arg(phase, message));
    });
    QObject::connect(&job, &automl::AutoMLJob::profileReady, [&] {
        const automl::DataProfile &p = job.profile();
        QStringList dropped;
        for (const automl::ColumnProfile &col : p.columns)
            if (col.dropped)
                dropped << QStringLiteral("%1 (%2)").arg(col.name, col.reason.isEmpty() ? col.flag : col.reason);
        say(QStringLiteral("cairn: %1 rows, %2 columns; problem type %3, metric %4 (%5); %6")
                .arg(p.rows).arg(p.columns.size()).arg(taskName(p.task), job.metric(),
                                                       job.maximize() ? QStringLiteral("higher is better") : QStringLiteral("lower is better"),
                                                       job.validation() == QLatin1String("holdout") ? QStringLiteral("hold-out validation")
                                                       : job.repeats() > 1 ? QStringLiteral("%1-fold cross-validation repeated %2 times").arg(job.folds()).arg(job.repeats())
                                                                           : QStringLiteral("%1-fold cross-validation").arg(job.folds())));
        if (!dropped.isEmpty())
            say(QStringLiteral("cairn: dropped columns: %1").arg(dropped.join(QStringLiteral("; "))));
    });
    // With --hosts each line says where the candidate trained.
    auto where = [&](const automl::Candidate &cand) {
        return spec.hosts.isEmpty() || cand.host.isEmpty() ? QString() : QStringLiteral("  on %1").arg(cand.host);
    };
    QObject::connect(&job, &automl::AutoMLJob::candidateFinished, [&](const automl::Candidate &cand) {
        if (cand.state == QLatin1String("finished"))
            say(QStringLiteral("candidate %1  %2=%3  train %4 s  %5%6")
                    .arg(candidateLabel(cand), -14)
                    .arg(job.metric(), metricText(cand.objective))
                    .arg(cand.trainSeconds, 0, 'f', 1)
                    .arg(cand.preset.isEmpty() || cand.preset == QLatin1String("defaults") ? paramsText(cand.params)
                                                                                           : QStringLiteral("%1: %2").arg(cand.preset, paramsText(cand.params)),
                         where(cand)));
        else
            say(QStringLiteral("candidate %1  %2: %3%4").arg(candidateLabel(cand), -14).arg(cand.state.toUpper(), cand.message.left(200), where(cand)));
    });
    QObject::connect(&job, &automl::AutoMLJob::hostDropped, [&](const QString &host, const QString &text) {
        say(QStringLiteral("cairn: host '%1' cannot run candidates, they go to the other hosts: %2").arg(host, text));
    });
    bool ok = false;
    QString message;
    QObject::connect(&job, &automl::AutoMLJob::finished, [&](bool success, const QString &text) {
        ok = success;
        message = text;
        QCoreApplication::quit();
    });

    struct sigaction sa = {};
    sa.sa_handler = onAutomlInterrupt;
    sigemptyset(&sa.sa_mask);
    ::sigaction(SIGINT, &sa, nullptr);
    ::sigaction(SIGTERM, &sa, nullptr);
    QTimer interruptPoll;
    QObject::connect(&interruptPoll, &QTimer::timeout, [&] {
        if (g_automlInterrupts > 0 && !job.isFinished()) {
            g_automlInterrupts = 0;
            say(QStringLiteral("cairn: stopping the AutoML job"));
            job.stop();
        }
    });
    interruptPoll.start(100);

    try {
        job.start();
    } catch (const Error &e) {
        throw UsageError(e.message());
    }
    say(QStringLiteral("cairn: AutoML run %1 (time limit %2 s%3)")
            .arg(job.runUuid())
            .arg(spec.timeLimitSeconds)
            .arg((spec.maxCandidates > 0 ? QStringLiteral(", at most %1 candidates").arg(spec.maxCandidates) : QString())
                 + (spec.hosts.isEmpty() ? QString() : QStringLiteral(", over %1").arg(spec.hosts.join(QLatin1Char(','))))));
    if (!job.isFinished())
        QCoreApplication::exec();
    interruptPoll.stop();
    manager.flush();
    if (!ok)
        throw Error(message);
    if (!message.isEmpty())
        say(QStringLiteral("cairn: warning: %1").arg(message));

    const QList<automl::Candidate> board = job.leaderboard();
    if (format == Format::Json) {
        QJsonArray entries;
        for (const automl::Candidate &cand : board)
            entries.append(cand.toJson());
        QJsonArray importance;
        for (const FeatureImportance &f : job.importance())
            importance.append(QJsonObject{{QStringLiteral("feature"), f.feature}, {QStringLiteral("importance"), f.importance}, {QStringLiteral("stddev"), f.stddev}});
        c.printJson(QJsonObject{{QStringLiteral("run"), job.runUuid()},
                                {QStringLiteral("task"), taskName(job.profile().task)},
                                {QStringLiteral("metric"), job.metric()},
                                {QStringLiteral("validation"), job.validation()},
                                {QStringLiteral("folds"), job.folds()},
                                {QStringLiteral("repeats"), job.repeats()},
                                {QStringLiteral("best"), board.isEmpty() ? QJsonValue() : QJsonValue(board.first().toJson())},
                                {QStringLiteral("model"), job.modelDir()},
                                {QStringLiteral("notebooks"), QJsonArray::fromStringList(job.notebooks())},
                                {QStringLiteral("importance"), importance},
                                {QStringLiteral("leaderboard"), entries}});
        return 0;
    }

    const QStringList metrics = automl::metricsFor(job.profile().task);
    QList<QStringList> rows;
    QStringList header{QStringLiteral("RANK"), QStringLiteral("CANDIDATE"), QStringLiteral("ALGORITHM"), job.metric().toUpper() + QStringLiteral(" (OBJECTIVE)")};
    for (const QString &m : metrics)
        if (m != job.metric())
            header << m.toUpper();
    header << QStringLiteral("TRAIN S") << QStringLiteral("PREDICT µS/ROW");
    if (!spec.hosts.isEmpty())
        header << QStringLiteral("HOST");
    rows << header;
    int rank = 0;
    for (const automl::Candidate &cand : board) {
        const bool ranked = cand.state == QLatin1String("finished");
        QStringList row{ranked ? QString::number(++rank) : QStringLiteral("-"), candidateLabel(cand), cand.algorithm,
                        ranked ? metricText(cand.objective) : cand.state};
        for (const QString &m : metrics)
            if (m != job.metric())
                row << metricText(cand.metrics.value(m, std::nan("")));
        row << QString::number(cand.trainSeconds, 'f', 1) << (ranked ? QString::number(cand.predictMicrosPerRow, 'f', 2) : QStringLiteral("-"));
        if (!spec.hosts.isEmpty())
            row << (cand.host.isEmpty() ? QStringLiteral("-") : cand.host);
        rows << row;
    }
    printAligned(c.out, rows);
    const automl::Candidate &best = board.first();
    c.out << "\nAutoML run " << job.runUuid() << "\n"
          << "best candidate " << candidateLabel(best) << ": " << job.metric() << " = " << formatMetricValue(best.objective)
          << " (run " << best.runUuid << ")\n";
    if (!job.importance().isEmpty()) {
        QStringList top;
        for (int i = 0; i < std::min<int>(5, int(job.importance().size())); ++i)
            top << job.importance().at(i).feature;
        c.out << "most important features: " << top.join(QStringLiteral(", ")) << "\n";
    }
    c.out << "predict with: cairn predict --model " << job.runUuid() << " --input FILE.csv\n";
    c.out.flush();
    return 0;
}

} // namespace cairn::cli
