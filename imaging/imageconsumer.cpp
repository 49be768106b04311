#include "imageconsumer.h"

#include "blobstore.h"
#include "clock.h"
#include "imagesniff.h"
#include "queuestore.h"

#include <QElapsedTimer>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QThread>

namespace qd {

struct ImageConsumer::Batch {
    Delivery delivery;
    CompletionFn done;
    int remaining = 0;
    BatchOutcome outcome;
    std::vector<ImageResult> results;
    std::vector<QString> userIds;
    std::vector<QString> urls;
};

namespace {

// Reads a local file (a blob, or a file:// URL when allowed) on a worker, within the cap.
QString readLocal(const QString &path, qint64 maxBytes, QByteArray *out)
{
    QFile file(path);
    if (!file.exists())
        return {};
    if (file.size() > maxBytes)
        return QStringLiteral("image too large: %1 bytes exceeds the limit of %2")
            .arg(file.size())
            .arg(describeLimit(maxBytes));
    if (!file.open(QIODevice::ReadOnly))
        return QStringLiteral("cannot read %1: %2").arg(path, file.errorString());
    *out = file.readAll();
    return {};
}

} // namespace

ImageConsumer::ImageConsumer(ImageConsumerContext context, QObject *parent)
    : QObject(parent)
    , m_context(std::move(context))
    , m_network(new QNetworkAccessManager(this))
    , m_lookup(systemHostLookup())
{
    m_policy.setAllowPrivate(m_context.settings.allowPrivateUrls);
    m_policy.setAllowLoopback(m_context.settings.allowLoopbackUrls);
    applyAllocationLimit(m_context.settings.allocationLimitMb);
    m_pool.setObjectName(QStringLiteral("queuedeck-decode"));
}

ImageConsumer::~ImageConsumer()
{
    // Replies finishing while they are torn down, or decodes finishing while the pool
    // drains, must not complete batches of a broker that is going away.
    m_closing = true;
    delete m_network;
    m_pool.waitForDone();
}

void ImageConsumer::setHostLookup(HostLookup lookup)
{
    m_lookup = std::move(lookup);
}

ImageConsumerFactory ImageConsumer::factory()
{
    return [](const ImageConsumerContext &context) { return std::make_shared<ImageConsumer>(context); };
}

void ImageConsumer::deliver(const Delivery &delivery, CompletionFn done)
{
    const int concurrency = delivery.settings.maxConcurrency > 0 ? delivery.settings.maxConcurrency
                                                                 : QThread::idealThreadCount();
    m_pool.setMaxThreadCount(std::max(1, concurrency));
    auto batch = std::make_shared<Batch>();
    batch->delivery = delivery;
    batch->done = std::move(done);
    batch->remaining = int(delivery.messages.size());
    batch->userIds.resize(delivery.messages.size());
    batch->urls.resize(delivery.messages.size());
    if (batch->remaining == 0) {
        batch->done(batch->outcome);
        return;
    }
    for (int i = 0; i < int(delivery.messages.size()); ++i)
        start(batch, i);
}

void ImageConsumer::start(const std::shared_ptr<Batch> &batch, int index)
{
    const Message &m = batch->delivery.messages[std::size_t(index)];
    const QJsonObject job = QJsonDocument::fromJson(m.body).object();
    const QString imageUrl = job.value(QLatin1String("imageUrl")).toString();
    batch->userIds[std::size_t(index)] = job.value(QLatin1String("userId")).toString();
    batch->urls[std::size_t(index)] = imageUrl;
    if (imageUrl.isEmpty()) {
        fail(batch, index,
            QStringLiteral("the message is not an image job: its body needs a JSON object with an "
                           "imageUrl string (and a userId)"));
        return;
    }
    const QUrl url(imageUrl, QUrl::StrictMode);
    const QString scheme = url.scheme().toLower();
    if (!m_context.blobBaseUrl.isEmpty() && m_context.blobs && imageUrl.startsWith(m_context.blobBaseUrl)) {
        // This server's own blob: read from the store, not over HTTP (which a token guards).
        // After a '#' comes the uploaded file's name (uploadjobs.cpp), not part of the blob's.
        const QString name = imageUrl.mid(m_context.blobBaseUrl.size()).section(QLatin1Char('#'), 0, 0);
        const QString path = m_context.blobs->pathFor(name);
        if (path.isEmpty()) {
            fail(batch, index, QStringLiteral("no such blob on this server: %1").arg(name));
            return;
        }
        decodeOnPool(batch, index, Fetched { {}, {}, imageUrl, 0, path });
    } else if (scheme == QLatin1String("file")) {
        if (!m_context.settings.allowFileUrls) {
            fail(batch, index,
                QStringLiteral("file:// URLs are turned off: local files are read only when "
                               "the allowFileUrls setting is on"));
            return;
        }
        decodeOnPool(batch, index, Fetched { {}, {}, imageUrl, 0, url.toLocalFile() });
    } else if (scheme == QLatin1String("http") || scheme == QLatin1String("https")) {
        fetchHttp(batch, index, url);
    } else {
        fail(batch, index,
            url.isValid() && !scheme.isEmpty()
                ? QStringLiteral("cannot fetch %1:// URLs; use http or https").arg(scheme)
                : QStringLiteral("imageUrl is not a valid absolute URL: %1").arg(imageUrl));
    }
}

void ImageConsumer::fetchHttp(const std::shared_ptr<Batch> &batch, int index, const QUrl &url)
{
    auto *fetch = new ImageFetch(m_network, m_lookup, m_policy, m_context.settings, this);
    fetch->start(url, [this, fetch, batch, index](ImageFetch::Result result) {
        fetch->deleteLater();
        if (m_closing)
            return;
        if (!result.error.isEmpty()) {
            fail(batch, index, result.error);
            return;
        }
        m_totals.fetchNs += result.fetchNs;
        decodeOnPool(batch, index,
            Fetched {
                std::move(result.data), mediaType(result.contentType), result.finalUrl, result.fetchNs, {} });
    });
}

void ImageConsumer::decodeOnPool(const std::shared_ptr<Batch> &batch, int index, Fetched fetched)
{
    const DecodeOptions options { m_context.settings.allocationLimitMb, m_context.settings.thumbnailSize };
    const qint64 maxBytes = m_context.settings.maxImageBytes;
    // The worker sees only values; the batch goes back to this thread untouched.
    auto work = [this, batch, index, fetched = std::move(fetched), options, maxBytes]() mutable {
        QString error;
        if (!fetched.localPath.isEmpty()) {
            QElapsedTimer timer;
            timer.start();
            error = readLocal(fetched.localPath, maxBytes, &fetched.data);
            if (error.isEmpty() && fetched.data.isNull())
                error = QStringLiteral("not found: %1").arg(fetched.finalUrl);
            fetched.fetchNs = timer.nsecsElapsed();
        }
        DecodedImage image;
        if (error.isEmpty())
            image = decodeImage(fetched.data, fetched.declaredType, options);
        fetched.data.clear();
        QMetaObject::invokeMethod(
            this,
            [this, batch, index, fetched = std::move(fetched), image = std::move(image), error] {
                if (m_closing)
                    return;
                if (!fetched.localPath.isEmpty())
                    m_totals.fetchNs += fetched.fetchNs;
                m_totals.decodeNs += image.decodeNs;
                if (!error.isEmpty())
                    fail(batch, index, error);
                else if (!image.ok())
                    fail(batch, index, image.error);
                else
                    succeed(batch, index, fetched, image);
            },
            Qt::QueuedConnection);
    };
    m_pool.start(std::move(work));
}

void ImageConsumer::succeed(
    const std::shared_ptr<Batch> &batch, int index, const Fetched &fetched, const DecodedImage &image)
{
    const Message &m = batch->delivery.messages[std::size_t(index)];
    ImageResult r;
    r.messageSeq = m.seq;
    r.messageId = m.id;
    r.queueId = m.queueId;
    r.userId = batch->userIds[std::size_t(index)];
    r.url = batch->urls[std::size_t(index)];
    r.finalUrl = fetched.finalUrl;
    r.mime = image.mime;
    r.format = image.format;
    r.width = image.width;
    r.height = image.height;
    r.bytes = image.bytes;
    r.sha256 = image.sha256;
    r.orientation = image.orientation;
    r.thumbnail = image.thumbnailPng;
    r.fetchMs = fetched.fetchNs / 1'000'000;
    r.decodeMs = image.decodeNs / 1'000'000;
    r.createdMs = m_context.clock ? m_context.clock->nowMs() : 0;
    batch->results.push_back(std::move(r));
    batch->outcome.ack(m.id);
    m_totals.images += 1;
    finishOne(batch);
}

void ImageConsumer::fail(const std::shared_ptr<Batch> &batch, int index, const QString &error)
{
    batch->outcome.retry(batch->delivery.messages[std::size_t(index)].id, std::nullopt, error);
    m_totals.failures += 1;
    finishOne(batch);
}

void ImageConsumer::finishOne(const std::shared_ptr<Batch> &batch)
{
    if (--batch->remaining > 0)
        return;
    // Into the broker's open transaction: the results commit together with the acks.
    QElapsedTimer timer;
    timer.start();
    if (m_context.store)
        m_context.store->insertResults(batch->results);
    m_totals.storeNs += timer.nsecsElapsed();
    const CompletionFn done = std::move(batch->done);
    done(batch->outcome);
}

} // namespace qd
