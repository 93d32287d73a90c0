#include "cairn/serving/httpserver.h"

#include "cairn/util/error.h"

#include <QJsonDocument>
#include <QJsonObject>

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <mutex>
#include <thread>
#include <unordered_map>

namespace cairn::serving {

QByteArray HttpRequest::header(const char *lowerName) const
{
    for (const auto &h : headers)
        if (h.first == lowerName)
            return h.second;
    return {};
}

void HttpResponse::setJsonError(int code, const QString &message)
{
    status = code;
    contentType = QByteArrayLiteral("application/json");
    body = QJsonDocument(QJsonObject{{QStringLiteral("error"), message}}).toJson(QJsonDocument::Compact);
}

bool constantTimeEquals(const QByteArray &a, const QByteArray &b)
{
    // Walk the longer string whatever the contents, so timing reveals no matching prefix.
    const qsizetype n = std::max(a.size(), b.size());
    unsigned char diff = a.size() == b.size() ? 0 : 1;
    for (qsizetype i = 0; i < n; ++i) {
        const unsigned char x = i < a.size() ? uchar(a.at(i)) : 0;
        const unsigned char y = i < b.size() ? uchar(b.at(i)) : 0;
        diff |= uchar(x ^ y);
    }
    return diff == 0;
}

namespace {

constexpr qsizetype kMaxHeaderBytes = 64 * 1024;
constexpr int kListenTag = -1;
constexpr int kWakeTag = -2;

const char *reasonOf(int status)
{
    switch (status) {
    case 100: return "Continue";
    case 200: return "OK";
    case 204: return "No Content";
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 406: return "Not Acceptable";
    case 411: return "Length Required";
    case 413: return "Payload Too Large";
    case 415: return "Unsupported Media Type";
    case 431: return "Request Header Fields Too Large";
    case 500: return "Internal Server Error";
    case 503: return "Service Unavailable";
    default: return "Status";
    }
}

void appendResponse(QByteArray &out, const HttpResponse &r, bool close)
{
    out.reserve(out.size() + r.body.size() + 160);
    out += "HTTP/1.1 ";
    out += QByteArray::number(r.status);
    out += ' ';
    out += reasonOf(r.status);
    out += "\r\n";
    if (!r.contentType.isEmpty()) {
        out += "Content-Type: ";
        out += r.contentType;
        out += "\r\n";
    }
    out += "Content-Length: ";
    out += QByteArray::number(r.body.size());
    out += "\r\n";
    for (const auto &h : r.headers) {
        out += h.first;
        out += ": ";
        out += h.second;
        out += "\r\n";
    }
    if (close)
        out += "Connection: close\r\n";
    out += "\r\n";
    out += r.body;
}

bool equalsIgnoreCase(QByteArrayView a, const char *b)
{
    return a.compare(QByteArrayView(b), Qt::CaseInsensitive) == 0;
}

} // namespace

struct Connection
{
    int fd = -1;
    quint64 serial = 0;
    QByteArray in;
    qsizetype inPos = 0;
    QByteArray out;
    qsizetype outPos = 0;
    bool busy = false;          ///< a request runs on the pool
    bool closeAfterWrite = false;
    bool sentContinue = false;
    bool discarding = false;    ///< after a 413: read and drop until the peer closes
    bool wantWrite = false;
    bool registered = true;     ///< in the loop's epoll set
};

struct HttpServer::Pool
{
    struct Job
    {
        HttpServer::Loop *loop;
        int fd;
        quint64 serial;
        HttpRequest request;
        bool close;
    };
    std::mutex mutex;
    std::condition_variable cv;
    std::deque<Job> jobs;
    std::vector<std::thread> threads;
    bool quit = false;

    void post(Job job)
    {
        {
            std::lock_guard lock(mutex);
            jobs.push_back(std::move(job));
        }
        cv.notify_one();
    }
    void run(HttpServer *server);
    void stop()
    {
        {
            std::lock_guard lock(mutex);
            quit = true;
        }
        cv.notify_all();
        for (std::thread &t : threads)
            t.join();
        threads.clear();
    }
};

struct HttpServer::Loop
{
    struct Done
    {
        int fd;
        quint64 serial;
        HttpResponse response;
        bool close;
    };

    HttpServer *server = nullptr;
    int epfd = -1;
    int wakeFd = -1;
    std::thread thread;
    std::unordered_map<int, std::unique_ptr<Connection>> connections;
    quint64 nextSerial = 1;
    std::mutex doneMutex;
    std::vector<Done> done;
    std::atomic<bool> detached{false};

    ~Loop()
    {
        for (auto &c : connections)
            ::close(c.first);
        if (epfd >= 0)
            ::close(epfd);
        if (wakeFd >= 0)
            ::close(wakeFd);
    }

    void wake()
    {
        const quint64 one = 1;
        [[maybe_unused]] const ssize_t n = ::write(wakeFd, &one, sizeof one);
    }

    void post(Done d)
    {
        {
            std::lock_guard lock(doneMutex);
            done.push_back(std::move(d));
        }
        wake();
    }

    void closeConnection(Connection &c)
    {
        if (c.busy)
            return; // the pool still answers it; closed when the answer comes back
        if (c.registered)
            ::epoll_ctl(epfd, EPOLL_CTL_DEL, c.fd, nullptr);
        ::close(c.fd);
        connections.erase(c.fd); // destroys c
    }

    /// While a request runs on the pool the connection leaves epoll (a peer's hang-up would
    /// otherwise be reported again and again).
    void updateInterest(Connection &c)
    {
        if (c.busy) {
            if (c.registered)
                ::epoll_ctl(epfd, EPOLL_CTL_DEL, c.fd, nullptr);
            c.registered = false;
            return;
        }
        epoll_event ev{};
        ev.events = EPOLLIN | EPOLLRDHUP | (c.wantWrite ? uint32_t(EPOLLOUT) : 0u);
        ev.data.fd = c.fd;
        ::epoll_ctl(epfd, c.registered ? EPOLL_CTL_MOD : EPOLL_CTL_ADD, c.fd, &ev);
        c.registered = true;
    }

    /// Writes what is pending; false when the connection was closed.
    bool flush(Connection &c)
    {
        while (c.outPos < c.out.size()) {
            const ssize_t n = ::send(c.fd, c.out.constData() + c.outPos, size_t(c.out.size() - c.outPos), MSG_NOSIGNAL);
            if (n > 0) {
                c.outPos += n;
                continue;
            }
            if (n < 0 && errno == EINTR)
                continue;
            if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
                if (!c.wantWrite) {
                    c.wantWrite = true;
                    updateInterest(c);
                }
                return true;
            }
            closeConnection(c);
            return false;
        }
        c.out.clear();
        c.outPos = 0;
        if (c.wantWrite) {
            c.wantWrite = false;
            updateInterest(c);
        }
        if (c.closeAfterWrite && !c.busy) {
            if (c.discarding) {
                ::shutdown(c.fd, SHUT_WR);
                return true;
            }
            closeConnection(c);
            return false;
        }
        return true;
    }

    void respond(Connection &c, const HttpResponse &r, bool close)
    {
        appendResponse(c.out, r, close);
        if (close)
            c.closeAfterWrite = true;
    }

    void fail(Connection &c, int status, const QString &message)
    {
        HttpResponse r;
        r.setJsonError(status, message);
        respond(c, r, true);
    }

    /// Sends "100 Continue" once per request, when the client asked for it and the body is still incomplete.
    void sendContinueOnce(Connection &c, bool expectContinue)
    {
        if (expectContinue && !c.sentContinue) {
            c.out += "HTTP/1.1 100 Continue\r\n\r\n";
            c.sentContinue = true;
        }
    }

    /// Answers a request whose body is complete: small bodies inline, large ones on the worker pool.
    /// False when handed to the pool (the connection reads nothing more until the answer comes back).
    bool answerOrHandOff(Connection &c, HttpRequest &&req, bool keepAlive)
    {
        c.sentContinue = false;
        const bool close = !keepAlive || server->m_stopping.load();
        ++server->m_inFlight;
        if (req.body.size() > server->m_options.inlineBodyBytes) {
            c.busy = true;
            updateInterest(c);
            server->m_pool->post({this, c.fd, c.serial, std::move(req), close});
            return false;
        }
        HttpResponse r;
        server->call(req, r);
        respond(c, r, close);
        --server->m_inFlight;
        return true;
    }

    /// Parses and answers the complete requests in c.in; false when the connection was closed.
    bool process(Connection &c)
    {
        while (!c.busy && !c.closeAfterWrite) {
            const QByteArrayView buf(c.in.constData() + c.inPos, c.in.size() - c.inPos);
            if (buf.isEmpty())
                break;
            const qsizetype headerEnd = buf.indexOf(QByteArrayView("\r\n\r\n"));
            if (headerEnd < 0) {
                if (buf.size() > kMaxHeaderBytes)
                    fail(c, 431, QStringLiteral("the request headers exceed %1 bytes").arg(kMaxHeaderBytes));
                break;
            }
            HttpRequest req;
            const QByteArrayView head = buf.first(headerEnd);
            qsizetype lineEnd = head.indexOf(QByteArrayView("\r\n"));
            if (lineEnd < 0)
                lineEnd = head.size();
            const QByteArrayView requestLine = head.first(lineEnd);
            const qsizetype sp1 = requestLine.indexOf(' ');
            const qsizetype sp2 = sp1 < 0 ? -1 : requestLine.lastIndexOf(' ');
            if (sp1 <= 0 || sp2 <= sp1 || !requestLine.sliced(sp2 + 1).startsWith(QByteArrayView("HTTP/1."))) {
                fail(c, 400, QStringLiteral("malformed request line"));
                break;
            }
            req.method = requestLine.first(sp1).toByteArray();
            const QByteArrayView target = requestLine.sliced(sp1 + 1, sp2 - sp1 - 1);
            const qsizetype q = target.indexOf('?');
            req.path = (q < 0 ? target : target.first(q)).toByteArray();
            if (q >= 0)
                req.query = target.sliced(q + 1).toByteArray();
            bool keepAlive = requestLine.endsWith(QByteArrayView("1.1"));
            qint64 contentLength = 0;
            bool expectContinue = false, chunked = false;
            qsizetype pos = lineEnd + 2;
            while (pos < head.size()) {
                qsizetype e = head.indexOf(QByteArrayView("\r\n"), pos);
                if (e < 0)
                    e = head.size();
                const QByteArrayView line = head.sliced(pos, e - pos);
                pos = e + 2;
                const qsizetype colon = line.indexOf(':');
                if (colon <= 0)
                    continue;
                QByteArray name = line.first(colon).trimmed().toByteArray().toLower();
                QByteArray value = line.sliced(colon + 1).trimmed().toByteArray();
                if (name == "content-length") {
                    bool ok = false;
                    contentLength = value.toLongLong(&ok);
                    if (!ok || contentLength < 0) {
                        fail(c, 400, QStringLiteral("bad Content-Length '%1'").arg(QString::fromLatin1(value)));
                        return flush(c);
                    }
                } else if (name == "connection") {
                    if (equalsIgnoreCase(value, "close"))
                        keepAlive = false;
                    else if (equalsIgnoreCase(value, "keep-alive"))
                        keepAlive = true;
                } else if (name == "expect") {
                    expectContinue = equalsIgnoreCase(value, "100-continue");
                } else if (name == "transfer-encoding") {
                    chunked = !equalsIgnoreCase(value, "identity");
                }
                req.headers.emplace_back(std::move(name), std::move(value));
            }
            if (chunked) {
                // Transfer-Encoding: chunked — size lines in hex, each chunk, a zero-size chunk
                // and optional trailers; wait until all of it is here.
                qsizetype pos = headerEnd + 4;
                QByteArray body;
                bool complete = false, bad = false, tooLarge = false;
                for (;;) {
                    const qsizetype eol = buf.indexOf(QByteArrayView("\r\n"), pos);
                    if (eol < 0)
                        break;
                    QByteArrayView sizeText = buf.sliced(pos, eol - pos);
                    if (const qsizetype semi = sizeText.indexOf(';'); semi >= 0)
                        sizeText = sizeText.first(semi);
                    bool ok = false;
                    const qint64 size = sizeText.trimmed().toLongLong(&ok, 16);
                    if (!ok || size < 0) {
                        bad = true;
                        break;
                    }
                    if (body.size() + size > server->m_options.maxBodyBytes) {
                        tooLarge = true;
                        break;
                    }
                    if (size == 0) {
                        // Trailers end with an empty line.
                        const qsizetype end = buf.indexOf(QByteArrayView("\r\n\r\n"), eol);
                        if (end == eol) {
                            pos = eol + 4;
                            complete = true;
                        } else if (end >= 0) {
                            pos = end + 4;
                            complete = true;
                        }
                        break;
                    }
                    if (buf.size() < eol + 2 + size + 2)
                        break;
                    body += buf.sliced(eol + 2, size);
                    pos = eol + 2 + size + 2;
                }
                if (bad) {
                    fail(c, 400, QStringLiteral("malformed chunked body"));
                    break;
                }
                if (tooLarge) {
                    fail(c, 413, QStringLiteral("the body exceeds the endpoint's limit of %1 bytes").arg(server->m_options.maxBodyBytes));
                    break;
                }
                if (!complete) {
                    sendContinueOnce(c, expectContinue);
                    break;
                }
                req.body = std::move(body);
                c.inPos += pos;
                if (!answerOrHandOff(c, std::move(req), keepAlive))
                    break;
                continue;
            }
            if (contentLength > server->m_options.maxBodyBytes) {
                HttpResponse r;
                r.setJsonError(413, QStringLiteral("the body (%1 bytes) exceeds the endpoint's limit of %2 bytes")
                                        .arg(contentLength).arg(server->m_options.maxBodyBytes));
                respond(c, r, true);
                c.discarding = true;
                c.in.clear();
                c.inPos = 0;
                break;
            }
            const qsizetype total = headerEnd + 4 + qsizetype(contentLength);
            if (buf.size() < total) {
                sendContinueOnce(c, expectContinue);
                if (c.in.capacity() < c.inPos + total)
                    c.in.reserve(c.inPos + total);
                break;
            }
            req.body = buf.sliced(headerEnd + 4, qsizetype(contentLength)).toByteArray();
            c.inPos += total;
            if (!answerOrHandOff(c, std::move(req), keepAlive))
                break;
        }
        if (c.inPos > 0 && !c.busy) {
            c.in.remove(0, c.inPos);
            c.inPos = 0;
        }
        return flush(c);
    }

    void onReadable(Connection &c)
    {
        char buffer[65536];
        for (;;) {
            const ssize_t n = ::recv(c.fd, buffer, sizeof buffer, 0);
            if (n > 0) {
                if (!c.discarding)
                    c.in.append(buffer, n);
                if (n < ssize_t(sizeof buffer))
                    break;
                continue;
            }
            if (n < 0 && errno == EINTR)
                continue;
            if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
                break;
            // Peer closed (n == 0) or failed: answer nothing more.
            if (c.busy) {
                c.closeAfterWrite = true;
                return;
            }
            closeConnection(c);
            return;
        }
        if (c.discarding)
            return;
        process(c);
    }

    void acceptAll()
    {
        for (int i = 0; i < 64; ++i) {
            const int fd = ::accept4(server->m_listenFd, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
            if (fd < 0)
                return;
            const int one = 1;
            ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
            auto c = std::make_unique<Connection>();
            c->fd = fd;
            c->serial = nextSerial++;
            epoll_event ev{};
            ev.events = EPOLLIN | EPOLLRDHUP;
            ev.data.fd = fd;
            ::epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &ev);
            connections.emplace(fd, std::move(c));
        }
    }

    void takeDone()
    {
        std::vector<Done> ready;
        {
            std::lock_guard lock(doneMutex);
            ready.swap(done);
        }
        for (Done &d : ready) {
            const auto it = connections.find(d.fd);
            if (it == connections.end() || it->second->serial != d.serial)
                continue;
            Connection &c = *it->second;
            c.busy = false;
            respond(c, d.response, d.close || c.closeAfterWrite);
            updateInterest(c);
            if (c.closeAfterWrite && c.out.isEmpty()) {
                closeConnection(c);
                continue;
            }
            process(c);
        }
    }

    /// At stop: idle connections close, those in the middle of a request finish it.
    void drainIdle()
    {
        std::vector<int> idle;
        for (auto &[fd, c] : connections) {
            const bool partial = c->inPos < c->in.size() && !c->discarding;
            if (!c->busy && c->out.isEmpty() && !partial)
                idle.push_back(fd);
            else
                c->closeAfterWrite = c->closeAfterWrite || c->busy || !partial;
        }
        for (int fd : idle)
            closeConnection(*connections.at(fd));
    }

    void run()
    {
        epoll_event events[128];
        bool draining = false;
        std::chrono::steady_clock::time_point deadline;
        for (;;) {
            if (server->m_stopping.load() && !draining) {
                draining = true;
                ::epoll_ctl(epfd, EPOLL_CTL_DEL, server->m_listenFd, nullptr);
                detached.store(true);
                deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(server->m_drainMs);
                drainIdle();
            }
            if (draining && (connections.empty() || std::chrono::steady_clock::now() > deadline))
                break;
            const int n = ::epoll_wait(epfd, events, 128, draining ? 50 : -1);
            for (int i = 0; i < n; ++i) {
                const int tag = events[i].data.fd;
                if (tag == kListenTag) {
                    if (!draining)
                        acceptAll();
                    continue;
                }
                if (tag == kWakeTag) {
                    quint64 v;
                    [[maybe_unused]] const ssize_t r = ::read(wakeFd, &v, sizeof v);
                    takeDone();
                    continue;
                }
                const auto it = connections.find(tag);
                if (it == connections.end())
                    continue;
                Connection &c = *it->second;
                if (events[i].events & EPOLLOUT) {
                    if (!flush(c))
                        continue;
                }
                if (events[i].events & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR))
                    onReadable(c);
            }
            if (draining) {
                // Connections whose last answer went out close now.
                std::vector<int> finished;
                for (auto &[fd, c] : connections)
                    if (!c->busy && c->out.isEmpty() && c->closeAfterWrite && !c->discarding)
                        finished.push_back(fd);
                for (int fd : finished)
                    closeConnection(*connections.at(fd));
            }
        }
    }
};

void HttpServer::Pool::run(HttpServer *server)
{
    for (;;) {
        Job job;
        {
            std::unique_lock lock(mutex);
            cv.wait(lock, [&] { return quit || !jobs.empty(); });
            if (jobs.empty())
                return;
            job = std::move(jobs.front());
            jobs.pop_front();
        }
        HttpResponse r;
        server->call(job.request, r);
        --server->m_inFlight;
        job.loop->post({job.fd, job.serial, std::move(r), job.close});
    }
}

HttpServer::HttpServer(Handler handler, Options options)
    : m_handler(std::move(handler)), m_options(std::move(options))
{
}

HttpServer::~HttpServer()
{
    stop(0);
    if (m_listenFd >= 0)
        ::close(m_listenFd);
}

void HttpServer::call(const HttpRequest &request, HttpResponse &response)
{
    try {
        m_handler(request, response);
    } catch (const Error &e) {
        response = {};
        response.setJsonError(500, e.message());
    } catch (const std::exception &e) {
        response = {};
        response.setJsonError(500, QString::fromUtf8(e.what()));
    }
}

void HttpServer::start()
{
    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
    addrinfo *res = nullptr;
    const QByteArray host = m_options.host.toUtf8();
    const QByteArray port = QByteArray::number(m_options.port);
    if (const int rc = ::getaddrinfo(host.isEmpty() ? nullptr : host.constData(), port.constData(), &hints, &res); rc != 0)
        throw Error(QStringLiteral("cannot resolve host '%1': %2").arg(m_options.host, QString::fromUtf8(gai_strerror(rc))));
    int fd = -1;
    QString why;
    for (addrinfo *a = res; a; a = a->ai_next) {
        fd = ::socket(a->ai_family, a->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, a->ai_protocol);
        if (fd < 0)
            continue;
        const int one = 1;
        ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
        if (::bind(fd, a->ai_addr, a->ai_addrlen) == 0 && ::listen(fd, 1024) == 0)
            break;
        why = QString::fromLocal8Bit(std::strerror(errno));
        ::close(fd);
        fd = -1;
    }
    ::freeaddrinfo(res);
    if (fd < 0)
        throw Error(QStringLiteral("cannot listen on %1:%2: %3").arg(m_options.host).arg(m_options.port).arg(why));
    m_listenFd = fd;
    sockaddr_storage addr{};
    socklen_t len = sizeof addr;
    ::getsockname(fd, reinterpret_cast<sockaddr *>(&addr), &len);
    m_port = addr.ss_family == AF_INET6 ? ntohs(reinterpret_cast<sockaddr_in6 *>(&addr)->sin6_port)
                                        : ntohs(reinterpret_cast<sockaddr_in *>(&addr)->sin_port);

    const int threads = std::max(1, m_options.threads);
    m_pool = std::make_unique<Pool>();
    for (int i = 0; i < threads; ++i)
        m_pool->threads.emplace_back([this] { m_pool->run(this); });
    for (int i = 0; i < threads; ++i) {
        auto loop = std::make_unique<Loop>();
        loop->server = this;
        loop->epfd = ::epoll_create1(EPOLL_CLOEXEC);
        loop->wakeFd = ::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
        epoll_event ev{};
        ev.events = EPOLLIN | EPOLLEXCLUSIVE;
        ev.data.fd = kListenTag;
        ::epoll_ctl(loop->epfd, EPOLL_CTL_ADD, m_listenFd, &ev);
        epoll_event wake{};
        wake.events = EPOLLIN;
        wake.data.fd = kWakeTag;
        ::epoll_ctl(loop->epfd, EPOLL_CTL_ADD, loop->wakeFd, &wake);
        m_loops.push_back(std::move(loop));
    }
    m_running.store(true);
    for (auto &loop : m_loops)
        loop->thread = std::thread([l = loop.get()] { l->run(); });
}

void HttpServer::stop(int drainMs)
{
    if (!m_running.exchange(false))
        return;
    m_drainMs = drainMs;
    m_stopping.store(true);
    for (auto &loop : m_loops)
        loop->wake();
    // New connections are refused once every loop has let go of the listening socket.
    for (auto &loop : m_loops)
        while (!loop->detached.load() && loop->thread.joinable())
            std::this_thread::sleep_for(std::chrono::milliseconds(1));
    ::close(m_listenFd);
    m_listenFd = -1;
    for (auto &loop : m_loops)
        loop->thread.join();
    m_pool->stop();
    m_loops.clear();
}

} // namespace cairn::serving
