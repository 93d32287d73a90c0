#pragma once
// Helpers for the endpoint tests: a `cairn serve` process, curl, and a small keep-alive HTTP/1.1
// client for load (each thread its own socket) — all against the real server.

#include "clirunner.h"

#include <QElapsedTimer>
#include <QFile>
#include <QProcess>
#include <QRegularExpression>
#include <QTcpSocket>
#include <QTemporaryFile>
#include <QThread>

#include <atomic>
#include <csignal>
#include <memory>

struct HttpAnswer
{
    int status = 0;
    QByteArray body;
    QByteArray headers; ///< raw header block (lower-cased)
    QByteArray header(const QByteArray &lowerName) const
    {
        for (const QByteArray &line : headers.split('\n'))
            if (line.startsWith(lowerName + ':'))
                return line.mid(lowerName.size() + 1).trimmed();
        return {};
    }
};

/// A `cairn serve` process; the port is read from its start-up line.
class ServeProcess
{
public:
    ~ServeProcess() { kill(); }

    bool start(const QString &workspace, const QStringList &args, QString *why)
    {
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.remove(QStringLiteral("CAIRN_WORKSPACE"));
        m_process.setProcessEnvironment(env);
        m_process.setReadChannel(QProcess::StandardError);
        m_process.start(QStringLiteral(CAIRN_CLI_PATH), QStringList{QStringLiteral("--workspace"), workspace, QStringLiteral("serve"),
                                                                    QStringLiteral("--port"), QStringLiteral("0")} + args);
        QElapsedTimer t;
        t.start();
        static const QRegularExpression re(QStringLiteral(" on http://[^:]+:(\\d+) "));
        while (t.elapsed() < 60000) {
            m_process.waitForReadyRead(100);
            m_err += m_process.readAllStandardError();
            const QRegularExpressionMatch m = re.match(QString::fromUtf8(m_err));
            if (m.hasMatch()) {
                port = quint16(m.captured(1).toUInt());
                return true;
            }
            if (m_process.state() == QProcess::NotRunning)
                break;
        }
        *why = QString::fromUtf8(m_err);
        return false;
    }
    QByteArray stderrText()
    {
        m_err += m_process.readAllStandardError();
        return m_err;
    }
    qint64 pid() const { return m_process.processId(); }
    void signal(int s) { ::kill(pid_t(m_process.processId()), s); }
    bool waitForExit(int ms = 30000) { return m_process.waitForFinished(ms); }
    int exitCode() const { return m_process.exitStatus() == QProcess::NormalExit ? m_process.exitCode() : -1; }
    void kill()
    {
        if (m_process.state() != QProcess::NotRunning) {
            m_process.terminate();
            if (!m_process.waitForFinished(15000)) {
                m_process.kill();
                m_process.waitForFinished();
            }
        }
    }
    quint16 port = 0;

private:
    QProcess m_process;
    QByteArray m_err;
};

/// One request with curl; `body` goes through a file so that large bodies work.
inline HttpAnswer curl(quint16 port, const QByteArray &method, const QByteArray &path, const QByteArray &body = {},
                       const QList<QByteArray> &headers = {}, const QStringList &extra = {})
{
    QTemporaryFile bodyFile, headerFile;
    bodyFile.open();
    bodyFile.write(body);
    bodyFile.flush();
    headerFile.open();
    QStringList args{QStringLiteral("-s"), QStringLiteral("-S"), QStringLiteral("-X"), QString::fromLatin1(method),
                     QStringLiteral("-D"), headerFile.fileName(), QStringLiteral("-w"), QStringLiteral("\n%{http_code}")};
    if (!body.isEmpty() || method == "POST")
        args << QStringLiteral("--data-binary") << (QStringLiteral("@") + bodyFile.fileName());
    for (const QByteArray &h : headers)
        args << QStringLiteral("-H") << QString::fromUtf8(h);
    args << extra << QStringLiteral("http://127.0.0.1:%1%2").arg(port).arg(QString::fromUtf8(path));
    QProcess p;
    p.start(QStringLiteral("curl"), args);
    p.waitForFinished(120000);
    QByteArray out = p.readAllStandardOutput();
    HttpAnswer a;
    const qsizetype nl = out.lastIndexOf('\n');
    a.status = out.mid(nl + 1).toInt();
    a.body = out.left(nl);
    headerFile.seek(0);
    a.headers = headerFile.readAll().toLower().replace('\r', "");
    return a;
}

/// A blocking HTTP/1.1 keep-alive client on one socket (use one per thread).
class KeepAliveClient
{
public:
    explicit KeepAliveClient(quint16 port) : m_port(port) {}

    /// status 0 when the connection failed.
    /// `sent`, when given, is counted up once the whole request is written.
    HttpAnswer post(const QByteArray &path, const QByteArray &contentType, const QByteArray &body, const QByteArray &extraHeaders = {},
                    std::atomic<int> *sent = nullptr)
    {
        HttpAnswer a;
        if (!m_socket || m_socket->state() != QAbstractSocket::ConnectedState) {
            m_socket = std::make_unique<QTcpSocket>();
            m_socket->connectToHost(QStringLiteral("127.0.0.1"), m_port);
            if (!m_socket->waitForConnected(10000))
                return a;
            m_buffer.clear();
        }
        const QByteArray req = "POST " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: " + contentType
            + "\r\nContent-Length: " + QByteArray::number(body.size()) + "\r\n" + extraHeaders + "\r\n" + body;
        m_socket->write(req);
        while (m_socket->bytesToWrite() > 0)
            if (!m_socket->waitForBytesWritten(30000))
                return a;
        if (sent)
            ++*sent;
        read(a);
        return a;
    }

private:
    bool read(HttpAnswer &a)
    {
        qsizetype headerEnd = -1;
        while ((headerEnd = m_buffer.indexOf("\r\n\r\n")) < 0) {
            if (!m_socket->waitForReadyRead(30000))
                return false;
            m_buffer += m_socket->readAll();
        }
        const QByteArray head = m_buffer.left(headerEnd);
        a.status = head.mid(9, 3).toInt();
        a.headers = head.toLower().replace('\r', "");
        const qsizetype length = a.header("content-length").toLongLong();
        while (m_buffer.size() < headerEnd + 4 + length) {
            if (!m_socket->waitForReadyRead(30000))
                return false;
            m_buffer += m_socket->readAll();
        }
        a.body = m_buffer.mid(headerEnd + 4, length);
        m_buffer.remove(0, headerEnd + 4 + length);
        if (a.header("connection") == "close")
            m_socket.reset();
        return true;
    }

    quint16 m_port;
    std::unique_ptr<QTcpSocket> m_socket;
    QByteArray m_buffer;
};
