#pragma once

#include "batchoutcome.h"
#include "message.h"
#include "queuestore.h"

#include <QJsonObject>

#include <functional>
#include <optional>

namespace qd {

struct Delivery {
    qint64 batchId = 0;
    QString queueName;
    QueueSettings settings;
    BatchCut cut = BatchCut::Size;
    std::vector<Message> messages;
};

using CompletionFn = std::function<void(const BatchOutcome &)>;

// A retry delay in a consumer's answer (`key` of `o`), clamped to what a delay may be;
// unset when absent or not a number (the queue's retry_delay applies).
std::optional<int> answeredDelay(const QJsonObject &o, QLatin1String key);

// A push consumer. deliver() is called on the broker's thread; the consumer calls `done`
// exactly once, on the broker's thread, when the handler has finished (now or later).
class Consumer {
public:
    virtual ~Consumer() = default;
    virtual void deliver(const Delivery &delivery, CompletionFn done) = 0;
};

// A consumer whose handler runs at once on the broker's thread: the handler records its
// calls on the outcome (ack, retry, ackAll, retryAll, or fail() for a throw).
class FunctionConsumer final : public Consumer {
public:
    using Handler = std::function<void(const Delivery &, BatchOutcome &)>;
    explicit FunctionConsumer(Handler handler)
        : m_handler(std::move(handler))
    {
    }
    void deliver(const Delivery &delivery, CompletionFn done) override;

private:
    Handler m_handler;
};

} // namespace qd
