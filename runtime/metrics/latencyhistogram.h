#pragma once

#include <QHash>
#include <QList>
#include <QObject>
#include <QString>

#include <array>

namespace qd {

class Broker;

// Latencies counted under fixed upper bounds, the shape of a Prometheus histogram: a scraper
// turns the bucket counts into percentiles over any window and across nodes
// (histogram_quantile), which percentiles computed here could not give it.
class LatencyHistogram {
public:
    // Upper bounds in ms: from a fast local consumer (ms) to a slow webhook or a backlog (min).
    static constexpr std::array<qint64, 15> kBoundsMs
        = { 1, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000, 30000, 60000, 300000 };

    void observe(qint64 ms);
    // Observations of at most kBoundsMs[i] ms (Prometheus buckets are cumulative).
    qint64 atMost(size_t i) const;
    qint64 count() const { return m_count; }
    qint64 sumMs() const { return m_sumMs; }

private:
    std::array<qint64, kBoundsMs.size()> m_buckets {}; // by the smallest bound at or above
    qint64 m_count = 0;
    qint64 m_sumMs = 0;
};

struct QueueLatencies {
    LatencyHistogram processing; // push batches, dispatch to outcome
    LatencyHistogram endToEnd; // acked messages, send to ack
};

// Every queue's latencies since this runtime started, from the broker's timings. Lives on
// the broker's thread; /metrics reads it there.
class LatencyHistograms final : public QObject {
    Q_OBJECT
public:
    explicit LatencyHistograms(Broker *broker, QObject *parent = nullptr);

    // By queue name; a queue with no timings yet has none.
    const QHash<QString, QueueLatencies> &byQueue() const { return m_byQueue; }
    // One of the broker's timings: a batch's processing time (-1: none, a pull ack) and the
    // end-to-end times of the messages it acked.
    static void record(QHash<QString, QueueLatencies> &byQueue, const QString &queue, qint64 processingMs,
        const QList<qint64> &endToEndMs);

private:
    QHash<QString, QueueLatencies> m_byQueue;
};

} // namespace qd
