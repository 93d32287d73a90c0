#include "cairn/algorithms/pluginmanager.h"

#include "cairn/util/error.h"

#include <QCoreApplication>
#include <QDir>
#include <QJsonArray>
#include <QLibrary>
#include <QPluginLoader>

namespace cairn {

struct PluginManager::Slot
{
    Entry entry;
    std::unique_ptr<QPluginLoader> loader;
    AlgorithmPlugin *instance = nullptr;
};

QStringList PluginManager::defaultSearchPaths()
{
    QStringList paths;
    for (const QString &p : qEnvironmentVariable("CAIRN_PLUGIN_PATH").split(QLatin1Char(':'), Qt::SkipEmptyParts))
        paths << p;
#ifdef CAIRN_BUILD_PLUGIN_DIR
    paths << QStringLiteral(CAIRN_BUILD_PLUGIN_DIR);
#endif
#ifdef CAIRN_INSTALL_PLUGIN_DIR
    paths << QStringLiteral(CAIRN_INSTALL_PLUGIN_DIR);
#endif
    if (QCoreApplication::instance())
        paths << QDir(QCoreApplication::applicationDirPath()).absoluteFilePath(QStringLiteral("../lib/cairn/plugins"));
    paths.removeDuplicates();
    return paths;
}

PluginManager::PluginManager(QStringList searchPaths) : m_searchPaths(std::move(searchPaths))
{
    rescan();
}

PluginManager::~PluginManager()
{
    // Plugins stay loaded until exit: unloading libtorch or XGBoost while their thread pools
    // may still hold work is not safe.
}

void PluginManager::rescan()
{
    QStringList seenIds;
    std::vector<std::unique_ptr<Slot>> slots;
    for (const QString &path : m_searchPaths) {
        const QDir dir(path);
        if (!dir.exists())
            continue;
        for (const QString &name : dir.entryList(QDir::Files, QDir::Name)) {
            const QString file = dir.absoluteFilePath(name);
            if (!QLibrary::isLibrary(file))
                continue;
            auto slot = std::make_unique<Slot>();
            slot->loader = std::make_unique<QPluginLoader>(file);
            slot->entry.fileName = file;
            const QJsonObject meta = slot->loader->metaData();
            if (meta.value(QStringLiteral("IID")).toString() != QLatin1String(CAIRN_ALGORITHM_PLUGIN_IID))
                continue; // some other library
            slot->entry.metadata = meta.value(QStringLiteral("MetaData")).toObject();
            slot->entry.id = slot->entry.metadata.value(QStringLiteral("id")).toString();
            slot->entry.apiVersion = slot->entry.metadata.value(QStringLiteral("apiVersion")).toInt();
            if (slot->entry.apiVersion != kAlgorithmApiVersion)
                slot->entry.error = QStringLiteral("plugin %1 uses algorithm API %2; this build needs %3 (rebuild the plugin)")
                                        .arg(file).arg(slot->entry.apiVersion).arg(kAlgorithmApiVersion);
            // The first path wins (CAIRN_PLUGIN_PATH overrides the build tree and install dir).
            if (seenIds.contains(slot->entry.id))
                continue;
            seenIds << slot->entry.id;
            slots.push_back(std::move(slot));
        }
    }
    m_slots = std::move(slots);
}

QList<PluginManager::Entry> PluginManager::entries() const
{
    QList<Entry> out;
    for (const auto &s : m_slots)
        out << s->entry;
    return out;
}

QList<QJsonObject> PluginManager::algorithmMetadata() const
{
    QList<QJsonObject> out;
    for (const auto &s : m_slots) {
        if (!s->entry.error.isEmpty())
            continue;
        for (const QJsonValue &v : s->entry.metadata.value(QStringLiteral("algorithms")).toArray()) {
            QJsonObject o = v.toObject();
            o.insert(QStringLiteral("plugin"), s->entry.id);
            out << o;
        }
    }
    return out;
}

AlgorithmPlugin *PluginManager::load(Slot &slot)
{
    if (slot.instance)
        return slot.instance;
    if (!slot.entry.error.isEmpty())
        throw Error(slot.entry.error);
    QObject *object = slot.loader->instance();
    if (!object)
        throw Error(QStringLiteral("cannot load plugin %1: %2").arg(slot.entry.fileName, slot.loader->errorString()));
    slot.instance = qobject_cast<AlgorithmPlugin *>(object);
    if (!slot.instance)
        throw Error(QStringLiteral("plugin %1 does not implement the algorithm interface %2").arg(slot.entry.fileName, QLatin1String(CAIRN_ALGORITHM_PLUGIN_IID)));
    return slot.instance;
}

AlgorithmPlugin *PluginManager::plugin(const QString &pluginId)
{
    for (auto &s : m_slots)
        if (s->entry.id == pluginId)
            return load(*s);
    throw Error(QStringLiteral("no plugin '%1' found (searched %2)").arg(pluginId, m_searchPaths.join(QStringLiteral(", "))));
}

AlgorithmPlugin *PluginManager::pluginFor(const QString &algorithmId)
{
    QStringList known;
    for (auto &s : m_slots) {
        for (const QJsonValue &v : s->entry.metadata.value(QStringLiteral("algorithms")).toArray()) {
            const QString id = v.toObject().value(QStringLiteral("id")).toString();
            if (id == algorithmId)
                return load(*s);
            known << id;
        }
    }
    throw Error(QStringLiteral("unknown algorithm '%1' (available: %2; plugins are searched in %3)")
                    .arg(algorithmId, known.isEmpty() ? QStringLiteral("none") : known.join(QStringLiteral(", ")),
                         m_searchPaths.join(QStringLiteral(", "))));
}

AlgorithmInfo PluginManager::algorithm(const QString &algorithmId)
{
    AlgorithmPlugin *p = pluginFor(algorithmId);
    for (const AlgorithmInfo &info : p->algorithms())
        if (info.id == algorithmId)
            return info;
    throw Error(QStringLiteral("the plugin that lists '%1' in its metadata does not provide it; rebuild the plugin").arg(algorithmId));
}

} // namespace cairn
