#pragma once

#include <QString>

namespace cairn {

/// How much memory this process can still take, and what bounds it.
struct AvailableMemory
{
    qint64 bytes = -1;   ///< -1 when unknown (no /proc/meminfo)
    QString source;      ///< e.g. "MemAvailable in /proc/meminfo" or "the cgroup limit (memory.max)"
};

/// MemAvailable of /proc/meminfo, bounded by the room left under this process's cgroup limit
/// when it has one (cgroup v2 memory.max at every level of its path, or v1
/// memory.limit_in_bytes); the cgroup's inactive file cache counts as room, as the kernel
/// reclaims it first. Reads a few small files: cheap enough to call before every big read.
AvailableMemory availableMemory();

/// "10.0 GiB", "512.0 MiB": sizes in messages about memory and files.
QString formatBytes(qint64 bytes);

} // namespace cairn
