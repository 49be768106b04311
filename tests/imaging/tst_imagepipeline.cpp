#include "blobstore.h"
#include "httpclient.h"
#include "imageconsumer.h"
#include "imagetestsupport.h"
#include "runtime.h"

#include "../teststore.h"

#include <QJsonArray>
#include <QTemporaryDir>
#include <QTest>

using namespace qd;
using namespace qdtest;

// End to end through the whole Runtime on its own thread, wired as the application wires
// it: POST / with an image URL, or POST /uploads, ends in a result row. Its store is the
// SQLite file in the data directory, or in the _pg variant a schema of PostgreSQL.
class TstImagePipeline : public QObject {
    Q_OBJECT

    QTemporaryDir m_dir;
    std::unique_ptr<Runtime> m_runtime;
    std::unique_ptr<ImageServer> m_images;
    HttpClient m_client;
    QByteArray m_jpeg;

    QString url(const QString &path) const { return m_runtime->endpoint() + path.mid(1); }

private slots:
    void initTestCase()
    {
        m_jpeg = encode(picture(800, 600, 5), "jpeg", 90);
        m_images = std::make_unique<ImageServer>();
        m_images->serveImage("/photo.jpg", m_jpeg, "image/jpeg");

        RuntimeOptions options;
        options.dataDir = m_dir.path();
        options.store = chooseStoreSpec(QString()); // empty: the data directory's SQLite file
        options.port = 0;
        options.imageConsumerFactory = ImageConsumer::factory();
        m_runtime = std::make_unique<Runtime>(options);
        QString error;
        QVERIFY2(m_runtime->start(&error), qPrintable(error));
        QCOMPARE(m_runtime->storePath(),
            options.store.isEmpty() ? m_dir.filePath(QStringLiteral("queuedeck.db")) : options.store);
        // The default queue waits up to 5 s to fill a batch; a test has no time for that.
        bool updated = false;
        QMetaObject::invokeMethod(
            m_runtime->broker(),
            [&] {
                Broker *broker = m_runtime->broker();
                QueueSettings s = broker->queue(QStringLiteral("images"))->settings;
                s.maxBatchTimeoutMs = 0;
                updated = broker->updateQueue(QStringLiteral("images"), s).ok();
            },
            Qt::BlockingQueuedConnection);
        QVERIFY(updated);
    }

    void cleanupTestCase() { m_runtime.reset(); }

    void producedJobEndsInAResultRow()
    {
        const QByteArray job = QJsonDocument(
            QJsonObject { { QStringLiteral("imageUrl"), m_images->url(QStringLiteral("/photo.jpg")) },
                { QStringLiteral("userId"), QStringLiteral("eve") } })
                                   .toJson(QJsonDocument::Compact);
        const Reply accepted = m_client.post(url(QStringLiteral("/")), job, "application/json");
        QCOMPARE(accepted.status, 202);
        const QString id = accepted.json().value(QLatin1String("id")).toString();

        Reply result;
        QTRY_COMPARE((result = m_client.get(url(QStringLiteral("/api/results/")) + id)).status, 200);
        const QJsonObject o = result.json();
        QCOMPARE(o.value(QLatin1String("width")).toInt(), 800);
        QCOMPARE(o.value(QLatin1String("height")).toInt(), 600);
        QCOMPARE(o.value(QLatin1String("sha256")).toString(), BlobStore::hashOf(m_jpeg));
        QCOMPARE(o.value(QLatin1String("bytes")).toInteger(), m_jpeg.size());
        QCOMPARE(o.value(QLatin1String("user_id")).toString(), QStringLiteral("eve"));
        QCOMPARE(o.value(QLatin1String("mime")).toString(), QStringLiteral("image/jpeg"));

        // The row is committed, beside the acked message.
        const auto reader = openTestReader(m_runtime->storePath());
        QTRY_COMPARE(int(reader->messageById(id).value_or(Message {}).state), int(MessageState::Acked));
        const auto row = reader->resultForMessage(id);
        QVERIFY(row);
        QCOMPARE(QSize(row->width, row->height), QSize(800, 600));
        QCOMPARE(row->sha256, BlobStore::hashOf(m_jpeg));
        QCOMPARE(row->url, m_images->url(QStringLiteral("/photo.jpg")));
    }

    void uploadedFileEndsInAResultRow()
    {
        const QByteArray png = encode(picture(64, 48, 9), "png");
        const Reply accepted = m_client.post(url(QStringLiteral("/uploads?userId=finn")), png, "image/png");
        QCOMPARE(accepted.status, 202);
        const QJsonObject job = accepted.json().value(QLatin1String("jobs")).toArray()[0].toObject();
        Reply result;
        QTRY_COMPARE((result = m_client.get(
                          url(QStringLiteral("/api/results/")) + job.value(QLatin1String("id")).toString()))
                         .status,
            200);
        QCOMPARE(result.json().value(QLatin1String("width")).toInt(), 64);
        QCOMPARE(result.json().value(QLatin1String("height")).toInt(), 48);
        QCOMPARE(result.json().value(QLatin1String("sha256")).toString(), BlobStore::hashOf(png));
        QVERIFY(QFile::exists(m_dir.filePath(QStringLiteral("blobs/")) + BlobStore::hashOf(png)));
    }

    void failuresAreRetriedWithTheirReason()
    {
        const QByteArray job = QJsonDocument(
            QJsonObject { { QStringLiteral("imageUrl"), m_images->url(QStringLiteral("/nothing.jpg")) },
                { QStringLiteral("userId"), QStringLiteral("gus") } })
                                   .toJson(QJsonDocument::Compact);
        const Reply accepted = m_client.post(url(QStringLiteral("/")), job, "application/json");
        QCOMPARE(accepted.status, 202);
        const QString id = accepted.json().value(QLatin1String("id")).toString();
        // Three retries by default: four attempts, then failed for good.
        QTRY_COMPARE(m_images->requests("/nothing.jpg"), 4);
        const auto reader = openTestReader(m_runtime->storePath());
        QTRY_COMPARE(int(reader->messageById(id).value_or(Message {}).state), int(MessageState::Failed));
        QCOMPARE(
            reader->messageById(id)->lastError, QStringLiteral("HTTP 404 Not Found from host 127.0.0.1"));
        QCOMPARE(m_client.get(url(QStringLiteral("/api/results/")) + id).status, 404);
    }
};

QTEST_GUILESS_MAIN(TstImagePipeline)
#include "tst_imagepipeline.moc"
