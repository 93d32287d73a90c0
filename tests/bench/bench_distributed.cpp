// Data-parallel CNN on Fashion-MNIST: 2 processes × 1 thread against 1 process × 1 thread, the
// same global batch, seed and epochs, both through `cairn train` in the same run. Target (issue
// 16): speed-up ≥ 1.7 on a 2-core machine with equal test accuracy.
// CAIRN_BENCH_TRAIN_IMAGES (e.g. 12000) shortens the epochs; CAIRN_BENCH_EPOCHS (default 1).
#include "cairn/store/experimentstore.h"
#include "cairn/workspace/workspace.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QProcess>
#include <QTemporaryDir>
#include <QTextStream>

#include <numeric>

namespace {

struct Result
{
    double epochSeconds = 0;  ///< mean training time of an epoch (rank 0's clock)
    double wallSeconds = 0;   ///< the whole `cairn train`, reading and validation included
    double accuracy = 0;      ///< on the Fashion-MNIST test set (the validation channel)
    double throughput = 0;    ///< samples per second, all ranks, last epoch
};

Result train(int instances, int images, int epochs)
{
    const QString data = QStringLiteral(CAIRN_SHARED_DATA_DIR "/fashion-mnist");
    QTemporaryDir ws;
    QProcess cairn;
    cairn.setProcessChannelMode(QProcess::ForwardedErrorChannel);
    QElapsedTimer wall;
    wall.start();
    cairn.start(QStringLiteral(CAIRN_CLI_PATH),
                {QStringLiteral("--workspace"), ws.path(), QStringLiteral("train"), QStringLiteral("--algorithm"), QStringLiteral("cnn"),
                 QStringLiteral("--train"), data + QStringLiteral("/train-images-idx3-ubyte.gz"),
                 QStringLiteral("--validation"), data + QStringLiteral("/t10k-images-idx3-ubyte.gz"),
                 QStringLiteral("--cpus"), QStringLiteral("1"), QStringLiteral("--instances"), QString::number(instances),
                 QStringLiteral("--hp"), QStringLiteral("epochs=%1").arg(epochs), QStringLiteral("--hp"), QStringLiteral("batch_size=64"),
                 QStringLiteral("--hp"), QStringLiteral("optimizer=adam"), QStringLiteral("--hp"), QStringLiteral("learning_rate=0.002"),
                 QStringLiteral("--hp"), QStringLiteral("max_train_images=%1").arg(images)});
    if (!cairn.waitForFinished(3600000) || cairn.exitCode() != 0)
        qFatal("cairn train --instances %d failed: %s", instances, cairn.readAllStandardOutput().constData());
    Result r;
    r.wallSeconds = wall.nsecsElapsed() / 1e9;
    cairn::Workspace workspace(ws.path());
    const cairn::Run run = workspace.store().searchRuns({}).first();
    const cairn::MetricSeries times = workspace.store().metricHistory(run.id, QStringLiteral("epoch_time_s"));
    const cairn::MetricSeries acc = workspace.store().metricHistory(run.id, QStringLiteral("validation.accuracy"));
    const cairn::MetricSeries rate = workspace.store().metricHistory(run.id, QStringLiteral("throughput"));
    r.epochSeconds = std::accumulate(times.values.begin(), times.values.end(), 0.0) / std::max<qsizetype>(1, times.values.size());
    r.accuracy = acc.values.isEmpty() ? 0 : acc.values.last();
    r.throughput = rate.values.isEmpty() ? 0 : rate.values.last();
    return r;
}

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    QTextStream out(stdout);
    const int images = qEnvironmentVariableIntValue("CAIRN_BENCH_TRAIN_IMAGES");
    const int epochs = qEnvironmentVariableIntValue("CAIRN_BENCH_EPOCHS") > 0 ? qEnvironmentVariableIntValue("CAIRN_BENCH_EPOCHS") : 1;
    const Result one = train(1, images, epochs);
    const Result two = train(2, images, epochs);
    if (images > 0)
        out << "training on the first " << images << " images only\n";
    out << QStringLiteral("cnn epoch, batch 64, %1 epoch(s):\n").arg(epochs);
    out << QStringLiteral("  1 process  x 1 thread: epoch %1 s, %2 images/s, wall %3 s, test accuracy %4\n")
               .arg(one.epochSeconds, 0, 'f', 2).arg(one.throughput, 0, 'f', 0).arg(one.wallSeconds, 0, 'f', 1).arg(one.accuracy, 0, 'f', 4);
    out << QStringLiteral("  2 processes x 1 thread: epoch %1 s, %2 images/s, wall %3 s, test accuracy %4\n")
               .arg(two.epochSeconds, 0, 'f', 2).arg(two.throughput, 0, 'f', 0).arg(two.wallSeconds, 0, 'f', 1).arg(two.accuracy, 0, 'f', 4);
    out << QStringLiteral("  speed-up %1 (target >= 1.7), wall %2; accuracy difference %3\n")
               .arg(one.epochSeconds / std::max(1e-9, two.epochSeconds), 0, 'f', 2)
               .arg(one.wallSeconds / std::max(1e-9, two.wallSeconds), 0, 'f', 2)
               .arg(two.accuracy - one.accuracy, 0, 'f', 4);
    return 0;
}
