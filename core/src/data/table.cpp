#include "cairn/data/table.h"

#include "cairn/util/error.h"

#include <QDateTime>
#include <QLocale>

namespace cairn::data {

QString columnTypeName(ColumnType type)
{
    switch (type) {
    case ColumnType::Numeric: return QStringLiteral("numeric");
    case ColumnType::Categorical: return QStringLiteral("categorical");
    case ColumnType::Boolean: return QStringLiteral("boolean");
    case ColumnType::Datetime: return QStringLiteral("datetime");
    case ColumnType::Text: return QStringLiteral("text");
    }
    return QStringLiteral("numeric");
}

std::optional<ColumnType> columnTypeFromName(const QString &name)
{
    const QString n = name.trimmed().toLower();
    if (n == QLatin1String("numeric") || n == QLatin1String("number")) return ColumnType::Numeric;
    if (n == QLatin1String("categorical") || n == QLatin1String("category")) return ColumnType::Categorical;
    if (n == QLatin1String("boolean") || n == QLatin1String("bool")) return ColumnType::Boolean;
    if (n == QLatin1String("datetime") || n == QLatin1String("date")) return ColumnType::Datetime;
    if (n == QLatin1String("text") || n == QLatin1String("string")) return ColumnType::Text;
    return std::nullopt;
}

qsizetype Column::missingCount() const
{
    qsizetype n = 0;
    if (isNumeric()) {
        for (double v : values)
            n += std::isnan(v) ? 1 : 0;
    } else {
        for (auto c : codes)
            n += c < 0 ? 1 : 0;
    }
    return n;
}

QString Column::text(qsizetype row) const
{
    if (isMissing(row))
        return {};
    switch (type) {
    case ColumnType::Numeric:
        return QString::number(values[size_t(row)], 'g', 17);
    case ColumnType::Boolean: {
        const int i = values[size_t(row)] != 0 ? 1 : 0;
        if (categories.size() == 2)
            return categories.at(i);
        return i ? QStringLiteral("true") : QStringLiteral("false");
    }
    case ColumnType::Datetime:
        return QDateTime::fromMSecsSinceEpoch(qint64(values[size_t(row)]), Qt::UTC).toString(Qt::ISODateWithMs);
    case ColumnType::Categorical:
    case ColumnType::Text:
        return categories.at(codes[size_t(row)]);
    }
    return {};
}

int Table::indexOf(const QString &name) const
{
    for (int i = 0; i < columns.size(); ++i)
        if (columns.at(i).name == name)
            return i;
    return -1;
}

const Column &Table::column(const QString &name) const
{
    const int i = indexOf(name);
    if (i < 0)
        throw Error(QStringLiteral("no column named '%1' (the columns are: %2)").arg(name, columnNames().join(QStringLiteral(", "))));
    return columns.at(i);
}

QStringList Table::columnNames() const
{
    QStringList names;
    for (const Column &c : columns)
        names << c.name;
    return names;
}

Table Table::select(const std::vector<qsizetype> &rows) const
{
    Table out;
    for (const Column &c : columns) {
        Column n;
        n.name = c.name;
        n.type = c.type;
        n.categories = c.categories;
        if (c.isNumeric()) {
            n.values.reserve(rows.size());
            for (qsizetype r : rows)
                n.values.push_back(c.values[size_t(r)]);
        } else {
            n.codes.reserve(rows.size());
            for (qsizetype r : rows)
                n.codes.push_back(c.codes[size_t(r)]);
        }
        out.columns << std::move(n);
    }
    return out;
}

} // namespace cairn::data
