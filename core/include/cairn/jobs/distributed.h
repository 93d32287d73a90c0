#pragma once

#include <QJsonObject>
#include <QProcessEnvironment>
#include <QString>

#include <optional>

namespace cairn {

/// Where one process of a distributed (data-parallel) job stands: its rank, the number of
/// ranks, and the rendezvous address (rank 0 serves a TCP store there).
///
/// Read from the environment, in this order:
/// - CAIRN_RANK, CAIRN_WORLD_SIZE, CAIRN_MASTER_ADDR, CAIRN_MASTER_PORT (set by Cairn's local
///   launcher and the SSH runner), optionally CAIRN_LOCAL_RANK;
/// - else, under `srun`, SLURM_PROCID and SLURM_NTASKS (SLURM_LOCALID for the local rank): the
///   master is the first host of SLURM_JOB_NODELIST (SLURM_NODELIST), the port is derived from
///   SLURM_JOB_ID (masterPortForSlurmJob), unless CAIRN_MASTER_ADDR / CAIRN_MASTER_PORT are set.
struct DistributedPlace
{
    int rank = 0;
    int worldSize = 1;
    int localRank = 0;
    QString masterAddr = QStringLiteral("127.0.0.1");
    int masterPort = 0;
    QString source;   ///< "cairn" or "slurm": which variables it came from
    QString hostName; ///< the Cairn host the rank runs on (CAIRN_RANK_HOST); empty: not told

    bool isDistributed() const { return worldSize > 1; }
    bool isMaster() const { return rank == 0; }

    /// The place of this process; nullopt when none of the variables are set (a single process).
    /// Throws cairn::Error for values that are set but wrong (a rank outside the world, no port).
    static std::optional<DistributedPlace> fromEnvironment(const QProcessEnvironment &env = QProcessEnvironment::systemEnvironment());
    /// The variables that give a process this place (CAIRN_RANK …), for a launcher.
    void exportTo(QProcessEnvironment &env) const;

    /// A rank's place as written into its own spec (JobSpec::distributed) by the launcher that
    /// starts it over SSH, where no environment can be passed: {"rank", "worldSize", "localRank",
    /// "masterAddr", "masterPort", "host", "environment": {CAIRN_DIST_*…}}.
    QJsonObject toJson(const QJsonObject &environment = {}) const;
    /// Throws cairn::Error for a place that is not one (as fromEnvironment does).
    static DistributedPlace fromJson(const QJsonObject &json);
};

/// The first host of a Slurm node list: "node[03-05,7],gpu1" gives "node03"; "a,b" gives "a".
QString firstSlurmHost(const QString &nodeList);

/// The rendezvous port of a Slurm job: the same on every node of the job, different for jobs
/// that run at the same time (29500 + job id modulo 20000).
int masterPortForSlurmJob(qint64 jobId);

} // namespace cairn
