#pragma once

#include "cairn/data/table.h"

#include <QJsonObject>

#include <optional>
#include <vector>

namespace cairn::data {

/// How categorical columns become numbers.
enum class CategoricalEncoding {
    Default, ///< follows FeatureEncoderOptions::oneHot (indicators, or category codes)
    OneHot,  ///< one 0/1 indicator per kept category
    Ordinal, ///< one feature holding the category code
    Target,  ///< smoothed mean of the target per category (one per class for multiclass)
    Auto,    ///< by cardinality: one-hot (or codes) for few categories, else target, else codes
};

QString categoricalEncodingName(CategoricalEncoding encoding);
std::optional<CategoricalEncoding> categoricalEncodingFromName(const QString &name);

struct FeatureEncoderOptions
{
    /// Categorical columns become one indicator per category; false: one feature holding the
    /// category code (for learners with native categorical support, e.g. XGBoost).
    bool oneHot = true;
    /// Continuous features become (x - mean) / std (neural nets, k-means). Indicators and
    /// category codes are left as they are.
    bool standardize = false;
    /// Missing numbers become the training mean (0 after standardizing); else they stay NaN.
    bool imputeMissing = false;
    /// The most frequent categories kept per column; rarer ones encode like an unseen value.
    int maxCategories = 64;

    CategoricalEncoding categoricalEncoding = CategoricalEncoding::Default;
    /// Auto: a column with at most this many categories is one-hot encoded (codes when oneHot
    /// is off); above it, target encoded when there is a target, else category codes.
    int oneHotMaxCardinality = 10;
    /// Target encoding: weight m of the prior in (sum + m·prior) / (count + m).
    double targetSmoothing = 10;
    /// Target encoding: folds of the out-of-fold means that encode the training rows.
    int targetFolds = 5;
    /// Seeds the assignment of training rows to target-encoding folds.
    quint64 seed = 42;
    /// Datetimes become year, month, day, day of week (Monday = 0) and, when times of day vary,
    /// hour; else one feature, days since 1970-01-01.
    bool datetimeParts = false;
    /// Text columns become character length, word count and 0/1 indicators of the most frequent
    /// lowercase word tokens; else they are dropped.
    bool textFeatures = false;
    int textTokens = 20;
    /// A token must appear in at least this fraction of the training rows (and in two rows).
    double textMinFrequency = 0.02;
    /// Missing numbers become the training median (needs imputeMissing).
    bool imputeMedian = false;
    /// Columns with missing values at fit time get a `<column>_missing` 0/1 feature.
    bool missingIndicators = false;
};

/// The target of a supervised problem, for target encoding: regression values (NaN unknown)
/// or class indices (-1 unknown) with the class names.
struct EncoderTarget
{
    std::vector<double> values;
    std::vector<int> labels;
    QStringList classes;

    static EncoderTarget regression(std::vector<double> values);
    static EncoderTarget classification(std::vector<int> labels, QStringList classes);
    bool isEmpty() const { return values.empty() && labels.empty(); }
    bool isClassification() const { return !classes.isEmpty(); }
    /// Target-encoding outputs: 1 for regression and binary, the class count for multiclass.
    int outputs() const { return classes.size() > 2 ? int(classes.size()) : 1; }
};

/// Turns table columns into a dense float matrix the same way at training and prediction time.
/// Fitted on the training rows; serialised into the model card so `cairn predict` applies the
/// identical preprocessing to raw rows (unseen categories and missing values included).
/// By default text columns are not features (they are listed as dropped), booleans are 0/1 and
/// datetimes are days since 1970-01-01; the options add encodings, imputation and scaling.
class FeatureEncoder
{
public:
    enum class Encoding { Number, OneHot, Ordinal, Target, DatetimeParts, Text };

    /// One input column and how it is encoded (one or more output features).
    struct Feature
    {
        QString column;
        ColumnType type = ColumnType::Numeric;
        Encoding encoding = Encoding::Number;
        QStringList categories; ///< OneHot/Ordinal/Target: the kept categories, in feature order
        double mean = 0;        ///< Number: standardisation
        double scale = 1;
        double fill = 0;        ///< Number: the value of a missing number when imputing
        bool missingIndicator = false; ///< Number/DatetimeParts: a trailing `<column>_missing` feature
        QStringList parts;      ///< DatetimeParts: "year", "month", "day", "dayofweek", "hour"
        QStringList tokens;     ///< Text: the indicator tokens
        QStringList targetNames; ///< Target: one per output (class names for multiclass, else empty)
        std::vector<double> targetMeans; ///< Target: categories × outputs, row-major
        std::vector<double> targetPrior; ///< Target: per output; unseen and missing categories
        /// DatetimeParts (per part), Text (length, words), Target (per output): standardisation
        /// and, for DatetimeParts, the imputed value (the training median).
        std::vector<double> means, scales, fills;

        int width() const;
    };

    void fit(const Table &table, const QStringList &columns, const FeatureEncoderOptions &options = {});
    /// Also fits target encodings on `target` (one entry per row of `table`).
    void fit(const Table &table, const QStringList &columns, const FeatureEncoderOptions &options, const EncoderTarget &target);
    /// fit() and the training rows encoded for the learner: as transform(), except that target
    /// encoded features hold out-of-fold means, so no row's encoding uses its own target.
    std::vector<float> fitTransform(const Table &table, const QStringList &columns, const FeatureEncoderOptions &options,
                                    const EncoderTarget &target, const QString &source = {});
    /// Rows × width(), row-major. Throws cairn::Error naming `source` when a column is absent.
    std::vector<float> transform(const Table &table, const QString &source = {}) const;

    int width() const { return m_width; }
    /// e.g. "age", "sex=male", "cabin_te", "date:month", "name:length", "name:word=mr", "age_missing".
    QStringList featureNames() const;
    /// Per output feature: the index in inputColumns() of the column it comes from (to sum
    /// per-feature contributions back to input columns).
    std::vector<int> featureColumns() const;
    /// Per output feature: true for a categorical code feature (ordinal encoding).
    std::vector<bool> categoricalFeatures() const;
    const QList<Feature> &features() const { return m_features; }
    QStringList inputColumns() const;
    QStringList droppedColumns() const { return m_dropped; }
    const FeatureEncoderOptions &options() const { return m_options; }
    /// One line per kind of encoding used, for job logs (e.g. "target encoded: cabin, ticket").
    QStringList describe() const;

    QJsonObject toJson() const;
    /// Reads toJson() output, including that of older builds (which had no per-feature encoding).
    static FeatureEncoder fromJson(const QJsonObject &json);
    /// Throws cairn::Error naming the column and data row (1-based) of the first number beyond
    /// the ±3.4e38 of the 32-bit floats training works in (1e308 would reach a learner as
    /// infinity). `source` names the table in the message; columns in `skip` are not checked.
    static void checkFloatRange(const Table &table, const QString &source, const QStringList &skip = {});

private:
    void fitImpl(const Table &table, const QStringList &columns, const FeatureEncoderOptions &options,
                 const EncoderTarget *target, std::vector<std::vector<double>> *outOfFold);

    FeatureEncoderOptions m_options;
    QList<Feature> m_features;
    QStringList m_dropped;
    int m_width = 0;
};

} // namespace cairn::data
