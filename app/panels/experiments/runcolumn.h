#pragma once

#include <QCoreApplication>
#include <QList>
#include <QString>

#include <optional>

namespace cairn::panels {

/// A column of the runs table: a run attribute, or a param, metric or tag the user picked.
struct RunColumn
{
    Q_DECLARE_TR_FUNCTIONS(cairn::panels::RunColumn)
public:
    enum Kind { Name, Status, Start, Duration, Source, Host, Param, Metric, Tag };
    Kind kind = Name;
    QString key; ///< for Param, Metric and Tag

    /// Name, status, start, duration, source, host: always shown, in this order.
    static QList<RunColumn> attributeColumns();
    bool isKeyed() const { return kind == Param || kind == Metric || kind == Tag; }
    QString header() const;
    QString headerToolTip() const;
    /// The field of the search language that orders by this column ("metrics.`acc`").
    QString orderField() const;
    /// "params.lr", "metrics.val loss", "tags.model" (settings and CSV headers); attributes
    /// by their search-language name.
    QString spec() const;
    static std::optional<RunColumn> fromSpec(const QString &spec);
    bool operator==(const RunColumn &other) const { return kind == other.kind && key == other.key; }
};

/// A metric value for a table cell: 6 significant digits (tooltips show the exact value).
QString compactNumber(double value);

/// A key as the search language wants it: bare if simple, else in backticks.
QString quoteSearchKey(const QString &key);

} // namespace cairn::panels
