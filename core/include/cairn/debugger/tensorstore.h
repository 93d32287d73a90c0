#pragma once

#include "cairn/debugger/tensordata.h"

#include <QHash>
#include <QList>

#include <optional>

namespace cairn {
class ExperimentStore;
class SqliteDatabase;
}

namespace cairn::debugger {

enum class RuleStatus;
struct RuleResult;

/// The debugger's tables in a workspace database (see 0002_debugger.sql), over the store's
/// connection, so one per thread like the store. Samples are clustered by (tensor, step):
/// reading one tensor across all steps is one range scan. Every method throws cairn::Error.
class TensorStore
{
public:
    explicit TensorStore(ExperimentStore &store);

    /// The tensors of a run with the extent of their samples, sorted by collection then name.
    QList<TensorInfo> tensors(qint64 runId);
    std::optional<TensorInfo> tensor(qint64 runId, const QString &name);
    /// One tensor's samples with fromStep <= step <= toStep, ascending; withHistograms false
    /// skips decoding the blobs (curves of reductions need none).
    TensorSeries series(qint64 tensorId, qint64 fromStep = 0, qint64 toStep = std::numeric_limits<qint64>::max(),
                        bool withHistograms = true, int limit = -1);
    TensorSeries series(qint64 runId, const QString &name, bool withHistograms = true);
    /// Samples of every tensor of a run at one step (tensor id → sample).
    QHash<qint64, TensorSample> samplesAt(qint64 runId, qint64 step);
    /// Newest sample timestamp of the run (0 when none).
    qint64 lastSampleTime(qint64 runId);

    /// The tensor's id, created if needed (the collection is set on creation).
    qint64 tensorId(qint64 runId, const QString &name, const QString &collection);
    /// Writes samples of one tensor (replacing those at the same steps). Joins the caller's
    /// transaction if one is open, else opens one.
    void write(qint64 tensorId, const std::vector<TensorSample> &samples);

    /// Runs that have debugger tensors or rule results, newest first.
    QList<qint64> runsWithData();

    // Rule results (the latest evaluation of each rule on a run).
    void saveRuleResult(qint64 runId, const RuleResult &result);
    QList<RuleResult> ruleResults(qint64 runId);
    void clearRuleResults(qint64 runId);
    /// Results of every run that turned IssuesFound after sinceMs: (run id, result).
    QList<QPair<qint64, RuleResult>> issuesSince(qint64 sinceMs);

    SqliteDatabase &database() { return m_db; }

private:
    ExperimentStore &m_store;
    SqliteDatabase &m_db;
};

/// Buffers samples and writes them in one transaction per flush: the path for job events and
/// imports (a histogram per tensor per saved step adds up quickly).
class TensorWriter
{
public:
    explicit TensorWriter(ExperimentStore &store, int autoFlushAt = 2000);
    /// Flushes what is pending; errors are swallowed here, so call flush() to see them.
    ~TensorWriter();

    void add(qint64 runId, const QString &name, const QString &collection, TensorSample sample);
    /// Writes everything pending in one transaction; on an error the batch stays pending.
    void flush();
    qsizetype pending() const { return m_pending.size(); }

private:
    struct Pending
    {
        qint64 runId;
        QString name;
        QString collection;
        TensorSample sample;
    };
    TensorStore m_store;
    int m_autoFlushAt;
    QHash<QPair<qint64, QString>, qint64> m_ids;
    QList<Pending> m_pending;
};

} // namespace cairn::debugger
