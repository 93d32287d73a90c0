#include "cairn/remote/remotescript.h"

#include "cairn/remote/hostagent.h"
#include "cairn/remote/sshconnection.h"

#include <QFileInfo>
#include <QLocalSocket>
#include <QProcess>
#include <QRegularExpression>

#include <utility>

namespace cairn::remote {

namespace {

/// How long an agent waits with no connection and no script before it ends (as long as the
/// shared ssh connection persists).
constexpr int kAgentIdleSeconds = 600;

/// Runs a script on a host that was reached without its agent (`sh -c WRAPPER sh NAME CAIRN IDLE
/// SCRIPT ARGS…`): starts the agent NAME detached for the next scripts, unless it runs already
/// (its pid file names a live `cairn agent` on that socket), says where its socket is on a line
/// of its own, then runs SCRIPT with ARGS in place of this shell. The agent's folder is the
/// user's own (0700): whoever reaches the socket runs commands as this user.
const char *kAgentWrapper = R"SH(
n=$1; c=$2; i=$3; s=$4
shift 4
a=/tmp/cairn-agent-$(id -u)
x=$(command -v -- "$c" 2>/dev/null)
if [ -n "$x" ] && { [ -d "$a" ] || mkdir -m 700 -- "$a" 2>/dev/null; } && [ ! -h "$a" ] && [ -O "$a" ] && chmod 700 -- "$a" 2>/dev/null; then
  p=$(cat -- "$a/$n.pid" 2>/dev/null)
  case $p in ''|*[!0-9]*) p=0 ;; esac
  case $( { tr '\0' ' ' < "/proc/$p/cmdline"; } 2>/dev/null) in
  *" agent --socket $a/$n.sock "*) ;;
  *) setsid nohup "$x" agent --socket "$a/$n.sock" --idle-exit "$i" >/dev/null 2>&1 </dev/null & ;;
  esac
  printf 'cairn-agent-socket %s\n' "$a/$n.sock"
else
  echo 'cairn-agent-socket -'
fi
exec sh -c "$s" sh "$@"
)SH";

const QByteArray kSocketLine = "cairn-agent-socket ";

} // namespace

RemoteScript::RemoteScript(Host host, QString script, QStringList args, QObject *parent)
    : QObject(parent), m_host(std::move(host)), m_script(std::move(script)), m_args(std::move(args))
{
    m_helloTimer.setSingleShot(true);
    connect(&m_helloTimer, &QTimer::timeout, this, [this] {
        // The far end accepted but does not speak: use ssh (nothing was sent, nothing ran).
        if (!m_hello && m_socket)
            onAgentClosed();
    });
}

RemoteScript::~RemoteScript()
{
    kill();
}

void RemoteScript::kill()
{
    m_done = true;
    m_helloTimer.stop();
    if (m_socket) {
        m_socket->disconnect(this);
        m_socket->abort();
        m_socket->deleteLater();
        m_socket = nullptr;
    }
    if (m_process) {
        m_process->disconnect(this);
        m_process->kill();
        m_process->waitForFinished(2000);
    }
}

void RemoteScript::start()
{
    m_token = agentToken();
    QString local;
    try {
        m_host.validate();
        local = localAgentSocket(m_host);
    } catch (const Error &e) {
        m_done = true;
        Q_EMIT failedToStart(e.message());
        return;
    }
    if (!QFileInfo::exists(local)) {
        runSsh();
        return;
    }
    m_socket = new QLocalSocket(this);
    connect(m_socket, &QLocalSocket::readyRead, this, &RemoteScript::onAgentBytes);
    connect(m_socket, &QLocalSocket::disconnected, this, &RemoteScript::onAgentClosed);
    connect(m_socket, &QLocalSocket::errorOccurred, this, [this](QLocalSocket::LocalSocketError e) {
        if (e != QLocalSocket::PeerClosedError)
            onAgentClosed();
    });
    m_helloTimer.start(10000);
    m_socket->connectToServer(local);
}

void RemoteScript::onAgentBytes()
{
    if (m_done || !m_socket)
        return;
    m_buffer.append(m_socket->readAll());
    if (!m_hello) {
        const qsizetype nl = m_buffer.indexOf('\n');
        if (nl < 0) {
            if (m_buffer.size() > 64)
                onAgentClosed();
            return;
        }
        if (m_buffer.left(nl + 1) != agentHello()) {
            onAgentClosed(); // another protocol: not used
            return;
        }
        m_buffer.remove(0, nl + 1);
        m_hello = true;
        m_viaAgent = true;
        m_helloTimer.stop();
        m_socket->write(agentRequest(m_kind, m_token, m_script, m_args));
    }
    const QByteArray marker = m_token + " agent-exit ";
    const qsizetype at = m_buffer.indexOf(marker);
    // Held back: the end of what came, as long as it could be the start of the marker.
    const qsizetype ready = at >= 0 ? at : std::max<qsizetype>(0, m_buffer.size() - (marker.size() - 1));
    if (ready > 0) {
        const QByteArray bytes = m_buffer.left(ready);
        m_buffer.remove(0, ready);
        QPointer<RemoteScript> self(this);
        Q_EMIT output(bytes);
        if (!self || m_done)
            return;
    }
    if (at < 0)
        return;
    // "TOKEN agent-exit CODE N\n" and N bytes of stderr.
    const qsizetype nl = m_buffer.indexOf('\n', marker.size());
    if (nl < 0)
        return;
    const QList<QByteArray> fields = m_buffer.mid(marker.size(), nl - marker.size()).split(' ');
    const int code = fields.value(0).toInt();
    const qsizetype length = fields.value(1).toLongLong();
    if (m_buffer.size() - nl - 1 < length)
        return;
    const QByteArray err = m_buffer.mid(nl + 1, length);
    m_done = true;
    m_socket->disconnect(this);
    m_socket->deleteLater();
    m_socket = nullptr;
    Q_EMIT finished(code, err);
}

void RemoteScript::onAgentClosed()
{
    if (m_done || !m_socket)
        return;
    m_helloTimer.stop();
    m_socket->disconnect(this);
    m_socket->abort();
    m_socket->deleteLater();
    m_socket = nullptr;
    if (!m_hello) {
        // No agent behind the socket (not started, ended, another protocol, forwarding refused
        // by the server): nothing was sent, so the script runs as an ssh command.
        m_buffer.clear();
        runSsh();
        return;
    }
    // The agent went away mid-script (killed, host down): as a dropped ssh connection.
    m_done = true;
    QPointer<RemoteScript> self(this);
    const QByteArray rest = std::exchange(m_buffer, {});
    if (!rest.isEmpty())
        Q_EMIT output(rest);
    if (self)
        Q_EMIT finished(255, QStringLiteral("the connection to the agent on host '%1' was lost").arg(m_host.name).toUtf8());
}

void RemoteScript::runSsh()
{
    QStringList sshArgs;
    try {
        sshArgs = SshConnection(m_host).scriptArguments(QString::fromLatin1(kAgentWrapper),
                                                        QStringList{hostAgentName(m_host), m_host.cairnCommand, QString::number(kAgentIdleSeconds), m_script}
                                                            + m_args);
    } catch (const Error &e) {
        m_done = true;
        Q_EMIT failedToStart(e.message());
        return;
    }
    auto *p = new QProcess(this);
    m_process = p;
    connect(p, &QProcess::readyReadStandardOutput, this, [this, p] { onSshOutput(p->readAllStandardOutput()); });
    connect(p, &QProcess::finished, this, [this, p](int code, QProcess::ExitStatus status) {
        QPointer<RemoteScript> self(this);
        onSshOutput(p->readAllStandardOutput());
        if (!self || m_done)
            return;
        if (!m_buffer.isEmpty()) {
            const QByteArray rest = m_buffer;
            m_buffer.clear();
            Q_EMIT output(rest);
            if (!self || m_done)
                return;
        }
        m_done = true;
        const QByteArray err = p->readAllStandardError();
        p->deleteLater();
        Q_EMIT finished(status == QProcess::CrashExit ? 255 : code, err);
    });
    connect(p, &QProcess::errorOccurred, this, [this, p](QProcess::ProcessError e) {
        if (e == QProcess::FailedToStart && !m_done) {
            m_done = true;
            Q_EMIT failedToStart(QStringLiteral("cannot run ssh: %1").arg(p->errorString()));
        }
    });
    p->start(SshConnection::program(), sshArgs);
}

void RemoteScript::onSshOutput(QByteArray bytes)
{
    if (m_done)
        return;
    if (m_sshHeader) {
        // The wrapper's line comes before the script's output; lines before it (a start-up file
        // that prints) are the script's as they always were.
        m_buffer.append(bytes);
        bytes.clear();
        qsizetype pos = 0;
        for (;;) {
            const qsizetype nl = m_buffer.indexOf('\n', pos);
            if (nl < 0)
                break;
            if (m_buffer.mid(pos, kSocketLine.size()) == kSocketLine) {
                forward(QString::fromUtf8(m_buffer.mid(pos + kSocketLine.size(), nl - pos - kSocketLine.size())));
                bytes = m_buffer.left(pos) + m_buffer.mid(nl + 1);
                m_buffer.clear();
                m_sshHeader = false;
                break;
            }
            pos = nl + 1;
        }
        if (m_sshHeader && m_buffer.size() > 65536) {
            bytes = m_buffer;
            m_buffer.clear();
            m_sshHeader = false;
        }
    }
    if (!bytes.isEmpty())
        Q_EMIT output(bytes);
}

void RemoteScript::forward(const QString &remoteSocket)
{
    // ssh splits a forward at ':'; the path comes from the host, so only a plain one is used.
    static const QRegularExpression plain(QStringLiteral("^/[A-Za-z0-9_./-]{1,100}$"));
    if (!plain.match(remoteSocket).hasMatch())
        return;
    QStringList args;
    try {
        args = SshConnection(m_host).controlArguments(QStringLiteral("forward"),
                                                      {QStringLiteral("-L"), localAgentSocket(m_host) + QLatin1Char(':') + remoteSocket});
    } catch (const Error &) {
        return;
    }
    // Not a child: the request reaches the shared connection even when this script is gone. A
    // forward that exists already is kept as it is (ssh answers yes to the same request).
    auto *p = new QProcess;
    p->setProcessChannelMode(QProcess::MergedChannels);
    connect(p, &QProcess::finished, p, &QObject::deleteLater);
    connect(p, &QProcess::errorOccurred, p, [p](QProcess::ProcessError e) {
        if (e == QProcess::FailedToStart)
            p->deleteLater();
    });
    p->start(SshConnection::program(), args);
}

} // namespace cairn::remote
