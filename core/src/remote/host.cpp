#include "cairn/remote/host.h"

#include "cairn/util/error.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QRegularExpression>
#include <QSaveFile>
#include <QStandardPaths>

#include <algorithm>

#include <functional>

namespace cairn::remote {

namespace {

/// What may reach ssh's command line as a hostname or user: no option-like start, no shell or
/// ssh-config syntax. Names of hosts (what the user calls them) are free text.
bool safeToken(const QString &s)
{
    static const QRegularExpression ok(QStringLiteral("^[A-Za-z0-9_.:%\\[\\]-]+$"));
    return !s.isEmpty() && !s.startsWith(QLatin1Char('-')) && ok.match(s).hasMatch();
}

QString expandHome(const QString &path)
{
    if (path == QLatin1String("~"))
        return QDir::homePath();
    if (path.startsWith(QLatin1String("~/")))
        return QDir::homePath() + path.mid(1);
    return path;
}

} // namespace

QString Host::address() const
{
    if (isLocal())
        return QStringLiteral("this machine");
    if (isSlurm() && hostname.isEmpty())
        return QStringLiteral("Slurm on this machine");
    QString a = user.isEmpty() ? hostname : user + QLatin1Char('@') + hostname;
    if (port > 0)
        a += QLatin1Char(':') + QString::number(port);
    return a;
}

void Host::validate() const
{
    if (name.trimmed().isEmpty())
        throw Error(QStringLiteral("a host needs a name"));
    if (isLocal())
        return;
    if (name == QLatin1String(kLocalName))
        throw Error(QStringLiteral("the name 'local' is taken by this machine"));
    if (!(isSlurm() && hostname.isEmpty()) && !safeToken(hostname))
        throw Error(QStringLiteral("host '%1': '%2' is not a host name or address ssh can be given safely "
                                   "(letters, digits, '.', '-', ':' and '_' only, not starting with '-')").arg(name, hostname));
    if (!user.isEmpty() && !safeToken(user))
        throw Error(QStringLiteral("host '%1': the user name '%2' holds characters ssh cannot be given safely").arg(name, user));
    if (port < 0 || port > 65535)
        throw Error(QStringLiteral("host '%1': port %2 is not between 1 and 65535").arg(name).arg(port));
    if (jobLimit < 1)
        throw Error(QStringLiteral("host '%1': the job limit must be at least 1").arg(name));
    if (pricePerHour < 0 || pricePerGpuHour < 0)
        throw Error(QStringLiteral("host '%1': a price cannot be negative").arg(name));
    if (workDir.trimmed().isEmpty())
        throw Error(QStringLiteral("host '%1' needs a remote work folder").arg(name));
    if (cairnCommand.trimmed().isEmpty())
        throw Error(QStringLiteral("host '%1' needs the remote cairn command").arg(name));
}

QJsonObject Host::toJson() const
{
    QJsonObject o{{QStringLiteral("name"), name},
                  {QStringLiteral("kind"), isLocal() ? QStringLiteral("local") : isSlurm() ? QStringLiteral("slurm") : QStringLiteral("ssh")}};
    auto put = [&o](const char *key, const QString &v) {
        if (!v.isEmpty())
            o.insert(QLatin1String(key), v);
    };
    put("user", user);
    put("hostname", hostname);
    if (port > 0)
        o.insert(QStringLiteral("port"), port);
    put("identityFile", identityFile);
    put("sshConfigFile", sshConfigFile);
    put("knownHostsFile", knownHostsFile);
    put("workDir", workDir);
    put("cairnCommand", cairnCommand);
    put("startCommand", startCommand);
    put("stopCommand", stopCommand);
    o.insert(QStringLiteral("pricePerHour"), pricePerHour);
    o.insert(QStringLiteral("pricePerGpuHour"), pricePerGpuHour);
    o.insert(QStringLiteral("idleTimeoutMinutes"), idleTimeoutMinutes);
    o.insert(QStringLiteral("jobLimit"), jobLimit);
    put("source", source);
    return o;
}

Host Host::fromJson(const QJsonObject &o)
{
    Host h;
    h.name = o.value(QStringLiteral("name")).toString();
    const QString kind = o.value(QStringLiteral("kind")).toString();
    h.kind = kind == QLatin1String("local") ? Kind::Local : kind == QLatin1String("slurm") ? Kind::Slurm : Kind::Ssh;
    h.user = o.value(QStringLiteral("user")).toString();
    h.hostname = o.value(QStringLiteral("hostname")).toString();
    h.port = o.value(QStringLiteral("port")).toInt();
    h.identityFile = o.value(QStringLiteral("identityFile")).toString();
    h.sshConfigFile = o.value(QStringLiteral("sshConfigFile")).toString();
    h.knownHostsFile = o.value(QStringLiteral("knownHostsFile")).toString();
    h.workDir = o.value(QStringLiteral("workDir")).toString(h.workDir);
    h.cairnCommand = o.value(QStringLiteral("cairnCommand")).toString(h.cairnCommand);
    h.startCommand = o.value(QStringLiteral("startCommand")).toString();
    h.stopCommand = o.value(QStringLiteral("stopCommand")).toString();
    h.pricePerHour = o.value(QStringLiteral("pricePerHour")).toDouble();
    h.pricePerGpuHour = o.value(QStringLiteral("pricePerGpuHour")).toDouble();
    h.idleTimeoutMinutes = o.value(QStringLiteral("idleTimeoutMinutes")).toInt();
    h.jobLimit = std::max(1, o.value(QStringLiteral("jobLimit")).toInt(1));
    h.source = o.value(QStringLiteral("source")).toString(QStringLiteral("manual"));
    return h;
}

Host Host::local()
{
    Host h;
    h.name = QLatin1String(kLocalName);
    h.kind = Kind::Local;
    h.workDir.clear();
    h.cairnCommand.clear();
    h.jobLimit = 0; // the job manager's own limit applies
    h.source = QStringLiteral("builtin");
    return h;
}

// ---- HostStore -------------------------------------------------------------------------------

QString HostStore::defaultPath()
{
    const QString env = qEnvironmentVariable("CAIRN_HOSTS_FILE");
    if (!env.isEmpty())
        return env;
    return QDir(QStandardPaths::writableLocation(QStandardPaths::GenericConfigLocation)).filePath(QStringLiteral("cairn/hosts.json"));
}

HostStore::HostStore(QString path) : m_path(std::move(path))
{
    m_sshConfig = qEnvironmentVariable("CAIRN_SSH_CONFIG", QDir::home().filePath(QStringLiteral(".ssh/config")));
}

QList<Host> HostStore::load() const
{
    QFile f(m_path);
    if (!f.exists())
        return {};
    if (!f.open(QIODevice::ReadOnly))
        throw Error(QStringLiteral("cannot read the hosts file %1: %2").arg(m_path, f.errorString()));
    QJsonParseError pe;
    const QJsonDocument doc = QJsonDocument::fromJson(f.readAll(), &pe);
    if (pe.error != QJsonParseError::NoError)
        throw Error(QStringLiteral("%1: not valid JSON at byte %2 (%3); fix or remove the file").arg(m_path).arg(pe.offset).arg(pe.errorString()));
    QList<Host> out;
    for (const QJsonValue &v : doc.object().value(QStringLiteral("hosts")).toArray()) {
        Host h = Host::fromJson(v.toObject());
        if (!h.isLocal() && !h.name.isEmpty())
            out << h;
    }
    return out;
}

void HostStore::save(const QList<Host> &hosts) const
{
    QDir().mkpath(QFileInfo(m_path).absolutePath());
    QJsonArray a;
    for (const Host &h : hosts)
        a.append(h.toJson());
    QSaveFile f(m_path);
    if (!f.open(QIODevice::WriteOnly))
        throw Error(QStringLiteral("cannot write the hosts file %1: %2").arg(m_path, f.errorString()));
    f.write(QJsonDocument(QJsonObject{{QStringLiteral("version"), 1}, {QStringLiteral("hosts"), a}}).toJson());
    if (!f.commit())
        throw Error(QStringLiteral("cannot write the hosts file %1: %2").arg(m_path, f.errorString()));
}

QList<Host> HostStore::hosts() const
{
    QList<Host> all = QList<Host>{Host::local()} + load();
    if (!m_sshConfig.isEmpty() && QFileInfo::exists(expandHome(m_sshConfig))) {
        for (const Host &h : readSshConfig(m_sshConfig)) {
            const bool shadowed = std::any_of(all.cbegin(), all.cend(), [&](const Host &x) { return x.name == h.name; });
            if (!shadowed)
                all << h;
        }
    }
    return all;
}

std::optional<Host> HostStore::find(const QString &name) const
{
    for (const Host &h : hosts())
        if (h.name == name)
            return h;
    return std::nullopt;
}

Host HostStore::host(const QString &name) const
{
    if (auto h = find(name))
        return *h;
    QStringList names;
    for (const Host &h : hosts())
        names << h.name;
    throw Error(QStringLiteral("no host named '%1' (known: %2; add one with cairn hosts add)").arg(name, names.join(QStringLiteral(", "))));
}

void HostStore::add(const Host &host)
{
    host.validate();
    if (host.isLocal())
        throw Error(QStringLiteral("'local' is always there and cannot be added"));
    QList<Host> all = load();
    for (const Host &h : all)
        if (h.name == host.name)
            throw Error(QStringLiteral("a host named '%1' exists already (remove it first, or pick another name)").arg(host.name));
    all << host;
    save(all);
}

void HostStore::update(const Host &host)
{
    host.validate();
    QList<Host> all = load();
    for (Host &h : all) {
        if (h.name == host.name) {
            h = host;
            save(all);
            return;
        }
    }
    if (host.isLocal() || !find(host.name))
        throw Error(QStringLiteral("no host named '%1'").arg(host.name));
    all << host; // an ssh-config entry, saved with the user's settings from now on
    save(all);
}

void HostStore::remove(const QString &name)
{
    if (name == QLatin1String(Host::kLocalName))
        throw Error(QStringLiteral("'local' is this machine and cannot be removed"));
    QList<Host> all = load();
    const auto n = all.removeIf([&](const Host &h) { return h.name == name; });
    if (n == 0)
        throw Error(QStringLiteral("no host named '%1'").arg(name));
    save(all);
}

QList<Host> HostStore::readSshConfig(const QString &file)
{
    const QString path = file.isEmpty() ? QDir::home().filePath(QStringLiteral(".ssh/config")) : expandHome(file);
    QList<Host> out;
    QStringList seen;
    std::function<void(const QString &, int)> read = [&](const QString &p, int depth) {
        QFile f(p);
        if (depth > 8 || !f.open(QIODevice::ReadOnly | QIODevice::Text))
            return;
        while (!f.atEnd()) {
            const QString line = QString::fromUtf8(f.readLine()).trimmed();
            if (line.isEmpty() || line.startsWith(QLatin1Char('#')))
                continue;
            // "Key value", "Key=value" or "Key = value"; keys are case-insensitive.
            static const QRegularExpression split(QStringLiteral("^(\\S+?)\\s*(?:=\\s*|\\s+)(.*)$"));
            const auto m = split.match(line);
            if (!m.hasMatch())
                continue;
            const QString key = m.captured(1).toLower();
            QString value = m.captured(2).trimmed();
            if (value.size() >= 2 && value.startsWith(QLatin1Char('"')) && value.endsWith(QLatin1Char('"')))
                value = value.mid(1, value.size() - 2);
            if (key == QLatin1String("include")) {
                for (const QString &pattern : value.split(QLatin1Char(' '), Qt::SkipEmptyParts)) {
                    QString inc = expandHome(pattern);
                    if (QFileInfo(inc).isRelative())
                        inc = QDir::home().filePath(QStringLiteral(".ssh/") + inc);
                    const QFileInfo fi(inc);
                    for (const QString &name : QDir(fi.absolutePath()).entryList({fi.fileName()}, QDir::Files, QDir::Name))
                        read(QDir(fi.absolutePath()).filePath(name), depth + 1);
                }
                continue;
            }
            if (key == QLatin1String("host")) {
                for (const QString &alias : value.split(QRegularExpression(QStringLiteral("\\s+")), Qt::SkipEmptyParts)) {
                    if (alias.contains(QLatin1Char('*')) || alias.contains(QLatin1Char('?')) || alias.startsWith(QLatin1Char('!')) || seen.contains(alias))
                        continue;
                    seen << alias;
                    Host h;
                    h.name = alias;
                    h.hostname = alias;
                    h.source = QStringLiteral("ssh-config");
                    if (path != QDir::home().filePath(QStringLiteral(".ssh/config")))
                        h.sshConfigFile = path;
                    out << h;
                }
                continue;
            }
        }
    };
    read(path, 0);
    return out;
}

} // namespace cairn::remote
