#pragma once

#include <QJsonObject>
#include <QString>
#include <QStringList>

namespace qd {

// A queue's consumer (Worker: a Worker project's queue(), run by workerd, docs/workers.md).
// Each type's name, and whether settings may name it, is one line of the table in
// queuesettings.cpp.
enum class ConsumerType { Image, Webhook, HttpPull, None, Worker };

QString consumerTypeName(ConsumerType type);
// False for names of no type, and for a type that has no consumer yet ("worker").
bool consumerTypeFromName(const QString &name, ConsumerType *type);

// A queue's settings, with production Cloudflare defaults. Everything that changes how
// the broker treats a queue lives here, so one validated value moves between layers.
struct QueueSettings {
    int maxBatchSize = 10; // 1..100
    int maxBatchTimeoutMs = 5000; // 0..60,000
    int maxRetries = 3; // 0..100
    int retryDelaySeconds = 0; // 0..86,400
    int maxConcurrency = 0; // 0 = unset (scale with backlog), else 1..250
    QString deadLetterQueue; // empty = none
    int deliveryDelaySeconds = 0; // 0..86,400
    int retentionSeconds = 345'600; // 60..1,209,600
    int visibilityTimeoutMs = 30'000; // 1..43,200,000 (pull)
    bool paused = false;
    ConsumerType consumerType = ConsumerType::Image;
    QString webhookUrl;
    int webhookTimeoutMs = 30'000; // 1..600,000

    // The first setting out of range, named with its range; empty when all are valid.
    QString validate(const QString &queueName = {}) const;

    QJsonObject toJson() const;
    // Applies the keys present in `json` on top of this; unknown keys are listed in
    // `unknown`. Returns an error text (wrong type) and leaves *this unchanged on error.
    QString applyJson(const QJsonObject &json, QStringList *unknown = nullptr);

    bool operator==(const QueueSettings &) const = default;
};

} // namespace qd
