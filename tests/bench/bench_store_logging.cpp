// Metric logging throughput into the store: the batched writer (how Cairn's job manager writes
// worker events) against one transaction per point (how MLflow-style clients log), measured in
// the same run on the same machine. Target: >= 500,000 points/s batched.
#include "cairn/store/experimentstore.h"
#include "cairn/store/storewriter.h"
#include "cairn/workspace/workspace.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QTemporaryDir>

#include <cmath>
#include <cstdio>

using namespace cairn;

namespace {

double batchedPointsPerSecond(Workspace &ws, int runs, int metricsPerRun, int pointsPerMetric, int batch)
{
    ExperimentStore &store = ws.store();
    QList<Run> created;
    for (int r = 0; r < runs; ++r)
        created << store.createRun({.name = QStringLiteral("batched-%1").arg(r)});
    QStringList keys;
    for (int m = 0; m < metricsPerRun; ++m)
        keys << QStringLiteral("metric_%1").arg(m);
    StoreWriter writer(store, batch);
    QElapsedTimer timer;
    timer.start();
    qint64 points = 0;
    // Interleaved the way a training loop logs: each step writes every metric of every run.
    for (int step = 0; step < pointsPerMetric; ++step)
        for (const Run &run : created)
            for (const QString &key : keys) {
                writer.logMetric(run.id, key, std::sin(step * 0.01), step, 1700000000000 + step);
                ++points;
            }
    writer.flush();
    return points / (timer.nsecsElapsed() / 1e9);
}

double singlePointsPerSecond(Workspace &ws, int points)
{
    ExperimentStore &store = ws.store();
    const Run run = store.createRun({.name = QStringLiteral("single")});
    QElapsedTimer timer;
    timer.start();
    for (int i = 0; i < points; ++i)
        store.logMetric(run.uuid, {QStringLiteral("loss"), std::sin(i * 0.01), i, 1700000000000 + i});
    return points / (timer.nsecsElapsed() / 1e9);
}

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    QTemporaryDir dir;
    Workspace ws(dir.path());

    const int runs = 10, metrics = 10, steps = 10000; // 1,000,000 points
    const double batched = batchedPointsPerSecond(ws, runs, metrics, steps, 50000);
    const double single = singlePointsPerSecond(ws, 20000);
    std::printf("metric logging into the store (%d points batched, 20000 single)\n", runs * metrics * steps);
    std::printf("  batched writer         %12.0f points/s\n", batched);
    std::printf("  one point per commit   %12.0f points/s\n", single);
    std::printf("  ratio batched/single   %12.1fx\n", batched / single);
    std::printf("  target >= 500000 points/s batched: %s\n", batched >= 500000 ? "met" : "NOT met");
    return 0;
}
