#pragma once

#include "consumer.h"
#include "imagedecoder.h"
#include "imagefetch.h"
#include "imagepipeline.h"

#include <QObject>
#include <QThreadPool>

#include <memory>

class QNetworkAccessManager;

namespace qd {

// The built-in `image` consumer: for every message ({imageUrl, userId}) of a batch, all
// at once, it fetches the image (http and https through ImageFetch, which decides which
// hosts may be reached; this server's blobs; file:// only when allowed), decodes it on a
// thread pool, and records a result row; it acks what worked and retries the rest with an
// error a person can act on. Results go into the store on the broker's thread just before
// the batch is completed, so they commit with the acks.
class ImageConsumer final : public QObject, public Consumer {
    Q_OBJECT
public:
    explicit ImageConsumer(ImageConsumerContext context, QObject *parent = nullptr);
    ~ImageConsumer() override;

    void deliver(const Delivery &delivery, CompletionFn done) override;

    // Summed time per phase since start, for benchmarks and views.
    struct Totals {
        qint64 images = 0;
        qint64 failures = 0;
        qint64 fetchNs = 0;
        qint64 decodeNs = 0;
        qint64 storeNs = 0;
    };
    const Totals &totals() const { return m_totals; }
    QThreadPool *pool() { return &m_pool; }

    // What the application hands the runtime (RuntimeOptions::imageConsumerFactory).
    static ImageConsumerFactory factory();

    // How host names become addresses (DNS unless set): a test maps its own names, so
    // that it can show what is refused without a packet leaving the machine.
    void setHostLookup(HostLookup lookup);

private:
    struct Batch;
    struct Fetched {
        QByteArray data;
        QString declaredType;
        QString finalUrl;
        qint64 fetchNs = 0;
        QString localPath; // read on the pool instead of `data`
    };

    void start(const std::shared_ptr<Batch> &batch, int index);
    void fetchHttp(const std::shared_ptr<Batch> &batch, int index, const QUrl &url);
    void decodeOnPool(const std::shared_ptr<Batch> &batch, int index, Fetched fetched);
    void succeed(
        const std::shared_ptr<Batch> &batch, int index, const Fetched &fetched, const DecodedImage &image);
    void fail(const std::shared_ptr<Batch> &batch, int index, const QString &error);
    void finishOne(const std::shared_ptr<Batch> &batch);

    ImageConsumerContext m_context;
    QNetworkAccessManager *m_network;
    HostLookup m_lookup;
    AddressPolicy m_policy;
    QThreadPool m_pool;
    Totals m_totals;
    bool m_closing = false;
};

} // namespace qd
