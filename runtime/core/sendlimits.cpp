#include "sendlimits.h"

namespace qd {

namespace {

bool delayInRange(int seconds)
{
    return seconds >= 0 && seconds <= kMaxDelaySeconds;
}

QString delayError(int seconds)
{
    return QStringLiteral("delay_seconds must be between 0 and %1 (got %2)")
        .arg(kMaxDelaySeconds)
        .arg(seconds);
}

} // namespace

Error checkSend(const std::vector<SendItem> &items, std::optional<int> batchDelaySeconds,
    const SendMessageName &messageName)
{
    if (items.empty())
        return Error::make(ErrorCode::Invalid, QStringLiteral("a send needs at least one message"));
    if (items.size() > std::size_t(kMaxBatchMessages))
        return Error::make(ErrorCode::TooMany,
            QStringLiteral("a batch holds at most %1 messages (got %2)")
                .arg(kMaxBatchMessages)
                .arg(items.size()));
    if (batchDelaySeconds && !delayInRange(*batchDelaySeconds))
        return Error::make(ErrorCode::Invalid, delayError(*batchDelaySeconds));
    qsizetype total = 0;
    for (std::size_t i = 0; i < items.size(); ++i) {
        const SendItem &item = items[i];
        if (item.body.size() > kMaxMessageBytes) {
            const QString name = messageName ? messageName(i) : QStringLiteral("message %1").arg(i);
            return Error::make(ErrorCode::TooLarge,
                QStringLiteral("%1 is %2 bytes; the limit is %3 bytes")
                    .arg(name)
                    .arg(item.body.size())
                    .arg(kMaxMessageBytes));
        }
        if (item.delaySeconds && !delayInRange(*item.delaySeconds))
            return Error::make(ErrorCode::Invalid, delayError(*item.delaySeconds));
        total += item.body.size();
    }
    if (total > kMaxBatchBytes)
        return Error::make(ErrorCode::BatchTooLarge,
            QStringLiteral("the batch is %1 bytes; the limit is %2 bytes").arg(total).arg(kMaxBatchBytes));
    return {};
}

} // namespace qd
