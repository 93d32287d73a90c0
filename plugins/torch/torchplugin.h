#pragma once

#include "cairn/algorithms/algorithmplugin.h"

#include <QObject>

namespace cairn::plugins {

/// Neural networks on libtorch: the linear learner and an MLP for tables, a CNN for images.
class TorchPlugin : public QObject, public AlgorithmPlugin
{
    Q_OBJECT
    Q_PLUGIN_METADATA(IID CAIRN_ALGORITHM_PLUGIN_IID FILE "torch.json")
    Q_INTERFACES(cairn::AlgorithmPlugin)
public:
    QList<AlgorithmInfo> algorithms() const override;
    std::unique_ptr<Trainer> createTrainer(const QString &algorithmId, const JobSpec &spec) override;
    std::unique_ptr<Predictor> loadPredictor(const ModelCard &card, const QString &modelDir) override;

    static ParameterSchema linearSchema();
    static ParameterSchema mlpSchema();
    static ParameterSchema cnnSchema();
};

// Implemented in tabularnets.cpp and cnn.cpp (the translation units that include torch).
std::unique_ptr<Trainer> makeTabularNetTrainer(bool linear);
std::unique_ptr<Predictor> loadTabularNetPredictor(const ModelCard &card, const QString &modelDir);
std::unique_ptr<Trainer> makeCnnTrainer();
std::unique_ptr<Predictor> loadCnnPredictor(const ModelCard &card, const QString &modelDir);

} // namespace cairn::plugins
