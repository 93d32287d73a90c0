#pragma once

// A small but realistic workspace for the experiments tests and screenshots: an XGBoost
// experiment with a tuning parent and its trials, a CNN experiment, a running run, tags and
// artifacts. Deterministic (fixed seed).

#include "cairn/store/experimentstore.h"
#include "cairn/store/sqlitedatabase.h"
#include "cairn/store/storewriter.h"
#include "cairn/workspace/workspace.h"

#include <QDir>
#include <QFile>
#include <QImage>
#include <QPainter>
#include <QRandomGenerator>

#include <cmath>

namespace demo {

struct Ids
{
    qint64 xgbExperiment = -1;
    qint64 cnnExperiment = -1;
    QString tuningParent;
    QString runningRun;
    QString artifactRun;
    int xgbTopLevelRuns = 0;
    int trials = 0;
};

inline void logCurves(cairn::StoreWriter &writer, const cairn::Run &run, int steps, double quality, QRandomGenerator &rng,
                      bool classification)
{
    const qint64 t0 = run.startTime;
    for (int s = 0; s < steps; ++s) {
        const double progress = double(s + 1) / steps;
        const double noise = (rng.generateDouble() - 0.5) * 0.02;
        const double trainLoss = 0.69 * std::exp(-3.0 * quality * progress) + 0.05 + noise;
        const double valLoss = trainLoss + 0.04 * progress * (1.2 - quality) + std::abs(noise);
        writer.logMetric(run.id, QStringLiteral("train_loss"), trainLoss, s, t0 + s * 250);
        writer.logMetric(run.id, QStringLiteral("val_loss"), valLoss, s, t0 + s * 250);
        if (classification)
            writer.logMetric(run.id, QStringLiteral("val_accuracy"), 0.62 + 0.25 * quality * (1 - std::exp(-4 * progress)) + noise,
                             s, t0 + s * 250);
    }
}

inline Ids create(cairn::Workspace &ws, bool withRunning = true)
{
    using namespace cairn;
    ExperimentStore &store = ws.store();
    QRandomGenerator rng(20261124);
    Ids ids;
    ids.xgbExperiment = store.createExperiment(QStringLiteral("titanic-xgboost"));
    ids.cnnExperiment = store.createExperiment(QStringLiteral("fashion-mnist-cnn"));
    StoreWriter writer(store);
    const QStringList boosters = {QStringLiteral("gbtree"), QStringLiteral("dart")};
    store.database().write([&] {
        for (int i = 0; i < 18; ++i) {
            ExperimentStore::NewRun spec;
            spec.experimentId = ids.xgbExperiment;
            spec.name = QStringLiteral("xgb-%1").arg(i + 1, 2, 10, QLatin1Char('0'));
            spec.sourceType = QStringLiteral("LOCAL");
            spec.sourceRef = QStringLiteral("/home/ada/titanic/train_xgb.py");
            spec.host = QStringLiteral("workstation");
            const Run run = store.createRun(spec);
            const double eta = std::pow(10.0, -2 + 1.5 * rng.generateDouble());
            const int depth = 3 + int(rng.bounded(8));
            const double quality = 0.5 + 0.5 * std::exp(-std::pow(std::log10(eta) + 1, 2)) - 0.02 * std::abs(depth - 6);
            writer.logParam(run.id, QStringLiteral("eta"), QString::number(eta, 'g', 3));
            writer.logParam(run.id, QStringLiteral("max_depth"), QString::number(depth));
            writer.logParam(run.id, QStringLiteral("booster"), boosters.at(i % 2));
            writer.logParam(run.id, QStringLiteral("subsample"), QString::number(0.6 + 0.1 * (i % 5), 'g', 2));
            writer.setTag(run.id, QStringLiteral("dataset"), QStringLiteral("titanic"));
            writer.setTag(run.id, QStringLiteral("model"), QStringLiteral("xgboost"));
            logCurves(writer, run, 120 + 10 * (i % 4), quality, rng, true);
            store.setRunStatus(run.uuid, i == 7 ? RunStatus::Failed : RunStatus::Finished, run.startTime + 30000 + 1000 * i);
            if (i == 3)
                ids.artifactRun = run.uuid;
            ++ids.xgbTopLevelRuns;
        }
        ExperimentStore::NewRun parentSpec;
        parentSpec.experimentId = ids.xgbExperiment;
        parentSpec.name = QStringLiteral("tune-eta-depth");
        parentSpec.sourceType = QStringLiteral("TUNING");
        parentSpec.sourceRef = QStringLiteral("tuning job 7");
        parentSpec.host = QStringLiteral("workstation");
        const Run parent = store.createRun(parentSpec);
        ids.tuningParent = parent.uuid;
        ++ids.xgbTopLevelRuns;
        for (int t = 0; t < 12; ++t) {
            ExperimentStore::NewRun spec = parentSpec;
            spec.name = QStringLiteral("trial-%1").arg(t + 1);
            spec.parentUuid = parent.uuid;
            const Run run = store.createRun(spec);
            const double eta = 0.02 + 0.03 * t;
            writer.logParam(run.id, QStringLiteral("eta"), QString::number(eta, 'g', 3));
            writer.logParam(run.id, QStringLiteral("max_depth"), QString::number(4 + t % 4));
            writer.logParam(run.id, QStringLiteral("booster"), QStringLiteral("gbtree"));
            logCurves(writer, run, 80, 0.6 + 0.03 * t - 0.002 * t * t, rng, true);
            store.setRunStatus(run.uuid, RunStatus::Finished, run.startTime + 12000);
            ++ids.trials;
        }
        store.setRunStatus(parent.uuid, RunStatus::Finished, parent.startTime + 200000);

        const QStringList optimizers = {QStringLiteral("adam"), QStringLiteral("sgd"), QStringLiteral("adamw")};
        for (int i = 0; i < 8; ++i) {
            ExperimentStore::NewRun spec;
            spec.experimentId = ids.cnnExperiment;
            spec.name = QStringLiteral("cnn-%1").arg(optimizers.at(i % 3));
            spec.sourceType = QStringLiteral("NOTEBOOK");
            spec.sourceRef = QStringLiteral("/home/ada/notebooks/fashion.ipynb");
            spec.host = QStringLiteral("gpu-box");
            const Run run = store.createRun(spec);
            writer.logParam(run.id, QStringLiteral("lr"), QString::number(0.0005 * (i + 1), 'g', 3));
            writer.logParam(run.id, QStringLiteral("batch_size"), QString::number(32 << (i % 3)));
            writer.logParam(run.id, QStringLiteral("optimizer"), optimizers.at(i % 3));
            logCurves(writer, run, 300, 0.55 + 0.05 * i, rng, true);
            store.setRunStatus(run.uuid, RunStatus::Finished, run.startTime + 600000);
        }
    });
    writer.flush();
    if (withRunning) {
        ExperimentStore::NewRun spec;
        spec.experimentId = ids.xgbExperiment;
        spec.name = QStringLiteral("xgb-live");
        spec.host = QStringLiteral("workstation");
        const Run run = store.createRun(spec);
        ids.runningRun = run.uuid;
        writer.logParam(run.id, QStringLiteral("eta"), QStringLiteral("0.1"));
        writer.logParam(run.id, QStringLiteral("max_depth"), QStringLiteral("6"));
        writer.logParam(run.id, QStringLiteral("booster"), QStringLiteral("gbtree"));
        logCurves(writer, run, 40, 0.9, rng, true);
        writer.flush();
        ++ids.xgbTopLevelRuns;
    }
    // Artifacts: a text file and an image.
    const QString dir = ws.artifactDir(ids.artifactRun);
    QDir().mkpath(dir);
    QFile notes(QDir(dir).filePath(QStringLiteral("feature_importance.json")));
    if (notes.open(QIODevice::WriteOnly))
        notes.write("{\n  \"sex\": 0.41,\n  \"pclass\": 0.22,\n  \"fare\": 0.17,\n  \"age\": 0.12\n}\n");
    QImage image(240, 160, QImage::Format_RGB32);
    image.fill(QColor(250, 250, 250));
    QPainter painter(&image);
    const double bars[] = {0.41, 0.22, 0.17, 0.12};
    for (int i = 0; i < 4; ++i)
        painter.fillRect(20 + i * 55, 150 - int(bars[i] * 300), 40, int(bars[i] * 300), QColor(47, 127, 224));
    painter.end();
    image.save(QDir(dir).filePath(QStringLiteral("importance.png")));
    return ids;
}

} // namespace demo
