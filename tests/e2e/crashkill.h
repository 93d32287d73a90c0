#pragma once
// Shared by the crash-consistency tests: how many seeds to run, the seeded moment of a kill, and
// SQLite's own check of a database file after it.
#include "cairn/store/sqlitedatabase.h"

#include <QProcess>
#include <QString>
#include <QStringList>
#include <QtGlobal>

#include <csignal>
#include <random>

namespace crashkill {

/// CAIRN_CRASH_SEEDS kills per case; `ciDefault` when it is not set (docs/development.md: 50).
inline int seedCount(int ciDefault)
{
    const int n = qEnvironmentVariableIntValue("CAIRN_CRASH_SEEDS");
    return n > 0 ? n : ciDefault;
}

/// A generator for one seed, the same on every machine.
inline std::mt19937 rngFor(int seed)
{
    return std::mt19937(quint32(seed) * 2654435761u + 17u);
}

inline int uniform(std::mt19937 &rng, int lo, int hi)
{
    return std::uniform_int_distribution<int>(lo, hi)(rng);
}

/// `PRAGMA integrity_check` of the database at dbPath: "ok" when it is whole.
inline QString integrityOf(const QString &dbPath)
{
    cairn::SqliteDatabase db(dbPath);
    auto q = db.query(QStringLiteral("PRAGMA integrity_check"));
    QStringList rows;
    while (q.next())
        rows << q.text(0);
    return rows.join(QLatin1Char('\n'));
}

} // namespace crashkill
