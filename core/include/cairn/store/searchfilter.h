#pragma once

#include "cairn/util/error.h"

#include <QList>
#include <QString>
#include <QVariant>

namespace cairn {

/// A filter or order-by expression that does not parse; position is the 0-based offset of the
/// offending character in the text the user typed.
class SearchSyntaxError : public Error
{
public:
    SearchSyntaxError(const QString &what, int position);
    int position() const { return m_position; }
    QString what_() const { return m_what; }
    /// The expression with a caret under the position, for a terminal.
    QString pointAt(const QString &expression) const;

private:
    QString m_what;
    int m_position;
};

/// What a filter or sort names: an attribute of the run, or a metric, param or tag by key.
struct SearchField
{
    enum Kind { Attribute, Metric, Param, Tag };
    Kind kind = Attribute;
    QString key;
    QString displayName() const;
};

/// The run search language, close to MLflow's:
///   metrics.acc > 0.9 and params.eta = '0.1' and tags.model = 'xgb' and attributes.status = 'FINISHED'
/// plus OR, NOT and parentheses; operators = != <> < <= > >= LIKE ILIKE IN, NOT IN, IS [NOT] NULL.
/// Keys with spaces or symbols go in backticks or double quotes: metrics.`val loss`.
/// Attributes may be written bare: status = 'RUNNING', name LIKE 'xgb%'.
/// compile() produces an SQL condition over the alias `r` (the runs table).
struct CompiledFilter
{
    QString sql;               ///< empty when the filter is empty
    QList<QVariant> bindings;  ///< positional values for the '?' in sql, in order
};

struct OrderTerm
{
    SearchField field;
    bool descending = false;
};

class SearchFilter
{
public:
    /// How deeply '(' and NOT may nest (together); deeper filters are a SearchSyntaxError.
    static constexpr int maxNesting = 50;
    /// At most this many conditions, and this many values in all IN lists together.
    static constexpr int maxConditions = 500;
    static constexpr int maxListValues = 10000;
    static CompiledFilter compile(const QString &expression);
    /// "metrics.acc DESC, params.eta" → terms. An empty text gives no terms.
    static QList<OrderTerm> parseOrderBy(const QString &text);
    /// An SQL expression over alias `r` whose value sorts by the field; bindings appended.
    static QString orderExpression(const SearchField &field, QList<QVariant> &bindings);
    /// Attribute names the language knows (for completion).
    static QStringList attributeNames();
};

} // namespace cairn
