#include "cairn/algorithms/parameterschema.h"

#include "cairn/util/error.h"

#include <algorithm>
#include <cmath>

namespace cairn {

Parameter Parameter::integer(const QString &name, qint64 def, std::optional<double> min, std::optional<double> max, const QString &help)
{
    Parameter p;
    p.name = name;
    p.type = Type::Int;
    p.defaultValue = double(def);
    p.min = min;
    p.max = max;
    p.help = help;
    return p;
}

Parameter Parameter::real(const QString &name, double def, std::optional<double> min, std::optional<double> max, const QString &help, bool logScale)
{
    Parameter p;
    p.name = name;
    p.type = Type::Float;
    p.defaultValue = def;
    p.min = min;
    p.max = max;
    p.help = help;
    p.logScale = logScale;
    return p;
}

Parameter Parameter::boolean(const QString &name, bool def, const QString &help)
{
    Parameter p;
    p.name = name;
    p.type = Type::Bool;
    p.defaultValue = def;
    p.help = help;
    return p;
}

Parameter Parameter::choice(const QString &name, const QString &def, const QStringList &choices, const QString &help)
{
    Parameter p;
    p.name = name;
    p.type = Type::Choice;
    p.defaultValue = def;
    p.choices = choices;
    p.help = help;
    return p;
}

Parameter Parameter::string(const QString &name, const QString &def, const QString &help)
{
    Parameter p;
    p.name = name;
    p.type = Type::String;
    p.defaultValue = def;
    p.help = help;
    p.tunable = false;
    return p;
}

QString Parameter::typeName(Type type)
{
    switch (type) {
    case Type::Int: return QStringLiteral("int");
    case Type::Float: return QStringLiteral("float");
    case Type::Bool: return QStringLiteral("bool");
    case Type::Choice: return QStringLiteral("choice");
    case Type::String: return QStringLiteral("string");
    }
    return {};
}

QJsonObject Parameter::toJson() const
{
    QJsonObject o{{QStringLiteral("name"), name}, {QStringLiteral("type"), typeName(type)},
                  {QStringLiteral("default"), defaultValue}, {QStringLiteral("help"), help},
                  {QStringLiteral("logScale"), logScale}, {QStringLiteral("tunable"), tunable}};
    if (min)
        o.insert(QStringLiteral("min"), *min);
    if (max)
        o.insert(QStringLiteral("max"), *max);
    if (!choices.isEmpty())
        o.insert(QStringLiteral("choices"), QJsonArray::fromStringList(choices));
    return o;
}

Parameter Parameter::fromJson(const QJsonObject &json)
{
    Parameter p;
    p.name = json.value(QStringLiteral("name")).toString();
    const QString t = json.value(QStringLiteral("type")).toString();
    bool known = false;
    for (Type type : {Type::Int, Type::Float, Type::Bool, Type::Choice, Type::String})
        if (typeName(type) == t) {
            p.type = type;
            known = true;
        }
    if (p.name.isEmpty() || !known)
        throw Error(QStringLiteral("a parameter description needs a name and a type (int, float, bool, choice, string)"));
    p.defaultValue = json.value(QStringLiteral("default"));
    if (json.contains(QStringLiteral("min")))
        p.min = json.value(QStringLiteral("min")).toDouble();
    if (json.contains(QStringLiteral("max")))
        p.max = json.value(QStringLiteral("max")).toDouble();
    p.logScale = json.value(QStringLiteral("logScale")).toBool();
    p.tunable = json.value(QStringLiteral("tunable")).toBool(true);
    p.help = json.value(QStringLiteral("help")).toString();
    for (const QJsonValue &c : json.value(QStringLiteral("choices")).toArray())
        p.choices << c.toString();
    return p;
}

QString Parameter::check(const QJsonValue &value) const
{
    auto range = [&](double v) -> QString {
        if ((min && v < *min) || (max && v > *max)) {
            const QString lo = min ? QString::number(*min) : QStringLiteral("-∞");
            const QString hi = max ? QString::number(*max) : QStringLiteral("∞");
            return QStringLiteral("%1 must be in [%2, %3], not %4").arg(name, lo, hi, QString::number(v));
        }
        return {};
    };
    switch (type) {
    case Type::Int:
        if (!value.isDouble() || std::floor(value.toDouble()) != value.toDouble())
            return QStringLiteral("%1 must be a whole number").arg(name);
        return range(value.toDouble());
    case Type::Float:
        if (!value.isDouble() || !std::isfinite(value.toDouble()))
            return QStringLiteral("%1 must be a number").arg(name);
        return range(value.toDouble());
    case Type::Bool:
        return value.isBool() ? QString() : QStringLiteral("%1 must be true or false").arg(name);
    case Type::Choice:
        if (!value.isString() || !choices.contains(value.toString()))
            return QStringLiteral("%1 must be one of %2, not '%3'").arg(name, choices.join(QStringLiteral(", ")), value.toVariant().toString());
        return {};
    case Type::String: {
        if (!value.isString())
            return QStringLiteral("%1 must be text").arg(name);
        if (choices.isEmpty())
            return {};
        // A comma-separated list of choices; a choice ending in '@' takes a suffix ("error@0.7").
        QStringList unknown;
        for (const QString &item : value.toString().split(QLatin1Char(','), Qt::SkipEmptyParts)) {
            const QString t = item.trimmed();
            const bool known = std::any_of(choices.begin(), choices.end(), [&](const QString &c) {
                return c.endsWith(QLatin1Char('@')) ? t.startsWith(c) && t.size() > c.size() : c == t;
            });
            if (!known)
                unknown << t;
        }
        if (!unknown.isEmpty())
            return QStringLiteral("%1: unknown value%2 '%3' (use one or more of %4, separated by commas)")
                .arg(name, unknown.size() > 1 ? QStringLiteral("s") : QString(), unknown.join(QStringLiteral("', '")),
                     choices.join(QStringLiteral(", ")));
        return {};
    }
    }
    return {};
}

QJsonValue Parameter::parse(const QString &text, QString *error) const
{
    const QString t = text.trimmed();
    QJsonValue v;
    bool ok = true;
    switch (type) {
    case Type::Int: {
        const double d = t.toDouble(&ok);
        v = d;
        if (ok && std::floor(d) != d)
            ok = false;
        break;
    }
    case Type::Float:
        v = t.toDouble(&ok);
        break;
    case Type::Bool: {
        const QString l = t.toLower();
        if (l == QLatin1String("true") || l == QLatin1String("1") || l == QLatin1String("yes") || l == QLatin1String("on"))
            v = true;
        else if (l == QLatin1String("false") || l == QLatin1String("0") || l == QLatin1String("no") || l == QLatin1String("off"))
            v = false;
        else
            ok = false;
        break;
    }
    case Type::Choice:
    case Type::String:
        v = t;
        break;
    }
    if (!ok) {
        if (error)
            *error = QStringLiteral("%1: '%2' is not a valid %3").arg(name, text,
                                                                       type == Type::Int ? QStringLiteral("whole number")
                                                                       : type == Type::Bool ? QStringLiteral("true/false value")
                                                                                            : QStringLiteral("number"));
        return QJsonValue(QJsonValue::Undefined);
    }
    const QString problem = check(v);
    if (!problem.isEmpty()) {
        if (error)
            *error = problem;
        return QJsonValue(QJsonValue::Undefined);
    }
    return v;
}

const Parameter *ParameterSchema::find(const QString &name) const
{
    for (const Parameter &p : m_parameters)
        if (p.name == name)
            return &p;
    return nullptr;
}

QJsonObject ParameterSchema::resolve(const QJsonObject &given) const
{
    QStringList problems;
    QJsonObject out;
    for (auto it = given.begin(); it != given.end(); ++it) {
        const Parameter *p = find(it.key());
        if (!p) {
            QStringList names;
            for (const Parameter &q : m_parameters)
                names << q.name;
            problems << QStringLiteral("unknown hyperparameter '%1' (known: %2)").arg(it.key(), names.join(QStringLiteral(", ")));
            continue;
        }
        QJsonValue v = it.value();
        // Accept text for any type (a spec written by hand, a form field).
        if (v.isString() && p->type != Parameter::Type::Choice && p->type != Parameter::Type::String) {
            QString error;
            v = p->parse(v.toString(), &error);
            if (v.isUndefined()) {
                problems << error;
                continue;
            }
        }
        const QString problem = p->check(v);
        if (!problem.isEmpty())
            problems << problem;
        else
            out.insert(p->name, v);
    }
    if (!problems.isEmpty())
        throw Error(problems.join(QStringLiteral("; ")));
    for (const Parameter &p : m_parameters)
        if (!out.contains(p.name) && !p.defaultValue.isUndefined() && !p.defaultValue.isNull())
            out.insert(p.name, p.defaultValue);
    return out;
}

QJsonObject ParameterSchema::parseAssignments(const QStringList &assignments) const
{
    QJsonObject out;
    QStringList problems;
    for (const QString &a : assignments) {
        const qsizetype eq = a.indexOf(QLatin1Char('='));
        if (eq <= 0) {
            problems << QStringLiteral("'%1' is not key=value").arg(a);
            continue;
        }
        const QString key = a.left(eq).trimmed();
        const Parameter *p = find(key);
        if (!p) {
            QStringList names;
            for (const Parameter &q : m_parameters)
                names << q.name;
            problems << QStringLiteral("unknown hyperparameter '%1' (known: %2)").arg(key, names.join(QStringLiteral(", ")));
            continue;
        }
        QString error;
        const QJsonValue v = p->parse(a.mid(eq + 1), &error);
        if (v.isUndefined())
            problems << error;
        else
            out.insert(key, v);
    }
    if (!problems.isEmpty())
        throw Error(problems.join(QStringLiteral("; ")));
    return out;
}

QJsonArray ParameterSchema::toJson() const
{
    QJsonArray a;
    for (const Parameter &p : m_parameters)
        a.append(p.toJson());
    return a;
}

ParameterSchema ParameterSchema::fromJson(const QJsonArray &json)
{
    QList<Parameter> ps;
    for (const QJsonValue &v : json)
        ps << Parameter::fromJson(v.toObject());
    return ParameterSchema(ps);
}

} // namespace cairn
