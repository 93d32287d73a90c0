#pragma once

#include "cairn/data/table.h"

#include <QJsonObject>
#include <QList>
#include <QString>
#include <QStringList>

#include <optional>
#include <vector>

namespace cairn::monitor {

/// SageMaker Model Monitor's inferred types.
enum class InferredType { Integral, Fractional, String, Unknown };
QString inferredTypeName(InferredType type);                       ///< "Integral", ...
std::optional<InferredType> inferredTypeFromName(const QString &name);

/// One bucket of a numeric histogram: [lowerBound, upperBound) (the last one closed).
struct NumericBucket
{
    double lowerBound = 0;
    double upperBound = 0;
    double count = 0;
};
/// One value of a string feature's distribution.
struct CategoryBucket
{
    QString value;
    double count = 0;
};

/// Statistics of one feature, as in SageMaker's statistics.json:
/// {"name", "inferred_type", "numerical_statistics": {"common": {"num_present", "num_missing"},
///  "mean", "sum", "std_dev", "min", "max", "distribution": {"kll": {"buckets": [{"lower_bound",
///  "upper_bound", "count"}], "sketch": {"parameters": {"c", "k"}, "data": [[quantiles]]}}}}}
/// or {"string_statistics": {"common", "distinct_count", "distribution": {"categorical":
/// {"buckets": [{"value", "count"}]}}}}.
struct FeatureStatistics
{
    QString name;
    InferredType inferredType = InferredType::Unknown;
    qint64 numPresent = 0;
    qint64 numMissing = 0;
    // Integral and Fractional:
    double mean = 0, sum = 0, stdDev = 0, min = 0, max = 0;
    std::vector<NumericBucket> buckets;   ///< 10 equal-width buckets over [min, max]
    std::vector<double> quantiles;        ///< the 0, 0.01, ..., 1 quantiles (101 values), the sketch data
    // String:
    qint64 distinctCount = 0;
    std::vector<CategoryBucket> categories; ///< every value with its count, most frequent first

    bool isNumeric() const { return inferredType == InferredType::Integral || inferredType == InferredType::Fractional; }
    double completeness() const { return numPresent + numMissing > 0 ? double(numPresent) / double(numPresent + numMissing) : 0; }
    QJsonObject toJson() const;
    static FeatureStatistics fromJson(const QJsonObject &json);
};

/// statistics.json: {"version": 0.0, "dataset": {"item_count"}, "features": [...]}.
struct Statistics
{
    qint64 itemCount = 0;
    QList<FeatureStatistics> features;

    const FeatureStatistics *feature(const QString &name) const; ///< nullptr when absent
    QJsonObject toJson() const;
    /// Throws cairn::Error naming `where` when the JSON is not of this shape.
    static Statistics fromJson(const QJsonObject &json, const QString &where = {});
    static Statistics load(const QString &path);   ///< throws cairn::Error
    void save(const QString &path) const;           ///< atomically; throws cairn::Error
};

/// Computes statistics of every column of `table` (numeric columns are Integral when every
/// present value is whole, else Fractional; categorical/text String; a column with nothing
/// present Unknown; booleans Integral 0/1).
Statistics computeStatistics(const data::Table &table);

/// monitoring_config of constraints.json. Thresholds are what SageMaker uses by default.
struct MonitoringConfig
{
    bool evaluateConstraints = true;
    bool emitMetrics = true;
    double datatypeCheckThreshold = 1.0;   ///< share of values of another type tolerated above the baseline's
    double domainContentThreshold = 1.0;   ///< share of unknown string values tolerated above the baseline's
    bool performComparison = true;         ///< distribution_constraints.perform_comparison
    double comparisonThreshold = 0.1;      ///< distribution_constraints.comparison_threshold (baseline_drift_check)
    QString comparisonMethod = QStringLiteral("Robust"); ///< "Robust" or "Simple"
    double categoricalComparisonThreshold = 0.1;
    QString categoricalDriftMethod = QStringLiteral("LInfinity"); ///< or "ChiSquared"
    // Cairn additions (ignored by SageMaker's containers): model quality.
    double qualityDropThreshold = 0.05;    ///< a metric falling this much under the baseline's is a violation

    QJsonObject toJson() const;
    static MonitoringConfig fromJson(const QJsonObject &json);
};

/// One feature of constraints.json: {"name", "inferred_type", "completeness",
/// "num_constraints": {"is_non_negative"}, "string_constraints": {"domains": [...]},
/// "monitoringConfigOverrides": {"comparison_threshold", ...}}. Edit these to relax a feature.
struct FeatureConstraint
{
    QString name;
    InferredType inferredType = InferredType::Unknown;
    double completeness = 1.0;               ///< least share of present values
    std::optional<bool> isNonNegative;       ///< numeric features
    std::optional<QStringList> domains;      ///< string features with few values (≤ 20 distinct)
    QJsonObject monitoringConfigOverrides;   ///< per-feature monitoring_config keys (e.g. comparison_threshold)

    /// The override of `key` when set, else `fallback`.
    double threshold(const QString &key, double fallback) const;
    QJsonObject toJson() const;
    static FeatureConstraint fromJson(const QJsonObject &json);
};

/// constraints.json: {"version": 0.0, "features": [...], "monitoring_config": {...}}.
struct Constraints
{
    QList<FeatureConstraint> features;
    MonitoringConfig config;

    FeatureConstraint *feature(const QString &name);               ///< nullptr when absent
    const FeatureConstraint *feature(const QString &name) const;
    QJsonObject toJson() const;
    static Constraints fromJson(const QJsonObject &json, const QString &where = {});
    static Constraints load(const QString &path);  ///< throws cairn::Error
    void save(const QString &path) const;           ///< atomically; throws cairn::Error
};

/// The constraints SageMaker suggests for data like the baseline's.
Constraints suggestConstraints(const Statistics &statistics);

/// A baseline folder: statistics.json, constraints.json, reference.csv (the reference rows the
/// drift tests compare with: the data itself, or a seeded random sample of at most
/// `maxReferenceRows`) and baseline.json ({"source", "rows", "columns", "created", "target",
/// "quality": {metric: value}}).
/// An endpoint's baseline lives in <workspace>/monitoring/<endpoint>/baseline.
struct Baseline
{
    QString directory;
    Statistics statistics;
    Constraints constraints;
    QString source;          ///< the data it was made from
    QString target;          ///< label column left out of the features (may be empty)
    qint64 created = 0;      ///< ms since the epoch
    QJsonObject quality;     ///< the model's metrics on its own data (from the model card), for quality checks

    QString statisticsPath() const;
    QString constraintsPath() const;
    QString referencePath() const;
    /// The reference rows (typed like the baseline). Throws cairn::Error.
    data::Table reference() const;

    /// Loads a baseline folder; throws cairn::Error naming what is missing.
    static Baseline load(const QString &directory);
};

struct BaselineOptions
{
    QString target;                 ///< column to leave out of the features (the label)
    QStringList excludeColumns;     ///< other columns to leave out (ids)
    qsizetype maxReferenceRows = 100000;
    QJsonObject quality;            ///< stored as baseline.json "quality"
};

/// Makes a baseline from a table: writes the folder and returns it. Throws cairn::Error.
Baseline createBaseline(const data::Table &table, const QString &source, const QString &directory,
                        const BaselineOptions &options = {});

} // namespace cairn::monitor
