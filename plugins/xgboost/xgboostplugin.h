#pragma once

#include "cairn/algorithms/algorithmplugin.h"

#include <QObject>

namespace cairn::plugins {

/// Gradient-boosted trees through XGBoost's C API: binary, multiclass and regression on tables.
class XgboostPlugin : public QObject, public AlgorithmPlugin
{
    Q_OBJECT
    Q_PLUGIN_METADATA(IID CAIRN_ALGORITHM_PLUGIN_IID FILE "xgboost.json")
    Q_INTERFACES(cairn::AlgorithmPlugin)
public:
    QList<AlgorithmInfo> algorithms() const override;
    std::unique_ptr<Trainer> createTrainer(const QString &algorithmId, const JobSpec &spec) override;
    std::unique_ptr<Predictor> loadPredictor(const ModelCard &card, const QString &modelDir) override;

    static ParameterSchema schema();
};

} // namespace cairn::plugins
