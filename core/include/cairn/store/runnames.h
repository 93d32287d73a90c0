#pragma once

#include <QString>

namespace cairn {

/// A readable name for a run nobody named, e.g. "brave-otter-417".
QString generateRunName();

} // namespace cairn
