#include "cairn/store/searchfilter.h"

#include <QDateTime>
#include <QHash>
#include <QLocale>

#include <cmath>

namespace cairn {

SearchSyntaxError::SearchSyntaxError(const QString &what, int position)
    : Error(QStringLiteral("at position %1: %2").arg(position + 1).arg(what)), m_what(what), m_position(position)
{
}

QString SearchSyntaxError::pointAt(const QString &expression) const
{
    return expression + QLatin1Char('\n') + QString(m_position, QLatin1Char(' ')) + QLatin1Char('^');
}

QString SearchField::displayName() const
{
    switch (kind) {
    case Metric: return QStringLiteral("metrics.") + key;
    case Param: return QStringLiteral("params.") + key;
    case Tag: return QStringLiteral("tags.") + key;
    case Attribute: break;
    }
    return key;
}

namespace {

struct AttributeDef
{
    const char *column; // SQL over alias r
    bool numeric;
};

const QHash<QString, AttributeDef> &attributeDefs()
{
    static const QHash<QString, AttributeDef> defs = {
        {QStringLiteral("run_id"), {"r.uuid", false}},
        {QStringLiteral("name"), {"r.name", false}},
        {QStringLiteral("status"), {"r.status", false}},
        {QStringLiteral("start_time"), {"r.start_time", true}},
        {QStringLiteral("end_time"), {"r.end_time", true}},
        {QStringLiteral("duration"),
         {"(COALESCE(r.end_time, CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER)) - r.start_time)", true}},
        {QStringLiteral("source_type"), {"r.source_type", false}},
        {QStringLiteral("source_ref"), {"r.source_ref", false}},
        {QStringLiteral("host"), {"r.host", false}},
        {QStringLiteral("experiment_id"), {"r.experiment_id", true}},
        {QStringLiteral("parent_run_id"), {"(SELECT pr.uuid FROM runs pr WHERE pr.id = r.parent_id)", false}},
        {QStringLiteral("lifecycle"), {"r.lifecycle", false}},
    };
    return defs;
}

// Other spellings users bring from MLflow and SQL habits.
QString canonicalAttribute(const QString &name)
{
    static const QHash<QString, QString> aliases = {
        {QStringLiteral("run_name"), QStringLiteral("name")},
        {QStringLiteral("uuid"), QStringLiteral("run_id")},
        {QStringLiteral("id"), QStringLiteral("run_id")},
        {QStringLiteral("run_uuid"), QStringLiteral("run_id")},
        {QStringLiteral("source"), QStringLiteral("source_ref")},
        {QStringLiteral("parent"), QStringLiteral("parent_run_id")},
        {QStringLiteral("lifecycle_stage"), QStringLiteral("lifecycle")},
    };
    const QString lower = name.toLower();
    return aliases.value(lower, lower);
}

// A param or tag value that reads as a number compares and sorts as one.
QString looksNumeric(const QString &column)
{
    return QStringLiteral("(%1 <> '' AND %1 NOT GLOB '*[^0-9.eE+-]*' AND %1 GLOB '*[0-9]*')").arg(column);
}

QString likeToGlob(const QString &like)
{
    QString glob;
    for (QChar c : like) {
        if (c == QLatin1Char('%'))
            glob += QLatin1Char('*');
        else if (c == QLatin1Char('_'))
            glob += QLatin1Char('?');
        else if (c == QLatin1Char('*') || c == QLatin1Char('?') || c == QLatin1Char('['))
            glob += QLatin1Char('[') + c + QLatin1Char(']');
        else
            glob += c;
    }
    return glob;
}

struct Literal
{
    QVariant value; // QString or double
    int position = 0;
    bool isNumber() const { return value.typeId() == QMetaType::Double; }
};

class Parser
{
public:
    explicit Parser(const QString &text) : m_text(text) {}

    CompiledFilter parseFilter()
    {
        CompiledFilter out;
        skipSpace();
        if (atEnd())
            return out;
        out.sql = parseOr();
        skipSpace();
        if (!atEnd())
            fail(QStringLiteral("expected AND, OR or the end of the filter, found '%1'").arg(peekWord()));
        out.bindings = m_bindings;
        return out;
    }

    QList<OrderTerm> parseOrder()
    {
        QList<OrderTerm> terms;
        skipSpace();
        if (atEnd())
            return terms;
        for (;;) {
            OrderTerm term;
            term.field = parseField();
            skipSpace();
            if (acceptKeyword("DESC"))
                term.descending = true;
            else
                acceptKeyword("ASC");
            terms.append(term);
            skipSpace();
            if (atEnd())
                break;
            if (!accept(QLatin1Char(',')))
                fail(QStringLiteral("expected ',', ASC, DESC or the end, found '%1'").arg(peekWord()));
            skipSpace();
        }
        return terms;
    }

    static QString orderSql(const SearchField &field, QList<QVariant> &bindings)
    {
        switch (field.kind) {
        case SearchField::Metric:
            bindings.append(field.key);
            return QStringLiteral("(SELECT ms.last_value FROM metric_summaries ms WHERE ms.run_id = r.id AND "
                                  "ms.key_id = (SELECT id FROM metric_keys WHERE name = ?))");
        case SearchField::Param:
            bindings.append(field.key);
            return QStringLiteral("(SELECT CASE WHEN %1 THEN CAST(p.value AS REAL) ELSE p.value END "
                                  "FROM params p WHERE p.run_id = r.id AND p.key = ?)")
                .arg(looksNumeric(QStringLiteral("p.value")));
        case SearchField::Tag:
            // Numeric tags (a run's cost) order as numbers, like params.
            bindings.append(field.key);
            return QStringLiteral("(SELECT CASE WHEN %1 THEN CAST(t.value AS REAL) ELSE t.value END "
                                  "FROM tags t WHERE t.run_id = r.id AND t.key = ?)")
                .arg(looksNumeric(QStringLiteral("t.value")));
        case SearchField::Attribute:
            break;
        }
        return QString::fromLatin1(attributeDefs().value(field.key).column);
    }

private:
    [[noreturn]] void fail(const QString &what, int position = -1) const
    {
        throw SearchSyntaxError(what, position < 0 ? m_pos : position);
    }

    bool atEnd() const { return m_pos >= m_text.size(); }
    QChar peek() const { return atEnd() ? QChar() : m_text.at(m_pos); }
    void skipSpace()
    {
        while (!atEnd() && peek().isSpace())
            ++m_pos;
    }
    bool accept(QChar c)
    {
        if (peek() == c) {
            ++m_pos;
            return true;
        }
        return false;
    }
    static bool isWordChar(QChar c) { return c.isLetterOrNumber() || c == QLatin1Char('_'); }
    QString peekWord() const
    {
        if (atEnd())
            return QStringLiteral("end of text");
        int end = m_pos;
        while (end < m_text.size() && isWordChar(m_text.at(end)))
            ++end;
        if (end == m_pos)
            return m_text.mid(m_pos, 1);
        return m_text.mid(m_pos, end - m_pos);
    }
    bool acceptKeyword(const char *keyword)
    {
        const QString word = QString::fromLatin1(keyword);
        if (m_text.mid(m_pos, word.size()).compare(word, Qt::CaseInsensitive) != 0)
            return false;
        const int after = m_pos + int(word.size());
        if (after < m_text.size() && isWordChar(m_text.at(after)))
            return false;
        m_pos = after;
        return true;
    }

    // A chain "a AND b AND c" becomes one flat SQL group: nesting it pair by pair would make
    // SQLite's parser stack grow with the length of the chain.
    QString parseOr()
    {
        QStringList terms{parseAnd()};
        for (;;) {
            skipSpace();
            if (!acceptKeyword("OR"))
                break;
            terms << parseAnd();
        }
        return terms.size() == 1 ? terms.first() : QStringLiteral("(%1)").arg(terms.join(QStringLiteral(" OR ")));
    }

    QString parseAnd()
    {
        QStringList terms{parseNot()};
        for (;;) {
            skipSpace();
            if (!acceptKeyword("AND"))
                break;
            terms << parseNot();
        }
        return terms.size() == 1 ? terms.first() : QStringLiteral("(%1)").arg(terms.join(QStringLiteral(" AND ")));
    }

    // Every primary is parenthesized, and NOT binds tighter than AND in SQL: no parentheses
    // needed around NOT, so each NOT costs one level of SQLite's parser stack.
    QString parseNot()
    {
        skipSpace();
        const int at = m_pos;
        if (acceptKeyword("NOT")) {
            const Nesting nested(*this, at);
            return QStringLiteral("NOT %1").arg(parseNot());
        }
        return parsePrimary();
    }

    /// Counts one level of '(' or NOT while it is being parsed. The bound keeps the parser's
    /// recursion and the SQL it writes (SQLite's parser stack holds about 100 levels) small.
    class Nesting
    {
    public:
        Nesting(Parser &parser, int position) : m_parser(parser)
        {
            if (++m_parser.m_depth > SearchFilter::maxNesting)
                m_parser.fail(QStringLiteral("conditions are nested more than %1 levels deep (counting '(' and NOT); "
                                             "write the filter with fewer parentheses or NOTs")
                                  .arg(SearchFilter::maxNesting),
                              position);
        }
        ~Nesting() { --m_parser.m_depth; }
        Nesting(const Nesting &) = delete;
        Nesting &operator=(const Nesting &) = delete;

    private:
        Parser &m_parser;
    };

    QString parsePrimary()
    {
        skipSpace();
        if (atEnd())
            fail(QStringLiteral("expected a condition such as metrics.accuracy > 0.9"));
        if (accept(QLatin1Char('('))) {
            const int open = m_pos - 1;
            const Nesting nested(*this, open);
            const QString inner = parseOr();
            skipSpace();
            if (!accept(QLatin1Char(')')))
                fail(atEnd() ? QStringLiteral("'(' at position %1 is never closed").arg(open + 1)
                             : QStringLiteral("expected ')', found '%1'").arg(peekWord()));
            return QStringLiteral("(%1)").arg(inner);
        }
        return parseComparison();
    }

    QString parseKey()
    {
        const QChar quote = peek();
        if (quote == QLatin1Char('`') || quote == QLatin1Char('"')) {
            const int start = m_pos++;
            QString key;
            while (!atEnd() && peek() != quote)
                key += m_text.at(m_pos++);
            if (atEnd())
                fail(QStringLiteral("the quoted key is never closed"), start);
            ++m_pos;
            if (key.isEmpty())
                fail(QStringLiteral("empty key"), start);
            return key;
        }
        const int start = m_pos;
        while (!atEnd()) {
            const QChar c = peek();
            if (isWordChar(c) || c == QLatin1Char('.') || c == QLatin1Char('-') || c == QLatin1Char('/')
                || c == QLatin1Char(':'))
                ++m_pos;
            else
                break;
        }
        if (m_pos == start)
            fail(QStringLiteral("expected a key after the '.'"));
        return m_text.mid(start, m_pos - start);
    }

    SearchField parseField()
    {
        skipSpace();
        const int start = m_pos;
        while (!atEnd() && isWordChar(peek()))
            ++m_pos;
        if (m_pos == start)
            fail(QStringLiteral("expected a field such as metrics.accuracy, params.eta, tags.model or status, found '%1'")
                     .arg(peekWord()));
        const QString prefix = m_text.mid(start, m_pos - start);
        SearchField field;
        if (accept(QLatin1Char('.'))) {
            const QString kind = prefix.toLower();
            if (kind == QLatin1String("metrics") || kind == QLatin1String("metric"))
                field.kind = SearchField::Metric;
            else if (kind == QLatin1String("params") || kind == QLatin1String("param") || kind == QLatin1String("parameters"))
                field.kind = SearchField::Param;
            else if (kind == QLatin1String("tags") || kind == QLatin1String("tag"))
                field.kind = SearchField::Tag;
            else if (kind == QLatin1String("attributes") || kind == QLatin1String("attribute") || kind == QLatin1String("attr")
                     || kind == QLatin1String("run"))
                field.kind = SearchField::Attribute;
            else
                fail(QStringLiteral("unknown field type '%1': use metrics., params., tags. or attributes.").arg(prefix), start);
            const int keyStart = m_pos;
            field.key = parseKey();
            if (field.kind == SearchField::Attribute) {
                field.key = canonicalAttribute(field.key);
                if (!attributeDefs().contains(field.key))
                    fail(QStringLiteral("unknown attribute '%1'; known: %2")
                             .arg(m_text.mid(keyStart, m_pos - keyStart), SearchFilter::attributeNames().join(QStringLiteral(", "))),
                         keyStart);
            }
            return field;
        }
        field.kind = SearchField::Attribute;
        field.key = canonicalAttribute(prefix);
        if (!attributeDefs().contains(field.key))
            fail(QStringLiteral("unknown field '%1': write metrics.%1, params.%1 or tags.%1, or an attribute (%2)")
                     .arg(prefix, SearchFilter::attributeNames().join(QStringLiteral(", "))),
                 start);
        return field;
    }

    Literal parseLiteral()
    {
        skipSpace();
        Literal lit;
        lit.position = m_pos;
        const QChar c = peek();
        if (c == QLatin1Char('\'') || c == QLatin1Char('"')) {
            ++m_pos;
            QString s;
            for (;;) {
                if (atEnd())
                    fail(QStringLiteral("the string is never closed"), lit.position);
                const QChar ch = m_text.at(m_pos++);
                if (ch == c) {
                    if (peek() == c) { // '' inside '...' is a quote
                        s += c;
                        ++m_pos;
                        continue;
                    }
                    break;
                }
                s += ch;
            }
            lit.value = s;
            return lit;
        }
        int end = m_pos;
        while (end < m_text.size()) {
            const QChar ch = m_text.at(end);
            if (ch.isLetterOrNumber() || ch == QLatin1Char('.') || ch == QLatin1Char('-') || ch == QLatin1Char('+'))
                ++end;
            else
                break;
        }
        const QString token = m_text.mid(m_pos, end - m_pos);
        bool ok = false;
        double number = token.toDouble(&ok);
        const QString lower = token.toLower();
        if (!ok) {
            if (lower == QLatin1String("nan")) {
                number = std::nan("");
                ok = true;
            } else if (lower == QLatin1String("inf") || lower == QLatin1String("infinity") || lower == QLatin1String("+inf")) {
                number = INFINITY;
                ok = true;
            } else if (lower == QLatin1String("-inf") || lower == QLatin1String("-infinity")) {
                number = -INFINITY;
                ok = true;
            }
        }
        if (!ok)
            fail(token.isEmpty() ? QStringLiteral("expected a value (a number or a 'quoted string'), found '%1'").arg(peekWord())
                                 : QStringLiteral("'%1' is not a value: put strings in quotes, e.g. '%1'").arg(token));
        m_pos = end;
        lit.value = number;
        return lit;
    }

    QString bind(const QVariant &value)
    {
        m_bindings.append(value);
        return QStringLiteral("?");
    }

    // Wraps a condition on a key-value table's `v` column.
    QString existsIn(const SearchField &field, const QString &condition, bool negate = false)
    {
        QString from;
        switch (field.kind) {
        case SearchField::Metric:
            from = QStringLiteral("metric_summaries x WHERE x.run_id = r.id AND x.key_id = (SELECT id FROM metric_keys WHERE name = %1)")
                       .arg(bind(field.key));
            break;
        case SearchField::Param:
            from = QStringLiteral("params x WHERE x.run_id = r.id AND x.key = %1").arg(bind(field.key));
            break;
        case SearchField::Tag:
            from = QStringLiteral("tags x WHERE x.run_id = r.id AND x.key = %1").arg(bind(field.key));
            break;
        case SearchField::Attribute:
            Q_UNREACHABLE();
        }
        return QStringLiteral("(%1EXISTS (SELECT 1 FROM %2%3))")
            .arg(negate ? QStringLiteral("NOT ") : QString(), from,
                 condition.isEmpty() ? QString() : QStringLiteral(" AND ") + condition);
    }

    QString numericCondition(const QString &column, const QString &op, const Literal &lit)
    {
        const double v = lit.value.toDouble();
        if (std::isnan(v)) { // NaN is stored as NULL
            if (op == QLatin1String("="))
                return QStringLiteral("%1 IS NULL").arg(column);
            if (op == QLatin1String("!="))
                return QStringLiteral("%1 IS NOT NULL").arg(column);
            fail(QStringLiteral("NaN can only be compared with = or !="), lit.position);
        }
        return QStringLiteral("%1 %2 %3").arg(column, op, bind(v));
    }

    QString textCondition(const QString &column, const QString &op, const Literal &lit, bool numericLooking)
    {
        if (lit.isNumber() && numericLooking) {
            const QString numeric = QStringLiteral("(%1 AND CAST(%2 AS REAL) %3 %4)")
                                        .arg(looksNumeric(column), column, op, bind(lit.value.toDouble()));
            if (op == QLatin1String("="))
                return QStringLiteral("(%1 = %2 OR %3)").arg(column, bind(lit.value.toString()), numeric);
            return numeric;
        }
        return QStringLiteral("%1 %2 %3").arg(column, op, bind(lit.value.toString()));
    }

    QList<Literal> parseList()
    {
        skipSpace();
        if (!accept(QLatin1Char('(')))
            fail(QStringLiteral("expected '(' after IN"));
        QList<Literal> items;
        for (;;) {
            if (++m_listValues > SearchFilter::maxListValues)
                fail(QStringLiteral("the filter's IN lists hold more than %1 values").arg(SearchFilter::maxListValues));
            items.append(parseLiteral());
            skipSpace();
            if (accept(QLatin1Char(')')))
                return items;
            if (!accept(QLatin1Char(',')))
                fail(QStringLiteral("expected ',' or ')' in the IN list, found '%1'").arg(peekWord()));
        }
    }

    QString parseComparison()
    {
        const int fieldPos = m_pos;
        // SQLite caps an expression tree at 1000 levels: a flat chain of conditions is one
        // level per condition.
        if (++m_conditions > SearchFilter::maxConditions)
            fail(QStringLiteral("the filter has more than %1 conditions").arg(SearchFilter::maxConditions));
        const SearchField field = parseField();
        skipSpace();
        const int opPos = m_pos;

        // IS [NOT] NULL: whether the run has the metric, param or tag at all.
        if (acceptKeyword("IS")) {
            skipSpace();
            const bool negate = acceptKeyword("NOT");
            skipSpace();
            if (!acceptKeyword("NULL"))
                fail(QStringLiteral("expected NULL after IS"));
            if (field.kind == SearchField::Attribute) {
                const QString column = QString::fromLatin1(attributeDefs().value(field.key).column);
                return QStringLiteral("(%1 IS %2NULL)").arg(column, negate ? QStringLiteral("NOT ") : QString());
            }
            return existsIn(field, QString(), !negate);
        }

        bool notIn = false;
        if (acceptKeyword("NOT")) {
            skipSpace();
            if (acceptKeyword("IN"))
                notIn = true;
            else if (acceptKeyword("LIKE") || acceptKeyword("ILIKE"))
                fail(QStringLiteral("NOT LIKE is written NOT (field LIKE '...')"), opPos);
            else
                fail(QStringLiteral("expected IN after NOT"));
        }
        if (notIn || acceptKeyword("IN")) {
            const QList<Literal> items = parseList();
            QStringList placeholders;
            const QString column = columnFor(field);
            for (const Literal &item : items) {
                if (field.kind == SearchField::Metric && !item.isNumber())
                    fail(QStringLiteral("metrics compare with numbers, not '%1'").arg(item.value.toString()), item.position);
                placeholders << bind(field.kind == SearchField::Metric ? item.value : normalise(field, item.value));
            }
            const QString condition = QStringLiteral("%1 %2IN (%3)")
                                          .arg(column, notIn ? QStringLiteral("NOT ") : QString(), placeholders.join(QStringLiteral(", ")));
            return field.kind == SearchField::Attribute ? QStringLiteral("(%1)").arg(condition) : existsInWithKeyFirst(field, condition);
        }

        QString op;
        if (acceptKeyword("LIKE"))
            op = QStringLiteral("LIKE");
        else if (acceptKeyword("ILIKE"))
            op = QStringLiteral("ILIKE");
        else {
            static const char *ops[] = {"<=", ">=", "!=", "<>", "==", "=", "<", ">"};
            for (const char *candidate : ops) {
                const QString s = QString::fromLatin1(candidate);
                if (m_text.mid(m_pos, s.size()) == s) {
                    op = s;
                    m_pos += int(s.size());
                    break;
                }
            }
            if (op == QLatin1String("<>"))
                op = QStringLiteral("!=");
            if (op == QLatin1String("=="))
                op = QStringLiteral("=");
        }
        if (op.isEmpty())
            fail(atEnd() ? QStringLiteral("expected an operator (=, !=, <, <=, >, >=, LIKE, ILIKE, IN, IS NULL) after '%1'")
                               .arg(m_text.mid(fieldPos, opPos - fieldPos).trimmed())
                         : QStringLiteral("expected an operator (=, !=, <, <=, >, >=, LIKE, ILIKE, IN, IS NULL), found '%1'")
                               .arg(peekWord()));
        const Literal lit = parseLiteral();
        const bool isLike = op == QLatin1String("LIKE") || op == QLatin1String("ILIKE");

        if (isLike && lit.isNumber())
            fail(QStringLiteral("%1 needs a 'quoted pattern'").arg(op), lit.position);

        if (field.kind == SearchField::Metric) {
            if (isLike || !lit.isNumber())
                fail(QStringLiteral("metrics compare with numbers, e.g. metrics.%1 > 0.5").arg(field.key), isLike ? opPos : lit.position);
            return existsInWithKeyFirst(field, numericCondition(QStringLiteral("x.last_value"), op, lit));
        }

        const QString column = columnFor(field);
        QString condition;
        if (isLike) {
            const QString pattern = lit.value.toString();
            condition = op == QLatin1String("LIKE") ? QStringLiteral("%1 GLOB %2").arg(column, bind(likeToGlob(pattern)))
                                                    : QStringLiteral("%1 LIKE %2").arg(column, bind(pattern));
        } else if (field.kind == SearchField::Attribute) {
            const AttributeDef def = attributeDefs().value(field.key);
            if (def.numeric) {
                Literal numeric = lit;
                if (!lit.isNumber()) {
                    const QDateTime time = QDateTime::fromString(lit.value.toString(), Qt::ISODate);
                    if (!time.isValid())
                        fail(QStringLiteral("%1 compares with a number or an ISO date such as '2026-01-31'").arg(field.key), lit.position);
                    numeric.value = double(time.toMSecsSinceEpoch());
                }
                condition = numericCondition(column, op, numeric);
            } else {
                Literal text = lit;
                text.value = normalise(field, lit.value);
                condition = QStringLiteral("%1 %2 %3").arg(column, op, bind(text.value.toString()));
            }
            return QStringLiteral("(%1)").arg(condition);
        } else {
            condition = textCondition(column, op, lit, true);
        }
        if (field.kind == SearchField::Attribute)
            return QStringLiteral("(%1)").arg(condition);
        return existsInWithKeyFirst(field, condition);
    }

    // The key's binding has to come before the condition's in the SQL text: rebuild the
    // bindings in that order.
    QString existsInWithKeyFirst(const SearchField &field, const QString &condition)
    {
        const qsizetype conditionBindings = condition.count(QLatin1Char('?'));
        QList<QVariant> tail = m_bindings.mid(m_bindings.size() - conditionBindings);
        m_bindings.resize(m_bindings.size() - conditionBindings);
        const QString sql = existsIn(field, QString());
        m_bindings.append(tail);
        return sql.left(sql.size() - 2) + QStringLiteral(" AND ") + condition + QStringLiteral("))");
    }

    QString columnFor(const SearchField &field) const
    {
        switch (field.kind) {
        case SearchField::Metric: return QStringLiteral("x.last_value");
        case SearchField::Param:
        case SearchField::Tag: return QStringLiteral("x.value");
        case SearchField::Attribute: break;
        }
        return QString::fromLatin1(attributeDefs().value(field.key).column);
    }

    static QVariant normalise(const SearchField &field, const QVariant &value)
    {
        if (field.kind == SearchField::Attribute && field.key == QLatin1String("status"))
            return value.toString().toUpper();
        if (value.typeId() == QMetaType::Double)
            return QString::number(value.toDouble(), 'g', QLocale::FloatingPointShortest);
        return value.toString();
    }

    QString m_text;
    int m_pos = 0;
    int m_depth = 0;
    int m_conditions = 0;
    int m_listValues = 0;
    QList<QVariant> m_bindings;
};

} // namespace

CompiledFilter SearchFilter::compile(const QString &expression)
{
    return Parser(expression).parseFilter();
}

QList<OrderTerm> SearchFilter::parseOrderBy(const QString &text)
{
    return Parser(text).parseOrder();
}

QString SearchFilter::orderExpression(const SearchField &field, QList<QVariant> &bindings)
{
    return Parser::orderSql(field, bindings);
}

QStringList SearchFilter::attributeNames()
{
    QStringList names = attributeDefs().keys();
    names.sort();
    return names;
}

} // namespace cairn
