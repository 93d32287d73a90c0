#pragma once

#include "cairn/notebook/kernelclient.h"
#include "cairn/remote/host.h"

#include <QJsonArray>
#include <QObject>
#include <QString>

namespace cairn::remote {

/// A Jupyter kernel on an SSH host. The kernel is started there detached (it outlives the SSH
/// connection), with its own connection file whose five ports and HMAC key are chosen on the host;
/// each port is forwarded over the host's shared SSH connection (`ssh -O forward -L`) to a local
/// loopback port, and an ordinary KernelClient speaks the messaging protocol through them, signing
/// unchanged. When the connection drops (the heartbeat stops) the ports are forwarded again and the
/// same kernel is reconnected — its variables kept — or, when the kernel has gone, gone() says so.
/// start(), reconnect(), restart() and shutdown() run ssh and block.
class RemoteKernel : public QObject
{
    Q_OBJECT
public:
    explicit RemoteKernel(Host host, QObject *parent = nullptr);
    /// Leaves the remote kernel running (call shutdown() to end it); drops the forwards.
    ~RemoteKernel() override;

    /// Starts the kernel on the host and connects; ready() of client() follows. Only kernels run by
    /// ipykernel are known on a host ("python3"); throws cairn::Error (SshError for ssh itself).
    void start(const QString &kernelName = QStringLiteral("python3"));
    /// Forwards the ports again and reconnects to the same kernel; throws when it is gone.
    void reconnect();
    /// Interrupts the running cell (interrupt_request on the control channel).
    void interrupt();
    /// Ends the kernel and starts a fresh one on the same host.
    void restart();
    /// Asks the kernel to exit, kills it after a grace period, removes its files on the host and
    /// the forwards.
    void shutdown();

    /// Whether the kernel process still runs on the host.
    bool isAlive() const;
    /// Between a lost connection and reconnected() or gone().
    bool isReconnecting() const { return m_reconnecting; }
    /// Reconnect by itself when the heartbeat stops (default true).
    void setAutoReconnect(bool on) { m_autoReconnect = on; }

    KernelClient *client() const { return m_client; }
    const Host &host() const { return m_host; }
    QString kernelName() const { return m_kernelName; }
    qint64 remotePid() const { return m_pid; }
    /// The connection file on the host.
    QString remoteConnectionFile() const { return m_remoteFile; }
    /// The ports as the host sees them (the client's connectionInfo() has the local ones).
    ConnectionInfo remoteConnectionInfo() const { return m_remoteInfo; }

    /// The kernelspecs on the host: `jupyter kernelspec list --json` where jupyter is installed,
    /// else "python3" when python3 can import ipykernel. Each: name, display_name, language,
    /// path, python (the interpreter that runs it). Throws as start().
    static QJsonArray listSpecs(const Host &host);

Q_SIGNALS:
    /// The connection dropped; forwarding again.
    void reconnecting();
    /// The same kernel answers again (its variables kept).
    void reconnected();
    /// The kernel cannot be reached any more; reason is a sentence for the user.
    void gone(const QString &reason);

private:
    void forward();
    void cancelForwards();
    void handleDied(const QString &reason);
    void reconnectAfterLoss(const QString &reason);

    Host m_host;
    QString m_kernelName;
    KernelClient *m_client = nullptr;
    ConnectionInfo m_remoteInfo;
    ConnectionInfo m_localInfo;
    QString m_remoteFile;
    QString m_remoteDir;
    qint64 m_pid = 0;
    bool m_autoReconnect = true;
    bool m_closing = false;
    bool m_reconnecting = false;
};

} // namespace cairn::remote
