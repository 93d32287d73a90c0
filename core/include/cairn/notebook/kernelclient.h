#pragma once

#include "cairn/notebook/kernelspec.h"

#include <QByteArray>
#include <QJsonObject>
#include <QList>
#include <QMap>
#include <QMetaType>
#include <QObject>
#include <QProcess>
#include <QSet>
#include <QString>

#include <memory>

namespace cairn {

/// The five ZeroMQ channels of the Jupyter messaging protocol.
enum class KernelChannel { Shell, IOPub, Stdin, Control, Heartbeat };

/// A message of the Jupyter messaging protocol (version 5.3), received or sent.
struct KernelMessage
{
    KernelChannel channel = KernelChannel::Shell;
    QJsonObject header;
    QJsonObject parentHeader;
    QJsonObject metadata;
    QJsonObject content;
    QList<QByteArray> buffers;

    QString type() const { return header.value(QLatin1String("msg_type")).toString(); }
    QString id() const { return header.value(QLatin1String("msg_id")).toString(); }
    QString parentId() const { return parentHeader.value(QLatin1String("msg_id")).toString(); }
};

/// Where a kernel listens: the content of a Jupyter connection file.
struct ConnectionInfo
{
    QString transport = QStringLiteral("tcp");
    QString ip = QStringLiteral("127.0.0.1");
    int shellPort = 0;
    int iopubPort = 0;
    int stdinPort = 0;
    int controlPort = 0;
    int hbPort = 0;
    QByteArray key;
    QString signatureScheme = QStringLiteral("hmac-sha256");

    QJsonObject toJson() const;
    static ConnectionInfo fromJson(const QJsonObject &object);
    /// Free loopback ports and a random key.
    static ConnectionInfo allocate();
    QString endpoint(int port) const;
};

/// HMAC-SHA256 signing of Jupyter messages (hex digest over header, parent, metadata, content).
class MessageSigner
{
public:
    explicit MessageSigner(QByteArray key = {}) : m_key(std::move(key)) {}
    QByteArray sign(const QList<QByteArray> &parts) const;
    /// Constant-time comparison against the expected signature.
    bool verify(const QByteArray &signature, const QList<QByteArray> &parts) const;
    bool isEnabled() const { return !m_key.isEmpty(); }

private:
    QByteArray m_key;
};

/// How a kernel is launched.
struct KernelLaunchOptions
{
    QString workingDirectory;
    /// Added to the kernel's environment (over the kernelspec's env).
    QMap<QString, QString> environment;
    /// Prepended to PYTHONPATH (the Cairn Python client).
    QStringList pythonPath;
};

/// A client of one Jupyter kernel: launches it (or connects to a running one) and speaks the
/// messaging protocol on shell, iopub, stdin, control and heartbeat. The sockets live on their
/// own thread; messages arrive as signals on the thread that owns this object. Every received
/// message's signature is checked: a bad one is dropped, logged and reported by invalidMessage().
class KernelClient : public QObject
{
    Q_OBJECT
public:
    enum class State { NotStarted, Starting, Idle, Busy, Restarting, Dead };
    Q_ENUM(State)

    explicit KernelClient(QObject *parent = nullptr);
    ~KernelClient() override;

    /// Writes a connection file, launches the kernel and connects. Returns at once; ready() (or
    /// died()) follows. Throws cairn::Error if the process cannot be started.
    void start(const KernelSpec &spec, const KernelLaunchOptions &options = {});
    /// Connects to a kernel started elsewhere (no process is watched; the heartbeat is).
    void connectToKernel(const ConnectionInfo &info);
    /// Runs a local event loop until ready() or died() or the timeout; true when ready.
    bool waitForReady(int timeoutMs = 30000);

    State state() const { return m_state; }
    bool isReady() const { return m_state == State::Idle || m_state == State::Busy; }
    KernelSpec spec() const { return m_spec; }
    ConnectionInfo connectionInfo() const { return m_info; }
    QString sessionId() const { return m_session; }
    /// The kernel_info_reply content (language_info, banner, …).
    QJsonObject kernelInfo() const { return m_kernelInfo; }
    qint64 processId() const;

    /// Requests; each returns the msg_id that replies and iopub messages carry as parent.
    QString execute(const QString &code, bool silent = false, bool storeHistory = true, bool allowStdin = true,
                    bool stopOnError = true);
    QString complete(const QString &code, int cursorPos);
    QString inspect(const QString &code, int cursorPos, int detailLevel = 0);
    QString requestKernelInfo();
    /// Answers an input_request (input() in Python).
    void sendInputReply(const QString &value);
    /// Sends any message on a channel (shell, control or stdin); returns its msg_id.
    QString send(KernelChannel channel, const QString &msgType, const QJsonObject &content,
                 const QJsonObject &parentHeader = {});

    /// SIGINT, or interrupt_request when the kernelspec's interrupt_mode is "message".
    void interrupt();
    /// Shuts the kernel down and starts it again with the same spec (restarted() follows ready()).
    void restart();
    /// Asks the kernel to exit, then kills it after the grace period; closes the sockets.
    void shutdown(int graceMs = 2000);

    /// Heartbeat: a ping each intervalMs; the kernel is declared dead after `misses` unanswered
    /// pings in a row. Set before start().
    void setHeartbeat(int intervalMs, int misses);
    /// Messages dropped because their signature did not verify.
    int invalidMessageCount() const { return m_invalidCount; }

Q_SIGNALS:
    void stateChanged(cairn::KernelClient::State state);
    /// kernel_info_reply received and iopub subscribed: requests can be sent.
    void ready();
    void restarted();
    /// The process exited or the heartbeat stopped; reason is a sentence for the user.
    void died(const QString &reason);
    void messageReceived(const cairn::KernelMessage &message);
    void iopubMessage(const cairn::KernelMessage &message);
    void shellReply(const cairn::KernelMessage &message);
    void controlReply(const cairn::KernelMessage &message);
    void inputRequested(const QString &prompt, bool password, const cairn::KernelMessage &message);
    /// A message failed its signature check (or was malformed) and was dropped.
    void invalidMessage(const QString &reason);
    /// The kernel process wrote to stderr/stdout (not through iopub).
    void processOutput(const QString &text);

private:
    class Io;
    void launch();
    void openSockets();
    void closeSockets();
    void setState(State state);
    void handleMessage(const KernelMessage &message);
    void handleInvalid(const QString &reason);
    void handleHeartbeatLost();
    void handleProcessFinished(int exitCode, QProcess::ExitStatus status);
    void markDead(const QString &reason);
    void checkReplied(const KernelMessage &idle);

    KernelSpec m_spec;
    KernelLaunchOptions m_options;
    ConnectionInfo m_info;
    QString m_connectionFile;
    QString m_session;
    QString m_username;
    MessageSigner m_signer;
    QProcess *m_process = nullptr;
    std::unique_ptr<Io> m_io;
    State m_state = State::NotStarted;
    QJsonObject m_kernelInfo;
    QJsonObject m_lastInputRequestHeader;
    QString m_startupRequest;
    bool m_gotKernelInfo = false;
    bool m_gotIopub = false;
    bool m_restarting = false;
    bool m_expectingExit = false;
    int m_hbIntervalMs = 1000;
    int m_hbMisses = 5;
    int m_invalidCount = 0;
    QByteArray m_stderrTail;
    int m_generation = 0;
    /// execute_requests the kernel reported busy with and has not answered yet.
    QSet<QString> m_unanswered;
    // execute_requests whose reply came before their busy status (shell and iopub are separate
    // sockets, read in no fixed order): their busy must not mark them unanswered.
    QSet<QString> m_repliedBeforeBusy;
    /// Requests sent on the control channel whose idle status has not come yet.
    QSet<QString> m_controlRequests;
    /// The last message-mode interrupt_request, and the execute_request it was meant to stop.
    QString m_interruptRequest;
    QString m_interruptTarget;
};

} // namespace cairn

Q_DECLARE_METATYPE(cairn::KernelMessage)
