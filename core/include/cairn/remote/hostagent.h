#pragma once

#include "cairn/remote/host.h"

#include <QByteArray>
#include <QHash>
#include <QObject>
#include <QString>
#include <QTimer>

class QLocalServer;
class QLocalSocket;
class QProcess;

namespace cairn::remote {

/// The protocol between a job manager and `cairn agent` on a host. On each connection the agent
/// says "cairn-agent N\n"; the client then sends "LENGTH\n" and LENGTH bytes: the request's kind
/// ("sh", or "job" for SshRunner's job script), a token, the script and its arguments, separated
/// by NUL bytes. The agent runs `sh -c SCRIPT sh ARGS…` (a job script's modes it may do itself,
/// see AgentJob, with the same output), sends the script's stdout as it comes, and when it ends
/// "TOKEN agent-exit CODE N\n" and N bytes of its stderr. An agent of another protocol is not
/// used (the client falls back to a plain ssh command, which starts an agent of its own).
constexpr int kAgentProtocol = 2;

/// The name (without ".sock" or ".pid") of the agent that serves `host`, the same on both sides:
/// its socket on the host is /tmp/cairn-agent-UID/NAME.sock, the local end of its forward is
/// SshConnection::controlDir()/NAME.sock. The name depends on everything that picks the host's
/// shared connection and its worker, and on the protocol.
QString hostAgentName(const Host &host);

/// The local end of the forward to `host`'s agent (in SshConnection::controlDir()).
QString localAgentSocket(const Host &host);

/// What the agent says first on each connection: "cairn-agent N\n".
QByteArray agentHello();

/// A request: "LENGTH\n" and KIND, TOKEN, SCRIPT, ARGS… separated by NUL bytes.
QByteArray agentRequest(const QByteArray &kind, const QByteArray &token, const QString &script, const QStringList &args);

/// A random token that no script output can be expected to hold.
QByteArray agentToken();

/// A script run through the host's agent, waited for (no event loop needed; any thread).
struct AgentRun
{
    bool used = false;    ///< false: no agent of this protocol answered; nothing was sent
    bool lost = false;    ///< the agent went away before the script ended
    bool timedOut = false;
    int exitCode = -1;
    QByteArray out, err;
};
AgentRun runOnAgent(const Host &host, const QString &script, const QStringList &args, int timeoutMs);

/// `cairn agent`: a long-lived process on an SSH host that runs the job scripts it is sent over
/// a Unix socket, so that a job on a warm host costs no remote command (no login shell reading
/// the user's rc files). It owns no job: workers are started detached by the scripts, so an agent
/// that ends (killed, or idle for `idleExitSeconds` with no connection and no script running)
/// loses nothing.
class HostAgent : public QObject
{
    Q_OBJECT
public:
    HostAgent(QString socketPath, int idleExitSeconds, QObject *parent = nullptr);
    ~HostAgent() override;

    /// Checks the socket's folder (the user's own, mode 0700), and listens. False with *error when
    /// it cannot; *error stays empty when another agent already serves the socket.
    bool listen(QString *error);

Q_SIGNALS:
    /// Idle for the idle time: the program may quit.
    void idle();

private:
    struct Client;
    void onConnection();
    void onRequestBytes(QLocalSocket *socket);
    void runScript(QLocalSocket *socket, const QList<QByteArray> &fields);
    void sendExit(QLocalSocket *socket, int code, const QByteArray &err);
    void closeClient(QLocalSocket *socket);
    void armIdle();

    QString m_socketPath;
    QString m_pidPath;
    QLocalServer *m_server = nullptr;
    QHash<QLocalSocket *, Client *> m_clients;
    int m_scripts = 0; ///< scripts still running, with or without their client
    QTimer m_idle;
};

} // namespace cairn::remote
