// `cairn monitor baseline|run|compare|schedule|violations|runs|relax|daemon`: the model monitor.
#include "clicontext.h"
#include "jobspecoptions.h"
#include "trainingcommands.h"

#include "cairn/algorithms/modelcard.h"
#include "cairn/algorithms/pluginmanager.h"
#include "cairn/data/csvreader.h"
#include "cairn/jobs/jobspec.h"
#include "cairn/monitor/baseline.h"
#include "cairn/monitor/capture.h"
#include "cairn/monitor/monitoringrun.h"
#include "cairn/serving/endpointrecord.h"
#include "cairn/serving/modelreference.h"
#include "cairn/serving/servedmodel.h"

#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QRegularExpression>
#include <QSocketNotifier>
#include <QTimer>

#include <cmath>
#include <csignal>
#include <sys/socket.h>
#include <unistd.h>

namespace cairn::cli {

namespace {

using namespace cairn::monitor;

QString fmt(double v)
{
    if (std::isnan(v))
        return QStringLiteral("-");
    if (v != 0 && std::fabs(v) < 1e-4)
        return QString::number(v, 'e', 2);
    return QString::number(v, 'f', 4);
}

data::Table readTable(const QString &path, const char *what)
{
    if (!QFileInfo(path).isFile())
        throw InputError(QStringLiteral("%1 %2 does not exist").arg(QLatin1String(what), path));
    try {
        return data::CsvReader::read(path);
    } catch (const Error &e) {
        throw InputError(e.message());
    }
}

/// A duration like 30m, 2h, 1d or 90s in seconds; UsageError otherwise.
qint64 durationOption(const QString &text, const QString &option)
{
    static const QRegularExpression re(QStringLiteral("^(\\d+)([smhd])$"));
    const QRegularExpressionMatch m = re.match(text.trimmed());
    if (!m.hasMatch())
        throw UsageError(QStringLiteral("--%1 '%2': write a duration such as 90s, 30m, 2h or 1d").arg(option, text));
    const qint64 n = m.captured(1).toLongLong();
    const QChar u = m.captured(2).at(0);
    return n * (u == QLatin1Char('s') ? 1 : u == QLatin1Char('m') ? 60 : u == QLatin1Char('h') ? 3600 : 86400);
}

QDateTime timeOption(const QCommandLineParser &parser, const QString &name)
{
    if (!parser.isSet(name))
        return {};
    const QString v = parser.value(name);
    QDateTime t = QDateTime::fromString(v, Qt::ISODateWithMs);
    if (!t.isValid())
        t = QDateTime::fromString(v, Qt::ISODate);
    if (!t.isValid())
        throw UsageError(QStringLiteral("--%1 '%2': write an ISO 8601 time such as 2026-12-07T10:00:00Z").arg(name, v));
    return t.toUTC();
}

void addDriftOptions(QCommandLineParser &parser)
{
    parser.addOption({QStringLiteral("method"),
                      QStringLiteral("One drift method for every feature: ks, chisquare, z, wasserstein, jensenshannon or psi (default: "
                                     "Evidently's choice by reference size and column type)."),
                      QStringLiteral("METHOD")});
    parser.addOption({QStringLiteral("p-value"), QStringLiteral("p-value threshold of the tests (default 0.05)."), QStringLiteral("P"), QStringLiteral("0.05")});
    parser.addOption({QStringLiteral("threshold"), QStringLiteral("Distance threshold (default 0.1; a baseline's comparison_threshold wins)."),
                      QStringLiteral("D"), QStringLiteral("0.1")});
    parser.addOption({QStringLiteral("effect-size"),
                      QStringLiteral("Least effect size for a test to count as drift (KS D, Cramér's V, Cohen's h; default 0.1, 0 turns it off)."),
                      QStringLiteral("E"), QStringLiteral("0.1")});
    parser.addOption({QStringLiteral("correction"), QStringLiteral("Multiple-testing correction: bh (Benjamini–Hochberg, default), bonferroni or none."),
                      QStringLiteral("NAME"), QStringLiteral("bh")});
    parser.addOption({QStringLiteral("small-reference"),
                      QStringLiteral("References with at most this many rows get statistical tests, larger ones distances (default 1000)."),
                      QStringLiteral("ROWS"), QStringLiteral("1000")});
}

DriftOptions driftOptions(const QCommandLineParser &parser)
{
    DriftOptions o;
    o.method = parser.value(QStringLiteral("method"));
    static const QStringList methods{QStringLiteral("ks"), QStringLiteral("chisquare"), QStringLiteral("z"), QStringLiteral("wasserstein"),
                                     QStringLiteral("jensenshannon"), QStringLiteral("psi")};
    if (!o.method.isEmpty() && !methods.contains(o.method))
        throw UsageError(QStringLiteral("--method %1: use one of %2").arg(o.method, methods.join(QStringLiteral(", "))));
    o.pValueThreshold = numberOption(parser, QStringLiteral("p-value"), 0, Bound::Exclusive);
    o.distanceThreshold = numberOption(parser, QStringLiteral("threshold"), 0, Bound::Exclusive);
    o.effectSizeThreshold = numberOption(parser, QStringLiteral("effect-size"), 0);
    o.smallReferenceRows = qsizetype(numberOption(parser, QStringLiteral("small-reference"), 0));
    const QString c = parser.value(QStringLiteral("correction")).toLower();
    if (c == QLatin1String("bh") || c == QLatin1String("benjamini-hochberg"))
        o.correction = DriftOptions::Correction::BenjaminiHochberg;
    else if (c == QLatin1String("bonferroni"))
        o.correction = DriftOptions::Correction::Bonferroni;
    else if (c == QLatin1String("none"))
        o.correction = DriftOptions::Correction::None;
    else
        throw UsageError(QStringLiteral("--correction %1: use bh, bonferroni or none").arg(c));
    return o;
}

void printDrift(QTextStream &out, const DriftReport &d)
{
    QList<QStringList> rows{{QStringLiteral("FEATURE"), QStringLiteral("METHOD"), QStringLiteral("STATISTIC"), QStringLiteral("P-VALUE"),
                             QStringLiteral("ADJ-P"), QStringLiteral("EFFECT"), QStringLiteral("PSI"), QStringLiteral("DRIFT")}};
    for (const FeatureDrift &f : d.features)
        rows << QStringList{f.name, f.method, fmt(f.statistic), fmt(f.pValue), fmt(f.adjustedPValue), fmt(f.effectSize), fmt(f.psi),
                            f.drifted ? QStringLiteral("DRIFT") : QStringLiteral("-")};
    printAligned(out, rows);
}

void printRun(Context &c, const MonitoringRun &run, const DriftReport &drift, Format format)
{
    if (format == Format::Json) {
        QJsonObject o = run.toJson();
        o.insert(QStringLiteral("directory"), run.directory);
        o.insert(QStringLiteral("drift"), drift.toJson());
        c.printJson(o);
        return;
    }
    if (run.windowStart.isValid())
        c.out << "window " << run.windowStart.toString(Qt::ISODate) << " - " << run.windowEnd.toString(Qt::ISODate) << ": " << run.records
              << " records, " << run.rows << " rows, " << run.malformedLines << " malformed lines skipped\n";
    c.out << "reference rows " << drift.referenceRows << ", current rows " << drift.currentRows << ", drifted features " << drift.driftedCount()
          << " of " << drift.features.size() << " (p-values corrected: " << drift.correction << ")\n\n";
    printDrift(c.out, drift);
    for (const QualityMetrics *q : {&run.quality, &run.estimatedQuality}) {
        if (q->isEmpty() || (q == &run.estimatedQuality && run.quality.estimated))
            continue;
        c.out << "\n" << (q->estimated ? "estimated quality (CBPE, no labels)" : "quality") << " over " << q->count << " rows:";
        for (auto it = q->metrics.cbegin(); it != q->metrics.cend(); ++it)
            c.out << " " << it.key() << "=" << fmt(it.value());
        c.out << "\n";
    }
    c.out << "\n" << run.violations.size() << " violation" << (run.violations.size() == 1 ? "" : "s") << "\n";
    for (const Violation &v : run.violations)
        c.out << "  " << v.featureName << "  " << v.checkType << ": " << v.description << "\n";
    if (!run.directory.isEmpty())
        c.out << "report: " << QDir(run.directory).filePath(QStringLiteral("report.html")) << "\n";
    c.out.flush();
}

QString endpointOption(const QCommandLineParser &parser, const char *verb)
{
    const QString e = parser.value(QStringLiteral("endpoint"));
    if (e.isEmpty())
        throw UsageError(QStringLiteral("cairn monitor %1 needs --endpoint NAME").arg(QLatin1String(verb)));
    if (!serving::EndpointRecord::isValidName(e))
        throw UsageError(QStringLiteral("endpoint name '%1': use letters, digits, '.', '_' and '-'").arg(e));
    return e;
}

/// The training data of the model an endpoint or reference serves: its job's train channel.
struct ModelData
{
    QString modelDir;
    QString train;
    QString validation;
    QString target;
    QStringList inputColumns; ///< the model card's input schema
};

ModelData modelData(Context &c, const QString &ref)
{
    ModelData d;
    const serving::ResolvedReference r = serving::resolveModelReference(c.workspace(), ref);
    d.modelDir = r.modelDir;
    const ModelCard card = ModelCard::load(r.modelDir);
    d.target = card.target;
    for (const QJsonValue &v : card.inputSchema) {
        const QString name = v.toObject().value(QStringLiteral("name")).toString();
        if (!name.isEmpty())
            d.inputColumns << name;
    }
    const QString spec = QDir(c.workspace().path()).filePath(QStringLiteral("jobs/%1/spec.json").arg(card.jobId));
    if (!card.jobId.isEmpty() && QFileInfo(spec).isFile()) {
        const JobSpec s = JobSpec::load(spec);
        if (s.channels.contains(QStringLiteral("train")))
            d.train = s.channels.value(QStringLiteral("train")).path;
        if (s.channels.contains(QStringLiteral("validation")))
            d.validation = s.channels.value(QStringLiteral("validation")).path;
    }
    return d;
}

/// The model's answers on `csv` (as the endpoint answers /invocations in CSV).
QByteArray predictCsv(const serving::ServedModel &model, const QString &path)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        throw InputError(QStringLiteral("cannot read %1").arg(path));
    const data::Table t = model.readCsv(f.readAll(), path);
    return serving::ServedModel::format(model.predict(t), serving::PayloadFormat::Csv);
}

int baselineVerb(Context &c, QCommandLineParser &parser)
{
    QString data = parser.value(QStringLiteral("data"));
    QString out = parser.value(QStringLiteral("out"));
    QString target = parser.value(QStringLiteral("target"));
    QString modelRef = parser.value(QStringLiteral("model"));
    const QString endpoint = parser.value(QStringLiteral("endpoint"));
    if (!endpoint.isEmpty()) {
        if (out.isEmpty())
            out = QDir(endpointMonitoringDir(c.workspace().path(), endpoint)).filePath(QStringLiteral("baseline"));
        if (modelRef.isEmpty()) {
            // The model the endpoint serves now (its first one).
            const serving::EndpointRecord r = serving::EndpointRecord::find(c.workspace().path(), endpoint);
            if (r.models.isEmpty())
                throw Error(QStringLiteral("endpoint %1 serves no model").arg(endpoint));
            modelRef = r.models.first().toObject().value(QStringLiteral("modelDir")).toString();
        }
    }
    ModelData md;
    if (!modelRef.isEmpty()) {
        md = modelData(c, modelRef);
        if (data.isEmpty())
            data = md.train;
        if (target.isEmpty())
            target = md.target;
    }
    if (data.isEmpty())
        throw UsageError(QStringLiteral("cairn monitor baseline needs --data CSV (or --model / --endpoint whose model's job has a train channel)"));
    if (out.isEmpty())
        throw UsageError(QStringLiteral("cairn monitor baseline needs --out DIR (or --endpoint NAME)"));
    data::Table table = readTable(data, "data");
    if (!md.inputColumns.isEmpty()) {
        // The endpoint's features are the model's inputs, in the order a CSV request gives them.
        data::Table inputs;
        for (const QString &name : std::as_const(md.inputColumns))
            if (const int i = table.indexOf(name); i >= 0)
                inputs.columns << table.columns.at(i);
        if (!target.isEmpty() && table.indexOf(target) >= 0)
            inputs.columns << table.column(target);
        if (inputs.columnCount() > 0)
            table = inputs;
    }
    if (!target.isEmpty() && table.indexOf(target) < 0) {
        if (parser.isSet(QStringLiteral("target")))
            throw InputError(QStringLiteral("--target %1: %2 has no such column (columns: %3)").arg(target, data, table.columnNames().join(QStringLiteral(", "))));
        target.clear(); // the model's label is not in this data (e.g. captured requests): nothing to leave out
    }
    BaselineOptions o;
    o.target = target;
    o.excludeColumns = parser.value(QStringLiteral("exclude")).split(QLatin1Char(','), Qt::SkipEmptyParts);
    o.maxReferenceRows = qsizetype(numberOption(parser, QStringLiteral("max-reference-rows"), 1));
    for (const QString &x : o.excludeColumns)
        if (table.indexOf(x) < 0)
            throw InputError(QStringLiteral("--exclude %1: %2 has no such column (columns: %3)").arg(x, data, table.columnNames().join(QStringLiteral(", "))));
    Baseline b = createBaseline(table, QFileInfo(data).absoluteFilePath(), out, o);

    if (!md.modelDir.isEmpty()) {
        // The model's answers on the reference rows: the baseline of prediction drift; and
        // its quality on labelled data (validation channel, else the baseline data).
        PluginManager plugins;
        const serving::ServedModel model(plugins, md.modelDir);
        const QByteArray outputs = predictCsv(model, b.referencePath());
        QFile f(QDir(out).filePath(QStringLiteral("outputs.csv")));
        if (!f.open(QIODevice::WriteOnly) || f.write(outputs) != outputs.size())
            throw Error(QStringLiteral("cannot write %1").arg(f.fileName()));
        f.close();
        const QString labelled = !md.validation.isEmpty() && QFileInfo(md.validation).isFile() ? md.validation : data;
        const data::Table lt = labelled == data ? table : readTable(labelled, "validation data");
        if (!target.isEmpty() && lt.indexOf(target) >= 0) {
            const data::Table predicted = data::CsvReader::parse(predictCsv(model, labelled), labelled);
            QStringList ids;
            QHash<QString, QString> labels;
            const data::Column &t = lt.column(target);
            for (qsizetype r = 0; r < lt.rowCount(); ++r) {
                ids << QString::number(r);
                if (!t.isMissing(r))
                    labels.insert(QString::number(r), t.text(r));
            }
            const QualityMetrics q = measureQuality(predicted, ids, labels);
            QJsonObject quality;
            for (auto it = q.metrics.cbegin(); it != q.metrics.cend(); ++it)
                quality.insert(it.key(), it.value());
            // baseline.json keeps the model's quality for model_quality_check.
            QFile meta(QDir(out).filePath(QStringLiteral("baseline.json")));
            if (meta.open(QIODevice::ReadOnly)) {
                QJsonObject m = QJsonDocument::fromJson(meta.readAll()).object();
                meta.close();
                m.insert(QStringLiteral("quality"), quality);
                m.insert(QStringLiteral("model"), md.modelDir);
                m.insert(QStringLiteral("qualityData"), QFileInfo(labelled).absoluteFilePath());
                if (meta.open(QIODevice::WriteOnly | QIODevice::Truncate))
                    meta.write(QJsonDocument(m).toJson());
            }
        }
    }
    if (c.format(parser) == Format::Json) {
        c.printJson(QJsonObject{{QStringLiteral("directory"), b.directory}, {QStringLiteral("statistics"), b.statistics.toJson()},
                                {QStringLiteral("constraints"), b.constraints.toJson()}});
        return ExitOk;
    }
    QList<QStringList> rows{{QStringLiteral("FEATURE"), QStringLiteral("TYPE"), QStringLiteral("COMPLETENESS"), QStringLiteral("SUMMARY")}};
    for (const FeatureStatistics &f : b.statistics.features)
        rows << QStringList{f.name, inferredTypeName(f.inferredType), QString::number(f.completeness(), 'f', 3),
                            f.isNumeric() ? QStringLiteral("mean %1, std %2, min %3, max %4").arg(fmt(f.mean), fmt(f.stdDev), fmt(f.min), fmt(f.max))
                                          : QStringLiteral("%1 distinct").arg(f.distinctCount)};
    printAligned(c.out, rows);
    c.out << "baseline of " << b.statistics.itemCount << " rows written to " << b.directory << " (statistics.json, constraints.json)\n";
    c.out.flush();
    return ExitOk;
}

int runVerb(Context &c, QCommandLineParser &parser)
{
    MonitoringRunOptions o;
    o.workspacePath = c.workspace().path();
    o.endpoint = endpointOption(parser, "run");
    o.baselineDirectory = parser.value(QStringLiteral("baseline"));
    o.groundTruth = parser.value(QStringLiteral("ground-truth"));
    if (!o.groundTruth.isEmpty() && !QFileInfo(o.groundTruth).isFile())
        throw InputError(QStringLiteral("ground truth %1 does not exist").arg(o.groundTruth));
    o.windowEnd = timeOption(parser, QStringLiteral("to"));
    if (!o.windowEnd.isValid())
        o.windowEnd = QDateTime::currentDateTimeUtc();
    o.windowStart = timeOption(parser, QStringLiteral("from"));
    if (!o.windowStart.isValid())
        o.windowStart = o.windowEnd.addSecs(-durationOption(parser.value(QStringLiteral("last")), QStringLiteral("last")));
    o.drift = driftOptions(parser);
    const MonitoringRun run = runMonitoring(o);
    if (run.status == QLatin1String("Failed")) {
        if (c.format(parser) == Format::Json)
            c.printJson(run.toJson());
        throw Error(QStringLiteral("monitoring run %1 failed: %2").arg(run.id, run.error));
    }
    printRun(c, run, run.drift(), c.format(parser));
    return run.hasViolations() ? ExitFailed : ExitOk;
}

int compareVerb(Context &c, QCommandLineParser &parser)
{
    const QString refPath = parser.value(QStringLiteral("reference")), curPath = parser.value(QStringLiteral("current"));
    if (refPath.isEmpty() || curPath.isEmpty())
        throw UsageError(QStringLiteral("cairn monitor compare needs --reference CSV and --current CSV"));
    const DriftOptions o = driftOptions(parser);
    data::Table reference = readTable(refPath, "reference");
    data::Table current = readTable(curPath, "current");
    for (const QString &x : parser.value(QStringLiteral("exclude")).split(QLatin1Char(','), Qt::SkipEmptyParts)) {
        for (data::Table *t : {&reference, &current})
            if (const int i = t->indexOf(x); i >= 0)
                t->columns.removeAt(i);
    }
    const MonitoringRun run = compareTables(reference, current, parser.value(QStringLiteral("out")), o);
    const DriftReport drift = run.directory.isEmpty() ? computeDrift(reference, current, o) : run.drift();
    printRun(c, run, drift, c.format(parser));
    return run.hasViolations() ? ExitFailed : ExitOk;
}

int scheduleVerb(Context &c, QCommandLineParser &parser)
{
    const QString ws = c.workspace().path();
    if (!parser.isSet(QStringLiteral("endpoint"))) {
        const QList<MonitoringSchedule> all = MonitoringSchedule::list(ws);
        if (c.format(parser) == Format::Json) {
            QJsonArray a;
            for (const MonitoringSchedule &s : all)
                a.append(s.toJson());
            c.printJson(a);
            return ExitOk;
        }
        if (all.isEmpty()) {
            c.out << "no monitoring schedules (add one with cairn monitor schedule --endpoint NAME --every hourly)\n";
            c.out.flush();
            return ExitOk;
        }
        QList<QStringList> rows{{QStringLiteral("ENDPOINT"), QStringLiteral("EVERY"), QStringLiteral("ENABLED"), QStringLiteral("LAST RUN"), QStringLiteral("NEXT RUN")}};
        for (const MonitoringSchedule &s : all)
            rows << QStringList{s.endpoint, s.frequency, s.enabled ? QStringLiteral("yes") : QStringLiteral("no"),
                                s.lastRun.isValid() ? s.lastRun.toString(Qt::ISODate) : QStringLiteral("never"), s.nextRun().toString(Qt::ISODate)};
        printAligned(c.out, rows);
        c.out.flush();
        return ExitOk;
    }
    const QString endpoint = endpointOption(parser, "schedule");
    if (parser.isSet(QStringLiteral("remove"))) {
        if (!MonitoringSchedule::load(ws, endpoint))
            throw Error(QStringLiteral("endpoint %1 has no monitoring schedule").arg(endpoint));
        MonitoringSchedule::remove(ws, endpoint);
        c.out << "removed the monitoring schedule of " << endpoint << "\n";
        c.out.flush();
        return ExitOk;
    }
    MonitoringSchedule s = MonitoringSchedule::load(ws, endpoint).value_or(MonitoringSchedule{});
    s.endpoint = endpoint;
    if (parser.isSet(QStringLiteral("every")))
        s.frequency = parser.value(QStringLiteral("every")).toLower();
    if (s.frequency != QLatin1String("hourly") && s.frequency != QLatin1String("daily"))
        throw UsageError(QStringLiteral("--every %1: use hourly or daily").arg(s.frequency));
    if (parser.isSet(QStringLiteral("baseline")))
        s.baselineDirectory = QFileInfo(parser.value(QStringLiteral("baseline"))).absoluteFilePath();
    if (parser.isSet(QStringLiteral("ground-truth")))
        s.groundTruth = QFileInfo(parser.value(QStringLiteral("ground-truth"))).absoluteFilePath();
    if (parser.isSet(QStringLiteral("disable")))
        s.enabled = false;
    if (parser.isSet(QStringLiteral("enable")))
        s.enabled = true;
    s.save(ws);
    c.out << "monitoring " << endpoint << " " << s.frequency << (s.enabled ? "" : " (disabled)") << "; runs fire while the studio or "
          << "cairn monitor daemon runs (next: " << s.nextRun().toString(Qt::ISODate) << ")\n";
    c.out.flush();
    return ExitOk;
}

MonitoringRun pickRun(Context &c, const QCommandLineParser &parser, const char *verb)
{
    const QString endpoint = endpointOption(parser, verb);
    const QList<MonitoringRun> runs = listRuns(c.workspace().path(), endpoint);
    if (runs.isEmpty())
        throw Error(QStringLiteral("endpoint %1 has no monitoring runs (start one with cairn monitor run --endpoint %1)").arg(endpoint));
    if (!parser.isSet(QStringLiteral("run")))
        return runs.last();
    for (const MonitoringRun &r : runs)
        if (r.id == parser.value(QStringLiteral("run")))
            return r;
    throw UsageError(QStringLiteral("endpoint %1 has no run %2 (see cairn monitor runs --endpoint %1)").arg(endpoint, parser.value(QStringLiteral("run"))));
}

int violationsVerb(Context &c, QCommandLineParser &parser)
{
    const MonitoringRun run = pickRun(c, parser, "violations");
    if (c.format(parser) == Format::Json) {
        c.printJson(violationsToJson(run.violations));
    } else {
        c.out << "run " << run.id << " (" << run.status << "): " << run.violations.size() << " violation" << (run.violations.size() == 1 ? "" : "s") << "\n";
        for (const Violation &v : run.violations)
            c.out << "  " << v.featureName << "  " << v.checkType << ": " << v.description << "\n";
        c.out.flush();
    }
    if (run.status == QLatin1String("Failed"))
        throw Error(QStringLiteral("monitoring run %1 failed: %2").arg(run.id, run.error));
    return run.hasViolations() ? ExitFailed : ExitOk;
}

int runsVerb(Context &c, QCommandLineParser &parser)
{
    const QString endpoint = endpointOption(parser, "runs");
    const QList<MonitoringRun> runs = listRuns(c.workspace().path(), endpoint);
    if (c.format(parser) == Format::Json) {
        QJsonArray a;
        for (const MonitoringRun &r : runs)
            a.append(r.toJson());
        c.printJson(a);
        return ExitOk;
    }
    QList<QStringList> rows{{QStringLiteral("RUN"), QStringLiteral("STATUS"), QStringLiteral("WINDOW"), QStringLiteral("ROWS"),
                             QStringLiteral("VIOLATIONS"), QStringLiteral("DRIFTED")}};
    for (const MonitoringRun &r : runs)
        rows << QStringList{r.id, r.status,
                            r.windowStart.toString(QStringLiteral("MM-dd HH:mm")) + QStringLiteral(" - ") + r.windowEnd.toString(QStringLiteral("MM-dd HH:mm")),
                            QString::number(r.rows), QString::number(r.violations.size()), r.driftedFeatures.join(QStringLiteral(","))};
    printAligned(c.out, rows);
    c.out.flush();
    return ExitOk;
}

int relaxVerb(Context &c, QCommandLineParser &parser)
{
    QString dir = parser.value(QStringLiteral("baseline"));
    if (dir.isEmpty() && parser.isSet(QStringLiteral("endpoint")))
        dir = QDir(endpointMonitoringDir(c.workspace().path(), endpointOption(parser, "relax"))).filePath(QStringLiteral("baseline"));
    if (dir.isEmpty() || parser.value(QStringLiteral("feature")).isEmpty())
        throw UsageError(QStringLiteral("cairn monitor relax needs --baseline DIR (or --endpoint NAME) and --feature NAME"));
    const QString path = QDir(dir).filePath(QStringLiteral("constraints.json"));
    if (!QFileInfo(path).isFile())
        throw InputError(QStringLiteral("%1 does not exist (make a baseline with cairn monitor baseline)").arg(path));
    Constraints constraints = Constraints::load(path);
    const QString name = parser.value(QStringLiteral("feature"));
    FeatureConstraint *f = constraints.feature(name);
    if (!f)
        throw UsageError(QStringLiteral("the baseline has no feature '%1'").arg(name));
    bool changed = false;
    for (const char *k : {"comparison_threshold", "datatype_check_threshold", "domain_content_threshold"}) {
        const QString opt = QString::fromLatin1(k).replace(QLatin1Char('_'), QLatin1Char('-'));
        if (parser.isSet(opt)) {
            f->monitoringConfigOverrides.insert(QLatin1String(k), numberOption(parser, opt, 0));
            changed = true;
        }
    }
    if (parser.isSet(QStringLiteral("completeness"))) {
        f->completeness = numberOption(parser, QStringLiteral("completeness"), 0);
        changed = true;
    }
    for (const QString &v : parser.values(QStringLiteral("allow"))) {
        if (!f->domains)
            f->domains = QStringList();
        if (!f->domains->contains(v))
            *f->domains << v;
        changed = true;
    }
    if (!changed)
        throw UsageError(QStringLiteral("say what to relax: --comparison-threshold, --datatype-check-threshold, --domain-content-threshold, "
                                        "--completeness or --allow VALUE"));
    constraints.save(path);
    c.out << "relaxed " << name << " in " << path << ": " << QJsonDocument(f->toJson()).toJson(QJsonDocument::Compact) << "\n";
    c.out.flush();
    return ExitOk;
}

int g_daemonSignal[2] = {-1, -1};

void onDaemonSignal(int)
{
    const char c = 1;
    [[maybe_unused]] const ssize_t n = ::write(g_daemonSignal[1], &c, 1);
}

int daemonVerb(Context &c, QCommandLineParser &parser)
{
    const QString ws = c.workspace().path();
    const double interval = numberOption(parser, QStringLiteral("interval"), 0, Bound::Exclusive);
    auto fire = [&] {
        for (const MonitoringRun &r : runDueSchedules(ws)) {
            c.out << QDateTime::currentDateTimeUtc().toString(Qt::ISODate) << " " << r.endpoint << " run " << r.id << ": " << r.status;
            if (!r.error.isEmpty())
                c.out << " (" << r.error << ")";
            c.out << ", " << r.violations.size() << " violations" << (r.driftedFeatures.isEmpty() ? QString() : QStringLiteral(", drift in ") + r.driftedFeatures.join(QStringLiteral(", ")))
                  << "\n";
            c.out.flush();
        }
    };
    if (parser.isSet(QStringLiteral("once"))) {
        fire();
        return ExitOk;
    }
    if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, g_daemonSignal) != 0)
        throw Error(QStringLiteral("cannot create the signal pipe"));
    struct sigaction sa {};
    sa.sa_handler = onDaemonSignal;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = SA_RESTART;
    for (int s : {SIGTERM, SIGINT})
        ::sigaction(s, &sa, nullptr);
    QSocketNotifier notifier(g_daemonSignal[0], QSocketNotifier::Read);
    QObject::connect(&notifier, &QSocketNotifier::activated, [] { QCoreApplication::quit(); });
    c.err << "cairn: monitoring daemon for " << ws << ": looking for due schedules every " << interval << " s (SIGTERM stops it)\n";
    c.err.flush();
    QTimer timer;
    QObject::connect(&timer, &QTimer::timeout, fire);
    timer.start(int(interval * 1000));
    QTimer::singleShot(0, fire);
    QCoreApplication::exec();
    c.err << "cairn: monitoring daemon stopped\n";
    c.err.flush();
    return ExitOk;
}

} // namespace

int runMonitorCommand(Context &c, const QString &verb)
{
    QCommandLineParser parser;
    parser.addOption(formatOption());
    parser.addOption({QStringLiteral("endpoint"), QStringLiteral("The endpoint (cairn serve --name) whose captured data is monitored."), QStringLiteral("NAME")});
    parser.addOption({QStringLiteral("data"), QStringLiteral("baseline: the CSV to make the baseline from (default: the training data of --model)."), QStringLiteral("CSV")});
    parser.addOption({QStringLiteral("out"), QStringLiteral("baseline: the baseline folder (default with --endpoint: the endpoint's); compare: where the report goes."),
                      QStringLiteral("DIR")});
    parser.addOption({QStringLiteral("model"), QStringLiteral("baseline: the model (registered, run id or folder) whose training data, predictions and quality make the baseline."),
                      QStringLiteral("REF")});
    parser.addOption({QStringLiteral("target"), QStringLiteral("baseline: the label column, left out of the features."), QStringLiteral("COL")});
    parser.addOption({QStringLiteral("exclude"), QStringLiteral("Columns left out (comma-separated, e.g. ids)."), QStringLiteral("COLS")});
    parser.addOption({QStringLiteral("max-reference-rows"), QStringLiteral("baseline: reference rows kept for drift tests (a seeded sample; default 100000)."),
                      QStringLiteral("N"), QStringLiteral("100000")});
    parser.addOption({QStringLiteral("baseline"), QStringLiteral("run, schedule, relax: the baseline folder (default: the endpoint's)."), QStringLiteral("DIR")});
    parser.addOption({QStringLiteral("from"), QStringLiteral("run: start of the captured window (ISO 8601, UTC)."), QStringLiteral("TIME")});
    parser.addOption({QStringLiteral("to"), QStringLiteral("run: end of the window (default: now)."), QStringLiteral("TIME")});
    parser.addOption({QStringLiteral("last"), QStringLiteral("run: the window's length when --from is not given (default 1h)."), QStringLiteral("DURATION"),
                      QStringLiteral("1h")});
    parser.addOption({QStringLiteral("ground-truth"), QStringLiteral("run, schedule: labels by event id (CSV eventId,label or SageMaker ground truth JSON Lines)."),
                      QStringLiteral("FILE")});
    parser.addOption({QStringLiteral("reference"), QStringLiteral("compare: the reference table (CSV)."), QStringLiteral("CSV")});
    parser.addOption({QStringLiteral("current"), QStringLiteral("compare: the table compared with it (CSV)."), QStringLiteral("CSV")});
    parser.addOption({QStringLiteral("every"), QStringLiteral("schedule: hourly or daily."), QStringLiteral("PERIOD")});
    parser.addOption({QStringLiteral("remove"), QStringLiteral("schedule: remove the endpoint's schedule.")});
    parser.addOption({QStringLiteral("disable"), QStringLiteral("schedule: keep the schedule but do not fire it.")});
    parser.addOption({QStringLiteral("enable"), QStringLiteral("schedule: fire it again.")});
    parser.addOption({QStringLiteral("run"), QStringLiteral("violations: the run id (default: the latest)."), QStringLiteral("ID")});
    parser.addOption({QStringLiteral("feature"), QStringLiteral("relax: the feature whose constraints are relaxed."), QStringLiteral("NAME")});
    parser.addOption({QStringLiteral("comparison-threshold"), QStringLiteral("relax: the feature's drift distance threshold."), QStringLiteral("D")});
    parser.addOption({QStringLiteral("datatype-check-threshold"), QStringLiteral("relax: least share of values of the baseline's type."), QStringLiteral("S")});
    parser.addOption({QStringLiteral("domain-content-threshold"), QStringLiteral("relax: least share of values in the baseline's domain."), QStringLiteral("S")});
    parser.addOption({QStringLiteral("completeness"), QStringLiteral("relax: least share of present values."), QStringLiteral("S")});
    parser.addOption({QStringLiteral("allow"), QStringLiteral("relax: add a value to the feature's domain (repeat)."), QStringLiteral("VALUE")});
    parser.addOption({QStringLiteral("interval"), QStringLiteral("daemon: seconds between looks for due schedules (default 60)."), QStringLiteral("S"),
                      QStringLiteral("60")});
    parser.addOption({QStringLiteral("once"), QStringLiteral("daemon: fire what is due now and exit.")});
    addDriftOptions(parser);
    if (!c.parse(parser, QStringLiteral(
                             "cairn monitor baseline --data CSV --out DIR [--target COL] | --endpoint NAME [--model REF]\n"
                             "cairn monitor run --endpoint NAME [--last 1h | --from TIME [--to TIME]] [--ground-truth FILE]\n"
                             "cairn monitor compare --reference A.csv --current B.csv [--out DIR]\n"
                             "cairn monitor schedule [--endpoint NAME --every hourly|daily [--remove|--disable|--enable]]\n"
                             "cairn monitor violations --endpoint NAME [--run ID]\n"
                             "cairn monitor runs --endpoint NAME\n"
                             "cairn monitor relax --endpoint NAME|--baseline DIR --feature NAME [--comparison-threshold D] [--allow VALUE]...\n"
                             "cairn monitor daemon [--interval 60] [--once]\n"
                             "Model monitoring: baselines (statistics.json, constraints.json), drift and data-quality checks of captured\n"
                             "endpoint traffic (cairn serve --capture) or of any two tables, constraint_violations.json and reports.\n"
                             "run, compare and violations exit 1 when a violation is found.")))
        return ExitOk;
    if (verb == QLatin1String("baseline"))
        return baselineVerb(c, parser);
    if (verb == QLatin1String("run"))
        return runVerb(c, parser);
    if (verb == QLatin1String("compare"))
        return compareVerb(c, parser);
    if (verb == QLatin1String("schedule") || verb == QLatin1String("schedules"))
        return scheduleVerb(c, parser);
    if (verb == QLatin1String("violations"))
        return violationsVerb(c, parser);
    if (verb == QLatin1String("runs"))
        return runsVerb(c, parser);
    if (verb == QLatin1String("relax"))
        return relaxVerb(c, parser);
    if (verb == QLatin1String("daemon"))
        return daemonVerb(c, parser);
    throw UsageError(QStringLiteral("unknown monitor command '%1' (baseline, run, compare, schedule, violations, runs, relax, daemon)").arg(verb));
}

} // namespace cairn::cli
