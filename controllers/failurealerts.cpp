#include "failurealerts.h"

#include <QSet>

namespace qd {

FailureAlerts::FailureAlerts(qint64 threshold)
    : m_threshold(std::max<qint64>(1, threshold))
{
}

void FailureAlerts::setThreshold(qint64 threshold)
{
    m_threshold = std::max<qint64>(1, threshold);
}

QList<FailureAlerts::Alert> FailureAlerts::update(const QList<QueueSnapshot> &queues)
{
    QSet<QString> deadLetterQueues;
    for (const QueueSnapshot &q : queues) {
        if (!q.settings.deadLetterQueue.isEmpty())
            deadLetterQueues.insert(q.settings.deadLetterQueue);
    }
    QList<Alert> out;
    for (const QueueSnapshot &q : queues) {
        const bool dlq = deadLetterQueues.contains(q.name);
        // Everything waiting in a DLQ is a failure of its source; elsewhere only the failed.
        const qint64 count = dlq ? q.counts.ready + q.counts.delayed + q.counts.failed : q.counts.failed;
        bool &alerted = m_alerted[q.name];
        if (!alerted && count >= m_threshold) {
            alerted = true;
            out.append(Alert { q.name, count, dlq });
        } else if (alerted && count < m_threshold / 2) {
            alerted = false;
        }
    }
    return out;
}

} // namespace qd
