#include "batchoutcome.h"

namespace qd {

void BatchOutcome::ack(const QString &messageId)
{
    if (!m_perMessage.contains(messageId))
        m_perMessage.insert(messageId, Call { Verdict::Ack, std::nullopt, {} });
}

void BatchOutcome::retry(const QString &messageId, std::optional<int> delaySeconds, const QString &error)
{
    if (!m_perMessage.contains(messageId))
        m_perMessage.insert(messageId, Call { Verdict::Retry, delaySeconds, error });
}

void BatchOutcome::ackAll()
{
    if (!m_batchCall)
        m_batchCall = Call { Verdict::Ack, std::nullopt, {} };
}

void BatchOutcome::retryAll(std::optional<int> delaySeconds)
{
    if (!m_batchCall)
        m_batchCall = Call { Verdict::Retry, delaySeconds, {} };
}

void BatchOutcome::fail(const QString &error)
{
    m_failed = true;
    m_error = error;
}

QString BatchOutcome::retryReason() const
{
    return m_failed ? m_error : QStringLiteral("retried by the consumer");
}

QString BatchOutcome::retryReason(const QString &messageId) const
{
    const auto it = m_perMessage.constFind(messageId);
    if (it != m_perMessage.constEnd() && it->verdict == Verdict::Retry && !it->error.isEmpty())
        return it->error;
    return retryReason();
}

BatchOutcome::Resolved BatchOutcome::resolve(const QString &messageId) const
{
    const auto it = m_perMessage.constFind(messageId);
    if (it != m_perMessage.constEnd()) {
        Resolved r { it->verdict, it->delaySeconds };
        // A message retried without its own delay takes retryAll's delay, if any.
        if (r.verdict == Verdict::Retry && !r.delaySeconds && m_batchCall
            && m_batchCall->verdict == Verdict::Retry)
            r.delaySeconds = m_batchCall->delaySeconds;
        return r;
    }
    if (m_batchCall)
        return Resolved { m_batchCall->verdict, m_batchCall->delaySeconds };
    return Resolved { m_failed ? Verdict::Retry : Verdict::Ack, std::nullopt };
}

} // namespace qd
