#pragma once

#include <QString>

namespace cairn::Internal {

/// The shared statement (also used by the Python client) that folds points into metric_summaries.
const QString &metricSummaryUpsertSql();

} // namespace cairn::Internal
