#pragma once

#include "cairn/algorithms/algorithmplugin.h"
#include "cairn/algorithms/parameterschema.h"

#include <memory>

namespace cairn::plugins {

/// k-nearest neighbours on standardised, imputed table features: classification by (weighted)
/// votes, regression by the (weighted) mean of the neighbours' values. The model keeps the
/// encoded training rows; prediction compares each row with all of them.
ParameterSchema knnSchema();
std::unique_ptr<Trainer> createKnnTrainer();
std::unique_ptr<Predictor> loadKnnPredictor(const ModelCard &card, const QString &modelDir);

} // namespace cairn::plugins
