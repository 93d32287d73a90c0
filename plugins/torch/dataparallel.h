#pragma once

// Data-parallel training over c10d's gloo back-end. libtorch has no C++
// DistributedDataParallel: this broadcasts the initial weights from rank 0 and all-reduces the
// gradients of each step, in buckets launched from gradient hooks while the backward pass goes on.
// When every rank is on one host the gradients are summed through a shared-memory segment
// instead (gloo over loopback TCP costs CPU in its threads); CAIRN_DIST_SHM=0 keeps gloo.
#include <torch/torch.h>
#include <torch/csrc/distributed/c10d/ProcessGroup.hpp>
#include <torch/csrc/distributed/c10d/Store.hpp>

#include "cairn/algorithms/jobcontext.h"
#include "cairn/jobs/distributed.h"

#include <QString>

#include <chrono>
#include <memory>
#include <optional>
#include <vector>

namespace cairn::plugins::torchutil {

/// One process's part in a data-parallel job; a job of one process gets a DataParallel whose
/// calls do nothing but keep the same bookkeeping, so trainers have one code path.
class DataParallel
{
public:
    /// Joins the job's other ranks (rank 0 serves the TCP store) or, without a distributed place
    /// in the environment, stands alone. Throws cairn::Error naming what failed.
    static std::unique_ptr<DataParallel> join(JobContext &ctx);
    ~DataParallel();

    int rank() const { return m_place.rank; }
    int worldSize() const { return m_place.worldSize; }
    bool isMaster() const { return m_place.rank == 0; }
    bool distributed() const { return m_place.worldSize > 1; }

    /// Gives every rank rank 0's parameters and buffers, and sets up the gradient buckets.
    void attach(torch::nn::Module &module);
    /// This rank's rows of a global batch (every world-size-th, from its rank on): the union
    /// over ranks is the batch a single process takes, as PyTorch's DistributedSampler does.
    torch::Tensor shard(const torch::Tensor &globalBatch) const;
    /// The inverse of shard() over a whole set, on every rank: `mine` holds this rank's rows of a
    /// set of `rows` rows (its shard(), in order), the result every rank's rows in their places.
    /// Ranks share the validation pass this way instead of rank 0 doing it alone.
    torch::Tensor unshard(const torch::Tensor &mine, int64_t rows);

    /// Before backward(): `loss` is this rank's mean loss times its share of the global batch
    /// (rows here / rows in the batch); `stop` whether this rank was asked to stop.
    void beforeBackward(double scaledLoss, bool stop, qint64 step);
    struct StepResult
    {
        double loss = 0;    ///< the global batch's mean loss
        bool stop = false;  ///< some rank was asked to stop: all stop after this step
    };
    /// After backward(): waits for the all-reduces and leaves the global batch's gradient in
    /// each parameter's grad().
    StepResult afterBackward();

    /// Rank 0's decision, on every rank (early stopping and the like).
    bool agree(bool masterDecision);
    /// Every rank's value, by rank.
    std::vector<double> gather(double value);
    /// Logs every rank's training throughput (samples per second) on rank 0, as
    /// throughput.rank<k>, and their sum as "throughput"; on one process, "throughput". With it,
    /// where the time since the last call went since epochStarted() (a profile that does not
    /// depend on how busy the machine is): "epoch_cpu_s" (CPU time of every rank together), and per rank
    /// epoch_cpu_s.rank<k>, comm_cpu_s.rank<k> (CPU time of its other threads: gloo's, the
    /// heartbeat) and allreduce_wait_s.rank<k> (wall time it waited for all-reduces after backward).
    void logThroughput(JobContext &ctx, double samplesPerSecond, qint64 step);
    /// Starts the profile that logThroughput reports (call at the start of each epoch).
    void epochStarted();
    /// Every rank's host name, by rank (through the store).
    QStringList hosts() const { return m_hosts; }
    /// Keeps the last step this rank reached in the store, so that a rank that waits in vain
    /// can name the one that stopped answering.
    void heartbeat(qint64 step);

private:
    DataParallel() = default;
    struct Bucket;
    void onGradient(size_t param, const torch::Tensor &grad);
    void launch(Bucket &bucket);
    [[noreturn]] void failCollective(const std::exception &e);
    void wait(const c10::intrusive_ptr<c10d::Work> &work);
    struct SharedSum;
    std::unique_ptr<SharedSum> openSharedSum(int64_t floats);
    void releaseSegment();

    JobContext *m_ctx = nullptr;
    DistributedPlace m_place;
    std::chrono::milliseconds m_timeout{0};
    c10::intrusive_ptr<c10d::Store> m_store;
    c10::intrusive_ptr<c10d::ProcessGroup> m_group;
    std::vector<torch::Tensor> m_params;
    std::vector<std::unique_ptr<Bucket>> m_buckets;
    std::vector<std::pair<size_t, int64_t>> m_where; ///< per parameter: bucket, offset
    std::vector<char> m_filled;                      ///< per parameter: its gradient is in its bucket
    size_t m_nextLaunch = 0;
    double m_soloLoss = 0;                           ///< one process: the step's loss and stop, as given
    bool m_soloStop = false;                         ///< buckets start in order on every rank
    bool m_overlap = true;
    QStringList m_hosts;
    // The profile since the last logThroughput (or attach): marks of the process's and the
    // training thread's CPU time, and the wall time spent waiting in afterBackward.
    double m_cpuMark = 0;
    double m_threadCpuMark = 0;
    double m_waitSeconds = 0;
    struct Heartbeat;
    std::unique_ptr<Heartbeat> m_heartbeat;
    std::unique_ptr<SharedSum> m_shm; ///< set when the gradients are summed in shared memory
    int m_attachCount = 0;
};

} // namespace cairn::plugins::torchutil
