#include "queuesnapshot.h"

namespace qd {

QList<QueueSnapshot> takeSnapshot(const Broker &broker)
{
    QList<QueueSnapshot> out;
    const qint64 now = broker.clock()->nowMs();
    for (const QueueRecord &q : broker.queues()) {
        out.append(QueueSnapshot { q.name, q.settings, broker.counts(q.name), broker.counters(q.name),
            broker.inFlightBatches(q.name), now });
    }
    return out;
}

} // namespace qd
