#pragma once

#include "cairn/algorithms/jobcontext.h"
#include "cairn/algorithms/parameterschema.h"
#include "cairn/algorithms/task.h"
#include "cairn/data/channel.h"

#include <QJsonObject>
#include <QList>
#include <QString>
#include <QStringList>
#include <QtPlugin>

#include <memory>
#include <optional>
#include <vector>

namespace cairn {

struct ModelCard;
struct Contributions;
namespace data { class Table; }

/// The plugin API version: a plugin whose metadata names another apiVersion is not loaded.
constexpr int kAlgorithmApiVersion = 2; // 2: AlgorithmInfo::distributed

/// One algorithm a plugin offers.
struct AlgorithmInfo
{
    QString id;           ///< what specs and the CLI use: "xgboost", "kmeans", "mlp"
    QString name;         ///< shown in the form
    QString description;
    QList<Task> tasks;
    QString input;        ///< "tabular" or "image"
    bool distributed = false; ///< trains data-parallel on several processes (resources.instances > 1)
    ParameterSchema schema;

    QJsonObject toJson() const;
};

/// Trains one model. run() throws cairn::Error on failure; it returns normally when done or
/// when stopRequested() turned true (having saved what it has).
class Trainer
{
public:
    virtual ~Trainer() = default;
    virtual void run(JobContext &context) = 0;
};

/// What to predict on: the channel, and the table already read when it is a CSV.
struct PredictionInput
{
    data::ChannelSpec channel;
    const data::Table *table = nullptr;
};

/// A model's answers. Classification: labels are indices into classes and probabilities is
/// rows × classes (row-major). Regression: values. Clustering: labels are cluster numbers.
struct Predictions
{
    Task task = Task::Regression;
    QStringList classes;
    std::vector<int> labels;
    std::vector<double> values;
    std::vector<float> probabilities;
    qsizetype rows() const { return task == Task::Regression ? qsizetype(values.size()) : qsizetype(labels.size()); }
};

/// A trained model loaded back from its folder (model card + files).
class Predictor
{
public:
    virtual ~Predictor() = default;
    virtual Predictions predict(const PredictionInput &input) = 0;
    /// The model's own per-row contributions of the input columns (cairn/algorithms/explain.h),
    /// e.g. SHAP values of tree models; nullopt (the default) when it has none, and callers
    /// fall back to a model-agnostic method. Defined in explain.cpp.
    virtual std::optional<Contributions> contributions(const PredictionInput &input);
};

/// The interface every algorithm plugin implements (QtCore only, no widgets). Its metadata
/// JSON (Q_PLUGIN_METADATA FILE) carries {"id", "apiVersion", "algorithms": [{"id", "name",
/// "tasks", "input"}]} so the plugin manager lists algorithms without loading the library.
class AlgorithmPlugin
{
public:
    virtual ~AlgorithmPlugin() = default;
    virtual QList<AlgorithmInfo> algorithms() const = 0;
    /// Throws cairn::Error for an unknown id or a spec the algorithm cannot run.
    virtual std::unique_ptr<Trainer> createTrainer(const QString &algorithmId, const JobSpec &spec) = 0;
    virtual std::unique_ptr<Predictor> loadPredictor(const ModelCard &card, const QString &modelDir) = 0;
};

} // namespace cairn

#define CAIRN_ALGORITHM_PLUGIN_IID "org.cairnstudio.AlgorithmPlugin/1"
Q_DECLARE_INTERFACE(cairn::AlgorithmPlugin, CAIRN_ALGORITHM_PLUGIN_IID)
