#pragma once

#include <QByteArray>
#include <QString>

#include <atomic>
#include <functional>
#include <memory>
#include <utility>
#include <vector>

namespace cairn::serving {

/// One HTTP/1.1 request as the server read it.
struct HttpRequest
{
    QByteArray method;
    QByteArray path;   ///< without the query string
    QByteArray query;
    std::vector<std::pair<QByteArray, QByteArray>> headers; ///< names lower-case
    QByteArray body;

    /// The value of header `lowerName` (empty when absent).
    QByteArray header(const char *lowerName) const;
};

/// What a handler answers.
struct HttpResponse
{
    int status = 200;
    QByteArray contentType;
    QByteArray body;
    std::vector<std::pair<QByteArray, QByteArray>> headers; ///< extra headers

    void setJsonError(int status, const QString &message);
};

/// A small HTTP/1.1 server for model endpoints: keep-alive, one epoll loop per worker thread
/// sharing one listening socket (EPOLLEXCLUSIVE, so an idle loop takes the next connection),
/// requests answered on the loop that read them. Bodies over `inlineBodyBytes` run on a
/// separate pool so that a large batch never delays the small requests (/ping) behind it.
/// Linux only (epoll). The handler is called from several threads at once.
class HttpServer
{
public:
    using Handler = std::function<void(const HttpRequest &, HttpResponse &)>;

    struct Options
    {
        QString host = QStringLiteral("127.0.0.1");
        quint16 port = 8080;      ///< 0: any free port (see port())
        int threads = 2;
        qint64 maxBodyBytes = 6 * 1024 * 1024; ///< larger bodies get 413
        qint64 inlineBodyBytes = 256 * 1024;
    };

    HttpServer(Handler handler, Options options);
    ~HttpServer();
    HttpServer(const HttpServer &) = delete;
    HttpServer &operator=(const HttpServer &) = delete;

    /// Binds, listens and starts the loops. Throws cairn::Error (e.g. the port is taken).
    void start();
    /// The port bound (the chosen one when Options::port was 0).
    quint16 port() const { return m_port; }
    /// Stops accepting, answers every request already received (with Connection: close),
    /// closes idle connections and joins the threads; waits at most `drainMs` for slow ones.
    void stop(int drainMs = 30000);
    bool isRunning() const { return m_running.load(); }
    /// Requests being read or answered right now.
    int inFlight() const { return m_inFlight.load(); }

    struct Loop;
    struct Pool;

private:
    void call(const HttpRequest &request, HttpResponse &response);

    Handler m_handler;
    Options m_options;
    int m_listenFd = -1;
    quint16 m_port = 0;
    std::atomic<bool> m_running{false};
    std::atomic<bool> m_stopping{false};
    std::atomic<int> m_inFlight{0};
    int m_drainMs = 30000;
    std::vector<std::unique_ptr<Loop>> m_loops;
    std::unique_ptr<Pool> m_pool;
};

/// Compares two byte strings in time that depends on their lengths only (bearer tokens).
bool constantTimeEquals(const QByteArray &a, const QByteArray &b);

} // namespace cairn::serving
