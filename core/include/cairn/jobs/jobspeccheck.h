#pragma once

#include "cairn/jobs/jobspec.h"

#include <QList>
#include <QString>
#include <QStringList>

namespace cairn {

struct AlgorithmInfo;

/// One thing wrong with a job spec, found before a job or a run is created.
struct SpecProblem
{
    enum class Kind {
        Setting, ///< a hyperparameter, task, rule or resource value the algorithm cannot take
        Data     ///< a data file that is missing or unreadable, or a column it does not have
    };
    Kind kind = Kind::Setting;
    QString message;
};

/// Checks a job spec against the algorithm it names before anything is created: every
/// hyperparameter against the plugin's parameterSchema (names, types, ranges, choices), the task
/// against the algorithm's tasks, the CPUs against this machine's, the debugger rules, and the
/// data: each channel exists and, for a table, parses as a whole (ragged rows, quotes, encoding:
/// file:line:column), and holds the target and the excluded columns. A job that fails for a
/// reason found later (while training) still fails as a job. Reading the data is disk work: the
/// GUI passes readData = false (its data picker has read the table in the background) and only
/// the files' existence is checked.
QList<SpecProblem> checkJobSpec(const JobSpec &spec, const AlgorithmInfo &info, bool readData = true);

/// Checks one table (CSV) the way the worker will read it and returns its column names; throws
/// cairn::Error naming file:line:column. Files larger than `fullReadLimit` bytes are checked on
/// their first rows only (the job reads the rest); any table whose columns will not fit in the
/// memory available is refused (CsvReader::checkMemory).
QStringList checkTableFile(const data::ChannelSpec &channel, qint64 fullReadLimit = qint64(512) << 20);

/// "'survivd' is not a column of titanic.csv; did you mean 'survived'? (columns: …)".
QString unknownColumnMessage(const QString &column, const QString &file, const QStringList &columns);

/// The name in `names` closest to `name` (case-insensitive edit distance), if it is close enough
/// to be a typo; else empty.
QString closestName(const QString &name, const QStringList &names);

} // namespace cairn
