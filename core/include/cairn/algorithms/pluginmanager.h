#pragma once

#include "cairn/algorithms/algorithmplugin.h"

#include <QJsonObject>
#include <QList>
#include <QStringList>

#include <memory>

class QPluginLoader;

namespace cairn {

/// Finds algorithm plugins and loads them on demand. An object, not a singleton: the app, the
/// worker and each test build their own with the search paths they want.
class PluginManager
{
public:
    struct Entry
    {
        QString fileName;
        QString id;               ///< the plugin's id (backend): "xgboost", "torch", "classic"
        int apiVersion = 0;
        QJsonObject metadata;     ///< the plugin's metadata JSON
        QString error;            ///< why it cannot be used (wrong API version, failed load)
    };

    /// $CAIRN_PLUGIN_PATH (colon-separated), then the build tree's plugin folder, then the
    /// install folder (<prefix>/lib/cairn/plugins) and <exe>/../lib/cairn/plugins.
    static QStringList defaultSearchPaths();

    explicit PluginManager(QStringList searchPaths = defaultSearchPaths());
    ~PluginManager();
    PluginManager(const PluginManager &) = delete;
    PluginManager &operator=(const PluginManager &) = delete;

    QStringList searchPaths() const { return m_searchPaths; }
    /// Reads plugin metadata (without loading libraries). Called by the constructor.
    void rescan();
    QList<Entry> entries() const;

    /// Algorithm ids with their metadata, without loading any plugin.
    QList<QJsonObject> algorithmMetadata() const;
    /// Loads the plugin offering `algorithmId`; throws cairn::Error naming the known ids.
    AlgorithmPlugin *pluginFor(const QString &algorithmId);
    AlgorithmPlugin *plugin(const QString &pluginId);
    /// Full description (with the parameter schema): loads the plugin.
    AlgorithmInfo algorithm(const QString &algorithmId);

private:
    struct Slot;
    AlgorithmPlugin *load(Slot &slot);
    QStringList m_searchPaths;
    std::vector<std::unique_ptr<Slot>> m_slots;
};

} // namespace cairn
