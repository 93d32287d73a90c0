#include "cairn/store/storewriter.h"

#include "cairn/store/experimentstore.h"
#include "cairn/store/sqlitedatabase.h"
#include "schemasql.h"

#include <algorithm>
#include <cmath>
#include <tuple>

namespace cairn {

StoreWriter::StoreWriter(ExperimentStore &store, int autoFlushAt)
    : m_store(store), m_autoFlushAt(autoFlushAt)
{
}

StoreWriter::~StoreWriter()
{
    try {
        flush();
    } catch (const std::exception &) {
    }
}

qint64 StoreWriter::keyId(const QString &key)
{
    if (auto it = m_keyIds.constFind(key); it != m_keyIds.constEnd())
        return *it;
    const qint64 id = m_store.metricKeyId(key);
    m_keyIds.insert(key, id);
    return id;
}

void StoreWriter::logMetric(qint64 runId, const QString &key, double value, qint64 step, qint64 timestamp)
{
    if (key.isEmpty())
        throw Error(QStringLiteral("a metric needs a key"));
    m_metrics.append({runId, keyId(key), step, timestamp > 0 ? timestamp : nowMs(), value});
    if (pending() >= m_autoFlushAt)
        flush();
}

void StoreWriter::logParam(qint64 runId, const QString &key, const QString &value)
{
    m_params.append({runId, key, value});
    if (pending() >= m_autoFlushAt)
        flush();
}

void StoreWriter::setTag(qint64 runId, const QString &key, const QString &value)
{
    m_tags.append({runId, key, value});
    if (pending() >= m_autoFlushAt)
        flush();
}

void StoreWriter::setLatestTag(qint64 runId, const QString &key, const QString &value)
{
    m_latestTags.insert(qMakePair(runId, key), value);
}

void StoreWriter::flush()
{
    if (pending() == 0)
        return;
    SqliteDatabase &db = m_store.database();

    // Fold the batch per (run, metric) first: one summary upsert per series, not per point.
    struct Fold
    {
        qint64 runId, keyId, lastStep, lastTimestamp, count;
        double last, min, max;
    };
    QHash<QPair<qint64, qint64>, Fold> folds;
    for (const PendingMetric &m : std::as_const(m_metrics)) {
        const auto key = qMakePair(m.runId, m.keyId);
        auto it = folds.find(key);
        if (it == folds.end()) {
            const double v = std::isnan(m.value) ? NAN : m.value;
            folds.insert(key, {m.runId, m.keyId, m.step, m.timestamp, 1, m.value, v, v});
            continue;
        }
        Fold &f = *it;
        if (m.step > f.lastStep || (m.step == f.lastStep && m.timestamp >= f.lastTimestamp)) {
            f.last = m.value;
            f.lastStep = m.step;
            f.lastTimestamp = m.timestamp;
        }
        if (!std::isnan(m.value)) {
            f.min = std::isnan(f.min) ? m.value : std::min(f.min, m.value);
            f.max = std::isnan(f.max) ? m.value : std::max(f.max, m.value);
        }
        ++f.count;
    }

    // Points in index order: inserts then touch each index page once instead of hopping
    // between series (a training loop logs every metric of a step together).
    std::stable_sort(m_metrics.begin(), m_metrics.end(), [](const PendingMetric &a, const PendingMetric &b) {
        return std::tie(a.runId, a.keyId, a.step) < std::tie(b.runId, b.keyId, b.step);
    });

    db.write([&] {
        auto insert = db.query(QStringLiteral("INSERT INTO metrics (run_id, key_id, step, timestamp, value) VALUES (?, ?, ?, ?, ?)"));
        for (const PendingMetric &m : std::as_const(m_metrics)) {
            insert.bind(1, m.runId).bind(2, m.keyId).bind(3, m.step).bind(4, m.timestamp).bind(5, m.value);
            insert.exec();
            insert.reset();
        }
        auto upsert = db.query(Internal::metricSummaryUpsertSql());
        for (const Fold &f : std::as_const(folds)) {
            upsert.bind(1, f.runId).bind(2, f.keyId).bind(3, f.last).bind(4, f.lastStep).bind(5, f.lastTimestamp);
            upsert.bind(6, f.min).bind(7, f.max).bind(8, f.count);
            upsert.exec();
            upsert.reset();
        }
        // Params keep their first value (MLflow's rule: params do not change).
        auto param = db.query(QStringLiteral("INSERT INTO params (run_id, key, value) VALUES (?, ?, ?) ON CONFLICT (run_id, key) DO NOTHING"));
        for (const PendingText &p : std::as_const(m_params)) {
            param.bind(1, p.runId).bind(2, p.key).bind(3, p.value);
            param.exec();
            param.reset();
        }
        auto tag = db.query(QStringLiteral("INSERT INTO tags (run_id, key, value) VALUES (?, ?, ?) "
                                           "ON CONFLICT (run_id, key) DO UPDATE SET value = excluded.value"));
        for (const PendingText &t : std::as_const(m_tags)) {
            tag.bind(1, t.runId).bind(2, t.key).bind(3, t.value);
            tag.exec();
            tag.reset();
        }
        for (auto it = m_latestTags.cbegin(); it != m_latestTags.cend(); ++it) {
            tag.bind(1, it.key().first).bind(2, it.key().second).bind(3, it.value());
            tag.exec();
            tag.reset();
        }
    });
    m_metrics.clear();
    m_params.clear();
    m_tags.clear();
    m_latestTags.clear();
}

} // namespace cairn
