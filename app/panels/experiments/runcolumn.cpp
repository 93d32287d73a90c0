#include "runcolumn.h"

#include <QRegularExpression>

#include <cmath>

namespace cairn::panels {

QList<RunColumn> RunColumn::attributeColumns()
{
    return {{Name, {}}, {Status, {}}, {Start, {}}, {Duration, {}}, {Source, {}}, {Host, {}}};
}

QString RunColumn::header() const
{
    switch (kind) {
    case Name: return tr("Name");
    case Status: return tr("Status");
    case Start: return tr("Started");
    case Duration: return tr("Duration");
    case Source: return tr("Source");
    case Host: return tr("Host");
    case Param:
    case Metric:
    case Tag: return key;
    }
    return key;
}

QString RunColumn::headerToolTip() const
{
    switch (kind) {
    case Param: return tr("Parameter %1").arg(key);
    case Metric: return tr("Metric %1: the last value logged (sorts by it)").arg(key);
    case Tag: return tr("Tag %1").arg(key);
    default: return header();
    }
}

QString compactNumber(double value)
{
    if (!std::isfinite(value))
        return std::isnan(value) ? QStringLiteral("NaN") : (value > 0 ? QStringLiteral("Infinity") : QStringLiteral("-Infinity"));
    return QString::number(value, 'g', 6);
}

QString quoteSearchKey(const QString &key)
{
    static const QRegularExpression simple(QStringLiteral("^[A-Za-z0-9_.:/-]+$"));
    if (simple.match(key).hasMatch())
        return key;
    QString escaped = key;
    escaped.remove(QLatin1Char('`'));
    return QLatin1Char('`') + escaped + QLatin1Char('`');
}

QString RunColumn::orderField() const
{
    switch (kind) {
    case Name: return QStringLiteral("name");
    case Status: return QStringLiteral("status");
    case Start: return QStringLiteral("start_time");
    case Duration: return QStringLiteral("duration");
    case Source: return QStringLiteral("source_ref");
    case Host: return QStringLiteral("host");
    case Param: return QStringLiteral("params.") + quoteSearchKey(key);
    case Metric: return QStringLiteral("metrics.") + quoteSearchKey(key);
    case Tag: return QStringLiteral("tags.") + quoteSearchKey(key);
    }
    return {};
}

QString RunColumn::spec() const
{
    switch (kind) {
    case Param: return QStringLiteral("params.") + key;
    case Metric: return QStringLiteral("metrics.") + key;
    case Tag: return QStringLiteral("tags.") + key;
    default: return orderField();
    }
}

std::optional<RunColumn> RunColumn::fromSpec(const QString &spec)
{
    const struct
    {
        const char *prefix;
        Kind kind;
    } keyed[] = {{"params.", Param}, {"metrics.", Metric}, {"tags.", Tag}};
    for (const auto &k : keyed) {
        const QString prefix = QString::fromLatin1(k.prefix);
        if (spec.startsWith(prefix) && spec.size() > prefix.size())
            return RunColumn{k.kind, spec.mid(prefix.size())};
    }
    for (const RunColumn &c : attributeColumns())
        if (c.spec() == spec)
            return c;
    return std::nullopt;
}

} // namespace cairn::panels
