// The Cloudflare-compatible API: a queue's consumer. QueueDeck runs one consumer per queue,
// kept in the queue's settings; its consumer_id is derived from the queue.
#include "cloudflareapi_p.h"

#include "broker.h"
#include "clock.h"

#include <QJsonArray>

#include <array>
#include <limits>

namespace qd {

namespace {

void resetConsumer(QueueSettings *s)
{
    const QueueSettings defaults;
    s->maxBatchSize = defaults.maxBatchSize;
    s->maxBatchTimeoutMs = defaults.maxBatchTimeoutMs;
    s->maxRetries = defaults.maxRetries;
    s->retryDelaySeconds = defaults.retryDelaySeconds;
    s->maxConcurrency = defaults.maxConcurrency;
    s->deadLetterQueue.clear();
    s->visibilityTimeoutMs = defaults.visibilityTimeoutMs;
    s->webhookUrl.clear();
    s->webhookTimeoutMs = defaults.webhookTimeoutMs;
    s->consumerType = ConsumerType::None;
}

// Reads a consumer definition onto `s`: a create or a replace, so what is not given is reset.
bool readConsumer(const QJsonObject &body, QueueSettings *s, CloudflareError *error)
{
    resetConsumer(s);
    const QJsonValue type = body.value(QLatin1String("type"));
    // Cloudflare's push consumer is a Worker; QueueDeck's built-in one is the image worker.
    if (type == QJsonValue(QStringLiteral("worker"))) {
        s->consumerType = ConsumerType::Image;
    } else if (!type.isString() || !consumerTypeFromName(type.toString(), &s->consumerType)
        || s->consumerType == ConsumerType::None) {
        *error = invalid(type.isUndefined()
                ? QStringLiteral("type is required: one of worker, image, webhook, http_pull")
                : QStringLiteral("type must be one of worker, image, webhook, http_pull"));
        return false;
    }
    const QJsonValue dlq = body.value(QLatin1String("dead_letter_queue"));
    if (dlq.isString()) {
        s->deadLetterQueue = dlq.toString();
    } else if (!dlq.isUndefined() && !dlq.isNull()) {
        *error = invalid(QStringLiteral("dead_letter_queue must be a queue name"));
        return false;
    }
    const QJsonValue settingsValue = body.value(QLatin1String("settings"));
    if (settingsValue.isUndefined() || settingsValue.isNull())
        return true;
    if (!settingsValue.isObject()) {
        *error = invalid(QStringLiteral("settings must be an object"));
        return false;
    }
    const QJsonObject json = settingsValue.toObject();
    // The ranges are checked by QueueSettings::validate; here only that they are integers.
    const std::array<std::pair<QString, int *>, 7> ints { {
        { QStringLiteral("batch_size"), &s->maxBatchSize },
        { QStringLiteral("max_retries"), &s->maxRetries },
        { QStringLiteral("max_wait_time_ms"), &s->maxBatchTimeoutMs },
        { QStringLiteral("max_concurrency"), &s->maxConcurrency },
        { QStringLiteral("retry_delay"), &s->retryDelaySeconds },
        { QStringLiteral("visibility_timeout_ms"), &s->visibilityTimeoutMs },
        { QStringLiteral("timeout_ms"), &s->webhookTimeoutMs },
    } };
    for (const auto &[key, field] : ints) {
        std::optional<qint64> value;
        if (!cloudflareInt(json, key, QLatin1String("settings.") + key, std::numeric_limits<int>::min(),
                std::numeric_limits<int>::max(), &value, error))
            return false;
        if (value)
            *field = int(*value);
    }
    // Unset ("scale with the backlog") is null in the API and 0 in QueueSettings.
    if (json.value(QLatin1String("max_concurrency")) == QJsonValue(0)) {
        *error
            = invalid(QStringLiteral("settings.max_concurrency must be between 1 and 250, or null (got 0)"));
        return false;
    }
    const QJsonValue url = json.value(QLatin1String("url"));
    if (url.isString()) {
        s->webhookUrl = url.toString();
    } else if (!url.isUndefined() && !url.isNull()) {
        *error = invalid(QStringLiteral("settings.url must be a string"));
        return false;
    }
    return true;
}

} // namespace

QJsonObject CloudflareApi::consumerJson(const QueueRecord &queue) const
{
    const QueueSettings &s = queue.settings;
    QJsonObject settings {
        { QStringLiteral("batch_size"), s.maxBatchSize },
        { QStringLiteral("max_retries"), s.maxRetries },
        { QStringLiteral("max_wait_time_ms"), s.maxBatchTimeoutMs },
        { QStringLiteral("max_concurrency"),
            s.maxConcurrency == 0 ? QJsonValue() : QJsonValue(s.maxConcurrency) },
        { QStringLiteral("retry_delay"), s.retryDelaySeconds },
        { QStringLiteral("visibility_timeout_ms"), s.visibilityTimeoutMs },
    };
    if (s.consumerType == ConsumerType::Webhook) {
        settings.insert(QStringLiteral("url"), s.webhookUrl);
        settings.insert(QStringLiteral("timeout_ms"), s.webhookTimeoutMs);
    }
    return QJsonObject {
        { QStringLiteral("consumer_id"), consumerId(queue) },
        { QStringLiteral("queue_id"), queueId(queue) },
        { QStringLiteral("queue_name"), queue.name },
        { QStringLiteral("created_on"), isoTimeUtc(queue.createdMs) },
        { QStringLiteral("type"), consumerTypeName(s.consumerType) },
        { QStringLiteral("dead_letter_queue"), s.deadLetterQueue },
        { QStringLiteral("settings"), settings },
    };
}

void CloudflareApi::listConsumers(const HttpResponder &responder, const QueueRecord &queue)
{
    QJsonArray consumers;
    if (queue.settings.consumerType != ConsumerType::None)
        consumers.append(consumerJson(queue));
    responder.respond(success(consumers));
}

void CloudflareApi::setConsumer(
    const HttpRequest &request, const HttpResponder &responder, const QueueRecord &queue, bool create)
{
    // QueueDeck runs one consumer per queue: a second one has to replace the first (PUT).
    if (create && queue.settings.consumerType != ConsumerType::None) {
        responder.respond(failure({ 409, ConsumerExists,
            QStringLiteral(
                "queue \"%1\" already has a %2 consumer (%3); delete it first or replace it with PUT")
                .arg(queue.name, consumerTypeName(queue.settings.consumerType), consumerId(queue)) }));
        return;
    }
    const auto body = bodyOrAnswer(request, responder);
    if (!body)
        return;
    QueueSettings settings = queue.settings;
    CloudflareError error;
    if (!readConsumer(*body, &settings, &error)) {
        responder.respond(failure(error));
        return;
    }
    QueueRecord record;
    if (answeredError(responder, m_broker->updateQueue(queue.name, settings, &record)))
        return;
    answerWhenDurable(responder, consumerJson(record));
}

void CloudflareApi::getConsumer(
    const HttpResponder &responder, const QueueRecord &queue, const QString &consumer)
{
    if (queue.settings.consumerType == ConsumerType::None || consumer != consumerId(queue)) {
        responder.respond(failure(noConsumer(queue, consumer)));
        return;
    }
    responder.respond(success(consumerJson(queue)));
}

void CloudflareApi::deleteConsumer(
    const HttpResponder &responder, const QueueRecord &queue, const QString &consumer)
{
    if (queue.settings.consumerType == ConsumerType::None || consumer != consumerId(queue)) {
        responder.respond(failure(noConsumer(queue, consumer)));
        return;
    }
    QueueSettings settings = queue.settings;
    resetConsumer(&settings);
    if (answeredError(responder, m_broker->updateQueue(queue.name, settings)))
        return;
    answerWhenDurable(responder, QJsonValue::Null);
}

} // namespace qd
