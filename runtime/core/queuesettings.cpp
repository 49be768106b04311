#include "queuesettings.h"

#include <QJsonValue>
#include <QLocale>

#include <array>

namespace qd {

namespace {

struct SettingRange {
    const char *name;
    qint64 min;
    qint64 max;
};

struct ConsumerTypeName {
    ConsumerType type;
    const char *name;
    bool accepted; // settings may name it: it has a consumer
};

constexpr ConsumerTypeName kConsumerNames[] = {
    { ConsumerType::Image, "image", true },
    { ConsumerType::Webhook, "webhook", true },
    { ConsumerType::HttpPull, "http_pull", true },
    { ConsumerType::None, "none", true },
    { ConsumerType::Worker, "worker", true },
};

QString rangeError(const char *name, qint64 min, qint64 max, qint64 value)
{
    return QStringLiteral("%1 must be between %2 and %3 (got %4)")
        .arg(QLatin1String(name))
        .arg(min)
        .arg(max)
        .arg(value);
}

// Reads an integer key if present; integers only (no fractions, no strings).
bool readInt(const QJsonObject &json, const char *key, int *out, QString *error)
{
    const QJsonValue v = json.value(QLatin1String(key));
    if (v.isUndefined())
        return true;
    if (!v.isDouble()) {
        *error = QStringLiteral("%1 must be an integer").arg(QLatin1String(key));
        return false;
    }
    // The range comes first: converting a double beyond qint64 to an integer is undefined.
    const double d = v.toDouble();
    if (d > 2'147'483'647.0 || d < -2'147'483'648.0) {
        *error = QStringLiteral("%1 is out of range (got %2)")
                     .arg(QLatin1String(key))
                     .arg(d, 0, 'g', QLocale::FloatingPointShortest);
        return false;
    }
    if (d != static_cast<double>(static_cast<qint64>(d))) {
        *error = QStringLiteral("%1 must be an integer").arg(QLatin1String(key));
        return false;
    }
    *out = static_cast<int>(d);
    return true;
}

} // namespace

QString consumerTypeName(ConsumerType type)
{
    for (const ConsumerTypeName &t : kConsumerNames) {
        if (t.type == type)
            return QLatin1String(t.name);
    }
    return {};
}

bool consumerTypeFromName(const QString &name, ConsumerType *type)
{
    for (const ConsumerTypeName &t : kConsumerNames) {
        if (t.accepted && name == QLatin1String(t.name)) {
            *type = t.type;
            return true;
        }
    }
    return false;
}

QString QueueSettings::validate(const QString &queueName) const
{
    const std::array<std::pair<SettingRange, qint64>, 8> checks { {
        { { "max_batch_size", 1, 100 }, maxBatchSize },
        { { "max_batch_timeout_ms", 0, 60'000 }, maxBatchTimeoutMs },
        { { "max_retries", 0, 100 }, maxRetries },
        { { "retry_delay", 0, 86'400 }, retryDelaySeconds },
        { { "delivery_delay", 0, 86'400 }, deliveryDelaySeconds },
        { { "message_retention_period", 60, 1'209'600 }, retentionSeconds },
        { { "visibility_timeout_ms", 1, 43'200'000 }, visibilityTimeoutMs },
        { { "webhook_timeout_ms", 1, 600'000 }, webhookTimeoutMs },
    } };
    for (const auto &[range, value] : checks) {
        if (value < range.min || value > range.max)
            return rangeError(range.name, range.min, range.max, value);
    }
    if (maxConcurrency != 0 && (maxConcurrency < 1 || maxConcurrency > 250))
        return rangeError("max_concurrency", 1, 250, maxConcurrency);
    if (!queueName.isEmpty() && deadLetterQueue == queueName)
        return QStringLiteral("dead_letter_queue cannot be the queue itself (%1)").arg(queueName);
    if (consumerType == ConsumerType::Webhook) {
        if (!webhookUrl.startsWith(QLatin1String("http://"))
            && !webhookUrl.startsWith(QLatin1String("https://")))
            return QStringLiteral("settings.url must be an absolute http(s) URL for a webhook consumer");
    }
    return {};
}

QJsonObject QueueSettings::toJson() const
{
    QJsonObject o;
    o.insert(QLatin1String("max_batch_size"), maxBatchSize);
    o.insert(QLatin1String("max_batch_timeout_ms"), maxBatchTimeoutMs);
    o.insert(QLatin1String("max_retries"), maxRetries);
    o.insert(QLatin1String("retry_delay"), retryDelaySeconds);
    o.insert(
        QLatin1String("max_concurrency"), maxConcurrency == 0 ? QJsonValue() : QJsonValue(maxConcurrency));
    o.insert(QLatin1String("dead_letter_queue"),
        deadLetterQueue.isEmpty() ? QJsonValue() : QJsonValue(deadLetterQueue));
    o.insert(QLatin1String("delivery_delay"), deliveryDelaySeconds);
    o.insert(QLatin1String("message_retention_period"), retentionSeconds);
    o.insert(QLatin1String("visibility_timeout_ms"), visibilityTimeoutMs);
    o.insert(QLatin1String("delivery_paused"), paused);
    o.insert(QLatin1String("consumer_type"), consumerTypeName(consumerType));
    if (!webhookUrl.isEmpty())
        o.insert(QLatin1String("url"), webhookUrl);
    o.insert(QLatin1String("timeout_ms"), webhookTimeoutMs);
    return o;
}

QString QueueSettings::applyJson(const QJsonObject &json, QStringList *unknown)
{
    QueueSettings next = *this;
    QString error;
    const std::array<std::pair<const char *, int *>, 8> ints { {
        { "max_batch_size", &next.maxBatchSize },
        { "max_batch_timeout_ms", &next.maxBatchTimeoutMs },
        { "max_retries", &next.maxRetries },
        { "retry_delay", &next.retryDelaySeconds },
        { "delivery_delay", &next.deliveryDelaySeconds },
        { "message_retention_period", &next.retentionSeconds },
        { "visibility_timeout_ms", &next.visibilityTimeoutMs },
        { "timeout_ms", &next.webhookTimeoutMs },
    } };
    for (const auto &[key, field] : ints) {
        if (!readInt(json, key, field, &error))
            return error;
    }
    // max_concurrency: null clears it back to "scale with the backlog".
    const QJsonValue conc = json.value(QLatin1String("max_concurrency"));
    if (conc.isNull()) {
        next.maxConcurrency = 0;
    } else if (!readInt(json, "max_concurrency", &next.maxConcurrency, &error)) {
        return error;
    } else if (!conc.isUndefined() && next.maxConcurrency == 0) {
        return QStringLiteral("max_concurrency must be between 1 and 250 (got 0)");
    }
    const QJsonValue dlq = json.value(QLatin1String("dead_letter_queue"));
    if (dlq.isNull())
        next.deadLetterQueue.clear();
    else if (dlq.isString())
        next.deadLetterQueue = dlq.toString();
    else if (!dlq.isUndefined())
        return QStringLiteral("dead_letter_queue must be a string");
    const QJsonValue paused = json.value(QLatin1String("delivery_paused"));
    if (paused.isBool())
        next.paused = paused.toBool();
    else if (!paused.isUndefined())
        return QStringLiteral("delivery_paused must be a boolean");
    const QJsonValue type = json.value(QLatin1String("consumer_type"));
    if (type.isString()) {
        if (!consumerTypeFromName(type.toString(), &next.consumerType))
            return QStringLiteral(
                "consumer_type must be one of image, webhook, worker, http_pull, none (got %1)")
                .arg(type.toString());
    } else if (!type.isUndefined()) {
        return QStringLiteral("consumer_type must be a string");
    }
    const QJsonValue url = json.value(QLatin1String("url"));
    if (url.isString())
        next.webhookUrl = url.toString();
    else if (!url.isUndefined() && !url.isNull())
        return QStringLiteral("url must be a string");

    if (unknown) {
        static const QStringList known { QStringLiteral("max_batch_size"),
            QStringLiteral("max_batch_timeout_ms"), QStringLiteral("max_retries"),
            QStringLiteral("retry_delay"), QStringLiteral("max_concurrency"),
            QStringLiteral("dead_letter_queue"), QStringLiteral("delivery_delay"),
            QStringLiteral("message_retention_period"), QStringLiteral("visibility_timeout_ms"),
            QStringLiteral("delivery_paused"), QStringLiteral("consumer_type"), QStringLiteral("url"),
            QStringLiteral("timeout_ms") };
        for (auto it = json.begin(); it != json.end(); ++it) {
            if (!known.contains(it.key()))
                unknown->append(it.key());
        }
    }
    *this = next;
    return {};
}

} // namespace qd
