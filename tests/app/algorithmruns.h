#pragma once

// Runs with the metrics the bundled algorithms really log (names, steps and how many points),
// written straight into a workspace's store: the CNN's per-batch and per-epoch losses, XGBoost's
// per-round scores beside its final ones and its feature importance, and an AutoML run. For the
// tests of what charts and tables show first.

#include "cairn/store/experimentstore.h"
#include "cairn/workspace/workspace.h"

#include <QDateTime>
#include <QDir>
#include <QFile>

#include <cmath>

namespace algorithmruns {

inline void metric(cairn::ExperimentStore &store, const cairn::Run &run, const QString &key, double value, qint64 step)
{
    store.logMetric(run.uuid, {key, value, step, run.startTime + 1000 * step});
}

/// A finished CNN run on an image set: the batch loss was logged once (step 0: a small set and
/// log_every of 100), the rest once per epoch.
inline cairn::Run cnnRun(cairn::ExperimentStore &store, qint64 experiment, const QString &name, int epochs = 3)
{
    const cairn::Run run = store.createRun({.experimentId = experiment, .name = name});
    store.logParam(run.uuid, QStringLiteral("algorithm"), QStringLiteral("cnn"));
    store.logParam(run.uuid, QStringLiteral("epochs"), QString::number(epochs));
    store.setTag(run.uuid, QStringLiteral("cairn.algorithm"), QStringLiteral("cnn"));
    metric(store, run, QStringLiteral("train.loss"), 2.31, 0);
    for (int e = 1; e <= epochs; ++e) {
        metric(store, run, QStringLiteral("train.epoch_loss"), 0.9 / e + 0.2, e);
        metric(store, run, QStringLiteral("validation.loss"), 0.8 / e + 0.25, e);
        metric(store, run, QStringLiteral("validation.accuracy"), 0.7 + 0.05 * e, e);
        metric(store, run, QStringLiteral("learning_rate"), 0.001, e);
        metric(store, run, QStringLiteral("epoch_time_s"), 4.2, e);
    }
    store.setRunStatus(run.uuid, cairn::RunStatus::Finished, run.startTime + 20000);
    return run;
}

/// A finished XGBoost run: log loss and AUC per boosting round (then the final score), the other
/// final scores once, feature importance once, and a confusion matrix artifact.
inline cairn::Run xgboostRun(cairn::Workspace &ws, qint64 experiment, const QString &name, int rounds, double quality)
{
    cairn::ExperimentStore &store = ws.store();
    const cairn::Run run = store.createRun({.experimentId = experiment, .name = name});
    store.logParam(run.uuid, QStringLiteral("algorithm"), QStringLiteral("xgboost"));
    store.logParam(run.uuid, QStringLiteral("eta"), QString::number(0.05 + quality / 10));
    store.logParam(run.uuid, QStringLiteral("num_round"), QString::number(rounds));
    store.logParam(run.uuid, QStringLiteral("task"), QStringLiteral("binary"));
    store.setTag(run.uuid, QStringLiteral("cairn.algorithm"), QStringLiteral("xgboost"));
    for (int i = 0; i < rounds; ++i) {
        metric(store, run, QStringLiteral("train.log_loss"), 0.69 * std::exp(-0.1 * i) + 0.1, i);
        metric(store, run, QStringLiteral("validation.log_loss"), 0.69 * std::exp(-0.08 * i * quality) + 0.15, i);
        metric(store, run, QStringLiteral("train.auc"), 0.8 + 0.15 * (1 - std::exp(-0.1 * i)), i);
        metric(store, run, QStringLiteral("validation.auc"), 0.75 + 0.12 * quality * (1 - std::exp(-0.1 * i)), i);
    }
    metric(store, run, QStringLiteral("validation.log_loss"), 0.69 * std::exp(-0.08 * (rounds - 1) * quality) + 0.15, rounds);
    metric(store, run, QStringLiteral("validation.auc"), 0.75 + 0.12 * quality, rounds);
    metric(store, run, QStringLiteral("validation.accuracy"), 0.7 + 0.1 * quality, rounds);
    metric(store, run, QStringLiteral("validation.f1"), 0.65 + 0.1 * quality, rounds);
    metric(store, run, QStringLiteral("importance.age"), 12.5, 0);
    metric(store, run, QStringLiteral("importance.sex=male"), 40.1, 0);
    QDir().mkpath(ws.artifactDir(run.uuid));
    QFile matrix(QDir(ws.artifactDir(run.uuid)).filePath(QStringLiteral("confusion_matrix.csv")));
    if (matrix.open(QIODevice::WriteOnly))
        matrix.write("truth\\predicted,no,yes\nno,98,12\nyes,19,50\n");
    store.setRunStatus(run.uuid, cairn::RunStatus::Finished, run.startTime + 5000);
    return run;
}

/// A finished AutoML run (what the AutoML panel lists) with one candidate per point.
inline cairn::Run automlRun(cairn::ExperimentStore &store, qint64 experiment, const QString &name)
{
    const cairn::Run run = store.createRun({.experimentId = experiment, .name = name});
    store.setTag(run.uuid, QStringLiteral("cairn.automl"), QStringLiteral("1"));
    for (int c = 1; c <= 4; ++c) {
        metric(store, run, QStringLiteral("candidate.objective"), 0.7 + 0.02 * c, c);
        metric(store, run, QStringLiteral("best.objective"), 0.7 + 0.02 * c, c);
    }
    metric(store, run, QStringLiteral("objective"), 0.78, 0);
    store.setRunStatus(run.uuid, cairn::RunStatus::Finished, run.startTime + 60000);
    return run;
}

} // namespace algorithmruns
