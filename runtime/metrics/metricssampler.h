#pragma once

#include "broker.h"
#include "metricsframe.h"
#include "queuesnapshot.h"

#include <QHash>
#include <QObject>
#include <QTimer>

#include <map>
#include <memory>
#include <vector>

namespace qd {

class DepthReader;

// A bounded, uniform sample of the timings seen since the last clear (reservoir sampling),
// so percentiles cost the same at 50 messages a second as at 50,000.
class LatencyReservoir final {
public:
    explicit LatencyReservoir(std::size_t capacity = 4096)
        : m_capacity(capacity)
    {
    }
    void add(qint64 value, quint64 random);
    qint64 seen() const { return m_seen; }
    const std::vector<qint64> &samples() const { return m_samples; }
    // Percentiles of what was seen since the last clear; reorders the samples.
    qint64 percentile(double p) { return qd::percentile(m_samples, p); }
    void clear();

private:
    std::size_t m_capacity;
    std::vector<qint64> m_samples;
    qint64 m_seen = 0;
};

// The sampler's arithmetic, with no event loop and no clock of its own: turns running
// counters into per-interval counts, timings into percentiles, and frames into per-minute
// rollups. The caller hands in every time.
class MetricsAccumulator final {
public:
    explicit MetricsAccumulator(std::size_t samplesPerInterval = 4096);

    // Timings of work that finished; each also counts towards the all-queues frame.
    void addProcessing(const QString &queue, qint64 ms);
    void addEndToEnd(const QString &queue, qint64 ms);

    // The frame for the interval that ends at nowMs: counts are the growth of `counters`
    // since this queue's last frame (the first covers `firstIntervalMs`); percentiles are
    // of the timings added since. Counters that went backwards (a queue deleted and made
    // again) count from zero.
    MetricsFrame frame(const QString &queue, const QueueCounters &counters, const QueueDepth &depth,
        qint64 dlqDepth, qint64 nowMs, qint64 firstIntervalMs);
    // Every queue together: sums of the frames (dlqDepth counted once per dead-letter
    // queue by the caller) with percentiles over all queues' timings.
    MetricsFrame total(const QList<MetricsFrame> &frames, qint64 dlqDepth, qint64 nowMs);

    // Rollups of the minutes that ended since the last call, one per queue and minute.
    QList<MetricsFrame> takeRollups();
    void forget(const QString &queue);

private:
    struct State {
        explicit State(std::size_t n)
            : processing(n)
            , endToEnd(n)
            , minuteProcessing(n)
            , minuteEndToEnd(n)
        {
        }
        QueueCounters last;
        qint64 lastMs = 0;
        LatencyReservoir processing;
        LatencyReservoir endToEnd;
        LatencyReservoir minuteProcessing;
        LatencyReservoir minuteEndToEnd;
        qint64 minute = -1; // index of the minute being rolled up
        std::vector<MetricsFrame> minuteFrames;
    };
    State &state(const QString &queue);
    quint64 nextRandom();
    // Fills the frame's percentiles from the interval's timings, then moves those into
    // the minute being built, finishing the previous minute first if this frame starts
    // a new one.
    void finish(State &s, MetricsFrame &f);

    std::size_t m_samples;
    std::map<QString, State> m_states;
    QList<MetricsFrame> m_rollups;
    quint64 m_random = 0x9e3779b97f4a7c15ULL;
};

// Runs on the broker's thread: once a tick it reads every queue's depth and counters,
// makes the frames and snapshots, and writes finished minutes to the store.
class MetricsSampler final : public QObject {
    Q_OBJECT
public:
    explicit MetricsSampler(Broker *broker, int intervalMs = 1000, QObject *parent = nullptr);
    ~MetricsSampler() override;

    void start();
    // Depth from a reader thread of its own instead of the broker's connection: frames
    // then carry the depth of the last read (at most a tick or so old), and counting a
    // huge backlog costs the runtime thread nothing. Without it, depth is read in place.
    void readDepthInBackground(const QString &storePath);
    int intervalMs() const { return m_interval; }
    // One tick now. Public so tests with a manual clock can drive it.
    void sample();

    // What the store's depth queries may cost per tick before the sampler reads depth
    // less often (and repeats the last figures in between). In the background a read
    // waits for four times its own length after the last, so it takes at most a fifth
    // of a core.
    static constexpr qint64 kDepthBudgetMs = 25;
    static constexpr qint64 kRollupKeepMs = 8LL * 24 * 3600 * 1000;

signals:
    // Per queue, then one for all queues (empty name).
    void sampled(const QList<qd::MetricsFrame> &frames, const QList<qd::QueueSnapshot> &queues);
    void rolledUp(const QList<qd::MetricsFrame> &rollups);

private:
    void onLatencies(const QString &queue, qint64 processingMs, const QList<qint64> &endToEndMs);
    void readDepth(const std::vector<QueueRecord> &queues, qint64 now);

    Broker *m_broker;
    int m_interval;
    QTimer m_timer;
    MetricsAccumulator m_accumulator;
    QHash<qint64, QueueDepth> m_depth;
    int m_depthSkip = 0;
    std::unique_ptr<DepthReader> m_reader;
    qint64 m_nextReadMs = 0;
};

} // namespace qd
