#include "dataparallel.h"

#include "cairn/util/error.h"

#include <torch/csrc/distributed/c10d/ProcessGroupGloo.hpp>
#include <torch/csrc/distributed/c10d/TCPStore.hpp>

#include <QDateTime>
#include <QFile>
#include <QSysInfo>

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <thread>

#include <cerrno>
#include <cstring>

#include <fcntl.h>
#include <linux/futex.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

namespace cairn::plugins::torchutil {

namespace {

constexpr int64_t kHeader = 2; // bucket 0 starts with the scaled loss and the stop flag

std::chrono::milliseconds timeoutFromEnvironment()
{
    // A collective that waits longer than this fails the job (a dead or stuck rank).
    bool ok = false;
    const double s = qEnvironmentVariable("CAIRN_DIST_TIMEOUT").toDouble(&ok);
    return std::chrono::milliseconds(qint64((ok && s > 0 ? s : 120.0) * 1000));
}

double processCpuSeconds()
{
    rusage u{};
    ::getrusage(RUSAGE_SELF, &u);
    return double(u.ru_utime.tv_sec + u.ru_stime.tv_sec) + double(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

double threadCpuSeconds()
{
    timespec t{};
    ::clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
    return double(t.tv_sec) + double(t.tv_nsec) / 1e9;
}

std::string key(const char *what, int rank)
{
    return std::string("cairn/") + what + "/" + std::to_string(rank);
}

std::vector<uint8_t> bytes(const QByteArray &b)
{
    return std::vector<uint8_t>(b.begin(), b.end());
}

QByteArray fromBytes(const std::vector<uint8_t> &v)
{
    return QByteArray(reinterpret_cast<const char *>(v.data()), qsizetype(v.size()));
}

/// The rank's own connection (`join`: counted in, the server waits for every rank's), or
/// another one of the same process (heartbeats, failure reports).
c10::intrusive_ptr<c10d::Store> connectStore(const DistributedPlace &p, bool server, std::chrono::milliseconds timeout, bool join = false)
{
    c10d::TCPStoreOptions o;
    o.port = uint16_t(p.masterPort);
    o.isServer = server;
    o.numWorkers = size_t(p.worldSize);
    o.waitWorkers = join;
    o.timeout = timeout;
    return c10::make_intrusive<c10d::TCPStore>(p.masterAddr.toStdString(), o);
}

} // namespace

/// A segment every rank of a one-host job maps: a control block (an arrival counter the ranks
/// wait on with a futex, every rank's pid) and one slot of gradients per rank. A step: each rank's
/// gradients are in its slot (the buckets are views of it), barrier, rank k sums the k-th part of
/// every slot in rank order and writes it back to every slot, barrier.
struct DataParallel::SharedSum
{
    void *base = MAP_FAILED;
    size_t bytes = 0;
    int world = 0;
    int rank = 0;
    int64_t floats = 0; ///< gradients (with the loss/stop header) per slot
    int64_t stride = 0; ///< floats from one slot to the next
    uint32_t barriers = 0;

    static constexpr size_t kControl = 64;
    std::atomic<uint32_t> *arrived() const { return static_cast<std::atomic<uint32_t> *>(base); }
    std::atomic<int32_t> *pids() const { return reinterpret_cast<std::atomic<int32_t> *>(static_cast<char *>(base) + kControl); }
    float *slot(int r) const
    {
        const size_t start = (kControl + sizeof(int32_t) * size_t(world) + 63) / 64 * 64;
        return reinterpret_cast<float *>(static_cast<char *>(base) + start) + r * stride;
    }
    static size_t sizeFor(int world, int64_t stride)
    {
        return (kControl + sizeof(int32_t) * size_t(world) + 63) / 64 * 64 + size_t(world) * size_t(stride) * sizeof(float);
    }
    ~SharedSum()
    {
        if (base != MAP_FAILED)
            ::munmap(base, bytes);
    }

    /// Whether rank r's process is gone (exited, or a zombie its launcher has not reaped yet).
    bool gone(int r) const
    {
        const pid_t pid = pids()[r].load(std::memory_order_relaxed);
        if (pid <= 0)
            return false;
        if (::kill(pid, 0) != 0)
            return errno == ESRCH;
        QFile stat(QStringLiteral("/proc/%1/stat").arg(pid));
        if (!stat.open(QIODevice::ReadOnly))
            return false;
        const QByteArray text = stat.readAll();
        return text.mid(text.lastIndexOf(')') + 1).trimmed().startsWith('Z');
    }

    /// Waits until every rank has arrived: a dead rank fails it at once, a stuck one after the timeout.
    void barrier(std::chrono::milliseconds timeout)
    {
        const uint32_t target = ++barriers * uint32_t(world);
        std::atomic<uint32_t> *counter = arrived();
        if (counter->fetch_add(1, std::memory_order_acq_rel) + 1 == target) {
            ::syscall(SYS_futex, counter, FUTEX_WAKE, INT32_MAX, nullptr, nullptr, 0);
            return;
        }
        auto reached = [&] { return int32_t(counter->load(std::memory_order_acquire) - target) >= 0; };
        for (int i = 0; i < 2000; ++i) // the others are usually a few microseconds behind or much more
            if (reached())
                return;
        const auto deadline = std::chrono::steady_clock::now() + timeout;
        for (;;) {
            const uint32_t seen = counter->load(std::memory_order_acquire);
            if (int32_t(seen - target) >= 0)
                return;
            timespec ts{0, 100 * 1000 * 1000};
            ::syscall(SYS_futex, counter, FUTEX_WAIT, seen, &ts, nullptr, 0);
            if (reached())
                return;
            for (int r = 0; r < world; ++r)
                if (r != rank && gone(r))
                    throw std::runtime_error(QStringLiteral("rank %1 (pid %2) exited during the shared-memory all-reduce")
                                                 .arg(r).arg(pids()[r].load()).toStdString());
            if (std::chrono::steady_clock::now() > deadline)
                throw std::runtime_error(QStringLiteral("the shared-memory all-reduce timed out after %1 s")
                                             .arg(timeout.count() / 1000.0).toStdString());
        }
    }

    /// Every slot ends with the sum of all slots, summed in rank order (the same bits everywhere).
    void allReduce(std::chrono::milliseconds timeout)
    {
        barrier(timeout);
        const int64_t part = ((floats + world - 1) / world + 15) / 16 * 16; // whole cache lines per rank
        const int64_t lo = std::min(floats, part * rank), hi = std::min(floats, lo + part);
        float *sum = slot(0);
        for (int r = 1; r < world; ++r) {
            const float *add = slot(r);
            for (int64_t i = lo; i < hi; ++i)
                sum[i] += add[i];
        }
        for (int r = 1; r < world; ++r)
            std::memcpy(slot(r) + lo, sum + lo, size_t(hi - lo) * sizeof(float));
        barrier(timeout);
    }
};

struct DataParallel::Bucket
{
    torch::Tensor flat;
    std::vector<size_t> params;
    size_t pending = 0;
    bool launched = false;
    c10::intrusive_ptr<c10d::Work> work;
};

/// A thread that writes "<step> <ms since epoch>" under cairn/hb/<rank> twice a second, on a
/// store connection of its own.
struct DataParallel::Heartbeat
{
    std::atomic<qint64> step{0};
    std::mutex mutex;
    std::condition_variable cv;
    bool done = false;
    std::thread thread;

    Heartbeat(const DistributedPlace &place, std::chrono::milliseconds timeout)
    {
        c10::intrusive_ptr<c10d::Store> store = connectStore(place, false, timeout);
        thread = std::thread([this, store, rank = place.rank] {
            std::unique_lock<std::mutex> lock(mutex);
            while (!done) {
                try {
                    store->set(key("hb", rank), bytes(QByteArray::number(step.load()) + ' ' + QByteArray::number(QDateTime::currentMSecsSinceEpoch())));
                } catch (const std::exception &) {
                    return; // the store (rank 0) is gone: the collectives report it
                }
                cv.wait_for(lock, std::chrono::milliseconds(500));
            }
        });
    }
    ~Heartbeat()
    {
        {
            std::lock_guard<std::mutex> lock(mutex);
            done = true;
        }
        cv.notify_all();
        thread.join();
    }
};

std::unique_ptr<DataParallel> DataParallel::join(JobContext &ctx)
{
    std::unique_ptr<DataParallel> dp(new DataParallel);
    dp->m_ctx = &ctx;
    dp->m_hosts = {QSysInfo::machineHostName()};
    const std::optional<DistributedPlace> place = DistributedPlace::fromEnvironment();
    if (!place || place->worldSize == 1)
        return dp;
    dp->m_place = *place;
    // The Cairn host a launcher placed the rank on, beside the machine's own name.
    const QString here = place->hostName.isEmpty() ? QSysInfo::machineHostName()
                                                   : QStringLiteral("%1 (%2)").arg(place->hostName, QSysInfo::machineHostName());
    dp->m_timeout = timeoutFromEnvironment();
    dp->m_overlap = qEnvironmentVariable("CAIRN_DIST_OVERLAP") != QLatin1String("0");
    const DistributedPlace &p = dp->m_place;
    ctx.log(QStringLiteral("distributed: rank %1 of %2 on %3, rendezvous at %4:%5 (rank 0), timeout %6 s")
                .arg(p.rank).arg(p.worldSize).arg(here, p.masterAddr).arg(p.masterPort).arg(dp->m_timeout.count() / 1000.0));
    try {
        dp->m_store = connectStore(p, p.rank == 0, dp->m_timeout, true);
        auto options = c10d::ProcessGroupGloo::Options::create(dp->m_timeout);
        options->devices.push_back(c10d::ProcessGroupGloo::createDefaultDevice());
        options->threads = 2;
        dp->m_group = c10::make_intrusive<c10d::ProcessGroupGloo>(dp->m_store, p.rank, p.worldSize, options);
        dp->m_store->set(key("host", p.rank), bytes(here.toUtf8()));
        dp->m_hosts.clear();
        for (int r = 0; r < p.worldSize; ++r)
            dp->m_hosts << QString::fromUtf8(fromBytes(dp->m_store->get(key("host", r))));
        dp->m_heartbeat = std::make_unique<Heartbeat>(p, dp->m_timeout);
        dp->m_store->setTimeout(dp->m_timeout);
    } catch (const std::exception &e) {
        const QString what = QString::fromLocal8Bit(e.what()).section(QLatin1Char('\n'), 0, 0);
        throw Error(QStringLiteral("distributed: rank %1 could not join the job's other %2 rank(s) at %3:%4 within %5 s: %6")
                        .arg(p.rank).arg(p.worldSize - 1).arg(p.masterAddr).arg(p.masterPort).arg(dp->m_timeout.count() / 1000.0).arg(what));
    }
    // The run records its ranks and hosts (rank 0's events are the run's).
    if (p.rank == 0) {
        QStringList ranks;
        QStringList distinct;
        for (int r = 0; r < dp->m_hosts.size(); ++r) {
            ranks << QStringLiteral("%1=%2").arg(r).arg(dp->m_hosts[r]);
            if (!distinct.contains(dp->m_hosts[r]))
                distinct << dp->m_hosts[r];
        }
        ctx.logParam(QStringLiteral("distributed.world_size"), QString::number(p.worldSize));
        ctx.setTag(QStringLiteral("distributed.ranks"), ranks.join(QStringLiteral(", ")));
        ctx.setTag(QStringLiteral("distributed.hosts"), distinct.join(QStringLiteral(", ")));
    }
    return dp;
}

std::unique_ptr<DataParallel::SharedSum> DataParallel::openSharedSum(int64_t floats)
{
    // Every rank takes part in the agreement (through the store), so that all use the segment or none.
    const int count = ++m_attachCount;
    const std::string prefix = "cairn/shm/" + std::to_string(count) + "/";
    auto everyRank = [&](const char *what, bool mine) {
        m_store->set(prefix + what + std::to_string(rank()), bytes(mine ? "1" : "0"));
        bool all = true;
        for (int r = 0; r < worldSize(); ++r)
            all = fromBytes(m_store->get(prefix + what + std::to_string(r))) == "1" && all;
        return all;
    };
    bool eligible = qEnvironmentVariable("CAIRN_DIST_SHM") != QLatin1String("0") && m_hosts.count(m_hosts.value(0)) == m_hosts.size()
                    && m_params.front().device().is_cpu() && m_params.front().scalar_type() == torch::kFloat;
    auto shm = std::make_unique<SharedSum>();
    shm->world = worldSize();
    shm->rank = rank();
    shm->floats = floats;
    shm->stride = (floats + 15) / 16 * 16;
    shm->bytes = SharedSum::sizeFor(shm->world, shm->stride);
    std::string name;
    QString why;
    int fd = -1;
    auto failed = [&](const char *call) {
        why = QStringLiteral("%1: %2").arg(QLatin1String(call), QString::fromLocal8Bit(std::strerror(errno)));
        if (fd >= 0)
            ::close(fd);
        fd = -1;
    };
    if (isMaster()) {
        // The segment exists at its full size before its name is published: a rank that reads the
        // name can open it at once.
        if (eligible) {
            name = "/cairn-dp-" + std::to_string(::getpid()) + "-" + std::to_string(count);
            fd = ::shm_open(name.c_str(), O_CREAT | O_EXCL | O_RDWR, 0600);
            if (fd < 0)
                failed("shm_open");
            else if (::ftruncate(fd, off_t(shm->bytes)) != 0)
                failed("ftruncate");
            if (fd < 0) {
                ::shm_unlink(name.c_str());
                name.clear();
            }
        }
        m_store->set(prefix + "name", bytes(QByteArray::fromStdString(name)));
    } else {
        name = fromBytes(m_store->get(prefix + "name")).toStdString();
        if (eligible && !name.empty() && (fd = ::shm_open(name.c_str(), O_RDWR, 0)) < 0)
            failed("shm_open");
    }
    if (fd >= 0) {
        struct stat st{};
        if (::fstat(fd, &st) != 0 || size_t(st.st_size) != shm->bytes)
            why = QStringLiteral("the segment has the wrong size");
        else if ((shm->base = ::mmap(nullptr, shm->bytes, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0)) == MAP_FAILED)
            why = QStringLiteral("mmap: %1").arg(QString::fromLocal8Bit(std::strerror(errno)));
        else
            shm->pids()[rank()].store(int32_t(::getpid()));
        ::close(fd);
    }
    const bool mapped = eligible && !name.empty() && shm->base != MAP_FAILED;
    const bool allMapped = everyRank("mapped/", mapped);
    if (isMaster() && !name.empty())
        ::shm_unlink(name.c_str()); // every rank has mapped it or given up: nothing is left behind
    // A dead rank is told by its pid: every rank must see the others' (one pid namespace).
    bool seesAll = allMapped;
    for (int r = 0; allMapped && r < worldSize(); ++r)
        seesAll = seesAll && ::kill(pid_t(shm->pids()[r].load()), 0) == 0;
    if (!everyRank("pids/", seesAll)) {
        if (eligible)
            m_ctx->log(QStringLiteral("distributed: gradients all-reduced by gloo (shared memory not usable%1)")
                           .arg(why.isEmpty() ? QString() : QStringLiteral(": ") + why));
        return nullptr;
    }
    return shm;
}

void DataParallel::releaseSegment()
{
    if (!m_shm)
        return;
    // The gradients are views of the segment: give them memory of their own before it is unmapped.
    for (torch::Tensor &p : m_params)
        if (p.grad().defined())
            p.mutable_grad() = p.grad().clone();
    m_buckets.clear();
    m_shm.reset();
}

DataParallel::~DataParallel()
{
    releaseSegment();
    m_heartbeat.reset();
}

void DataParallel::attach(torch::nn::Module &module)
{
    releaseSegment();
    m_params.clear();
    m_buckets.clear();
    for (const torch::Tensor &t : module.parameters())
        m_params.push_back(t);
    m_cpuMark = processCpuSeconds();
    m_threadCpuMark = threadCpuSeconds();
    m_waitSeconds = 0;
    if (!distributed())
        return;
    // Rank 0's initial weights (and buffers) everywhere.
    std::vector<torch::Tensor> state = module.parameters();
    for (const torch::Tensor &b : module.buffers())
        state.push_back(b);
    try {
        for (torch::Tensor &t : state) {
            torch::NoGradGuard noGrad;
            std::vector<torch::Tensor> one{t.detach()};
            wait(m_group->broadcast(one));
        }
    } catch (const std::exception &e) {
        failCollective(e);
    }
    // Buckets in reverse order of the parameters, about the order backward() produces their
    // gradients in: the last layers' all-reduce runs while the first layers' gradients are computed.
    bool ok = false;
    const double mb = qEnvironmentVariable("CAIRN_DIST_BUCKET_MB").toDouble(&ok);
    const int64_t cap = int64_t((ok && mb > 0 ? mb : 1.0) * (1 << 20));
    m_where.assign(m_params.size(), {0, 0});
    m_filled.assign(m_params.size(), 0);
    std::vector<std::vector<size_t>> groups(1);
    int64_t bytesInGroup = kHeader * 4;
    for (size_t i = m_params.size(); i-- > 0;) {
        const int64_t b = m_params[i].numel() * int64_t(m_params[i].element_size());
        if (!groups.back().empty() && bytesInGroup + b > cap) {
            groups.emplace_back();
            bytesInGroup = 0;
        }
        groups.back().push_back(i);
        bytesInGroup += b;
    }
    std::vector<int64_t> sizes(groups.size());
    int64_t total = 0;
    for (size_t g = 0; g < groups.size(); ++g) {
        int64_t offset = g == 0 ? kHeader : 0;
        for (size_t i : groups[g]) {
            m_where[i] = {g, offset};
            offset += m_params[i].numel();
        }
        sizes[g] = offset;
        total += offset;
    }
    // On one host the buckets are views of this rank's slot of the shared segment.
    try {
        m_shm = openSharedSum(total);
    } catch (const std::exception &e) {
        failCollective(e);
    }
    int64_t start = 0;
    for (size_t g = 0; g < groups.size(); ++g) {
        auto bucket = std::make_unique<Bucket>();
        bucket->params = groups[g];
        bucket->flat = m_shm ? torch::from_blob(m_shm->slot(rank()) + start, {sizes[g]}, torch::kFloat)
                             : torch::zeros({sizes[g]}, m_params.front().options().requires_grad(false));
        start += sizes[g];
        m_buckets.push_back(std::move(bucket));
    }
    if (isMaster())
        m_ctx->setTag(QStringLiteral("distributed.backend"),
                      m_shm ? QStringLiteral("shared memory for the gradients, gloo for the rest (%1 variables)").arg(m_place.source)
                            : QStringLiteral("gloo (%1 variables)").arg(m_place.source));
    if (m_overlap)
        for (size_t i = 0; i < m_params.size(); ++i)
            m_params[i].register_hook([this, i](const torch::Tensor &grad) { onGradient(i, grad); });
    QStringList megabytes;
    for (const auto &b : m_buckets)
        megabytes << QString::number(double(b->flat.numel()) * 4 / (1 << 20), 'f', 2);
    m_ctx->log(QStringLiteral("distributed: %1 gradient bucket(s) (%2 MB), %3")
                   .arg(m_buckets.size())
                   .arg(megabytes.join(QStringLiteral(", ")),
                        m_shm ? QStringLiteral("summed in shared memory after the backward pass (all ranks on one host)")
                              : m_overlap ? QStringLiteral("all-reduced by gloo during the backward pass")
                                          : QStringLiteral("all-reduced by gloo after the backward pass")));
}

torch::Tensor DataParallel::shard(const torch::Tensor &globalBatch) const
{
    if (!distributed())
        return globalBatch;
    return globalBatch.slice(0, rank(), globalBatch.size(0), worldSize());
}

torch::Tensor DataParallel::unshard(const torch::Tensor &mine, int64_t rows)
{
    if (!distributed())
        return mine;
    std::vector<int64_t> shape = mine.sizes().vec();
    shape[0] = rows;
    // Zeros elsewhere: the sum over ranks is each row exactly as its rank computed it.
    std::vector<torch::Tensor> one{torch::zeros(shape, mine.options())};
    one[0].slice(0, rank(), rows, worldSize()).copy_(mine);
    try {
        wait(m_group->allreduce(one));
    } catch (const std::exception &e) {
        failCollective(e);
    }
    return one[0];
}

void DataParallel::beforeBackward(double scaledLoss, bool stop, qint64 step)
{
    if (!distributed()) {
        m_soloLoss = scaledLoss;
        m_soloStop = stop;
        return;
    }
    heartbeat(step);
    for (auto &b : m_buckets) {
        b->pending = b->params.size();
        b->launched = false;
        b->work.reset();
    }
    std::fill(m_filled.begin(), m_filled.end(), 0);
    m_nextLaunch = 0;
    auto header = m_buckets.front()->flat.accessor<float, 1>();
    header[0] = float(scaledLoss);
    header[1] = stop ? 1.0f : 0.0f;
}

void DataParallel::onGradient(size_t param, const torch::Tensor &grad)
{
    const auto [b, offset] = m_where[param];
    Bucket &bucket = *m_buckets[b];
    if (m_filled[param] || bucket.launched)
        return;
    bucket.flat.narrow(0, offset, grad.numel()).copy_(grad.reshape({-1}));
    m_filled[param] = 1;
    if (--bucket.pending == 0)
        while (m_nextLaunch < m_buckets.size() && m_buckets[m_nextLaunch]->pending == 0)
            launch(*m_buckets[m_nextLaunch++]);
}

void DataParallel::launch(Bucket &bucket)
{
    if (m_shm) { // summed with the others in afterBackward()
        bucket.launched = true;
        return;
    }
    std::vector<torch::Tensor> one{bucket.flat};
    try {
        bucket.work = m_group->allreduce(one);
    } catch (const std::exception &e) {
        failCollective(e);
    }
    bucket.launched = true;
}

DataParallel::StepResult DataParallel::afterBackward()
{
    if (!distributed())
        return {m_soloLoss, m_soloStop};
    // Gradients no hook delivered (a parameter that got none, a rank with no rows in a short
    // last batch, or hooks off) go in now; then the rest of the buckets start, in order.
    for (size_t i = 0; i < m_params.size(); ++i) {
        if (m_filled[i])
            continue;
        const auto [b, offset] = m_where[i];
        torch::Tensor slice = m_buckets[b]->flat.narrow(0, offset, m_params[i].numel());
        const torch::Tensor &g = m_params[i].grad();
        if (g.defined())
            slice.copy_(g.reshape({-1}));
        else
            slice.zero_();
        m_filled[i] = 1;
        m_buckets[b]->pending = 0;
    }
    for (auto &b : m_buckets)
        b->pending = 0;
    while (m_nextLaunch < m_buckets.size())
        launch(*m_buckets[m_nextLaunch++]);
    const auto waitStart = std::chrono::steady_clock::now();
    try {
        for (auto &b : m_buckets)
            wait(b->work);
        if (m_shm)
            m_shm->allReduce(m_timeout);
    } catch (const std::exception &e) {
        failCollective(e);
    }
    m_waitSeconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - waitStart).count();
    for (size_t i = 0; i < m_params.size(); ++i) {
        const auto [b, offset] = m_where[i];
        m_params[i].mutable_grad() = m_buckets[b]->flat.narrow(0, offset, m_params[i].numel()).view(m_params[i].sizes());
    }
    auto header = m_buckets.front()->flat.accessor<float, 1>();
    return {double(header[0]), header[1] > 0};
}

bool DataParallel::agree(bool masterDecision)
{
    if (!distributed())
        return masterDecision;
    std::vector<torch::Tensor> one{torch::full({1}, isMaster() && masterDecision ? 1.0f : 0.0f)};
    try {
        wait(m_group->allreduce(one));
    } catch (const std::exception &e) {
        failCollective(e);
    }
    return one[0].item<float>() > 0;
}

std::vector<double> DataParallel::gather(double value)
{
    if (!distributed())
        return {value};
    std::vector<torch::Tensor> one{torch::zeros({worldSize()}, torch::kDouble)};
    one[0][rank()] = value;
    try {
        wait(m_group->allreduce(one));
    } catch (const std::exception &e) {
        failCollective(e);
    }
    const torch::Tensor t = one[0].contiguous();
    return std::vector<double>(t.data_ptr<double>(), t.data_ptr<double>() + t.numel());
}

void DataParallel::epochStarted()
{
    m_cpuMark = processCpuSeconds();
    m_threadCpuMark = threadCpuSeconds();
    m_waitSeconds = 0;
}

void DataParallel::logThroughput(JobContext &ctx, double samplesPerSecond, qint64 step)
{
    const double cpu = processCpuSeconds(), threadCpu = threadCpuSeconds();
    const double epochCpu = cpu - m_cpuMark, trainingCpu = threadCpu - m_threadCpuMark, waited = m_waitSeconds;
    if (distributed())
        ctx.log(QStringLiteral("distributed: rank %1 in the epoch: %2 s of CPU (%3 s in the training thread, %4 s in gloo's and the "
                               "heartbeat's), %5 s waiting for all-reduces after backward")
                    .arg(rank()).arg(epochCpu, 0, 'f', 2).arg(trainingCpu, 0, 'f', 2).arg(epochCpu - trainingCpu, 0, 'f', 2).arg(waited, 0, 'f', 2));
    const std::vector<double> rates = gather(samplesPerSecond);
    const std::vector<double> cpus = gather(epochCpu);
    const std::vector<double> comm = gather(epochCpu - trainingCpu);
    const std::vector<double> waits = gather(waited);
    if (!isMaster())
        return;
    double total = 0, totalCpu = 0;
    for (size_t r = 0; r < rates.size(); ++r) {
        total += rates[r];
        totalCpu += cpus[r];
        if (distributed()) {
            ctx.logMetric(QStringLiteral("throughput.rank%1").arg(r), rates[r], step);
            ctx.logMetric(QStringLiteral("epoch_cpu_s.rank%1").arg(r), cpus[r], step);
            ctx.logMetric(QStringLiteral("comm_cpu_s.rank%1").arg(r), comm[r], step);
            ctx.logMetric(QStringLiteral("allreduce_wait_s.rank%1").arg(r), waits[r], step);
        }
    }
    ctx.logMetric(QStringLiteral("throughput"), total, step);
    ctx.logMetric(QStringLiteral("epoch_cpu_s"), totalCpu, step);
}

void DataParallel::heartbeat(qint64 step)
{
    if (m_heartbeat)
        m_heartbeat->step.store(step);
}

void DataParallel::wait(const c10::intrusive_ptr<c10d::Work> &work)
{
    if (work)
        work->wait(m_timeout);
}

void DataParallel::failCollective(const std::exception &e)
{
    const QString what = QString::fromLocal8Bit(e.what()).section(QLatin1Char('\n'), 0, 0).trimmed();
    const qint64 myStep = m_heartbeat ? m_heartbeat->step.load() : 0;
    m_heartbeat.reset();
    // Which rank stopped answering: the one whose heartbeat went stale, or the one furthest
    // behind. A rank that just died still looks fresh for a moment: give it time to go stale.
    std::this_thread::sleep_for(std::chrono::milliseconds(2500));
    QString blame;
    try {
        c10::intrusive_ptr<c10d::Store> store = connectStore(m_place, false, std::chrono::milliseconds(3000));
        const qint64 now = QDateTime::currentMSecsSinceEpoch();
        int stalest = -1, slowest = -1;
        qint64 stalestAge = 0, slowestStep = myStep;
        for (int r = 0; r < worldSize(); ++r) {
            if (r == rank())
                continue;
            if (!store->check({key("hb", r)})) {
                blame = QStringLiteral("rank %1 never reported a step").arg(r);
                break;
            }
            const QList<QByteArray> parts = fromBytes(store->get(key("hb", r))).split(' ');
            const qint64 step = parts.value(0).toLongLong();
            const qint64 age = now - parts.value(1).toLongLong();
            if (age > 2000 && age > stalestAge)
                stalest = r, stalestAge = age;
            if (step < slowestStep)
                slowest = r, slowestStep = step;
        }
        if (blame.isEmpty() && stalest >= 0)
            blame = QStringLiteral("rank %1 stopped answering (on %2; last heard %3 s ago)")
                        .arg(stalest).arg(m_hosts.value(stalest)).arg(stalestAge / 1000.0, 0, 'f', 1);
        else if (blame.isEmpty() && slowest >= 0)
            blame = QStringLiteral("rank %1 (on %2) is stuck at step %3 while this rank is at step %4")
                        .arg(slowest).arg(m_hosts.value(slowest)).arg(slowestStep).arg(myStep);
    } catch (const std::exception &) {
        if (rank() != 0)
            blame = QStringLiteral("rank 0 (on %1, which serves the rendezvous store) does not answer").arg(m_hosts.value(0));
    }
    throw Error(QStringLiteral("distributed: rank %1 lost the other ranks at step %2%3 (%4)")
                    .arg(rank()).arg(myStep).arg(blame.isEmpty() ? QString() : QStringLiteral(": ") + blame, what));
}

} // namespace cairn::plugins::torchutil
