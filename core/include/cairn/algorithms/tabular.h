#pragma once

#include "cairn/algorithms/algorithmplugin.h"
#include "cairn/algorithms/modelcard.h"
#include "cairn/algorithms/task.h"
#include "cairn/data/featureencoder.h"
#include "cairn/data/table.h"

#include <QJsonArray>

#include <optional>
#include <vector>

namespace cairn {

/// A tabular training problem ready for a learner: encoded train and validation matrices,
/// labels (class indices) or values, and what is needed to write the model card.
struct TabularData
{
    Task task = Task::Regression;
    QString target;                 ///< empty for unsupervised learning without labels
    QStringList classes;            ///< classification: class names, index = label
    data::FeatureEncoder encoder;
    int width = 0;
    qsizetype nTrain = 0;
    qsizetype nValidation = 0;
    std::vector<float> xTrain;      ///< nTrain × width, row-major
    std::vector<float> xValidation;
    std::vector<int> labelsTrain;   ///< classification (and clustering with labels)
    std::vector<int> labelsValidation;
    std::vector<double> valuesTrain; ///< regression
    std::vector<double> valuesValidation;

    int classCount() const { return int(classes.size()); }
};

/// Reads the table of a CSV channel (other channel types throw cairn::Error).
data::Table readChannelTable(const data::ChannelSpec &channel);

/// binary/multiclass for categorical, boolean and text targets and for whole numbers with at
/// most 10 distinct values; regression otherwise.
Task inferTask(const data::Column &target);

/// The algorithm's own encoder options (`base`) refined by a job spec's "preprocessing" object:
/// "categoricalEncoding" (onehot, ordinal, target, auto), "oneHotMaxCardinality",
/// "datetimeParts", "textFeatures", "impute" (median + missing indicators; false keeps only the
/// imputation the algorithm itself needs), "scale" (standardise). "exclude" is applied by
/// prepareTabular. Throws cairn::Error for an unknown key or a value of the wrong kind.
data::FeatureEncoderOptions preprocessingOptions(const data::FeatureEncoderOptions &base, const QJsonObject &preprocessing);

/// Reads the job's train channel (and validation channel, or a seeded split of the training
/// rows, stratified for classification), drops rows without a target, fits the encoder on the
/// training rows (target encodings out of fold, see FeatureEncoder::fitTransform) and encodes
/// both sides. The spec's "preprocessing" refines `options` (see preprocessingOptions) and its
/// "exclude" columns are never features. `task` forces the task (e.g. clustering); else the
/// spec's task, else it is inferred. Logs what it did through `context`.
TabularData prepareTabular(JobContext &context, const data::FeatureEncoderOptions &options,
                           std::optional<Task> task = std::nullopt);

/// A model card filled with what every tabular model shares (task, target, classes, input
/// schema, preprocessing, hyperparameters, provenance); the trainer adds files and metrics.
ModelCard tabularModelCard(const JobContext &context, const TabularData &data, const QString &plugin);

/// Encodes raw rows with the model card's preprocessing.
std::vector<float> encodeForPrediction(const ModelCard &card, const data::Table &table);

/// Writes `text` to outputDir/relativePath, creating folders; throws cairn::Error on failure.
void writeOutputFile(const JobContext &context, const QString &relativePath, const QByteArray &text);

} // namespace cairn
