#pragma once

// A real runtime on its own thread, wired as the application wires it (the image
// consumer included), in a temporary data directory on an ephemeral port.

#include "imageconsumer.h"
#include "isolatedsettings.h"
#include "runtime.h"

#include <QBuffer>
#include <QImage>
#include <QImageWriter>
#include <QJsonDocument>
#include <QJsonObject>
#include <QPainter>
#include <QTemporaryDir>
#include <QTest>

#include <memory>

namespace qdtest {

class TestRuntime {
public:
    explicit TestRuntime(qint64 maxImageBytes = qd::BlobStore::kDefaultMaxBytes)
    {
        qd::RuntimeOptions options;
        options.dataDir = m_dir.path();
        options.port = 0;
        options.sampleIntervalMs = 200;
        options.images.maxImageBytes = maxImageBytes;
        options.imageConsumerFactory = qd::ImageConsumer::factory();
        m_runtime = std::make_unique<qd::Runtime>(options);
        QString error;
        if (!m_runtime->start(&error))
            qFatal("runtime: %s", qPrintable(error));
        // The default queue waits up to seconds to fill a batch; tests cut batches at once.
        onRuntime([](qd::Broker &broker) {
            qd::QueueSettings s = broker.queue(QStringLiteral("images"))->settings;
            s.maxBatchTimeoutMs = 0;
            s.retryDelaySeconds = 0;
            broker.updateQueue(QStringLiteral("images"), s);
        });
    }

    qd::Runtime *get() const { return m_runtime.get(); }
    QString dir() const { return m_dir.path(); }

    // Runs `work` on the runtime thread and waits for it: test set-up and checks only.
    template <typename F> void onRuntime(F work) const
    {
        qd::Broker *broker = m_runtime->broker();
        QMetaObject::invokeMethod(
            broker, [&] { work(*broker); }, Qt::BlockingQueuedConnection);
    }

    std::optional<qd::Message> message(const QString &id) const
    {
        std::optional<qd::Message> m;
        onRuntime([&](qd::Broker &b) { m = b.store()->messageById(id); });
        return m;
    }

    qint64 messageCount(const QString &queue) const
    {
        qint64 n = -1;
        onRuntime([&](qd::Broker &b) {
            qd::MessageFilter filter;
            filter.queueId = b.queue(queue)->id;
            n = b.store()->countMessages(filter, b.clock()->nowMs());
        });
        return n;
    }

    std::vector<qd::Message> messages(const QString &queue) const
    {
        std::vector<qd::Message> out;
        onRuntime([&](qd::Broker &b) {
            qd::MessageFilter filter;
            filter.queueId = b.queue(queue)->id;
            out = b.store()->listMessages(filter, b.clock()->nowMs(), 0, 100000);
        });
        return out;
    }

private:
    QTemporaryDir m_dir;
    std::unique_ptr<qd::Runtime> m_runtime;
};

inline QImage picture(int width, int height, int seed)
{
    QImage image(width, height, QImage::Format_RGB32);
    QPainter p(&image);
    p.fillRect(image.rect(), QColor::fromHsv((seed * 47) % 360, 160, 220));
    p.setBrush(QColor::fromHsv((seed * 47 + 180) % 360, 200, 120));
    p.drawEllipse(image.rect().adjusted(width / 4, height / 4, -width / 4, -height / 4));
    return image;
}

inline QString writeImage(const QString &path, const QImage &image, const char *format)
{
    if (!image.save(path, format))
        qFatal("cannot write %s", qPrintable(path));
    return path;
}

inline QString writeFile(const QString &path, const QByteArray &bytes)
{
    QFile f(path);
    if (!f.open(QIODevice::WriteOnly) || f.write(bytes) != bytes.size())
        qFatal("cannot write %s", qPrintable(path));
    return path;
}

} // namespace qdtest
