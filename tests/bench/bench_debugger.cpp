// Debugger collection overhead: the Fashion-MNIST CNN trained by the torch plugin, as `cairn
// worker` runs it (WorkerContext writing JSON Lines events), with no collection and with all
// weights and gradients every 10 steps (64 bins), alternated in the same process. Prints the
// per-step time of each and the overhead ratio (target: at most 5 %).
// First it times the tensor store (`bench_debugger store`: only that): reading one tensor's whole
// series (1,000 steps with 64-bin histograms) among 300 tensors, against a scan of every sample,
// which a read without the (tensor_id, step) key would cost (target: under 5 % of it).
#include "cairn/algorithms/algorithmplugin.h"
#include "cairn/algorithms/pluginmanager.h"
#include "cairn/debugger/tensorstore.h"
#include "cairn/jobs/workercontext.h"
#include "cairn/store/experimentstore.h"
#include "cairn/store/sqlitedatabase.h"
#include "cairn/workspace/workspace.h"

#include <QElapsedTimer>
#include <QRandomGenerator>

#include <QCoreApplication>
#include <QTemporaryDir>

#include <algorithm>
#include <cstdio>

using namespace cairn;

namespace {
/// The worker's context, keeping the trainer's own epoch time (training steps only, without
/// loading the images or validating).
class TimedContext : public WorkerContext
{
public:
    using WorkerContext::WorkerContext;
    void logMetric(const QString &key, double value, qint64 step) override
    {
        if (key == QLatin1String("epoch_time_s"))
            epochSeconds += value;
        WorkerContext::logMetric(key, value, step);
    }
    double epochSeconds = 0;
};

double secondsPerStep(PluginManager &plugins, const QString &out, bool collect, qint64 *steps)
{
    JobSpec s;
    s.algorithm = QStringLiteral("cnn");
    s.hyperparameters = {{QStringLiteral("epochs"), 1}, {QStringLiteral("max_train_images"), 4000}};
    data::ChannelSpec train;
    train.type = data::ChannelSpec::Type::Idx;
    train.path = QStringLiteral(CAIRN_SHARED_DATA_DIR "/fashion-mnist/t10k-images-idx3-ubyte.gz");
    train.labelsPath = QStringLiteral(CAIRN_SHARED_DATA_DIR "/fashion-mnist/t10k-labels-idx1-ubyte.gz");
    s.channels.insert(QStringLiteral("train"), train);
    s.outputDir = out;
    s.resources.cpus = 2;
    if (collect) {
        s.debugger.collections = {QStringLiteral("weights"), QStringLiteral("biases"), QStringLiteral("gradients")};
        s.debugger.interval = 10;
    }
    std::FILE *sink = std::fopen("/dev/null", "w");
    TimedContext ctx(s, sink);
    plugins.pluginFor(s.algorithm)->createTrainer(s.algorithm, s)->run(ctx);
    const double seconds = ctx.epochSeconds;
    std::fclose(sink);
    *steps = (4000 * 8 / 10 + 63) / 64; // 80 % trains, batch 64
    return seconds / double(*steps);
}
} // namespace

int storeReads()
{
    QTemporaryDir dir;
    Workspace ws(dir.path());
    ExperimentStore &store = ws.store();
    ExperimentStore::NewRun nr;
    nr.name = QStringLiteral("bench");
    const qint64 run = store.createRun(nr).id;
    const int tensors = 300, steps = 1000;
    {
        debugger::TensorWriter w(store);
        QRandomGenerator rng(1);
        std::vector<double> v(256);
        for (int step = 0; step < steps; ++step)
            for (int t = 0; t < tensors; ++t) {
                for (double &x : v)
                    x = rng.generateDouble();
                w.add(run, QStringLiteral("layer%1.weight").arg(t), QStringLiteral("weights"), debugger::TensorSample::of(v.data(), 256, step, 64));
            }
        w.flush();
    }
    debugger::TensorStore ts(store);
    const qint64 id = ts.tensor(run, QStringLiteral("layer150.weight"))->id;
    auto median = [](std::vector<double> v) {
        std::sort(v.begin(), v.end());
        return v[v.size() / 2];
    };
    std::vector<double> reads, scans;
    for (int round = 0; round < 7; ++round) { // alternated; medians
        QElapsedTimer t;
        t.start();
        const size_t n = ts.series(id).samples.size();
        reads.push_back(double(t.nsecsElapsed()) / 1e6);
        if (n != size_t(steps))
            return std::printf("read %zu samples, not %d\n", n, steps), 1;
        t.restart();
        SqliteQuery scan = store.database().query(QStringLiteral("SELECT count(*), sum(length(histogram)) FROM debug_samples"));
        scan.next();
        scans.push_back(double(t.nsecsElapsed()) / 1e6);
    }
    const double read = median(reads), all = median(scans);
    std::printf("tensor store: one tensor's series (%d steps, 64 bins) among %d tensors (%d samples)\n", steps, tensors, steps * tensors);
    std::printf("  read one tensor     %8.2f ms (median of 7)\n", read);
    std::printf("  scan every sample   %8.2f ms (what a read without the key costs)\n", all);
    std::printf("  ratio               %8.3f  (target < 0.05: the read touches its own rows)\n", read / all);
    return read / all < 0.05 ? 0 : 1;
}

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    const int storeStatus = storeReads();
    if (app.arguments().contains(QStringLiteral("store")))
        return storeStatus;
    PluginManager plugins;
    QTemporaryDir dir;
    qint64 steps = 0;
    secondsPerStep(plugins, dir.filePath(QStringLiteral("warm")), false, &steps); // load data and libraries once
    double off = 1e9, on = 1e9;
    int i = 0;
    for (const bool collect : {false, true, true, false}) { // drift cancels out; the best of two
        const double v = secondsPerStep(plugins, dir.filePath(QStringLiteral("run%1").arg(i++)), collect, &steps);
        (collect ? on : off) = std::min(collect ? on : off, v);
    }
    std::printf("debugger collection (weights, biases, gradients every 10 steps, 64 bins), Fashion-MNIST CNN, %lld steps per run\n",
                static_cast<long long>(steps));
    std::printf("  no collection    %8.2f ms/step\n", off * 1000);
    std::printf("  with collection  %8.2f ms/step\n", on * 1000);
    std::printf("  overhead         %+7.1f %%  (ratio %.3f, target <= 1.05)\n", (on / off - 1) * 100, on / off);
    return storeStatus;
}
