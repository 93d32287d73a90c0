#include "cairn/notebook/kernelclient.h"

#include "cairn/util/error.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QDir>
#include <QEventLoop>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QLoggingCategory>
#include <QPointer>
#include <QProcessEnvironment>
#include <QRandomGenerator>
#include <QTcpServer>
#include <QTimer>
#include <QUuid>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <zmq.hpp>
#include <zmq_addon.hpp>

#include <atomic>
#include <chrono>
#include <csignal>
#include <mutex>
#include <thread>

#include <unistd.h>

namespace cairn {

Q_LOGGING_CATEGORY(lcKernel, "cairn.kernel", QtWarningMsg)

namespace {

QString tr(const char *text)
{
    return QCoreApplication::translate("cairn::KernelClient", text);
}

const QByteArray kDelimiter("<IDS|MSG>");
const char kProtocolVersion[] = "5.3";
// How long after an execute_request's idle status its missing reply is given up on.
constexpr int kMissingReplyGraceMs = 3000;
// How long a cell may go on after the kernel acknowledged a message-mode interrupt.
constexpr int kInterruptAgainMs = 3000;

// Frames from the owner thread to the socket thread start with one of these bytes.
enum Command : char { CmdShell = 's', CmdControl = 'c', CmdStdin = 'i', CmdHeartbeatOn = 'h', CmdQuit = 'q' };

QByteArray compact(const QJsonObject &object)
{
    return QJsonDocument(object).toJson(QJsonDocument::Compact);
}

QString newId()
{
    return QUuid::createUuid().toString(QUuid::WithoutBraces);
}

} // namespace

// ---- ConnectionInfo

QJsonObject ConnectionInfo::toJson() const
{
    return QJsonObject{
        {QStringLiteral("transport"), transport},
        {QStringLiteral("ip"), ip},
        {QStringLiteral("shell_port"), shellPort},
        {QStringLiteral("iopub_port"), iopubPort},
        {QStringLiteral("stdin_port"), stdinPort},
        {QStringLiteral("control_port"), controlPort},
        {QStringLiteral("hb_port"), hbPort},
        {QStringLiteral("key"), QString::fromLatin1(key)},
        {QStringLiteral("signature_scheme"), signatureScheme},
        {QStringLiteral("kernel_name"), QString()},
    };
}

ConnectionInfo ConnectionInfo::fromJson(const QJsonObject &object)
{
    ConnectionInfo info;
    info.transport = object.value(QLatin1String("transport")).toString(QStringLiteral("tcp"));
    info.ip = object.value(QLatin1String("ip")).toString(QStringLiteral("127.0.0.1"));
    info.shellPort = object.value(QLatin1String("shell_port")).toInt();
    info.iopubPort = object.value(QLatin1String("iopub_port")).toInt();
    info.stdinPort = object.value(QLatin1String("stdin_port")).toInt();
    info.controlPort = object.value(QLatin1String("control_port")).toInt();
    info.hbPort = object.value(QLatin1String("hb_port")).toInt();
    info.key = object.value(QLatin1String("key")).toString().toLatin1();
    info.signatureScheme = object.value(QLatin1String("signature_scheme")).toString(QStringLiteral("hmac-sha256"));
    return info;
}

ConnectionInfo ConnectionInfo::allocate()
{
    ConnectionInfo info;
    // Hold all five listeners open at once so that the ports differ, then release them for the kernel.
    QTcpServer servers[5];
    int ports[5] = {};
    for (int i = 0; i < 5; ++i) {
        if (!servers[i].listen(QHostAddress::LocalHost, 0))
            throw Error(tr("cannot find a free loopback port for the kernel: %1").arg(servers[i].errorString()));
        ports[i] = servers[i].serverPort();
    }
    info.shellPort = ports[0];
    info.iopubPort = ports[1];
    info.stdinPort = ports[2];
    info.controlPort = ports[3];
    info.hbPort = ports[4];
    quint32 random[8];
    QRandomGenerator::system()->fillRange(random);
    info.key = QByteArray(reinterpret_cast<const char *>(random), sizeof random).toHex();
    return info;
}

QString ConnectionInfo::endpoint(int port) const
{
    return QStringLiteral("%1://%2:%3").arg(transport, ip).arg(port);
}

// ---- MessageSigner

QByteArray MessageSigner::sign(const QList<QByteArray> &parts) const
{
    if (m_key.isEmpty())
        return {};
    QByteArray data;
    qsizetype size = 0;
    for (const QByteArray &part : parts)
        size += part.size();
    data.reserve(size);
    for (const QByteArray &part : parts)
        data.append(part);
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int length = 0;
    HMAC(EVP_sha256(), m_key.constData(), int(m_key.size()), reinterpret_cast<const unsigned char *>(data.constData()),
         size_t(data.size()), digest, &length);
    return QByteArray(reinterpret_cast<const char *>(digest), int(length)).toHex();
}

bool MessageSigner::verify(const QByteArray &signature, const QList<QByteArray> &parts) const
{
    if (m_key.isEmpty())
        return true;
    const QByteArray expected = sign(parts);
    return signature.size() == expected.size() && CRYPTO_memcmp(signature.constData(), expected.constData(), size_t(expected.size())) == 0;
}

// ---- the socket thread

class KernelClient::Io
{
public:
    Io(KernelClient *owner, const ConnectionInfo &info, const QByteArray &session, const MessageSigner &signer,
       int hbIntervalMs, int hbMisses, int generation)
        : m_owner(owner), m_info(info), m_session(session), m_signer(signer), m_hbIntervalMs(hbIntervalMs),
          m_hbMisses(hbMisses), m_generation(generation), m_command(m_context, zmq::socket_type::pair)
    {
        m_address = QStringLiteral("inproc://cairn-kernel-%1").arg(quintptr(this), 0, 16).toStdString();
        m_command.set(zmq::sockopt::linger, 0);
        m_command.bind(m_address);
        m_thread = std::thread([this] { run(); });
    }

    ~Io()
    {
        sendCommand(CmdQuit, {});
        m_thread.join();
    }

    void sendCommand(char command, const QList<QByteArray> &frames)
    {
        std::lock_guard<std::mutex> lock(m_mutex);
        std::vector<zmq::const_buffer> parts;
        parts.reserve(frames.size() + 1);
        parts.emplace_back(&command, 1);
        for (const QByteArray &frame : frames)
            parts.emplace_back(frame.constData(), size_t(frame.size()));
        zmq::send_multipart(m_command, parts);
    }

private:
    void run()
    {
        zmq::socket_t command(m_context, zmq::socket_type::pair);
        command.set(zmq::sockopt::linger, 0);
        command.connect(m_address);
        // shell, control and stdin share the session as routing id: ipykernel sends input_request
        // to the stdin peer whose identity matches the shell request's.
        auto dealer = [this] {
            zmq::socket_t socket(m_context, zmq::socket_type::dealer);
            socket.set(zmq::sockopt::linger, 0);
            socket.set(zmq::sockopt::routing_id, zmq::const_buffer(m_session.constData(), size_t(m_session.size())));
            return socket;
        };
        zmq::socket_t shell = dealer();
        zmq::socket_t control = dealer();
        zmq::socket_t stdinSocket = dealer();
        zmq::socket_t iopub(m_context, zmq::socket_type::sub);
        iopub.set(zmq::sockopt::linger, 0);
        iopub.set(zmq::sockopt::subscribe, "");
        shell.connect(m_info.endpoint(m_info.shellPort).toStdString());
        control.connect(m_info.endpoint(m_info.controlPort).toStdString());
        stdinSocket.connect(m_info.endpoint(m_info.stdinPort).toStdString());
        iopub.connect(m_info.endpoint(m_info.iopubPort).toStdString());
        std::unique_ptr<zmq::socket_t> hb;
        auto newHeartbeat = [&] {
            hb = std::make_unique<zmq::socket_t>(m_context, zmq::socket_type::req);
            hb->set(zmq::sockopt::linger, 0);
            hb->connect(m_info.endpoint(m_info.hbPort).toStdString());
        };
        newHeartbeat();

        using Clock = std::chrono::steady_clock;
        bool heartbeatOn = false;
        bool waitingForPong = false;
        bool reportedLost = false;
        int missed = 0;
        Clock::time_point nextPing = Clock::now();
        std::vector<zmq::message_t> frames;

        while (true) {
            zmq::pollitem_t items[] = {
                {command.handle(), 0, ZMQ_POLLIN, 0},  {shell.handle(), 0, ZMQ_POLLIN, 0},
                {iopub.handle(), 0, ZMQ_POLLIN, 0},    {stdinSocket.handle(), 0, ZMQ_POLLIN, 0},
                {control.handle(), 0, ZMQ_POLLIN, 0},  {hb->handle(), 0, ZMQ_POLLIN, 0},
            };
            auto timeout = std::chrono::milliseconds(-1);
            if (heartbeatOn && !reportedLost)
                timeout = std::max(std::chrono::milliseconds(0),
                                   std::chrono::duration_cast<std::chrono::milliseconds>(nextPing - Clock::now()));
            try {
                zmq::poll(items, 6, timeout);
            } catch (const zmq::error_t &e) {
                if (e.num() == EINTR)
                    continue;
                qCWarning(lcKernel) << "poll failed:" << e.what();
                return;
            }
            if (items[0].revents & ZMQ_POLLIN) {
                frames.clear();
                if (zmq::recv_multipart(command, std::back_inserter(frames)) && !frames.empty()) {
                    const char cmd = *static_cast<const char *>(frames.front().data());
                    if (cmd == CmdQuit)
                        return;
                    if (cmd == CmdHeartbeatOn) {
                        heartbeatOn = true;
                        nextPing = Clock::now();
                    } else {
                        zmq::socket_t &target = cmd == CmdShell ? shell : cmd == CmdControl ? control : stdinSocket;
                        std::vector<zmq::const_buffer> out;
                        for (size_t i = 1; i < frames.size(); ++i)
                            out.emplace_back(frames[i].data(), frames[i].size());
                        zmq::send_multipart(target, out);
                    }
                }
            }
            drain(shell, items[1].revents, KernelChannel::Shell, frames);
            drain(iopub, items[2].revents, KernelChannel::IOPub, frames);
            drain(stdinSocket, items[3].revents, KernelChannel::Stdin, frames);
            drain(control, items[4].revents, KernelChannel::Control, frames);
            if (items[5].revents & ZMQ_POLLIN) {
                zmq::message_t pong;
                if (hb->recv(pong, zmq::recv_flags::dontwait)) {
                    waitingForPong = false;
                    missed = 0;
                }
            }
            if (heartbeatOn && !reportedLost && Clock::now() >= nextPing) {
                if (waitingForPong) {
                    // A REQ socket that lost its reply cannot send again: make a new one.
                    ++missed;
                    newHeartbeat();
                    if (missed >= m_hbMisses) {
                        reportedLost = true;
                        KernelClient *owner = m_owner;
                        const int generation = m_generation;
                        QMetaObject::invokeMethod(owner, [owner, generation] {
                            if (owner->m_generation == generation)
                                owner->handleHeartbeatLost();
                        }, Qt::QueuedConnection);
                        continue;
                    }
                }
                hb->send(zmq::str_buffer("ping"), zmq::send_flags::dontwait);
                waitingForPong = true;
                nextPing = Clock::now() + std::chrono::milliseconds(m_hbIntervalMs);
            }
        }
    }

    void drain(zmq::socket_t &socket, short revents, KernelChannel channel, std::vector<zmq::message_t> &frames)
    {
        if (!(revents & ZMQ_POLLIN))
            return;
        while (true) {
            frames.clear();
            if (!zmq::recv_multipart(socket, std::back_inserter(frames), zmq::recv_flags::dontwait))
                return;
            deliver(channel, frames);
        }
    }

    void deliver(KernelChannel channel, const std::vector<zmq::message_t> &frames)
    {
        size_t delimiter = 0;
        while (delimiter < frames.size() && frames[delimiter].to_string_view() != std::string_view("<IDS|MSG>"))
            ++delimiter;
        auto reject = [&](const QString &reason) {
            KernelClient *owner = m_owner;
            const int generation = m_generation;
            QMetaObject::invokeMethod(owner, [owner, generation, reason] {
                if (owner->m_generation == generation)
                    owner->handleInvalid(reason);
            }, Qt::QueuedConnection);
        };
        if (delimiter + 5 >= frames.size()) {
            reject(tr("a message without the <IDS|MSG> delimiter and four parts"));
            return;
        }
        auto bytes = [&](size_t i) {
            return QByteArray(static_cast<const char *>(frames[i].data()), qsizetype(frames[i].size()));
        };
        const QByteArray signature = bytes(delimiter + 1);
        const QList<QByteArray> parts = {bytes(delimiter + 2), bytes(delimiter + 3), bytes(delimiter + 4), bytes(delimiter + 5)};
        if (!m_signer.verify(signature, parts)) {
            reject(tr("a message with a bad signature"));
            return;
        }
        KernelMessage message;
        message.channel = channel;
        message.header = QJsonDocument::fromJson(parts[0]).object();
        message.parentHeader = QJsonDocument::fromJson(parts[1]).object();
        message.metadata = QJsonDocument::fromJson(parts[2]).object();
        message.content = QJsonDocument::fromJson(parts[3]).object();
        for (size_t i = delimiter + 6; i < frames.size(); ++i)
            message.buffers.append(bytes(i));
        if (message.type().isEmpty()) {
            reject(tr("a message without a msg_type"));
            return;
        }
        KernelClient *owner = m_owner;
        const int generation = m_generation;
        QMetaObject::invokeMethod(owner, [owner, generation, message] {
            if (owner->m_generation == generation)
                owner->handleMessage(message);
        }, Qt::QueuedConnection);
    }

    KernelClient *m_owner;
    ConnectionInfo m_info;
    QByteArray m_session;
    MessageSigner m_signer;
    int m_hbIntervalMs;
    int m_hbMisses;
    int m_generation;
    zmq::context_t m_context{1};
    zmq::socket_t m_command;
    std::string m_address;
    std::mutex m_mutex;
    std::thread m_thread;
};

// ---- KernelClient

KernelClient::KernelClient(QObject *parent)
    : QObject(parent), m_session(newId()), m_username(qEnvironmentVariable("USER", QStringLiteral("cairn")))
{
    qRegisterMetaType<cairn::KernelMessage>();
}

KernelClient::~KernelClient()
{
    if (m_process && m_process->state() != QProcess::NotRunning)
        shutdown(1000);
    closeSockets();
    if (!m_connectionFile.isEmpty())
        QFile::remove(m_connectionFile);
}

qint64 KernelClient::processId() const
{
    return m_process ? m_process->processId() : 0;
}

void KernelClient::setHeartbeat(int intervalMs, int misses)
{
    m_hbIntervalMs = qMax(10, intervalMs);
    m_hbMisses = qMax(1, misses);
}

void KernelClient::setState(State state)
{
    if (m_state == state)
        return;
    m_state = state;
    Q_EMIT stateChanged(state);
}

void KernelClient::start(const KernelSpec &spec, const KernelLaunchOptions &options)
{
    if (m_process && m_process->state() != QProcess::NotRunning)
        shutdown();
    m_spec = spec;
    m_options = options;
    m_restarting = false;
    launch();
}

void KernelClient::launch()
{
    closeSockets();
    if (m_process) {
        m_process->disconnect(this);
        m_process->deleteLater();
        m_process = nullptr;
    }
    if (!m_connectionFile.isEmpty())
        QFile::remove(m_connectionFile);
    m_info = ConnectionInfo::allocate();
    m_signer = MessageSigner(m_info.key);
    m_connectionFile = QDir::temp().filePath(QStringLiteral("cairn-kernel-%1.json").arg(newId()));
    {
        QFile file(m_connectionFile);
        if (!file.open(QIODevice::WriteOnly))
            throw Error(tr("cannot write the kernel connection file %1: %2").arg(m_connectionFile, file.errorString()));
        file.setPermissions(QFile::ReadOwner | QFile::WriteOwner);
        QJsonObject json = m_info.toJson();
        json[QStringLiteral("kernel_name")] = m_spec.name;
        file.write(QJsonDocument(json).toJson());
    }

    const QStringList command = m_spec.commandLine(m_connectionFile);
    if (command.isEmpty())
        throw Error(tr("the kernelspec %1 has no command").arg(m_spec.name));
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    for (auto it = m_spec.env.begin(); it != m_spec.env.end(); ++it)
        env.insert(it.key(), it.value());
    for (auto it = m_options.environment.begin(); it != m_options.environment.end(); ++it)
        env.insert(it.key(), it.value());
    if (!m_options.pythonPath.isEmpty()) {
        QStringList path = m_options.pythonPath;
        const QString existing = env.value(QStringLiteral("PYTHONPATH"));
        if (!existing.isEmpty())
            path.append(existing);
        env.insert(QStringLiteral("PYTHONPATH"), path.join(QDir::listSeparator()));
    }

    m_process = new QProcess(this);
    m_process->setProcessEnvironment(env);
    if (!m_options.workingDirectory.isEmpty())
        m_process->setWorkingDirectory(m_options.workingDirectory);
    QProcess *process = m_process;
    connect(process, &QProcess::finished, this, [this, process](int code, QProcess::ExitStatus status) {
        if (process == m_process)
            handleProcessFinished(code, status);
    });
    connect(process, &QProcess::readyReadStandardError, this, [this, process] {
        const QByteArray data = process->readAllStandardError();
        m_stderrTail = (m_stderrTail + data).right(4096);
        Q_EMIT processOutput(QString::fromLocal8Bit(data));
    });
    connect(process, &QProcess::readyReadStandardOutput, this, [this, process] {
        Q_EMIT processOutput(QString::fromLocal8Bit(process->readAllStandardOutput()));
    });
    // The kernel gets its own session, as jupyter_client starts it: ipykernel answers an
    // interrupt_request by signalling its whole process group, which must not include us.
    m_process->setChildProcessModifier([] { ::setsid(); });
    m_stderrTail.clear();
    m_expectingExit = false;
    m_process->start(command.first(), command.mid(1));
    if (!m_process->waitForStarted(15000)) {
        const QString reason = m_process->errorString();
        setState(State::Dead);
        throw Error(tr("cannot start the kernel %1 (%2): %3").arg(m_spec.displayName, command.first(), reason));
    }
    qCDebug(lcKernel) << "started kernel" << m_spec.name << "pid" << m_process->processId();
    openSockets();
}

void KernelClient::connectToKernel(const ConnectionInfo &info)
{
    closeSockets();
    m_info = info;
    m_signer = MessageSigner(info.key);
    openSockets();
}

void KernelClient::openSockets()
{
    ++m_generation;
    m_unanswered.clear();
    m_repliedBeforeBusy.clear();
    m_controlRequests.clear();
    m_gotKernelInfo = false;
    m_gotIopub = false;
    m_kernelInfo = {};
    m_io = std::make_unique<Io>(this, m_info, m_session.toUtf8(), m_signer, m_hbIntervalMs, m_hbMisses, m_generation);
    setState(State::Starting);
    m_startupRequest = requestKernelInfo();
}

void KernelClient::closeSockets()
{
    ++m_generation; // whatever the old thread queued is now ignored
    m_io.reset();
}

bool KernelClient::waitForReady(int timeoutMs)
{
    if (isReady())
        return true;
    if (m_state == State::Dead || m_state == State::NotStarted)
        return false;
    QEventLoop loop;
    QTimer timer;
    timer.setSingleShot(true);
    connect(&timer, &QTimer::timeout, &loop, &QEventLoop::quit);
    connect(this, &KernelClient::ready, &loop, &QEventLoop::quit);
    connect(this, &KernelClient::died, &loop, &QEventLoop::quit);
    timer.start(timeoutMs);
    loop.exec();
    return isReady();
}

QString KernelClient::send(KernelChannel channel, const QString &msgType, const QJsonObject &content, const QJsonObject &parentHeader)
{
    if (!m_io)
        return {};
    const QString id = newId();
    const QJsonObject header{
        {QStringLiteral("msg_id"), id},
        {QStringLiteral("msg_type"), msgType},
        {QStringLiteral("username"), m_username},
        {QStringLiteral("session"), m_session},
        {QStringLiteral("date"), QDateTime::currentDateTimeUtc().toString(Qt::ISODateWithMs)},
        {QStringLiteral("version"), QLatin1String(kProtocolVersion)},
    };
    const QList<QByteArray> parts = {compact(header), compact(parentHeader), QByteArrayLiteral("{}"), compact(content)};
    QList<QByteArray> frames{kDelimiter, m_signer.sign(parts)};
    frames.append(parts);
    const char command = channel == KernelChannel::Control ? CmdControl : channel == KernelChannel::Stdin ? CmdStdin : CmdShell;
    if (channel == KernelChannel::Control)
        m_controlRequests.insert(id);
    m_io->sendCommand(command, frames);
    return id;
}

QString KernelClient::execute(const QString &code, bool silent, bool storeHistory, bool allowStdin, bool stopOnError)
{
    return send(KernelChannel::Shell, QStringLiteral("execute_request"),
                QJsonObject{{QStringLiteral("code"), code},
                            {QStringLiteral("silent"), silent},
                            {QStringLiteral("store_history"), storeHistory},
                            {QStringLiteral("user_expressions"), QJsonObject()},
                            {QStringLiteral("allow_stdin"), allowStdin},
                            {QStringLiteral("stop_on_error"), stopOnError}});
}

QString KernelClient::complete(const QString &code, int cursorPos)
{
    return send(KernelChannel::Shell, QStringLiteral("complete_request"),
                QJsonObject{{QStringLiteral("code"), code}, {QStringLiteral("cursor_pos"), cursorPos}});
}

QString KernelClient::inspect(const QString &code, int cursorPos, int detailLevel)
{
    return send(KernelChannel::Shell, QStringLiteral("inspect_request"),
                QJsonObject{{QStringLiteral("code"), code},
                            {QStringLiteral("cursor_pos"), cursorPos},
                            {QStringLiteral("detail_level"), detailLevel}});
}

QString KernelClient::requestKernelInfo()
{
    return send(KernelChannel::Shell, QStringLiteral("kernel_info_request"), {});
}

void KernelClient::sendInputReply(const QString &value)
{
    send(KernelChannel::Stdin, QStringLiteral("input_reply"), QJsonObject{{QStringLiteral("value"), value}},
         m_lastInputRequestHeader);
}

void KernelClient::handleMessage(const KernelMessage &message)
{
    const QString type = message.type();
    if (message.channel == KernelChannel::IOPub) {
        if (type == QLatin1String("status")) {
            const QString state = message.content.value(QLatin1String("execution_state")).toString();
            const QString parentType = message.parentHeader.value(QLatin1String("msg_type")).toString();
            // ipykernel reports busy/idle for control requests too (from its control thread):
            // an interrupt's "idle" arrives while the cell still runs, and says nothing of it.
            const bool control = m_controlRequests.contains(message.parentId());
            if (control && state == QLatin1String("idle"))
                m_controlRequests.remove(message.parentId());
            if (isReady() && !control) {
                if (state == QLatin1String("busy"))
                    setState(State::Busy);
                else if (state == QLatin1String("idle"))
                    setState(State::Idle);
            }
            if (parentType == QLatin1String("execute_request")) {
                if (state == QLatin1String("busy") && !m_repliedBeforeBusy.contains(message.parentId()))
                    m_unanswered.insert(message.parentId());
                else if (state == QLatin1String("idle") && !m_repliedBeforeBusy.remove(message.parentId())
                         && m_unanswered.contains(message.parentId()))
                    checkReplied(message);
            }
        }
        if (m_state == State::Starting)
            m_gotIopub = true;
    }
    if (message.channel == KernelChannel::Shell && type == QLatin1String("kernel_info_reply")) {
        m_kernelInfo = message.content;
        m_gotKernelInfo = true;
    }
    if (message.channel == KernelChannel::Shell && type == QLatin1String("execute_reply") && !m_unanswered.remove(message.parentId()))
        m_repliedBeforeBusy.insert(message.parentId());
    if (message.channel == KernelChannel::Control && type == QLatin1String("interrupt_reply") && message.parentId() == m_interruptRequest
        && !m_interruptTarget.isEmpty()) {
        // ipykernel answers interrupt_request after signalling its own process group; now and
        // then (2 in 60 message-mode interrupts of a sleeping cell on a loaded machine) the cell
        // sleeps on: a SIGINT handled just before time.sleep()'s system call is lost to it
        // (CPython checks again only on EINTR; docs/development.md). A cell still running 3 s
        // after the acknowledgement is interrupted once more, as a user would.
        const QString request = m_interruptRequest, target = m_interruptTarget;
        const int generation = m_generation;
        m_interruptTarget.clear();
        QTimer::singleShot(kInterruptAgainMs, this, [this, request, target, generation] {
            if (generation != m_generation || m_interruptRequest != request || !m_unanswered.contains(target))
                return;
            qCInfo(lcKernel) << "the cell still runs" << kInterruptAgainMs << "ms after the kernel acknowledged the interrupt: interrupting again";
            m_interruptRequest = send(KernelChannel::Control, QStringLiteral("interrupt_request"), {});
        });
    }
    if (message.channel == KernelChannel::Stdin && type == QLatin1String("input_request"))
        m_lastInputRequestHeader = message.header;

    if (m_state == State::Starting && m_gotKernelInfo) {
        if (m_gotIopub) {
            setState(State::Idle);
            if (m_io)
                m_io->sendCommand(CmdHeartbeatOn, {});
            const bool wasRestart = m_restarting;
            m_restarting = false;
            Q_EMIT ready();
            if (wasRestart)
                Q_EMIT restarted();
        } else if (message.channel == KernelChannel::Shell && type == QLatin1String("kernel_info_reply")) {
            // iopub subscriptions take a moment to reach the kernel: ask again until one of its
            // status messages arrives (what jupyter_client's nudge does).
            const int generation = m_generation;
            QTimer::singleShot(100, this, [this, generation] {
                if (generation == m_generation && m_state == State::Starting && !m_gotIopub)
                    m_startupRequest = requestKernelInfo();
            });
        }
    }

    Q_EMIT messageReceived(message);
    switch (message.channel) {
    case KernelChannel::IOPub: Q_EMIT iopubMessage(message); break;
    case KernelChannel::Shell: Q_EMIT shellReply(message); break;
    case KernelChannel::Control: Q_EMIT controlReply(message); break;
    case KernelChannel::Stdin:
        if (type == QLatin1String("input_request"))
            Q_EMIT inputRequested(message.content.value(QLatin1String("prompt")).toString(),
                                  message.content.value(QLatin1String("password")).toBool(), message);
        break;
    case KernelChannel::Heartbeat: break;
    }
}

// An interrupt that reaches ipykernel while it handles an execute_request outside the cell's own
// code (before the code starts or after it ended) ends the handler with "KeyboardInterrupt caught
// in kernel": it publishes idle but never sends the execute_reply, and a client waiting for the
// reply would wait for ever. The reply is sent before the idle status (shell socket, then the
// iopub thread), so one still missing a while after the idle will not come: make it up.
void KernelClient::checkReplied(const KernelMessage &idle)
{
    const int generation = m_generation;
    QTimer::singleShot(kMissingReplyGraceMs, this, [this, idle, generation] {
        if (generation != m_generation || !m_unanswered.remove(idle.parentId()))
            return;
        qCWarning(lcKernel) << "no execute_reply for" << idle.parentId() << "after its idle status: the kernel was interrupted outside the cell";
        KernelMessage reply;
        reply.channel = KernelChannel::Shell;
        reply.header = QJsonObject{{QStringLiteral("msg_id"), newId()},
                                   {QStringLiteral("msg_type"), QStringLiteral("execute_reply")},
                                   {QStringLiteral("session"), idle.header.value(QLatin1String("session"))},
                                   {QStringLiteral("version"), QLatin1String(kProtocolVersion)}};
        reply.parentHeader = idle.parentHeader;
        reply.content = QJsonObject{{QStringLiteral("status"), QStringLiteral("error")},
                                    {QStringLiteral("ename"), QStringLiteral("KeyboardInterrupt")},
                                    {QStringLiteral("evalue"), tr("interrupted before or after the cell's code ran; the kernel sent no reply")},
                                    {QStringLiteral("traceback"), QJsonArray()},
                                    {QStringLiteral("execution_count"), QJsonValue::Null}};
        Q_EMIT messageReceived(reply);
        Q_EMIT shellReply(reply);
    });
}

void KernelClient::handleInvalid(const QString &reason)
{
    ++m_invalidCount;
    qCWarning(lcKernel).noquote() << "dropped" << reason << "from kernel" << m_spec.name;
    Q_EMIT invalidMessage(reason);
}

void KernelClient::handleHeartbeatLost()
{
    if (m_state == State::Dead || m_restarting)
        return;
    markDead(tr("The kernel stopped answering its heartbeat (%1 s without a reply).")
                 .arg(double(m_hbIntervalMs) * m_hbMisses / 1000.0, 0, 'g', 3));
}

void KernelClient::handleProcessFinished(int exitCode, QProcess::ExitStatus status)
{
    if (m_restarting) {
        launch();
        return;
    }
    if (m_expectingExit) {
        closeSockets();
        setState(State::Dead);
        return;
    }
    QString reason = status == QProcess::CrashExit ? tr("The kernel died (killed by a signal).")
                                                   : tr("The kernel exited unexpectedly (exit code %1).").arg(exitCode);
    const QList<QByteArray> lines = m_stderrTail.trimmed().split('\n');
    if (!lines.isEmpty() && lines.last().contains("Error"))
        reason += QLatin1Char(' ') + QString::fromLocal8Bit(lines.last().trimmed());
    markDead(reason);
}

void KernelClient::markDead(const QString &reason)
{
    qCWarning(lcKernel).noquote() << reason;
    closeSockets();
    setState(State::Dead);
    Q_EMIT died(reason);
}

void KernelClient::interrupt()
{
    if (m_spec.interruptMode == QLatin1String("message") || !m_process || m_process->state() != QProcess::Running) {
        m_interruptRequest = send(KernelChannel::Control, QStringLiteral("interrupt_request"), {});
        m_interruptTarget = m_unanswered.isEmpty() ? QString() : *m_unanswered.cbegin();
        return;
    }
    const QString target = m_unanswered.isEmpty() ? QString() : *m_unanswered.cbegin();
    ::kill(pid_t(m_process->processId()), SIGINT);
    if (target.isEmpty())
        return;
    // The same window as for a message-mode interrupt (docs/development.md): a cell still
    // running 3 s later, and still the only one, gets SIGINT once more.
    const int generation = m_generation;
    QTimer::singleShot(kInterruptAgainMs, this, [this, target, generation] {
        if (generation != m_generation || !m_unanswered.contains(target) || m_unanswered.size() != 1 || !m_process
            || m_process->state() != QProcess::Running)
            return;
        qCInfo(lcKernel) << "the cell still runs" << kInterruptAgainMs << "ms after SIGINT: interrupting again";
        ::kill(pid_t(m_process->processId()), SIGINT);
    });
}

void KernelClient::restart()
{
    if (!m_spec.isValid())
        return;
    m_restarting = true;
    setState(State::Restarting);
    if (!m_process || m_process->state() == QProcess::NotRunning) {
        try {
            launch();
        } catch (const Error &e) {
            m_restarting = false;
            markDead(e.message());
        }
        return;
    }
    // The kernel exits on shutdown_request; one that does not (hung, stopped) is killed.
    m_expectingExit = true;
    if (m_io)
        send(KernelChannel::Control, QStringLiteral("shutdown_request"), QJsonObject{{QStringLiteral("restart"), true}});
    else
        m_process->kill();
    QPointer<QProcess> process = m_process;
    QTimer::singleShot(2000, this, [process] {
        if (process && process->state() != QProcess::NotRunning)
            process->kill();
    });
}

void KernelClient::shutdown(int graceMs)
{
    m_restarting = false;
    m_expectingExit = true;
    if (m_process && m_process->state() != QProcess::NotRunning) {
        if (m_io && m_state != State::Dead)
            send(KernelChannel::Control, QStringLiteral("shutdown_request"), QJsonObject{{QStringLiteral("restart"), false}});
        if (!m_process->waitForFinished(graceMs)) {
            m_process->kill();
            m_process->waitForFinished(2000);
        }
    } else if (m_io && !m_process) {
        send(KernelChannel::Control, QStringLiteral("shutdown_request"), QJsonObject{{QStringLiteral("restart"), false}});
    }
    closeSockets();
    if (!m_connectionFile.isEmpty()) {
        QFile::remove(m_connectionFile);
        m_connectionFile.clear();
    }
    setState(State::Dead);
}

} // namespace cairn
