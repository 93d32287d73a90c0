#pragma once
// A private sshd on a free loopback port: its own host key and user key, a private
// authorized_keys whose environment puts `cliDir` first on the remote PATH (so the "remote" side
// runs the cairn built here), nothing system-wide touched. For the SSH host tests and benchmark.

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QProcess>
#include <QStandardPaths>
#include <QTcpServer>
#include <QTcpSocket>
#include <QThread>

#include <csignal>

#include <pwd.h>
#include <unistd.h>

/// The environment for running `cairn` in a test that owns `dir`: its own hosts file, no
/// ~/.ssh/config and its own cache, and no CAIRN_WORKSPACE of the caller's.
inline QProcessEnvironment isolatedCliEnvironment(const QString &dir)
{
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.remove(QStringLiteral("CAIRN_WORKSPACE"));
    env.insert(QStringLiteral("CAIRN_HOSTS_FILE"), dir + QStringLiteral("/hosts.json"));
    env.insert(QStringLiteral("CAIRN_SSH_CONFIG"), dir + QStringLiteral("/no-ssh-config"));
    env.insert(QStringLiteral("XDG_CACHE_HOME"), dir + QStringLiteral("/cache"));
    return env;
}

/// A small Debian package named `package` (version 0.1.0, this machine's architecture, no files)
/// built with dpkg-deb into `file`, for the worker install tests: they check and copy it, never
/// install it. False when dpkg is not here.
inline bool makeTestDeb(const QString &workDir, const QString &package, const QString &file)
{
    QProcess arch;
    arch.start(QStringLiteral("dpkg"), {QStringLiteral("--print-architecture")});
    if (!arch.waitForFinished(30000) || arch.exitCode() != 0)
        return false;
    const QString root = workDir + QStringLiteral("/deb-") + package;
    QDir().mkpath(root + QStringLiteral("/DEBIAN"));
    QFile control(root + QStringLiteral("/DEBIAN/control"));
    if (!control.open(QIODevice::WriteOnly))
        return false;
    control.write(QStringLiteral("Package: %1\nVersion: 0.1.0\nArchitecture: %2\nMaintainer: Test <t@example.org>\nDescription: made by a test\n")
                      .arg(package, QString::fromUtf8(arch.readAllStandardOutput()).trimmed())
                      .toUtf8());
    control.close();
    QProcess build;
    build.start(QStringLiteral("dpkg-deb"), {QStringLiteral("--build"), QStringLiteral("--root-owner-group"), root, file});
    return build.waitForFinished(60000) && build.exitStatus() == QProcess::NormalExit && build.exitCode() == 0;
}

class LoopbackSshd
{
public:
    ~LoopbackSshd() { stop(); }

    static int freePort()
    {
        QTcpServer s;
        s.listen(QHostAddress::LocalHost, 0);
        return s.serverPort();
    }

    static bool keygen(const QString &path)
    {
        return QProcess::execute(QStringLiteral("ssh-keygen"), {QStringLiteral("-q"), QStringLiteral("-t"), QStringLiteral("ed25519"),
                                                                QStringLiteral("-N"), QString(), QStringLiteral("-f"), path}) == 0;
    }

    static bool available()
    {
        return QFileInfo(QStringLiteral("/usr/sbin/sshd")).isExecutable();
    }

    /// Makes the keys in `dir` (hostkey, userkey) and starts sshd; false with *error on failure.
    /// `extraConfig`: more sshd_config lines (e.g. "AllowStreamLocalForwarding no\n").
    bool start(const QString &dir, const QString &cliDir, QString *error, const QString &extraConfig = {})
    {
        m_dir = dir;
        if (!keygen(dir + QStringLiteral("/hostkey")) || !keygen(dir + QStringLiteral("/userkey")))
            return fail(error, QStringLiteral("ssh-keygen failed"));
        QDir().mkpath(QStringLiteral("/run/sshd"));
        QFile pub(dir + QStringLiteral("/userkey.pub"));
        if (!pub.open(QIODevice::ReadOnly))
            return fail(error, QStringLiteral("no user key"));
        QFile keys(dir + QStringLiteral("/authorized_keys"));
        if (!keys.open(QIODevice::WriteOnly))
            return fail(error, keys.errorString());
        keys.write("environment=\"PATH=" + QFile::encodeName(cliDir) + ":/usr/local/bin:/usr/bin:/bin\" " + pub.readAll().trimmed() + "\n");
        keys.close();
        keys.setPermissions(QFile::ReadOwner | QFile::WriteOwner);
        m_port = freePort();
        QFile config(dir + QStringLiteral("/sshd_config"));
        if (!config.open(QIODevice::WriteOnly))
            return fail(error, config.errorString());
        config.write(QStringLiteral("Port %1\nListenAddress 127.0.0.1\nHostKey %2/hostkey\nAuthorizedKeysFile %2/authorized_keys\n"
                                    "PasswordAuthentication no\nKbdInteractiveAuthentication no\nPermitRootLogin prohibit-password\n"
                                    "UsePAM no\nStrictModes no\nPermitUserEnvironment yes\nPidFile %2/sshd.pid\nSubsystem sftp internal-sftp\n"
                                    // sshd.log names each remote command ("Starting session"): tst_sshstream counts them.
                                    "LogLevel VERBOSE\n%3")
                         .arg(m_port)
                         .arg(dir, extraConfig)
                         .toUtf8());
        config.close();
        // Not the caller's output: sshd's connection processes (kept by shared connections) would
        // hold it open after the caller ends.
        m_sshd.setStandardOutputFile(dir + QStringLiteral("/sshd.out"));
        m_sshd.setStandardErrorFile(dir + QStringLiteral("/sshd.out"), QIODevice::Append);
        m_sshd.start(QStringLiteral("/usr/sbin/sshd"), {QStringLiteral("-D"), QStringLiteral("-f"), config.fileName(), QStringLiteral("-E"),
                                                        dir + QStringLiteral("/sshd.log")});
        if (!m_sshd.waitForStarted())
            return fail(error, m_sshd.errorString());
        for (int i = 0; i < 200; ++i) {
            QTcpSocket s;
            s.connectToHost(QHostAddress::LocalHost, quint16(m_port));
            if (s.waitForConnected(500))
                return true;
            if (m_sshd.state() == QProcess::NotRunning)
                break;
            QThread::msleep(100);
        }
        return fail(error, QStringLiteral("sshd did not listen on port %1 (see %2/sshd.log)").arg(m_port).arg(dir));
    }

    void stop()
    {
        if (m_sshd.state() == QProcess::NotRunning)
            return;
        stopAgents();
        // The connection processes first: the shared connections to this sshd end with them
        // instead of lingering for ControlPersist.
        QProcess::execute(QStringLiteral("pkill"), {QStringLiteral("-TERM"), QStringLiteral("-P"), QString::number(m_sshd.processId())});
        m_sshd.terminate();
        m_sshd.waitForFinished(5000);
    }

    /// Ends every connection to this sshd (its per-connection processes), as a network drop
    /// would: the clients' shared connections end, and every stream and forward through them.
    void dropConnections() const
    {
        QProcess::execute(QStringLiteral("pkill"), {QStringLiteral("-KILL"), QStringLiteral("-P"), QString::number(m_sshd.processId())});
    }

    /// Ends the `cairn agent`s that sessions of this sshd started (detached, so not its children:
    /// known by the SSH_CONNECTION they inherited, which names this port), with their socket and
    /// pid files. Returns how many.
    int stopAgents() const
    {
        int stopped = 0;
        const QByteArray port = ' ' + QByteArray::number(m_port);
        for (const QString &pid : QDir(QStringLiteral("/proc")).entryList(QDir::Dirs | QDir::NoDotAndDotDot)) {
            bool ok = false;
            const int id = pid.toInt(&ok);
            if (!ok)
                continue;
            QFile cmd(QStringLiteral("/proc/%1/cmdline").arg(id)), env(QStringLiteral("/proc/%1/environ").arg(id));
            if (!cmd.open(QIODevice::ReadOnly) || !env.open(QIODevice::ReadOnly))
                continue;
            const QList<QByteArray> argv = cmd.readAll().split('\0');
            if (argv.size() < 4 || argv.at(1) != "agent" || argv.at(2) != "--socket")
                continue;
            bool ours = false;
            for (const QByteArray &var : env.readAll().split('\0'))
                ours = ours || (var.startsWith("SSH_CONNECTION=") && var.endsWith(port));
            if (!ours || ::kill(id, SIGKILL) != 0)
                continue;
            ++stopped;
            const QString socket = QFile::decodeName(argv.at(3));
            QFile::remove(socket);
            QFile::remove(socket.chopped(5) + QStringLiteral(".pid"));
        }
        return stopped;
    }

    int port() const { return m_port; }
    QString userKey() const { return m_dir + QStringLiteral("/userkey"); }
    QString hostKeyPub() const { return m_dir + QStringLiteral("/hostkey.pub"); }
    QString knownHosts() const { return m_dir + QStringLiteral("/known_hosts"); }

private:
    static bool fail(QString *error, const QString &message)
    {
        if (error)
            *error = message;
        return false;
    }

    QString m_dir;
    int m_port = 0;
    QProcess m_sshd;
};

/// Why the SSH host tests cannot run on this machine (their QSKIP message), or empty.
inline QString loopbackSshMissing()
{
    if (!LoopbackSshd::available() || QStandardPaths::findExecutable(QStringLiteral("rsync")).isEmpty())
        return QStringLiteral("openssh-server and rsync are not installed (scripts/setup installs them)");
    return {};
}

/// The start the SSH host tests share: `sshd` in `dir` with the folder of `cli` (the cairn built
/// here) first on the remote PATH, an empty known_hosts beside it (the first probe accepts the
/// host key) and `env` isolated to `dir`. Empty on success, else what failed.
inline QString startLoopbackSshd(LoopbackSshd &sshd, const QString &cli, const QString &dir, QProcessEnvironment *env)
{
    QString error;
    if (!sshd.start(dir, QFileInfo(cli).absolutePath(), &error))
        return error;
    QFile known(sshd.knownHosts());
    if (!known.open(QIODevice::WriteOnly))
        return known.fileName() + QStringLiteral(": ") + known.errorString();
    *env = isolatedCliEnvironment(dir);
    return {};
}

/// Points this process's host store, ssh config and cache at those of `env` (from
/// isolatedCliEnvironment), so that a studio in the test and the CLI it runs see the same hosts.
inline void shareIsolatedEnvironment(const QProcessEnvironment &env)
{
    for (const QString &key : {QStringLiteral("CAIRN_HOSTS_FILE"), QStringLiteral("CAIRN_SSH_CONFIG"), QStringLiteral("XDG_CACHE_HOME")})
        qputenv(key.toUtf8().constData(), env.value(key).toUtf8());
}

/// Runs `cli` with `args` in `env`; what went wrong, or an empty string.
inline QString runCliStep(const QString &cli, const QStringList &args, const QProcessEnvironment &env)
{
    QProcess p;
    p.setProcessEnvironment(env);
    p.start(cli, args);
    if (!p.waitForFinished(120000) || p.exitStatus() != QProcess::NormalExit || p.exitCode() != 0)
        return QStringLiteral("cairn %1 failed: %2%3").arg(args.join(QLatin1Char(' ')), QString::fromLocal8Bit(p.readAllStandardError()),
                                                           QString::fromLocal8Bit(p.readAllStandardOutput()));
    return {};
}

/// `cairn hosts add NAME` for a loopback `port` as the current user with `sshd`'s user key and
/// known_hosts file.
inline QStringList loopbackHostAddArgs(const LoopbackSshd &sshd, const QString &name, int port)
{
    return {QStringLiteral("hosts"), QStringLiteral("add"), name, QStringLiteral("--host"), QStringLiteral("127.0.0.1"),
            QStringLiteral("--port"), QString::number(port), QStringLiteral("--user"), QString::fromLocal8Bit(::getpwuid(::getuid())->pw_name),
            QStringLiteral("--identity"), sshd.userKey(), QStringLiteral("--known-hosts"), sshd.knownHosts(),
            QStringLiteral("--ssh-config"), QStringLiteral("/dev/null")};
}

/// `cairn hosts add NAME` for `sshd` (plus `extra` options), then `hosts probe NAME
/// --accept-new-host-key`. Returns what went wrong, or an empty string.
inline QString addLoopbackHost(const QString &cli, const LoopbackSshd &sshd, const QString &name, const QString &workDir,
                               const QProcessEnvironment &env, const QStringList &extra = {})
{
    QString failed = runCliStep(cli, loopbackHostAddArgs(sshd, name, sshd.port()) + QStringList{QStringLiteral("--work-dir"), workDir} + extra, env);
    if (failed.isEmpty())
        failed = runCliStep(cli, {QStringLiteral("hosts"), QStringLiteral("probe"), name, QStringLiteral("--accept-new-host-key")}, env);
    return failed;
}

/// Two host names for the one `sshd`, node-a and node-b, each with a work folder of its own under
/// `dir` (remote-node-a, remote-node-b), as two machines would have. What went wrong, or empty.
inline QString addTwoLoopbackNodes(const QString &cli, const LoopbackSshd &sshd, const QString &dir, const QProcessEnvironment &env)
{
    for (const QString &name : {QStringLiteral("node-a"), QStringLiteral("node-b")})
        if (const QString failed = addLoopbackHost(cli, sshd, name, dir + QStringLiteral("/remote-") + name, env); !failed.isEmpty())
            return failed;
    return {};
}

/// `cairn hosts add NAME` on a loopback port nobody listens on: a host that cannot be reached.
inline QString addUnreachableHost(const QString &cli, const LoopbackSshd &sshd, const QString &name, const QProcessEnvironment &env)
{
    return runCliStep(cli, loopbackHostAddArgs(sshd, name, LoopbackSshd::freePort()), env);
}
