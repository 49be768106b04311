#include "blobstore.h"
#include "broker.h"
#include "httpapi.h"
#include "rawhttpclient.h"
#include "uploadsapi.h"

#include "../teststore.h"

#include <QDir>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QSignalSpy>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>

using namespace qd;

// The seed producer, POST /, through a real HTTP client on a loopback port.
class TstProducer : public QObject {
    Q_OBJECT

    struct Reply {
        int status = 0;
        QByteArray body;
        QByteArray allow;
        QJsonObject json() const { return QJsonDocument::fromJson(body).object(); }
    };

    Reply request(const QByteArray &method, const QByteArray &body, const QByteArray &path = "/",
        const QByteArray &auth = {})
    {
        QNetworkRequest r { QUrl(m_api->baseUrl() + QString::fromUtf8(path)) };
        r.setHeader(QNetworkRequest::ContentTypeHeader, QByteArrayLiteral("application/json"));
        if (!auth.isEmpty())
            r.setRawHeader("Authorization", auth);
        QNetworkReply *reply = m_network.sendCustomRequest(r, method, body);
        QSignalSpy done(reply, &QNetworkReply::finished);
        done.wait(10000);
        Reply out { reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt(), reply->readAll(),
            reply->rawHeader("Allow") };
        reply->deleteLater();
        return out;
    }

    // Opens the store with a second, independent connection: what it sees was committed.
    std::optional<Message> onDisk(const QString &id)
    {
        return qdtest::openTestReader(m_spec)->messageById(id);
    }

    std::unique_ptr<QTemporaryDir> m_dir;
    QString m_spec;
    std::unique_ptr<QueueStore> m_store;
    SystemClock m_clock;
    std::unique_ptr<Broker> m_broker;
    std::unique_ptr<HttpApi> m_api;
    QNetworkAccessManager m_network;
    std::unique_ptr<BlobStore> m_blobs;

    QByteArray hostHeader() const { return "Host: 127.0.0.1:" + QByteArray::number(m_api->port()) + "\r\n"; }
    int readyCount() { return m_broker->counts(QStringLiteral("images")).ready; }
    static QByteArray job() { return "{\"imageUrl\":\"https://example.com/a.png\",\"userId\":\"h\"}"; }

    // POST / as a web page's fetch() would send it (text/plain needs no preflight), with
    // these headers; "%p" in them stands for the server's port.
    int postFrom(const QByteArray &headers, QByteArray *body = nullptr)
    {
        QByteArray h = headers;
        h.replace("%p", QByteArray::number(m_api->port()));
        RawHttpClient client(m_api->port());
        client.send("POST / HTTP/1.1\r\n" + h + "Content-Type: text/plain\r\nContent-Length: "
            + QByteArray::number(job().size()) + "\r\n\r\n" + job());
        if (!QTest::qWaitFor([&client] { return client.answered(); }, 5000))
            return 0;
        if (body)
            *body = client.body();
        return client.status();
    }

    void startServer(const QString &token)
    {
        m_api.reset();
        m_broker.reset();
        m_store.reset();
        m_blobs.reset();
        m_dir = std::make_unique<QTemporaryDir>();
        m_spec = qdtest::chooseStoreSpec(m_dir->filePath(QStringLiteral("q.db")));
        m_store = makeStore(m_spec);
        QString error;
        QVERIFY2(m_store->open(&error), qPrintable(error));
        m_broker = std::make_unique<Broker>(m_store.get(), &m_clock);
        QVERIFY2(m_broker->start(&error), qPrintable(error));
        QueueSettings settings;
        settings.consumerType = ConsumerType::None;
        QVERIFY(m_broker->createQueue(QStringLiteral("images"), settings).ok());
        m_api = std::make_unique<HttpApi>(m_broker.get(), QStringLiteral("images"), token);
        QVERIFY(m_api->listen(QHostAddress::LocalHost, 0, &error));
    }

private slots:
    void init() { startServer({}); }

    void acceptsAJobDurably()
    {
        const Reply r
            = request("POST", "{\"imageUrl\":\"https://example.com/cat.jpg\",\"userId\":\"alice\"}");
        QCOMPARE(r.status, 202);
        const QJsonObject o = r.json();
        QCOMPARE(o.value(QLatin1String("status")).toString(), QStringLiteral("Accepted"));
        QCOMPARE(o.value(QLatin1String("message")).toString(), QStringLiteral("Task queued successfully!"));
        const QString id = o.value(QLatin1String("id")).toString();
        QVERIFY(QRegularExpression(QStringLiteral("^[0-9a-f]{32}$")).match(id).hasMatch());
        const auto m = onDisk(id);
        QVERIFY(m.has_value());
        const QJsonObject body = QJsonDocument::fromJson(m->body).object();
        QCOMPARE(
            body.value(QLatin1String("imageUrl")).toString(), QStringLiteral("https://example.com/cat.jpg"));
        QCOMPARE(body.value(QLatin1String("userId")).toString(), QStringLiteral("alice"));
    }

    void otherMethods_data()
    {
        QTest::addColumn<QByteArray>("method");
        QTest::newRow("GET") << QByteArray("GET");
        QTest::newRow("PUT") << QByteArray("PUT");
        QTest::newRow("DELETE") << QByteArray("DELETE");
        QTest::newRow("PATCH") << QByteArray("PATCH");
    }
    void otherMethods()
    {
        QFETCH(QByteArray, method);
        const Reply r = request(method, {});
        QCOMPARE(r.status, 405);
        QCOMPARE(r.allow, QByteArray("POST"));
        QCOMPARE(m_broker->counts(QStringLiteral("images")).ready, 0);
    }

    void badInput_data()
    {
        QTest::addColumn<QByteArray>("body");
        QTest::addColumn<QString>("mentions");
        QTest::newRow("malformed") << QByteArray("{\"imageUrl\": ") << QStringLiteral("malformed JSON");
        QTest::newRow("not an object") << QByteArray("[1,2]") << QStringLiteral("JSON object");
        QTest::newRow("empty body") << QByteArray() << QStringLiteral("malformed JSON");
        QTest::newRow("missing imageUrl")
            << QByteArray("{\"userId\":\"a\"}") << QStringLiteral("imageUrl is required");
        QTest::newRow("missing userId")
            << QByteArray("{\"imageUrl\":\"https://x.org/a.png\"}") << QStringLiteral("userId is required");
        QTest::newRow("empty imageUrl") << QByteArray("{\"imageUrl\":\"\",\"userId\":\"a\"}")
                                        << QStringLiteral("imageUrl must not be empty");
        QTest::newRow("empty userId")
            << QByteArray("{\"imageUrl\":\"https://x.org/a.png\",\"userId\":\"  \"}")
            << QStringLiteral("userId must not be empty");
        QTest::newRow("number userId") << QByteArray("{\"imageUrl\":\"https://x.org/a.png\",\"userId\":7}")
                                       << QStringLiteral("userId must be a string");
        QTest::newRow("array imageUrl") << QByteArray("{\"imageUrl\":[\"x\"],\"userId\":\"a\"}")
                                        << QStringLiteral("imageUrl must be a string");
        QTest::newRow("relative url")
            << QByteArray("{\"imageUrl\":\"/a.png\",\"userId\":\"a\"}") << QStringLiteral("absolute");
        QTest::newRow("ftp url") << QByteArray("{\"imageUrl\":\"ftp://x.org/a.png\",\"userId\":\"a\"}")
                                 << QStringLiteral("http or https");
        QTest::newRow("file url") << QByteArray("{\"imageUrl\":\"file:///etc/passwd\",\"userId\":\"a\"}")
                                  << QStringLiteral("http or https");
    }
    void badInput()
    {
        QFETCH(QByteArray, body);
        QFETCH(QString, mentions);
        const Reply r = request("POST", body);
        QCOMPARE(r.status, 400);
        const QString error = r.json().value(QLatin1String("error")).toString();
        QVERIFY2(error.contains(mentions), qPrintable(error));
        QCOMPARE(m_broker->counts(QStringLiteral("images")).ready, 0);
    }

    void bodyAtTheLimit()
    {
        // Exactly 128,000 bytes are accepted; one more is refused with 413.
        const QByteArray head = "{\"imageUrl\":\"https://example.com/a.png\",\"userId\":\"";
        const QByteArray tail = "\"}";
        QByteArray body = head + QByteArray(128'000 - head.size() - tail.size(), 'u') + tail;
        QCOMPARE(body.size(), 128'000);
        QCOMPARE(request("POST", body).status, 202);
        body.insert(head.size(), 'u');
        QCOMPARE(request("POST", body).status, 413);
        QCOMPARE(m_broker->counts(QStringLiteral("images")).ready, 1);
    }

    void hugeBodyRefusedBeforeItArrives()
    {
        // Only the headers are sent: the 413 comes as soon as the length is known.
        QTcpSocket socket;
        socket.connectToHost(QHostAddress::LocalHost, m_api->port());
        QVERIFY(socket.waitForConnected(5000));
        socket.write("POST / HTTP/1.1\r\n" + hostHeader()
            + "Content-Type: application/json\r\nContent-Length: 10000000\r\n\r\n");
        QTRY_VERIFY_WITH_TIMEOUT(
            socket.bytesAvailable() > 0 || socket.state() != QAbstractSocket::ConnectedState, 5000);
        const QByteArray answer = socket.readAll();
        QVERIFY2(answer.startsWith("HTTP/1.1 413"), answer.constData());
    }

    void slowClientIsCutOff()
    {
        HttpLimits limits = m_api->server().limits();
        limits.requestTimeoutMs = 300;
        m_api->server().setLimits(limits);
        QTcpSocket socket;
        socket.connectToHost(QHostAddress::LocalHost, m_api->port());
        QVERIFY(socket.waitForConnected(5000));
        socket.write("POST / HTTP/1.1\r\nHo");
        QByteArray answer;
        connect(&socket, &QTcpSocket::readyRead, this, [&] { answer += socket.readAll(); });
        // Keep trickling bytes; the deadline is for the whole request, so it still expires.
        QTimer trickle;
        connect(&trickle, &QTimer::timeout, this, [&] { socket.write("s"); });
        trickle.start(50);
        QTRY_COMPARE_WITH_TIMEOUT(socket.state(), QAbstractSocket::UnconnectedState, 5000);
        QCOMPARE(socket.state(), QAbstractSocket::UnconnectedState);
        QVERIFY2(answer.startsWith("HTTP/1.1 408"), answer.constData());
        // And the server keeps serving.
        QCOMPARE(
            request("POST", "{\"imageUrl\":\"https://example.com/a.png\",\"userId\":\"b\"}").status, 202);
    }

    void pipelinedRequestsAnsweredInOrder()
    {
        QTcpSocket socket;
        socket.connectToHost(QHostAddress::LocalHost, m_api->port());
        QVERIFY(socket.waitForConnected(5000));
        const QByteArray good = "{\"imageUrl\":\"https://example.com/a.png\",\"userId\":\"p\"}";
        QByteArray all;
        all += "POST / HTTP/1.1\r\n" + hostHeader() + "Content-Length: " + QByteArray::number(good.size())
            + "\r\n\r\n" + good;
        all += "GET /healthz HTTP/1.1\r\n" + hostHeader() + "\r\n";
        all += "POST / HTTP/1.1\r\n" + hostHeader() + "Content-Length: 2\r\n\r\n{}";
        socket.write(all);
        QByteArray answer;
        QTRY_VERIFY_WITH_TIMEOUT((answer += socket.readAll()).count("HTTP/1.1 ") == 3, 5000);
        const qsizetype first = answer.indexOf("HTTP/1.1 202");
        const qsizetype second = answer.indexOf("HTTP/1.1 200");
        const qsizetype third = answer.indexOf("HTTP/1.1 400");
        QVERIFY(first >= 0 && first < second && second < third);
    }

    void tokenGuardsEveryEndpoint()
    {
        startServer(QStringLiteral("s3cret"));
        const QByteArray job = "{\"imageUrl\":\"https://example.com/a.png\",\"userId\":\"t\"}";
        QCOMPARE(request("POST", job).status, 403);
        QCOMPARE(request("GET", {}, "/healthz").status, 403);
        QCOMPARE(request("POST", job, "/", "Bearer wrong").status, 403);
        QCOMPARE(request("POST", job, "/", "Bearer s3cret").status, 202);
        QCOMPARE(m_broker->counts(QStringLiteral("images")).ready, 1);
    }

    // The token is checked from the head: an upload without it is refused before its body
    // is read, so 24 MB that will be refused are never held (nor even all sent).
    void tokenCheckedBeforeTheBody()
    {
        startServer(QStringLiteral("s3cret"));
        m_blobs = std::make_unique<BlobStore>(m_dir->filePath(QStringLiteral("blobs")));
        QString error;
        QVERIFY2(m_blobs->open(&error), qPrintable(error));
        m_api->setUploads(
            new UploadsApi(m_broker.get(), m_blobs.get(), QStringLiteral("images"), m_api.get()));
        const qint64 total = 24'000'000;
        RawHttpClient client(m_api->port());
        client.send("POST /uploads HTTP/1.1\r\n" + hostHeader()
            + "Content-Type: image/png\r\nContent-Length: " + QByteArray::number(total) + "\r\n\r\n");
        // The body goes out as fast as the server takes it, until an answer comes.
        qint64 sent = 0;
        qint64 most = 0;
        const QByteArray chunk(64 * 1024, 'b');
        const auto feed = [&] {
            most = std::max(most, m_api->server().bufferedBytes());
            while (!client.answered() && sent < total && client.socket().bytesToWrite() < 256 * 1024)
                sent += client.socket().write(chunk.left(std::min<qint64>(chunk.size(), total - sent)));
        };
        connect(&client.socket(), &QTcpSocket::bytesWritten, this, feed);
        feed();
        QTRY_VERIFY_WITH_TIMEOUT(client.answered(), 30000);
        QCOMPARE(client.status(), 403);
        QVERIFY2(sent < total, "the 403 came only once the whole body was sent");
        QVERIFY2(most < 2 * 1024 * 1024, qPrintable(QStringLiteral("the server held %1 bytes").arg(most)));
        QCOMPARE(readyCount(), 0);
        QVERIFY(QDir(m_blobs->directory()).entryList(QDir::Files).isEmpty());
    }

    // Without a token, the Host must name this server, so a DNS name rebound to 127.0.0.1
    // reaches nothing.
    void hostMustNameThisServer_data()
    {
        QTest::addColumn<QByteArray>("host");
        QTest::addColumn<int>("status");
        QTest::newRow("address and port") << QByteArray("127.0.0.1:%p") << 202;
        QTest::newRow("address alone") << QByteArray("127.0.0.1") << 202;
        QTest::newRow("localhost") << QByteArray("localhost") << 202;
        QTest::newRow("localhost and port") << QByteArray("LocalHost:%p") << 202;
        QTest::newRow("IPv6 loopback") << QByteArray("[::1]:%p") << 202;
        QTest::newRow("rebound name") << QByteArray("evil.example:%p") << 403;
        QTest::newRow("rebound name without port") << QByteArray("evil.example") << 403;
        QTest::newRow("another port") << QByteArray("127.0.0.1:1") << 403;
        QTest::newRow("not a port") << QByteArray("127.0.0.1:x") << 403;
        QTest::newRow("another address") << QByteArray("10.1.2.3:%p") << 403;
    }

    void hostMustNameThisServer()
    {
        QFETCH(QByteArray, host);
        QFETCH(int, status);
        QByteArray body;
        QCOMPARE(postFrom("Host: " + host + "\r\n", &body), status);
        QCOMPARE(readyCount(), status == 202 ? 1 : 0);
        if (status == 403)
            QVERIFY2(body.contains("--allow-host"), body.constData());
    }

    // Web pages of other origins are refused, with a token or without.
    void foreignPagesAreRefused_data()
    {
        QTest::addColumn<QByteArray>("headers");
        QTest::addColumn<QString>("token");
        QTest::addColumn<int>("status");
        const QByteArray host = "Host: 127.0.0.1:%p\r\n";
        const QByteArray auth = "Authorization: Bearer s3cret\r\n";
        QTest::newRow("foreign origin") << host + "Origin: http://evil.example\r\n" << QString() << 403;
        QTest::newRow("null origin") << host + "Origin: null\r\n" << QString() << 403;
        QTest::newRow("another port") << host + "Origin: http://127.0.0.1:1\r\n" << QString() << 403;
        QTest::newRow("https, same host") << host + "Origin: https://127.0.0.1:%p\r\n" << QString() << 403;
        QTest::newRow("cross-site, no origin") << host + "Sec-Fetch-Site: cross-site\r\n" << QString() << 403;
        QTest::newRow("foreign origin with the token") << host + auth + "Origin: http://evil.example\r\n"
                                                       << QStringLiteral("s3cret") << 403;
        QTest::newRow("own origin") << host + "Origin: http://127.0.0.1:%p\r\n" << QString() << 202;
        QTest::newRow("own origin by name") << host + "Origin: http://localhost:%p\r\n" << QString() << 202;
        QTest::newRow("same origin fetch") << host + "Sec-Fetch-Site: same-origin\r\n" << QString() << 202;
        // With a token the Host is not checked: a client elsewhere may use any name for us.
        QTest::newRow("token, any host")
            << "Host: queue.example.org\r\n" + auth << QStringLiteral("s3cret") << 202;
    }

    void foreignPagesAreRefused()
    {
        QFETCH(QByteArray, headers);
        QFETCH(QString, token);
        QFETCH(int, status);
        startServer(token);
        QByteArray body;
        QCOMPARE(postFrom(headers, &body), status);
        QCOMPARE(readyCount(), status == 202 ? 1 : 0);
        if (status == 403 && headers.contains("evil"))
            QVERIFY2(body.contains("--allow-origin http://evil.example"), body.constData());
    }

    void allowedHostsAndOrigins()
    {
        m_api->access().setAllowedHosts({ QStringLiteral("queue.example.org") });
        m_api->access().setAllowedOrigins({ QStringLiteral("http://dashboard.example.org:3000") });
        QCOMPARE(postFrom("Host: queue.example.org:443\r\n"), 202);
        QCOMPARE(postFrom("Host: 127.0.0.1:%p\r\nOrigin: http://dashboard.example.org:3000\r\n"), 202);
        QCOMPARE(postFrom("Host: 127.0.0.1:%p\r\nOrigin: http://dashboard.example.org\r\n"), 403);
        QCOMPARE(postFrom("Host: other.example.org\r\n"), 403);
        QCOMPARE(readyCount(), 2);
    }
};

QTEST_GUILESS_MAIN(TstProducer)
#include "tst_producer.moc"
