#include "blobstore.h"
#include "broker.h"
#include "httpapi.h"
#include "httpclient.h"
#include "imageconsumer.h"
#include "imagetestsupport.h"
#include "uploadsapi.h"

#include "../teststore.h"

#include <QDir>
#include <QJsonArray>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QTest>

using namespace qd;
using namespace qdtest;

// POST /uploads, GET /blobs/{sha256} and /api/results through a real client on a
// loopback port, over a real blob directory and store (a SQLite file, or a PostgreSQL schema
// in the _pg variant).
class TstUploads : public QObject {
    Q_OBJECT

    std::unique_ptr<QTemporaryDir> m_dir;
    QString m_spec;
    std::unique_ptr<QueueStore> m_store;
    std::unique_ptr<BlobStore> m_blobs;
    SystemClock m_clock;
    std::unique_ptr<Broker> m_broker;
    std::unique_ptr<HttpApi> m_api;
    HttpClient m_client;
    QByteArray m_png, m_jpeg, m_gif;

    void start(qint64 blobLimit = BlobStore::kDefaultMaxBytes, bool withConsumer = false)
    {
        m_api.reset();
        m_broker.reset();
        m_store.reset();
        m_dir = std::make_unique<QTemporaryDir>();
        QString error;
        m_spec = chooseStoreSpec(m_dir->filePath(QStringLiteral("q.db")));
        m_store = makeStore(m_spec);
        QVERIFY2(m_store->open(&error), qPrintable(error));
        m_blobs = std::make_unique<BlobStore>(m_dir->filePath(QStringLiteral("blobs")), blobLimit);
        QVERIFY(m_blobs->open(&error));
        m_broker = std::make_unique<Broker>(m_store.get(), &m_clock);
        QVERIFY(m_broker->start(&error));
        QueueSettings settings;
        settings.consumerType = withConsumer ? ConsumerType::Image : ConsumerType::None;
        settings.maxBatchTimeoutMs = 0;
        QVERIFY(m_broker->createQueue(QStringLiteral("images"), settings).ok());
        m_api = std::make_unique<HttpApi>(m_broker.get(), QStringLiteral("images"), QString());
        m_api->setUploads(
            new UploadsApi(m_broker.get(), m_blobs.get(), QStringLiteral("images"), m_api.get()));
        QVERIFY(m_api->listen(QHostAddress::LocalHost, 0, &error));
        if (withConsumer) {
            ImagePipelineSettings s;
            s.maxImageBytes = blobLimit;
            m_broker->setConsumerForType(ConsumerType::Image,
                ImageConsumer::factory()(ImageConsumerContext { m_store.get(), &m_clock, m_blobs.get(),
                    m_api->baseUrl() + QStringLiteral("/blobs/"), s }));
        }
    }

    QString url(const QString &path) const { return m_api->baseUrl() + path; }
    QStringList blobFiles() const { return QDir(m_blobs->directory()).entryList(QDir::Files | QDir::Hidden); }
    qint64 messages() const { return m_store->countMessages(MessageFilter {}, m_clock.nowMs()); }

    QJsonObject jobBody(const QString &id) const
    {
        return QJsonDocument::fromJson(m_store->messageById(id).value_or(Message {}).body).object();
    }

private slots:
    void initTestCase()
    {
        m_png = encode(picture(320, 200, 1), "png");
        m_jpeg = encode(picture(640, 480, 2), "jpeg", 85);
        m_gif = gif(50, 40);
    }
    void init() { start(); }

    void rawUpload()
    {
        const Reply r = m_client.post(url(QStringLiteral("/uploads?userId=bob")), m_png, "image/png");
        QCOMPARE(r.status, 202);
        const QJsonArray jobs = r.json().value(QLatin1String("jobs")).toArray();
        QCOMPARE(jobs.size(), 1);
        const QJsonObject job = jobs[0].toObject();
        const QString sha = BlobStore::hashOf(m_png);
        QCOMPARE(job.value(QLatin1String("sha256")).toString(), sha);
        QCOMPARE(job.value(QLatin1String("imageUrl")).toString(), url(QStringLiteral("/blobs/")) + sha);
        QCOMPARE(job.value(QLatin1String("mime")).toString(), QStringLiteral("image/png"));
        QCOMPARE(job.value(QLatin1String("deduplicated")).toBool(), false);
        const QString id = job.value(QLatin1String("id")).toString();
        QVERIFY(QRegularExpression(QStringLiteral("^[0-9a-f]{32}$")).match(id).hasMatch());
        // Durable before the answer: the committed job names the blob, which is on disk.
        const auto stored = openTestReader(m_spec)->messageById(id);
        QVERIFY(stored);
        const QJsonObject body = QJsonDocument::fromJson(stored->body).object();
        QCOMPARE(body.value(QLatin1String("imageUrl")).toString(), url(QStringLiteral("/blobs/")) + sha);
        QCOMPARE(body.value(QLatin1String("userId")).toString(), QStringLiteral("bob"));
        QCOMPARE(m_blobs->get(sha), std::optional<QByteArray>(m_png));
    }

    void multipartUpload()
    {
        auto *multipart = new QHttpMultiPart(QHttpMultiPart::FormDataType);
        multipart->append(fieldPart("userId", "carol"));
        multipart->append(filePart("files", QStringLiteral("a.png"), "image/png", m_png));
        multipart->append(filePart("files", QStringLiteral("b.jpg"), "image/jpeg", m_jpeg));
        multipart->append(filePart("files", QStringLiteral("c.gif"), "application/octet-stream", m_gif));
        const Reply r = m_client.post(url(QStringLiteral("/uploads")), multipart);
        QCOMPARE(r.status, 202);
        const QJsonArray jobs = r.json().value(QLatin1String("jobs")).toArray();
        QCOMPARE(jobs.size(), 3);
        const QList<QByteArray> files { m_png, m_jpeg, m_gif };
        const QStringList names { QStringLiteral("a.png"), QStringLiteral("b.jpg"), QStringLiteral("c.gif") };
        const QStringList mimes { QStringLiteral("image/png"), QStringLiteral("image/jpeg"),
            QStringLiteral("image/gif") };
        for (int i = 0; i < 3; ++i) {
            const QJsonObject job = jobs[i].toObject();
            QCOMPARE(job.value(QLatin1String("filename")).toString(), names[i]);
            QCOMPARE(job.value(QLatin1String("mime")).toString(), mimes[i]);
            QCOMPARE(job.value(QLatin1String("sha256")).toString(), BlobStore::hashOf(files[i]));
            const QJsonObject body = jobBody(job.value(QLatin1String("id")).toString());
            QCOMPARE(body.value(QLatin1String("userId")).toString(), QStringLiteral("carol"));
            QCOMPARE(body.value(QLatin1String("imageUrl")).toString(),
                job.value(QLatin1String("imageUrl")).toString());
        }
        QCOMPARE(blobFiles().size(), 3);
        QCOMPARE(messages(), 3);
    }

    void sameBytesAreStoredOnce()
    {
        const Reply first = m_client.post(url(QStringLiteral("/uploads")), m_jpeg, "image/jpeg");
        const Reply second = m_client.post(url(QStringLiteral("/uploads")), m_jpeg, "image/jpeg");
        QCOMPARE(first.status, 202);
        QCOMPARE(second.status, 202);
        const QJsonObject a = first.json().value(QLatin1String("jobs")).toArray()[0].toObject();
        const QJsonObject b = second.json().value(QLatin1String("jobs")).toArray()[0].toObject();
        QCOMPARE(a.value(QLatin1String("sha256")), b.value(QLatin1String("sha256")));
        QCOMPARE(b.value(QLatin1String("deduplicated")).toBool(), true);
        QVERIFY(a.value(QLatin1String("id")) != b.value(QLatin1String("id"))); // still one job per upload
        QCOMPARE(blobFiles(), QStringList { BlobStore::hashOf(m_jpeg) });
        QCOMPARE(messages(), 2);
    }

    void notAnImage_data()
    {
        QTest::addColumn<QByteArray>("body");
        QTest::addColumn<QByteArray>("type");
        QTest::newRow("text sent as png") << QByteArray("hello, this is text") << QByteArray("image/png");
        QTest::newRow("html sent as jpeg")
            << QByteArray("<html><body>x</body></html>") << QByteArray("image/jpeg");
        QTest::newRow("text/plain") << m_png << QByteArray("text/plain");
        QTest::newRow("json") << QByteArray("{}") << QByteArray("application/json");
    }
    void notAnImage()
    {
        QFETCH(QByteArray, body);
        QFETCH(QByteArray, type);
        const Reply r = m_client.post(url(QStringLiteral("/uploads")), body, type);
        QCOMPARE(r.status, 415);
        QVERIFY(!r.json().value(QLatin1String("error")).toString().isEmpty());
        QVERIFY(blobFiles().isEmpty());
        QCOMPARE(messages(), 0);
    }

    void oneBadFileRefusesTheWholeUpload()
    {
        auto *multipart = new QHttpMultiPart(QHttpMultiPart::FormDataType);
        multipart->append(filePart("files", QStringLiteral("good.png"), "image/png", m_png));
        multipart->append(filePart("files", QStringLiteral("notes.txt"), "text/plain", "just notes"));
        const Reply r = m_client.post(url(QStringLiteral("/uploads")), multipart);
        QCOMPARE(r.status, 415);
        QCOMPARE(r.json().value(QLatin1String("error")).toString(),
            QStringLiteral(
                "\"notes.txt\" is not an image: its bytes are no known image format (sent as text/plain)"));
        QVERIFY(blobFiles().isEmpty());
        QCOMPARE(messages(), 0);
    }

    void emptyUploads()
    {
        QCOMPARE(m_client.post(url(QStringLiteral("/uploads")), {}, "image/png").status, 400);
        auto *multipart = new QHttpMultiPart(QHttpMultiPart::FormDataType);
        multipart->append(fieldPart("userId", "x"));
        QCOMPARE(m_client.post(url(QStringLiteral("/uploads")), multipart).status, 400);
        QCOMPARE(m_client.send("GET", url(QStringLiteral("/uploads"))).status, 405);
    }

    void overTheLimit()
    {
        start(100 * 1024);
        QByteArray big = m_png;
        big.append(QByteArray(100 * 1024 + 1 - big.size(), 'x'));
        // The raw body is refused from its Content-Length, before it is read.
        const Reply raw = m_client.post(url(QStringLiteral("/uploads")), big, "image/png");
        QCOMPARE(raw.status, 413);
        QCOMPARE(
            m_client.post(url(QStringLiteral("/uploads")), big.left(100 * 1024), "image/png").status, 202);
        // In a multipart body, each file is held to the limit.
        auto *multipart = new QHttpMultiPart(QHttpMultiPart::FormDataType);
        multipart->append(filePart("files", QStringLiteral("big.png"), "image/png", big));
        const Reply part = m_client.post(url(QStringLiteral("/uploads")), multipart);
        QCOMPARE(part.status, 413);
        QCOMPARE(part.json().value(QLatin1String("error")).toString(),
            QStringLiteral("\"big.png\" is %1 bytes; the limit is %2 bytes").arg(big.size()).arg(100 * 1024));
        QCOMPARE(blobFiles().size(), 1);
        QCOMPARE(messages(), 1);
    }

    void aLargerLimitRaisesTheServersCap()
    {
        start(64LL * 1024 * 1024);
        QVERIFY(m_api->server().limits().maxBodyBytes >= 64LL * 1024 * 1024 + UploadsApi::kMultipartOverhead);
        // Other endpoints keep their own small limits.
        QCOMPARE(m_client.post(url(QStringLiteral("/")), QByteArray(200'000, ' '), "application/json").status,
            413);
    }

    void servesBlobs()
    {
        QCOMPARE(m_client.post(url(QStringLiteral("/uploads")), m_gif, "image/gif").status, 202);
        const QString sha = BlobStore::hashOf(m_gif);
        const Reply r = m_client.get(url(QStringLiteral("/blobs/")) + sha);
        QCOMPARE(r.status, 200);
        QCOMPARE(r.contentType, QByteArray("image/gif"));
        QCOMPARE(r.body, m_gif);
        QCOMPARE(m_client.get(url(QStringLiteral("/blobs/")) + sha.toUpper()).status, 200);
        QCOMPARE(m_client.send("DELETE", url(QStringLiteral("/blobs/")) + sha).status, 405);
    }

    void unknownBlobs_data()
    {
        QTest::addColumn<QString>("path");
        QTest::newRow("not stored") << QStringLiteral("/blobs/") + QString(64, QLatin1Char('0'));
        QTest::newRow("short") << QStringLiteral("/blobs/abc");
        QTest::newRow("not hex") << QStringLiteral("/blobs/") + QString(64, QLatin1Char('z'));
        QTest::newRow("the store file") << QStringLiteral("/blobs/..%2Fq.db");
        QTest::newRow("dot dot") << QStringLiteral("/blobs/../q.db");
        QTest::newRow("extra segment")
            << QStringLiteral("/blobs/") + QString(64, QLatin1Char('0')) + QStringLiteral("/x");
        QTest::newRow("bare") << QStringLiteral("/blobs");
    }
    void unknownBlobs()
    {
        QFETCH(QString, path);
        QCOMPARE(m_client.get(url(path)).status, 404);
    }

    void uploadsAreProcessedAndTheirResultsServed()
    {
        start(BlobStore::kDefaultMaxBytes, true);
        const Reply r = m_client.post(url(QStringLiteral("/uploads?userId=dora")), m_jpeg, "image/jpeg");
        QCOMPARE(r.status, 202);
        const QString id = r.json()
                               .value(QLatin1String("jobs"))
                               .toArray()[0]
                               .toObject()
                               .value(QLatin1String("id"))
                               .toString();
        Reply result;
        QTRY_COMPARE((result = m_client.get(url(QStringLiteral("/api/results/")) + id)).status, 200);
        const QJsonObject o = result.json();
        QCOMPARE(o.value(QLatin1String("message_id")).toString(), id);
        QCOMPARE(o.value(QLatin1String("queue")).toString(), QStringLiteral("images"));
        QCOMPARE(o.value(QLatin1String("user_id")).toString(), QStringLiteral("dora"));
        QCOMPARE(o.value(QLatin1String("width")).toInt(), 640);
        QCOMPARE(o.value(QLatin1String("height")).toInt(), 480);
        QCOMPARE(o.value(QLatin1String("format")).toString(), QStringLiteral("jpeg"));
        QCOMPARE(o.value(QLatin1String("sha256")).toString(), BlobStore::hashOf(m_jpeg));
        QCOMPARE(o.value(QLatin1String("final_url")).toString(),
            url(QStringLiteral("/blobs/")) + BlobStore::hashOf(m_jpeg));
        QImage thumbnail;
        QVERIFY(thumbnail.loadFromData(
            QByteArray::fromBase64(o.value(QLatin1String("thumbnail_png_base64")).toString().toLatin1()),
            "PNG"));
        QCOMPARE(thumbnail.size(), QSize(256, 192));

        const Reply png = m_client.get(o.value(QLatin1String("thumbnail_url")).toString());
        QCOMPARE(png.status, 200);
        QCOMPARE(png.contentType, QByteArray("image/png"));
        QVERIFY(QImage::fromData(png.body, "PNG").size() == QSize(256, 192));

        QCOMPARE(m_client.post(url(QStringLiteral("/uploads?userId=erin")), m_png, "image/png").status, 202);
        QTRY_COMPARE(
            m_client.get(url(QStringLiteral("/api/results"))).json().value(QLatin1String("total")).toInt(),
            2);
        const QJsonObject page = m_client.get(url(QStringLiteral("/api/results?user=dora&limit=10"))).json();
        QCOMPARE(page.value(QLatin1String("total")).toInt(), 1);
        QCOMPARE(page.value(QLatin1String("results"))
                     .toArray()[0]
                     .toObject()
                     .value(QLatin1String("message_id"))
                     .toString(),
            id);
        QVERIFY(!page.value(QLatin1String("results"))
                     .toArray()[0]
                     .toObject()
                     .contains(QLatin1String("thumbnail_png_base64")));
        QCOMPARE(m_client.get(url(QStringLiteral("/api/results?q=png")))
                     .json()
                     .value(QLatin1String("total"))
                     .toInt(),
            1);
        QCOMPARE(m_client.get(url(QStringLiteral("/api/results?offset=1&limit=1")))
                     .json()
                     .value(QLatin1String("results"))
                     .toArray()
                     .size(),
            1);
        QCOMPARE(m_client.get(url(QStringLiteral("/api/results?limit=0"))).status, 400);
        QCOMPARE(m_client.get(url(QStringLiteral("/api/results?offset=-1"))).status, 400);
        QCOMPARE(
            m_client.get(url(QStringLiteral("/api/results/")) + QString(32, QLatin1Char('0'))).status, 404);
        QCOMPARE(m_client.send("POST", url(QStringLiteral("/api/results"))).status, 405);
    }
};

QTEST_GUILESS_MAIN(TstUploads)
#include "tst_uploads.moc"
