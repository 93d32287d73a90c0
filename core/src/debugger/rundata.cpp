#include "cairn/debugger/rundata.h"

#include "cairn/debugger/tensorstore.h"
#include "cairn/store/experimentstore.h"
#include "cairn/util/error.h"

#include <QRegularExpression>

namespace cairn::debugger {

namespace {
bool isValidationName(const QString &name)
{
    const QString n = name.toLower();
    return n.contains(QLatin1String("val")) || n.contains(QLatin1String("eval")) || n.contains(QLatin1String("test"));
}
} // namespace

RunData::RunData(ExperimentStore &store, TensorStore &tensors, qint64 runId)
    : m_store(store), m_tensorStore(tensors), m_runId(runId)
{
    m_trainLoss.name = QStringLiteral("loss");
    m_validationLoss.name = QStringLiteral("validation loss");
}

QString RunData::algorithm() const
{
    // A job logs its params before it starts: one look is enough.
    if (!m_algorithmLooked) {
        m_algorithmLooked = true;
        for (const Param &p : m_store.params(m_runId))
            if (p.key == QLatin1String("algorithm"))
                m_algorithm = p.value;
    }
    return m_algorithm;
}

bool RunData::refresh(int limit)
{
    const QList<Run> runs = m_store.runsByIds({m_runId});
    if (runs.isEmpty())
        throw Error(QStringLiteral("no run with row id %1").arg(m_runId));
    m_run = runs.first();
    bool any = false;
    for (const TensorInfo &info : m_tensorStore.tensors(m_runId)) {
        if (!m_index.contains(info.id)) {
            m_index.insert(info.id, int(m_tensors.size()));
            Tensor t;
            t.info = info;
            t.info.firstStep = t.info.lastStep = -1;
            m_tensors << t;
        }
    }
    for (Tensor &t : m_tensors) {
        const qint64 from = t.info.lastStep + 1;
        TensorSeries s = m_tensorStore.series(t.info.id, t.info.lastStep < 0 ? std::numeric_limits<qint64>::min() : from,
                                              std::numeric_limits<qint64>::max(), true, limit);
        t.fresh = std::move(s.samples);
        if (t.fresh.empty())
            continue;
        any = true;
        if (t.info.firstStep < 0)
            t.info.firstStep = t.fresh.front().step;
        t.info.lastStep = t.fresh.back().step;
        t.seenSamples += qint64(t.fresh.size());
        m_latestStep = std::max(m_latestStep, t.info.lastStep);
        for (const TensorSample &sample : t.fresh)
            m_lastActivity = std::max(m_lastActivity, sample.timestamp);
        if (t.info.collection == QLatin1String("losses")) {
            ScalarSeries &loss = isValidationName(t.info.name) ? m_validationLoss : m_trainLoss;
            loss.name = t.info.name;
            for (const TensorSample &sample : t.fresh) {
                loss.steps << sample.step;
                loss.values << sample.mean;
                loss.timestamps << sample.timestamp;
            }
        }
    }
    // Metrics are small next to histograms: their summaries say whether anything moved.
    qint64 signature = 0;
    for (const MetricSummary &m : m_store.metricSummaries(m_runId)) {
        m_lastActivity = std::max(m_lastActivity, m.lastTimestamp);
        m_latestStep = std::max(m_latestStep, m.lastStep);
        signature += m.count * 31 + m.lastTimestamp;
    }
    // Loss histories are re-read only when some metric moved (a live job is refreshed each second).
    if (signature != m_metricSignature) {
        m_metricSignature = signature;
        m_metricTrain = metricLoss(false);
        m_metricValidation = metricLoss(true);
    }
    return any;
}

QList<const RunData::Tensor *> RunData::select(const QStringList &collections, const QString &regex) const
{
    // Python's re.match: anchored at the start only, as SageMaker's tensor_regex.
    const QRegularExpression re(QStringLiteral("^(?:%1)").arg(regex.isEmpty() ? QStringLiteral(".*") : regex));
    QList<const Tensor *> out;
    for (const Tensor &t : m_tensors)
        if ((collections.isEmpty() || collections.contains(t.info.collection)) && re.match(t.info.name).hasMatch())
            out << &t;
    return out;
}

ScalarSeries RunData::metricLoss(bool validation) const
{
    const QStringList candidates = validation
        ? QStringList{QStringLiteral("validation.loss"), QStringLiteral("val_loss"), QStringLiteral("val.loss"),
                      QStringLiteral("eval.loss"), QStringLiteral("validation_loss"), QStringLiteral("test.loss")}
        : QStringList{QStringLiteral("train.loss"), QStringLiteral("loss"), QStringLiteral("training.loss"),
                      QStringLiteral("train_loss"), QStringLiteral("train.epoch_loss")};
    QStringList keys;
    for (const MetricSummary &m : m_store.metricSummaries(m_runId))
        keys << m.key;
    QString key;
    for (const QString &c : candidates)
        if (keys.contains(c)) {
            key = c;
            break;
        }
    if (key.isEmpty()) {
        // XGBoost's evaluation metrics: train.log_loss, validation.rmse, … (lower is better);
        // logloss and mlogloss are what runs logged before they took our names.
        for (const QString &k : keys) {
            const QString prefix = validation ? QStringLiteral("validation.") : QStringLiteral("train.");
            if (k.startsWith(prefix) && (k.endsWith(QLatin1String("logloss")) || k.endsWith(QLatin1String("log_loss")) || k.endsWith(QLatin1String("rmse"))
                                          || k.endsWith(QLatin1String("mlogloss")) || k.endsWith(QLatin1String("error")))) {
                key = k;
                break;
            }
        }
    }
    ScalarSeries out;
    if (key.isEmpty())
        return out;
    const MetricSeries m = m_store.metricHistory(m_runId, key);
    out.name = key;
    out.steps = m.steps;
    out.values = m.values;
    out.timestamps = m.timestamps;
    return out;
}

ScalarSeries RunData::loss(bool validation) const
{
    const ScalarSeries &tensors = validation ? m_validationLoss : m_trainLoss;
    if (!tensors.isEmpty())
        return tensors;
    return validation ? m_metricValidation : m_metricTrain;
}

} // namespace cairn::debugger
