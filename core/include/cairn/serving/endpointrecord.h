#pragma once

#include <QJsonArray>
#include <QJsonObject>
#include <QList>
#include <QString>

namespace cairn::serving {

/// A running endpoint as `cairn serve` records it in <workspace>/endpoints/<name>.json while it
/// serves: {"name", "pid", "host", "port", "models": [{"name", "version", ...}], "started"}. The
/// model registry reads these files to refuse deleting a version an endpoint serves; `cairn
/// endpoints list` shows the records whose process is alive.
struct EndpointRecord
{
    QString name;
    qint64 pid = 0;
    QString host;
    int port = 0;
    QJsonArray models;
    qint64 started = 0; ///< ms since the epoch
    bool token = false; ///< the endpoint wants a bearer token

    QString url() const;
    bool alive() const;
    QJsonObject toJson() const;
    static EndpointRecord fromJson(const QJsonObject &json);

    /// <workspace>/endpoints
    static QString directory(const QString &workspacePath);
    static QString pathOf(const QString &workspacePath, const QString &name);
    /// Endpoint names: letters, digits, '.', '_' and '-' (they name files).
    static bool isValidName(const QString &name);
    /// Records sorted by name; with `aliveOnly` those whose process still runs.
    static QList<EndpointRecord> list(const QString &workspacePath, bool aliveOnly = true);
    /// The live record of that name; throws cairn::Error naming the live endpoints.
    static EndpointRecord find(const QString &workspacePath, const QString &name);
    /// Writes the record atomically; throws cairn::Error.
    void write(const QString &workspacePath) const;
    /// Removes the record file (when it still is this process's).
    void remove(const QString &workspacePath) const;
};

} // namespace cairn::serving
