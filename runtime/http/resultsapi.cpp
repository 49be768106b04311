#include "resultsapi.h"

#include "apireader.h"
#include "httpapi.h"
#include "uploadsapi.h"

#include <QJsonArray>
#include <QJsonDocument>

namespace qd {

namespace {

constexpr int kDefaultLimit = 50;
constexpr int kMaxLimit = 500;

HttpResponse errorAnswer(int status, const QString &message)
{
    return HttpResponse::json(status, jsonError(message));
}

// A non-negative integer query parameter; `fallback` when absent, nullopt when malformed.
std::optional<int> intParameter(const QUrlQuery &query, const QString &name, int fallback)
{
    if (!query.hasQueryItem(name))
        return fallback;
    bool ok = false;
    const int v = query.queryItemValue(name).toInt(&ok);
    return ok && v >= 0 ? std::optional<int>(v) : std::nullopt;
}

QString queueName(const ReadContext &context, qint64 queueId)
{
    const auto q = context.queueById(queueId);
    return q ? q->name : QString();
}

} // namespace

QJsonObject resultToJson(
    const ImageResult &r, const QString &queueName, const QString &baseUrl, bool withThumbnail)
{
    const QString thumbnailUrl = baseUrl + QStringLiteral("/api/results/")
        + QString::fromLatin1(QUrl::toPercentEncoding(r.messageId)) + QStringLiteral("/thumbnail.png");
    QJsonObject o { { QStringLiteral("message_id"), r.messageId }, { QStringLiteral("queue"), queueName },
        { QStringLiteral("user_id"), r.userId }, { QStringLiteral("url"), r.url },
        { QStringLiteral("final_url"), r.finalUrl }, { QStringLiteral("mime"), r.mime },
        { QStringLiteral("format"), r.format }, { QStringLiteral("width"), r.width },
        { QStringLiteral("height"), r.height }, { QStringLiteral("bytes"), r.bytes },
        { QStringLiteral("sha256"), r.sha256 }, { QStringLiteral("orientation"), r.orientation },
        { QStringLiteral("fetch_ms"), r.fetchMs }, { QStringLiteral("decode_ms"), r.decodeMs },
        { QStringLiteral("created_ms"), r.createdMs }, { QStringLiteral("thumbnail_url"), thumbnailUrl } };
    if (withThumbnail)
        o.insert(QStringLiteral("thumbnail_png_base64"), QString::fromLatin1(r.thumbnail.toBase64()));
    return o;
}

void serveResults(ApiReader *reader, const QString &baseUrl, const HttpRequest &request,
    const HttpResponder &responder, const QStringList &segments)
{
    if (request.method != "GET") {
        responder.respond(methodNotAllowed("GET"));
        return;
    }
    if (segments.isEmpty()) {
        ResultFilter filter;
        filter.userId = request.query.queryItemValue(QStringLiteral("user"), QUrl::FullyDecoded);
        filter.text = request.query.queryItemValue(QStringLiteral("q"), QUrl::FullyDecoded);
        const auto offset = intParameter(request.query, QStringLiteral("offset"), 0);
        const auto limit = intParameter(request.query, QStringLiteral("limit"), kDefaultLimit);
        if (!offset) {
            responder.respond(errorAnswer(400, QStringLiteral("offset must be a whole number of 0 or more")));
            return;
        }
        if (!limit || *limit < 1 || *limit > kMaxLimit) {
            responder.respond(
                errorAnswer(400, QStringLiteral("limit must be between 1 and %1").arg(kMaxLimit)));
            return;
        }
        reader->answer(responder,
            [filter, baseUrl, offset = *offset, limit = *limit](
                QueueStore &store, const ReadContext &context) {
                QJsonArray results;
                for (const ImageResult &r : store.listResults(filter, offset, limit))
                    results.append(resultToJson(r, queueName(context, r.queueId), baseUrl, false));
                const QJsonObject answer { { QStringLiteral("results"), results },
                    { QStringLiteral("total"), store.countResults(filter) },
                    { QStringLiteral("offset"), offset }, { QStringLiteral("limit"), limit } };
                return HttpResponse::json(200, QJsonDocument(answer).toJson(QJsonDocument::Compact));
            });
        return;
    }
    const bool thumbnail = segments.size() == 2 && segments[1] == QLatin1String("thumbnail.png");
    if (segments.size() > 2 || (segments.size() == 2 && !thumbnail)) {
        responder.respond(
            errorAnswer(404, QStringLiteral("no such endpoint: %1").arg(QString::fromUtf8(request.path))));
        return;
    }
    reader->answer(
        responder, [id = segments[0], baseUrl, thumbnail](QueueStore &store, const ReadContext &context) {
            const std::optional<ImageResult> r = store.resultForMessage(id);
            if (!r)
                return errorAnswer(404, QStringLiteral("no result for message %1").arg(id));
            if (thumbnail) {
                HttpResponse png;
                png.headers.append({ QByteArrayLiteral("Content-Type"), QByteArrayLiteral("image/png") });
                png.body = r->thumbnail;
                return png;
            }
            const QJsonObject o = resultToJson(*r, queueName(context, r->queueId), baseUrl, true);
            return HttpResponse::json(200, QJsonDocument(o).toJson(QJsonDocument::Compact));
        });
}

} // namespace qd
