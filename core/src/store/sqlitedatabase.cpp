#include "cairn/store/sqlitedatabase.h"

#include "cairn/util/error.h"

#include <QElapsedTimer>
#include <QThread>

#include <sqlite3.h>

#include <cmath>
#include <limits>

namespace cairn {

namespace {
constexpr int kBusyTimeoutMs = 60000;
// How long a write keeps retrying when another process holds the lock past the busy timeout.
constexpr qint64 kWriteRetryMs = 10 * 60 * 1000;

bool isBusy(int rc)
{
    const int primary = rc & 0xff;
    return primary == SQLITE_BUSY || primary == SQLITE_LOCKED;
}
} // namespace

// ---- SqliteQuery -------------------------------------------------------------------------

SqliteQuery::SqliteQuery(SqliteDatabase *db, sqlite3_stmt *stmt, bool *inUse)
    : m_db(db), m_stmt(stmt), m_inUse(inUse)
{
}

SqliteQuery::SqliteQuery(SqliteQuery &&other) noexcept
    : m_db(other.m_db), m_stmt(other.m_stmt), m_inUse(other.m_inUse)
{
    other.m_stmt = nullptr;
    other.m_inUse = nullptr;
}

SqliteQuery::~SqliteQuery()
{
    if (!m_stmt)
        return;
    if (m_inUse) {
        sqlite3_reset(m_stmt);
        sqlite3_clear_bindings(m_stmt);
        *m_inUse = false;
    } else {
        sqlite3_finalize(m_stmt);
    }
}

SqliteQuery &SqliteQuery::bind(int index, qint64 value)
{
    sqlite3_bind_int64(m_stmt, index, value);
    return *this;
}

SqliteQuery &SqliteQuery::bind(int index, double value)
{
    if (std::isnan(value))
        sqlite3_bind_null(m_stmt, index);
    else
        sqlite3_bind_double(m_stmt, index, value);
    return *this;
}

SqliteQuery &SqliteQuery::bind(int index, const QString &value)
{
    const QByteArray utf8 = value.toUtf8();
    sqlite3_bind_text(m_stmt, index, utf8.constData(), int(utf8.size()), SQLITE_TRANSIENT);
    return *this;
}

SqliteQuery &SqliteQuery::bind(int index, const QVariant &value)
{
    if (!value.isValid() || value.isNull())
        return bindNull(index);
    switch (value.typeId()) {
    case QMetaType::Int:
    case QMetaType::LongLong:
    case QMetaType::UInt:
    case QMetaType::ULongLong:
    case QMetaType::Bool:
        return bind(index, value.toLongLong());
    case QMetaType::Double:
    case QMetaType::Float:
        return bind(index, value.toDouble());
    default:
        return bind(index, value.toString());
    }
}

SqliteQuery &SqliteQuery::bindNull(int index)
{
    sqlite3_bind_null(m_stmt, index);
    return *this;
}

bool SqliteQuery::next()
{
    const int rc = sqlite3_step(m_stmt);
    if (rc == SQLITE_ROW)
        return true;
    if (rc == SQLITE_DONE)
        return false;
    m_db->fail(QStringLiteral("query failed"));
}

void SqliteQuery::exec()
{
    while (next()) {
    }
}

void SqliteQuery::reset()
{
    sqlite3_reset(m_stmt);
    sqlite3_clear_bindings(m_stmt);
}

bool SqliteQuery::isNull(int column) const
{
    return sqlite3_column_type(m_stmt, column) == SQLITE_NULL;
}

qint64 SqliteQuery::int64(int column) const
{
    return sqlite3_column_int64(m_stmt, column);
}

double SqliteQuery::real(int column) const
{
    if (isNull(column))
        return std::numeric_limits<double>::quiet_NaN();
    return sqlite3_column_double(m_stmt, column);
}

QString SqliteQuery::text(int column) const
{
    const auto *data = reinterpret_cast<const char *>(sqlite3_column_text(m_stmt, column));
    return QString::fromUtf8(data, sqlite3_column_bytes(m_stmt, column));
}

QVariant SqliteQuery::value(int column) const
{
    switch (sqlite3_column_type(m_stmt, column)) {
    case SQLITE_INTEGER:
        return QVariant(qint64(sqlite3_column_int64(m_stmt, column)));
    case SQLITE_FLOAT:
        return QVariant(sqlite3_column_double(m_stmt, column));
    case SQLITE_NULL:
        return QVariant();
    default:
        return QVariant(text(column));
    }
}

int SqliteQuery::columnCount() const
{
    return sqlite3_column_count(m_stmt);
}

// ---- SqliteDatabase ----------------------------------------------------------------------

SqliteDatabase::SqliteDatabase(const QString &path) : m_path(path)
{
    const int rc = sqlite3_open_v2(path.toUtf8().constData(), &m_db,
                                   SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
                                   nullptr);
    if (rc != SQLITE_OK) {
        const QString message = m_db ? QString::fromUtf8(sqlite3_errmsg(m_db)) : QStringLiteral("out of memory");
        sqlite3_close(m_db);
        m_db = nullptr;
        throw Error(QStringLiteral("cannot open database %1: %2").arg(path, message));
    }
    sqlite3_busy_timeout(m_db, kBusyTimeoutMs);
    sqlite3_extended_result_codes(m_db, 1);
    try {
        // WAL lets readers go on while one process writes; NORMAL sync is durable across
        // application crashes (only a power loss can drop the last transactions).
        exec(QStringLiteral("PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;"));
        // A larger page cache keeps the metric index's hot pages in memory during big batches.
        exec(QStringLiteral("PRAGMA cache_size=-65536; PRAGMA temp_store=MEMORY;"));
    } catch (...) {
        // No destructor runs for a constructor that throws: close here, or the connection and
        // its file descriptor leak (a file that is not a database, found by LeakSanitizer).
        sqlite3_close(m_db);
        m_db = nullptr;
        throw;
    }
}

SqliteDatabase::~SqliteDatabase()
{
    for (auto &entry : m_cache)
        sqlite3_finalize(entry.second.stmt);
    sqlite3_close(m_db);
}

void SqliteDatabase::fail(const QString &what) const
{
    if ((sqlite3_extended_errcode(m_db) & 0xff) == SQLITE_FULL)
        throw Error(QStringLiteral("the disk that holds %1 is full (%2); free some space and try again: what was saved before is kept")
                        .arg(m_path, what));
    throw Error(QStringLiteral("%1: %2 (%3)")
                    .arg(what, QString::fromUtf8(sqlite3_errmsg(m_db)), m_path));
}

SqliteQuery SqliteDatabase::query(const QString &sql)
{
    constexpr size_t kMaxCachedStatements = 256;
    auto it = m_cache.find(sql);
    if (it != m_cache.end() && !*it->second.inUse) {
        *it->second.inUse = true;
        return SqliteQuery(this, it->second.stmt, it->second.inUse.get());
    }
    sqlite3_stmt *stmt = nullptr;
    const QByteArray utf8 = sql.toUtf8();
    if (sqlite3_prepare_v3(m_db, utf8.constData(), int(utf8.size()), SQLITE_PREPARE_PERSISTENT, &stmt, nullptr) != SQLITE_OK)
        fail(QStringLiteral("cannot prepare \"%1\"").arg(sql.simplified().left(120)));
    if (it != m_cache.end()) // the cached one is busy (a nested query): this one is a one-off
        return SqliteQuery(this, stmt, nullptr);
    // Queries over id lists make a new text each time: keep the cache from growing without end.
    if (m_cache.size() >= kMaxCachedStatements) {
        for (auto entry = m_cache.begin(); entry != m_cache.end();) {
            if (*entry->second.inUse) {
                ++entry;
                continue;
            }
            sqlite3_finalize(entry->second.stmt);
            entry = m_cache.erase(entry);
        }
    }
    CachedStatement &slot = m_cache[sql];
    slot.stmt = stmt;
    *slot.inUse = true;
    return SqliteQuery(this, stmt, slot.inUse.get());
}

void SqliteDatabase::exec(const QString &sql)
{
    char *message = nullptr;
    QElapsedTimer timer;
    timer.start();
    for (;;) {
        const int rc = sqlite3_exec(m_db, sql.toUtf8().constData(), nullptr, nullptr, &message);
        if (rc == SQLITE_OK)
            return;
        const QString text = QString::fromUtf8(message ? message : sqlite3_errmsg(m_db));
        sqlite3_free(message);
        message = nullptr;
        if (isBusy(rc) && !inTransaction() && timer.elapsed() < kWriteRetryMs) {
            QThread::msleep(20);
            continue;
        }
        throw Error(QStringLiteral("%1 (%2)").arg(text, m_path));
    }
}

qint64 SqliteDatabase::lastInsertRowId() const
{
    return sqlite3_last_insert_rowid(m_db);
}

int SqliteDatabase::changes() const
{
    return sqlite3_changes(m_db);
}

int SqliteDatabase::userVersion()
{
    auto q = query(QStringLiteral("PRAGMA user_version"));
    return q.next() ? int(q.int64(0)) : 0;
}

void SqliteDatabase::setUserVersion(int version)
{
    exec(QStringLiteral("PRAGMA user_version = %1").arg(version));
}

bool SqliteDatabase::inTransaction() const
{
    return sqlite3_get_autocommit(m_db) == 0;
}

void SqliteDatabase::beginImmediate()
{
    exec(QStringLiteral("BEGIN IMMEDIATE"));
}

void SqliteDatabase::commit()
{
    // COMMIT can meet SQLITE_BUSY while readers hold the WAL; the transaction stays open
    // and the commit can simply be tried again.
    QElapsedTimer timer;
    timer.start();
    for (;;) {
        const int rc = sqlite3_exec(m_db, "COMMIT", nullptr, nullptr, nullptr);
        if (rc == SQLITE_OK)
            return;
        if (isBusy(rc) && timer.elapsed() < kWriteRetryMs) {
            QThread::msleep(20);
            continue;
        }
        fail(QStringLiteral("commit failed"));
    }
}

void SqliteDatabase::rollback()
{
    if (inTransaction())
        sqlite3_exec(m_db, "ROLLBACK", nullptr, nullptr, nullptr);
}

} // namespace cairn
