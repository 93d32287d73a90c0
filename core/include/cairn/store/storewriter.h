#pragma once

#include "cairn/store/types.h"

#include <QHash>
#include <QList>

namespace cairn {

class ExperimentStore;

/// Buffers metrics, params and tags and writes them in one transaction per flush, keeping the
/// per-run metric summaries in the same transaction. This is the path for anything that logs
/// many points (job events, imports): one transaction per point is what makes MLflow-style
/// clients slow and lock-prone on SQLite.
class StoreWriter
{
public:
    explicit StoreWriter(ExperimentStore &store, int autoFlushAt = 50000);
    /// Flushes what is pending; errors are swallowed here, so call flush() yourself to see them.
    ~StoreWriter();

    void logMetric(qint64 runId, const QString &key, double value, qint64 step, qint64 timestamp = 0);
    void logParam(qint64 runId, const QString &key, const QString &value);
    void setTag(qint64 runId, const QString &key, const QString &value);
    /// A tag of which only the latest value matters, written with the next flush (in the same
    /// transaction as the points before it). A reader's position in a stream goes here, so that
    /// the position and the points it covers are committed together.
    void setLatestTag(qint64 runId, const QString &key, const QString &value);

    /// Writes everything pending in one transaction. On an error nothing is written and the
    /// batch stays pending, so a retry loses no point.
    void flush();
    qsizetype pending() const { return m_metrics.size() + m_params.size() + m_tags.size() + m_latestTags.size(); }

private:
    struct PendingMetric
    {
        qint64 runId;
        qint64 keyId;
        qint64 step;
        qint64 timestamp;
        double value;
    };
    struct PendingText
    {
        qint64 runId;
        QString key;
        QString value;
    };
    qint64 keyId(const QString &key);

    ExperimentStore &m_store;
    int m_autoFlushAt;
    QHash<QString, qint64> m_keyIds;
    QList<PendingMetric> m_metrics;
    QList<PendingText> m_params;
    QList<PendingText> m_tags;
    QHash<QPair<qint64, QString>, QString> m_latestTags;
};

} // namespace cairn
