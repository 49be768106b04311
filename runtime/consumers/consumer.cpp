#include "consumer.h"

#include <algorithm>

namespace qd {

std::optional<int> answeredDelay(const QJsonObject &o, QLatin1String key)
{
    const QJsonValue v = o.value(key);
    if (!v.isDouble())
        return std::nullopt;
    return std::clamp(v.toInt(), 0, kMaxDelaySeconds);
}

void FunctionConsumer::deliver(const Delivery &delivery, CompletionFn done)
{
    BatchOutcome outcome;
    m_handler(delivery, outcome);
    done(outcome);
}

} // namespace qd
