// The endpoint's HTTP/1.1 server in process, spoken to over real sockets: keep-alive,
// pipelining, HTTP/1.0, malformed and oversized requests, large bodies on the pool while small
// requests go on, and stop() answering what is in flight.
#include "cairn/serving/httpserver.h"

#include <QTcpSocket>
#include <QTest>

#include <atomic>
#include <chrono>
#include <thread>

using namespace cairn::serving;

class tst_HttpServer : public QObject
{
    Q_OBJECT

    static HttpServer::Options options()
    {
        HttpServer::Options o;
        o.port = 0;
        o.threads = 2;
        o.maxBodyBytes = 1024 * 1024;
        o.inlineBodyBytes = 1024;
        return o;
    }

    /// Echoes method, path and body size; /slow waits until `release` turns true.
    static void handler(const HttpRequest &rq, HttpResponse &rs, std::atomic<bool> *release = nullptr)
    {
        if (rq.path == "/slow" && release)
            while (!release->load())
                std::this_thread::sleep_for(std::chrono::milliseconds(5));
        rs.contentType = "text/plain";
        rs.body = rq.method + " " + rq.path + " " + QByteArray::number(rq.body.size());
    }

    static QByteArray readResponses(QTcpSocket &s, int count)
    {
        QByteArray all;
        while (all.count("HTTP/1.1 ") < count || !complete(all, count))
            if (!s.waitForReadyRead(10000))
                break;
            else
                all += s.readAll();
        return all;
    }
    static bool complete(const QByteArray &all, int count)
    {
        qsizetype pos = 0;
        for (int i = 0; i < count; ++i) {
            const qsizetype end = all.indexOf("\r\n\r\n", pos);
            if (end < 0)
                return false;
            const qsizetype cl = all.indexOf("Content-Length: ", pos);
            const qsizetype length = all.mid(cl + 16, all.indexOf("\r\n", cl) - cl - 16).toLongLong();
            if (all.size() < end + 4 + length)
                return false;
            pos = end + 4 + length;
        }
        return true;
    }

private Q_SLOTS:
    void keepAliveAndPipelining()
    {
        HttpServer server([](const HttpRequest &rq, HttpResponse &rs) { handler(rq, rs); }, options());
        server.start();
        QTcpSocket s;
        s.connectToHost(QStringLiteral("127.0.0.1"), server.port());
        QVERIFY(s.waitForConnected(5000));
        // Two requests in one write: two answers, in order.
        s.write("GET /a HTTP/1.1\r\nHost: x\r\n\r\nPOST /b HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabc");
        const QByteArray two = readResponses(s, 2);
        QVERIFY2(two.indexOf("GET /a 0") >= 0 && two.indexOf("GET /a 0") < two.indexOf("POST /b 3"), two.constData());
        // The connection stays open for more.
        for (int i = 0; i < 100; ++i) {
            s.write("GET /again HTTP/1.1\r\nHost: x\r\n\r\n");
            QVERIFY(readResponses(s, 1).endsWith("GET /again 0"));
        }
        QCOMPARE(s.state(), QAbstractSocket::ConnectedState);
    }

    void http10ClosesMalformedFails()
    {
        HttpServer server([](const HttpRequest &rq, HttpResponse &rs) { handler(rq, rs); }, options());
        server.start();
        QTcpSocket s;
        s.connectToHost(QStringLiteral("127.0.0.1"), server.port());
        QVERIFY(s.waitForConnected(5000));
        s.write("GET /old HTTP/1.0\r\n\r\n");
        QByteArray a = readResponses(s, 1);
        QVERIFY(a.contains("Connection: close"));
        QVERIFY(s.state() == QAbstractSocket::UnconnectedState || s.waitForDisconnected(5000));

        QTcpSocket bad;
        bad.connectToHost(QStringLiteral("127.0.0.1"), server.port());
        QVERIFY(bad.waitForConnected(5000));
        bad.write("NONSENSE\r\n\r\n");
        QVERIFY(readResponses(bad, 1).startsWith("HTTP/1.1 400"));

        QTcpSocket huge;
        huge.connectToHost(QStringLiteral("127.0.0.1"), server.port());
        QVERIFY(huge.waitForConnected(5000));
        huge.write("GET / HTTP/1.1\r\nX-Big: " + QByteArray(70000, 'x'));
        QVERIFY(readResponses(huge, 1).startsWith("HTTP/1.1 431"));

        QTcpSocket tooLarge;
        tooLarge.connectToHost(QStringLiteral("127.0.0.1"), server.port());
        QVERIFY(tooLarge.waitForConnected(5000));
        tooLarge.write("POST / HTTP/1.1\r\nContent-Length: 2000000\r\nExpect: 100-continue\r\n\r\n");
        QVERIFY(readResponses(tooLarge, 1).startsWith("HTTP/1.1 413"));
    }

    void largeBodyOnThePoolSmallRequestsGoOn()
    {
        std::atomic<bool> release{false};
        HttpServer server([&](const HttpRequest &rq, HttpResponse &rs) { handler(rq, rs, &release); }, options());
        server.start();
        QTcpSocket big;
        big.connectToHost(QStringLiteral("127.0.0.1"), server.port());
        QVERIFY(big.waitForConnected(5000));
        big.write("POST /slow HTTP/1.1\r\nContent-Length: 5000\r\n\r\n" + QByteArray(5000, 'z'));
        QTRY_COMPARE_WITH_TIMEOUT(server.inFlight(), 1, 10000);
        // While it waits, other requests are answered.
        for (int i = 0; i < 5; ++i) {
            QTcpSocket small;
            small.connectToHost(QStringLiteral("127.0.0.1"), server.port());
            QVERIFY(small.waitForConnected(5000));
            small.write("GET /ping HTTP/1.1\r\n\r\n");
            QVERIFY(readResponses(small, 1).endsWith("GET /ping 0"));
        }
        release.store(true);
        QVERIFY(readResponses(big, 1).endsWith("POST /slow 5000"));
    }

    void stopAnswersWhatIsInFlight()
    {
        std::atomic<bool> release{false};
        HttpServer server([&](const HttpRequest &rq, HttpResponse &rs) { handler(rq, rs, &release); }, options());
        server.start();
        const quint16 port = server.port();
        QTcpSocket slow, idle;
        slow.connectToHost(QStringLiteral("127.0.0.1"), port);
        idle.connectToHost(QStringLiteral("127.0.0.1"), port);
        QVERIFY(slow.waitForConnected(5000) && idle.waitForConnected(5000));
        slow.write("POST /slow HTTP/1.1\r\nContent-Length: 4000\r\n\r\n" + QByteArray(4000, 'q'));
        QTRY_COMPARE_WITH_TIMEOUT(server.inFlight(), 1, 10000);
        std::thread stopper([&] { server.stop(30000); });
        // The idle keep-alive connection is closed, new connections are refused...
        QVERIFY(idle.waitForDisconnected(10000));
        QTcpSocket late;
        late.connectToHost(QStringLiteral("127.0.0.1"), port);
        QVERIFY(!late.waitForConnected(2000) || !late.waitForReadyRead(500));
        // ...and the request in flight is answered before the server stops.
        release.store(true);
        const QByteArray answer = readResponses(slow, 1);
        stopper.join();
        QVERIFY2(answer.endsWith("POST /slow 4000"), answer.constData());
        QVERIFY(answer.contains("Connection: close"));
        QVERIFY(!server.isRunning());
    }

    void constantTimeComparison()
    {
        QVERIFY(constantTimeEquals("secret", "secret"));
        QVERIFY(!constantTimeEquals("secret", "secreT"));
        QVERIFY(!constantTimeEquals("secret", "secret2"));
        QVERIFY(!constantTimeEquals("", "x"));
        QVERIFY(constantTimeEquals("", ""));
    }
};

QTEST_GUILESS_MAIN(tst_HttpServer)
#include "tst_httpserver.moc"
