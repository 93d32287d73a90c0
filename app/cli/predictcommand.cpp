// `cairn predict --model MODEL --input FILE [--output FILE] [--explain] [--importance FILE]`
#include "trainingcommands.h"

#include "cairn/algorithms/explain.h"
#include "cairn/algorithms/modelcard.h"
#include "cairn/algorithms/modelloader.h"
#include "cairn/algorithms/pluginmanager.h"
#include "cairn/algorithms/predictionscsv.h"
#include "cairn/remote/probe.h"
#include "cairn/remote/remotecache.h"
#include "cairn/algorithms/tabular.h"
#include "cairn/data/csvreader.h"
#include "cairn/registry/modelregistry.h"
#include "cairn/store/experimentstore.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QSaveFile>
#include <QTemporaryDir>
#include <QUuid>

namespace cairn::cli {

namespace {

/// Batch prediction on an SSH host: the same `cairn predict` runs there on cached copies of the
/// model folder and the input; its outputs come back to where they were asked for here.
int predictOnHost(Context &c, const QCommandLineParser &parser, const remote::Host &host, const QString &modelDir)
{
    const QString inputPath = parser.value(QStringLiteral("input"));
    if (!QFileInfo::exists(inputPath))
        throw InputError(QStringLiteral("input %1 does not exist").arg(inputPath));
    const remote::HostProbe probe = remote::probeHost(host);
    if (!probe.reachable)
        throw Error(probe.error);
    if (!probe.workerOk)
        throw Error(probe.workerProblem);
    const remote::SshConnection ssh(host);
    const remote::RemoteCache cache(ssh, probe.workDir);
    bool sent = false;
    const QString remoteModel = cache.put(modelDir, &sent);
    const QString remoteInput = cache.put(inputPath, &sent);
    const QString scratch = probe.workDir + QStringLiteral("/predict/") + QUuid::createUuid().toString(QUuid::WithoutBraces);
    QStringList argv{host.cairnCommand, QStringLiteral("predict"), QStringLiteral("--model"), remoteModel, QStringLiteral("--input"), remoteInput,
                     QStringLiteral("--output"), scratch + QStringLiteral("/predictions.csv")};
    if (parser.isSet(QStringLiteral("keep")))
        argv << QStringLiteral("--keep") << parser.value(QStringLiteral("keep"));
    if (parser.isSet(QStringLiteral("explain")))
        argv << QStringLiteral("--explain");
    if (parser.isSet(QStringLiteral("importance")))
        argv << QStringLiteral("--importance") << scratch + QStringLiteral("/importance.csv");
    if (parser.isSet(QStringLiteral("metric")))
        argv << QStringLiteral("--metric") << parser.value(QStringLiteral("metric"));
    ssh.run({QStringLiteral("mkdir"), QStringLiteral("-p"), QStringLiteral("--"), scratch}, 30000);
    const auto r = ssh.run(argv, 24 * 3600 * 1000);
    c.err << QString::fromUtf8(r.err).replace(QStringLiteral("cairn: wrote"), QStringLiteral("cairn: %1 wrote").arg(host.name));
    c.err.flush();
    QTemporaryDir local;
    try {
        if (r.exitCode != 0)
            throw Error(QStringLiteral("prediction on host '%1' failed (exit %2)").arg(host.name).arg(r.exitCode));
        ssh.download(scratch + QLatin1Char('/'), local.path() + QLatin1Char('/'));
    } catch (const Error &) {
        ssh.run({QStringLiteral("rm"), QStringLiteral("-rf"), QStringLiteral("--"), scratch}, 30000);
        throw;
    }
    ssh.run({QStringLiteral("rm"), QStringLiteral("-rf"), QStringLiteral("--"), scratch}, 30000);
    auto deliver = [](const QString &from, const QString &to) {
        QFile in(from);
        if (!in.open(QIODevice::ReadOnly))
            throw Error(QStringLiteral("the host sent no %1").arg(QFileInfo(from).fileName()));
        const QByteArray bytes = in.readAll();
        QSaveFile f(to);
        if (!f.open(QIODevice::WriteOnly) || f.write(bytes) != bytes.size() || !f.commit())
            throw Error(QStringLiteral("cannot write %1: %2").arg(to, f.errorString()));
    };
    if (parser.isSet(QStringLiteral("importance")))
        deliver(local.filePath(QStringLiteral("importance.csv")), parser.value(QStringLiteral("importance")));
    if (parser.isSet(QStringLiteral("output"))) {
        deliver(local.filePath(QStringLiteral("predictions.csv")), parser.value(QStringLiteral("output")));
    } else {
        QFile in(local.filePath(QStringLiteral("predictions.csv")));
        if (!in.open(QIODevice::ReadOnly))
            throw Error(QStringLiteral("the host sent no predictions"));
        const QByteArray out = in.readAll();
        c.out.flush();
        std::fwrite(out.constData(), 1, size_t(out.size()), stdout);
        std::fflush(stdout);
    }
    return 0;
}

} // namespace

int runPredictCommand(Context &c, const QString &verb)
{
    if (!verb.isEmpty())
        throw UsageError(QStringLiteral("unexpected argument '%1' (see cairn predict --help)").arg(verb));
    QCommandLineParser parser;
    parser.addOption({{QStringLiteral("m"), QStringLiteral("model")}, QStringLiteral("A registered model (NAME, NAME:VERSION, NAME@ALIAS), a run id (or prefix), a model folder or its model.json."), QStringLiteral("MODEL")});
    parser.addOption({{QStringLiteral("i"), QStringLiteral("input")}, QStringLiteral("Rows to score: CSV (raw, as for training), IDX images or an image folder."), QStringLiteral("FILE")});
    parser.addOption({{QStringLiteral("o"), QStringLiteral("output")}, QStringLiteral("CSV to write (default: standard output)."), QStringLiteral("FILE")});
    parser.addOption({QStringLiteral("keep"), QStringLiteral("Input columns to copy into the output (comma-separated)."), QStringLiteral("COLS")});
    parser.addOption({QStringLiteral("explain"), QStringLiteral("Add per-row contributions of every input column (contribution_<column>, contribution_base): "
                                                                "SHAP values for XGBoost, occlusion for other models. CSV input only.")});
    parser.addOption({QStringLiteral("importance"), QStringLiteral("Also write permutation feature importance on the input rows (which must hold the target) to this CSV."), QStringLiteral("FILE")});
    parser.addOption({QStringLiteral("metric"), QStringLiteral("Metric for --importance (default: f1, accuracy or mse by task)."), QStringLiteral("NAME")});
    parser.addOption({QStringLiteral("host"), QStringLiteral("Score on this host (cairn hosts list): the model and the input go over once (content-hash cache), the results come back."), QStringLiteral("NAME")});
    if (!c.parse(parser, QStringLiteral("cairn predict --model MODEL --input FILE [--output FILE] [--keep COLS] [--explain] [--importance FILE [--metric NAME]]\n"
                                        "Applies a trained model (with its preprocessing) to raw rows; writes the predicted label\n"
                                        "and, for classifiers, one probability column per class; --explain adds how much each\n"
                                        "input column moved each prediction.")))
        return 0;
    if (!parser.isSet(QStringLiteral("model")) || !parser.isSet(QStringLiteral("input")))
        throw UsageError(QStringLiteral("cairn predict needs --model and --input"));
    const bool explain = parser.isSet(QStringLiteral("explain"));
    if (parser.isSet(QStringLiteral("metric")) && !parser.isSet(QStringLiteral("importance")))
        throw UsageError(QStringLiteral("--metric goes with --importance"));
    const QString modelDir = resolveModelDir(c.workspace(), parser.value(QStringLiteral("model")));
    if (parser.isSet(QStringLiteral("host"))) {
        const remote::Host host = remote::HostStore().host(parser.value(QStringLiteral("host")));
        if (!host.isLocal())
            return predictOnHost(c, parser, host, modelDir);
    }
    const ModelCard card = ModelCard::load(modelDir);
    PluginManager plugins;
    std::unique_ptr<Predictor> predictor = loadPredictor(plugins, modelDir); // ensembles (AutoML) included

    PredictionInput input;
    const QString inputPath = parser.value(QStringLiteral("input"));
    if (!QFileInfo::exists(inputPath))
        throw InputError(QStringLiteral("input %1 does not exist").arg(inputPath));
    input.channel.path = QFileInfo(inputPath).absoluteFilePath();
    input.channel.type = data::ChannelSpec::guessType(inputPath);
    data::Table table;
    if (input.channel.type == data::ChannelSpec::Type::Csv) {
        table = data::CsvReader::read(inputPath);
        input.table = &table;
    } else if (explain || parser.isSet(QStringLiteral("importance"))) {
        throw UsageError(QStringLiteral("--explain and --importance work with CSV input only; %1 is %2")
                             .arg(inputPath, data::ChannelSpec::typeName(input.channel.type)));
    }
    const Predictions p = predictor->predict(input);
    std::optional<Contributions> contributions;
    if (explain) {
        contributions = explainRows(*predictor, card, table);
        c.err << "cairn: contributions by " << (contributions->method == QLatin1String("shap") ? "SHAP" : "occlusion") << " in "
              << contributions->output << " space"
              << (!contributions->target.isEmpty()        ? QStringLiteral(" of class '%1'").arg(contributions->target)
                  : !contributions->rowClasses.empty() ? QStringLiteral(" of each row's predicted class")
                                                       : QString())
              << "\n";
        c.err.flush();
    }
    if (parser.isSet(QStringLiteral("importance"))) {
        const QList<FeatureImportance> importance = permutationImportance(*predictor, card, table, parser.value(QStringLiteral("metric")));
        const QByteArray csv = importanceCsv(importance);
        QSaveFile f(parser.value(QStringLiteral("importance")));
        if (!f.open(QIODevice::WriteOnly) || f.write(csv) != csv.size() || !f.commit())
            throw Error(QStringLiteral("cannot write %1: %2").arg(f.fileName(), f.errorString()));
    }

    QStringList keep;
    for (const QString &k : parser.value(QStringLiteral("keep")).split(QLatin1Char(','), Qt::SkipEmptyParts)) {
        if (!input.table)
            throw UsageError(QStringLiteral("--keep works with CSV input only"));
        table.column(k.trimmed()); // throws naming the columns
        keep << k.trimmed();
    }
    const QByteArray out = predictionsCsv(p, input.table, keep, contributions ? &*contributions : nullptr);
    if (parser.isSet(QStringLiteral("output"))) {
        QSaveFile f(parser.value(QStringLiteral("output")));
        if (!f.open(QIODevice::WriteOnly) || f.write(out) != out.size() || !f.commit())
            throw Error(QStringLiteral("cannot write %1: %2").arg(f.fileName(), f.errorString()));
        c.err << "cairn: wrote " << p.rows() << " predictions to " << f.fileName() << "\n";
        c.err.flush();
    } else {
        c.out.flush();
        std::fwrite(out.constData(), 1, size_t(out.size()), stdout);
        std::fflush(stdout);
    }
    return 0;
}

} // namespace cairn::cli
