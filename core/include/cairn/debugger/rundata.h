#pragma once

#include "cairn/debugger/tensordata.h"
#include "cairn/store/types.h"

#include <QHash>
#include <QList>

namespace cairn {
class ExperimentStore;
}

namespace cairn::debugger {

class TensorStore;

/// A scalar series over steps (a loss from the metrics or from the losses collection).
struct ScalarSeries
{
    QString name;
    QList<qint64> steps;
    QList<double> values;
    QList<qint64> timestamps;
    bool isEmpty() const { return steps.isEmpty(); }
};

/// What rules read of one run, loaded incrementally from the store: each refresh() loads the
/// samples written since the previous one (at most `limit` per tensor, so that evaluating a
/// long run afterwards walks it in bounded memory). Rules look at fresh() samples and keep
/// whatever state they need themselves.
class RunData
{
public:
    RunData(ExperimentStore &store, TensorStore &tensors, qint64 runId);

    qint64 runId() const { return m_runId; }
    /// Loads what is new; false when nothing new was found (then fresh() is empty).
    bool refresh(int limit = 1000);

    struct Tensor
    {
        TensorInfo info;
        std::vector<TensorSample> fresh; ///< loaded by the last refresh(), ascending by step
        qint64 seenSamples = 0;          ///< every sample loaded so far
    };
    /// Every tensor of the run (including those with nothing fresh).
    const QList<Tensor> &tensors() const { return m_tensors; }
    /// Tensors of a collection whose name matches regex (an empty regex matches all).
    QList<const Tensor *> select(const QStringList &collections, const QString &regex = {}) const;

    /// The training (or validation) loss: the losses collection's tensors if any, else the
    /// metrics train.loss / loss / validation.loss / … (the first that exists). Whole history.
    ScalarSeries loss(bool validation) const;
    /// The newest step of any data seen.
    qint64 latestStep() const { return m_latestStep; }
    /// Newest time any data was written (sample or metric), ms since the epoch; 0 if none.
    qint64 lastActivity() const { return m_lastActivity; }
    const Run &run() const { return m_run; }
    /// The algorithm that trained the run ("xgboost", "mlp", …) when a training job made it;
    /// empty for a run logged by a script.
    QString algorithm() const;
    /// The clock rules compare against (tests set it).
    qint64 now() const { return m_now ? m_now : nowMs(); }
    void setNow(qint64 ms) { m_now = ms; }

private:
    ScalarSeries metricLoss(bool validation) const;

    ExperimentStore &m_store;
    TensorStore &m_tensorStore;
    qint64 m_runId;
    Run m_run;
    QList<Tensor> m_tensors;
    QHash<qint64, int> m_index; // tensor id → position in m_tensors
    ScalarSeries m_trainLoss, m_validationLoss;     // from the losses collection
    ScalarSeries m_metricTrain, m_metricValidation; // from the metrics
    qint64 m_latestStep = -1;
    qint64 m_lastActivity = 0;
    qint64 m_now = 0;
    qint64 m_metricSignature = -1;
    mutable QString m_algorithm;
    mutable bool m_algorithmLooked = false;
};

} // namespace cairn::debugger
