#pragma once

#include "cairn/store/experimentstore.h"

#include <QString>

namespace cairn::panels {

/// The calling thread's own connection to the database at path, opened on first use and kept
/// for the thread's life (one SQLite connection per thread). For work sent to QtConcurrent.
ExperimentStore &threadStore(const QString &databasePath);

} // namespace cairn::panels
