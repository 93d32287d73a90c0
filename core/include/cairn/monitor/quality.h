#pragma once

#include "cairn/data/table.h"

#include <QHash>
#include <QJsonObject>
#include <QMap>
#include <QString>
#include <QStringList>

namespace cairn::monitor {

/// Model quality over one window: measured from ground truth, or (classifiers without labels
/// yet) estimated from the model's probabilities with confidence-based performance estimation
/// (NannyML's CBPE: the expected accuracy/F1 when the probabilities are calibrated).
struct QualityMetrics
{
    QString problemType;        ///< "binary", "multiclass" or "regression"
    qint64 count = 0;           ///< rows the metrics are over
    bool estimated = false;     ///< true: CBPE estimate, no labels used
    /// binary/multiclass: accuracy, f1, auc (binary; multiclass macro one-vs-rest);
    /// regression: rmse, mae, r2.
    QMap<QString, double> metrics;

    bool isEmpty() const { return count == 0; }
    QJsonObject toJson() const;
    static QualityMetrics fromJson(const QJsonObject &json);
};

/// Ground truth labels keyed by event id (or inference id): a CSV with columns eventId (or
/// inferenceId) and label (or groundTruth), or SageMaker's ground truth JSON Lines
/// {"groundTruthData": {"data": "1", "encoding": "CSV"}, "eventMetadata": {"eventId": "..."}}.
/// Throws cairn::Error naming file:line for what cannot be read.
QHash<QString, QString> loadGroundTruth(const QString &path);

/// Measured quality of the captured answers `outputs` (capturedOutputs(), ids in `eventIds`)
/// against `labels`. Rows without a label are left out; an empty result when none match.
QualityMetrics measureQuality(const data::Table &outputs, const QStringList &eventIds, const QHash<QString, QString> &labels);

/// CBPE estimate from the probability_<class> columns of `outputs` (empty for regression or
/// when the answers carry no probabilities).
QualityMetrics estimateQuality(const data::Table &outputs);

} // namespace cairn::monitor
