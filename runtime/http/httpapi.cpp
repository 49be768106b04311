#include "httpapi.h"

#include "broker.h"
#include "producervalidation.h"
#include "prometheus.h"
#include "queuesnapshot.h"
#include "uploadsapi.h"

#include <QJsonDocument>
#include <QJsonObject>

namespace qd {

QStringList splitPath(const QByteArray &path)
{
    QStringList out;
    for (const QByteArray &part : path.split('/')) {
        if (!part.isEmpty())
            out.append(QString::fromUtf8(QByteArray::fromPercentEncoding(part)));
    }
    return out;
}

QByteArray jsonError(const QString &message)
{
    return QJsonDocument(QJsonObject { { QStringLiteral("error"), message } }).toJson(QJsonDocument::Compact);
}

HttpApi::HttpApi(Broker *broker, QString defaultQueue, const QString &token, QObject *parent)
    : QObject(parent)
    , m_broker(broker)
    , m_reader(broker)
    , m_cloudflare(broker, &m_reader)
    , m_own(broker, &m_reader)
    , m_latencies(broker)
    , m_server(this)
    , m_defaultQueue(std::move(defaultQueue))
    , m_access(token)
{
    m_server.setHandler([this](const HttpRequest &r, const HttpResponder &w) { handle(r, w); });
    m_server.setBodyLimit([this](const HttpRequest &r) { return bodyLimit(r); });
    m_server.setHeadCheck([this](const HttpRequest &r) { return checkHead(r); });
}

bool HttpApi::listen(const QHostAddress &address, quint16 port, QString *error)
{
    if (!m_server.listen(address, port, error))
        return false;
    const QString host = address.protocol() == QAbstractSocket::IPv6Protocol
        ? QLatin1Char('[') + address.toString() + QLatin1Char(']')
        : address.toString();
    m_baseUrl = QStringLiteral("http://%1:%2").arg(host).arg(m_server.port());
    return true;
}

qint64 HttpApi::bodyLimit(const HttpRequest &request) const
{
    if (m_uploads && UploadsApi::handles(request.path))
        return m_uploads->bodyLimit(request);
    if (request.path == "/")
        return kMaxMessageBytes;
    if (request.path.startsWith("/client/v4/"))
        return 4 * kMaxBatchBytes; // JSON and base64 overhead; message limits are checked after parsing
    return qint64(1024) * 1024;
}

bool HttpApi::isServed(const QByteArray &path) const
{
    if (path == "/" || path == "/metrics" || path == "/healthz" || (m_uploads && UploadsApi::handles(path)))
        return true;
    const QStringList segments = splitPath(path);
    return segments.value(0) == QLatin1String("api")
        || (segments.size() >= 4 && segments[0] == QLatin1String("client")
            && segments[1] == QLatin1String("v4") && segments[2] == QLatin1String("accounts"));
}

std::optional<HttpResponse> HttpApi::checkHead(const HttpRequest &head) const
{
    if (std::optional<HttpResponse> refusal = m_access.check(head))
        return refusal;
    if (!isServed(head.path))
        return HttpResponse::json(
            404, jsonError(QStringLiteral("no such endpoint: %1").arg(QString::fromUtf8(head.path))));
    return std::nullopt;
}

void HttpApi::handle(const HttpRequest &request, const HttpResponder &responder)
{
    // The server has checked the head already; callers that hand requests in directly
    // (the fuzzer) get the same checks.
    if (const std::optional<HttpResponse> refusal = m_access.check(request)) {
        responder.respond(*refusal);
        return;
    }
    if (m_uploads && UploadsApi::handles(request.path)) {
        m_uploads->handle(request, responder);
        return;
    }
    if (request.path == "/") {
        if (request.method != "POST") {
            HttpResponse r = HttpResponse::json(405, jsonError(QStringLiteral("use POST to queue a job")));
            r.headers.append({ QByteArrayLiteral("Allow"), QByteArrayLiteral("POST") });
            responder.respond(r);
            return;
        }
        produce(request, responder);
        return;
    }
    const QStringList segments = splitPath(request.path);
    if (segments.size() >= 4 && segments[0] == QLatin1String("client") && segments[1] == QLatin1String("v4")
        && segments[2] == QLatin1String("accounts")) {
        m_cloudflare.handle(request, responder, segments.mid(4));
        return;
    }
    if (segments.value(0) == QLatin1String("api")) {
        if (const auto it = m_extensions.constFind(segments.value(1)); it != m_extensions.constEnd()) {
            (*it)(request, responder, segments.mid(2));
            return;
        }
        m_own.handle(request, responder, segments.mid(1));
        return;
    }
    if (request.path == "/metrics" && request.method == "GET") {
        HttpResponse r;
        r.headers.append(
            { QByteArrayLiteral("Content-Type"), QByteArrayLiteral("text/plain; version=0.0.4") });
        r.body = prometheusText(takeSnapshot(*m_broker), m_latencies.byQueue());
        responder.respond(r);
        return;
    }
    if (request.path == "/healthz") {
        responder.respond(HttpResponse::json(200, "{\"status\":\"ok\"}"));
        return;
    }
    responder.respond(HttpResponse::json(
        404, jsonError(QStringLiteral("no such endpoint: %1").arg(QString::fromUtf8(request.path)))));
}

void HttpApi::produce(const HttpRequest &request, const HttpResponder &responder)
{
    const JobValidation v = validateImageJob(request.body, m_baseUrl + QStringLiteral("/blobs/"));
    if (!v.error.isEmpty()) {
        responder.respond(HttpResponse::json(400, jsonError(v.error)));
        return;
    }
    const QByteArray body = QJsonDocument(QJsonObject { { QStringLiteral("imageUrl"), v.job.imageUrl },
                                              { QStringLiteral("userId"), v.job.userId } })
                                .toJson(QJsonDocument::Compact);
    // The id is known when send() returns; the answer waits for the commit.
    auto ids = std::make_shared<QStringList>();
    std::vector<SendItem> items { SendItem { body, ContentType::Json, std::nullopt } };
    const Error error = m_broker->send(
        m_defaultQueue, std::move(items), std::nullopt,
        [responder, ids](const Error &commitError) {
            if (commitError.isError()) {
                responder.respond(
                    HttpResponse::json(httpStatusOf(commitError), jsonError(commitError.message)));
                return;
            }
            const QJsonObject answer { { QStringLiteral("status"), QStringLiteral("Accepted") },
                { QStringLiteral("message"), QStringLiteral("Task queued successfully!") },
                { QStringLiteral("id"), ids->value(0) } };
            responder.respond(HttpResponse::json(202, QJsonDocument(answer).toJson(QJsonDocument::Compact)));
        },
        ids.get());
    if (error.isError())
        responder.respond(HttpResponse::json(httpStatusOf(error), jsonError(error.message)));
}

} // namespace qd
