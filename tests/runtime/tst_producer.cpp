#include "broker.h"
#include "httpapi.h"

#include "../teststore.h"

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

    void startServer(const QString &token)
    {
        m_api.reset();
        m_broker.reset();
        m_store.reset();
        m_dir = std::make_unique<QTemporaryDir>();
        m_spec = qdtest::chooseStoreSpec(m_dir->filePath(QStringLiteral("q.db")));
        m_store = makeStore(m_spec);
        QString error;
        QVERIFY2(m_store->open(&error), qPrintable(error));
        m_broker = std::make_unique<Broker>(m_store.get(), &m_clock);
        QVERIFY2(m_broker->start(&error), qPrintable(error));
        QueueSettings settings;
        settings.consumerType = ConsumerType::None;
        QVERIFY(!m_broker->createQueue(QStringLiteral("images"), settings));
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
        socket.write("POST / HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: "
                     "10000000\r\n\r\n");
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
        all += "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: " + QByteArray::number(good.size()) + "\r\n\r\n"
            + good;
        all += "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n";
        all += "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\n{}";
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
};

QTEST_GUILESS_MAIN(TstProducer)
#include "tst_producer.moc"
