// Data-parallel CNN on Fashion-MNIST: 2 processes × 1 thread against 1 process × 1 thread, the
// same global batch, seed and epochs, both through `cairn train` in the same run. Target (issue
// 16): speed-up ≥ 1.7 on a 2-core machine with equal test accuracy.
// CAIRN_BENCH_TRAIN_IMAGES (e.g. 12000) shortens the epochs; CAIRN_BENCH_EPOCHS (default 1);
// CAIRN_BENCH_REPEAT (default 1) runs the pair that many times, alternately, and reports each
// pair and the fastest epoch of each side (on a shared machine the load changes from minute to minute).
#include "cairn/store/experimentstore.h"
#include "cairn/workspace/workspace.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QFile>
#include <QProcess>
#include <QTemporaryDir>
#include <QTextStream>

#include <algorithm>
#include <numeric>

namespace {

struct Result
{
    double epochSeconds = 0;  ///< mean training time of an epoch (rank 0's clock)
    double wallSeconds = 0;   ///< the whole `cairn train`, reading and validation included
    double accuracy = 0;      ///< on the Fashion-MNIST test set (the validation channel)
    double throughput = 0;    ///< samples per second, all ranks, last epoch
    // The profile (CPU seconds of the last epoch, which the machine's load hardly changes).
    double cpu = 0;           ///< every rank's together
    QList<double> rankCpu;    ///< per rank
    QList<double> commCpu;    ///< per rank: gloo's and the heartbeat's threads
    QList<double> waits;      ///< per rank: wall seconds waiting for all-reduces after backward
};

QString loadAverage()
{
    QFile f(QStringLiteral("/proc/loadavg"));
    return f.open(QIODevice::ReadOnly) ? QString::fromLatin1(f.readAll()).section(QLatin1Char(' '), 0, 2) : QStringLiteral("?");
}

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
    auto last = [&](const QString &key) {
        const cairn::MetricSeries m = workspace.store().metricHistory(run.id, key);
        return m.values.isEmpty() ? 0.0 : m.values.last();
    };
    r.cpu = last(QStringLiteral("epoch_cpu_s"));
    for (int k = 0; k < instances && instances > 1; ++k) {
        r.rankCpu << last(QStringLiteral("epoch_cpu_s.rank%1").arg(k));
        r.commCpu << last(QStringLiteral("comm_cpu_s.rank%1").arg(k));
        r.waits << last(QStringLiteral("allreduce_wait_s.rank%1").arg(k));
    }
    return r;
}

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    QTextStream out(stdout);
    const int images = qEnvironmentVariableIntValue("CAIRN_BENCH_TRAIN_IMAGES");
    const int epochs = qEnvironmentVariableIntValue("CAIRN_BENCH_EPOCHS") > 0 ? qEnvironmentVariableIntValue("CAIRN_BENCH_EPOCHS") : 1;
    const int repeat = std::max(1, qEnvironmentVariableIntValue("CAIRN_BENCH_REPEAT"));
    const QString loadBefore = loadAverage();
    Result one, two;
    for (int k = 0; k < repeat; ++k) {
        const QString load = loadAverage();
        const Result a = train(1, images, epochs);
        const Result b = train(2, images, epochs);
        if (repeat > 1)
            out << QStringLiteral("pair %1: epoch 1 process %2 s, 2 processes %3 s, speed-up %4; load average before %5, after %6\n")
                       .arg(k + 1).arg(a.epochSeconds, 0, 'f', 2).arg(b.epochSeconds, 0, 'f', 2)
                       .arg(a.epochSeconds / std::max(1e-9, b.epochSeconds), 0, 'f', 2).arg(load, loadAverage())
                << Qt::flush;
        if (k == 0 || a.epochSeconds < one.epochSeconds)
            one = a;
        if (k == 0 || b.epochSeconds < two.epochSeconds)
            two = b;
    }
    const QString loadAfter = loadAverage();
    if (images > 0)
        out << "training on the first " << images << " images only\n";
    if (repeat > 1)
        out << "the fastest epoch of each side over the " << repeat << " pairs (and that run's figures):\n";
    out << QStringLiteral("cnn epoch, batch 64, %1 epoch(s):\n").arg(epochs);
    out << QStringLiteral("  1 process  x 1 thread: epoch %1 s, %2 images/s, wall %3 s, test accuracy %4\n")
               .arg(one.epochSeconds, 0, 'f', 2).arg(one.throughput, 0, 'f', 0).arg(one.wallSeconds, 0, 'f', 1).arg(one.accuracy, 0, 'f', 4);
    out << QStringLiteral("  2 processes x 1 thread: epoch %1 s, %2 images/s, wall %3 s, test accuracy %4\n")
               .arg(two.epochSeconds, 0, 'f', 2).arg(two.throughput, 0, 'f', 0).arg(two.wallSeconds, 0, 'f', 1).arg(two.accuracy, 0, 'f', 4);
    out << QStringLiteral("  speed-up %1 (target >= 1.7), wall %2; accuracy difference %3\n")
               .arg(one.epochSeconds / std::max(1e-9, two.epochSeconds), 0, 'f', 2)
               .arg(one.wallSeconds / std::max(1e-9, two.wallSeconds), 0, 'f', 2)
               .arg(two.accuracy - one.accuracy, 0, 'f', 4);
    // What two free cores would allow: the busier rank's CPU time against the single process's.
    const double busiest = two.rankCpu.isEmpty() ? 0 : *std::max_element(two.rankCpu.begin(), two.rankCpu.end());
    out << QStringLiteral("  CPU in the last epoch: 1 process %1 s; 2 processes %2 s (rank 0 %3 s, rank 1 %4 s, of which gloo's threads %5 s and %6 s); "
                          "waiting for all-reduces after backward %7 s and %8 s\n")
               .arg(one.cpu, 0, 'f', 2).arg(two.cpu, 0, 'f', 2).arg(two.rankCpu.value(0), 0, 'f', 2).arg(two.rankCpu.value(1), 0, 'f', 2)
               .arg(two.commCpu.value(0), 0, 'f', 2).arg(two.commCpu.value(1), 0, 'f', 2).arg(two.waits.value(0), 0, 'f', 2).arg(two.waits.value(1), 0, 'f', 2);
    out << QStringLiteral("  speed-up two idle cores allow (1-process CPU / busier rank's CPU): %1\n").arg(one.cpu / std::max(1e-9, busiest), 0, 'f', 2);
    out << QStringLiteral("  load average (1, 5, 15 min) before: %1, after: %2\n").arg(loadBefore, loadAfter);
    return 0;
}
