#include "latencyhistogram.h"

#include "broker.h"

#include <algorithm>

namespace qd {

void LatencyHistogram::observe(qint64 ms)
{
    ms = std::max<qint64>(ms, 0); // a clock stepped back is not a negative latency
    const auto bound = std::lower_bound(kBoundsMs.begin(), kBoundsMs.end(), ms);
    if (bound != kBoundsMs.end())
        m_buckets[size_t(bound - kBoundsMs.begin())] += 1;
    m_count += 1;
    m_sumMs += ms;
}

qint64 LatencyHistogram::atMost(size_t i) const
{
    qint64 n = 0;
    for (size_t b = 0; b <= i && b < m_buckets.size(); ++b)
        n += m_buckets[b];
    return n;
}

LatencyHistograms::LatencyHistograms(Broker *broker, QObject *parent)
    : QObject(parent)
{
    connect(broker, &Broker::latencies, this,
        [this](const QString &queue, qint64 processingMs, const QList<qint64> &endToEndMs) {
            record(m_byQueue, queue, processingMs, endToEndMs);
        });
}

void LatencyHistograms::record(QHash<QString, QueueLatencies> &byQueue, const QString &queue,
    qint64 processingMs, const QList<qint64> &endToEndMs)
{
    QueueLatencies &q = byQueue[queue];
    if (processingMs >= 0) // pull acks have no batch processing time
        q.processing.observe(processingMs);
    for (const qint64 ms : endToEndMs)
        q.endToEnd.observe(ms);
}

} // namespace qd
