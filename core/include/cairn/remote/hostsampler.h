#pragma once

#include "cairn/remote/host.h"
#include "cairn/remote/probe.h"

#include <QHash>
#include <QList>
#include <QMutex>
#include <QString>

namespace cairn::remote {

/// One look at a host's load: CPU, memory, GPUs.
struct HostSample
{
    qint64 time = 0;              ///< ms since the epoch
    bool ok = false;
    QString error;                ///< why not (plain words, as SshError says it)
    QString errorReason;          ///< SshError::reasonName(), "other"
    double cpuPercent = -1;       ///< busy share of all cores since the previous sample (-1: first one)
    qint64 memoryTotalKiB = 0;
    qint64 memoryAvailableKiB = 0;
    double load1 = 0;
    QList<GpuInfo> gpus;
    quint64 cpuTotal = 0, cpuIdle = 0; ///< /proc/stat jiffies (to difference the next sample)

    double memoryPercent() const
    {
        return memoryTotalKiB > 0 ? 100.0 * double(memoryTotalKiB - memoryAvailableKiB) / double(memoryTotalKiB) : -1;
    }
    /// Mean utilization of the GPUs (-1: none).
    double gpuPercent() const;
    /// GPUs busier than `threshold` percent.
    int gpusInUse(double threshold = 10) const;
};

/// Samples hosts: `local` from /proc (and nvidia-smi when present) with no shell, an SSH host by
/// one small fixed script over its shared (multiplexed) connection. Keeps each host's previous
/// CPU counters so the CPU share is over the interval between two samples. sample() blocks:
/// call it off the GUI thread (it is safe from several threads).
class HostSampler
{
public:
    HostSample sample(const Host &host);
    /// Parses the sampling script's output (the /proc/stat cpu line, MemTotal, MemAvailable,
    /// /proc/loadavg, then "gpu=" lines of nvidia-smi's CSV).
    static HostSample parse(const QString &output);

private:
    QMutex m_mutex;
    QHash<QString, QPair<quint64, quint64>> m_previous; ///< host -> (total, idle)
};

} // namespace cairn::remote
