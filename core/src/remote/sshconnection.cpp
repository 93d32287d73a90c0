#include "cairn/remote/sshconnection.h"

#include "cairn/remote/hostagent.h"

#include <QCryptographicHash>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QProcess>
#include <QRegularExpression>

#include <cerrno>
#include <cstring>

#include <sys/stat.h>
#include <unistd.h>

namespace cairn::remote {

namespace {

/// rsync splits its -e command itself: single quotes group, a doubled quote is a literal one.
QString rsyncQuote(const QString &s)
{
    QString q = s;
    q.replace(QLatin1Char('\''), QStringLiteral("''"));
    return QLatin1Char('\'') + q + QLatin1Char('\'');
}

QString lastLines(const QByteArray &text, int n = 3)
{
    QStringList lines;
    for (const QByteArray &l : text.split('\n')) {
        const QString t = QString::fromUtf8(l).trimmed();
        // ssh's own chatter about the control socket says nothing about the failure.
        if (!t.isEmpty() && !t.startsWith(QLatin1String("Warning: Permanently added")))
            lines << t;
    }
    return lines.mid(std::max<qsizetype>(0, lines.size() - n)).join(QLatin1Char(' '));
}

struct Ran
{
    bool started = false;
    bool timedOut = false;
    int exitCode = -1;
    QByteArray out, err;
};

Ran runProcess(const QString &program, const QStringList &args, int timeoutMs, const QByteArray &input = {})
{
    Ran r;
    QProcess p;
    p.start(program, args);
    if (!p.waitForStarted(10000)) {
        r.err = p.errorString().toUtf8();
        return r;
    }
    r.started = true;
    if (!input.isEmpty())
        p.write(input);
    p.closeWriteChannel();
    if (!p.waitForFinished(timeoutMs)) {
        r.timedOut = true;
        p.kill();
        p.waitForFinished(2000);
    }
    r.out = p.readAllStandardOutput();
    r.err = p.readAllStandardError();
    r.exitCode = p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1;
    return r;
}

/// ssh's %C names the destination only: a connection made with another key, config or
/// known_hosts file must not be reused by this host (a wrong key would seem to work).
QString settingsKey(const Host &h)
{
    const QByteArray all = QStringList{h.identityFile, h.sshConfigFile, h.knownHostsFile, h.user, QString::number(h.port)}.join(QChar(0)).toUtf8();
    return QString::fromLatin1(QCryptographicHash::hash(all, QCryptographicHash::Sha1).toHex().left(12));
}

} // namespace

QString shellQuote(const QString &argument)
{
    if (!argument.isEmpty()) {
        static const QRegularExpression plain(QStringLiteral("^[A-Za-z0-9_./=:,@%+-]+$"));
        if (plain.match(argument).hasMatch())
            return argument;
    }
    QString q = argument;
    q.replace(QLatin1Char('\''), QStringLiteral("'\\''"));
    return QLatin1Char('\'') + q + QLatin1Char('\'');
}

QString shellJoin(const QStringList &argv)
{
    QStringList quoted;
    quoted.reserve(argv.size());
    for (const QString &a : argv)
        quoted << shellQuote(a);
    return quoted.join(QLatin1Char(' '));
}

QString SshError::reasonName(Reason reason)
{
    switch (reason) {
    case Reason::Dns: return QStringLiteral("dns");
    case Reason::Refused: return QStringLiteral("refused");
    case Reason::Timeout: return QStringLiteral("timeout");
    case Reason::Unreachable: return QStringLiteral("unreachable");
    case Reason::Auth: return QStringLiteral("auth");
    case Reason::UnknownHostKey: return QStringLiteral("unknown-host-key");
    case Reason::ChangedHostKey: return QStringLiteral("changed-host-key");
    case Reason::Other: break;
    }
    return QStringLiteral("other");
}

SshConnection::SshConnection(Host host) : m_host(std::move(host)) {}

QString SshConnection::program()
{
    return QStringLiteral("ssh");
}

QString SshConnection::controlDir()
{
    const QString dir = QStringLiteral("/tmp/cairn-ssh-%1").arg(::getuid());
    // Kept short: a Unix socket path must fit in 108 bytes, and %C adds 40.
    if (::mkdir(QFile::encodeName(dir).constData(), 0700) != 0 && errno != EEXIST)
        throw Error(QStringLiteral("cannot create %1 for the SSH connections: %2").arg(dir, QString::fromLocal8Bit(strerror(errno))));
    struct stat st = {};
    if (::lstat(QFile::encodeName(dir).constData(), &st) != 0 || !S_ISDIR(st.st_mode) || st.st_uid != ::getuid())
        throw Error(QStringLiteral("%1 is not a folder of yours; remove it so that SSH connections can be shared safely").arg(dir));
    if ((st.st_mode & 077) != 0)
        ::chmod(QFile::encodeName(dir).constData(), 0700);
    return dir;
}

QStringList SshConnection::commonOptions() const
{
    QStringList o;
    if (!m_host.sshConfigFile.isEmpty())
        o << QStringLiteral("-F") << m_host.sshConfigFile;
    o << QStringLiteral("-o") << QStringLiteral("BatchMode=yes")
      << QStringLiteral("-o") << QStringLiteral("ConnectTimeout=8")
      << QStringLiteral("-o") << QStringLiteral("ServerAliveInterval=5")
      << QStringLiteral("-o") << QStringLiteral("ServerAliveCountMax=3")
      << QStringLiteral("-o") << QStringLiteral("StrictHostKeyChecking=yes")
      << QStringLiteral("-o") << QStringLiteral("ControlMaster=auto")
      // 10 minutes: a new connection costs 0.3-0.7 s more per job (key exchange, login) than one
      // through the master, and jobs a few minutes apart should not pay it each time.
      << QStringLiteral("-o") << QStringLiteral("ControlPersist=600")
      << QStringLiteral("-o") << QStringLiteral("ControlPath=%1/%C-%2").arg(controlDir(), settingsKey(m_host))
      // A forward to the host's agent (see RemoteScript) binds over the socket file a master
      // that ended left behind.
      << QStringLiteral("-o") << QStringLiteral("StreamLocalBindUnlink=yes");
    if (!m_host.knownHostsFile.isEmpty())
        o << QStringLiteral("-o") << QStringLiteral("UserKnownHostsFile=%1").arg(m_host.knownHostsFile);
    if (!m_host.identityFile.isEmpty())
        o << QStringLiteral("-i") << m_host.identityFile << QStringLiteral("-o") << QStringLiteral("IdentitiesOnly=yes");
    if (m_host.port > 0)
        o << QStringLiteral("-p") << QString::number(m_host.port);
    if (!m_host.user.isEmpty())
        o << QStringLiteral("-l") << m_host.user;
    return o;
}

QStringList SshConnection::sshArguments() const
{
    m_host.validate();
    return commonOptions() << QStringLiteral("-T") << QStringLiteral("--") << m_host.hostname;
}

QStringList SshConnection::commandArguments(const QStringList &remoteArgv) const
{
    return sshArguments() << shellJoin(remoteArgv);
}

QStringList SshConnection::scriptArguments(const QString &script, const QStringList &args) const
{
    return commandArguments(QStringList{QStringLiteral("sh"), QStringLiteral("-c"), script, QStringLiteral("sh")} + args);
}

QString SshConnection::rsyncShell() const
{
    m_host.validate();
    QStringList parts{QStringLiteral("ssh")};
    for (const QString &o : commonOptions())
        parts << rsyncQuote(o);
    parts << QStringLiteral("-T");
    return parts.join(QLatin1Char(' '));
}

QString SshConnection::rsyncPath(const QString &remotePath) const
{
    const QString h = m_host.hostname.contains(QLatin1Char(':')) && !m_host.hostname.startsWith(QLatin1Char('['))
        ? QStringLiteral("[%1]").arg(m_host.hostname) : m_host.hostname;
    return h + QLatin1Char(':') + remotePath;
}

SshConnection::Result SshConnection::run(const QStringList &remoteArgv, int timeoutMs) const
{
    const Ran r = runProcess(program(), commandArguments(remoteArgv), timeoutMs);
    if (!r.started)
        throw Error(QStringLiteral("cannot run ssh (is openssh-client installed?): %1").arg(QString::fromUtf8(r.err)));
    if (r.timedOut)
        throw SshError(SshError::Reason::Timeout, QStringLiteral("host '%1' (%2) did not finish within %3 s").arg(m_host.name, m_host.address()).arg(timeoutMs / 1000));
    if (r.exitCode == 255)
        throw explain(r.err);
    return {r.exitCode, r.out, r.err};
}

SshConnection::Result SshConnection::runScript(const QString &script, const QStringList &args, int timeoutMs) const
{
    // Through the host's agent when one answers (no login shell on the host; see HostAgent).
    const AgentRun a = runOnAgent(m_host, script, args, timeoutMs);
    if (a.timedOut)
        throw SshError(SshError::Reason::Timeout, QStringLiteral("host '%1' (%2) did not finish within %3 s").arg(m_host.name, m_host.address()).arg(timeoutMs / 1000));
    if (a.lost)
        throw SshError(SshError::Reason::Other, QStringLiteral("the connection to the agent on host '%1' was lost").arg(m_host.name));
    if (a.used)
        return {a.exitCode, a.out, a.err};
    return run(QStringList{QStringLiteral("sh"), QStringLiteral("-c"), script, QStringLiteral("sh")} + args, timeoutMs);
}

namespace {
void runRsync(const SshConnection &c, const QStringList &args, const QString &what)
{
    QStringList all{QStringLiteral("--protect-args"), QStringLiteral("-rlt"), QStringLiteral("--partial"),
                    QStringLiteral("-e"), c.rsyncShell()};
    all += args;
    const Ran r = runProcess(QStringLiteral("rsync"), all, 24 * 3600 * 1000);
    if (!r.started)
        throw Error(QStringLiteral("cannot run rsync (install the rsync package): %1").arg(QString::fromUtf8(r.err)));
    if (r.exitCode == 0)
        return;
    if (r.err.contains("rsync: command not found") || r.err.contains("rsync: not found"))
        throw Error(QStringLiteral("rsync is not installed on host '%1': install it there (Debian/Ubuntu: sudo apt install rsync)").arg(c.host().name));
    if (r.exitCode == 255 || r.err.contains("connection unexpectedly closed"))
        throw c.explain(r.err);
    throw Error(QStringLiteral("%1 with host '%2' failed (rsync exit %3): %4").arg(what, c.host().name).arg(r.exitCode).arg(lastLines(r.err)));
}
} // namespace

void SshConnection::upload(const QStringList &localSources, const QString &remoteTarget) const
{
    runRsync(*this, QStringList(localSources) << rsyncPath(remoteTarget), QStringLiteral("sending files"));
}

void SshConnection::download(const QString &remoteSource, const QString &localTarget) const
{
    QDir().mkpath(localTarget);
    runRsync(*this, {rsyncPath(remoteSource), localTarget}, QStringLiteral("fetching files"));
}

void SshConnection::closeMaster() const
{
    runProcess(program(), commonOptions() << QStringLiteral("-O") << QStringLiteral("exit") << QStringLiteral("--") << m_host.hostname, 5000);
}

QStringList SshConnection::controlArguments(const QString &operation, const QStringList &options) const
{
    m_host.validate();
    return commonOptions() << options << QStringLiteral("-O") << operation << QStringLiteral("--") << m_host.hostname;
}

QString SshConnection::resolvedValue(const QString &key) const
{
    const Ran r = runProcess(program(), commonOptions() << QStringLiteral("-G") << QStringLiteral("--") << m_host.hostname, 10000);
    for (const QByteArray &line : r.out.split('\n')) {
        const qsizetype sp = line.indexOf(' ');
        if (sp > 0 && QString::fromUtf8(line.left(sp)) == key)
            return QString::fromUtf8(line.mid(sp + 1)).trimmed();
    }
    return {};
}

QString SshConnection::knownHostsFile() const
{
    if (!m_host.knownHostsFile.isEmpty())
        return m_host.knownHostsFile;
    QString first = resolvedValue(QStringLiteral("userknownhostsfile")).section(QLatin1Char(' '), 0, 0);
    if (first.startsWith(QLatin1String("~/")))
        first = QDir::homePath() + first.mid(1);
    return first.isEmpty() ? QDir::home().filePath(QStringLiteral(".ssh/known_hosts")) : first;
}

SshConnection::HostKey SshConnection::scanHostKey() const
{
    m_host.validate();
    QString hostname = resolvedValue(QStringLiteral("hostname"));
    QString port = resolvedValue(QStringLiteral("port"));
    if (hostname.isEmpty())
        hostname = m_host.hostname;
    if (port.isEmpty())
        port = m_host.port > 0 ? QString::number(m_host.port) : QStringLiteral("22");
    const Ran scan = runProcess(QStringLiteral("ssh-keyscan"), {QStringLiteral("-T"), QStringLiteral("8"), QStringLiteral("-p"), port, QStringLiteral("--"), hostname}, 20000);
    HostKey key;
    for (const QByteArray &l : scan.out.split('\n')) {
        const QString line = QString::fromUtf8(l).trimmed();
        if (!line.isEmpty() && !line.startsWith(QLatin1Char('#')))
            key.knownHostsLines << line;
    }
    if (key.knownHostsLines.isEmpty())
        throw Error(QStringLiteral("host '%1' (%2 port %3) did not present a host key: %4").arg(m_host.name, hostname, port, lastLines(scan.err)));
    const Ran fp = runProcess(QStringLiteral("ssh-keygen"), {QStringLiteral("-l"), QStringLiteral("-f"), QStringLiteral("-")}, 10000,
                              (key.knownHostsLines.join(QLatin1Char('\n')) + QLatin1Char('\n')).toUtf8());
    for (const QByteArray &l : fp.out.split('\n')) {
        // "256 SHA256:abc... [127.0.0.1]:2222 (ED25519)"
        const QStringList parts = QString::fromUtf8(l).split(QLatin1Char(' '), Qt::SkipEmptyParts);
        if (parts.size() >= 2)
            key.fingerprints << QStringLiteral("%1 %2").arg(parts.at(1), parts.last());
    }
    return key;
}

SshConnection::HostKey SshConnection::acceptHostKey(const QString &expectedFingerprint) const
{
    const HostKey key = scanHostKey();
    if (!expectedFingerprint.isEmpty()) {
        bool match = false;
        for (const QString &f : key.fingerprints)
            match = match || f.section(QLatin1Char(' '), 0, 0) == expectedFingerprint.section(QLatin1Char(' '), 0, 0);
        if (!match)
            throw SshError(SshError::Reason::ChangedHostKey,
                           QStringLiteral("host '%1' now presents a key with fingerprint %2, not the %3 you accepted; nothing was recorded")
                               .arg(m_host.name, key.fingerprints.join(QStringLiteral(", ")), expectedFingerprint));
    }
    const QString file = knownHostsFile();
    // A recorded key that differs stays refused: accepting is for new hosts only.
    const QString hostField = key.knownHostsLines.first().section(QLatin1Char(' '), 0, 0);
    const Ran known = runProcess(QStringLiteral("ssh-keygen"), {QStringLiteral("-F"), hostField, QStringLiteral("-f"), file}, 10000);
    if (known.exitCode == 0 && !known.out.trimmed().isEmpty()) {
        for (const QString &line : key.knownHostsLines)
            if (known.out.contains(line.section(QLatin1Char(' '), 2, 2).toUtf8()))
                return key; // already known and the same
        throw SshError(SshError::Reason::ChangedHostKey,
                       QStringLiteral("%1 already holds a different key for host '%2': it is not replaced. If the machine was "
                                      "reinstalled, remove the old key (ssh-keygen -R '%3' -f %1) and accept again.")
                           .arg(file, m_host.name, hostField));
    }
    QDir().mkpath(QFileInfo(file).absolutePath());
    QFile f(file);
    if (!f.open(QIODevice::WriteOnly | QIODevice::Append))
        throw Error(QStringLiteral("cannot write %1: %2").arg(file, f.errorString()));
    if (f.size() > 0) {
        // Start on a line of our own if the file does not end with one.
        QFile r(file);
        if (r.open(QIODevice::ReadOnly) && r.seek(r.size() - 1) && r.read(1) != "\n")
            f.write("\n");
    }
    f.write((key.knownHostsLines.join(QLatin1Char('\n')) + QLatin1Char('\n')).toUtf8());
    return key;
}

SshError SshConnection::explain(const QByteArray &stderrText) const
{
    const QString name = m_host.name;
    const QString where = m_host.address();
    const QString text = QString::fromUtf8(stderrText);
    using R = SshError::Reason;
    if (text.contains(QLatin1String("REMOTE HOST IDENTIFICATION HAS CHANGED")) || text.contains(QLatin1String("HOST KEY HAS CHANGED")))
        return SshError(R::ChangedHostKey,
                        QStringLiteral("the host key of '%1' (%2) has CHANGED since it was recorded in %3. Someone may be intercepting "
                                       "the connection, or the machine was reinstalled. Cairn refuses to connect. If you know why it changed, "
                                       "remove the old key (ssh-keygen -R HOST -f %3) and accept the new one.")
                            .arg(name, where, knownHostsFile()));
    if (text.contains(QLatin1String("Host key verification failed")) || text.contains(QLatin1String("host key is known"))) {
        QString fingerprint;
        try {
            fingerprint = scanHostKey().fingerprints.join(QStringLiteral(", "));
        } catch (const Error &) {
        }
        return SshError(R::UnknownHostKey,
                        QStringLiteral("the host key of '%1' (%2) is not known yet; its fingerprint is %3. Compare it with the one on the "
                                       "machine (ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub), then accept it: "
                                       "cairn hosts probe '%1' --accept-new-host-key")
                            .arg(name, where, fingerprint.isEmpty() ? QStringLiteral("(could not be read)") : fingerprint),
                        fingerprint);
    }
    if (text.contains(QLatin1String("Could not resolve hostname")) || text.contains(QLatin1String("Name or service not known")))
        return SshError(R::Dns, QStringLiteral("cannot find host '%1': the name '%2' does not resolve (DNS). Check the spelling, "
                                               "your network or VPN.").arg(name, m_host.hostname));
    if (text.contains(QLatin1String("Connection refused")))
        return SshError(R::Refused, QStringLiteral("'%1' (%2) refused the connection: no SSH server listens on that port. Is sshd "
                                                   "running there, and is the port right?").arg(name, where));
    if (text.contains(QLatin1String("timed out")))
        return SshError(R::Timeout, QStringLiteral("'%1' (%2) did not answer within 8 s: it is off, asleep, or a firewall drops "
                                                   "the connection.").arg(name, where));
    if (text.contains(QLatin1String("No route to host")) || text.contains(QLatin1String("Network is unreachable")))
        return SshError(R::Unreachable, QStringLiteral("'%1' (%2) cannot be reached from here (no route to it: another network, "
                                                       "a VPN that is down?).").arg(name, where));
    if (text.contains(QLatin1String("Permission denied")) || text.contains(QLatin1String("Too many authentication failures")))
        return SshError(R::Auth, QStringLiteral("'%1' (%2) refused the login: none of the keys offered (%3) is authorized for that "
                                                "user. Put your public key in ~/.ssh/authorized_keys on the host (ssh-copy-id), or "
                                                "set the right user and identity file.")
                                     .arg(name, where, m_host.identityFile.isEmpty() ? QStringLiteral("the agent's and ~/.ssh/id_*")
                                                                                     : m_host.identityFile));
    return SshError(R::Other, QStringLiteral("ssh to '%1' (%2) failed: %3").arg(name, where, lastLines(stderrText)));
}

} // namespace cairn::remote
