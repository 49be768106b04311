// The Cloudflare-compatible API: pushing, pulling and acknowledging messages.
#include "cloudflareapi_p.h"

#include "apireader.h"
#include "broker.h"
#include "sendlimits.h"

#include <QJsonArray>
#include <QJsonDocument>

#include <memory>

namespace qd {

namespace {

// Any JSON value as compact JSON text; QJsonDocument only writes objects and arrays.
QByteArray jsonText(const QJsonValue &value)
{
    const QByteArray wrapped = QJsonDocument(QJsonArray { value }).toJson(QJsonDocument::Compact);
    return wrapped.mid(1, wrapped.size() - 2);
}

// Reads one message of a push or a batch; `where` prefixes the field names in errors
// ("messages[2].") so the caller knows which message was wrong.
bool readMessage(const QJsonObject &json, const QString &where, SendItem *item, CloudflareError *error)
{
    const QJsonValue type = json.value(QLatin1String("content_type"));
    if (!type.isUndefined() && !type.isNull()) {
        if (!type.isString() || !contentTypeFromName(type.toString(), &item->contentType)) {
            *error = CloudflareError { 400, CloudflareApi::MessageMetadataInvalid,
                QStringLiteral("%1content_type must be one of json, text, bytes, v8 (got %2)")
                    .arg(where, QString::fromUtf8(jsonText(type))) };
            return false;
        }
    }
    if (!cloudflareDelay(json, QStringLiteral("delay_seconds"), where + QLatin1String("delay_seconds"),
            &item->delaySeconds, error, CloudflareApi::MessageMetadataInvalid))
        return false;

    const QJsonValue body = json.value(QLatin1String("body"));
    const QString typeName = contentTypeName(item->contentType);
    switch (item->contentType) {
    case ContentType::Json:
        if (body.isUndefined()) {
            *error = invalid(QStringLiteral("%1body is required").arg(where));
            return false;
        }
        item->body = jsonText(body);
        break;
    case ContentType::Text:
        if (!body.isString()) {
            *error = invalid(QStringLiteral("%1body must be a string for content_type text").arg(where));
            return false;
        }
        item->body = body.toString().toUtf8();
        break;
    case ContentType::Bytes:
    case ContentType::V8: {
        // Raw bytes travel in JSON as base64, as Cloudflare's API carries them.
        const auto decoded = body.isString()
            ? QByteArray::fromBase64Encoding(
                body.toString().toLatin1(), QByteArray::AbortOnBase64DecodingErrors)
            : QByteArray::FromBase64Result { {}, QByteArray::Base64DecodingStatus::IllegalInputLength };
        if (!decoded) {
            *error = invalid(
                QStringLiteral("%1body must be a base64 string for content_type %2").arg(where, typeName));
            return false;
        }
        item->body = decoded.decoded;
        break;
    }
    }
    return true; // its size is checked with the batch's, by checkSend()
}

// Reads `acks` or `retries`: an array of objects with a lease_id.
bool readLeases(const QJsonObject &json, const QString &key, QStringList *leases,
    std::vector<LeaseRetry> *retries, CloudflareError *error)
{
    const QJsonValue value = json.value(key);
    if (value.isUndefined() || value.isNull())
        return true;
    if (!value.isArray()) {
        *error = invalid(QStringLiteral("%1 must be an array of {\"lease_id\": ...} objects").arg(key));
        return false;
    }
    const QJsonArray array = value.toArray();
    for (qsizetype i = 0; i < array.size(); ++i) {
        const QString where = QStringLiteral("%1[%2]").arg(key).arg(i);
        const QJsonObject entry = array.at(i).toObject();
        const QJsonValue lease = entry.value(QLatin1String("lease_id"));
        if (!array.at(i).isObject() || !lease.isString() || lease.toString().isEmpty()) {
            *error = invalid(QStringLiteral("%1.lease_id must be a non-empty string").arg(where));
            return false;
        }
        leases->append(lease.toString());
        if (retries) {
            std::optional<int> delay;
            if (!cloudflareDelay(entry, QStringLiteral("delay_seconds"),
                    where + QLatin1String(".delay_seconds"), &delay, error))
                return false;
            retries->push_back(LeaseRetry { lease.toString(), delay });
        }
    }
    return true;
}

// A message as pull and peek show it; `handle` is the lease_id of a pull or the ref of a peek.
QJsonObject messageJson(const Message &m, const QString &handleKey, const QString &handle)
{
    // As Cloudflare sends them: text as it is, json and bytes base64 so any body fits in JSON.
    const QString body = m.contentType == ContentType::Text ? QString::fromUtf8(m.body)
                                                            : QString::fromLatin1(m.body.toBase64());
    return QJsonObject {
        { QStringLiteral("id"), m.id },
        { QStringLiteral("body"), body },
        { QStringLiteral("timestamp_ms"), m.timestampMs },
        { QStringLiteral("attempts"), m.attempts },
        { handleKey, handle },
        { QStringLiteral("metadata"),
            QJsonObject { { QStringLiteral("CF-Content-Type"), contentTypeName(m.contentType) } } },
    };
}

} // namespace

QJsonObject CloudflareApi::backlogMetrics(const QueueRecord &queue) const
{
    const QueueCounts c = m_broker->backlog(queue.name);
    return QJsonObject { { QStringLiteral("backlog_count"), c.ready + c.delayed },
        { QStringLiteral("backlog_bytes"), c.backlogBytes },
        { QStringLiteral("oldest_message_timestamp_ms"), c.oldestTimestampMs } };
}

void CloudflareApi::push(const HttpRequest &request, const HttpResponder &responder, const QueueRecord &queue)
{
    const auto body = bodyOrAnswer(request, responder);
    if (!body)
        return;
    CloudflareError error;
    SendItem item;
    if (!readMessage(*body, {}, &item, &error)) {
        responder.respond(failure(error));
        return;
    }
    std::vector<SendItem> items;
    items.push_back(std::move(item));
    if (answeredError(
            responder, checkSend(items, std::nullopt, [](std::size_t) { return QStringLiteral("body"); })))
        return;
    send(responder, queue, std::move(items), std::nullopt);
}

void CloudflareApi::pushBatch(
    const HttpRequest &request, const HttpResponder &responder, const QueueRecord &queue)
{
    const auto body = bodyOrAnswer(request, responder);
    if (!body)
        return;
    const QJsonValue messages = body->value(QLatin1String("messages"));
    if (!messages.isArray() || messages.toArray().isEmpty()) {
        responder.respond(failure(invalid(QStringLiteral("messages must be a non-empty array of messages"))));
        return;
    }
    const QJsonArray array = messages.toArray();
    CloudflareError error;
    std::optional<int> delay;
    if (!cloudflareDelay(*body, QStringLiteral("delay_seconds"), QStringLiteral("delay_seconds"), &delay,
            &error, BatchDelayInvalid)) {
        responder.respond(failure(error));
        return;
    }
    std::vector<SendItem> items(std::size_t(array.size()));
    for (qsizetype i = 0; i < array.size(); ++i) {
        const QString where = QStringLiteral("messages[%1].").arg(i);
        if (!array.at(i).isObject()) {
            responder.respond(failure(invalid(QStringLiteral("%1 must be an object").arg(where.chopped(1)))));
            return;
        }
        if (!readMessage(array.at(i).toObject(), where, &items[std::size_t(i)], &error)) {
            responder.respond(failure(error));
            return;
        }
    }
    const auto name = [](std::size_t i) { return QStringLiteral("messages[%1].body").arg(i); };
    if (answeredError(responder, checkSend(items, delay, name)))
        return;
    send(responder, queue, std::move(items), delay);
}

void CloudflareApi::send(const HttpResponder &responder, const QueueRecord &queue,
    std::vector<SendItem> items, std::optional<int> batchDelaySeconds)
{
    // The metrics are read once the messages are in the store, and sent once they are on disk.
    auto metrics = std::make_shared<QJsonObject>();
    const Error error = m_broker->send(
        queue.name, std::move(items), batchDelaySeconds, [responder, metrics](const Error &commitError) {
            if (answeredError(responder, commitError))
                return;
            const QJsonObject metadata { { QStringLiteral("metrics"), *metrics } };
            responder.respond(success(QJsonObject { { QStringLiteral("metadata"), metadata } }));
        });
    if (answeredError(responder, error))
        return;
    *metrics = backlogMetrics(queue);
}

void CloudflareApi::pull(const HttpRequest &request, const HttpResponder &responder, const QueueRecord &queue)
{
    const auto body = bodyOrAnswer(request, responder);
    if (!body)
        return;
    CloudflareError error;
    std::optional<qint64> batchSize;
    std::optional<qint64> visibility;
    // Older Cloudflare docs call the lease length `visibility_timeout`; both are accepted.
    const QString visibilityKey = body->contains(QLatin1String("visibility_timeout_ms"))
        ? QStringLiteral("visibility_timeout_ms")
        : QStringLiteral("visibility_timeout");
    if (!cloudflareInt(*body, QStringLiteral("batch_size"), QStringLiteral("batch_size"), 1,
            kMaxBatchMessages, &batchSize, &error)
        || !cloudflareInt(*body, visibilityKey, visibilityKey, 1, 43'200'000, &visibility, &error)) {
        responder.respond(failure(error));
        return;
    }
    PullResult pulled;
    // Cloudflare's pull default is 5 messages, whatever the consumer's batch size.
    if (answeredError(responder,
            m_broker->pull(queue.name, int(batchSize.value_or(5)),
                visibility ? std::optional<int>(int(*visibility)) : std::nullopt, &pulled)))
        return;
    QJsonArray messages;
    for (const Message &m : pulled.messages)
        messages.append(messageJson(m, QStringLiteral("lease_id"), m.leaseId));
    const QJsonObject result {
        { QStringLiteral("message_backlog_count"), pulled.backlogCount },
        { QStringLiteral("messages"), messages },
        { QStringLiteral("metadata"), QJsonObject { { QStringLiteral("metrics"), backlogMetrics(queue) } } },
    };
    // Leases are handed out only once they are on disk, so a restart cannot forget them.
    answerWhenDurable(responder, result);
}

void CloudflareApi::ack(const HttpRequest &request, const HttpResponder &responder, const QueueRecord &queue)
{
    const auto body = bodyOrAnswer(request, responder);
    if (!body)
        return;
    CloudflareError error;
    QStringList acks;
    QStringList retried;
    std::vector<LeaseRetry> retries;
    if (!readLeases(*body, QStringLiteral("acks"), &acks, nullptr, &error)
        || !readLeases(*body, QStringLiteral("retries"), &retried, &retries, &error)) {
        responder.respond(failure(error));
        return;
    }
    AckResult result;
    if (answeredError(responder, m_broker->acknowledge(queue.name, acks, retries, &result)))
        return;
    // Cloudflare keys warnings by lease id; the broker words them, naming the lease.
    QJsonObject warnings;
    const QStringList leases = acks + retried;
    for (const QString &warning : std::as_const(result.warnings)) {
        QString key = warning;
        for (const QString &lease : leases) {
            if (warning.contains(lease)) {
                key = lease;
                break;
            }
        }
        warnings.insert(key, warning);
    }
    answerWhenDurable(responder,
        QJsonObject { { QStringLiteral("ackCount"), result.ackCount },
            { QStringLiteral("retryCount"), result.retryCount }, { QStringLiteral("warnings"), warnings } });
}

void CloudflareApi::peek(const HttpRequest &request, const HttpResponder &responder, const QueueRecord &queue)
{
    const auto body = bodyOrAnswer(request, responder);
    if (!body)
        return;
    CloudflareError error;
    std::optional<qint64> batchSize;
    if (!cloudflareInt(*body, QStringLiteral("batch_size"), QStringLiteral("batch_size"), 1,
            kMaxBatchMessages, &batchSize, &error)) {
        responder.respond(failure(error));
        return;
    }
    // Ready messages, left where they are; a message's ref is its id.
    MessageFilter filter;
    filter.queueId = queue.id;
    filter.state = StateFilter::Ready;
    const int limit = int(batchSize.value_or(5));
    m_reader->answer(responder, [filter, limit](QueueStore &store, const ReadContext &context) {
        QJsonArray messages;
        for (const Message &m : store.listMessages(filter, context.nowMs, 0, limit))
            messages.append(messageJson(m, QStringLiteral("ref"), m.id));
        return success(QJsonObject { { QStringLiteral("messages"), messages } });
    });
}

void CloudflareApi::purgeMessages(
    const HttpRequest &request, const HttpResponder &responder, const QueueRecord &queue)
{
    const auto body = bodyOrAnswer(request, responder);
    if (!body)
        return;
    const QJsonValue refs = body->value(QLatin1String("refs"));
    if (!refs.isArray()) {
        responder.respond(
            failure(invalid(QStringLiteral("refs must be an array of {\"ref\": ...} objects"))));
        return;
    }
    QStringList ids;
    QJsonObject warnings;
    const QJsonArray array = refs.toArray();
    for (qsizetype i = 0; i < array.size(); ++i) {
        const QJsonValue ref = array.at(i).toObject().value(QLatin1String("ref"));
        if (!ref.isString() || ref.toString().isEmpty()) {
            responder.respond(
                failure(invalid(QStringLiteral("refs[%1].ref must be a non-empty string").arg(i))));
            return;
        }
        // Only what a peek can show: a message of this queue that waits for delivery.
        const auto m = m_broker->store()->messageById(ref.toString());
        if (!m || m->queueId != queue.id || m->state != MessageState::Pending)
            warnings.insert(ref.toString(),
                QStringLiteral("no message waiting in queue \"%1\" has this ref").arg(queue.name));
        else if (!ids.contains(m->id))
            ids.append(m->id);
    }
    if (!ids.isEmpty() && answeredError(responder, m_broker->deleteMessages(ids)))
        return;
    answerWhenDurable(responder,
        QJsonObject {
            { QStringLiteral("errors"), QJsonArray {} }, { QStringLiteral("warnings"), warnings } });
}

} // namespace qd
