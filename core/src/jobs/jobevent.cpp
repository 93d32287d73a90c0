#include "cairn/jobs/jobevent.h"

#include "cairn/store/types.h"

#include <QJsonDocument>

#include <cmath>
#include <limits>

namespace cairn {

QJsonValue jsonNumber(double value)
{
    if (std::isnan(value))
        return QJsonValue(QJsonValue::Null);
    if (std::isinf(value))
        return value > 0 ? QStringLiteral("Infinity") : QStringLiteral("-Infinity");
    return value;
}

double numberFromJson(const QJsonValue &value)
{
    if (value.isDouble())
        return value.toDouble();
    if (value.isString()) {
        const QString s = value.toString();
        if (s == QLatin1String("Infinity") || s == QLatin1String("inf"))
            return std::numeric_limits<double>::infinity();
        if (s == QLatin1String("-Infinity") || s == QLatin1String("-inf"))
            return -std::numeric_limits<double>::infinity();
    }
    return std::numeric_limits<double>::quiet_NaN();
}

QString JobEvent::typeName(Type type)
{
    switch (type) {
    case Type::Metric: return QStringLiteral("metric");
    case Type::Param: return QStringLiteral("param");
    case Type::Tag: return QStringLiteral("tag");
    case Type::Log: return QStringLiteral("log");
    case Type::Progress: return QStringLiteral("progress");
    case Type::Artifact: return QStringLiteral("artifact");
    case Type::Histogram: return QStringLiteral("histogram");
    case Type::Status: return QStringLiteral("status");
    }
    return {};
}

double JobEvent::value() const
{
    return numberFromJson(data.value(QStringLiteral("value")));
}

std::optional<JobEvent> JobEvent::parse(QByteArrayView line, QString *error)
{
    auto fail = [&](const QString &why) -> std::optional<JobEvent> {
        if (error)
            *error = why;
        return std::nullopt;
    };
    QJsonParseError err;
    const QJsonDocument doc = QJsonDocument::fromJson(line.toByteArray(), &err);
    if (err.error != QJsonParseError::NoError)
        return fail(QStringLiteral("not JSON (%1 at offset %2)").arg(err.errorString()).arg(err.offset));
    if (!doc.isObject())
        return fail(QStringLiteral("not a JSON object"));
    const QJsonObject o = doc.object();
    const QString type = o.value(QStringLiteral("type")).toString();
    JobEvent e;
    bool known = false;
    for (Type t : {Type::Metric, Type::Param, Type::Tag, Type::Log, Type::Progress, Type::Artifact, Type::Histogram, Type::Status})
        if (typeName(t) == type) {
            e.type = t;
            known = true;
        }
    if (!known)
        return fail(type.isEmpty() ? QStringLiteral("no \"type\"") : QStringLiteral("unknown event type '%1'").arg(type));
    e.data = o;
    e.timestamp = o.contains(QStringLiteral("ts")) ? qint64(o.value(QStringLiteral("ts")).toDouble()) : nowMs();
    switch (e.type) {
    case Type::Metric: {
        if (o.value(QStringLiteral("key")).toString().isEmpty())
            return fail(QStringLiteral("metric without \"key\""));
        const QJsonValue v = o.value(QStringLiteral("value"));
        if (!v.isDouble() && !v.isNull() && !v.isString())
            return fail(QStringLiteral("metric '%1' has no numeric \"value\"").arg(e.key()));
        if (v.isString() && !std::isinf(numberFromJson(v)))
            return fail(QStringLiteral("metric '%1' has a text value").arg(e.key()));
        if (!o.value(QStringLiteral("step")).isDouble() && o.contains(QStringLiteral("step")))
            return fail(QStringLiteral("metric '%1' has a step that is not a number").arg(e.key()));
        break;
    }
    case Type::Param:
    case Type::Tag:
        if (o.value(QStringLiteral("key")).toString().isEmpty() || !o.value(QStringLiteral("value")).isString())
            return fail(QStringLiteral("%1 needs a \"key\" and a text \"value\"").arg(type));
        break;
    case Type::Progress:
        if (!o.value(QStringLiteral("fraction")).isDouble())
            return fail(QStringLiteral("progress without a numeric \"fraction\""));
        break;
    case Type::Artifact:
        if (o.value(QStringLiteral("path")).toString().isEmpty())
            return fail(QStringLiteral("artifact without \"path\""));
        break;
    case Type::Status:
        if (o.value(QStringLiteral("status")).toString().isEmpty())
            return fail(QStringLiteral("status without \"status\""));
        break;
    case Type::Histogram:
        if (o.value(QStringLiteral("name")).toString().isEmpty())
            return fail(QStringLiteral("histogram without \"name\""));
        break;
    case Type::Log:
        break;
    }
    return e;
}

QByteArray JobEvent::toLine() const
{
    QJsonObject o = data;
    o.insert(QStringLiteral("type"), typeName(type));
    o.insert(QStringLiteral("ts"), double(timestamp ? timestamp : nowMs()));
    QByteArray line = QJsonDocument(o).toJson(QJsonDocument::Compact);
    line.append('\n');
    return line;
}

JobEvent JobEvent::metric(const QString &key, double value, qint64 step)
{
    JobEvent e;
    e.type = Type::Metric;
    e.timestamp = nowMs();
    e.data = QJsonObject{{QStringLiteral("key"), key}, {QStringLiteral("value"), jsonNumber(value)}, {QStringLiteral("step"), double(step)}};
    return e;
}

JobEvent JobEvent::log(const QString &level, const QString &message)
{
    JobEvent e;
    e.type = Type::Log;
    e.timestamp = nowMs();
    e.data = QJsonObject{{QStringLiteral("level"), level}, {QStringLiteral("message"), message}};
    return e;
}

JobEvent JobEvent::progress(double fraction, const QString &message)
{
    JobEvent e;
    e.type = Type::Progress;
    e.timestamp = nowMs();
    e.data = QJsonObject{{QStringLiteral("fraction"), fraction}, {QStringLiteral("message"), message}};
    return e;
}

JobEvent JobEvent::status(const QString &status, const QString &message)
{
    JobEvent e;
    e.type = Type::Status;
    e.timestamp = nowMs();
    e.data = QJsonObject{{QStringLiteral("status"), status}, {QStringLiteral("message"), message}};
    return e;
}

} // namespace cairn
