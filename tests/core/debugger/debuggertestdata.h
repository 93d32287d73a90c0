#pragma once

// Synthetic debugger data for tests: a run per scenario, written through TensorWriter and the
// store the way the job manager and the Python hook write it.
#include "cairn/debugger/tensorstore.h"
#include "cairn/store/experimentstore.h"
#include "cairn/store/storewriter.h"

#include <QRandomGenerator>

#include <cmath>
#include <functional>
#include <vector>

namespace cairn::debugger::testdata {

inline std::vector<double> normal(QRandomGenerator &rng, int n, double mean, double std)
{
    std::vector<double> v(static_cast<size_t>(n), 0.0);
    for (int i = 0; i < n; i += 2) {
        const double u1 = std::max(1e-12, rng.generateDouble()), u2 = rng.generateDouble();
        const double r = std::sqrt(-2 * std::log(u1));
        v[size_t(i)] = mean + std * r * std::cos(2 * M_PI * u2);
        if (i + 1 < n)
            v[size_t(i) + 1] = mean + std * r * std::sin(2 * M_PI * u2);
    }
    return v;
}

/// Samples of one tensor over steps, built by fn(step) → values.
struct Builder
{
    ExperimentStore &store;
    qint64 runId;
    TensorWriter writer{store};
    QRandomGenerator rng{42};

    void tensor(const QString &name, const QString &collection, const QList<qint64> &steps,
                const std::function<std::vector<double>(qint64, QRandomGenerator &)> &fn, int bins = 64)
    {
        for (qint64 step : steps) {
            const std::vector<double> v = fn(step, rng);
            TensorSample s = TensorSample::of(v.data(), qint64(v.size()), step, bins);
            writer.add(runId, name, collection, s);
        }
    }
    /// A histogram with one bin per class (edges -0.5 … k - 0.5).
    void classes(const QString &name, const QList<qint64> &steps, const std::vector<double> &perClass)
    {
        for (qint64 step : steps) {
            TensorSample s;
            s.step = step;
            for (size_t k = 0; k <= perClass.size(); ++k)
                s.edges.push_back(double(k) - 0.5);
            s.counts = perClass;
            double n = 0, sum = 0;
            for (size_t k = 0; k < perClass.size(); ++k) {
                n += perClass[k];
                sum += perClass[k] * double(k);
            }
            s.count = qint64(n);
            s.min = 0;
            s.max = double(perClass.size() - 1);
            s.mean = n > 0 ? sum / n : 0;
            s.std = 1;
            writer.add(runId, name, QStringLiteral("labels"), s);
        }
    }
    void metric(const QString &key, const QList<qint64> &steps, const std::function<double(qint64)> &fn)
    {
        StoreWriter w(store);
        for (qint64 step : steps)
            w.logMetric(runId, key, fn(step), step, nowMs());
        w.flush();
    }
    void flush() { writer.flush(); }
};

inline QList<qint64> steps(qint64 from, qint64 to, qint64 every)
{
    QList<qint64> out;
    for (qint64 s = from; s <= to; s += every)
        out << s;
    return out;
}

inline qint64 newRun(ExperimentStore &store, const QString &name, RunStatus status = RunStatus::Finished)
{
    ExperimentStore::NewRun nr;
    nr.name = name;
    nr.status = RunStatus::Running;
    const Run run = store.createRun(nr);
    if (status != RunStatus::Running)
        store.setRunStatus(run.uuid, status, nowMs());
    return run.id;
}

/// A healthy two-layer ReLU network with a tanh head: every neural-network rule stays quiet.
inline void healthyNetwork(Builder &b)
{
    const QList<qint64> st = steps(0, 200, 10);
    auto drift = [](qint64 step) { return 1.0 + 0.002 * double(step); };
    b.tensor(QStringLiteral("fc1.weight"), QStringLiteral("weights"), st, [&](qint64 s, QRandomGenerator &r) { return normal(r, 2048, 0, 0.1 * drift(s)); });
    b.tensor(QStringLiteral("fc1.bias"), QStringLiteral("biases"), st, [&](qint64 s, QRandomGenerator &r) { return normal(r, 32, 0.01, 0.05 * drift(s)); });
    b.tensor(QStringLiteral("fc2.weight"), QStringLiteral("weights"), st, [&](qint64 s, QRandomGenerator &r) { return normal(r, 320, 0, 0.14 * drift(s)); });
    b.tensor(QStringLiteral("fc2.bias"), QStringLiteral("biases"), st, [&](qint64 s, QRandomGenerator &r) { return normal(r, 10, 0, 0.05 * drift(s)); });
    b.tensor(QStringLiteral("fc1.weight.grad"), QStringLiteral("gradients"), st, [](qint64, QRandomGenerator &r) { return normal(r, 2048, 0, 1e-3); });
    b.tensor(QStringLiteral("fc2.weight.grad"), QStringLiteral("gradients"), st, [](qint64, QRandomGenerator &r) { return normal(r, 320, 0, 1e-3); });
    b.tensor(QStringLiteral("fc1.weight.update_ratio"), QStringLiteral("update_ratios"), st, [](qint64, QRandomGenerator &) { return std::vector<double>{1e-3}; });
    b.tensor(QStringLiteral("relu1.relu_input"), QStringLiteral("activations"), st, [](qint64, QRandomGenerator &r) { return normal(r, 2048, 0, 1); });
    b.tensor(QStringLiteral("relu1.relu_output"), QStringLiteral("activations"), st, [](qint64, QRandomGenerator &r) {
        auto v = normal(r, 2048, 0, 1);
        for (double &x : v)
            x = std::max(0.0, x);
        return v;
    });
    b.tensor(QStringLiteral("relu1.relu_activity"), QStringLiteral("activations"), st, [](qint64, QRandomGenerator &r) { return normal(r, 32, 50, 8); });
    b.tensor(QStringLiteral("tanh1.tanh_input"), QStringLiteral("activations"), st, [](qint64, QRandomGenerator &r) { return normal(r, 640, 0, 1.5); });
    b.tensor(QStringLiteral("relu2.relu_input"), QStringLiteral("activations"), st, [](qint64, QRandomGenerator &r) { return normal(r, 640, 0, 0.8); });
    b.classes(QStringLiteral("labels"), st, std::vector<double>(10, 50));
    b.classes(QStringLiteral("labels_mispredicted"), st, std::vector<double>(10, 5));
    b.metric(QStringLiteral("train.loss"), st, [](qint64 s) { return 2.3 * std::exp(-double(s) / 100.0) + 0.1; });
    b.metric(QStringLiteral("validation.loss"), st, [](qint64 s) { return 2.3 * std::exp(-double(s) / 100.0) + 0.12; });
    b.flush();
}

/// A healthy XGBoost run: deep trees, importance spread over ten features.
inline void healthyBoosting(Builder &b)
{
    const QList<qint64> st = steps(0, 49, 1);
    b.tensor(QStringLiteral("trees.depth"), QStringLiteral("tree_depth"), st, [](qint64, QRandomGenerator &) { return std::vector<double>{6, 5, 6, 4}; });
    for (int f = 0; f < 10; ++f)
        b.tensor(QStringLiteral("feature_importance/weight/f%1").arg(f), QStringLiteral("feature_importance"), st,
                 [f](qint64, QRandomGenerator &) { return std::vector<double>{10.0 + f}; });
    b.metric(QStringLiteral("train.logloss"), st, [](qint64 s) { return 0.69 * std::exp(-double(s) / 20.0) + 0.1; });
    b.metric(QStringLiteral("validation.logloss"), st, [](qint64 s) { return 0.69 * std::exp(-double(s) / 20.0) + 0.11; });
    b.flush();
}

} // namespace cairn::debugger::testdata
