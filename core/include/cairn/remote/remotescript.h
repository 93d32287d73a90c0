#pragma once

#include "cairn/remote/host.h"

#include <QByteArray>
#include <QObject>
#include <QPointer>
#include <QStringList>
#include <QTimer>

class QLocalSocket;
class QProcess;

namespace cairn::remote {

/// A fixed script run on an SSH host as `sh -c SCRIPT sh ARGS…`, its stdout read as it comes:
/// the one way a job's commands reach its host. It goes through the host's agent (`cairn agent`,
/// reached with a Unix-socket forward of the shared ssh connection: no remote login shell, no
/// process started here) when the agent answers with this protocol; otherwise it is one ssh
/// command, which also starts the agent on the host for the next script and sets up the forward.
/// Either way the same signals come: the script's stdout, then its exit code and stderr (255:
/// the connection failed or dropped, as ssh says it).
class RemoteScript : public QObject
{
    Q_OBJECT
public:
    RemoteScript(Host host, QString script, QStringList args, QObject *parent = nullptr);
    ~RemoteScript() override;

    /// The script is SshRunner's job script: the agent may run its modes itself (AgentJob).
    void setJobScript() { m_kind = "job"; }
    void start();
    /// Ends the local end now; a script still running on the host is hung up.
    void kill();
    /// Whether it runs through the agent (known once output() or finished() came).
    bool viaAgent() const { return m_viaAgent; }

Q_SIGNALS:
    void output(const QByteArray &bytes);
    void finished(int exitCode, const QByteArray &err);
    /// ssh could not be run at all.
    void failedToStart(const QString &error);

private:
    void tryAgent();
    void onAgentBytes();
    void onAgentClosed();
    void runSsh();
    void onSshOutput(QByteArray bytes);
    void forward(const QString &remoteSocket);

    Host m_host;
    QString m_script;
    QStringList m_args;
    QByteArray m_kind = "sh";
    QByteArray m_token;
    QPointer<QLocalSocket> m_socket;
    QPointer<QProcess> m_process;
    QByteArray m_buffer;
    bool m_hello = false;     ///< the agent said its protocol and got the request
    bool m_viaAgent = false;
    bool m_sshHeader = true;  ///< the ssh command's first line (the agent's socket) not read yet
    bool m_done = false;
    QTimer m_helloTimer;
};

} // namespace cairn::remote
