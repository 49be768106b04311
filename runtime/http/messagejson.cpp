#include "messagejson.h"

#include "v8serialized.h"

#include <QJsonArray>
#include <QJsonDocument>

namespace qd {

QJsonObject messageJson(const Message &m, const ReadContext &context, bool withBody)
{
    const auto queue = context.queueById(m.queueId);
    QJsonObject o { { QStringLiteral("id"), m.id },
        { QStringLiteral("queue"), queue ? queue->name : QString() },
        { QStringLiteral("state"), messageStateName(m, context.nowMs) },
        { QStringLiteral("attempts"), m.attempts }, { QStringLiteral("timestamp_ms"), m.timestampMs },
        { QStringLiteral("visible_at_ms"), m.visibleAtMs }, { QStringLiteral("updated_ms"), m.updatedMs },
        { QStringLiteral("content_type"), contentTypeName(m.contentType) },
        { QStringLiteral("bytes"), m.body.size() },
        { QStringLiteral("last_error"), m.lastError.isNull() ? QJsonValue() : QJsonValue(m.lastError) },
        { QStringLiteral("batch_id"), m.batchId } };
    if (m.sourceQueueId != 0) {
        const auto source = context.queueById(m.sourceQueueId);
        o.insert(QStringLiteral("source_queue"), source ? source->name : QString::number(m.sourceQueueId));
    }
    if (withBody) {
        o.insert(QStringLiteral("body"), messageBodyJson(m));
        // Beside the base64, not instead of it: scripts that decode the bytes keep working.
        if (m.contentType == ContentType::V8) {
            const V8Decoded decoded = decodeV8Serialized(m.body);
            if (decoded.value)
                o.insert(QStringLiteral("body_decoded"), *decoded.value);
            if (!decoded.note.isEmpty())
                o.insert(QStringLiteral("body_note"), decoded.note);
        }
    }
    return o;
}

QJsonObject attemptJson(const AttemptRecord &a)
{
    return QJsonObject { { QStringLiteral("message_id"), a.messageId },
        { QStringLiteral("attempt"), a.attempt }, { QStringLiteral("batch_id"), a.batchId },
        { QStringLiteral("started_ms"), a.startedMs }, { QStringLiteral("ended_ms"), a.endedMs },
        { QStringLiteral("outcome"), attemptOutcomeName(a.outcome) },
        { QStringLiteral("error"), a.error.isNull() ? QJsonValue() : QJsonValue(a.error) },
        { QStringLiteral("logs"), QJsonArray::fromStringList(a.logs) } };
}

QJsonObject batchJson(const BatchRecord &b, const ReadContext &context)
{
    const auto queue = context.queueById(b.queueId);
    return QJsonObject { { QStringLiteral("id"), b.id },
        { QStringLiteral("queue"), queue ? queue->name : QString() },
        { QStringLiteral("created_ms"), b.createdMs }, { QStringLiteral("ended_ms"), b.endedMs },
        { QStringLiteral("cut"), batchCutName(b.cut) }, { QStringLiteral("size"), b.size },
        { attemptOutcomeName(AttemptOutcome::Acked), b.acked },
        { attemptOutcomeName(AttemptOutcome::Retried), b.retried },
        { attemptOutcomeName(AttemptOutcome::DeadLettered), b.deadLettered },
        { attemptOutcomeName(AttemptOutcome::Failed), b.failed },
        { QStringLiteral("error"), b.error.isNull() ? QJsonValue() : QJsonValue(b.error) } };
}

} // namespace qd
