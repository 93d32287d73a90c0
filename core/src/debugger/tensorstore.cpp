#include "cairn/debugger/tensorstore.h"

#include "cairn/debugger/rule.h"
#include "cairn/store/experimentstore.h"
#include "cairn/store/sqlitedatabase.h"
#include "cairn/util/error.h"

#include <QJsonDocument>

#include <sqlite3.h>

#include <cmath>

namespace cairn::debugger {

namespace {

/// A one-off statement over the raw handle: SqliteQuery has no blobs.
class Statement
{
public:
    Statement(SqliteDatabase &db, const char *sql) : m_db(db)
    {
        if (sqlite3_prepare_v2(db.handle(), sql, -1, &m_stmt, nullptr) != SQLITE_OK)
            db.fail(QStringLiteral("cannot prepare a debugger query"));
    }
    ~Statement() { sqlite3_finalize(m_stmt); }
    Statement(const Statement &) = delete;
    Statement &operator=(const Statement &) = delete;

    Statement &bind(int i, qint64 v) { sqlite3_bind_int64(m_stmt, i, v); return *this; }
    Statement &bind(int i, double v)
    {
        if (std::isnan(v))
            sqlite3_bind_null(m_stmt, i);
        else
            sqlite3_bind_double(m_stmt, i, v);
        return *this;
    }
    Statement &bind(int i, const QString &v)
    {
        const QByteArray u = v.toUtf8();
        sqlite3_bind_text(m_stmt, i, u.constData(), int(u.size()), SQLITE_TRANSIENT);
        return *this;
    }
    Statement &bindBlob(int i, const QByteArray &b)
    {
        if (b.isEmpty())
            sqlite3_bind_null(m_stmt, i);
        else
            sqlite3_bind_blob(m_stmt, i, b.constData(), int(b.size()), SQLITE_TRANSIENT);
        return *this;
    }
    bool next()
    {
        const int rc = sqlite3_step(m_stmt);
        if (rc == SQLITE_ROW)
            return true;
        if (rc == SQLITE_DONE)
            return false;
        m_db.fail(QStringLiteral("debugger query failed"));
    }
    void exec()
    {
        while (next()) {
        }
        sqlite3_reset(m_stmt);
    }
    void reset()
    {
        sqlite3_reset(m_stmt);
        sqlite3_clear_bindings(m_stmt);
    }
    bool isNull(int c) const { return sqlite3_column_type(m_stmt, c) == SQLITE_NULL; }
    qint64 int64(int c) const { return sqlite3_column_int64(m_stmt, c); }
    double real(int c) const { return isNull(c) ? TensorSample::nan : sqlite3_column_double(m_stmt, c); }
    QString text(int c) const
    {
        return QString::fromUtf8(reinterpret_cast<const char *>(sqlite3_column_text(m_stmt, c)), sqlite3_column_bytes(m_stmt, c));
    }
    QByteArray blob(int c) const
    {
        const void *p = sqlite3_column_blob(m_stmt, c);
        return p ? QByteArray(static_cast<const char *>(p), sqlite3_column_bytes(m_stmt, c)) : QByteArray();
    }

private:
    SqliteDatabase &m_db;
    sqlite3_stmt *m_stmt = nullptr;
};

constexpr const char *kSampleColumns =
    "step, timestamp, count, nan_count, inf_count, zero_count, min, max, mean, std, l1, l2";

TensorSample readSample(const Statement &q, bool withHistogram, int blobColumn)
{
    TensorSample s;
    s.step = q.int64(0);
    s.timestamp = q.int64(1);
    s.count = q.int64(2);
    s.nanCount = q.int64(3);
    s.infCount = q.int64(4);
    s.zeroCount = q.int64(5);
    s.min = q.real(6);
    s.max = q.real(7);
    s.mean = q.real(8);
    s.std = q.real(9);
    s.l1 = q.real(10);
    s.l2 = q.real(11);
    if (withHistogram)
        s.decodeHistogram(q.blob(blobColumn)); // a malformed blob reads as no histogram
    return s;
}

TensorInfo readInfo(const Statement &q)
{
    TensorInfo t;
    t.id = q.int64(0);
    t.runId = q.int64(1);
    t.name = q.text(2);
    t.collection = q.text(3);
    t.firstStep = q.isNull(4) ? -1 : q.int64(4);
    t.lastStep = q.isNull(5) ? -1 : q.int64(5);
    return t;
}

// MIN/MAX over the primary key's prefix are index look-ups, not scans.
constexpr const char *kInfoSelect =
    "SELECT t.id, t.run_id, t.name, t.collection, "
    "(SELECT MIN(step) FROM debug_samples s WHERE s.tensor_id = t.id), "
    "(SELECT MAX(step) FROM debug_samples s WHERE s.tensor_id = t.id) FROM debug_tensors t ";

} // namespace

TensorStore::TensorStore(ExperimentStore &store) : m_store(store), m_db(store.database()) {}

QList<TensorInfo> TensorStore::tensors(qint64 runId)
{
    Statement q(m_db, (QByteArray(kInfoSelect) + "WHERE t.run_id = ? ORDER BY t.collection, t.name").constData());
    q.bind(1, runId);
    QList<TensorInfo> out;
    while (q.next())
        out << readInfo(q);
    return out;
}

std::optional<TensorInfo> TensorStore::tensor(qint64 runId, const QString &name)
{
    Statement q(m_db, (QByteArray(kInfoSelect) + "WHERE t.run_id = ? AND t.name = ?").constData());
    q.bind(1, runId).bind(2, name);
    if (!q.next())
        return std::nullopt;
    return readInfo(q);
}

TensorSeries TensorStore::series(qint64 tensorId, qint64 fromStep, qint64 toStep, bool withHistograms, int limit)
{
    TensorSeries out;
    {
        Statement q(m_db, (QByteArray(kInfoSelect) + "WHERE t.id = ?").constData());
        q.bind(1, tensorId);
        if (!q.next())
            throw Error(QStringLiteral("no debugger tensor with id %1").arg(tensorId));
        out.info = readInfo(q);
    }
    const QByteArray sql = QByteArray("SELECT ") + kSampleColumns + (withHistograms ? ", histogram" : "")
        + " FROM debug_samples WHERE tensor_id = ? AND step BETWEEN ? AND ? ORDER BY step LIMIT ?";
    Statement q(m_db, sql.constData());
    q.bind(1, tensorId).bind(2, fromStep).bind(3, toStep).bind(4, qint64(limit));
    while (q.next())
        out.samples.push_back(readSample(q, withHistograms, 12));
    return out;
}

TensorSeries TensorStore::series(qint64 runId, const QString &name, bool withHistograms)
{
    const auto info = tensor(runId, name);
    if (!info)
        throw Error(QStringLiteral("the run has no tensor named '%1'").arg(name));
    return series(info->id, 0, std::numeric_limits<qint64>::max(), withHistograms);
}

QHash<qint64, TensorSample> TensorStore::samplesAt(qint64 runId, qint64 step)
{
    const QByteArray sql = QByteArray("SELECT ") + kSampleColumns
        + ", histogram, t.id FROM debug_tensors t JOIN debug_samples s ON s.tensor_id = t.id AND s.step = ? WHERE t.run_id = ?";
    Statement q(m_db, sql.constData());
    q.bind(1, step).bind(2, runId);
    QHash<qint64, TensorSample> out;
    while (q.next())
        out.insert(q.int64(13), readSample(q, true, 12));
    return out;
}

qint64 TensorStore::lastSampleTime(qint64 runId)
{
    // The newest step of each tensor carries (nearly always) its newest timestamp.
    Statement q(m_db, "SELECT MAX((SELECT timestamp FROM debug_samples s WHERE s.tensor_id = t.id ORDER BY step DESC LIMIT 1)) "
                      "FROM debug_tensors t WHERE t.run_id = ?");
    q.bind(1, runId);
    return q.next() && !q.isNull(0) ? q.int64(0) : 0;
}

qint64 TensorStore::tensorId(qint64 runId, const QString &name, const QString &collection)
{
    if (name.isEmpty())
        throw Error(QStringLiteral("a debugger tensor needs a name"));
    return m_db.write([&] {
        Statement find(m_db, "SELECT id FROM debug_tensors WHERE run_id = ? AND name = ?");
        find.bind(1, runId).bind(2, name);
        if (find.next())
            return find.int64(0);
        Statement insert(m_db, "INSERT INTO debug_tensors (run_id, name, collection) VALUES (?, ?, ?)");
        insert.bind(1, runId).bind(2, name).bind(3, collection);
        insert.exec();
        return m_db.lastInsertRowId();
    });
}

void TensorStore::write(qint64 tensorId, const std::vector<TensorSample> &samples)
{
    m_db.write([&] {
        Statement q(m_db, "INSERT OR REPLACE INTO debug_samples (tensor_id, step, timestamp, count, nan_count, inf_count, "
                          "zero_count, min, max, mean, std, l1, l2, histogram) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
        for (const TensorSample &s : samples) {
            q.bind(1, tensorId).bind(2, s.step).bind(3, s.timestamp > 0 ? s.timestamp : nowMs()).bind(4, s.count);
            q.bind(5, s.nanCount).bind(6, s.infCount).bind(7, s.zeroCount);
            q.bind(8, s.min).bind(9, s.max).bind(10, s.mean).bind(11, s.std).bind(12, s.l1).bind(13, s.l2);
            q.bindBlob(14, s.encodeHistogram());
            q.exec();
            q.reset();
        }
    });
}

void TensorStore::saveRuleResult(qint64 runId, const RuleResult &r)
{
    m_db.write([&] {
        Statement q(m_db, "INSERT OR REPLACE INTO debug_rule_results (run_id, rule, status, step, tensor, message, "
                          "parameters, actions, evaluated_step, updated_time) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
        q.bind(1, runId).bind(2, r.rule).bind(3, ruleStatusName(r.status == RuleStatus::NotApplicable ? RuleStatus::NoIssuesFound : r.status));
        if (r.step >= 0)
            q.bind(4, r.step);
        q.bind(5, r.tensor).bind(6, r.message);
        q.bind(7, QString::fromUtf8(QJsonDocument(r.parameters).toJson(QJsonDocument::Compact)));
        q.bind(8, r.actions.join(QLatin1Char(',')));
        if (r.evaluatedStep >= 0)
            q.bind(9, r.evaluatedStep);
        q.bind(10, r.updatedTime > 0 ? r.updatedTime : nowMs());
        q.exec();
    });
}

QList<qint64> TensorStore::runsWithData()
{
    Statement q(m_db, "SELECT id FROM runs WHERE id IN (SELECT run_id FROM debug_tensors UNION SELECT run_id FROM debug_rule_results) "
                      "AND lifecycle = 'active' ORDER BY start_time DESC, id DESC");
    QList<qint64> out;
    while (q.next())
        out << q.int64(0);
    return out;
}

namespace {
constexpr const char *kResultColumns = "rule, status, step, tensor, message, parameters, actions, evaluated_step, updated_time, run_id";
RuleResult readResult(const Statement &q)
{
    RuleResult r;
    r.rule = q.text(0);
    r.status = ruleStatusFromName(q.text(1)).value_or(RuleStatus::Error);
    r.step = q.isNull(2) ? -1 : q.int64(2);
    r.tensor = q.text(3);
    r.message = q.text(4);
    if (r.status == RuleStatus::NoIssuesFound && r.message.startsWith(kNotApplicablePrefix))
        r.status = RuleStatus::NotApplicable;
    r.parameters = QJsonDocument::fromJson(q.text(5).toUtf8()).object();
    r.actions = q.text(6).split(QLatin1Char(','), Qt::SkipEmptyParts);
    r.evaluatedStep = q.isNull(7) ? -1 : q.int64(7);
    r.updatedTime = q.int64(8);
    return r;
}
} // namespace

QList<RuleResult> TensorStore::ruleResults(qint64 runId)
{
    Statement q(m_db, (QByteArray("SELECT ") + kResultColumns + " FROM debug_rule_results WHERE run_id = ? ORDER BY rule").constData());
    q.bind(1, runId);
    QList<RuleResult> out;
    while (q.next())
        out << readResult(q);
    return out;
}

QList<QPair<qint64, RuleResult>> TensorStore::issuesSince(qint64 sinceMs)
{
    Statement q(m_db, (QByteArray("SELECT ") + kResultColumns
                       + " FROM debug_rule_results WHERE status = 'IssuesFound' AND updated_time > ? ORDER BY updated_time").constData());
    q.bind(1, sinceMs);
    QList<QPair<qint64, RuleResult>> out;
    while (q.next())
        out << qMakePair(q.int64(9), readResult(q));
    return out;
}

void TensorStore::clearRuleResults(qint64 runId)
{
    m_db.write([&] {
        Statement q(m_db, "DELETE FROM debug_rule_results WHERE run_id = ?");
        q.bind(1, runId);
        q.exec();
    });
}

TensorWriter::TensorWriter(ExperimentStore &store, int autoFlushAt) : m_store(store), m_autoFlushAt(std::max(1, autoFlushAt)) {}

TensorWriter::~TensorWriter()
{
    try {
        flush();
    } catch (const Error &) {
    }
}

void TensorWriter::add(qint64 runId, const QString &name, const QString &collection, TensorSample sample)
{
    if (sample.timestamp <= 0)
        sample.timestamp = nowMs();
    m_pending.append({runId, name, collection, std::move(sample)});
    if (m_pending.size() >= m_autoFlushAt)
        flush();
}

void TensorWriter::flush()
{
    if (m_pending.isEmpty())
        return;
    QHash<QPair<qint64, QString>, qint64> created;
    m_store.database().write([&] {
        QHash<qint64, std::vector<TensorSample>> byTensor;
        QList<qint64> order;
        for (const Pending &p : std::as_const(m_pending)) {
            const QPair<qint64, QString> key(p.runId, p.name);
            qint64 id = m_ids.value(key, -1);
            if (id < 0)
                id = created.value(key, -1);
            if (id < 0) {
                id = m_store.tensorId(p.runId, p.name, p.collection);
                created.insert(key, id);
            }
            if (!byTensor.contains(id))
                order << id;
            byTensor[id].push_back(p.sample);
        }
        for (qint64 id : order)
            m_store.write(id, byTensor.value(id));
    });
    // Only after the commit: a rolled-back insert must not leave a cached id behind.
    m_ids.insert(created);
    m_pending.clear();
}

} // namespace cairn::debugger
