#include "cairn/algorithms/modelloader.h"

#include "cairn/algorithms/ensemble.h"
#include "cairn/algorithms/pluginmanager.h"

namespace cairn {

std::unique_ptr<Predictor> loadPredictor(PluginManager &plugins, const QString &path, ModelCard *card)
{
    const QString dir = ModelCard::folderOf(path);
    ModelCard loaded = ModelCard::load(dir);
    std::unique_ptr<Predictor> predictor;
    if (isEnsembleCard(loaded)) {
        predictor = std::make_unique<EnsemblePredictor>(plugins, loaded, dir);
    } else {
        AlgorithmPlugin *plugin = loaded.plugin.isEmpty() ? plugins.pluginFor(loaded.algorithm) : plugins.plugin(loaded.plugin);
        predictor = plugin->loadPredictor(loaded, dir);
    }
    if (card)
        *card = std::move(loaded);
    return predictor;
}

} // namespace cairn
