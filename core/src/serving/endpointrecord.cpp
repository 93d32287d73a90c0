#include "cairn/serving/endpointrecord.h"

#include "cairn/util/error.h"

#include <QDir>
#include <QFile>
#include <QJsonDocument>
#include <QRegularExpression>
#include <QSaveFile>

#include <cerrno>
#include <csignal>

namespace cairn::serving {

QString EndpointRecord::url() const
{
    const QString h = host.contains(QLatin1Char(':')) ? QStringLiteral("[%1]").arg(host) : host;
    return QStringLiteral("http://%1:%2").arg(h == QLatin1String("0.0.0.0") ? QStringLiteral("127.0.0.1") : h).arg(port);
}

bool EndpointRecord::alive() const
{
    // Signal 0 probes: EPERM still means the process exists (another user's).
    if (pid <= 0 || (::kill(pid_t(pid), 0) != 0 && errno != EPERM))
        return false;
    // A process that has exited but was not reaped yet (a zombie) serves nothing.
    QFile stat(QStringLiteral("/proc/%1/stat").arg(pid));
    if (stat.open(QIODevice::ReadOnly)) {
        const QByteArray line = stat.readAll();
        const qsizetype paren = line.lastIndexOf(')');
        if (paren > 0 && paren + 2 < line.size() && line.at(paren + 2) == 'Z')
            return false;
    }
    return true;
}

QJsonObject EndpointRecord::toJson() const
{
    return QJsonObject{{QStringLiteral("name"), name},   {QStringLiteral("pid"), pid},       {QStringLiteral("host"), host},
                       {QStringLiteral("port"), port},   {QStringLiteral("models"), models}, {QStringLiteral("started"), started},
                       {QStringLiteral("url"), url()},   {QStringLiteral("token"), token}};
}

EndpointRecord EndpointRecord::fromJson(const QJsonObject &o)
{
    EndpointRecord r;
    r.name = o.value(QStringLiteral("name")).toString();
    r.pid = o.value(QStringLiteral("pid")).toInteger();
    r.host = o.value(QStringLiteral("host")).toString();
    r.port = o.value(QStringLiteral("port")).toInt();
    r.models = o.value(QStringLiteral("models")).toArray();
    r.started = o.value(QStringLiteral("started")).toInteger();
    r.token = o.value(QStringLiteral("token")).toBool();
    return r;
}

QString EndpointRecord::directory(const QString &workspacePath)
{
    return QDir(workspacePath).filePath(QStringLiteral("endpoints"));
}

QString EndpointRecord::pathOf(const QString &workspacePath, const QString &name)
{
    return QDir(directory(workspacePath)).filePath(name + QStringLiteral(".json"));
}

bool EndpointRecord::isValidName(const QString &name)
{
    static const QRegularExpression re(QStringLiteral("^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$"));
    return re.match(name).hasMatch();
}

QList<EndpointRecord> EndpointRecord::list(const QString &workspacePath, bool aliveOnly)
{
    QList<EndpointRecord> out;
    const QDir dir(directory(workspacePath));
    for (const QString &file : dir.entryList({QStringLiteral("*.json")}, QDir::Files, QDir::Name)) {
        QFile f(dir.filePath(file));
        if (!f.open(QIODevice::ReadOnly))
            continue;
        EndpointRecord r = fromJson(QJsonDocument::fromJson(f.readAll()).object());
        if (r.name.isEmpty())
            r.name = QFileInfo(file).completeBaseName();
        if (!aliveOnly || r.alive())
            out << r;
    }
    return out;
}

EndpointRecord EndpointRecord::find(const QString &workspacePath, const QString &name)
{
    QStringList names;
    for (const EndpointRecord &r : list(workspacePath)) {
        if (r.name == name)
            return r;
        names << r.name;
    }
    throw Error(QStringLiteral("no running endpoint named '%1' (%2)")
                    .arg(name, names.isEmpty() ? QStringLiteral("none is running") : QStringLiteral("running: ") + names.join(QStringLiteral(", "))));
}

void EndpointRecord::write(const QString &workspacePath) const
{
    QDir().mkpath(directory(workspacePath));
    QSaveFile f(pathOf(workspacePath, name));
    const QByteArray json = QJsonDocument(toJson()).toJson();
    if (!f.open(QIODevice::WriteOnly) || f.write(json) != json.size() || !f.commit())
        throw Error(QStringLiteral("cannot write %1: %2").arg(f.fileName(), f.errorString()));
}

void EndpointRecord::remove(const QString &workspacePath) const
{
    const QString path = pathOf(workspacePath, name);
    QFile f(path);
    if (f.open(QIODevice::ReadOnly)) {
        const EndpointRecord onDisk = fromJson(QJsonDocument::fromJson(f.readAll()).object());
        f.close();
        if (onDisk.pid != pid)
            return; // another process took the name since
    }
    QFile::remove(path);
}

} // namespace cairn::serving
