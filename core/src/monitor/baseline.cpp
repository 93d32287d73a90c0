// Baselines in SageMaker Model Monitor's shapes: statistics.json and constraints.json.
#include "cairn/monitor/baseline.h"

#include "cairn/data/csvreader.h"
#include "cairn/data/csvwriter.h"
#include "monitor/monitorutil.h"
#include "cairn/util/error.h"

#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QHash>
#include <QJsonArray>
#include <QRandomGenerator>

#include <algorithm>
#include <cmath>
#include <numeric>

namespace cairn::monitor {

namespace {

QString key(const char *s)
{
    return QString::fromLatin1(s);
}

} // namespace

QString inferredTypeName(InferredType type)
{
    switch (type) {
    case InferredType::Integral: return QStringLiteral("Integral");
    case InferredType::Fractional: return QStringLiteral("Fractional");
    case InferredType::String: return QStringLiteral("String");
    case InferredType::Unknown: break;
    }
    return QStringLiteral("Unknown");
}

std::optional<InferredType> inferredTypeFromName(const QString &name)
{
    for (InferredType t : {InferredType::Integral, InferredType::Fractional, InferredType::String, InferredType::Unknown})
        if (inferredTypeName(t).compare(name, Qt::CaseInsensitive) == 0)
            return t;
    return std::nullopt;
}

QJsonObject FeatureStatistics::toJson() const
{
    QJsonObject o{{key("name"), name}, {key("inferred_type"), inferredTypeName(inferredType)}};
    const QJsonObject common{{key("num_present"), numPresent}, {key("num_missing"), numMissing}};
    if (isNumeric()) {
        QJsonArray b;
        for (const NumericBucket &x : buckets)
            b.append(QJsonObject{{key("lower_bound"), x.lowerBound}, {key("upper_bound"), x.upperBound}, {key("count"), x.count}});
        QJsonArray q;
        for (double v : quantiles)
            q.append(v);
        const QJsonObject sketch{{key("parameters"), QJsonObject{{key("c"), 0.64}, {key("k"), 2048.0}}}, {key("data"), QJsonArray{q}}};
        o.insert(key("numerical_statistics"),
                 QJsonObject{{key("common"), common}, {key("mean"), mean}, {key("sum"), sum}, {key("std_dev"), stdDev},
                             {key("min"), min}, {key("max"), max},
                             {key("distribution"), QJsonObject{{key("kll"), QJsonObject{{key("buckets"), b}, {key("sketch"), sketch}}}}}});
    } else if (inferredType == InferredType::String) {
        QJsonArray b;
        for (const CategoryBucket &c : categories)
            b.append(QJsonObject{{key("value"), c.value}, {key("count"), c.count}});
        o.insert(key("string_statistics"),
                 QJsonObject{{key("common"), common}, {key("distinct_count"), double(distinctCount)},
                             {key("distribution"), QJsonObject{{key("categorical"), QJsonObject{{key("buckets"), b}}}}}});
    } else {
        o.insert(key("string_statistics"), QJsonObject{{key("common"), common}, {key("distinct_count"), 0}});
    }
    return o;
}

FeatureStatistics FeatureStatistics::fromJson(const QJsonObject &o)
{
    FeatureStatistics f;
    f.name = o.value(key("name")).toString();
    f.inferredType = inferredTypeFromName(o.value(key("inferred_type")).toString()).value_or(InferredType::Unknown);
    const QJsonObject num = o.value(key("numerical_statistics")).toObject();
    const QJsonObject str = o.value(key("string_statistics")).toObject();
    const QJsonObject common = (num.isEmpty() ? str : num).value(key("common")).toObject();
    f.numPresent = qint64(common.value(key("num_present")).toDouble());
    f.numMissing = qint64(common.value(key("num_missing")).toDouble());
    if (!num.isEmpty()) {
        f.mean = num.value(key("mean")).toDouble();
        f.sum = num.value(key("sum")).toDouble();
        f.stdDev = num.value(key("std_dev")).toDouble();
        f.min = num.value(key("min")).toDouble();
        f.max = num.value(key("max")).toDouble();
        const QJsonObject kll = num.value(key("distribution")).toObject().value(key("kll")).toObject();
        for (const QJsonValue &v : kll.value(key("buckets")).toArray()) {
            const QJsonObject b = v.toObject();
            f.buckets.push_back({b.value(key("lower_bound")).toDouble(), b.value(key("upper_bound")).toDouble(), b.value(key("count")).toDouble()});
        }
        const QJsonArray data = kll.value(key("sketch")).toObject().value(key("data")).toArray();
        if (!data.isEmpty())
            for (const QJsonValue &v : data.first().toArray())
                f.quantiles.push_back(v.toDouble());
    }
    if (!str.isEmpty()) {
        f.distinctCount = qint64(str.value(key("distinct_count")).toDouble());
        for (const QJsonValue &v : str.value(key("distribution")).toObject().value(key("categorical")).toObject().value(key("buckets")).toArray()) {
            const QJsonObject b = v.toObject();
            const QJsonValue value = b.value(key("value"));
            f.categories.push_back({value.isString() ? value.toString() : QString::number(value.toDouble()), b.value(key("count")).toDouble()});
        }
    }
    return f;
}

const FeatureStatistics *Statistics::feature(const QString &name) const
{
    for (const FeatureStatistics &f : features)
        if (f.name == name)
            return &f;
    return nullptr;
}

QJsonObject Statistics::toJson() const
{
    QJsonArray a;
    for (const FeatureStatistics &f : features)
        a.append(f.toJson());
    return {{key("version"), 0.0}, {key("dataset"), QJsonObject{{key("item_count"), double(itemCount)}}}, {key("features"), a}};
}

Statistics Statistics::fromJson(const QJsonObject &json, const QString &where)
{
    if (!json.value(key("features")).isArray())
        throw Error(QStringLiteral("%1: not a statistics.json (no \"features\" list)").arg(where.isEmpty() ? QStringLiteral("statistics") : where));
    Statistics s;
    s.itemCount = qint64(json.value(key("dataset")).toObject().value(key("item_count")).toDouble());
    for (const QJsonValue &v : json.value(key("features")).toArray())
        s.features << FeatureStatistics::fromJson(v.toObject());
    return s;
}

Statistics Statistics::load(const QString &path)
{
    return fromJson(readJsonObject(path), path);
}

void Statistics::save(const QString &path) const
{
    writeJsonObject(path, toJson());
}

namespace {

FeatureStatistics numericStatistics(const data::Column &c)
{
    FeatureStatistics f;
    f.name = c.name;
    std::vector<double> v;
    v.reserve(c.values.size());
    for (double x : c.values)
        if (!std::isnan(x))
            v.push_back(x);
    f.numPresent = qint64(v.size());
    f.numMissing = qint64(c.values.size()) - f.numPresent;
    if (v.empty()) {
        f.inferredType = InferredType::Unknown;
        return f;
    }
    bool whole = true;
    for (double x : v)
        if (x != std::floor(x) || std::isinf(x)) {
            whole = false;
            break;
        }
    f.inferredType = whole ? InferredType::Integral : InferredType::Fractional;
    f.sum = std::accumulate(v.begin(), v.end(), 0.0);
    f.mean = f.sum / double(v.size());
    double ss = 0;
    for (double x : v)
        ss += (x - f.mean) * (x - f.mean);
    f.stdDev = std::sqrt(ss / double(v.size()));
    std::sort(v.begin(), v.end());
    f.min = v.front();
    f.max = v.back();
    for (int q = 0; q <= 100; ++q) {
        // Linear interpolation between order statistics (numpy's default).
        const double pos = double(q) / 100.0 * double(v.size() - 1);
        const size_t lo = size_t(std::floor(pos));
        const size_t hi = std::min(lo + 1, v.size() - 1);
        f.quantiles.push_back(v[lo] + (v[hi] - v[lo]) * (pos - double(lo)));
    }
    const int bins = 10;
    const double width = (f.max - f.min) / bins;
    for (int b = 0; b < bins; ++b)
        f.buckets.push_back({f.min + b * width, b == bins - 1 ? f.max : f.min + (b + 1) * width, 0});
    for (double x : v) {
        int b = width > 0 ? int((x - f.min) / width) : 0;
        f.buckets[size_t(std::clamp(b, 0, bins - 1))].count += 1;
    }
    return f;
}

FeatureStatistics stringStatistics(const data::Column &c)
{
    FeatureStatistics f;
    f.name = c.name;
    f.inferredType = InferredType::String;
    std::vector<qint64> counts(size_t(c.categories.size()), 0);
    for (std::int32_t code : c.codes) {
        if (code < 0)
            ++f.numMissing;
        else if (size_t(code) < counts.size())
            ++counts[size_t(code)];
    }
    f.numPresent = qint64(c.codes.size()) - f.numMissing;
    if (f.numPresent == 0)
        f.inferredType = InferredType::Unknown;
    for (size_t i = 0; i < counts.size(); ++i)
        if (counts[i] > 0)
            f.categories.push_back({c.categories.at(qsizetype(i)), double(counts[i])});
    std::stable_sort(f.categories.begin(), f.categories.end(), [](const CategoryBucket &a, const CategoryBucket &b) { return a.count > b.count; });
    f.distinctCount = qint64(f.categories.size());
    return f;
}

} // namespace

Statistics computeStatistics(const data::Table &table)
{
    Statistics s;
    s.itemCount = table.rowCount();
    for (const data::Column &c : table.columns)
        s.features << (c.isNumeric() ? numericStatistics(c) : stringStatistics(c));
    return s;
}

QJsonObject MonitoringConfig::toJson() const
{
    auto enabled = [](bool b) { return b ? QStringLiteral("Enabled") : QStringLiteral("Disabled"); };
    return {{key("evaluate_constraints"), enabled(evaluateConstraints)},
            {key("emit_metrics"), enabled(emitMetrics)},
            {key("datatype_check_threshold"), datatypeCheckThreshold},
            {key("domain_content_threshold"), domainContentThreshold},
            {key("distribution_constraints"), QJsonObject{{key("perform_comparison"), enabled(performComparison)},
                                                          {key("comparison_threshold"), comparisonThreshold},
                                                          {key("comparison_method"), comparisonMethod},
                                                          {key("categorical_comparison_threshold"), categoricalComparisonThreshold},
                                                          {key("categorical_drift_method"), categoricalDriftMethod}}},
            {key("quality_drop_threshold"), qualityDropThreshold}};
}

MonitoringConfig MonitoringConfig::fromJson(const QJsonObject &o)
{
    MonitoringConfig c;
    auto enabled = [&](const QJsonObject &obj, const char *k, bool fallback) {
        const QJsonValue v = obj.value(key(k));
        return v.isString() ? v.toString().compare(QLatin1String("Disabled"), Qt::CaseInsensitive) != 0 : fallback;
    };
    c.evaluateConstraints = enabled(o, "evaluate_constraints", true);
    c.emitMetrics = enabled(o, "emit_metrics", true);
    c.datatypeCheckThreshold = o.value(key("datatype_check_threshold")).toDouble(c.datatypeCheckThreshold);
    c.domainContentThreshold = o.value(key("domain_content_threshold")).toDouble(c.domainContentThreshold);
    const QJsonObject d = o.value(key("distribution_constraints")).toObject();
    c.performComparison = enabled(d, "perform_comparison", true);
    c.comparisonThreshold = d.value(key("comparison_threshold")).toDouble(c.comparisonThreshold);
    c.comparisonMethod = d.value(key("comparison_method")).toString(c.comparisonMethod);
    c.categoricalComparisonThreshold = d.value(key("categorical_comparison_threshold")).toDouble(c.categoricalComparisonThreshold);
    c.categoricalDriftMethod = d.value(key("categorical_drift_method")).toString(c.categoricalDriftMethod);
    c.qualityDropThreshold = o.value(key("quality_drop_threshold")).toDouble(c.qualityDropThreshold);
    return c;
}

double FeatureConstraint::threshold(const QString &k, double fallback) const
{
    const QJsonValue v = monitoringConfigOverrides.value(k);
    return v.isDouble() ? v.toDouble() : fallback;
}

QJsonObject FeatureConstraint::toJson() const
{
    QJsonObject o{{key("name"), name}, {key("inferred_type"), inferredTypeName(inferredType)}, {key("completeness"), completeness}};
    if (isNonNegative)
        o.insert(key("num_constraints"), QJsonObject{{key("is_non_negative"), *isNonNegative}});
    if (domains)
        o.insert(key("string_constraints"), QJsonObject{{key("domains"), QJsonArray::fromStringList(*domains)}});
    o.insert(key("monitoringConfigOverrides"), monitoringConfigOverrides);
    return o;
}

FeatureConstraint FeatureConstraint::fromJson(const QJsonObject &o)
{
    FeatureConstraint f;
    f.name = o.value(key("name")).toString();
    f.inferredType = inferredTypeFromName(o.value(key("inferred_type")).toString()).value_or(InferredType::Unknown);
    f.completeness = o.value(key("completeness")).toDouble(1.0);
    const QJsonObject num = o.value(key("num_constraints")).toObject();
    if (num.contains(key("is_non_negative")))
        f.isNonNegative = num.value(key("is_non_negative")).toBool();
    const QJsonObject str = o.value(key("string_constraints")).toObject();
    if (str.value(key("domains")).isArray()) {
        QStringList d;
        for (const QJsonValue &v : str.value(key("domains")).toArray())
            d << (v.isString() ? v.toString() : QString::number(v.toDouble()));
        f.domains = d;
    }
    f.monitoringConfigOverrides = o.value(key("monitoringConfigOverrides")).toObject();
    return f;
}

FeatureConstraint *Constraints::feature(const QString &name)
{
    for (FeatureConstraint &f : features)
        if (f.name == name)
            return &f;
    return nullptr;
}

const FeatureConstraint *Constraints::feature(const QString &name) const
{
    return const_cast<Constraints *>(this)->feature(name);
}

QJsonObject Constraints::toJson() const
{
    QJsonArray a;
    for (const FeatureConstraint &f : features)
        a.append(f.toJson());
    return {{key("version"), 0.0}, {key("features"), a}, {key("monitoring_config"), config.toJson()}};
}

Constraints Constraints::fromJson(const QJsonObject &json, const QString &where)
{
    if (!json.value(key("features")).isArray())
        throw Error(QStringLiteral("%1: not a constraints.json (no \"features\" list)").arg(where.isEmpty() ? QStringLiteral("constraints") : where));
    Constraints c;
    for (const QJsonValue &v : json.value(key("features")).toArray())
        c.features << FeatureConstraint::fromJson(v.toObject());
    c.config = MonitoringConfig::fromJson(json.value(key("monitoring_config")).toObject());
    return c;
}

Constraints Constraints::load(const QString &path)
{
    return fromJson(readJsonObject(path), path);
}

void Constraints::save(const QString &path) const
{
    writeJsonObject(path, toJson());
}

Constraints suggestConstraints(const Statistics &statistics)
{
    Constraints c;
    for (const FeatureStatistics &f : statistics.features) {
        FeatureConstraint k;
        k.name = f.name;
        k.inferredType = f.inferredType;
        k.completeness = f.completeness();
        if (f.isNumeric())
            k.isNonNegative = f.numPresent > 0 && f.min >= 0;
        // SageMaker lists the domain of string features with few distinct values.
        if (f.inferredType == InferredType::String && f.distinctCount <= 20) {
            QStringList d;
            for (const CategoryBucket &b : f.categories)
                d << b.value;
            k.domains = d;
        }
        c.features << k;
    }
    return c;
}

QString Baseline::statisticsPath() const
{
    return QDir(directory).filePath(QStringLiteral("statistics.json"));
}

QString Baseline::constraintsPath() const
{
    return QDir(directory).filePath(QStringLiteral("constraints.json"));
}

QString Baseline::referencePath() const
{
    return QDir(directory).filePath(QStringLiteral("reference.csv"));
}

QHash<QString, data::ColumnType> baselineColumnTypes(const Statistics &statistics)
{
    QHash<QString, data::ColumnType> types;
    for (const FeatureStatistics &f : statistics.features)
        types.insert(f.name, f.isNumeric() ? data::ColumnType::Numeric : data::ColumnType::Categorical);
    return types;
}

data::Table Baseline::reference() const
{
    data::CsvOptions options;
    options.types = baselineColumnTypes(statistics);
    return data::CsvReader::read(referencePath(), options);
}

Baseline Baseline::load(const QString &dir)
{
    Baseline b;
    b.directory = QDir(dir).absolutePath();
    if (!QFileInfo(b.statisticsPath()).isFile())
        throw Error(QStringLiteral("%1 is not a baseline: it has no statistics.json (make one with cairn monitor baseline)").arg(b.directory));
    b.statistics = Statistics::load(b.statisticsPath());
    b.constraints = QFileInfo(b.constraintsPath()).isFile() ? Constraints::load(b.constraintsPath()) : suggestConstraints(b.statistics);
    const QString meta = QDir(dir).filePath(QStringLiteral("baseline.json"));
    if (QFileInfo(meta).isFile()) {
        const QJsonObject o = readJsonObject(meta);
        b.source = o.value(key("source")).toString();
        b.target = o.value(key("target")).toString();
        b.created = qint64(o.value(key("created")).toDouble());
        b.quality = o.value(key("quality")).toObject();
    }
    if (!QFileInfo(b.referencePath()).isFile())
        throw Error(QStringLiteral("%1: reference.csv is missing (make the baseline again with cairn monitor baseline)").arg(b.directory));
    return b;
}

Baseline createBaseline(const data::Table &input, const QString &source, const QString &directory, const BaselineOptions &options)
{
    if (input.rowCount() == 0)
        throw Error(QStringLiteral("%1 has no rows: a baseline needs data").arg(source));
    data::Table table;
    for (const data::Column &c : input.columns)
        if (c.name != options.target && !options.excludeColumns.contains(c.name))
            table.columns << c;
    if (!options.target.isEmpty() && input.indexOf(options.target) < 0)
        throw Error(QStringLiteral("%1 has no column '%2' (columns: %3)").arg(source, options.target, input.columnNames().join(QStringLiteral(", "))));
    if (table.columnCount() == 0)
        throw Error(QStringLiteral("%1: no feature columns are left for the baseline").arg(source));
    if (!QDir().mkpath(directory))
        throw Error(QStringLiteral("cannot create %1").arg(directory));

    Baseline b;
    b.directory = QDir(directory).absolutePath();
    b.source = source;
    b.target = options.target;
    b.created = QDateTime::currentMSecsSinceEpoch();
    b.quality = options.quality;
    b.statistics = computeStatistics(table);
    b.constraints = suggestConstraints(b.statistics);

    // The reference rows: all of them, or a seeded sample so the folder stays small.
    data::Table reference = table;
    if (options.maxReferenceRows > 0 && table.rowCount() > options.maxReferenceRows) {
        std::vector<qsizetype> rows(size_t(table.rowCount()));
        std::iota(rows.begin(), rows.end(), 0);
        QRandomGenerator rng(20261207);
        for (qsizetype i = 0; i < options.maxReferenceRows; ++i)
            std::swap(rows[size_t(i)], rows[size_t(i + qsizetype(rng.bounded(quint64(table.rowCount() - i))))]);
        rows.resize(size_t(options.maxReferenceRows));
        std::sort(rows.begin(), rows.end());
        reference = table.select(rows);
    }
    QByteArray csv = data::csvLine(reference.columnNames());
    QStringList fields;
    for (qsizetype r = 0; r < reference.rowCount(); ++r) {
        fields.clear();
        for (const data::Column &c : reference.columns)
            fields << c.text(r);
        csv += data::csvLine(fields);
    }
    writeFileAtomically(b.referencePath(), csv);
    b.statistics.save(b.statisticsPath());
    b.constraints.save(b.constraintsPath());
    writeJsonObject(QDir(directory).filePath(QStringLiteral("baseline.json")),
                    QJsonObject{{key("source"), source},
                                {key("rows"), double(table.rowCount())},
                                {key("referenceRows"), double(reference.rowCount())},
                                {key("columns"), QJsonArray::fromStringList(table.columnNames())},
                                {key("created"), double(b.created)},
                                {key("target"), options.target},
                                {key("quality"), options.quality}});
    return b;
}

} // namespace cairn::monitor
