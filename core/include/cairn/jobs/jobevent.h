#pragma once

#include <QByteArray>
#include <QByteArrayView>
#include <QJsonObject>
#include <QString>

#include <optional>

namespace cairn {

/// One line of the worker's stdout: a JSON object with "type" and "ts" (ms since the epoch).
///   {"type":"metric","key":"validation.auc","value":0.87,"step":12,"ts":...}   value may be
///        null (NaN) or "Infinity"/"-Infinity"
///   {"type":"param","key":"eta","value":"0.3"}        {"type":"tag","key":"k","value":"v"}
///   {"type":"log","level":"info","message":"..."}
///   {"type":"progress","fraction":0.4,"message":"round 40/100"}
///   {"type":"artifact","path":"model/model.json","kind":"model"}
///   {"type":"histogram","name":"fc1.weight","step":100,"count":..,"min":..,"max":..,"mean":..,
///        "std":..,"nan":0,"inf":0,"edges":[...],"counts":[...]}
///   {"type":"status","status":"running"|"finished"|"stopped"|"failed","message":"..."}
/// Control lines on the worker's stdin use the same shape: {"type":"stop"}.
struct JobEvent
{
    enum class Type { Metric, Param, Tag, Log, Progress, Artifact, Histogram, Status };
    Type type = Type::Log;
    qint64 timestamp = 0;
    QJsonObject data;

    static QString typeName(Type type);

    /// nullopt and *error set for a line that is not a valid event (the caller logs it).
    static std::optional<JobEvent> parse(QByteArrayView line, QString *error = nullptr);
    QByteArray toLine() const;

    // Accessors for the common fields.
    QString key() const { return data.value(QStringLiteral("key")).toString(); }
    double value() const;
    qint64 step() const { return qint64(data.value(QStringLiteral("step")).toDouble()); }
    QString message() const { return data.value(QStringLiteral("message")).toString(); }
    QString status() const { return data.value(QStringLiteral("status")).toString(); }
    double fraction() const { return data.value(QStringLiteral("fraction")).toDouble(); }

    static JobEvent metric(const QString &key, double value, qint64 step);
    static JobEvent log(const QString &level, const QString &message);
    static JobEvent progress(double fraction, const QString &message);
    static JobEvent status(const QString &status, const QString &message = {});
};

/// A JSON number, or null for NaN, or "Infinity"/"-Infinity".
QJsonValue jsonNumber(double value);
double numberFromJson(const QJsonValue &value);

} // namespace cairn
