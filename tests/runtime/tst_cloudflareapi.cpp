#include "broker.h"
#include "cloudflareapi.h"
#include "httpapi.h"

#include "../teststore.h"

#include <QDateTime>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QMap>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QRegularExpression>
#include <QSet>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

using namespace qd;

// The Cloudflare-compatible REST API through a real HTTP client, a real server on a
// loopback port and a real store (a SQLite file, or a PostgreSQL schema in the _pg variant).
// Every answer is checked for Cloudflare's envelope, and what a call changed is checked in
// the store through a second, independent connection.
// (moc misreads digit separators and raw string literals, so this file has neither.)
class TstCloudflareApi : public QObject {
    Q_OBJECT

    struct Reply {
        int status = 0;
        QByteArray body;
        QByteArray contentType;
        QByteArray allow;
        QByteArray shouldRetry;

        QJsonObject json() const { return QJsonDocument::fromJson(body).object(); }
        QJsonValue result() const { return json().value(QLatin1String("result")); }
        QJsonObject object() const { return result().toObject(); }
        int code() const
        {
            return json()
                .value(QLatin1String("errors"))
                .toArray()
                .at(0)
                .toObject()
                .value(QLatin1String("code"))
                .toInt();
        }
        QString message() const
        {
            return json()
                .value(QLatin1String("errors"))
                .toArray()
                .at(0)
                .toObject()
                .value(QLatin1String("message"))
                .toString();
        }
    };

    std::unique_ptr<QTemporaryDir> m_dir;
    QString m_spec;
    std::unique_ptr<QueueStore> m_store;
    ManualClock m_clock;
    std::unique_ptr<Broker> m_broker;
    std::unique_ptr<HttpApi> m_api;
    QNetworkAccessManager m_network;

    static QString enc(const QString &name) { return QString::fromLatin1(QUrl::toPercentEncoding(name)); }
    static QByteArray compact(const QJsonObject &o)
    {
        return QJsonDocument(o).toJson(QJsonDocument::Compact);
    }
    static QJsonObject parse(const QByteArray &text) { return QJsonDocument::fromJson(text).object(); }

    // `path` is percent-encoded and relative to /client/v4/accounts/{account}/.
    Reply call(const QByteArray &method, const QString &path, const QByteArray &body = {},
        const QString &account = QStringLiteral("023e105f4ecef8ad9ca31a8372d0c353"))
    {
        const QString url
            = m_api->baseUrl() + QStringLiteral("/client/v4/accounts/") + account + QLatin1Char('/') + path;
        QNetworkRequest r { QUrl::fromEncoded(url.toUtf8()) };
        if (!body.isEmpty())
            r.setHeader(QNetworkRequest::ContentTypeHeader, QByteArrayLiteral("application/json"));
        QNetworkReply *reply = m_network.sendCustomRequest(r, method, body);
        QSignalSpy done(reply, &QNetworkReply::finished);
        if (!reply->isFinished())
            done.wait(15000);
        Reply out { reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt(), reply->readAll(),
            reply->rawHeader("Content-Type"), reply->rawHeader("Allow"), reply->rawHeader("x-should-retry") };
        reply->deleteLater();
        return out;
    }
    Reply call(const QByteArray &method, const QString &path, const QJsonObject &body)
    {
        return call(method, path, compact(body));
    }

    // Cloudflare's envelope, the status, and for failures the error code.
    static bool envelope(const Reply &r, int status, int code = 0)
    {
        const QJsonObject json = r.json();
        const bool ok = status >= 200 && status < 300;
        QStringList problems;
        if (r.status != status)
            problems << QStringLiteral("status %1, expected %2").arg(r.status).arg(status);
        if (!r.contentType.startsWith("application/json"))
            problems << QStringLiteral("content type %1").arg(QString::fromLatin1(r.contentType));
        if (json.value(QLatin1String("success")) != QJsonValue(ok))
            problems << QStringLiteral("success is not %1").arg(ok);
        if (!json.value(QLatin1String("errors")).isArray() || !json.value(QLatin1String("messages")).isArray()
            || !json.contains(QLatin1String("result")))
            problems << QStringLiteral("errors, messages or result missing");
        if (ok && !json.value(QLatin1String("errors")).toArray().isEmpty())
            problems << QStringLiteral("errors on success");
        if (!ok && r.code() != code)
            problems << QStringLiteral("code %1, expected %2").arg(r.code()).arg(code);
        if (!ok && r.message().isEmpty())
            problems << QStringLiteral("no error message");
        if (!problems.isEmpty())
            qWarning("%s\n  body: %s", qPrintable(problems.join(QLatin1String("; "))),
                r.body.left(600).constData());
        return problems.isEmpty();
    }

    // What is on disk, through an independent connection.
    std::vector<QueueRecord> diskQueues() { return qdtest::openTestReader(m_spec)->loadQueues(); }
    std::optional<QueueRecord> diskQueue(const QString &name)
    {
        for (QueueRecord &q : diskQueues()) {
            if (q.name == name)
                return q;
        }
        return std::nullopt;
    }
    std::vector<Message> diskMessages(const QString &queueName)
    {
        const auto q = diskQueue(queueName);
        if (!q)
            return {};
        MessageFilter filter;
        filter.queueId = q->id;
        return qdtest::openTestReader(m_spec)->listMessages(filter, m_clock.nowMs(), 0, 1000);
    }

    // Creates a queue through the API and returns its answer.
    QJsonObject createQueue(const QString &name, const QJsonObject &settings = {})
    {
        QJsonObject body { { QStringLiteral("queue_name"), name } };
        if (!settings.isEmpty())
            body.insert(QStringLiteral("settings"), settings);
        const Reply r = call("POST", QStringLiteral("queues"), body);
        if (!envelope(r, 200))
            qFatal("could not create queue %s", qPrintable(name));
        return r.object();
    }
    QJsonObject push(const QString &queue, const QJsonObject &message)
    {
        const Reply r = call("POST", QStringLiteral("queues/%1/messages").arg(enc(queue)), message);
        if (!envelope(r, 200))
            qFatal("could not push to %s", qPrintable(queue));
        return r.object();
    }
    QJsonObject pull(const QString &queue, const QJsonObject &request)
    {
        const Reply r = call("POST", QStringLiteral("queues/%1/messages/pull").arg(enc(queue)), request);
        if (!envelope(r, 200))
            qFatal("could not pull from %s", qPrintable(queue));
        return r.object();
    }

private slots:
    void init()
    {
        m_dir = std::make_unique<QTemporaryDir>();
        QVERIFY(m_dir->isValid());
        m_spec = qdtest::chooseStoreSpec(m_dir->filePath(QStringLiteral("q.db")));
        m_store = makeStore(m_spec);
        QString error;
        QVERIFY2(m_store->open(&error), qPrintable(error));
        m_broker = std::make_unique<Broker>(m_store.get(), &m_clock);
        QVERIFY2(m_broker->start(&error), qPrintable(error));
        m_api = std::make_unique<HttpApi>(m_broker.get(), QStringLiteral("images"), QString());
        QVERIFY2(m_api->listen(QHostAddress::LocalHost, 0, &error), qPrintable(error));
    }

    void cleanup()
    {
        m_api.reset();
        m_broker.reset();
        m_store.reset();
        m_dir.reset();
    }

    // ---- Queues ----

    void createQueue_data()
    {
        QTest::addColumn<QString>("name");
        QTest::newRow("plain") << QStringLiteral("jobs");
        QTest::newRow("slash and space") << QStringLiteral("my/ Queue");
        QTest::newRow("percent") << QStringLiteral("100% done");
        QTest::newRow("non-ASCII") << QStringLiteral("ünïcødé 名前 ✓");
        QTest::newRow("URL delimiters") << QStringLiteral("a?b#c&d=e+f;g");
        QTest::newRow("looks like an id") << QStringLiteral("0123456789abcdef0123456789abcdef");
    }

    void createQueue()
    {
        QFETCH(QString, name);
        const Reply r = call("POST", QStringLiteral("queues"),
            QJsonObject { { QStringLiteral("queue_name"), name },
                { QStringLiteral("settings"),
                    QJsonObject { { QStringLiteral("delivery_delay"), 5 },
                        { QStringLiteral("message_retention_period"), 3600 } } } });
        QVERIFY(envelope(r, 200));
        const QJsonObject q = r.object();
        QCOMPARE(q.value(QLatin1String("queue_name")).toString(), name);
        const QString id = q.value(QLatin1String("queue_id")).toString();
        QVERIFY2(QRegularExpression(QStringLiteral("^[0-9a-f]{32}$")).match(id).hasMatch(), qPrintable(id));
        QVERIFY(QDateTime::fromString(q.value(QLatin1String("created_on")).toString(), Qt::ISODateWithMs)
                    .isValid());
        QVERIFY(QDateTime::fromString(q.value(QLatin1String("modified_on")).toString(), Qt::ISODateWithMs)
                    .isValid());
        QCOMPARE(q.value(QLatin1String("consumers")).toArray().size(), 0);
        QCOMPARE(q.value(QLatin1String("consumers_total_count")).toInt(), 0);
        QCOMPARE(q.value(QLatin1String("producers_total_count")).toInt(), 0);
        const QJsonObject settings = q.value(QLatin1String("settings")).toObject();
        QCOMPARE(settings.value(QLatin1String("delivery_delay")).toInt(), 5);
        QCOMPARE(settings.value(QLatin1String("message_retention_period")).toInt(), 3600);
        QCOMPARE(settings.value(QLatin1String("delivery_paused")).toBool(), false);

        const auto disk = diskQueue(name);
        QVERIFY(disk);
        QCOMPARE(disk->settings.deliveryDelaySeconds, 5);
        QCOMPARE(disk->settings.retentionSeconds, 3600);
        QCOMPARE(disk->settings.consumerType, ConsumerType::None); // like Cloudflare: no consumer yet
        QCOMPARE(CloudflareApi::queueId(*disk), id);

        // Found by its id and by its (escaped) name.
        for (const QString &key : { id, enc(name) }) {
            const Reply get = call("GET", QStringLiteral("queues/") + key);
            QVERIFY(envelope(get, 200));
            QCOMPARE(get.object().value(QLatin1String("queue_name")).toString(), name);
            QCOMPARE(get.object().value(QLatin1String("queue_id")).toString(), id);
        }
        QVERIFY(envelope(call("GET", QStringLiteral("queues/%1/metrics").arg(enc(name))), 200));
    }

    void createQueueRejected_data()
    {
        QTest::addColumn<QByteArray>("body");
        QTest::addColumn<int>("code");
        QTest::addColumn<QString>("names");
        QTest::newRow("no name") << QByteArray("{}") << 10207 << QStringLiteral("queue_name");
        QTest::newRow("empty name") << QByteArray("{\"queue_name\":\"\"}") << 10207
                                    << QStringLiteral("queue_name");
        QTest::newRow("name not a string")
            << QByteArray("{\"queue_name\":5}") << 10207 << QStringLiteral("queue_name");
        QTest::newRow("name too long") << QByteArray("{\"queue_name\":\"" + QByteArray(256, 'n') + "\"}")
                                       << 10207 << QStringLiteral("queue_name");
        QTest::newRow("malformed JSON") << QByteArray("{\"queue_name\":") << 10208 << QStringLiteral("JSON");
        QTest::newRow("not an object") << QByteArray("[1]") << 10207 << QStringLiteral("object");
        QTest::newRow("settings not an object")
            << QByteArray("{\"queue_name\":\"q\",\"settings\":3}") << 10207 << QStringLiteral("settings");
        QTest::newRow("delay too long")
            << QByteArray("{\"queue_name\":\"q\",\"settings\":{\"delivery_delay\":86401}}") << 10207
            << QStringLiteral("settings.delivery_delay");
        QTest::newRow("delay negative")
            << QByteArray("{\"queue_name\":\"q\",\"settings\":{\"delivery_delay\":-1}}") << 10207
            << QStringLiteral("settings.delivery_delay");
        QTest::newRow("delay fractional")
            << QByteArray("{\"queue_name\":\"q\",\"settings\":{\"delivery_delay\":1.5}}") << 10207
            << QStringLiteral("settings.delivery_delay must be an integer");
        QTest::newRow("retention too short")
            << QByteArray("{\"queue_name\":\"q\",\"settings\":{\"message_retention_period\":59}}") << 10207
            << QStringLiteral("settings.message_retention_period");
        QTest::newRow("retention too long")
            << QByteArray("{\"queue_name\":\"q\",\"settings\":{\"message_retention_period\":1209601}}")
            << 10207 << QStringLiteral("settings.message_retention_period");
        QTest::newRow("paused not a boolean")
            << QByteArray("{\"queue_name\":\"q\",\"settings\":{\"delivery_paused\":\"yes\"}}") << 10207
            << QStringLiteral("settings.delivery_paused");
        QTest::newRow("unknown setting")
            << QByteArray("{\"queue_name\":\"q\",\"settings\":{\"max_batch_size\":5}}") << 10207
            << QStringLiteral("settings.max_batch_size");
    }

    void createQueueRejected()
    {
        QFETCH(QByteArray, body);
        QFETCH(int, code);
        QFETCH(QString, names);
        const Reply r = call("POST", QStringLiteral("queues"), body);
        QVERIFY(envelope(r, 400, code));
        QVERIFY2(r.message().contains(names), qPrintable(r.message()));
        QVERIFY(diskQueues().empty());
    }

    void createQueueConflict()
    {
        createQueue(QStringLiteral("dup"));
        const Reply r = call("POST", QStringLiteral("queues"),
            QJsonObject { { QStringLiteral("queue_name"), QStringLiteral("dup") } });
        QVERIFY(envelope(r, 409, 11009));
        QVERIFY2(r.message().contains(QLatin1String("already taken")), qPrintable(r.message()));
        QCOMPARE(r.shouldRetry, QByteArray("false"));
        QCOMPARE(diskQueues().size(), std::size_t(1));
    }

    void listQueues()
    {
        const QStringList names { QStringLiteral("a"), QStringLiteral("b/b"), QStringLiteral("c") };
        for (const QString &name : names)
            createQueue(name);

        Reply r = call("GET", QStringLiteral("queues"));
        QVERIFY(envelope(r, 200));
        QStringList listed;
        for (const QJsonValue &q : r.result().toArray())
            listed << q.toObject().value(QLatin1String("queue_name")).toString();
        QCOMPARE(listed, names);
        QJsonObject info = r.json().value(QLatin1String("result_info")).toObject();
        QCOMPARE(info.value(QLatin1String("page")).toInt(), 1);
        QCOMPARE(info.value(QLatin1String("count")).toInt(), 3);
        QCOMPARE(info.value(QLatin1String("total_count")).toInt(), 3);
        QCOMPARE(info.value(QLatin1String("total_pages")).toInt(), 1);

        r = call("GET", QStringLiteral("queues?page=2&per_page=2"));
        QVERIFY(envelope(r, 200));
        QCOMPARE(r.result().toArray().size(), 1);
        QCOMPARE(r.result().toArray().at(0).toObject().value(QLatin1String("queue_name")).toString(),
            QStringLiteral("c"));
        info = r.json().value(QLatin1String("result_info")).toObject();
        QCOMPARE(info.value(QLatin1String("page")).toInt(), 2);
        QCOMPARE(info.value(QLatin1String("per_page")).toInt(), 2);
        QCOMPARE(info.value(QLatin1String("count")).toInt(), 1);
        QCOMPARE(info.value(QLatin1String("total_count")).toInt(), 3);
        QCOMPARE(info.value(QLatin1String("total_pages")).toInt(), 2);

        r = call("GET", QStringLiteral("queues?name=b%2Fb"));
        QVERIFY(envelope(r, 200));
        QCOMPARE(r.result().toArray().size(), 1);
        QCOMPARE(r.result().toArray().at(0).toObject().value(QLatin1String("queue_name")).toString(),
            QStringLiteral("b/b"));

        QVERIFY(envelope(call("GET", QStringLiteral("queues?page=0")), 400, 10207));
        QVERIFY(envelope(call("GET", QStringLiteral("queues?per_page=x")), 400, 10207));
    }

    void unknownQueue_data()
    {
        QTest::addColumn<QByteArray>("method");
        QTest::addColumn<QString>("suffix");
        QTest::addColumn<QByteArray>("body");
        const QByteArray msg = "{\"body\":\"x\"}";
        QTest::newRow("get") << QByteArray("GET") << QString() << QByteArray();
        QTest::newRow("patch") << QByteArray("PATCH") << QString() << QByteArray("{}");
        QTest::newRow("put") << QByteArray("PUT") << QString() << QByteArray("{}");
        QTest::newRow("delete") << QByteArray("DELETE") << QString() << QByteArray();
        QTest::newRow("push") << QByteArray("POST") << QStringLiteral("/messages") << msg;
        QTest::newRow("batch") << QByteArray("POST") << QStringLiteral("/messages/batch")
                               << QByteArray("{\"messages\":[{\"body\":1}]}");
        QTest::newRow("pull") << QByteArray("POST") << QStringLiteral("/messages/pull") << QByteArray("{}");
        QTest::newRow("ack") << QByteArray("POST") << QStringLiteral("/messages/ack") << QByteArray("{}");
        QTest::newRow("purge") << QByteArray("POST") << QStringLiteral("/purge")
                               << QByteArray("{\"delete_messages_permanently\":true}");
        QTest::newRow("metrics") << QByteArray("GET") << QStringLiteral("/metrics") << QByteArray();
        QTest::newRow("consumers") << QByteArray("GET") << QStringLiteral("/consumers") << QByteArray();
        QTest::newRow("consumer") << QByteArray("PUT") << QStringLiteral("/consumers/0123")
                                  << QByteArray("{\"type\":\"http_pull\"}");
    }

    void unknownQueue()
    {
        QFETCH(QByteArray, method);
        QFETCH(QString, suffix);
        QFETCH(QByteArray, body);
        // A name that never existed, an id that never existed, and the id of a deleted queue.
        const QJsonObject gone = createQueue(QStringLiteral("gone"));
        QVERIFY(envelope(call("DELETE", QStringLiteral("queues/gone")), 200));
        for (const QString &key : { QStringLiteral("nope"), QString(32, QLatin1Char('0')),
                 gone.value(QLatin1String("queue_id")).toString() }) {
            const Reply r = call(method, QStringLiteral("queues/") + key + suffix, body);
            QVERIFY(envelope(r, 404, 10104));
        }
        QVERIFY(diskQueues().empty());
    }

    void updateQueue_data()
    {
        QTest::addColumn<QByteArray>("method");
        QTest::addColumn<QByteArray>("body");
        QTest::addColumn<int>("delay");
        QTest::addColumn<bool>("paused");
        QTest::addColumn<int>("retention");
        QTest::newRow("pause") << QByteArray("PATCH")
                               << QByteArray("{\"settings\":{\"delivery_paused\":true}}") << 5 << true
                               << 3600;
        QTest::newRow("delay") << QByteArray("PATCH") << QByteArray("{\"settings\":{\"delivery_delay\":30}}")
                               << 30 << false << 3600;
        QTest::newRow("retention") << QByteArray("PATCH")
                                   << QByteArray("{\"settings\":{\"message_retention_period\":7200}}") << 5
                                   << false << 7200;
        QTest::newRow("same name") << QByteArray(
            "PATCH") << QByteArray("{\"queue_name\":\"q/1\",\"settings\":{\"delivery_delay\":0}}")
                                   << 0 << false << 3600;
        QTest::newRow("nothing") << QByteArray("PATCH") << QByteArray() << 5 << false << 3600;
        QTest::newRow("replace resets the rest")
            << QByteArray("PUT") << QByteArray("{\"settings\":{\"delivery_paused\":true}}") << 0 << true
            << 345600;
    }

    void updateQueue()
    {
        QFETCH(QByteArray, method);
        QFETCH(QByteArray, body);
        QFETCH(int, delay);
        QFETCH(bool, paused);
        QFETCH(int, retention);
        const QString id = createQueue(QStringLiteral("q/1"),
            QJsonObject { { QStringLiteral("delivery_delay"), 5 },
                { QStringLiteral("message_retention_period"), 3600 } })
                               .value(QLatin1String("queue_id"))
                               .toString();
        const Reply r = call(method, QStringLiteral("queues/") + id, body);
        QVERIFY(envelope(r, 200));
        const QJsonObject settings = r.object().value(QLatin1String("settings")).toObject();
        QCOMPARE(settings.value(QLatin1String("delivery_delay")).toInt(), delay);
        QCOMPARE(settings.value(QLatin1String("delivery_paused")).toBool(), paused);
        QCOMPARE(settings.value(QLatin1String("message_retention_period")).toInt(), retention);
        QCOMPARE(r.object().value(QLatin1String("queue_id")).toString(), id);

        const auto disk = diskQueue(QStringLiteral("q/1"));
        QVERIFY(disk);
        QCOMPARE(disk->settings.deliveryDelaySeconds, delay);
        QCOMPARE(disk->settings.paused, paused);
        QCOMPARE(disk->settings.retentionSeconds, retention);
    }

    void updateQueueRejected_data()
    {
        QTest::addColumn<QByteArray>("body");
        QTest::addColumn<int>("code");
        QTest::addColumn<QString>("names");
        QTest::newRow("delay too long") << QByteArray("{\"settings\":{\"delivery_delay\":90000}}") << 10207
                                        << QStringLiteral("settings.delivery_delay");
        QTest::newRow("retention too long")
            << QByteArray("{\"settings\":{\"message_retention_period\":2000000}}") << 10207
            << QStringLiteral("settings.message_retention_period");
        QTest::newRow("paused not a boolean") << QByteArray("{\"settings\":{\"delivery_paused\":1}}") << 10207
                                              << QStringLiteral("settings.delivery_paused");
        QTest::newRow("rename") << QByteArray("{\"queue_name\":\"other\"}") << 10207
                                << QStringLiteral("queue_name");
        QTest::newRow("malformed JSON") << QByteArray("{settings") << 10208 << QStringLiteral("JSON");
    }

    void updateQueueRejected()
    {
        QFETCH(QByteArray, body);
        QFETCH(int, code);
        QFETCH(QString, names);
        createQueue(QStringLiteral("q"), QJsonObject { { QStringLiteral("delivery_delay"), 5 } });
        for (const QByteArray &method : { QByteArray("PATCH"), QByteArray("PUT") }) {
            const Reply r = call(method, QStringLiteral("queues/q"), body);
            QVERIFY(envelope(r, 400, code));
            QVERIFY2(r.message().contains(names), qPrintable(r.message()));
        }
        const auto disk = diskQueue(QStringLiteral("q"));
        QVERIFY(disk);
        QCOMPARE(disk->settings.deliveryDelaySeconds, 5);
        QCOMPARE(disk->settings.retentionSeconds, 345600);
        QVERIFY(!disk->settings.paused);
        QVERIFY(!diskQueue(QStringLiteral("other")));
    }

    void deleteQueue()
    {
        const QString id = createQueue(QStringLiteral("del me")).value(QLatin1String("queue_id")).toString();
        push(QStringLiteral("del me"), QJsonObject { { QStringLiteral("body"), 1 } });
        const Reply r = call("DELETE", QStringLiteral("queues/") + id);
        QVERIFY(envelope(r, 200));
        QVERIFY(r.result().isNull());
        QVERIFY(!diskQueue(QStringLiteral("del me")));
        QVERIFY(envelope(call("GET", QStringLiteral("queues/") + id), 404, 10104));
        QVERIFY(envelope(call("DELETE", QStringLiteral("queues/del%20me")), 404, 10104));
    }

    // ---- Messages ----

    void pushMessage_data()
    {
        QTest::addColumn<QByteArray>("request");
        QTest::addColumn<QByteArray>("stored");
        QTest::addColumn<ContentType>("type");
        QTest::newRow("json object, default type")
            << QByteArray("{\"body\":{\"a\":1,\"b\":[true,null]}}")
            << QByteArray("{\"a\":1,\"b\":[true,null]}") << ContentType::Json;
        QTest::newRow("json string") << QByteArray("{\"body\":\"hi\",\"content_type\":\"json\"}")
                                     << QByteArray("\"hi\"") << ContentType::Json;
        QTest::newRow("json number") << QByteArray("{\"body\":42}") << QByteArray("42") << ContentType::Json;
        QTest::newRow("json null") << QByteArray("{\"body\":null}") << QByteArray("null")
                                   << ContentType::Json;
        QTest::newRow("json array") << QByteArray("{\"body\":[1,\"two\"]}") << QByteArray("[1,\"two\"]")
                                    << ContentType::Json;
        QTest::newRow("text") << QByteArray("{\"body\":\"héllo wörld\",\"content_type\":\"text\"}")
                              << QStringLiteral("héllo wörld").toUtf8() << ContentType::Text;
        QTest::newRow("empty text") << QByteArray("{\"body\":\"\",\"content_type\":\"text\"}") << QByteArray()
                                    << ContentType::Text;
        QTest::newRow("bytes") << QByteArray("{\"body\":\"AAH/\",\"content_type\":\"bytes\"}")
                               << QByteArray("\x00\x01\xff", 3) << ContentType::Bytes;
        QTest::newRow("v8") << QByteArray("{\"body\":\"/w1vIgFhSQJ7AQ==\",\"content_type\":\"v8\"}")
                            << QByteArray::fromBase64("/w1vIgFhSQJ7AQ==") << ContentType::V8;
        const QByteArray limit(kMaxMessageBytes, 'x');
        QTest::newRow("text of exactly the limit")
            << QByteArray("{\"content_type\":\"text\",\"body\":\"" + limit + "\"}") << limit
            << ContentType::Text;
    }

    void pushMessage()
    {
        QFETCH(QByteArray, request);
        QFETCH(QByteArray, stored);
        QFETCH(ContentType, type);
        createQueue(QStringLiteral("in/box"));
        const qint64 before = m_clock.nowMs();
        const Reply r = call("POST", QStringLiteral("queues/in%2Fbox/messages"), request);
        QVERIFY(envelope(r, 200));
        const QJsonObject metrics = r.object()
                                        .value(QLatin1String("metadata"))
                                        .toObject()
                                        .value(QLatin1String("metrics"))
                                        .toObject();
        QCOMPARE(metrics.value(QLatin1String("backlog_count")).toInteger(), qint64(1));
        QCOMPARE(metrics.value(QLatin1String("backlog_bytes")).toInteger(), qint64(stored.size()));
        QVERIFY(metrics.value(QLatin1String("oldest_message_timestamp_ms")).toInteger() >= before);

        const auto messages = diskMessages(QStringLiteral("in/box"));
        QCOMPARE(messages.size(), std::size_t(1));
        QCOMPARE(messages[0].body, stored);
        QCOMPARE(messages[0].contentType, type);
        QCOMPARE(messages[0].state, MessageState::Pending);
        QCOMPARE(messages[0].visibleAtMs, messages[0].timestampMs);
    }

    void pushDelayed()
    {
        createQueue(QStringLiteral("later"), QJsonObject { { QStringLiteral("delivery_delay"), 30 } });
        push(QStringLiteral("later"),
            QJsonObject { { QStringLiteral("body"), 1 }, { QStringLiteral("delay_seconds"), 60 } });
        push(QStringLiteral("later"), QJsonObject { { QStringLiteral("body"), 2 } });
        push(QStringLiteral("later"),
            QJsonObject { { QStringLiteral("body"), 3 }, { QStringLiteral("delay_seconds"), 0 } });
        const auto messages = diskMessages(QStringLiteral("later"));
        QCOMPARE(messages.size(), std::size_t(3));
        QCOMPARE(
            messages[0].visibleAtMs - messages[0].timestampMs, qint64(60000)); // per message beats the queue
        QCOMPARE(
            messages[1].visibleAtMs - messages[1].timestampMs, qint64(30000)); // the queue's delivery_delay
        QCOMPARE(messages[2].visibleAtMs - messages[2].timestampMs, qint64(0)); // an explicit 0 is no delay
    }

    void pushRejected_data()
    {
        QTest::addColumn<QByteArray>("request");
        QTest::addColumn<int>("status");
        QTest::addColumn<int>("code");
        QTest::addColumn<QString>("names");
        QTest::newRow("text not a string") << QByteArray("{\"content_type\":\"text\",\"body\":5}") << 400
                                           << 10207 << QStringLiteral("body must be a string");
        QTest::newRow("unknown content type") << QByteArray("{\"content_type\":\"xml\",\"body\":\"a\"}")
                                              << 400 << 10203 << QStringLiteral("content_type");
        QTest::newRow("content type not a string") << QByteArray("{\"content_type\":1,\"body\":\"a\"}") << 400
                                                   << 10203 << QStringLiteral("content_type");
        QTest::newRow("delay too long") << QByteArray("{\"body\":1,\"delay_seconds\":86401}") << 400 << 10203
                                        << QStringLiteral("delay_seconds");
        QTest::newRow("delay negative") << QByteArray("{\"body\":1,\"delay_seconds\":-1}") << 400 << 10203
                                        << QStringLiteral("delay_seconds");
        QTest::newRow("delay not a number") << QByteArray("{\"body\":1,\"delay_seconds\":\"soon\"}") << 400
                                            << 10203 << QStringLiteral("delay_seconds");
        QTest::newRow("no body") << QByteArray("{}") << 400 << 10207 << QStringLiteral("body is required");
        QTest::newRow("bad base64") << QByteArray("{\"content_type\":\"bytes\",\"body\":\"!!!\"}") << 400
                                    << 10207 << QStringLiteral("base64");
        QTest::newRow("bytes not a string") << QByteArray("{\"content_type\":\"bytes\",\"body\":[1]}") << 400
                                            << 10207 << QStringLiteral("base64");
        QTest::newRow("malformed JSON") << QByteArray("{\"body\":") << 400 << 10208 << QStringLiteral("JSON");
        QTest::newRow("text over the limit") << QByteArray(
            "{\"content_type\":\"text\",\"body\":\"" + QByteArray(kMaxMessageBytes + 1, 'x') + "\"}")
                                             << 413 << 10204 << QStringLiteral("128000");
        // A JSON string of 128,000 characters is 128,002 bytes with its quotes.
        QTest::newRow("json over the limit")
            << QByteArray("{\"body\":\"" + QByteArray(kMaxMessageBytes, 'x') + "\"}") << 413 << 10204
            << QStringLiteral("128002");
        QTest::newRow("bytes over the limit") << QByteArray("{\"content_type\":\"bytes\",\"body\":\""
            + QByteArray(kMaxMessageBytes + 3, 'x').toBase64() + "\"}")
                                              << 413 << 10204 << QStringLiteral("128003");
    }

    void pushRejected()
    {
        QFETCH(QByteArray, request);
        QFETCH(int, status);
        QFETCH(int, code);
        QFETCH(QString, names);
        createQueue(QStringLiteral("q"));
        const Reply r = call("POST", QStringLiteral("queues/q/messages"), request);
        QVERIFY(envelope(r, status, code));
        QVERIFY2(r.message().contains(names), qPrintable(r.message()));
        QVERIFY(diskMessages(QStringLiteral("q")).empty());
    }

    void pushBatch()
    {
        createQueue(QStringLiteral("batch"));
        const QByteArray request = "{\"delay_seconds\":10,\"messages\":["
                                   "{\"body\":{\"n\":1}},"
                                   "{\"body\":\"two\",\"content_type\":\"text\",\"delay_seconds\":0},"
                                   "{\"body\":\"AP8=\",\"content_type\":\"bytes\"}]}";
        const Reply r = call("POST", QStringLiteral("queues/batch/messages/batch"), request);
        QVERIFY(envelope(r, 200));
        const QJsonObject metrics = r.object()
                                        .value(QLatin1String("metadata"))
                                        .toObject()
                                        .value(QLatin1String("metrics"))
                                        .toObject();
        QCOMPARE(metrics.value(QLatin1String("backlog_count")).toInteger(), qint64(3));
        QCOMPARE(metrics.value(QLatin1String("backlog_bytes")).toInteger(), qint64(7 + 3 + 2));

        const auto messages = diskMessages(QStringLiteral("batch"));
        QCOMPARE(messages.size(), std::size_t(3));
        QCOMPARE(messages[0].body, QByteArray("{\"n\":1}"));
        QCOMPARE(messages[0].contentType, ContentType::Json);
        QCOMPARE(messages[0].visibleAtMs - messages[0].timestampMs, qint64(10000)); // the batch's delay
        QCOMPARE(messages[1].body, QByteArray("two"));
        QCOMPARE(messages[1].contentType, ContentType::Text);
        QCOMPARE(
            messages[1].visibleAtMs - messages[1].timestampMs, qint64(0)); // its own delay beats the batch's
        QCOMPARE(messages[2].body, QByteArray("\x00\xff", 2));
        QCOMPARE(messages[2].contentType, ContentType::Bytes);
        QCOMPARE(QSet<QString>({ messages[0].id, messages[1].id, messages[2].id }).size(), 3);
    }

    void pushBatchRejected_data()
    {
        QTest::addColumn<QByteArray>("request");
        QTest::addColumn<int>("status");
        QTest::addColumn<int>("code");
        QTest::addColumn<QString>("names");
        const auto batchOf = [](int n, const QByteArray &message) -> QByteArray {
            QByteArrayList messages;
            for (int i = 0; i < n; ++i)
                messages << message;
            return QByteArray("{\"messages\":[" + messages.join(',') + "]}");
        };
        QTest::newRow("101 messages")
            << batchOf(101, "{\"body\":1}") << 413 << 10206 << QStringLiteral("100");
        QTest::newRow("over 256 KB in all") << batchOf(
            3, QByteArray("{\"content_type\":\"text\",\"body\":\"" + QByteArray(100000, 'x') + "\"}"))
                                            << 413 << 10205 << QStringLiteral("256000");
        QTest::newRow("no messages") << QByteArray("{\"messages\":[]}") << 400 << 10207
                                     << QStringLiteral("messages");
        QTest::newRow("messages missing") << QByteArray("{}") << 400 << 10207 << QStringLiteral("messages");
        QTest::newRow("messages not an array")
            << QByteArray("{\"messages\":{\"body\":1}}") << 400 << 10207 << QStringLiteral("messages");
        QTest::newRow("message not an object")
            << QByteArray("{\"messages\":[{\"body\":1},7]}") << 400 << 10207 << QStringLiteral("messages[1]");
        QTest::newRow("batch delay too long")
            << QByteArray("{\"delay_seconds\":86401,\"messages\":[{\"body\":1}]}") << 400 << 10202
            << QStringLiteral("delay_seconds");
        QTest::newRow("one message wrong")
            << QByteArray("{\"messages\":[{\"body\":1},{\"content_type\":\"text\",\"body\":2}]}") << 400
            << 10207 << QStringLiteral("messages[1].body");
        QTest::newRow("one message's delay wrong")
            << QByteArray("{\"messages\":[{\"body\":1,\"delay_seconds\":100000}]}") << 400 << 10203
            << QStringLiteral("messages[0].delay_seconds");
        QTest::newRow("one message too large") << QByteArray(
            "{\"messages\":[{\"content_type\":\"text\",\"body\":\"" + QByteArray(kMaxMessageBytes + 1, 'x')
            + "\"}]}") << 413 << 10204 << QStringLiteral("messages[0]");
    }

    void pushBatchRejected()
    {
        QFETCH(QByteArray, request);
        QFETCH(int, status);
        QFETCH(int, code);
        QFETCH(QString, names);
        createQueue(QStringLiteral("q"));
        const Reply r = call("POST", QStringLiteral("queues/q/messages/batch"), request);
        QVERIFY(envelope(r, status, code));
        QVERIFY2(r.message().contains(names), qPrintable(r.message()));
        QVERIFY(diskMessages(QStringLiteral("q")).empty()); // nothing of a refused batch is kept
    }

    void pullAndAck()
    {
        createQueue(QStringLiteral("work"));
        push(QStringLiteral("work"),
            QJsonObject { { QStringLiteral("body"), QJsonObject { { QStringLiteral("n"), 1 } } } });
        push(QStringLiteral("work"),
            QJsonObject { { QStringLiteral("body"), QStringLiteral("two") },
                { QStringLiteral("content_type"), QStringLiteral("text") } });
        push(QStringLiteral("work"), QJsonObject { { QStringLiteral("body"), 3 } });
        const auto sent = diskMessages(QStringLiteral("work"));
        QCOMPARE(sent.size(), std::size_t(3));

        const qint64 before = m_clock.nowMs();
        const QJsonObject pulled = pull(QStringLiteral("work"),
            QJsonObject {
                { QStringLiteral("batch_size"), 2 }, { QStringLiteral("visibility_timeout_ms"), 60000 } });
        const QJsonArray messages = pulled.value(QLatin1String("messages")).toArray();
        QCOMPARE(messages.size(), 2);
        QCOMPARE(pulled.value(QLatin1String("message_backlog_count")).toInt(), 1);
        QStringList leases;
        for (int i = 0; i < 2; ++i) {
            const QJsonObject m = messages.at(i).toObject();
            QCOMPARE(m.value(QLatin1String("id")).toString(), sent[std::size_t(i)].id);
            QCOMPARE(m.value(QLatin1String("attempts")).toInt(), 1);
            QCOMPARE(
                m.value(QLatin1String("timestamp_ms")).toInteger(), qint64(sent[std::size_t(i)].timestampMs));
            QVERIFY(!m.value(QLatin1String("lease_id")).toString().isEmpty());
            leases << m.value(QLatin1String("lease_id")).toString();
        }
        QCOMPARE(QByteArray::fromBase64(
                     messages.at(0).toObject().value(QLatin1String("body")).toString().toLatin1()),
            QByteArray("{\"n\":1}"));
        QCOMPARE(messages.at(1).toObject().value(QLatin1String("body")).toString(), QStringLiteral("two"));

        auto disk = diskMessages(QStringLiteral("work"));
        QCOMPARE(disk[0].state, MessageState::InFlight);
        QCOMPARE(disk[1].state, MessageState::InFlight);
        QCOMPARE(disk[2].state, MessageState::Pending);
        QVERIFY(disk[0].leaseExpiresMs >= before + 60000);

        const QJsonObject ackRequest {
            { QStringLiteral("acks"),
                QJsonArray { QJsonObject { { QStringLiteral("lease_id"), leases[0] } },
                    QJsonObject { { QStringLiteral("lease_id"), QStringLiteral("999-nope") } } } },
            { QStringLiteral("retries"),
                QJsonArray { QJsonObject {
                    { QStringLiteral("lease_id"), leases[1] }, { QStringLiteral("delay_seconds"), 0 } } } },
        };
        const Reply r = call("POST", QStringLiteral("queues/work/messages/ack"), ackRequest);
        QVERIFY(envelope(r, 200));
        QCOMPARE(r.object().value(QLatin1String("ackCount")).toInt(), 1);
        QCOMPARE(r.object().value(QLatin1String("retryCount")).toInt(), 1);
        const QJsonObject warnings = r.object().value(QLatin1String("warnings")).toObject();
        QCOMPARE(warnings.keys(), QStringList { QStringLiteral("999-nope") });

        disk = diskMessages(QStringLiteral("work"));
        QCOMPARE(disk[0].state, MessageState::Acked);
        QCOMPARE(disk[1].state, MessageState::Pending);
        QCOMPARE(disk[1].attempts, 1);
        QCOMPARE(disk[2].state, MessageState::Pending);

        // The retried one comes again, with its second attempt (order is best effort).
        const QJsonArray again
            = pull(QStringLiteral("work"), QJsonObject { { QStringLiteral("batch_size"), 10 } })
                  .value(QLatin1String("messages"))
                  .toArray();
        QMap<QString, int> attempts;
        for (const QJsonValue &m : again)
            attempts.insert(m.toObject().value(QLatin1String("id")).toString(),
                m.toObject().value(QLatin1String("attempts")).toInt());
        QCOMPARE(attempts, (QMap<QString, int> { { sent[1].id, 2 }, { sent[2].id, 1 } }));
    }

    void pullBodies_data()
    {
        QTest::addColumn<QByteArray>("request");
        QTest::addColumn<QString>("body");
        QTest::addColumn<QString>("type");
        QTest::newRow("json is base64")
            << QByteArray("{\"body\":{\"k\":\"v\"}}")
            << QString::fromLatin1(QByteArray("{\"k\":\"v\"}").toBase64()) << QStringLiteral("json");
        QTest::newRow("text is plain") << QByteArray("{\"body\":\"plain ünï\",\"content_type\":\"text\"}")
                                       << QStringLiteral("plain ünï") << QStringLiteral("text");
        QTest::newRow("bytes are base64") << QByteArray("{\"body\":\"AAH/\",\"content_type\":\"bytes\"}")
                                          << QStringLiteral("AAH/") << QStringLiteral("bytes");
        QTest::newRow("v8 is base64") << QByteArray("{\"body\":\"/w0=\",\"content_type\":\"v8\"}")
                                      << QStringLiteral("/w0=") << QStringLiteral("v8");
    }

    void pullBodies()
    {
        QFETCH(QByteArray, request);
        QFETCH(QString, body);
        QFETCH(QString, type);
        createQueue(QStringLiteral("q"));
        QVERIFY(envelope(call("POST", QStringLiteral("queues/q/messages"), request), 200));
        const QJsonArray messages = pull(QStringLiteral("q"), {}).value(QLatin1String("messages")).toArray();
        QCOMPARE(messages.size(), 1);
        const QJsonObject m = messages.at(0).toObject();
        QCOMPARE(m.value(QLatin1String("body")).toString(), body);
        QCOMPARE(
            m.value(QLatin1String("metadata")).toObject().value(QLatin1String("CF-Content-Type")).toString(),
            type);
    }

    void pullDefaults()
    {
        createQueue(QStringLiteral("q"));
        for (int i = 0; i < 7; ++i)
            push(QStringLiteral("q"), QJsonObject { { QStringLiteral("body"), i } });
        const qint64 before = m_clock.nowMs();
        // No body at all: Cloudflare's defaults, 5 messages leased for 30 s.
        const Reply r = call("POST", QStringLiteral("queues/q/messages/pull"));
        QVERIFY(envelope(r, 200));
        QCOMPARE(r.object().value(QLatin1String("messages")).toArray().size(), 5);
        QCOMPARE(r.object().value(QLatin1String("message_backlog_count")).toInt(), 2);
        const auto disk = diskMessages(QStringLiteral("q"));
        QCOMPARE(disk[0].state, MessageState::InFlight);
        QVERIFY(disk[0].leaseExpiresMs >= before + 30000);
        QVERIFY(disk[0].leaseExpiresMs <= m_clock.nowMs() + 30000);
        QCOMPARE(disk[5].state, MessageState::Pending);
        // A pull of an empty queue is an empty batch, not an error.
        createQueue(QStringLiteral("empty"));
        QCOMPARE(pull(QStringLiteral("empty"), {}).value(QLatin1String("messages")).toArray().size(), 0);
    }

    void pullPaused()
    {
        createQueue(QStringLiteral("held"), QJsonObject { { QStringLiteral("delivery_paused"), true } });
        push(QStringLiteral("held"),
            QJsonObject { { QStringLiteral("body"), 1 } }); // a paused queue still takes messages
        const Reply r = call("POST", QStringLiteral("queues/held/messages/pull"), QByteArray("{}"));
        QVERIFY(envelope(r, 409, 10252));
        QVERIFY2(r.message().contains(QLatin1String("queue_delivery_paused")), qPrintable(r.message()));
        QCOMPARE(r.shouldRetry, QByteArray("false"));
        QCOMPARE(diskMessages(QStringLiteral("held"))[0].state, MessageState::Pending);

        QVERIFY(envelope(call("PATCH", QStringLiteral("queues/held"),
                             QByteArray("{\"settings\":{\"delivery_paused\":false}}")),
            200));
        QCOMPARE(pull(QStringLiteral("held"), {}).value(QLatin1String("messages")).toArray().size(), 1);
        QCOMPARE(diskMessages(QStringLiteral("held"))[0].state, MessageState::InFlight);
    }

    void pullRejected_data()
    {
        QTest::addColumn<QByteArray>("request");
        QTest::addColumn<QString>("names");
        QTest::newRow("batch_size 0") << QByteArray("{\"batch_size\":0}") << QStringLiteral("batch_size");
        QTest::newRow("batch_size 101") << QByteArray("{\"batch_size\":101}") << QStringLiteral("batch_size");
        QTest::newRow("batch_size a string")
            << QByteArray("{\"batch_size\":\"5\"}") << QStringLiteral("batch_size");
        QTest::newRow("visibility 0")
            << QByteArray("{\"visibility_timeout_ms\":0}") << QStringLiteral("visibility_timeout_ms");
        QTest::newRow("visibility over 12 h")
            << QByteArray("{\"visibility_timeout_ms\":43200001}") << QStringLiteral("visibility_timeout_ms");
        QTest::newRow("legacy visibility 0")
            << QByteArray("{\"visibility_timeout\":0}") << QStringLiteral("visibility_timeout");
    }

    void pullRejected()
    {
        QFETCH(QByteArray, request);
        QFETCH(QString, names);
        createQueue(QStringLiteral("q"));
        push(QStringLiteral("q"), QJsonObject { { QStringLiteral("body"), 1 } });
        const Reply r = call("POST", QStringLiteral("queues/q/messages/pull"), request);
        QVERIFY(envelope(r, 400, 10207));
        QVERIFY2(r.message().contains(names), qPrintable(r.message()));
        QCOMPARE(diskMessages(QStringLiteral("q"))[0].state, MessageState::Pending);
    }

    void ackRejected_data()
    {
        QTest::addColumn<QByteArray>("request");
        QTest::addColumn<QString>("names");
        QTest::newRow("acks not an array") << QByteArray("{\"acks\":\"x\"}") << QStringLiteral("acks");
        QTest::newRow("ack without lease")
            << QByteArray("{\"acks\":[{}]}") << QStringLiteral("acks[0].lease_id");
        QTest::newRow("ack not an object")
            << QByteArray("{\"acks\":[\"x\"]}") << QStringLiteral("acks[0].lease_id");
        QTest::newRow("retry delay too long")
            << QByteArray("{\"retries\":[{\"lease_id\":\"LEASE\",\"delay_seconds\":86401}]}")
            << QStringLiteral("retries[0].delay_seconds");
        QTest::newRow("malformed JSON") << QByteArray("{\"acks\":[") << QStringLiteral("JSON");
    }

    void ackRejected()
    {
        QFETCH(QByteArray, request);
        QFETCH(QString, names);
        createQueue(QStringLiteral("q"));
        push(QStringLiteral("q"), QJsonObject { { QStringLiteral("body"), 1 } });
        const QString lease = pull(QStringLiteral("q"), {})
                                  .value(QLatin1String("messages"))
                                  .toArray()
                                  .at(0)
                                  .toObject()
                                  .value(QLatin1String("lease_id"))
                                  .toString();
        request.replace("LEASE", lease.toUtf8());
        const Reply r = call("POST", QStringLiteral("queues/q/messages/ack"), request);
        QVERIFY(envelope(r, 400, names == QLatin1String("JSON") ? 10208 : 10207));
        QVERIFY2(r.message().contains(names), qPrintable(r.message()));
        QCOMPARE(diskMessages(QStringLiteral("q"))[0].state, MessageState::InFlight);
    }

    void peekAndPurgeByRef()
    {
        createQueue(QStringLiteral("look"));
        push(QStringLiteral("look"),
            QJsonObject { { QStringLiteral("body"), QStringLiteral("one") },
                { QStringLiteral("content_type"), QStringLiteral("text") } });
        push(QStringLiteral("look"), QJsonObject { { QStringLiteral("body"), 2 } });
        push(QStringLiteral("look"),
            QJsonObject { { QStringLiteral("body"), 3 }, { QStringLiteral("delay_seconds"), 600 } });
        const auto sent = diskMessages(QStringLiteral("look"));

        // Peek shows ready messages only, and leaves them be.
        Reply r
            = call("POST", QStringLiteral("queues/look/messages/peek"), QByteArray("{\"batch_size\":10}"));
        QVERIFY(envelope(r, 200));
        const QJsonArray peeked = r.object().value(QLatin1String("messages")).toArray();
        QCOMPARE(peeked.size(), 2);
        QCOMPARE(peeked.at(0).toObject().value(QLatin1String("body")).toString(), QStringLiteral("one"));
        QCOMPARE(peeked.at(0).toObject().value(QLatin1String("ref")).toString(), sent[0].id);
        QCOMPARE(peeked.at(1).toObject().value(QLatin1String("body")).toString(),
            QStringLiteral("Mg==")); // json, base64
        for (const Message &m : diskMessages(QStringLiteral("look"))) {
            QCOMPARE(m.state, MessageState::Pending);
            QCOMPARE(m.attempts, 0);
        }
        QVERIFY(envelope(
            call("POST", QStringLiteral("queues/look/messages/peek"), QByteArray("{\"batch_size\":0}")), 400,
            10207));

        // Purge by ref deletes what was peeked; an unknown ref is a warning.
        r = call("POST", QStringLiteral("queues/look/messages/purge"),
            QJsonObject { { QStringLiteral("refs"),
                QJsonArray { QJsonObject { { QStringLiteral("ref"), sent[0].id } },
                    QJsonObject { { QStringLiteral("ref"), QStringLiteral("nope") } } } } });
        QVERIFY(envelope(r, 200));
        QCOMPARE(r.object().value(QLatin1String("warnings")).toObject().keys(),
            QStringList { QStringLiteral("nope") });
        const auto left = diskMessages(QStringLiteral("look"));
        QCOMPARE(left.size(), std::size_t(2));
        QCOMPARE(left[0].id, sent[1].id);
        QCOMPARE(left[1].id, sent[2].id);
        QVERIFY(
            envelope(call("POST", QStringLiteral("queues/look/messages/purge"), QByteArray("{\"refs\":5}")),
                400, 10207));
        QVERIFY(envelope(
            call("POST", QStringLiteral("queues/look/messages/purge"), QByteArray("{\"refs\":[{}]}")), 400,
            10207));
        QCOMPARE(diskMessages(QStringLiteral("look")).size(), std::size_t(2));
    }

    // ---- Purge and metrics ----

    void purge()
    {
        createQueue(QStringLiteral("full"));
        QVERIFY(
            envelope(call("GET", QStringLiteral("queues/full/purge")), 200)); // never purged: an empty status
        push(QStringLiteral("full"), QJsonObject { { QStringLiteral("body"), 1 } });
        push(QStringLiteral("full"),
            QJsonObject { { QStringLiteral("body"), 2 }, { QStringLiteral("delay_seconds"), 600 } });

        Reply r = call("POST", QStringLiteral("queues/full/purge"), QByteArray("{}"));
        QVERIFY(envelope(r, 400, 10207));
        QVERIFY(r.message().contains(QLatin1String("delete_messages_permanently")));
        QCOMPARE(diskMessages(QStringLiteral("full")).size(), std::size_t(2));

        r = call("POST", QStringLiteral("queues/full/purge"),
            QByteArray("{\"delete_messages_permanently\":true}"));
        QVERIFY(envelope(r, 200));
        QCOMPARE(r.object().value(QLatin1String("queue_name")).toString(), QStringLiteral("full"));
        QVERIFY(diskMessages(QStringLiteral("full")).empty());

        r = call("GET", QStringLiteral("queues/full/purge"));
        QVERIFY(envelope(r, 200));
        QCOMPARE(r.object().value(QLatin1String("completed")).toString(), QStringLiteral("true"));
        QVERIFY(
            QDateTime::fromString(r.object().value(QLatin1String("started_at")).toString(), Qt::ISODateWithMs)
                .isValid());
    }

    void metrics()
    {
        createQueue(QStringLiteral("m"));
        Reply r = call("GET", QStringLiteral("queues/m/metrics"));
        QVERIFY(envelope(r, 200));
        QCOMPARE(r.object(),
            (QJsonObject { { QStringLiteral("backlog_count"), 0 }, { QStringLiteral("backlog_bytes"), 0 },
                { QStringLiteral("oldest_message_timestamp_ms"), 0 } }));
        push(QStringLiteral("m"),
            QJsonObject { { QStringLiteral("body"), QStringLiteral("abc") },
                { QStringLiteral("content_type"), QStringLiteral("text") } });
        m_clock.advanceMs(5); // the second is younger: the oldest is the first
        push(QStringLiteral("m"),
            QJsonObject { { QStringLiteral("body"), 12345 }, { QStringLiteral("delay_seconds"), 300 } });
        const auto disk = diskMessages(QStringLiteral("m"));
        r = call("GET", QStringLiteral("queues/m/metrics"));
        QVERIFY(envelope(r, 200));
        QCOMPARE(r.object().value(QLatin1String("backlog_count")).toInteger(), qint64(2));
        QCOMPARE(r.object().value(QLatin1String("backlog_bytes")).toInteger(), qint64(3 + 5));
        QCOMPARE(r.object().value(QLatin1String("oldest_message_timestamp_ms")).toInteger(),
            qint64(disk[0].timestampMs));
    }

    // ---- Consumers ----

    void consumers()
    {
        const QString queueId
            = createQueue(QStringLiteral("c/q")).value(QLatin1String("queue_id")).toString();
        const QString base = QStringLiteral("queues/c%2Fq/consumers");
        Reply r = call("GET", base);
        QVERIFY(envelope(r, 200));
        QCOMPARE(r.result().toArray().size(), 0);

        r = call("POST", base,
            QByteArray("{\"type\":\"http_pull\",\"dead_letter_queue\":\"c-dlq\","
                       "\"settings\":{\"batch_size\":20,\"max_retries\":5,\"retry_delay\":10,\"visibility_"
                       "timeout_ms\":5000}}"));
        QVERIFY(envelope(r, 200));
        const QString consumerId = r.object().value(QLatin1String("consumer_id")).toString();
        QVERIFY2(QRegularExpression(QStringLiteral("^[0-9a-f]{32}$")).match(consumerId).hasMatch(),
            qPrintable(consumerId));
        QCOMPARE(r.object().value(QLatin1String("type")).toString(), QStringLiteral("http_pull"));
        QCOMPARE(r.object().value(QLatin1String("queue_name")).toString(), QStringLiteral("c/q"));
        QCOMPARE(r.object().value(QLatin1String("dead_letter_queue")).toString(), QStringLiteral("c-dlq"));
        QVERIFY(
            QDateTime::fromString(r.object().value(QLatin1String("created_on")).toString(), Qt::ISODateWithMs)
                .isValid());
        QJsonObject settings = r.object().value(QLatin1String("settings")).toObject();
        QCOMPARE(settings.value(QLatin1String("batch_size")).toInt(), 20);
        QCOMPARE(settings.value(QLatin1String("max_retries")).toInt(), 5);
        QCOMPARE(settings.value(QLatin1String("retry_delay")).toInt(), 10);
        QCOMPARE(settings.value(QLatin1String("visibility_timeout_ms")).toInt(), 5000);
        auto disk = diskQueue(QStringLiteral("c/q"));
        QCOMPARE(disk->settings.consumerType, ConsumerType::HttpPull);
        QCOMPARE(disk->settings.maxBatchSize, 20);
        QCOMPARE(disk->settings.maxRetries, 5);
        QCOMPARE(disk->settings.retryDelaySeconds, 10);
        QCOMPARE(disk->settings.visibilityTimeoutMs, 5000);
        QCOMPARE(disk->settings.deadLetterQueue, QStringLiteral("c-dlq"));
        QVERIFY(diskQueue(QStringLiteral("c-dlq"))); // a dead-letter queue is created if missing

        // Listed on the queue and by id; a second consumer is refused.
        r = call("GET", QStringLiteral("queues/") + queueId);
        QCOMPARE(r.object().value(QLatin1String("consumers_total_count")).toInt(), 1);
        QCOMPARE(r.object()
                     .value(QLatin1String("consumers"))
                     .toArray()
                     .at(0)
                     .toObject()
                     .value(QLatin1String("consumer_id"))
                     .toString(),
            consumerId);
        r = call("GET", base + QLatin1Char('/') + consumerId);
        QVERIFY(envelope(r, 200));
        QCOMPARE(r.object().value(QLatin1String("type")).toString(), QStringLiteral("http_pull"));
        r = call("POST", base, QByteArray("{\"type\":\"http_pull\"}"));
        QVERIFY(envelope(r, 409, 11004));
        QCOMPARE(r.shouldRetry, QByteArray("false"));

        // PUT replaces the whole consumer: what it does not give goes back to the defaults.
        r = call("PUT", QStringLiteral("queues/%1/consumers/%2").arg(queueId, consumerId),
            QByteArray(
                "{\"type\":\"webhook\",\"settings\":{\"url\":\"http://127.0.0.1:9/hook\",\"timeout_ms\":1000,"
                "\"batch_size\":3,\"max_wait_time_ms\":200,\"max_concurrency\":2}}"));
        QVERIFY(envelope(r, 200));
        QCOMPARE(r.object().value(QLatin1String("consumer_id")).toString(), consumerId);
        settings = r.object().value(QLatin1String("settings")).toObject();
        QCOMPARE(settings.value(QLatin1String("url")).toString(), QStringLiteral("http://127.0.0.1:9/hook"));
        QCOMPARE(settings.value(QLatin1String("max_concurrency")).toInt(), 2);
        disk = diskQueue(QStringLiteral("c/q"));
        QCOMPARE(disk->settings.consumerType, ConsumerType::Webhook);
        QCOMPARE(disk->settings.webhookUrl, QStringLiteral("http://127.0.0.1:9/hook"));
        QCOMPARE(disk->settings.webhookTimeoutMs, 1000);
        QCOMPARE(disk->settings.maxBatchSize, 3);
        QCOMPARE(disk->settings.maxBatchTimeoutMs, 200);
        QCOMPARE(disk->settings.maxConcurrency, 2);
        QCOMPARE(disk->settings.maxRetries, 3);
        QCOMPARE(disk->settings.deadLetterQueue, QString());

        // A Worker consumer is QueueDeck's built-in image worker.
        r = call("PUT", base + QLatin1Char('/') + consumerId,
            QByteArray("{\"type\":\"worker\",\"script_name\":\"my-worker\",\"settings\":{\"max_concurrency\":"
                       "null}}"));
        QVERIFY(envelope(r, 200));
        QVERIFY(r.object()
                    .value(QLatin1String("settings"))
                    .toObject()
                    .value(QLatin1String("max_concurrency"))
                    .isNull());
        QCOMPARE(diskQueue(QStringLiteral("c/q"))->settings.consumerType, ConsumerType::Image);
        QCOMPARE(diskQueue(QStringLiteral("c/q"))->settings.maxConcurrency, 0);

        QVERIFY(envelope(
            call("PUT", base + QStringLiteral("/0123"), QByteArray("{\"type\":\"http_pull\"}")), 404, 7003));
        QVERIFY(envelope(call("GET", base + QStringLiteral("/0123")), 404, 7003));

        // DELETE leaves the queue without a consumer.
        r = call("DELETE", base + QLatin1Char('/') + consumerId);
        QVERIFY(envelope(r, 200));
        QVERIFY(r.result().isNull());
        QCOMPARE(diskQueue(QStringLiteral("c/q"))->settings.consumerType, ConsumerType::None);
        QCOMPARE(call("GET", base).result().toArray().size(), 0);
        QVERIFY(envelope(call("GET", base + QLatin1Char('/') + consumerId), 404, 7003));
        QVERIFY(envelope(call("DELETE", base + QLatin1Char('/') + consumerId), 404, 7003));
        // And a new one can be attached again.
        QVERIFY(envelope(call("POST", base, QByteArray("{\"type\":\"http_pull\"}")), 200));
    }

    void consumerRejected_data()
    {
        QTest::addColumn<QByteArray>("request");
        QTest::addColumn<QString>("names");
        QTest::newRow("no type") << QByteArray("{}") << QStringLiteral("type is required");
        QTest::newRow("unknown type") << QByteArray("{\"type\":\"lambda\"}") << QStringLiteral("type");
        QTest::newRow("type none") << QByteArray("{\"type\":\"none\"}") << QStringLiteral("type");
        const auto pullWith = [](const QByteArray &settings) -> QByteArray {
            return QByteArray("{\"type\":\"http_pull\",\"settings\":{" + settings + "}}");
        };
        QTest::newRow("batch_size 0")
            << pullWith("\"batch_size\":0") << QStringLiteral("settings.batch_size");
        QTest::newRow("batch_size 101")
            << pullWith("\"batch_size\":101") << QStringLiteral("settings.batch_size");
        QTest::newRow("batch_size text")
            << pullWith("\"batch_size\":\"ten\"") << QStringLiteral("settings.batch_size must be an integer");
        QTest::newRow("max_retries 101")
            << pullWith("\"max_retries\":101") << QStringLiteral("settings.max_retries");
        QTest::newRow("max_wait_time_ms 60001")
            << pullWith("\"max_wait_time_ms\":60001") << QStringLiteral("settings.max_wait_time_ms");
        QTest::newRow("max_concurrency 0")
            << pullWith("\"max_concurrency\":0") << QStringLiteral("settings.max_concurrency");
        QTest::newRow("max_concurrency 251")
            << pullWith("\"max_concurrency\":251") << QStringLiteral("settings.max_concurrency");
        QTest::newRow("retry_delay 86401")
            << pullWith("\"retry_delay\":86401") << QStringLiteral("settings.retry_delay");
        QTest::newRow("visibility 0")
            << pullWith("\"visibility_timeout_ms\":0") << QStringLiteral("settings.visibility_timeout_ms");
        QTest::newRow("webhook without url")
            << QByteArray("{\"type\":\"webhook\"}") << QStringLiteral("settings.url");
        QTest::newRow("webhook timeout 0")
            << QByteArray("{\"type\":\"webhook\",\"settings\":{\"url\":\"http://h/\",\"timeout_ms\":0}}")
            << QStringLiteral("settings.timeout_ms");
        QTest::newRow("dead-letters to itself")
            << QByteArray("{\"type\":\"http_pull\",\"dead_letter_queue\":\"q\"}")
            << QStringLiteral("dead_letter_queue");
        QTest::newRow("settings not an object")
            << QByteArray("{\"type\":\"http_pull\",\"settings\":[]}") << QStringLiteral("settings");
    }

    void consumerRejected()
    {
        QFETCH(QByteArray, request);
        QFETCH(QString, names);
        createQueue(QStringLiteral("q"));
        const Reply r = call("POST", QStringLiteral("queues/q/consumers"), request);
        QVERIFY(envelope(r, 400, 10207));
        QVERIFY2(r.message().contains(names), qPrintable(r.message()));
        const auto disk = diskQueue(QStringLiteral("q"));
        QCOMPARE(disk->settings.consumerType, ConsumerType::None);
        QCOMPARE(disk->settings.maxBatchSize, QueueSettings {}.maxBatchSize);
    }

    // ---- Routing ----

    void routing_data()
    {
        QTest::addColumn<QByteArray>("method");
        QTest::addColumn<QString>("path");
        QTest::addColumn<int>("status");
        QTest::addColumn<int>("code");
        QTest::addColumn<QByteArray>("allow");
        QTest::newRow("account root") << QByteArray("GET") << QString() << 404 << 7003 << QByteArray();
        QTest::newRow("another product")
            << QByteArray("GET") << QStringLiteral("workers/scripts") << 404 << 7003 << QByteArray();
        QTest::newRow("unknown queue call")
            << QByteArray("GET") << QStringLiteral("queues/q/stats") << 404 << 7003 << QByteArray();
        QTest::newRow("unknown message call")
            << QByteArray("POST") << QStringLiteral("queues/q/messages/stats") << 404 << 7003 << QByteArray();
        QTest::newRow("too deep") << QByteArray("GET") << QStringLiteral("queues/q/consumers/a/b") << 404
                                  << 7003 << QByteArray();
        QTest::newRow("delete the list")
            << QByteArray("DELETE") << QStringLiteral("queues") << 405 << 10405 << QByteArray("GET, POST");
        QTest::newRow("post to a queue") << QByteArray("POST") << QStringLiteral("queues/q") << 405 << 10405
                                         << QByteArray("GET, PATCH, PUT, DELETE");
        QTest::newRow("post to an unknown queue") << QByteArray("POST") << QStringLiteral("queues/nope")
                                                  << 405 << 10405 << QByteArray("GET, PATCH, PUT, DELETE");
        QTest::newRow("get messages")
            << QByteArray("GET") << QStringLiteral("queues/q/messages") << 405 << 10405 << QByteArray("POST");
        QTest::newRow("get pull") << QByteArray("GET") << QStringLiteral("queues/q/messages/pull") << 405
                                  << 10405 << QByteArray("POST");
        QTest::newRow("put ack") << QByteArray("PUT") << QStringLiteral("queues/q/messages/ack") << 405
                                 << 10405 << QByteArray("POST");
        QTest::newRow("post metrics")
            << QByteArray("POST") << QStringLiteral("queues/q/metrics") << 405 << 10405 << QByteArray("GET");
        QTest::newRow("delete purge") << QByteArray("DELETE") << QStringLiteral("queues/q/purge") << 405
                                      << 10405 << QByteArray("GET, POST");
        QTest::newRow("post a consumer id") << QByteArray("POST") << QStringLiteral("queues/q/consumers/x")
                                            << 405 << 10405 << QByteArray("GET, PUT, DELETE");
    }

    void routing()
    {
        QFETCH(QByteArray, method);
        QFETCH(QString, path);
        QFETCH(int, status);
        QFETCH(int, code);
        QFETCH(QByteArray, allow);
        createQueue(QStringLiteral("q"));
        const Reply r
            = call(method, path, method == "GET" || method == "DELETE" ? QByteArray() : QByteArray("{}"));
        QVERIFY(envelope(r, status, code));
        QCOMPARE(r.allow, allow);
        QCOMPARE(diskQueues().size(), std::size_t(1));
    }

    void anyAccountId()
    {
        createQueue(QStringLiteral("shared"));
        for (const QString &account :
            { QStringLiteral("local"), QStringLiteral("x%20y"), QString(32, QLatin1Char('f')) }) {
            const Reply r = call("GET", QStringLiteral("queues/shared"), {}, account);
            QVERIFY(envelope(r, 200));
        }
    }
};

QTEST_GUILESS_MAIN(TstCloudflareApi)
#include "tst_cloudflareapi.moc"
