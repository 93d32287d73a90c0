// Debugger collection overhead: the Fashion-MNIST CNN trained by the torch plugin, as `cairn
// worker` runs it (WorkerContext writing JSON Lines events), with no collection and with all
// weights and gradients every 10 steps (64 bins), alternated in the same process. Prints the
// per-step time of each and the overhead ratio (target: at most 5 %).
#include "cairn/algorithms/algorithmplugin.h"
#include "cairn/algorithms/pluginmanager.h"
#include "cairn/jobs/workercontext.h"

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

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
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
    return 0;
}
