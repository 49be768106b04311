#include "uploadsapi.h"

#include "blobstore.h"
#include "broker.h"
#include "httpapi.h"
#include "imagesniff.h"
#include "multipart.h"
#include "resultsapi.h"
#include "uploadjobs.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

namespace qd {

namespace {

struct Upload {
    QString filename;
    QByteArray data;
    QString mime;
};

HttpResponse jsonAnswer(int status, const QJsonObject &o)
{
    return HttpResponse::json(status, QJsonDocument(o).toJson(QJsonDocument::Compact));
}

HttpResponse errorAnswer(int status, const QString &message)
{
    return HttpResponse::json(status, jsonError(message));
}

QString describe(const Upload &u, int index)
{
    return u.filename.isEmpty() ? QStringLiteral("file %1").arg(index + 1)
                                : QStringLiteral("\"%1\"").arg(u.filename);
}

} // namespace

HttpResponse methodNotAllowed(const QByteArray &allow)
{
    HttpResponse r
        = HttpResponse::json(405, jsonError(QStringLiteral("use %1 here").arg(QString::fromLatin1(allow))));
    r.headers.append({ QByteArrayLiteral("Allow"), allow });
    return r;
}

UploadsApi::UploadsApi(Broker *broker, BlobStore *blobs, QString defaultQueue, HttpApi *api)
    : QObject(api)
    , m_broker(broker)
    , m_blobs(blobs)
    , m_defaultQueue(std::move(defaultQueue))
    , m_api(api)
{
    // The server's cap on any body must leave room for the largest upload; bodyLimit()
    // keeps every other endpoint small.
    HttpLimits limits = api->server().limits();
    limits.maxBodyBytes = std::max(limits.maxBodyBytes, blobs->maxBytes() + kMultipartOverhead);
    api->server().setLimits(limits);
}

QString UploadsApi::baseUrl() const
{
    return m_api->baseUrl();
}

bool UploadsApi::handles(const QByteArray &path)
{
    return path == "/uploads" || path == "/blobs" || path.startsWith("/blobs/") || path == "/api/results"
        || path.startsWith("/api/results/");
}

qint64 UploadsApi::bodyLimit(const HttpRequest &request) const
{
    if (request.path != "/uploads")
        return qint64(64) * 1024;
    if (mediaType(request.header("content-type")) == QLatin1String("multipart/form-data"))
        return m_blobs->maxBytes() + kMultipartOverhead;
    return m_blobs->maxBytes();
}

void UploadsApi::handle(const HttpRequest &request, const HttpResponder &responder)
{
    if (request.path == "/uploads") {
        if (request.method != "POST")
            responder.respond(methodNotAllowed("POST"));
        else
            upload(request, responder);
        return;
    }
    if (request.path.startsWith("/blobs")) {
        serveBlob(request, responder);
        return;
    }
    const QStringList segments = splitPath(request.path);
    serveResults(&m_api->reader(), baseUrl(), request, responder, segments.mid(2));
}

void UploadsApi::upload(const HttpRequest &request, const HttpResponder &responder)
{
    const QString type = mediaType(request.header("content-type"));
    QString userId = request.query.queryItemValue(QStringLiteral("userId"), QUrl::FullyDecoded);
    std::vector<Upload> uploads;
    if (type == QLatin1String("multipart/form-data")) {
        const MultipartForm form
            = parseMultipart(request.body, multipartBoundary(request.header("content-type")));
        if (!form.error.isEmpty()) {
            responder.respond(errorAnswer(400, form.error));
            return;
        }
        for (const MultipartPart &part : form.parts) {
            if (part.isFile())
                uploads.push_back(Upload { part.filename, part.data, mediaType(part.contentType) });
            else if (part.name == "userId")
                userId = QString::fromUtf8(part.data);
        }
    } else if (type.startsWith(QLatin1String("image/"))
        || type == QLatin1String("application/octet-stream")) {
        uploads.push_back(Upload { {}, request.body, type });
    } else {
        responder.respond(errorAnswer(415,
            QStringLiteral("send the image bytes with Content-Type image/*, or "
                           "multipart/form-data with one or more files (got %1)")
                .arg(type.isEmpty() ? QStringLiteral("no Content-Type") : type)));
        return;
    }
    userId = userId.trimmed();
    if (userId.isEmpty())
        userId = QStringLiteral("anonymous");

    if (uploads.empty()) {
        responder.respond(errorAnswer(400, QStringLiteral("the upload holds no files")));
        return;
    }
    if (uploads.size() > std::size_t(kMaxFilesPerUpload)) {
        responder.respond(errorAnswer(413,
            QStringLiteral("an upload holds at most %1 files (got %2)")
                .arg(kMaxFilesPerUpload)
                .arg(uploads.size())));
        return;
    }
    // Every file is checked before anything is stored: a refused upload changes nothing.
    std::vector<UploadFile> files;
    for (std::size_t i = 0; i < uploads.size(); ++i) {
        UploadFile file { uploads[i].filename, std::move(uploads[i].data), uploads[i].mime };
        const UploadCheck check = checkUpload(file, describe(uploads[i], int(i)), m_blobs->maxBytes());
        if (!check.ok()) {
            const int status = check.problem == UploadProblem::TooLarge ? 413
                : check.problem == UploadProblem::NotAnImage            ? 415
                                                                        : 400;
            responder.respond(errorAnswer(status, check.message));
            return;
        }
        files.push_back(std::move(file));
    }

    const Error error = storeAndQueueUploads(*m_broker, *m_blobs, baseUrl() + QStringLiteral("/blobs/"),
        m_defaultQueue, userId, std::move(files), std::nullopt,
        [responder, userId](const Error &commitError, const std::vector<QueuedUpload> &queued) {
            if (commitError.isError()) {
                responder.respond(errorAnswer(503, commitError.message));
                return;
            }
            QJsonArray jobs;
            for (const QueuedUpload &u : queued) {
                jobs.append(QJsonObject { { QStringLiteral("imageUrl"), u.imageUrl },
                    { QStringLiteral("sha256"), u.sha256 }, { QStringLiteral("mime"), u.mime },
                    { QStringLiteral("filename"), u.filename },
                    { QStringLiteral("deduplicated"), u.deduplicated }, { QStringLiteral("id"), u.id } });
            }
            responder.respond(jsonAnswer(202,
                QJsonObject { { QStringLiteral("status"), QStringLiteral("Accepted") },
                    { QStringLiteral("message"), QStringLiteral("%1 task(s) queued").arg(jobs.size()) },
                    { QStringLiteral("userId"), userId }, { QStringLiteral("jobs"), jobs } }));
        });
    if (error.isError()) {
        responder.respond(errorAnswer(httpStatusOf(error), error.message));
    }
}

void UploadsApi::serveBlob(const HttpRequest &request, const HttpResponder &responder)
{
    const QStringList segments = splitPath(request.path);
    const QString name = segments.value(1).toLower();
    if (segments.size() != 2 || !BlobStore::isBlobName(name)) {
        responder.respond(errorAnswer(404, QStringLiteral("no such blob: blob names are 64 hex digits")));
        return;
    }
    if (request.method != "GET") {
        responder.respond(methodNotAllowed("GET"));
        return;
    }
    const std::optional<QByteArray> data = m_blobs->get(name);
    if (!data) {
        responder.respond(errorAnswer(404, QStringLiteral("no such blob: %1").arg(name)));
        return;
    }
    const SniffedImage sniffed = sniffImage(data->left(64));
    HttpResponse r;
    r.headers.append({ QByteArrayLiteral("Content-Type"),
        sniffed.isImage() ? sniffed.mime.toLatin1() : QByteArrayLiteral("application/octet-stream") });
    // A blob's name is its content's hash, so it never changes.
    r.headers.append(
        { QByteArrayLiteral("Cache-Control"), QByteArrayLiteral("public, max-age=31536000, immutable") });
    r.headers.append({ QByteArrayLiteral("ETag"), '"' + name.toLatin1() + '"' });
    // Uploaded bytes are served as what they are, never sniffed into HTML by a browser.
    r.headers.append({ QByteArrayLiteral("X-Content-Type-Options"), QByteArrayLiteral("nosniff") });
    r.body = *data;
    responder.respond(r);
}

} // namespace qd
