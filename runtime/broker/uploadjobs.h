#pragma once

#include "error.h"
#include "imagesniff.h"

#include <QByteArray>
#include <QString>

#include <functional>
#include <optional>
#include <vector>

namespace qd {

class BlobStore;
class Broker;

// One file handed in for upload, by POST /uploads or by the window.
struct UploadFile {
    QString filename; // as the user named it; may be empty
    QByteArray data;
    QString mime; // as claimed by the sender; replaced by the sniffed type once checked
};

enum class UploadProblem { None, Empty, TooLarge, NotAnImage };

struct UploadCheck {
    UploadProblem problem = UploadProblem::None;
    QString message; // says which file and why, in words a person can act on
    SniffedImage sniffed;

    bool ok() const { return problem == UploadProblem::None; }
};

// What a stored and queued file became.
struct QueuedUpload {
    QString filename;
    QString mime;
    QString sha256;
    QString imageUrl;
    bool deduplicated = false; // the same bytes were stored before
    QString id; // the job's message id; filled once the jobs are committed
};

// The rules every uploaded file passes before anything is stored: not empty, under the
// blob limit, and bytes of a known image format. `label` names the file in the message.
UploadCheck checkUpload(const UploadFile &file, const QString &label, qint64 maxBytes);

using UploadsQueuedFn = std::function<void(const Error &commitError, const std::vector<QueuedUpload> &jobs)>;

// Stores each (checked) file in the blob store and queues one image job per file on
// `queue`, all in one send; `queued` runs once the jobs are durable, with their ids.
// POST /uploads and the window's drop zone both go through here, so a file queued either
// way is the same job. Runs on the broker's thread. A returned error means nothing was
// queued (blobs already stored stay: they are content-addressed and harmless).
Error storeAndQueueUploads(Broker &broker, BlobStore &blobs, const QString &blobBase, const QString &queue,
    const QString &userId, std::vector<UploadFile> files, std::optional<int> delaySeconds,
    UploadsQueuedFn queued);

} // namespace qd
