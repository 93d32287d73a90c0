#pragma once

#include "cairn/algorithms/algorithmplugin.h"

#include <QObject>

namespace cairn::plugins {

/// Algorithms written directly in C++ without a back-end library: k-means.
class ClassicPlugin : public QObject, public AlgorithmPlugin
{
    Q_OBJECT
    Q_PLUGIN_METADATA(IID CAIRN_ALGORITHM_PLUGIN_IID FILE "classic.json")
    Q_INTERFACES(cairn::AlgorithmPlugin)
public:
    QList<AlgorithmInfo> algorithms() const override;
    std::unique_ptr<Trainer> createTrainer(const QString &algorithmId, const JobSpec &spec) override;
    std::unique_ptr<Predictor> loadPredictor(const ModelCard &card, const QString &modelDir) override;

    static ParameterSchema kmeansSchema();
};

} // namespace cairn::plugins
