#include "cairn/tuning/searchspace.h"

#include "cairn/algorithms/parameterschema.h"
#include "cairn/util/error.h"

#include <algorithm>
#include <cmath>

namespace cairn::tuning {

namespace {
QString kindName(Dimension::Kind kind)
{
    switch (kind) {
    case Dimension::Kind::Integer: return QStringLiteral("int");
    case Dimension::Kind::Categorical: return QStringLiteral("categorical");
    case Dimension::Kind::Real: break;
    }
    return QStringLiteral("real");
}
} // namespace

QJsonValue Dimension::fromUnit(double u) const
{
    u = std::clamp(u, 0.0, 1.0);
    switch (kind) {
    case Kind::Categorical: {
        const int i = std::min(int(u * choices.size()), int(choices.size()) - 1);
        return choices.value(i);
    }
    case Kind::Integer:
    case Kind::Real: {
        double v = logScale ? std::exp(std::log(low) + u * (std::log(high) - std::log(low))) : low + u * (high - low);
        if (kind == Kind::Integer)
            return qint64(std::llround(std::clamp(v, low, high)));
        return std::clamp(v, low, high);
    }
    }
    return {};
}

double Dimension::toUnit(const QJsonValue &value) const
{
    if (kind == Kind::Categorical) {
        const qsizetype i = choices.indexOf(value.isString() ? value.toString() : value.toVariant().toString());
        return i < 0 ? 0.0 : (i + 0.5) / choices.size();
    }
    const double v = value.toDouble();
    if (high <= low)
        return 0.5;
    const double u = logScale ? (std::log(std::max(v, low)) - std::log(low)) / (std::log(high) - std::log(low))
                              : (v - low) / (high - low);
    return std::clamp(u, 0.0, 1.0);
}

int Dimension::cardinality() const
{
    if (kind == Kind::Categorical)
        return int(choices.size());
    if (kind == Kind::Integer)
        return int(high - low) + 1;
    return 0;
}

QJsonObject Dimension::toJson() const
{
    QJsonObject o{{QStringLiteral("name"), name}, {QStringLiteral("kind"), kindName(kind)}};
    if (kind == Kind::Categorical)
        o.insert(QStringLiteral("choices"), QJsonArray::fromStringList(choices));
    else {
        o.insert(QStringLiteral("low"), low);
        o.insert(QStringLiteral("high"), high);
        o.insert(QStringLiteral("log"), logScale);
    }
    return o;
}

Dimension Dimension::fromJson(const QJsonObject &json)
{
    Dimension d;
    d.name = json.value(QStringLiteral("name")).toString();
    const QString kind = json.value(QStringLiteral("kind")).toString();
    d.kind = kind == QLatin1String("int") ? Kind::Integer : kind == QLatin1String("categorical") ? Kind::Categorical : Kind::Real;
    d.low = json.value(QStringLiteral("low")).toDouble();
    d.high = json.value(QStringLiteral("high")).toDouble();
    d.logScale = json.value(QStringLiteral("log")).toBool();
    for (const QJsonValue &c : json.value(QStringLiteral("choices")).toArray())
        d.choices << c.toString();
    return d;
}

SearchSpace SearchSpace::fromRanges(const ParameterSchema &schema, const QStringList &ranges)
{
    QList<Dimension> dims;
    for (const QString &range : ranges) {
        const qsizetype eq = range.indexOf(QLatin1Char('='));
        if (eq <= 0)
            throw Error(QStringLiteral("range '%1' should look like name=low:high[:log|:int] or name=a,b,c").arg(range));
        Dimension d;
        d.name = range.left(eq).trimmed();
        const QString spec = range.mid(eq + 1).trimmed();
        const Parameter *p = schema.find(d.name);
        if (!p)
            throw Error(QStringLiteral("range '%1': the algorithm has no parameter '%2'").arg(range, d.name));
        for (const Dimension &other : std::as_const(dims))
            if (other.name == d.name)
                throw Error(QStringLiteral("range '%1': '%2' is given twice").arg(range, d.name));
        if (p->type == Parameter::Type::Choice || p->type == Parameter::Type::Bool || p->type == Parameter::Type::String
            || spec.contains(QLatin1Char(','))) {
            d.kind = Dimension::Kind::Categorical;
            d.choices = spec.split(QLatin1Char(','), Qt::SkipEmptyParts);
            for (QString &c : d.choices)
                c = c.trimmed();
            if (d.choices.isEmpty() && p->type == Parameter::Type::Bool)
                d.choices = {QStringLiteral("false"), QStringLiteral("true")};
            if (d.choices.isEmpty() && p->type == Parameter::Type::Choice)
                d.choices = p->choices;
            for (const QString &c : std::as_const(d.choices)) {
                QString error;
                p->parse(c, &error);
                if (!error.isEmpty())
                    throw Error(QStringLiteral("range '%1': %2").arg(range, error));
            }
            if (d.choices.size() < 2)
                throw Error(QStringLiteral("range '%1' needs at least two choices separated by ','").arg(range));
            dims << d;
            continue;
        }
        const QStringList parts = spec.split(QLatin1Char(':'));
        bool okLow = false, okHigh = false;
        if (parts.size() >= 2) {
            d.low = parts.at(0).toDouble(&okLow);
            d.high = parts.at(1).toDouble(&okHigh);
        }
        if (!okLow || !okHigh || parts.size() > 3)
            throw Error(QStringLiteral("range '%1' should look like %2=low:high[:log|:int|:intlog]").arg(range, d.name));
        const QString flags = parts.value(2).toLower();
        if (!flags.isEmpty() && flags != QLatin1String("log") && flags != QLatin1String("int") && flags != QLatin1String("intlog")
            && flags != QLatin1String("linear"))
            throw Error(QStringLiteral("range '%1': '%2' is not log, int, intlog or linear").arg(range, parts.value(2)));
        d.kind = (p->type == Parameter::Type::Int || flags.startsWith(QLatin1String("int"))) ? Dimension::Kind::Integer
                                                                                             : Dimension::Kind::Real;
        d.logScale = flags.endsWith(QLatin1String("log"));
        if (d.low >= d.high)
            throw Error(QStringLiteral("range '%1': low must be below high").arg(range));
        if (d.logScale && d.low <= 0)
            throw Error(QStringLiteral("range '%1': a log scale needs a positive low end").arg(range));
        if ((p->min && d.low < *p->min) || (p->max && d.high > *p->max))
            throw Error(QStringLiteral("range '%1' goes outside what %2 accepts (%3 … %4)")
                            .arg(range, d.name, p->min ? QString::number(*p->min) : QStringLiteral("-∞"),
                                 p->max ? QString::number(*p->max) : QStringLiteral("∞")));
        dims << d;
    }
    if (dims.isEmpty())
        throw Error(QStringLiteral("a tuning job needs at least one --range"));
    return SearchSpace(dims);
}

SearchSpace SearchSpace::fromSchema(const ParameterSchema &schema, const QStringList &names)
{
    QList<Dimension> dims;
    for (const QString &name : names) {
        const Parameter *p = schema.find(name);
        if (!p)
            throw Error(QStringLiteral("the algorithm has no parameter '%1'").arg(name));
        Dimension d;
        d.name = name;
        switch (p->type) {
        case Parameter::Type::Choice:
            d.kind = Dimension::Kind::Categorical;
            d.choices = p->choices;
            break;
        case Parameter::Type::Bool:
            d.kind = Dimension::Kind::Categorical;
            d.choices = {QStringLiteral("false"), QStringLiteral("true")};
            break;
        case Parameter::Type::Int:
        case Parameter::Type::Float:
            if (!p->min || !p->max)
                throw Error(QStringLiteral("%1 has no bounded range: give one with --range").arg(name));
            d.kind = p->type == Parameter::Type::Int ? Dimension::Kind::Integer : Dimension::Kind::Real;
            d.low = *p->min;
            d.high = *p->max;
            d.logScale = p->logScale && d.low > 0;
            break;
        case Parameter::Type::String:
            throw Error(QStringLiteral("%1 is free text and cannot be tuned").arg(name));
        }
        dims << d;
    }
    return SearchSpace(dims);
}

QJsonObject SearchSpace::toParams(const std::vector<double> &unit) const
{
    QJsonObject params;
    for (int i = 0; i < size(); ++i) {
        const Dimension &d = m_dimensions.at(i);
        QJsonValue v = d.fromUnit(unit.at(i));
        if (d.kind == Dimension::Kind::Categorical && (v.toString() == QLatin1String("true") || v.toString() == QLatin1String("false")))
            v = v.toString() == QLatin1String("true");
        params.insert(d.name, v);
    }
    return params;
}

std::vector<double> SearchSpace::toUnit(const QJsonObject &params) const
{
    std::vector<double> unit;
    for (const Dimension &d : m_dimensions) {
        QJsonValue v = params.value(d.name);
        if (v.isBool())
            v = v.toBool() ? QStringLiteral("true") : QStringLiteral("false");
        unit.push_back(d.toUnit(v));
    }
    return unit;
}

std::vector<double> SearchSpace::canonical(const std::vector<double> &unit) const
{
    return toUnit(toParams(unit));
}

QJsonArray SearchSpace::toJson() const
{
    QJsonArray array;
    for (const Dimension &d : m_dimensions)
        array.append(d.toJson());
    return array;
}

SearchSpace SearchSpace::fromJson(const QJsonArray &json)
{
    QList<Dimension> dims;
    for (const QJsonValue &v : json)
        dims << Dimension::fromJson(v.toObject());
    return SearchSpace(dims);
}

} // namespace cairn::tuning
