#include "broker.h"
#include "httpapi.h"

#include "brokerfixture.h"

#include <QHash>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

using namespace qd;

// QueueDeck's own /api calls and /metrics, through a real client on a loopback port.
class TstOwnApi : public QObject {
    Q_OBJECT

    QTemporaryDir m_dir;
    std::unique_ptr<QueueStore> m_store;
    SystemClock m_clock;
    std::unique_ptr<Broker> m_broker;
    std::unique_ptr<HttpApi> m_api;
    QNetworkAccessManager m_network;
    bool m_healthy = false; // the consumer fails every message while false
    int m_run = 0;

    QPair<int, QJsonObject> call(const QByteArray &method, const QString &path, const QJsonObject &body = {})
    {
        QNetworkRequest r { QUrl(m_api->baseUrl() + path) };
        r.setHeader(QNetworkRequest::ContentTypeHeader, QByteArrayLiteral("application/json"));
        QNetworkReply *reply = m_network.sendCustomRequest(
            r, method, body.isEmpty() ? QByteArray() : QJsonDocument(body).toJson(QJsonDocument::Compact));
        QSignalSpy done(reply, &QNetworkReply::finished);
        done.wait(10000);
        reply->deleteLater();
        return { reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt(),
            QJsonDocument::fromJson(reply->readAll()).object() };
    }

    QStringList sendJobs(const QString &queue, int n)
    {
        std::vector<SendItem> items;
        for (int i = 0; i < n; ++i)
            items.push_back(
                SendItem { QStringLiteral("{\"n\":%1}").arg(i).toUtf8(), ContentType::Json, std::nullopt });
        return qdtest::sendDurably(*m_broker, queue, std::move(items));
    }

private slots:
    void init()
    {
        m_api.reset();
        m_broker.reset();
        m_store
            = makeStore(qdtest::chooseStoreSpec(m_dir.filePath(QStringLiteral("api-%1.db").arg(++m_run))));
        QString error;
        QVERIFY2(m_store->open(&error), qPrintable(error));
        m_broker = std::make_unique<Broker>(m_store.get(), &m_clock);
        QVERIFY2(m_broker->start(&error), qPrintable(error));
        m_healthy = false;
        QueueSettings settings;
        settings.consumerType = ConsumerType::None;
        settings.maxBatchTimeoutMs = 0;
        settings.maxRetries = 0;
        QVERIFY(m_broker->createQueue(QStringLiteral("jobs"), settings).ok());
        settings.deadLetterQueue = QStringLiteral("jobs-dlq");
        QVERIFY(m_broker->createQueue(QStringLiteral("with dlq/ü"), settings).ok());
        auto consumer = std::make_shared<FunctionConsumer>([this](const Delivery &, BatchOutcome &o) {
            if (!m_healthy)
                o.fail(QStringLiteral("HTTP 503 Service Unavailable from https://img.example.com/a.png"));
        });
        m_broker->attachConsumer(QStringLiteral("jobs"), consumer);
        m_broker->attachConsumer(QStringLiteral("with dlq/ü"), consumer);
        m_api = std::make_unique<HttpApi>(m_broker.get(), QStringLiteral("jobs"), QString());
        QVERIFY(m_api->listen(QHostAddress::LocalHost, 0, &error));
    }

    void browseFailedMessagesAndTheirAttempts()
    {
        const QStringList ids = sendJobs(QStringLiteral("jobs"), 3);
        QTRY_COMPARE(m_broker->counts(QStringLiteral("jobs")).failed, 3);
        const auto [status, list]
            = call("GET", QStringLiteral("/api/messages?queue=jobs&state=failed&limit=2"));
        QCOMPARE(status, 200);
        QCOMPARE(list.value(QLatin1String("total")).toInt(), 3);
        QCOMPARE(list.value(QLatin1String("messages")).toArray().size(), 2);

        const auto [s2, one] = call("GET", QStringLiteral("/api/messages/") + ids[1]);
        QCOMPARE(s2, 200);
        QCOMPARE(one.value(QLatin1String("state")).toString(), QStringLiteral("failed"));
        QCOMPARE(one.value(QLatin1String("body")).toObject().value(QLatin1String("n")).toInt(), 1);
        const QJsonArray attempts = one.value(QLatin1String("attempts_history")).toArray();
        QCOMPARE(attempts.size(), 1);
        QCOMPARE(attempts[0].toObject().value(QLatin1String("outcome")).toString(), QStringLiteral("failed"));
        QVERIFY(attempts[0]
                    .toObject()
                    .value(QLatin1String("error"))
                    .toString()
                    .contains(QLatin1String("HTTP 503")));

        // The batch it rode in, with every message of it.
        const qint64 batch = attempts[0].toObject().value(QLatin1String("batch_id")).toInteger();
        const auto [s3, b] = call("GET", QStringLiteral("/api/batches/%1").arg(batch));
        QCOMPARE(s3, 200);
        QCOMPARE(b.value(QLatin1String("size")).toInt(), 3);
        QCOMPARE(b.value(QLatin1String("failed")).toInt(), 3);
        QCOMPARE(b.value(QLatin1String("messages")).toArray().size(), 3);
        QCOMPARE(call("GET", QStringLiteral("/api/batches?queue=jobs"))
                     .second.value(QLatin1String("batches"))
                     .toArray()
                     .size(),
            1);

        const auto [s4, groups] = call("GET", QStringLiteral("/api/failures?queue=jobs"));
        QCOMPARE(s4, 200);
        const QJsonArray g = groups.value(QLatin1String("groups")).toArray();
        QCOMPARE(g.size(), 1);
        QCOMPARE(g[0].toObject().value(QLatin1String("count")).toInt(), 3);
        QCOMPARE(g[0].toObject().value(QLatin1String("signature")).toString(),
            QStringLiteral("HTTP 503 Service Unavailable from <url>"));
    }

    void v8BodiesAreShownDecoded()
    {
        // Sent as a Worker's env.QUEUE.send(obj) sends: through the Cloudflare-compatible API,
        // content type v8, the body base64. The bytes come from
        //   node -e 'console.log(require("v8").serialize({user:"żółw",n:[1,2],at:new
        //   Date(0)}).toString("base64"))'
        const QString decodable
            = QStringLiteral("/w9vIgR1c2VyAGMIfAHzAEIBdwAiAW5BAkkCSQQkAAIiAmF0RAAAAAAAAAAAewM=");
        // node -e 'console.log(require("v8").serialize(new Map([["a",1]])).toString("base64"))'
        const QString map = QStringLiteral("/w87IgFhSQI6Ag==");
        for (const QString &body : { decodable, map }) {
            QNetworkRequest r { QUrl(m_api->baseUrl()
                + QStringLiteral(
                    "/client/v4/accounts/023e105f4ecef8ad9ca31a8372d0c353/queues/jobs/messages")) };
            r.setHeader(QNetworkRequest::ContentTypeHeader, QByteArrayLiteral("application/json"));
            QNetworkReply *reply = m_network.post(r,
                QJsonDocument(QJsonObject { { QStringLiteral("body"), body },
                                  { QStringLiteral("content_type"), QStringLiteral("v8") } })
                    .toJson(QJsonDocument::Compact));
            QSignalSpy done(reply, &QNetworkReply::finished);
            QVERIFY(done.wait(10000));
            reply->deleteLater();
            QCOMPARE(reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt(), 200);
        }

        const auto [status, list] = call("GET", QStringLiteral("/api/messages?queue=jobs"));
        QCOMPARE(status, 200);
        const QJsonArray messages = list.value(QLatin1String("messages")).toArray();
        QCOMPARE(messages.size(), 2);
        QJsonObject shown;
        QJsonObject refused;
        for (const QJsonValue &v : messages)
            (v.toObject().value(QLatin1String("body")).toString() == decodable ? shown : refused)
                = v.toObject();

        const auto [s2, one]
            = call("GET", QStringLiteral("/api/messages/") + shown.value(QLatin1String("id")).toString());
        QCOMPARE(s2, 200);
        QCOMPARE(one.value(QLatin1String("content_type")).toString(), QStringLiteral("v8"));
        QCOMPARE(one.value(QLatin1String("body")).toString(), decodable);
        const QJsonObject expected
            = QJsonDocument::fromJson(R"({"user":"żółw","n":[1,2],"at":"1970-01-01T00:00:00.000Z"})")
                  .object();
        QCOMPARE(one.value(QLatin1String("body_decoded")).toObject(), expected);
        QVERIFY(!one.contains(QLatin1String("body_note")));
        QCOMPARE(shown.value(QLatin1String("body_decoded")).toObject(), expected);

        QCOMPARE(refused.value(QLatin1String("body")).toString(), map);
        QVERIFY(!refused.contains(QLatin1String("body_decoded")));
        QCOMPARE(refused.value(QLatin1String("body_note")).toString(),
            QStringLiteral("contains a Map, which is shown as bytes"));
    }

    void retryByIdsAndByFilter()
    {
        const QStringList ids = sendJobs(QStringLiteral("jobs"), 4);
        QTRY_COMPARE(m_broker->counts(QStringLiteral("jobs")).failed, 4);
        m_healthy = true;
        const auto [status, r] = call("POST", QStringLiteral("/api/retry"),
            QJsonObject { { QStringLiteral("ids"), QJsonArray { ids[0] } } });
        QCOMPARE(status, 200);
        QCOMPARE(r.value(QLatin1String("retried")).toInt(), 1);
        QTRY_COMPARE(m_broker->counts(QStringLiteral("jobs")).acked, 1);

        const auto [s2, bulk] = call("POST", QStringLiteral("/api/retry"),
            QJsonObject { { QStringLiteral("filter"),
                QJsonObject { { QStringLiteral("queue"), QStringLiteral("jobs") } } } });
        QCOMPARE(s2, 200);
        QCOMPARE(bulk.value(QLatin1String("matched")).toInt(), 3);
        QTRY_COMPARE(m_broker->counts(QStringLiteral("jobs")).acked, 4);
        // The history stays: a failed attempt, then an acked one.
        const QJsonArray attempts = call("GET", QStringLiteral("/api/messages/") + ids[2])
                                        .second.value(QLatin1String("attempts_history"))
                                        .toArray();
        QCOMPARE(attempts.size(), 2);
        QCOMPARE(attempts[0].toObject().value(QLatin1String("outcome")).toString(), QStringLiteral("acked"));
        QCOMPARE(attempts[1].toObject().value(QLatin1String("outcome")).toString(), QStringLiteral("failed"));
        const QJsonArray audit
            = call("GET", QStringLiteral("/api/audit")).second.value(QLatin1String("entries")).toArray();
        QVERIFY(std::any_of(audit.begin(), audit.end(), [](const QJsonValue &e) {
            return e.toObject().value(QLatin1String("action")).toString() == QLatin1String("retry_all");
        }));
    }

    // What `queuedeck ctl tail` relies on: the most recently changed failures come first.
    void listNewestChangedFirst()
    {
        const QStringList ids = sendJobs(QStringLiteral("jobs"), 3);
        QTRY_COMPARE(m_broker->counts(QStringLiteral("jobs")).failed, 3);
        const qint64 firstFailure = call("GET", QStringLiteral("/api/messages/") + ids[0])
                                        .second.value(QLatin1String("updated_ms"))
                                        .toInteger();
        // The clock must move on, or the second failure would tie with the first.
        QTRY_VERIFY(m_clock.nowMs() > firstFailure);
        QCOMPARE(call("POST", QStringLiteral("/api/retry"),
                     QJsonObject { { QStringLiteral("ids"), QJsonArray { ids[0] } } })
                     .first,
            200);
        QTRY_COMPARE(call("GET", QStringLiteral("/api/messages/") + ids[0])
                         .second.value(QLatin1String("attempts_history"))
                         .toArray()
                         .size(),
            2);
        QTRY_COMPARE(m_broker->counts(QStringLiteral("jobs")).failed, 3);
        const auto order = [this](const QString &query) {
            QStringList got;
            const auto [status, list] = call("GET", QStringLiteral("/api/messages?queue=jobs&") + query);
            if (status != 200)
                return QStringList { QString::number(status) };
            for (const QJsonValue &m : list.value(QLatin1String("messages")).toArray())
                got.append(m.toObject().value(QLatin1String("id")).toString());
            return got;
        };
        QCOMPARE(order(QStringLiteral("state=failed")), ids);
        QCOMPARE(order(QStringLiteral("state=failed&sort=updated&order=desc")),
            (QStringList { ids[0], ids[2], ids[1] }));
        QCOMPARE(order(QStringLiteral("state=failed&sort=updated&order=asc&limit=2")),
            (QStringList { ids[1], ids[2] }));
        QCOMPARE(order(QStringLiteral("order=desc")), (QStringList { ids[2], ids[1], ids[0] }));
    }

    void redriveADeadLetterQueue()
    {
        const QString queue = QStringLiteral("with dlq/ü");
        sendJobs(queue, 2);
        QTRY_COMPARE(m_broker->counts(QStringLiteral("jobs-dlq")).ready, 2);
        const auto [s1, dead] = call("GET", QStringLiteral("/api/messages?state=dead_lettered"));
        QCOMPARE(s1, 200);
        QCOMPARE(dead.value(QLatin1String("total")).toInt(), 2);
        QCOMPARE(dead.value(QLatin1String("messages"))
                     .toArray()[0]
                     .toObject()
                     .value(QLatin1String("source_queue"))
                     .toString(),
            queue);
        m_healthy = true;
        const auto [s2, moved] = call("POST", QStringLiteral("/api/redrive"),
            QJsonObject { { QStringLiteral("queue"), QStringLiteral("jobs-dlq") } });
        QCOMPARE(s2, 200);
        QCOMPARE(moved.value(QLatin1String("moved")).toInt(), 2);
        QTRY_COMPARE(m_broker->counts(queue).acked, 2);
        QCOMPARE(m_broker->counts(QStringLiteral("jobs-dlq")).ready, 0);
    }

    void deleteAMessage()
    {
        const QStringList ids = sendJobs(QStringLiteral("jobs"), 2);
        QTRY_COMPARE(m_broker->counts(QStringLiteral("jobs")).failed, 2);
        QCOMPARE(call("DELETE", QStringLiteral("/api/messages/") + ids[0]).first, 200);
        QCOMPARE(call("GET", QStringLiteral("/api/messages/") + ids[0]).first, 404);
        QCOMPARE(call("POST", QStringLiteral("/api/delete"),
                     QJsonObject { { QStringLiteral("ids"), QJsonArray { ids[1], QStringLiteral("nope") } } })
                     .first,
            404);
        QCOMPARE(
            m_broker->counts(QStringLiteral("jobs")).failed, 1); // nothing deleted when one id is unknown
    }

    // The text search looks into bodies as they are stored: non-ASCII text, backslashes,
    // ASCII letters in either case, LIKE's wildcards as plain characters, and binary bodies
    // that are not UTF-8.
    void searchBodies_data()
    {
        QTest::addColumn<QString>("q");
        QTest::addColumn<QStringList>("found"); // the bodies below, by name
        QTest::newRow("non-ASCII") << QStringLiteral("Grüße") << QStringList { QStringLiteral("greeting") };
        QTest::newRow("ASCII letters in either case")
            << QStringLiteral("AUS") << QStringList { QStringLiteral("greeting") };
        QTest::newRow("backslash") << QStringLiteral("c:\\TEMP\\new")
                                   << QStringList { QStringLiteral("path") };
        QTest::newRow("percent is a character")
            << QStringLiteral("0%") << QStringList { QStringLiteral("percent") };
        QTest::newRow("underscore is a character")
            << QStringLiteral("e_n") << QStringList { QStringLiteral("percent") };
        QTest::newRow("binary body") << QStringLiteral("needle") << QStringList { QStringLiteral("binary") };
        QTest::newRow("bytes are not their escapes") << QStringLiteral("303") << QStringList {};
        QTest::newRow("a quote") << QStringLiteral("d'a") << QStringList { QStringLiteral("quote") };
    }
    void searchBodies()
    {
        QFETCH(QString, q);
        QFETCH(QStringList, found);
        QueueSettings settings;
        settings.consumerType = ConsumerType::None;
        QVERIFY(m_broker->createQueue(QStringLiteral("search"), settings).ok());
        const QList<QPair<QString, SendItem>> bodies {
            { QStringLiteral("greeting"),
                SendItem { QStringLiteral("{\"text\":\"Grüße aus Köln\"}").toUtf8(), ContentType::Json,
                    std::nullopt } },
            { QStringLiteral("path"),
                SendItem { QByteArray("C:\\temp\\new"), ContentType::Text, std::nullopt } },
            { QStringLiteral("percent"),
                SendItem { QByteArray("100% done_now"), ContentType::Text, std::nullopt } },
            { QStringLiteral("binary"),
                SendItem { QByteArray("\xff\xfe\x01needle\x00\xc3", 11), ContentType::Bytes, std::nullopt } },
            { QStringLiteral("quote"),
                SendItem { QByteArray("l'eau d'avril"), ContentType::Text, std::nullopt } },
        };
        QHash<QString, QString> names; // id -> name
        for (const auto &[name, item] : bodies) {
            QStringList ids;
            bool durable = false;
            QVERIFY(m_broker
                        ->send(
                            QStringLiteral("search"), { item }, std::nullopt,
                            [&](const Error &) { durable = true; }, &ids)
                        .ok());
            QTRY_VERIFY(durable);
            names.insert(ids.value(0), name);
        }
        const auto [status, list] = call("GET",
            QStringLiteral("/api/messages?queue=search&q=")
                + QString::fromLatin1(QUrl::toPercentEncoding(q)));
        QCOMPARE(status, 200);
        QStringList got;
        for (const QJsonValue &m : list.value(QLatin1String("messages")).toArray())
            got.append(names.value(m.toObject().value(QLatin1String("id")).toString(), QStringLiteral("?")));
        got.sort();
        QCOMPARE(got, found);
        QCOMPARE(list.value(QLatin1String("total")).toInt(), found.size());
    }

    // A page in the order of a column the window sorts by, without the count; one user's.
    void sortedByUserWithoutTotal()
    {
        QueueSettings settings;
        settings.consumerType = ConsumerType::None;
        QVERIFY(m_broker->createQueue(QStringLiteral("users"), settings).ok());
        std::vector<SendItem> items;
        for (const char *user : { "carol", "alice", "bob" })
            items.push_back(
                SendItem { QByteArray("{\"imageUrl\":\"https://x.test/a.png\",\"userId\":\"") + user + "\"}",
                    ContentType::Json, std::nullopt });
        bool durable = false;
        QVERIFY(
            m_broker
                ->send(QStringLiteral("users"), items, std::nullopt, [&](const Error &) { durable = true; })
                .ok());
        QTRY_VERIFY(durable);
        const auto [status, list]
            = call("GET", QStringLiteral("/api/messages?queue=users&sort=user&order=desc&total=false"));
        QCOMPARE(status, 200);
        QVERIFY(!list.contains(QLatin1String("total")));
        QStringList users;
        for (const QJsonValue &m : list.value(QLatin1String("messages")).toArray())
            users.append(m.toObject()
                             .value(QLatin1String("body"))
                             .toObject()
                             .value(QLatin1String("userId"))
                             .toString());
        QCOMPARE(
            users, (QStringList { QStringLiteral("carol"), QStringLiteral("bob"), QStringLiteral("alice") }));
        QCOMPARE(call("GET", QStringLiteral("/api/messages?queue=users&total=maybe")).first, 400);
        QCOMPARE(call("GET", QStringLiteral("/api/messages?queue=users&user=bob"))
                     .second.value(QLatin1String("total"))
                     .toInt(),
            1);
        QCOMPARE(call("GET", QStringLiteral("/api/messages?queue=users"))
                     .second.value(QLatin1String("total"))
                     .toInt(),
            3);
    }

    void badRequests_data()
    {
        QTest::addColumn<QByteArray>("method");
        QTest::addColumn<QString>("path");
        QTest::addColumn<QByteArray>("body");
        QTest::addColumn<int>("status");
        QTest::newRow("unknown queue")
            << QByteArray("GET") << QStringLiteral("/api/messages?queue=nope") << QByteArray() << 404;
        QTest::newRow("bad state") << QByteArray("GET") << QStringLiteral("/api/messages?state=sleeping")
                                   << QByteArray() << 400;
        QTest::newRow("limit too big")
            << QByteArray("GET") << QStringLiteral("/api/messages?limit=5000") << QByteArray() << 400;
        QTest::newRow("negative offset")
            << QByteArray("GET") << QStringLiteral("/api/messages?offset=-1") << QByteArray() << 400;
        QTest::newRow("bad sort") << QByteArray("GET") << QStringLiteral("/api/messages?sort=colour")
                                  << QByteArray() << 400;
        QTest::newRow("bad order") << QByteArray("GET") << QStringLiteral("/api/messages?order=up")
                                   << QByteArray() << 400;
        QTest::newRow("unknown message")
            << QByteArray("GET") << QStringLiteral("/api/messages/abc") << QByteArray() << 404;
        QTest::newRow("unknown batch")
            << QByteArray("GET") << QStringLiteral("/api/batches/99999") << QByteArray() << 404;
        QTest::newRow("retry without ids")
            << QByteArray("POST") << QStringLiteral("/api/retry") << QByteArray("{}") << 400;
        QTest::newRow("retry bad delay") << QByteArray("POST") << QStringLiteral("/api/retry")
                                         << QByteArray("{\"ids\":[],\"delay_seconds\":-5}") << 400;
        QTest::newRow("retry malformed")
            << QByteArray("POST") << QStringLiteral("/api/retry") << QByteArray("{\"ids\":") << 400;
        QTest::newRow("redrive unknown") << QByteArray("POST") << QStringLiteral("/api/redrive")
                                         << QByteArray("{\"queue\":\"nope\"}") << 404;
        QTest::newRow("no such call")
            << QByteArray("GET") << QStringLiteral("/api/nothing") << QByteArray() << 404;
    }
    void badRequests()
    {
        QFETCH(QByteArray, method);
        QFETCH(QString, path);
        QFETCH(QByteArray, body);
        QFETCH(int, status);
        QNetworkRequest r { QUrl(m_api->baseUrl() + path) };
        QNetworkReply *reply = m_network.sendCustomRequest(r, method, body);
        QSignalSpy done(reply, &QNetworkReply::finished);
        QVERIFY(done.wait(10000));
        reply->deleteLater();
        QCOMPARE(reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt(), status);
        QVERIFY(!QJsonDocument::fromJson(reply->readAll())
                     .object()
                     .value(QLatin1String("error"))
                     .toString()
                     .isEmpty());
    }

    void prometheusMetrics()
    {
        sendJobs(QStringLiteral("jobs"), 2);
        QTRY_COMPARE(m_broker->counts(QStringLiteral("jobs")).failed, 2);
        QNetworkReply *reply
            = m_network.get(QNetworkRequest(QUrl(m_api->baseUrl() + QStringLiteral("/metrics"))));
        QSignalSpy done(reply, &QNetworkReply::finished);
        QVERIFY(done.wait(10000));
        reply->deleteLater();
        const QByteArray text = reply->readAll();
        QVERIFY(reply->header(QNetworkRequest::ContentTypeHeader)
                    .toString()
                    .startsWith(QLatin1String("text/plain")));
        QVERIFY(text.contains("# TYPE queuedeck_messages_written_total counter"));
        QVERIFY(text.contains("queuedeck_queue_failed{queue=\"jobs\"} 2\n"));
        QVERIFY(text.contains("queuedeck_messages_written_total{queue=\"jobs\"} 2\n"));
        QVERIFY(text.contains("queuedeck_queue_ready{queue=\"with dlq/\xc3\xbc\"} 0\n"));
    }

    // Batch processing and end-to-end latencies as Prometheus histograms, per queue: every
    // finished batch counts (failed ones too), every acked message counts once.
    void prometheusLatencyHistograms()
    {
        sendJobs(QStringLiteral("jobs"), 2);
        QTRY_COMPARE(m_broker->counts(QStringLiteral("jobs")).failed, 2);
        m_healthy = true;
        sendJobs(QStringLiteral("jobs"), 3);
        QTRY_COMPARE(m_broker->counters(QStringLiteral("jobs")).acked, 3);
        const qint64 batches = m_broker->counters(QStringLiteral("jobs")).batches;
        QVERIFY(batches >= 2);

        QNetworkReply *reply
            = m_network.get(QNetworkRequest(QUrl(m_api->baseUrl() + QStringLiteral("/metrics"))));
        QSignalSpy done(reply, &QNetworkReply::finished);
        QVERIFY(done.wait(10000));
        reply->deleteLater();
        const QByteArray text = reply->readAll();
        QVERIFY(text.contains("# TYPE queuedeck_batch_processing_seconds histogram\n"));
        const QByteArray batchCount = QByteArray::number(batches);
        const QByteArray processingCount
            = "queuedeck_batch_processing_seconds_count{queue=\"jobs\"} " + batchCount + '\n';
        const QByteArray processingInf
            = "queuedeck_batch_processing_seconds_bucket{queue=\"jobs\",le=\"+Inf\"} " + batchCount + '\n';
        QVERIFY(text.contains(processingCount));
        QVERIFY(text.contains(processingInf));
        QVERIFY(text.contains("queuedeck_message_end_to_end_seconds_count{queue=\"jobs\"} 3\n"));
        QVERIFY(text.contains("queuedeck_message_end_to_end_seconds_bucket{queue=\"jobs\",le=\"300\"} 3\n"));
        QVERIFY(text.contains("queuedeck_message_end_to_end_seconds_count{queue=\"with dlq/\xc3\xbc\"} 0\n"));
    }
};

QTEST_GUILESS_MAIN(TstOwnApi)
#include "tst_ownapi.moc"
