#include "blobstore.h"
#include "broker.h"
#include "httpapi.h"
#include "readerpool.h"
#include "uploadsapi.h"

#include "brokerfixture.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QScopeGuard>
#include <QSemaphore>
#include <QTemporaryDir>
#include <QTest>

using namespace qd;

// The API's read-only calls run on reader connections of their own: while every reader is
// held busy, the runtime thread still takes, commits and answers sends, and each read is
// answered, right, once a reader is free.
class TstApiReads : public QObject {
    Q_OBJECT

    QTemporaryDir m_dir;
    QString m_spec;
    std::unique_ptr<QueueStore> m_store;
    SystemClock m_clock;
    std::unique_ptr<Broker> m_broker;
    std::unique_ptr<BlobStore> m_blobs;
    std::unique_ptr<HttpApi> m_api;
    QNetworkAccessManager m_network;
    int m_run = 0;

    QNetworkReply *start(const QByteArray &method, const QString &path, const QByteArray &body = {})
    {
        QNetworkRequest r { QUrl(m_api->baseUrl() + path) };
        r.setHeader(QNetworkRequest::ContentTypeHeader, QByteArrayLiteral("application/json"));
        return m_network.sendCustomRequest(r, method, body);
    }

    QStringList sendJobs(const QByteArrayList &bodies)
    {
        std::vector<SendItem> items;
        for (const QByteArray &body : bodies)
            items.push_back(SendItem { body, ContentType::Json, std::nullopt });
        return qdtest::sendDurably(*m_broker, QStringLiteral("jobs"), std::move(items));
    }

private slots:
    void init()
    {
        m_api.reset();
        m_broker.reset();
        m_spec = qdtest::chooseStoreSpec(m_dir.filePath(QStringLiteral("reads-%1.db").arg(++m_run)));
        m_store = makeStore(m_spec);
        QString error;
        QVERIFY2(m_store->open(&error), qPrintable(error));
        m_broker = std::make_unique<Broker>(m_store.get(), &m_clock);
        QVERIFY2(m_broker->start(&error), qPrintable(error));
        QueueSettings settings;
        settings.consumerType = ConsumerType::None; // messages wait, ready, where a peek sees them
        QVERIFY(m_broker->createQueue(QStringLiteral("jobs"), settings).ok());
        // POST / sends to a queue of its own: whether a read of "jobs" handed on before that
        // send's commit counts it would depend on which of the two reached the runtime first.
        QVERIFY(m_broker->createQueue(QStringLiteral("sends"), settings).ok());
        m_blobs = std::make_unique<BlobStore>(m_dir.filePath(QStringLiteral("blobs-%1").arg(m_run)));
        QVERIFY2(m_blobs->open(&error), qPrintable(error));
        m_api = std::make_unique<HttpApi>(m_broker.get(), QStringLiteral("sends"), QString());
        m_api->setUploads(
            new UploadsApi(m_broker.get(), m_blobs.get(), QStringLiteral("sends"), m_api.get()));
        QVERIFY(m_api->listen(QHostAddress::LocalHost, 0, &error));
    }

    void cleanup()
    {
        m_api.reset();
        m_broker.reset();
        m_store.reset();
    }

    void aHeldReadDoesNotHoldUpASend_data()
    {
        QTest::addColumn<QByteArray>("method");
        QTest::addColumn<QString>("path");
        QTest::addColumn<QByteArray>("body");
        QTest::addColumn<int>("status");
        QTest::addColumn<QString>("key"); // a field of the answer, with the count below
        QTest::addColumn<int>("count");
        QTest::newRow("search") << QByteArray("GET") << QStringLiteral("/api/messages?q=needle")
                                << QByteArray() << 200 << QStringLiteral("total") << 2;
        QTest::newRow("list") << QByteArray("GET") << QStringLiteral("/api/messages?queue=jobs")
                              << QByteArray() << 200 << QStringLiteral("messages") << 2;
        QTest::newRow("message") << QByteArray("GET") << QStringLiteral("/api/messages/{id}") << QByteArray()
                                 << 200 << QStringLiteral("attempts_history") << 0;
        QTest::newRow("no such message") << QByteArray("GET") << QStringLiteral("/api/messages/nope")
                                         << QByteArray() << 404 << QStringLiteral("error") << -1;
        QTest::newRow("batches") << QByteArray("GET") << QStringLiteral("/api/batches") << QByteArray() << 200
                                 << QStringLiteral("batches") << 0;
        QTest::newRow("failures") << QByteArray("GET") << QStringLiteral("/api/failures") << QByteArray()
                                  << 200 << QStringLiteral("groups") << 0;
        QTest::newRow("audit") << QByteArray("GET") << QStringLiteral("/api/audit") << QByteArray() << 200
                               << QStringLiteral("entries") << 3;
        QTest::newRow("results") << QByteArray("GET") << QStringLiteral("/api/results") << QByteArray() << 200
                                 << QStringLiteral("results") << 0;
        QTest::newRow("peek") << QByteArray("POST")
                              << QStringLiteral("/client/v4/accounts/local/queues/jobs/messages/peek")
                              << QByteArray("{\"batch_size\": 10}") << 200 << QStringLiteral("messages") << 2;
    }

    void aHeldReadDoesNotHoldUpASend()
    {
        QFETCH(QByteArray, method);
        QFETCH(QString, path);
        QFETCH(QByteArray, body);
        QFETCH(int, status);
        QFETCH(QString, key);
        QFETCH(int, count);
        const QStringList ids = sendJobs({ "{\"note\":\"a needle\"}", "{\"note\":\"another needle\"}" });
        m_broker->audit(QStringLiteral("test"), QStringLiteral("jobs"),
            QJsonObject {}); // after the queue's creation: two entries

        // Every reader waits on `release`, as a long search would keep it. The semaphores are
        // shared with the readers, so they outlive a reader still waking up from one.
        ReaderPool *pool = m_api->reader().pool();
        QVERIFY(pool);
        const auto started = std::make_shared<QSemaphore>();
        const auto release = std::make_shared<QSemaphore>();
        auto unblock = qScopeGuard([&] { release->release(pool->size()); });
        for (int i = 0; i < pool->size(); ++i) {
            pool->run([started, release](QueueStore *, const QString &) {
                started->release();
                release->acquire();
                return ReaderPool::Answer {};
            });
        }
        QVERIFY(started->tryAcquire(pool->size(), 10000));

        QNetworkReply *read = start(method, QString(path).replace(QLatin1String("{id}"), ids[0]), body);
        read->setParent(this);
        QNetworkReply *send = start(
            "POST", QStringLiteral("/"), "{\"imageUrl\": \"https://example.com/a.png\", \"userId\": \"u\"}");
        send->setParent(this);
        QTRY_VERIFY_WITH_TIMEOUT(send->isFinished(), 10000);
        QCOMPARE(send->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt(), 202);
        const QString id
            = QJsonDocument::fromJson(send->readAll()).object().value(QLatin1String("id")).toString();
        QVERIFY(qdtest::openTestReader(m_spec)->messageById(id));
        // The read is still waiting for a reader: nothing of it ran on the runtime thread.
        QVERIFY(!read->isFinished());

        unblock.dismiss();
        release->release(pool->size());
        QTRY_VERIFY_WITH_TIMEOUT(read->isFinished(), 10000);
        QCOMPARE(read->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt(), status);
        const QJsonObject answer = QJsonDocument::fromJson(read->readAll()).object();
        const QJsonObject result = answer.contains(QLatin1String("result"))
            ? answer.value(QLatin1String("result")).toObject()
            : answer;
        QVERIFY2(result.contains(key), QJsonDocument(answer).toJson().constData());
        const QJsonValue value = result.value(key);
        if (value.isArray())
            QCOMPARE(value.toArray().size(), count);
        else if (value.isDouble())
            QCOMPARE(value.toInt(), count);
        if (path.contains(QLatin1String("{id}")))
            QCOMPARE(result.value(QLatin1String("id")).toString(), ids[0]);
    }
};

QTEST_GUILESS_MAIN(TstApiReads)
#include "tst_apireads.moc"
