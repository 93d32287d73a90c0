#pragma once

// A private sshd on a free loopback port for tests that need a real SSH host: its own host key
// and user key, an authorized_keys that gives the remote side the freshly built `cairn` on its
// PATH, and an empty known_hosts of its own. Nothing system-wide is touched (only /run/sshd is
// created when missing). The recipe of /work/shared/STACK.md, as tst_sshhosts starts it.

#include <QByteArray>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QHostAddress>
#include <QProcess>
#include <QStandardPaths>
#include <QString>
#include <QTcpServer>
#include <QTcpSocket>
#include <QThread>

#include <pwd.h>
#include <unistd.h>

class SshdFixture
{
public:
    /// True when openssh-server is installed (else the test skips and says why).
    static bool available() { return QFileInfo(QStringLiteral("/usr/sbin/sshd")).isExecutable(); }

    /// Starts sshd with its files in `dir`; `cliDir` goes first on the remote PATH. Returns an
    /// error text, empty on success.
    QString start(const QString &dir, const QString &cliDir)
    {
        m_dir = dir;
        for (const QString &key : {hostKey(), userKey()})
            if (QProcess::execute(QStringLiteral("ssh-keygen"), {QStringLiteral("-q"), QStringLiteral("-t"), QStringLiteral("ed25519"), QStringLiteral("-N"),
                                                                 QString(), QStringLiteral("-f"), key}) != 0)
                return QStringLiteral("ssh-keygen failed for %1").arg(key);
        QDir().mkpath(QStringLiteral("/run/sshd"));
        QFile pubFile(userKey() + QStringLiteral(".pub"));
        if (!pubFile.open(QIODevice::ReadOnly))
            return QStringLiteral("no public key");
        const QByteArray pub = pubFile.readAll().trimmed();
        if (!write(path("authorized_keys"), "environment=\"PATH=" + QFile::encodeName(cliDir) + ":/usr/local/bin:/usr/bin:/bin\" " + pub + "\n",
                   QFile::ReadOwner | QFile::WriteOwner))
            return QStringLiteral("cannot write authorized_keys");
        {
            QTcpServer s;
            s.listen(QHostAddress::LocalHost, 0);
            m_port = s.serverPort();
        }
        const QString config = QStringLiteral("Port %1\nListenAddress 127.0.0.1\nHostKey %2/hostkey\nAuthorizedKeysFile %2/authorized_keys\n"
                                              "PasswordAuthentication no\nKbdInteractiveAuthentication no\nPermitRootLogin prohibit-password\n"
                                              "UsePAM no\nStrictModes no\nPermitUserEnvironment yes\nPidFile %2/sshd.pid\nSubsystem sftp internal-sftp\n")
                                   .arg(m_port)
                                   .arg(m_dir);
        if (!write(path("sshd_config"), config.toUtf8()) || !write(knownHosts(), {}))
            return QStringLiteral("cannot write the sshd files");
        // Not the test's output: connection processes kept by shared connections would hold it open.
        m_sshd.setStandardOutputFile(path("sshd.out"));
        m_sshd.setStandardErrorFile(path("sshd.out"), QIODevice::Append);
        m_sshd.start(QStringLiteral("/usr/sbin/sshd"), {QStringLiteral("-D"), QStringLiteral("-f"), path("sshd_config"), QStringLiteral("-E"), path("sshd.log")});
        if (!m_sshd.waitForStarted())
            return QStringLiteral("sshd did not start");
        for (int i = 0; i < 200; ++i) {
            QTcpSocket s;
            s.connectToHost(QHostAddress::LocalHost, quint16(m_port));
            if (s.waitForConnected(500))
                return {};
            if (m_sshd.state() == QProcess::NotRunning)
                break;
            QThread::msleep(100);
        }
        return QStringLiteral("sshd does not listen on port %1 (see %2)").arg(m_port).arg(path("sshd.log"));
    }

    void stop()
    {
        if (m_sshd.state() == QProcess::NotRunning)
            return;
        // The connection processes first, so shared connections end with them.
        QProcess::execute(QStringLiteral("pkill"), {QStringLiteral("-TERM"), QStringLiteral("-P"), QString::number(m_sshd.processId())});
        m_sshd.terminate();
        m_sshd.waitForFinished(5000);
    }
    ~SshdFixture() { stop(); }

    int port() const { return m_port; }
    QString hostKey() const { return path("hostkey"); }
    QString userKey() const { return path("userkey"); }
    QString knownHosts() const { return path("known_hosts"); }
    static QString userName() { return QString::fromLocal8Bit(::getpwuid(::getuid())->pw_name); }

private:
    QString path(const char *name) const { return m_dir + QLatin1Char('/') + QLatin1String(name); }
    static bool write(const QString &file, const QByteArray &text, QFile::Permissions perms = {})
    {
        QFile f(file);
        if (!f.open(QIODevice::WriteOnly))
            return false;
        f.write(text);
        f.close();
        return perms == QFile::Permissions() || f.setPermissions(perms);
    }

    QString m_dir;
    int m_port = 0;
    QProcess m_sshd;
};
