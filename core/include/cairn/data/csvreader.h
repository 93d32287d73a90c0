#pragma once

#include "cairn/data/table.h"

#include <QByteArrayView>
#include <QHash>

namespace cairn::data {

struct CsvOptions
{
    /// ',', ';' or '\t'; 0 = detect from the header line.
    char delimiter = 0;
    /// Stop after this many data rows (-1 = all): previews read only the head of a file.
    qsizetype maxRows = -1;
    /// A string column with at most this many distinct values (and at most half as many
    /// distinct values as rows) is categorical; else it is free text.
    int categoricalMaxDistinct = 1000;
    /// Field values (after trimming) that mean "missing", besides the empty field.
    QStringList missingTokens = {QStringLiteral("NA"), QStringLiteral("N/A"), QStringLiteral("NaN"),
                                 QStringLiteral("nan"), QStringLiteral("NULL"), QStringLiteral("null"),
                                 QStringLiteral("?")};
    /// Column name → type, to override inference (e.g. a numeric code that is categorical).
    QHash<QString, ColumnType> types;
};

/// What reading a whole CSV file would take in memory, estimated from its head.
struct CsvMemoryEstimate
{
    qint64 fileBytes = 0;
    qsizetype columns = 0;
    qsizetype sampleRows = 0; ///< rows of the head it was estimated from (0: no estimate)
    qint64 rows = 0;          ///< the file's body divided by the head's bytes per row
    qint64 bytes = 0;         ///< the columns once read (8 bytes a number, 4 a category code, text strings)
};

/// Reads delimited text files with a header row: RFC 4180 quoting ("" inside quotes, fields
/// spanning lines), a UTF-8 byte order mark, CRLF or LF line ends, and type inference per
/// column. Errors (ragged rows, unterminated quotes, bytes that are not UTF-8) throw
/// cairn::Error naming file:line:column. The file is memory-mapped and parsed in one pass
/// (files over 8 MB in parallel chunks, up to $CAIRN_CSV_THREADS or the core count); a second
/// pass runs only for columns whose type changed late in the file.
class CsvReader
{
public:
    /// Reading the whole file (maxRows < 0) first calls checkMemory.
    static Table read(const QString &path, const CsvOptions &options = {});
    /// Parses text already in memory; `sourceName` is what error messages call it.
    static Table parse(QByteArrayView text, const QString &sourceName, const CsvOptions &options = {});
    /// The delimiter the header line suggests (',' when nothing else fits).
    static char detectDelimiter(QByteArrayView text);
    /// Estimates the memory of the whole file's columns from its head (at most a few MB read).
    static CsvMemoryEstimate estimateMemory(const QString &path, const CsvOptions &options = {});
    /// Throws cairn::Error, having read no more than the file's head, when the whole file's
    /// columns will not fit in the memory available to this process (cairn::availableMemory);
    /// the message names the file, its size, the estimate, the memory available and what to do.
    static void checkMemory(const QString &path, const CsvOptions &options = {});
};

} // namespace cairn::data
