#include "httpserver.h"
#include "rawhttpclient.h"

#include <QTest>

#include <memory>

using namespace qd;

// The HTTP server itself, through real sockets on a loopback port: strict parsing, and the
// bounds that keep one client from growing its memory or taking every connection.
class TstHttpServer : public QObject {
    Q_OBJECT

    std::unique_ptr<HttpServer> m_server;
    int m_handled = 0;

    // GET /ok answers {}; GET /big?n=N answers N bytes; POST /echo answers the body's size.
    void handle(const HttpRequest &request, const HttpResponder &responder)
    {
        ++m_handled;
        if (request.path == "/big") {
            HttpResponse r;
            r.body = QByteArray(request.query.queryItemValue(QStringLiteral("n")).toInt(), 'x');
            responder.respond(r);
        } else if (request.path == "/echo") {
            responder.respond(HttpResponse::json(200, QByteArray::number(request.body.size())));
        } else {
            responder.respond(HttpResponse::json(200, "{}"));
        }
    }

    quint16 port() const { return m_server->port(); }
    QByteArray host() const { return "Host: 127.0.0.1:" + QByteArray::number(port()) + "\r\n"; }

    // Asks GET /ok: the status of the answer, or 0 when none came.
    int askOk(RawHttpClient &client)
    {
        client.send("GET /ok HTTP/1.1\r\n" + host() + "\r\n");
        if (!QTest::qWaitFor([&client] { return client.answered(); }, 5000))
            return 0;
        return client.status();
    }

private slots:
    void init()
    {
        m_server = std::make_unique<HttpServer>();
        m_server->setHandler([this](const HttpRequest &r, const HttpResponder &w) { handle(r, w); });
        HttpLimits limits;
        limits.requestTimeoutMs = 60'000; // an answer that comes is never the 408
        m_server->setLimits(limits);
        m_handled = 0;
        QString error;
        QVERIFY2(m_server->listen(QHostAddress::LocalHost, 0, &error), qPrintable(error));
    }

    // RFC 9112, strictly: each of these is answered 400 (or 505) at once, with a JSON
    // error, and never reaches the handler.
    void strictHeads_data()
    {
        QTest::addColumn<QByteArray>("request");
        QTest::addColumn<int>("status");
        const QByteArray post = "POST /echo HTTP/1.1\r\nHost: 127.0.0.1\r\n";
        QTest::newRow("length with a sign") << post + "Content-Length: +5\r\n\r\nhello" << 400;
        QTest::newRow("length with a leading zero") << post + "Content-Length: 05\r\n\r\nhello" << 400;
        QTest::newRow("length with an inner space") << post + "Content-Length: 5 5\r\n\r\nhello" << 400;
        QTest::newRow("length after a vertical tab") << post + "Content-Length: \v5\r\n\r\nhello" << 400;
        QTest::newRow("length in hex") << post + "Content-Length: 0x5\r\n\r\nhello" << 400;
        QTest::newRow("negative length") << post + "Content-Length: -5\r\n\r\nhello" << 400;
        QTest::newRow("length that overflows")
            << post + "Content-Length: 99999999999999999999\r\n\r\nhello" << 400;
        QTest::newRow("empty length") << post + "Content-Length: \r\n\r\nhello" << 400;
        QTest::newRow("bare LF head") << QByteArray("GET /ok HTTP/1.1\nHost: 127.0.0.1\n\n") << 400;
        QTest::newRow("bare LF, head never ends") << QByteArray("GET /ok HTTP/1.1\nHost: 127.0.0.1\n") << 400;
        QTest::newRow("bare LF in one header")
            << QByteArray("GET /ok HTTP/1.1\r\nHost: 127.0.0.1\nX-A: b\r\n\r\n") << 400;
        QTest::newRow("bare CR") << QByteArray("GET /ok HTTP/1.1\r\nHost: 127.0.0.1\rX-A: b\r\n\r\n") << 400;
        QTest::newRow("space before the colon")
            << QByteArray("GET /ok HTTP/1.1\r\nHost : 127.0.0.1\r\n\r\n") << 400;
        QTest::newRow("folded header")
            << QByteArray("GET /ok HTTP/1.1\r\nHost: 127.0.0.1\r\nX-A: b\r\n c\r\n\r\n") << 400;
        QTest::newRow("header without a colon")
            << QByteArray("GET /ok HTTP/1.1\r\nHost: 127.0.0.1\r\nX-A\r\n\r\n") << 400;
        QTest::newRow("NUL in a value") << QByteArray("GET /ok HTTP/1.1\r\nHost: 127.0.0.1\r\nX-A: a") + '\0'
                + "b\r\n\r\n" << 400;
        QTest::newRow("HTTP/1.1 without Host") << QByteArray("GET /ok HTTP/1.1\r\n\r\n") << 400;
        QTest::newRow("two Hosts") << QByteArray("GET /ok HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n") << 400;
        QTest::newRow("two spaces in the request line")
            << QByteArray("GET  /ok HTTP/1.1\r\nHost: a\r\n\r\n") << 400;
        QTest::newRow("HTTP/2.0") << QByteArray("GET /ok HTTP/2.0\r\nHost: a\r\n\r\n") << 505;
    }

    void strictHeads()
    {
        QFETCH(QByteArray, request);
        QFETCH(int, status);
        RawHttpClient client(port());
        client.send(request);
        QTRY_VERIFY_WITH_TIMEOUT(client.answered(), 5000);
        QCOMPARE(client.status(), status);
        QVERIFY2(client.body().contains("\"error\""), client.data().constData());
        QCOMPARE(m_handled, 0);
        // And the server keeps serving.
        RawHttpClient next(port());
        QCOMPARE(askOk(next), 200);
    }

    // What RFC 9112 allows still passes: spaces and tabs around a value, a length of 0,
    // an empty line before the request, HTTP/1.0 without Host.
    void legalHeads_data()
    {
        QTest::addColumn<QByteArray>("request");
        QTest::addColumn<QByteArray>("answer");
        QTest::newRow("no space after the colon")
            << QByteArray("POST /echo HTTP/1.1\r\nHost: a\r\nContent-Length:5\r\n\r\nhello")
            << QByteArray("5");
        QTest::newRow("spaces and tabs around the length")
            << QByteArray("POST /echo HTTP/1.1\r\nHost: a\r\nContent-Length: \t5 \t\r\n\r\nhello")
            << QByteArray("5");
        QTest::newRow("length 0") << QByteArray("POST /echo HTTP/1.1\r\nHost: a\r\nContent-Length: 0\r\n\r\n")
                                  << QByteArray("0");
        QTest::newRow("empty line first")
            << QByteArray("\r\nGET /ok HTTP/1.1\r\nHost: a\r\n\r\n") << QByteArray("{}");
        QTest::newRow("HTTP/1.0 without Host") << QByteArray("GET /ok HTTP/1.0\r\n\r\n") << QByteArray("{}");
    }

    void legalHeads()
    {
        QFETCH(QByteArray, request);
        QFETCH(QByteArray, answer);
        RawHttpClient client(port());
        client.send(request);
        QTRY_VERIFY_WITH_TIMEOUT(client.complete(), 5000);
        QCOMPARE(client.status(), 200);
        QCOMPARE(client.body(), answer);
    }

    // A client pipelines thousands of requests and never reads the answers: once its
    // unsent answers pass the bound the server stops reading it (TCP then stops the
    // client), so what the server holds stays bounded, other clients are served, and when
    // the client reads at last every answer comes, in order.
    void clientThatNeverReadsIsHeldBack()
    {
        const int count = 4000;
        const QByteArray one
            = "GET /big?n=4096 HTTP/1.1\r\n" + host() + "X-Pad: " + QByteArray(1000, 'p') + "\r\n\r\n";
        RawHttpClient greedy(port(), {}, 64 * 1024);
        QTcpSocket &socket = greedy.socket();
        QVERIFY(socket.waitForConnected(5000));
        socket.disconnect(); // reads nothing until told
        qint64 most = 0;
        const auto sample = [&] { most = std::max(most, m_server->bufferedBytes()); };
        connect(&socket, &QTcpSocket::bytesWritten, this, sample);
        socket.write(one.repeated(count));
        QTRY_VERIFY_WITH_TIMEOUT(m_server->stalledConnections() == 1 || socket.bytesToWrite() == 0, 30000);
        sample();
        const qint64 bound = m_server->limits().maxUnsentBytes + 256 * 1024;
        QVERIFY2(most <= bound, qPrintable(QStringLiteral("the server held %1 bytes").arg(most)));
        QVERIFY2(m_handled < count,
            qPrintable(QStringLiteral("handled %1, stalled %2, client unsent %3, held %4")
                           .arg(m_handled)
                           .arg(m_server->stalledConnections())
                           .arg(socket.bytesToWrite())
                           .arg(m_server->bufferedBytes())));

        RawHttpClient other(port());
        QCOMPARE(askOk(other), 200);

        QByteArray answers;
        connect(&socket, &QTcpSocket::readyRead, this, [&] {
            answers += socket.readAll();
            sample();
        });
        answers += socket.readAll();
        QTRY_COMPARE_WITH_TIMEOUT(answers.count("HTTP/1.1 200 OK"), count, 30000);
        QVERIFY2(most <= bound, qPrintable(QStringLiteral("the server held %1 bytes").arg(most)));
        QCOMPARE(m_handled, count + 1);
    }

    // Past the caps (in all, and from one address), a connection is answered 503 with
    // Retry-After and closed; a closed connection frees its place.
    void connectionCaps()
    {
        HttpLimits limits = m_server->limits();
        limits.maxConnections = 3;
        limits.maxConnectionsPerAddress = 2;
        m_server->setLimits(limits);
        const QHostAddress first(QStringLiteral("127.0.0.1"));
        const QHostAddress second(QStringLiteral("127.0.0.2"));
        const QHostAddress third(QStringLiteral("127.0.0.3"));

        auto a1 = std::make_unique<RawHttpClient>(port(), first);
        QCOMPARE(askOk(*a1), 200);
        RawHttpClient a2(port(), first);
        QCOMPARE(askOk(a2), 200);
        RawHttpClient a3(port(), first);
        QCOMPARE(askOk(a3), 503);
        QCOMPARE(a3.header("Retry-After"), QByteArray("1"));
        QVERIFY2(a3.body().contains("too many connections from"), a3.data().constData());
        RawHttpClient b1(port(), second);
        QCOMPARE(askOk(b1), 200);
        RawHttpClient c1(port(), third);
        QCOMPARE(askOk(c1), 503);
        QVERIFY2(c1.body().contains("too many connections"), c1.data().constData());
        QTRY_VERIFY(c1.closed());

        a1.reset();
        QTRY_COMPARE(m_server->connectionCount(), 2);
        RawHttpClient a4(port(), first);
        QCOMPARE(askOk(a4), 200);
    }

    // Bodies being received at once are budgeted by their Content-Length: past the budget
    // a request is answered 503 from its head, and once a body is done its share is free.
    void bodyBudget()
    {
        HttpLimits limits = m_server->limits();
        limits.maxBodyBytes = 1024 * 1024;
        limits.maxBodyBytesInFlight = 1024 * 1024;
        m_server->setLimits(limits);
        const QByteArray body(600 * 1024, 'b');
        const QByteArray head = "POST /echo HTTP/1.1\r\n" + host()
            + "Content-Length: " + QByteArray::number(body.size()) + "\r\n\r\n";

        RawHttpClient slow(port());
        slow.send(head + body.left(1000));
        QTRY_COMPARE(m_server->bufferedBytes(), qint64(1000)); // its head is in: its share is taken

        RawHttpClient refused(port());
        refused.send(head);
        QTRY_VERIFY_WITH_TIMEOUT(refused.answered(), 5000);
        QCOMPARE(refused.status(), 503);
        QCOMPARE(refused.header("Retry-After"), QByteArray("1"));

        slow.send(body.mid(1000));
        QTRY_VERIFY_WITH_TIMEOUT(slow.complete(), 5000);
        QCOMPARE(slow.body(), QByteArray::number(body.size()));

        RawHttpClient later(port());
        later.send(head + body);
        QTRY_VERIFY_WITH_TIMEOUT(later.complete(), 5000);
        QCOMPARE(later.status(), 200);
    }
};

QTEST_GUILESS_MAIN(TstHttpServer)
#include "tst_httpserver.moc"
