#include "threadstore.h"

#include <map>
#include <memory>

namespace cairn::panels {

ExperimentStore &threadStore(const QString &databasePath)
{
    thread_local std::map<QString, std::unique_ptr<ExperimentStore>> stores;
    auto &slot = stores[databasePath];
    if (!slot)
        slot = std::make_unique<ExperimentStore>(databasePath);
    return *slot;
}

} // namespace cairn::panels
