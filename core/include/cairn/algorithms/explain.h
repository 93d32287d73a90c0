#pragma once

#include "cairn/algorithms/algorithmplugin.h"

#include <QByteArray>
#include <QJsonArray>
#include <QList>
#include <QString>
#include <QStringList>

#include <vector>

namespace cairn {

struct ModelCard;
namespace data { class Table; }

/// Per-row explanations: how much each input column moved the model's output for that row.
/// "shap": exact tree SHAP values from the model (XGBoost), in the model's margin space (log-odds
/// for binary:logistic, the raw class score for multiclass, the value for regression); for every
/// row base + Σ values = the margin. "occlusion": a model-agnostic approximation (not SHAP): the
/// change of the output when the column is replaced by a background value; the sum only equals
/// output − base for additive models.
struct Contributions
{
    QString method;               ///< "shap" or "occlusion"
    QStringList features;         ///< the model's input columns
    QString target;               ///< the class explained when it is the same for every row (binary: the positive class); else empty
    std::vector<double> values;   ///< rows × features, row-major
    std::vector<double> base;     ///< per row: the expected (shap) or background (occlusion) output
    QString output;               ///< what is explained: "margin", "probability" or "value"
    std::vector<int> rowClasses;  ///< classification: per row, the class index explained; empty for regression

    qsizetype rows() const { return qsizetype(base.size()); }
    double value(qsizetype row, qsizetype feature) const { return values[size_t(row) * size_t(features.size()) + size_t(feature)]; }
};

/// The model's input columns: the encoder's input columns, else the card's input schema.
QStringList modelInputColumns(const ModelCard &card);

/// The predictor's own contributions when it has them (XGBoost: SHAP), else occlusion.
Contributions explainRows(Predictor &predictor, const ModelCard &card, const data::Table &rows,
                          const data::Table *background = nullptr);

/// The model-agnostic method alone. For each row and input column: output(row) − output(row with
/// the column set to its background value); base = output on the all-background row. Background
/// values are the median of numbers (mode of booleans) and the mode of categories, taken from
/// `background` or else from `rows`. The output is the positive-class probability (binary), the
/// probability of the row's predicted class (multiclass) or the value (regression). One predict
/// call per column, on all rows at once.
Contributions occlusionContributions(Predictor &predictor, const ModelCard &card, const data::Table &rows,
                                     const data::Table *background = nullptr);

struct FeatureImportance
{
    QString feature;
    double importance = 0;
    double stddev = 0;
};

/// True for metrics where lower is better (log_loss, mse, rmse, mae).
bool isLossMetric(const QString &metric);

/// Permutation importance: for each input column, the metric's loss when that column's values are
/// shuffled across rows, averaged over `repeats` seeded shuffles (stddev across them), oriented so
/// that bigger = more important. `rows` must hold the card's target; rows without a known target
/// are skipped. `metric` is a key of classificationMetrics()/regressionMetrics() values(); empty
/// picks f1 (binary), accuracy (multiclass) or mse (regression). Sorted, most important first.
QList<FeatureImportance> permutationImportance(Predictor &predictor, const ModelCard &card, const data::Table &rows,
                                               const QString &metric, int repeats = 3, quint64 seed = 1);

/// Mean |contribution| per feature (stddev: the spread of |contribution| across rows), sorted.
QList<FeatureImportance> shapImportance(const Contributions &contributions);

/// [{feature, importance, stddev}] and "feature,importance,stddev" CSV.
QJsonArray importanceToJson(const QList<FeatureImportance> &importance);
QByteArray importanceCsv(const QList<FeatureImportance> &importance);

} // namespace cairn
