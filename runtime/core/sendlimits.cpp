#include "sendlimits.h"

namespace qd {

Error checkDelay(qint64 seconds, const QString &field)
{
    if (seconds >= 0 && seconds <= kMaxDelaySeconds)
        return {};
    return Error::make(ErrorCode::Invalid,
        QStringLiteral("%1 must be between 0 and %2 (got %3)").arg(field).arg(kMaxDelaySeconds).arg(seconds));
}

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
    if (batchDelaySeconds) {
        if (Error e = checkDelay(*batchDelaySeconds); e.isError())
            return e;
    }
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
        if (item.delaySeconds) {
            if (Error e = checkDelay(*item.delaySeconds); e.isError())
                return e;
        }
        total += item.body.size();
    }
    if (total > kMaxBatchBytes)
        return Error::make(ErrorCode::BatchTooLarge,
            QStringLiteral("the batch is %1 bytes; the limit is %2 bytes").arg(total).arg(kMaxBatchBytes));
    return {};
}

} // namespace qd
