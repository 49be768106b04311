#include "blobstore.h"
#include "broker.h"
#include "imageconsumer.h"
#include "imagetestsupport.h"

#include "../teststore.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QRandomGenerator>
#include <QSignalSpy>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QTest>

using namespace qd;
using namespace qdtest;

// The image consumer against a real HTTP server on a loopback port, through a real broker
// over a real store (a SQLite file, or a PostgreSQL schema in the _pg variant): each case
// ends in the right result row, or the right error text on the right retry / failure /
// dead-letter path.
class TstImageConsumer : public QObject {
    Q_OBJECT

    std::unique_ptr<QTemporaryDir> m_dir;
    QString m_spec;
    std::unique_ptr<QueueStore> m_store;
    SystemClock m_clock;
    std::unique_ptr<Broker> m_broker;
    std::shared_ptr<ImageConsumer> m_consumer;
    std::unique_ptr<ImageServer> m_server;
    QByteArray m_png, m_jpeg, m_webp, m_gif;
    // The only names the consumer can resolve: it never asks DNS here, so no test sends a
    // packet off this machine, even to show that one would be refused.
    QHash<QString, QList<QHostAddress>> m_names;
    QStringList m_lookups;

    static ImagePipelineSettings testSettings()
    {
        ImagePipelineSettings s;
        s.fetchTimeoutMs = 5000;
        return s;
    }

    void start(const ImagePipelineSettings &settings = testSettings(), int maxRetries = 0,
        const QString &deadLetterQueue = {})
    {
        m_broker.reset();
        m_consumer.reset();
        m_store.reset();
        m_dir = std::make_unique<QTemporaryDir>();
        m_spec = chooseStoreSpec(m_dir->filePath(QStringLiteral("q.db")));
        m_store = makeStore(m_spec);
        QString error;
        QVERIFY2(m_store->open(&error), qPrintable(error));
        m_broker = std::make_unique<Broker>(m_store.get(), &m_clock);
        QVERIFY(m_broker->start(&error));
        m_consumer = std::make_shared<ImageConsumer>(
            ImageConsumerContext { m_store.get(), &m_clock, nullptr, {}, settings });
        m_lookups.clear();
        m_consumer->setHostLookup([this](const QString &host, QObject *context, HostLookupDone done) {
            m_lookups.append(host);
            const QList<QHostAddress> addresses = m_names.value(host);
            QMetaObject::invokeMethod(
                context,
                [done = std::move(done), addresses] {
                    done(addresses, addresses.isEmpty() ? QStringLiteral("Host not found") : QString());
                },
                Qt::QueuedConnection);
        });
        m_broker->setConsumerForType(ConsumerType::Image, m_consumer);
        if (!deadLetterQueue.isEmpty()) {
            QueueSettings parked;
            parked.consumerType = ConsumerType::None; // keeps what lands there for the test to see
            QVERIFY(m_broker->createQueue(deadLetterQueue, parked).ok());
        }
        QueueSettings s;
        s.maxBatchSize = 10;
        s.maxBatchTimeoutMs = 0;
        s.maxRetries = maxRetries;
        s.maxConcurrency = 2;
        s.deadLetterQueue = deadLetterQueue;
        QVERIFY(m_broker->createQueue(QStringLiteral("images"), s).ok());
    }

    static QByteArray job(const QString &url, const QString &user = QStringLiteral("alice"))
    {
        return QJsonDocument(
            QJsonObject { { QStringLiteral("imageUrl"), url }, { QStringLiteral("userId"), user } })
            .toJson(QJsonDocument::Compact);
    }

    QStringList send(const QList<QByteArray> &bodies)
    {
        std::vector<SendItem> items;
        for (const QByteArray &b : bodies)
            items.push_back(SendItem { b, ContentType::Json, std::nullopt });
        QStringList ids;
        const Error e = m_broker->send(QStringLiteral("images"), std::move(items), std::nullopt, {}, &ids);
        if (e.isError())
            qWarning("send: %s", qPrintable(e.message));
        return ids;
    }

    // Done with: acked, failed for good, or moved to a dead-letter queue.
    bool settled(const QString &id) const
    {
        const auto m = m_store->messageById(id);
        return m
            && (m->state == MessageState::Acked || m->state == MessageState::Failed
                || m->queueId != m_broker->queue(QStringLiteral("images"))->id);
    }

    Message process(const QString &url, int timeoutMs = 5000)
    {
        const QString id = send({ job(url) }).value(0);
        [&] { QTRY_VERIFY_WITH_TIMEOUT(settled(id), timeoutMs); }();
        return m_store->messageById(id).value_or(Message {});
    }

    void expectFailure(const QString &url, const QString &error)
    {
        const Message m = process(url);
        QCOMPARE(int(m.state), int(MessageState::Failed));
        QCOMPARE(m.lastError, error);
        QVERIFY(!m_store->resultForMessage(m.id));
    }

private slots:
    void initTestCase()
    {
        m_png = encode(picture(320, 200, 1), "png");
        m_jpeg = encode(picture(640, 480, 2), "jpeg", 85);
        m_webp = canWrite("webp") ? encode(picture(300, 300, 3), "webp") : QByteArray();
        m_gif = gif(120, 90);
    }

    void init()
    {
        m_names = {
            { QStringLiteral("images.test"), { QHostAddress(QHostAddress::LocalHost) } },
            { QStringLiteral("cdn.test"), { QHostAddress(QHostAddress::LocalHost) } },
            { QStringLiteral("metadata.test"), { QHostAddress(QStringLiteral("169.254.169.254")) } },
            { QStringLiteral("private.test"), { QHostAddress(QStringLiteral("10.0.0.5")) } },
            // The first address is the one connected to; the second must still be checked.
            { QStringLiteral("mixed.test"),
                { QHostAddress(QHostAddress::LocalHost), QHostAddress(QStringLiteral("10.0.0.5")) } },
        };
        m_server = std::make_unique<ImageServer>();
        m_server->serveImage("/img.png", m_png, "image/png");
        m_server->serveImage("/img.jpg", m_jpeg, "image/jpeg");
        m_server->serveImage("/img.webp", m_webp, "image/webp");
        m_server->serveImage("/img.gif", m_gif, "image/gif");
        m_server->serveImage(
            "/page.html", "<!doctype html><html><body>a page</body></html>", "text/html; charset=utf-8");
        m_server->serveImage("/truncated.jpg", m_jpeg.left(m_jpeg.size() / 2), "image/jpeg");
        m_server->serveImage("/bomb.png", hugePngHeader(40000, 40000), "image/png");
        m_server->serve("/slow.png", ImageServer::Route { 200, "image/png", m_png, {}, 3000 });
        start();
    }

    void cleanup()
    {
        m_broker.reset();
        m_consumer.reset();
        m_store.reset();
        m_server.reset();
    }

    void recordsAResult_data()
    {
        QTest::addColumn<QString>("path");
        QTest::addColumn<QString>("format");
        QTest::addColumn<QSize>("size");
        QTest::addColumn<QByteArray>("bytes");
        QTest::newRow("png") << QStringLiteral("/img.png") << QStringLiteral("png") << QSize(320, 200)
                             << m_png;
        QTest::newRow("jpeg") << QStringLiteral("/img.jpg") << QStringLiteral("jpeg") << QSize(640, 480)
                              << m_jpeg;
        QTest::newRow("webp") << QStringLiteral("/img.webp") << QStringLiteral("webp") << QSize(300, 300)
                              << m_webp;
        QTest::newRow("gif") << QStringLiteral("/img.gif") << QStringLiteral("gif") << QSize(120, 90)
                             << m_gif;
    }
    void recordsAResult()
    {
        QFETCH(QString, path);
        QFETCH(QString, format);
        QFETCH(QSize, size);
        QFETCH(QByteArray, bytes);
        // scripts/install-deps.sh installs the plugin: without it the set-up is broken.
        QVERIFY2(!bytes.isEmpty(), "no WebP plugin (Debian: qt6-image-formats-plugins)");
        const Message m = process(m_server->url(path));
        QCOMPARE(int(m.state), int(MessageState::Acked));
        const auto r = m_store->resultForMessage(m.id);
        QVERIFY(r);
        QCOMPARE(r->messageSeq, m.seq);
        QCOMPARE(r->userId, QStringLiteral("alice"));
        QCOMPARE(r->url, m_server->url(path));
        QCOMPARE(r->finalUrl, m_server->url(path));
        QCOMPARE(r->format, format);
        QCOMPARE(r->mime, QStringLiteral("image/") + format);
        QCOMPARE(QSize(r->width, r->height), size);
        QCOMPARE(r->bytes, bytes.size());
        QCOMPARE(r->sha256, BlobStore::hashOf(bytes));
        QCOMPARE(r->orientation, 1);
        QImage thumbnail;
        QVERIFY(thumbnail.loadFromData(r->thumbnail, "PNG"));
        QVERIFY(std::max(thumbnail.width(), thumbnail.height()) <= 256);
        QVERIFY(r->createdMs > 0);
        // The result committed with the ack: a second connection sees both.
        const auto reader = openTestReader(m_spec);
        QTRY_VERIFY(reader->resultForMessage(m.id).has_value());
        QCOMPARE(int(reader->messageById(m.id)->state), int(MessageState::Acked));
    }

    void notFound()
    {
        expectFailure(m_server->url(QStringLiteral("/missing.png")),
            QStringLiteral("HTTP 404 Not Found from host 127.0.0.1"));
    }
    void htmlPage()
    {
        expectFailure(
            m_server->url(QStringLiteral("/page.html")), QStringLiteral("not an image (text/html)"));
    }
    void decompressionBomb()
    {
        expectFailure(m_server->url(QStringLiteral("/bomb.png")),
            QStringLiteral("image too large: 40000×40000 exceeds the limit of 256 MB of decoded pixels"));
    }

    void truncatedJpeg()
    {
        const Message m = process(m_server->url(QStringLiteral("/truncated.jpg")));
        QCOMPARE(int(m.state), int(MessageState::Failed));
        QVERIFY2(
            m.lastError.startsWith(QLatin1String("cannot decode the jpeg image")), qPrintable(m.lastError));
    }

    void slowServerTimesOut()
    {
        ImagePipelineSettings s = testSettings();
        s.fetchTimeoutMs = 300;
        start(s);
        expectFailure(m_server->url(QStringLiteral("/slow.png")),
            QStringLiteral("timed out after 300 ms waiting for host 127.0.0.1"));
    }

    void followsRedirects()
    {
        // /redirect/4 is five redirects: the most allowed.
        const Message m = process(m_server->url(QStringLiteral("/redirect/4")));
        QCOMPARE(int(m.state), int(MessageState::Acked));
        const auto r = m_store->resultForMessage(m.id);
        QVERIFY(r);
        QCOMPARE(r->url, m_server->url(QStringLiteral("/redirect/4")));
        QCOMPARE(r->finalUrl, m_server->url(QStringLiteral("/img.png")));
        QCOMPARE(r->sha256, BlobStore::hashOf(m_png));
    }

    void refusesLongRedirectChains()
    {
        expectFailure(m_server->url(QStringLiteral("/redirect/5")),
            QStringLiteral("too many redirects (more than 5) starting at host 127.0.0.1"));
        QCOMPARE(m_server->requests("/img.png"), 0);
    }

    void aRedirectToALocalFileSaysSo()
    {
        m_server->serve("/to-file", ImageServer::Route { 302, {}, {}, "file:///etc/hostname", 0 });
        expectFailure(m_server->url(QStringLiteral("/to-file")),
            QStringLiteral(
                "redirect to a local file refused: host 127.0.0.1 redirected to file:///etc/hostname"));
    }

    void refusesARedirectToCloudMetadata()
    {
        m_server->serve("/to-metadata",
            ImageServer::Route { 302, {}, {}, "http://metadata.test/latest/meta-data/iam/", 0 });
        expectFailure(m_server->url(QStringLiteral("/to-metadata")),
            QStringLiteral(
                "refused to fetch http://metadata.test/latest/meta-data/iam/ (redirected from host "
                "127.0.0.1): 169.254.169.254 is a cloud metadata address"));
        // Decided on the looked-up address, before any connection to it.
        QCOMPARE(m_lookups, QStringList { QStringLiteral("metadata.test") });
        QCOMPARE(m_server->requests("/to-metadata"), 1);
    }

    void refusesAddressesWrittenInTheUrl_data()
    {
        QTest::addColumn<QString>("url");
        QTest::addColumn<QString>("error");
        QTest::newRow("metadata") << QStringLiteral("http://169.254.169.254/latest/meta-data/")
                                  << QStringLiteral(
                                         "refused to fetch http://169.254.169.254/latest/meta-data/: "
                                         "169.254.169.254 is a cloud metadata address");
        QTest::newRow("metadata as one decimal number")
            << QStringLiteral("http://2852039166/latest/meta-data/")
            << QStringLiteral(
                   "refused to fetch http://169.254.169.254/latest/meta-data/: 169.254.169.254 is a "
                   "cloud metadata address");
        QTest::newRow("ipv4-mapped metadata")
            << QStringLiteral("http://[::ffff:169.254.169.254]/")
            << QStringLiteral(
                   "refused to fetch http://[::ffff:169.254.169.254]/: ::ffff:169.254.169.254 is a "
                   "cloud metadata address");
        QTest::newRow("link-local ipv6")
            << QStringLiteral("http://[fe80::1]/a.png")
            << QStringLiteral("refused to fetch http://[fe80::1]/a.png: fe80::1 is a link-local "
                              "address");
        QTest::newRow("private") << QStringLiteral("http://192.168.1.1/a.png")
                                 << QStringLiteral(
                                        "refused to fetch http://192.168.1.1/a.png: 192.168.1.1 is a "
                                        "private address (allow those with --allow-private-urls)");
        QTest::newRow("unspecified")
            << QStringLiteral("http://0.0.0.0:1/a.png")
            << QStringLiteral("refused to fetch http://0.0.0.0:1/a.png: 0.0.0.0 is an unspecified "
                              "address");
    }
    void refusesAddressesWrittenInTheUrl()
    {
        QFETCH(QString, url);
        QFETCH(QString, error);
        expectFailure(url, error);
        QVERIFY(m_lookups.isEmpty());
    }

    void refusesAHostThatResolvesToAPrivateAddress()
    {
        expectFailure(QStringLiteral("http://private.test/a.png"),
            QStringLiteral("refused to fetch http://private.test/a.png: 10.0.0.5 is a private address (allow "
                           "those with --allow-private-urls)"));
        QCOMPARE(m_lookups, QStringList { QStringLiteral("private.test") });
    }

    void checksEveryAddressOfAHost()
    {
        const QString url = QStringLiteral("http://mixed.test:%1/img.png").arg(m_server->port());
        expectFailure(url,
            QStringLiteral("refused to fetch %1: 10.0.0.5 is a private address (allow those with "
                           "--allow-private-urls)")
                .arg(url));
        QCOMPARE(m_server->requests("/img.png"), 0);
    }

    void privateAddressesWhenAllowed()
    {
        ImagePipelineSettings s = testSettings();
        s.allowPrivateUrls = true;
        start(s);
        // mixed.test's first address, on loopback, is the one connected to; allowing private
        // addresses lets its second one pass the check.
        const QString url = QStringLiteral("http://mixed.test:%1/img.png").arg(m_server->port());
        const Message m = process(url);
        QCOMPARE(int(m.state), int(MessageState::Acked));
        QCOMPARE(m_store->resultForMessage(m.id)->sha256, BlobStore::hashOf(m_png));
    }

    void aRefusedHostIsNeverContacted()
    {
        ImagePipelineSettings s = testSettings();
        s.allowLoopbackUrls = false;
        start(s);
        // A listener that would see the connection, had the refusal come after it.
        QTcpServer listener;
        QVERIFY(listener.listen(QHostAddress::LocalHost, 0));
        QSignalSpy connections(&listener, &QTcpServer::newConnection);
        m_names.insert(QStringLiteral("listener.test"), { QHostAddress(QHostAddress::LocalHost) });
        const QString url = QStringLiteral("http://listener.test:%1/a.png").arg(listener.serverPort());
        expectFailure(url,
            QStringLiteral(
                "refused to fetch %1: 127.0.0.1 is a loopback address (loopback URLs are turned off)")
                .arg(url));
        QCOMPARE(m_lookups, QStringList { QStringLiteral("listener.test") });
        QVERIFY(!listener.waitForNewConnection(0));
        QCOMPARE(connections.count(), 0);
    }

    void followsRedirectsBetweenNamesToTheCheckedAddress()
    {
        m_server->serve("/to-cdn",
            ImageServer::Route { 302, {}, {},
                QStringLiteral("http://cdn.test:%1/img.png").arg(m_server->port()).toLatin1(), 0 });
        const QString url = QStringLiteral("http://images.test:%1/to-cdn").arg(m_server->port());
        const Message m = process(url);
        QCOMPARE(int(m.state), int(MessageState::Acked));
        const auto r = m_store->resultForMessage(m.id);
        QVERIFY(r);
        QCOMPARE(r->url, url);
        QCOMPARE(r->finalUrl, QStringLiteral("http://cdn.test:%1/img.png").arg(m_server->port()));
        QCOMPARE(r->sha256, BlobStore::hashOf(m_png));
        QCOMPARE(m_lookups, (QStringList { QStringLiteral("images.test"), QStringLiteral("cdn.test") }));
        // Connected to the address, but the server still sees the name.
        QCOMPARE(m_server->hostHeader("/to-cdn"), "images.test:" + QByteArray::number(m_server->port()));
        QCOMPARE(m_server->hostHeader("/img.png"), "cdn.test:" + QByteArray::number(m_server->port()));
    }

    void anUnknownHostIsNotFound()
    {
        expectFailure(QStringLiteral("http://nowhere.test/a.png"),
            QStringLiteral("host nowhere.test not found (check the URL's host name)"));
    }

    void aRedirectToAnotherSchemeIsRefused()
    {
        m_server->serve("/to-ftp", ImageServer::Route { 302, {}, {}, "ftp://127.0.0.1/a.png", 0 });
        expectFailure(m_server->url(QStringLiteral("/to-ftp")),
            QStringLiteral(
                "redirect to a ftp:// URL refused: host 127.0.0.1 may redirect only to http or https"));
    }

    void abortsDownloadsOverTheCap()
    {
        ImagePipelineSettings s = testSettings();
        s.maxImageBytes = 64 * 1024;
        start(s);
        QImage noise(300, 300, QImage::Format_RGB32); // noise does not compress: about 270 KB
        for (int y = 0; y < noise.height(); ++y) {
            for (int x = 0; x < noise.width(); ++x)
                noise.setPixel(x, y, QRandomGenerator::global()->generate());
        }
        const QByteArray big = encode(noise, "png");
        QVERIFY(big.size() > 64 * 1024);
        m_server->serveImage("/big.png", big, "image/png");
        expectFailure(m_server->url(QStringLiteral("/big.png")),
            QStringLiteral(
                "image too large: the download from host 127.0.0.1 exceeds the limit of 65536 bytes"));
    }

    void abortsStreamsWithoutALengthOverTheCap()
    {
        ImagePipelineSettings s = testSettings();
        s.maxImageBytes = 64 * 1024;
        start(s);
        // A server that announces no length and streams until it closes: only counting
        // the bytes as they come can stop it.
        QTcpServer raw;
        QVERIFY(raw.listen(QHostAddress::LocalHost, 0));
        connect(&raw, &QTcpServer::newConnection, this, [&raw] {
            QTcpSocket *socket = raw.nextPendingConnection();
            connect(socket, &QTcpSocket::readyRead, socket, [socket] {
                socket->readAll();
                socket->write("HTTP/1.1 200 OK\r\nContent-Type: image/png\r\nConnection: close\r\n\r\n");
                socket->write(QByteArray("\x89PNG\r\n\x1a\n", 8) + QByteArray(200 * 1024, 'x'));
                socket->disconnectFromHost();
            });
        });
        expectFailure(QStringLiteral("http://127.0.0.1:%1/stream.png").arg(raw.serverPort()),
            QStringLiteral(
                "image too large: the download from host 127.0.0.1 exceeds the limit of 65536 bytes"));
    }

    void refusedConnection()
    {
        QTcpServer probe;
        QVERIFY(probe.listen(QHostAddress::LocalHost, 0));
        const quint16 port = probe.serverPort();
        probe.close(); // nothing listens there now
        expectFailure(QStringLiteral("http://127.0.0.1:%1/a.png").arg(port),
            QStringLiteral("host 127.0.0.1 refused the connection (is the server running on port %1?)")
                .arg(port));
    }

    void fileUrlsAreOffByDefault()
    {
        const QString path = m_dir->filePath(QStringLiteral("local.png"));
        QFile f(path);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(m_png);
        f.close();
        expectFailure(QUrl::fromLocalFile(path).toString(),
            QStringLiteral("file:// URLs are turned off: local files are read only when the allowFileUrls "
                           "setting is on"));
    }

    void fileUrlsWhenAllowed()
    {
        ImagePipelineSettings s = testSettings();
        s.allowFileUrls = true;
        start(s);
        const QString path = m_dir->filePath(QStringLiteral("local.png"));
        QFile f(path);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(m_png);
        f.close();
        const Message m = process(QUrl::fromLocalFile(path).toString());
        QCOMPARE(int(m.state), int(MessageState::Acked));
        QCOMPARE(m_store->resultForMessage(m.id)->sha256, BlobStore::hashOf(m_png));
    }

    void notAnImageJob()
    {
        const QStringList ids = send({ QByteArray("\"just text\"") });
        QTRY_VERIFY(settled(ids.value(0)));
        QVERIFY(m_store->messageById(ids[0])->lastError.startsWith(
            QLatin1String("the message is not an image job")));
    }

    void retriesThenDeadLetters()
    {
        start(testSettings(), 1, QStringLiteral("images-dlq"));
        const Message m = process(m_server->url(QStringLiteral("/gone.png")));
        QCOMPARE(m.queueId, m_broker->queue(QStringLiteral("images-dlq"))->id);
        QCOMPARE(int(m.state), int(MessageState::Pending));
        QCOMPARE(m.lastError, QStringLiteral("HTTP 404 Not Found from host 127.0.0.1"));
        QCOMPARE(m_server->requests("/gone.png"), 2);
        const auto attempts = m_store->attemptsForMessage(m.seq); // newest first
        QCOMPARE(attempts.size(), std::size_t(2));
        QCOMPARE(attemptOutcomeName(attempts[1].outcome), QStringLiteral("retried"));
        QCOMPARE(attempts[1].error, QStringLiteral("HTTP 404 Not Found from host 127.0.0.1"));
        QCOMPARE(attemptOutcomeName(attempts[0].outcome), QStringLiteral("dead_lettered"));
    }

    void eachMessageOfABatchHasItsOwnFate()
    {
        const QStringList ids = send({ job(m_server->url(QStringLiteral("/img.png")), QStringLiteral("bob")),
            job(m_server->url(QStringLiteral("/nope.png"))),
            job(m_server->url(QStringLiteral("/page.html"))) });
        QCOMPARE(ids.size(), 3);
        QTRY_VERIFY(settled(ids[0]) && settled(ids[1]) && settled(ids[2]));
        QCOMPARE(int(m_store->messageById(ids[0])->state), int(MessageState::Acked));
        QCOMPARE(m_store->resultForMessage(ids[0])->userId, QStringLiteral("bob"));
        QCOMPARE(m_store->messageById(ids[1])->lastError,
            QStringLiteral("HTTP 404 Not Found from host 127.0.0.1"));
        QCOMPARE(m_store->messageById(ids[2])->lastError, QStringLiteral("not an image (text/html)"));
        const auto batch = m_store->batch(m_store->messageById(ids[0])->batchId);
        QVERIFY(batch);
        QCOMPARE(batch->size, 3);
        QCOMPARE(batch->acked, 1);
        QCOMPARE(batch->failed, 2);
    }

    void aBatchIsFetchedConcurrently()
    {
        // The server answers only once all four requests are waiting together.
        m_server->gate(4, m_jpeg, "image/jpeg");
        QList<QByteArray> jobs;
        for (int i = 0; i < 4; ++i)
            jobs.append(job(m_server->url(QStringLiteral("/gate/%1.jpg").arg(i))));
        const QStringList ids = send(jobs);
        QTRY_VERIFY(settled(ids[0]) && settled(ids[1]) && settled(ids[2]) && settled(ids[3]));
        for (const QString &id : ids) {
            QCOMPARE(int(m_store->messageById(id)->state), int(MessageState::Acked));
            QCOMPARE(m_store->resultForMessage(id)->width, 640);
        }
        QCOMPARE(m_consumer->pool()->maxThreadCount(), 2); // the queue's max_concurrency
        QCOMPARE(m_consumer->totals().images, 4);
        QVERIFY(m_consumer->totals().decodeNs > 0);
    }

    void resultsAreListed()
    {
        const QStringList ids
            = send({ job(m_server->url(QStringLiteral("/img.png")), QStringLiteral("carol")),
                job(m_server->url(QStringLiteral("/img.jpg")), QStringLiteral("dave")),
                job(m_server->url(QStringLiteral("/img.gif")), QStringLiteral("carol")) });
        QTRY_VERIFY(settled(ids[0]) && settled(ids[1]) && settled(ids[2]));
        QCOMPARE(m_store->countResults({}), 3);
        QCOMPARE(m_store->countResults(ResultFilter { QStringLiteral("carol"), {} }), 2);
        QCOMPARE(m_store->countResults(ResultFilter { {}, QStringLiteral("img.jpg") }), 1);
        QCOMPARE(m_store->countResults(ResultFilter { QStringLiteral("carol"), QStringLiteral("gif") }), 1);
        const auto page = m_store->listResults({}, 1, 1);
        QCOMPARE(page.size(), std::size_t(1));
        QVERIFY(page[0].thumbnail.isEmpty()); // listings leave thumbnails out
        QCOMPARE(m_store->listResults({}, 0, 10).size(), std::size_t(3));
    }
};

QTEST_GUILESS_MAIN(TstImageConsumer)
#include "tst_imageconsumer.moc"
