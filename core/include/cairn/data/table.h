#pragma once

#include <QList>
#include <QString>
#include <QStringList>

#include <cmath>
#include <cstdint>
#include <optional>
#include <vector>

namespace cairn::data {

/// What a column holds, as inferred from its values (or as the user said).
enum class ColumnType { Numeric, Categorical, Boolean, Datetime, Text };

QString columnTypeName(ColumnType type);
std::optional<ColumnType> columnTypeFromName(const QString &name);

/// One column of a table. Numbers (numeric, boolean as 0/1, datetime as ms since the epoch)
/// live in `values` with NaN for a missing value; strings (categorical, text) live as codes
/// into `categories` with -1 for a missing value. A boolean column keeps the spelling of its
/// false and true values in `categories` (e.g. "no", "yes") so they can be written back.
struct Column
{
    QString name;
    ColumnType type = ColumnType::Numeric;
    std::vector<double> values;
    std::vector<std::int32_t> codes;
    QStringList categories;

    bool isNumeric() const { return type == ColumnType::Numeric || type == ColumnType::Boolean || type == ColumnType::Datetime; }
    qsizetype size() const { return isNumeric() ? qsizetype(values.size()) : qsizetype(codes.size()); }
    bool isMissing(qsizetype row) const
    {
        return isNumeric() ? std::isnan(values[size_t(row)]) : codes[size_t(row)] < 0;
    }
    qsizetype missingCount() const;
    /// The value as text (empty when missing): what a CSV writer or a preview shows.
    QString text(qsizetype row) const;
};

/// A table read from a data channel: columns of equal length.
class Table
{
public:
    QList<Column> columns;

    qsizetype rowCount() const { return columns.isEmpty() ? 0 : columns.first().size(); }
    qsizetype columnCount() const { return columns.size(); }
    /// -1 when no column has that name.
    int indexOf(const QString &name) const;
    /// Throws cairn::Error naming the columns that exist.
    const Column &column(const QString &name) const;
    QStringList columnNames() const;
    /// The rows picked by `rows`, in that order (for splits and previews).
    Table select(const std::vector<qsizetype> &rows) const;
};

} // namespace cairn::data
