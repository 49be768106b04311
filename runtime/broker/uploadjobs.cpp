#include "uploadjobs.h"

#include "blobstore.h"
#include "broker.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QUrl>

#include <memory>

namespace qd {

UploadCheck checkUpload(const UploadFile &file, const QString &label, qint64 maxBytes)
{
    UploadCheck check;
    if (file.data.isEmpty()) {
        check.problem = UploadProblem::Empty;
        check.message = QStringLiteral("%1 is empty").arg(label);
        return check;
    }
    if (file.data.size() > maxBytes) {
        check.problem = UploadProblem::TooLarge;
        check.message = QStringLiteral("%1 is %2 bytes; the limit is %3 bytes")
                            .arg(label)
                            .arg(file.data.size())
                            .arg(maxBytes);
        return check;
    }
    check.sniffed = sniffImage(file.data.left(64));
    if (!check.sniffed.isImage()) {
        const QString claimed = file.mime.isEmpty() ? QStringLiteral("no type given")
                                                    : QStringLiteral("sent as %1").arg(file.mime);
        check.problem = UploadProblem::NotAnImage;
        check.message = QStringLiteral("%1 is not an image: its bytes are no known image format (%2)")
                            .arg(label, claimed);
    }
    return check;
}

Error storeAndQueueUploads(Broker &broker, BlobStore &blobs, const QString &blobBase, const QString &queue,
    const QString &userId, std::vector<UploadFile> files, std::optional<int> delaySeconds,
    UploadsQueuedFn queued)
{
    auto jobs = std::make_shared<std::vector<QueuedUpload>>();
    std::vector<SendItem> items;
    jobs->reserve(files.size());
    items.reserve(files.size());
    for (UploadFile &file : files) {
        QueuedUpload job;
        job.filename = file.filename;
        const SniffedImage sniffed = sniffImage(file.data.left(64));
        job.mime = sniffed.isImage() ? sniffed.mime : file.mime;
        bool created = false;
        if (Error e = blobs.put(file.data, &job.sha256, &created); e.isError())
            return e;
        job.deduplicated = !created;
        job.imageUrl = blobBase + job.sha256;
        // The blob is named by its contents; the name the person knows it by rides along in
        // the fragment, which no fetch sends, so results can show "cat.jpg", not a hash.
        if (!file.filename.isEmpty())
            job.imageUrl += QLatin1Char('#') + QString::fromLatin1(QUrl::toPercentEncoding(file.filename));
        const QJsonObject body { { QStringLiteral("imageUrl"), job.imageUrl },
            { QStringLiteral("userId"), userId } };
        items.push_back(
            SendItem { QJsonDocument(body).toJson(QJsonDocument::Compact), ContentType::Json, std::nullopt });
        jobs->push_back(std::move(job));
        file.data.clear(); // a large upload's bytes need not live until the commit
    }
    auto ids = std::make_shared<QStringList>();
    return broker.send(
        queue, std::move(items), delaySeconds,
        [jobs, ids, queued = std::move(queued)](const Error &commitError) {
            for (std::size_t i = 0; i < jobs->size(); ++i)
                (*jobs)[i].id = ids->value(qsizetype(i));
            queued(commitError, *jobs);
        },
        ids.get());
}

} // namespace qd
