#pragma once

#include "httpserver.h"

#include <QObject>

namespace qd {

class BlobStore;
class Broker;
class HttpApi;

// POST /uploads (raw image bytes, or multipart/form-data with files and an optional
// userId), GET /blobs/{sha256}, and the image results under /api/results. Uploads are
// stored in the blob store and queued as one image job per file on the default queue;
// the 202 goes out once the jobs are committed.
class UploadsApi final : public QObject {
    Q_OBJECT
public:
    // `api` is the parent, and tells the base URL the blob URLs are made from.
    UploadsApi(Broker *broker, BlobStore *blobs, QString defaultQueue, HttpApi *api);

    static bool handles(const QByteArray &path);
    // Uploads may be as large as a blob (plus the multipart framing), other requests small.
    qint64 bodyLimit(const HttpRequest &request) const;
    void handle(const HttpRequest &request, const HttpResponder &responder);

    static constexpr qint64 kMultipartOverhead = qint64(64) * 1024;
    static constexpr int kMaxFilesPerUpload = 100;

private:
    void upload(const HttpRequest &request, const HttpResponder &responder);
    void serveBlob(const HttpRequest &request, const HttpResponder &responder);
    QString baseUrl() const;

    Broker *m_broker;
    BlobStore *m_blobs;
    QString m_defaultQueue;
    HttpApi *m_api;
};

HttpResponse methodNotAllowed(const QByteArray &allow);

} // namespace qd
