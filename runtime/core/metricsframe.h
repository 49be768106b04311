#pragma once

#include <QList>
#include <QMetaType>
#include <QString>

#include <vector>

namespace qd {

// One queue's metrics over one interval: depth at its end, counts during it, latency
// percentiles of the work that finished in it. Live frames cover one sampler tick; stored
// rollups cover one minute. A plain value, copied across threads.
struct MetricsFrame {
    QString queue; // empty: every queue together
    qint64 atMs = 0; // end of the interval
    qint64 intervalMs = 0;

    // Depth at atMs.
    qint64 ready = 0;
    qint64 delayed = 0;
    qint64 inFlight = 0;
    qint64 failed = 0;
    qint64 dlq = 0; // messages in this queue's dead-letter queue
    qint64 oldestAgeMs = 0; // of the backlog's head; 0 when the backlog is empty

    // Counts during the interval.
    qint64 written = 0;
    qint64 delivered = 0;
    qint64 acked = 0;
    qint64 retried = 0;
    qint64 deadLettered = 0;
    qint64 failedNew = 0; // gave up without a dead-letter queue
    qint64 batches = 0;
    qint64 batchesBySize = 0;
    qint64 batchesByTimeout = 0;
    qint64 batchMessages = 0;

    // Latencies in ms; each pair is over `...Samples` timings (0: none, values meaningless).
    qint64 processingSamples = 0;
    qint64 processingP50 = 0;
    qint64 processingP95 = 0;
    qint64 endToEndSamples = 0;
    qint64 endToEndP50 = 0;
    qint64 endToEndP95 = 0;

    qint64 backlog() const { return ready + delayed; }
    double perSecond(qint64 count) const
    {
        return intervalMs > 0 ? double(count) * 1000.0 / double(intervalMs) : 0.0;
    }
    double meanBatchSize() const { return batches > 0 ? double(batchMessages) / double(batches) : 0.0; }
    // Share of delivery outcomes in the interval that were not acks, in percent.
    double failureRatePercent() const;

    bool operator==(const MetricsFrame &) const = default;
};

// The p-th percentile (0..100) by nearest rank; 0 for no samples. Reorders `samples`.
qint64 percentile(std::vector<qint64> &samples, double p);

// One frame for consecutive frames of one queue: counts and intervals add up, depth is
// the last frame's, p50 is the sample-weighted mean of the p50s and p95 the largest p95
// (percentiles of parts do not combine exactly; this errs towards showing the worst).
MetricsFrame mergeFrames(const MetricsFrame *begin, const MetricsFrame *end);

} // namespace qd

Q_DECLARE_METATYPE(qd::MetricsFrame)
