#include "cairn/remote/hostagent.h"

#include "cairn/remote/agentjob.h"
#include "cairn/remote/sshconnection.h"

#include <QCryptographicHash>
#include <QDeadlineTimer>
#include <QFile>
#include <QFileInfo>
#include <QLocalServer>
#include <QLocalSocket>
#include <QPointer>
#include <QProcess>
#include <QRandomGenerator>
#include <QSaveFile>

#include <csignal>

#include <sys/stat.h>
#include <unistd.h>

namespace cairn::remote {

namespace {
constexpr qsizetype kMaxRequest = 16 * 1024 * 1024;
constexpr qsizetype kMaxStderr = 1024 * 1024;
} // namespace

QString hostAgentName(const Host &host)
{
    const QByteArray all = QStringList{host.name, host.hostname, QString::number(host.port), host.user, host.identityFile,
                                       host.sshConfigFile, host.knownHostsFile, host.cairnCommand}
                               .join(QChar(0))
                               .toUtf8();
    return QStringLiteral("a%1-%2").arg(kAgentProtocol).arg(QString::fromLatin1(QCryptographicHash::hash(all, QCryptographicHash::Sha1).toHex().left(16)));
}

QString localAgentSocket(const Host &host)
{
    return SshConnection::controlDir() + QLatin1Char('/') + hostAgentName(host) + QStringLiteral(".sock");
}

QByteArray agentHello()
{
    return "cairn-agent " + QByteArray::number(kAgentProtocol) + '\n';
}

QByteArray agentRequest(const QByteArray &kind, const QByteArray &token, const QString &script, const QStringList &args)
{
    QByteArray request = kind + '\0' + token + '\0' + script.toUtf8();
    for (const QString &a : args)
        request += '\0' + a.toUtf8();
    return QByteArray::number(request.size()) + '\n' + request;
}

QByteArray agentToken()
{
    return "cairn-" + QByteArray::number(QRandomGenerator::system()->generate64(), 16)
           + QByteArray::number(QRandomGenerator::system()->generate64(), 16);
}

AgentRun runOnAgent(const Host &host, const QString &script, const QStringList &args, int timeoutMs)
{
    AgentRun run;
    QString path;
    try {
        path = localAgentSocket(host);
    } catch (const Error &) {
        return run;
    }
    if (!QFileInfo::exists(path))
        return run;
    QLocalSocket socket;
    socket.connectToServer(path);
    if (!socket.waitForConnected(2000))
        return run;
    // The forward accepts at once; the agent behind it (if any) says its protocol.
    QByteArray got;
    const QByteArray hello = agentHello();
    while (got.size() < hello.size() && !got.contains('\n') && socket.waitForReadyRead(5000))
        got += socket.readAll();
    if (!got.startsWith(hello))
        return run;
    run.used = true;
    got.remove(0, hello.size());
    const QByteArray token = agentToken();
    socket.write(agentRequest("sh", token, script, args));
    const QDeadlineTimer deadline(timeoutMs);
    while (socket.state() == QLocalSocket::ConnectedState && !deadline.hasExpired()) {
        if (socket.waitForReadyRead(int(std::min<qint64>(deadline.remainingTime(), 1000))))
            got += socket.readAll();
    }
    got += socket.readAll();
    if (socket.state() == QLocalSocket::ConnectedState) {
        run.timedOut = true; // closing hangs the script up on the host
        socket.abort();
        return run;
    }
    // "TOKEN agent-exit CODE N\n" and N bytes of stderr end the answer.
    const QByteArray marker = token + " agent-exit ";
    const qsizetype at = got.lastIndexOf(marker);
    const qsizetype nl = at < 0 ? -1 : got.indexOf('\n', at);
    const QList<QByteArray> fields = nl < 0 ? QList<QByteArray>() : got.mid(at + marker.size(), nl - at - marker.size()).split(' ');
    bool ok = fields.size() == 2;
    const int code = ok ? fields.at(0).toInt(&ok) : -1;
    const qsizetype length = ok ? fields.at(1).toLongLong(&ok) : -1;
    if (!ok || got.size() - nl - 1 < length) {
        run.lost = true;
        run.out = at < 0 ? got : got.left(at);
        return run;
    }
    run.exitCode = code;
    run.out = got.left(at);
    run.err = got.mid(nl + 1, length);
    return run;
}

struct HostAgent::Client
{
    QByteArray request;
    QPointer<QProcess> process;
    QPointer<AgentJob> job;
    QByteArray token;
    QByteArray err;
};

HostAgent::HostAgent(QString socketPath, int idleExitSeconds, QObject *parent)
    : QObject(parent), m_socketPath(std::move(socketPath))
{
    m_pidPath = m_socketPath.endsWith(QLatin1String(".sock")) ? m_socketPath.chopped(5) + QStringLiteral(".pid") : m_socketPath + QStringLiteral(".pid");
    m_idle.setSingleShot(true);
    m_idle.setInterval(std::max(1, idleExitSeconds) * 1000);
    connect(&m_idle, &QTimer::timeout, this, [this] {
        if (m_clients.isEmpty() && m_scripts == 0)
            Q_EMIT idle();
    });
}

HostAgent::~HostAgent()
{
    for (Client *c : std::as_const(m_clients)) {
        if (c->process && c->process->state() != QProcess::NotRunning)
            ::kill(-pid_t(c->process->processId()), SIGHUP);
        delete c;
    }
    m_clients.clear();
    if (m_server && m_server->isListening()) {
        m_server->close(); // removes the socket file
        QFile pid(m_pidPath);
        if (pid.open(QIODevice::ReadOnly) && pid.readAll().trimmed() == QByteArray::number(qint64(::getpid())))
            QFile::remove(m_pidPath);
    }
}

bool HostAgent::listen(QString *error)
{
    error->clear();
    // The folder must be this user's alone: whoever can reach the socket can run commands as us.
    const QString dir = QFileInfo(m_socketPath).absolutePath();
    struct stat st = {};
    if (::lstat(QFile::encodeName(dir).constData(), &st) != 0 || !S_ISDIR(st.st_mode) || st.st_uid != ::getuid() || (st.st_mode & 077) != 0) {
        *error = QStringLiteral("%1 must be a folder of this user with mode 0700").arg(dir);
        return false;
    }
    {
        QLocalSocket probe;
        probe.connectToServer(m_socketPath);
        if (probe.waitForConnected(2000))
            return false; // another agent serves it
    }
    QLocalServer::removeServer(m_socketPath); // a stale socket left by an agent that was killed
    m_server = new QLocalServer(this);
    m_server->setSocketOptions(QLocalServer::UserAccessOption);
    if (!m_server->listen(m_socketPath)) {
        *error = QStringLiteral("cannot listen on %1: %2").arg(m_socketPath, m_server->errorString());
        return false;
    }
    connect(m_server, &QLocalServer::newConnection, this, &HostAgent::onConnection);
    QSaveFile pid(m_pidPath);
    if (pid.open(QIODevice::WriteOnly)) {
        pid.write(QByteArray::number(qint64(::getpid())) + '\n');
        pid.commit();
    }
    armIdle();
    return true;
}

void HostAgent::armIdle()
{
    if (m_clients.isEmpty() && m_scripts == 0)
        m_idle.start();
}

void HostAgent::onConnection()
{
    while (QLocalSocket *socket = m_server->nextPendingConnection()) {
        m_idle.stop();
        m_clients.insert(socket, new Client);
        connect(socket, &QLocalSocket::readyRead, this, [this, socket] { onRequestBytes(socket); });
        connect(socket, &QLocalSocket::disconnected, this, [this, socket] { closeClient(socket); });
        socket->write("cairn-agent " + QByteArray::number(kAgentProtocol) + '\n');
        // A connection that never sends its request does not keep the agent up.
        QPointer<QLocalSocket> guard(socket);
        QTimer::singleShot(30000, this, [this, guard] {
            if (guard && m_clients.contains(guard) && m_clients.value(guard)->token.isEmpty())
                guard->abort();
        });
    }
}

void HostAgent::onRequestBytes(QLocalSocket *socket)
{
    Client *c = m_clients.value(socket);
    if (!c)
        return;
    const QByteArray bytes = socket->readAll();
    if (!c->token.isEmpty())
        return; // the script reads nothing: stdin is /dev/null
    c->request.append(bytes);
    const qsizetype nl = c->request.indexOf('\n');
    if (nl < 0) {
        if (c->request.size() > 20)
            socket->abort();
        return;
    }
    bool ok = false;
    const qsizetype length = c->request.left(nl).toLongLong(&ok);
    if (!ok || length < 0 || length > kMaxRequest) {
        socket->abort();
        return;
    }
    if (c->request.size() - nl - 1 < length)
        return;
    QList<QByteArray> fields = c->request.mid(nl + 1, length).split('\0');
    c->request.clear();
    if (fields.size() < 3 || (fields.at(0) != "sh" && fields.at(0) != "job") || fields.at(1).isEmpty()) {
        socket->abort();
        return;
    }
    const QByteArray kind = fields.takeFirst();
    c->token = fields.at(0);
    if (kind == "job") {
        auto *job = new AgentJob(fields.mid(2), this);
        c->job = job;
        connect(job, &AgentJob::output, socket, [socket](const QByteArray &bytes) { socket->write(bytes); });
        connect(job, &AgentJob::finished, this, [this, socket, job](int code, const QByteArray &err) {
            job->deleteLater();
            sendExit(socket, code, err);
        });
        if (job->start())
            return;
        c->job = nullptr;
        delete job; // a path it leaves to the script
    }
    runScript(socket, fields);
}

void HostAgent::sendExit(QLocalSocket *socket, int code, const QByteArray &err)
{
    Client *c = m_clients.value(socket);
    if (!c)
        return;
    socket->write(c->token + " agent-exit " + QByteArray::number(code) + ' ' + QByteArray::number(err.size()) + '\n' + err);
    socket->disconnectFromServer(); // after what is written has gone
}

void HostAgent::runScript(QLocalSocket *socket, const QList<QByteArray> &fields)
{
    Client *c = m_clients.value(socket);
    QStringList args{QStringLiteral("-c"), QString::fromUtf8(fields.at(1)), QStringLiteral("sh")};
    for (qsizetype i = 2; i < fields.size(); ++i)
        args << QString::fromUtf8(fields.at(i));
    auto *p = new QProcess(this);
    c->process = p;
    p->setProgram(QStringLiteral("sh"));
    p->setArguments(args);
    ++m_scripts;
    // Counted until the script ends, with or without its client (p as context: closeClient
    // disconnects the agent's other connections).
    connect(p, &QProcess::finished, p, [this] {
        --m_scripts;
        armIdle();
    });
    connect(p, &QProcess::errorOccurred, p, [this](QProcess::ProcessError e) {
        if (e == QProcess::FailedToStart) {
            --m_scripts;
            armIdle();
        }
    });
    p->setStandardInputFile(QProcess::nullDevice());
    // A process group of its own, so that a dropped connection hangs up the script as sshd's
    // closing its pipes would; the workers it starts are in sessions of their own and run on.
    p->setChildProcessModifier([] {
        ::setpgid(0, 0);
        ::signal(SIGPIPE, SIG_DFL);
        ::signal(SIGHUP, SIG_DFL);
    });
    connect(p, &QProcess::readyReadStandardOutput, socket, [socket, p] { socket->write(p->readAllStandardOutput()); });
    connect(p, &QProcess::readyReadStandardError, this, [this, socket, p] {
        Client *c = m_clients.value(socket);
        if (!c)
            return;
        c->err.append(p->readAllStandardError());
        if (c->err.size() > kMaxStderr)
            c->err.remove(0, c->err.size() - kMaxStderr);
    });
    auto end = [this, socket, p](int code, const QByteArray &message) {
        Client *c = m_clients.value(socket);
        if (!c || c->process != p)
            return;
        socket->write(p->readAllStandardOutput());
        c->err.append(p->readAllStandardError());
        c->err.append(message);
        c->process = nullptr;
        p->deleteLater();
        sendExit(socket, code, c->err);
    };
    connect(p, &QProcess::finished, this, [end](int code, QProcess::ExitStatus status) {
        // As ssh says a command killed by a signal: 255.
        end(status == QProcess::CrashExit ? 255 : code, {});
    });
    connect(p, &QProcess::errorOccurred, this, [end, p](QProcess::ProcessError e) {
        if (e == QProcess::FailedToStart)
            end(127, "cairn agent: cannot run sh: " + p->errorString().toUtf8() + '\n');
    });
    p->start();
}

void HostAgent::closeClient(QLocalSocket *socket)
{
    Client *c = m_clients.take(socket);
    socket->deleteLater();
    if (!c)
        return;
    delete c->job; // the worker it started runs on in its own session
    if (QProcess *p = c->process) {
        // The client went away while the script runs: hang it up (then kill it if it lingers).
        p->disconnect(this);
        p->disconnect(socket);
        const pid_t group = pid_t(p->processId());
        if (group > 0)
            ::kill(-group, SIGHUP);
        QTimer::singleShot(5000, p, [p, group] {
            if (p->state() != QProcess::NotRunning)
                ::kill(-group, SIGKILL);
        });
        connect(p, &QProcess::finished, p, &QObject::deleteLater);
    }
    delete c;
    armIdle();
}

} // namespace cairn::remote
