#pragma once

#include "cairn/algorithms/algorithmplugin.h"
#include "cairn/algorithms/modelcard.h"

#include <QString>

#include <memory>

namespace cairn {

class PluginManager;

/// Loads the model saved in `path` (its folder or its model.json) ready to predict: an ensemble
/// card (plugin "cairn", algorithm "ensemble") loads its members, any other card the plugin that
/// wrote it. `card`, when given, receives the model card. Throws cairn::Error when the folder
/// holds no model or its plugin is missing.
std::unique_ptr<Predictor> loadPredictor(PluginManager &plugins, const QString &path, ModelCard *card = nullptr);

} // namespace cairn
