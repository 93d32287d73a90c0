#pragma once

#include <unordered_map>
#include <QString>
#include <QVariant>

#include <memory>

struct sqlite3;
struct sqlite3_stmt;

namespace cairn {

class SqliteDatabase;

/// A prepared statement borrowed from the database's cache; it is reset when it goes out of scope.
/// Binding a NaN double stores NULL (as SQLite itself would); reading NULL as double gives NaN.
class SqliteQuery
{
public:
    SqliteQuery(SqliteQuery &&other) noexcept;
    SqliteQuery(const SqliteQuery &) = delete;
    SqliteQuery &operator=(const SqliteQuery &) = delete;
    ~SqliteQuery();

    SqliteQuery &bind(int index, qint64 value);
    SqliteQuery &bind(int index, int value) { return bind(index, qint64(value)); }
    SqliteQuery &bind(int index, double value);
    SqliteQuery &bind(int index, const QString &value);
    SqliteQuery &bind(int index, const QVariant &value);
    SqliteQuery &bindNull(int index);

    /// Advances to the next row; false when there are no more. Throws cairn::Error on failure.
    bool next();
    /// Runs a statement that returns no rows.
    void exec();
    /// Resets for another execution with new bindings.
    void reset();

    bool isNull(int column) const;
    qint64 int64(int column) const;
    double real(int column) const;
    QString text(int column) const;
    QVariant value(int column) const;
    int columnCount() const;

private:
    friend class SqliteDatabase;
    SqliteQuery(SqliteDatabase *db, sqlite3_stmt *stmt, bool *inUse);
    SqliteDatabase *m_db;
    sqlite3_stmt *m_stmt;
    bool *m_inUse; // cache slot flag; null when this query owns a one-off statement
};

/// One connection to a workspace database, for one thread. WAL journal, a long busy timeout
/// and BEGIN IMMEDIATE for writes, so that several processes can write at once without
/// "database is locked".
class SqliteDatabase
{
public:
    explicit SqliteDatabase(const QString &path);
    ~SqliteDatabase();
    SqliteDatabase(const SqliteDatabase &) = delete;
    SqliteDatabase &operator=(const SqliteDatabase &) = delete;

    QString path() const { return m_path; }
    SqliteQuery query(const QString &sql);
    /// Runs one or more statements that return no rows.
    void exec(const QString &sql);
    qint64 lastInsertRowId() const;
    int changes() const;
    int userVersion();
    void setUserVersion(int version);
    bool inTransaction() const;

    /// Runs fn inside a write transaction (BEGIN IMMEDIATE), retrying while another process
    /// holds the write lock; commits on return, rolls back if fn throws. Nested calls join the
    /// outer transaction.
    template<typename Fn>
    auto write(Fn &&fn) -> decltype(fn())
    {
        if (inTransaction())
            return fn();
        beginImmediate();
        try {
            if constexpr (std::is_void_v<decltype(fn())>) {
                fn();
                commit();
            } else {
                auto result = fn();
                commit();
                return result;
            }
        } catch (...) {
            rollback();
            throw;
        }
    }

    sqlite3 *handle() const { return m_db; }
    [[noreturn]] void fail(const QString &what) const;

private:
    void beginImmediate();
    void commit();
    void rollback();

    struct CachedStatement
    {
        sqlite3_stmt *stmt = nullptr;
        std::unique_ptr<bool> inUse = std::make_unique<bool>(false);
    };
    QString m_path;
    sqlite3 *m_db = nullptr;
    std::unordered_map<QString, CachedStatement> m_cache;
};

} // namespace cairn
