// Images per second through the image consumer: N distinct 640×480 JPEGs served on
// loopback by a server on its own thread, fetched, decoded on the pool, recorded in a
// durable SQLite store; at each max_concurrency given. Prints where the time went.
//
//   bench_images [--images 1000] [--concurrency 1,2] [--batch 10]

#include "blobstore.h"
#include "broker.h"
#include "consumer.h"
#include "httpserver.h"
#include "imageconsumer.h"
#include "sqlitestore.h"

#include <QBuffer>
#include <QCommandLineParser>
#include <QCoreApplication>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QImage>
#include <QImageWriter>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QThread>

#include <cstdio>

using namespace qd;

namespace {

QByteArray makeJpeg(int seed)
{
    QImage image(640, 480, QImage::Format_RGB32);
    for (int y = 0; y < image.height(); ++y) {
        auto *line = reinterpret_cast<QRgb *>(image.scanLine(y));
        for (int x = 0; x < image.width(); ++x)
            line[x] = qRgb((x + seed * 7) & 255, (y * 2 + seed) & 255, ((x * y) / 64 + seed * 13) & 255);
    }
    QByteArray bytes;
    QBuffer buffer(&bytes);
    buffer.open(QIODevice::WriteOnly);
    QImageWriter writer(&buffer, "jpeg");
    writer.setQuality(85);
    writer.write(image);
    return bytes;
}

struct Run {
    int concurrency = 0;
    double seconds = 0;
    qint64 acked = 0;
    ImageConsumer::Totals totals;
};

std::vector<SendItem> jobs(const QString &base, int from, int count)
{
    std::vector<SendItem> items;
    for (int i = from; i < from + count; ++i) {
        const QJsonObject job { { QStringLiteral("imageUrl"),
                                    QStringLiteral("%1/img/%2.jpg").arg(base).arg(i) },
            { QStringLiteral("userId"), QStringLiteral("bench") } };
        items.push_back(
            SendItem { QJsonDocument(job).toJson(QJsonDocument::Compact), ContentType::Json, std::nullopt });
    }
    return items;
}

// Sends every job (durably), then runs until the consumer has settled all of them.
double drive(Broker &broker, const QString &base, int images)
{
    QElapsedTimer timer;
    timer.start();
    for (int at = 0; at < images; at += kMaxBatchMessages)
        broker.send(QStringLiteral("images"), jobs(base, at, std::min(kMaxBatchMessages, images - at)),
            std::nullopt, {});
    QEventLoop loop;
    QObject::connect(&broker, &Broker::batchCompleted, &loop, [&] {
        const QueueCounters c = broker.counters(QStringLiteral("images"));
        if (c.acked + c.failed + c.retried >= images)
            loop.quit();
    });
    loop.exec();
    broker.pumpAll(); // the last acks and results, committed
    return double(timer.nsecsElapsed()) / 1e9;
}

struct Pipeline {
    QTemporaryDir dir;
    SqliteStore store { dir.filePath(QStringLiteral("bench.db")) };
    SystemClock clock;
    std::unique_ptr<Broker> broker;

    explicit Pipeline(int concurrency, int batch)
    {
        QString error;
        if (!store.open(&error))
            qFatal("%s", qPrintable(error));
        broker = std::make_unique<Broker>(&store, &clock);
        if (!broker->start(&error))
            qFatal("%s", qPrintable(error));
        QueueSettings s;
        s.maxBatchSize = batch;
        s.maxBatchTimeoutMs = 0;
        s.maxRetries = 0;
        s.maxConcurrency = concurrency;
        if (const Error e = broker->createQueue(QStringLiteral("images"), s); e.isError())
            qFatal("%s", qPrintable(e.message));
    }
};

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    QCommandLineParser parser;
    parser.addHelpOption();
    parser.addOption({ QStringLiteral("images"), QStringLiteral("How many images."), QStringLiteral("N"),
        QStringLiteral("1000") });
    parser.addOption({ QStringLiteral("concurrency"), QStringLiteral("max_concurrency values."),
        QStringLiteral("LIST"), QStringLiteral("1,2") });
    parser.addOption({ QStringLiteral("batch"), QStringLiteral("max_batch_size."), QStringLiteral("N"),
        QStringLiteral("10") });
    parser.process(app);
    const int images = parser.value(QStringLiteral("images")).toInt();
    const int batch = parser.value(QStringLiteral("batch")).toInt();

    std::printf("making %d distinct 640x480 JPEGs...\n", images);
    std::fflush(stdout);
    QList<QByteArray> files;
    qint64 totalBytes = 0;
    for (int i = 0; i < images; ++i) {
        files.append(makeJpeg(i));
        totalBytes += files.last().size();
    }

    // The image server runs on its own thread, as a remote server would.
    QThread serverThread;
    serverThread.start();
    auto *server = new HttpServer;
    server->setHandler([files](const HttpRequest &request, const HttpResponder &responder) {
        const int i = request.path.mid(5).chopped(4).toInt(); // /img/<i>.jpg
        HttpResponse r;
        r.headers.append({ QByteArrayLiteral("Content-Type"), QByteArrayLiteral("image/jpeg") });
        r.body = files.value(i);
        responder.respond(r);
    });
    server->moveToThread(&serverThread);
    quint16 port = 0;
    QMetaObject::invokeMethod(
        server,
        [&] {
            QString error;
            if (!server->listen(QHostAddress::LocalHost, 0, &error))
                qFatal("%s", qPrintable(error));
            port = server->port();
        },
        Qt::BlockingQueuedConnection);
    const QString base = QStringLiteral("http://127.0.0.1:%1").arg(port);

    std::printf("%d images, %.1f KB each on average, batches of %d, %d CPUs\n\n", images,
        double(totalBytes) / images / 1024, batch, QThread::idealThreadCount());

    // The store's share: the same messages and result rows through broker and SQLite
    // with a consumer that does nothing else.
    double storeSeconds = 0;
    {
        Pipeline p(1, batch);
        const DecodedImage sample
            = decodeImage(files.value(0), QStringLiteral("image/jpeg"), DecodeOptions {});
        auto recorder = std::make_shared<FunctionConsumer>([&p, &sample](const Delivery &d, BatchOutcome &) {
            std::vector<ImageResult> rows;
            for (const Message &m : d.messages) {
                ImageResult r;
                r.messageSeq = m.seq;
                r.messageId = m.id;
                r.queueId = m.queueId;
                r.userId = QStringLiteral("bench");
                r.url = r.finalUrl = QStringLiteral("http://127.0.0.1/img.jpg");
                r.mime = sample.mime;
                r.format = sample.format;
                r.width = sample.width;
                r.height = sample.height;
                r.sha256 = sample.sha256;
                r.thumbnail = sample.thumbnailPng;
                rows.push_back(std::move(r));
            }
            p.store.insertResults(rows);
        });
        p.broker->setConsumerForType(ConsumerType::Image, recorder);
        storeSeconds = drive(*p.broker, base, images);
    }

    std::vector<Run> runs;
    for (const QString &c : parser.value(QStringLiteral("concurrency")).split(QLatin1Char(','))) {
        Run run;
        run.concurrency = c.toInt();
        Pipeline p(run.concurrency, batch);
        auto consumer = std::make_shared<ImageConsumer>(
            ImageConsumerContext { &p.store, &p.clock, nullptr, {}, ImagePipelineSettings {} });
        p.broker->setConsumerForType(ConsumerType::Image, consumer);
        run.seconds = drive(*p.broker, base, images);
        run.acked = p.broker->counters(QStringLiteral("images")).acked;
        run.totals = consumer->totals();
        runs.push_back(run);
        p.broker.reset();
    }

    std::printf("%-12s %10s %8s %12s %12s %12s   %s\n", "concurrency", "images/s", "acked", "fetch ms/img",
        "decode ms/img", "store ms/img", "share fetch / decode / store");
    const double storePerImage = storeSeconds * 1000 / images;
    for (const Run &r : runs) {
        const double fetch = double(r.totals.fetchNs) / 1e6 / images;
        const double decode = double(r.totals.decodeNs) / 1e6 / images;
        const double sum = fetch + decode + storePerImage;
        std::printf("%-12d %10.0f %8lld %12.2f %13.2f %12.2f   %4.0f%% / %4.0f%% / %4.0f%%\n", r.concurrency,
            images / r.seconds, static_cast<long long>(r.acked), fetch, decode, storePerImage,
            100 * fetch / sum, 100 * decode / sum, 100 * storePerImage / sum);
    }
    std::printf("\nfetch: request sent to last byte, per image (overlapping across images)\n"
                "decode: QImageReader decode, SHA-256 and 256 px PNG thumbnail on the pool, per image\n"
                "store: send, claim, ack and result row through broker and SQLite (fsync'd group commits),\n"
                "       measured alone with a consumer that only writes the rows: %.2f s for %d images\n",
        storeSeconds, images);
    for (const Run &r : runs)
        std::printf("RESULT {\"bench\":\"images\",\"concurrency\":%d,\"images\":%d,\"images_per_s\":%.1f}\n",
            r.concurrency, images, images / r.seconds);

    QMetaObject::invokeMethod(
        server, [server] { delete server; }, Qt::BlockingQueuedConnection);
    serverThread.quit();
    serverThread.wait();
    return 0;
}
