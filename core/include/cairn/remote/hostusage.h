#pragma once

#include "cairn/remote/host.h"

#include <QHash>
#include <QList>
#include <QString>

namespace cairn {
class Workspace;
}

namespace cairn::remote {

/// One job's run as the cost model sees it: where and when it ran, and how many GPUs it held.
struct RunSpan
{
    qint64 runId = -1;
    QString runUuid;
    QString host;       ///< a host name ("local" for this machine)
    qint64 start = 0;   ///< ms since the epoch
    qint64 end = 0;     ///< ms; for a run still going: the time of the computation
    bool running = false;
    int gpus = 0;       ///< GPUs assigned to the job (CUDA_VISIBLE_DEVICES)
};

/// A host's use on one calendar day (local time).
struct HostDayUsage
{
    QString host;
    QString day;        ///< yyyy-MM-dd
    int runs = 0;       ///< runs that started that day
    qint64 busyMs = 0;  ///< time with at least one job (overlapping jobs count once)
    double cost = 0;    ///< at the host's prices
};

/// What each run cost and what each host cost per day.
struct UsageReport
{
    QHash<qint64, double> runCost;  ///< by run id
    QHash<QString, double> runCostByUuid;
    QList<HostDayUsage> days;       ///< by host, then day
    double totalCost(const QString &host = {}) const;
    double costOn(const QString &host, const QString &day) const;
};

/// The cost model. A host's price per hour is paid while it has work and is split equally
/// between the jobs running on it at each moment (two jobs sharing a machine for an hour pay half
/// an hour's price each); on top of that a job pays the host's price per GPU-hour for each GPU it
/// held. Hosts without prices (and `local`) cost 0.
class HostUsage
{
public:
    /// The run tag that holds a finished run's cost (a plain number, in the prices' currency).
    static constexpr const char *kCostTag = "cairn.cost";

    /// Splits the hosts' prices over the spans (any hosts; spans of hosts not in `hosts` cost 0).
    static UsageReport compute(const QList<RunSpan> &spans, const QList<Host> &hosts);

    /// The job runs of a workspace that overlap [since, now], with their host (the run's
    /// `cairn.host` tag; older runs were local) and GPUs (from the job folder's remote.json).
    static QList<RunSpan> spans(Workspace &workspace, qint64 since, qint64 now);

    /// compute() over the workspace's runs of the last `days` days.
    static UsageReport report(Workspace &workspace, const QList<Host> &hosts, int days, qint64 now);

    /// Writes the cost tag on every ended job run that has none yet. A run's cost is final when
    /// it ends (later jobs cannot overlap it), and it is priced at the prices of that moment.
    /// Returns how many runs were tagged.
    static int recordRunCosts(Workspace &workspace, const QList<Host> &hosts, qint64 now);

    /// "0.42" — two decimals, more below 0.01 so a small cost does not read as nothing.
    static QString formatCost(double cost);
};

} // namespace cairn::remote
