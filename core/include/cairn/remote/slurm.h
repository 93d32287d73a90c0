#pragma once

#include "cairn/jobs/jobspec.h"
#include "cairn/remote/host.h"

#include <QByteArray>
#include <QHash>
#include <QList>
#include <QString>
#include <QStringList>

namespace cairn::remote {

/// A partition as `sinfo` reports it, with the GPUs of its nodes (from `scontrol show node`).
struct SlurmPartition
{
    QString name;
    bool isDefault = false;
    QString state;        ///< "up", "down", "drain", "inact"
    QString maxTime;      ///< "infinite", "2:00:00"
    int nodesAllocated = 0, nodesIdle = 0, nodesOther = 0, nodesTotal = 0;
    int cpusAllocated = 0, cpusIdle = 0, cpusOther = 0, cpusTotal = 0;
    int gpusTotal = 0, gpusUsed = 0;
};

/// One node from `scontrol show node -o`.
struct SlurmNode
{
    QString name;
    QString state;        ///< "IDLE", "MIXED", "ALLOCATED", "DOWN+NOT_RESPONDING"...
    QString reason;
    QStringList partitions;
    int cpus = 0, cpusAllocated = 0;
    qint64 memoryMb = 0, memoryAllocatedMb = 0;
    int gpus = 0, gpusAllocated = 0;
};

/// One line of `squeue`.
struct SlurmQueueEntry
{
    QString jobId, name, user, state, reason, partition, nodeList, timeUsed, timeLimit;
    int nodes = 0, cpus = 0;
    bool ours = false;    ///< submitted by Cairn (its job names start with "cairn-")
};

struct SlurmOverview
{
    QList<SlurmPartition> partitions;
    QList<SlurmNode> nodes;
    QList<SlurmQueueEntry> queue;
    QString error;        ///< empty when the cluster answered
    /// Why not, for a caller that explains it: "no-slurm" (sinfo not found), "controller"
    /// (slurmctld does not answer), "ssh" (the login host: see sshReason), "other".
    QString errorKind;
    QString sshReason;    ///< SshError::reasonName() when errorKind is "ssh"
    QString fingerprint;  ///< an unknown login host key's fingerprint
};

/// A job's state as Slurm tells it: `scontrol show job`, else `sacct`, else unknown.
struct SlurmJobState
{
    bool known = false;   ///< false: neither scontrol nor sacct know the job (any more)
    bool controllerDown = false; ///< slurmctld did not answer: ask again later
    QString state;        ///< PENDING, RUNNING, COMPLETED, FAILED, TIMEOUT, CANCELLED, OUT_OF_MEMORY...
    QString reason;       ///< Priority, Resources, TimeLimit, NonZeroExitCode...
    int exitCode = 0;     ///< of the batch script
    int signal = 0;
    QString nodeList;
    QString timeLimit;
    QString error;
    /// Who said it: "scontrol" (slurmctld), "sacct" (the accounting database, slurmdbd) or
    /// "job folder" (neither knows the job: what the batch script left).
    QString source;

    bool isTerminal() const;
};

/// One look at a submitted job: its state, and the events written since byte `offset`.
struct SlurmPoll
{
    SlurmJobState state;
    bool folderGone = false;    ///< the job's folder is not on the cluster (any more)
    bool hasExitFile = false;   ///< the batch script wrote the worker's exit code
    int exitFileCode = 0;
    /// slurmstepd's line when it killed the job for its memory ("... exceeded memory limit
    /// (N > M), being killed"): without cgroups (jobacct_gather/linux, OverMemoryKill) Slurm
    /// ends such a job FAILED or CANCELLED, not OUT_OF_MEMORY. Looked for once the job has ended.
    QString memoryKill;
    /// With accounting, the steps of a job that slurmstepd killed for its memory, from sacct:
    /// each step's peak (MaxRSS, KB), the task that reached it (MaxRSSTask) and its task count.
    struct StepMemory
    {
        QString step;     ///< "12.0", "12.batch"
        qint64 maxRssKb = 0;
        int maxRssTask = -1;
        int tasks = 0;
    };
    QList<StepMemory> steps;
    bool accountingKnowsJob = false; ///< sacct had the job's own line (accounting exists)
    QByteArray events;          ///< read after the state: complete when the state is final
    QString error;              ///< the cluster could not be asked (login host unreachable)
};

namespace slurm {

/// `Key=Value Key=Value` as `scontrol show ... -o` prints one record per line (a value may hold
/// spaces: it runs up to the next " Key=").
QHash<QString, QString> parseKeyValues(const QString &line);
/// GPUs in a TRES list ("cpu=2,mem=1G,gres/gpu=2" or "gres/gpu:a100=1") or a Gres field
/// ("gpu:2", "gpu:tesla:2(S:0-1)", "(null)").
int gpusIn(const QString &tres);
QList<SlurmNode> parseNodes(const QString &scontrolShowNodeOutput);
/// `sinfo -h -o '%P|%a|%l|%F|%C'` lines; GPUs filled in from `nodes`.
QList<SlurmPartition> parsePartitions(const QString &sinfoOutput, const QList<SlurmNode> &nodes);
/// `squeue -h -o '%i|%u|%T|%r|%P|%D|%C|%M|%l|%R|%j'` lines.
QList<SlurmQueueEntry> parseQueue(const QString &squeueOutput);
/// One `scontrol show job -o` record (the first line).
SlurmJobState parseJob(const QString &scontrolShowJobOutput);
/// One `sacct -n -P -X -o State,ExitCode,Reason` line.
SlurmJobState parseSacct(const QString &sacctOutput);

/// Whether a time limit is in one of Slurm's forms: "M", "M:S", "H:M:S", "D-H", "D-H:M",
/// "D-H:M:S" (or "infinite").
bool validTimeLimit(const QString &limit);
/// Whether a partition name can go on an #SBATCH line as it is.
bool validPartition(const QString &name);
/// A job name Slurm and a shell line both take as it is: "cairn-" + letters, digits, . _ -.
QString jobName(const JobSpec &spec);

/// The batch script for a job: #SBATCH lines from its resources, then the worker, started
/// once (one instance) or through `srun` on every task (several). Rank 0 writes the events to
/// `events.jsonl`, the other ranks to `events.rank<N>.jsonl`; each rank's output goes to
/// worker-<rank>.out/.err. `cairnCommand` is quoted for the shell. Throws cairn::Error for a
/// partition or time limit that Slurm would not take.
/// `arrayTasks` > 0: a job array of that many tasks (`--array=0-N`), submitted from a folder
/// beside the jobs' own whose file `tasks` names, one a line, the job folder of each task.
QString batchScript(const JobSpec &spec, const QString &cairnCommand, int arrayTasks = 0);

/// The end of a job that slurmstepd killed for its memory (`line`, see SlurmPoll::memoryKill):
/// OUT_OF_MEMORY with the memory used and the limit as its reason. For a step of several tasks
/// the reason names the task (rank) with the largest peak that `steps` (sacct) report.
SlurmJobState memoryKilled(const SlurmJobState &state, const QString &line, const QList<SlurmPoll::StepMemory> &steps = {});

/// sacct's MaxRSS ("322156K", "1.5G", "900") in KB.
qint64 parseRssKb(const QString &text);

/// How Slurm's final state reads as a sentence ("Slurm stopped the job at its time limit").
QString describeEnd(const SlurmJobState &state);

} // namespace slurm

/// A Slurm cluster reached from here: its commands run on this machine or, when the host has a
/// login hostname, on that login host over the shared SSH connection. Commands are argument
/// lists (quoted for ssh by SshConnection). Blocking: call off the GUI thread.
class SlurmCluster
{
public:
    explicit SlurmCluster(Host host);
    const Host &host() const { return m_host; }

    struct Result
    {
        int exitCode = -1;
        QByteArray out;
        QByteArray err;
    };
    /// Throws SshError when the login host cannot be reached, cairn::Error when a program
    /// cannot be started here.
    Result run(const QStringList &argv, int timeoutMs = 60000) const;
    /// `sh -c SCRIPT sh ARGS...` on the cluster side.
    Result runScript(const QString &script, const QStringList &args = {}, int timeoutMs = 60000) const;

    /// Partitions, nodes and the queue in one round trip; `error` says why not.
    SlurmOverview overview() const;
    /// The job's state (scontrol, then sacct); controllerDown when slurmctld did not answer.
    SlurmJobState jobState(const QString &jobId) const;
    /// The state of job `jobId` and the events of its folder `jobDir` from byte `offset`.
    SlurmPoll poll(const QString &jobDir, const QString &jobId, qint64 offset) const;
    /// `scancel` (with `--signal` when given). Throws cairn::Error with Slurm's message.
    void cancel(const QString &jobId, const QString &signal = {}) const;
    /// The work folder with "~" resolved on the cluster side.
    QString resolvedWorkDir() const;

private:
    Host m_host;
};

} // namespace cairn::remote
