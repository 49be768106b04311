#include "metricssampler.h"

#include "depthreader.h"

#include <QElapsedTimer>
#include <QSet>

#include <algorithm>

namespace qd {

namespace {
constexpr qint64 kMinuteMs = 60'000;

qint64 grew(qint64 now, qint64 before)
{
    return std::max<qint64>(0, now - before);
}

qint64 minuteOf(qint64 atMs)
{
    // A frame covers (atMs - interval, atMs]: one ending exactly on the minute belongs to
    // the minute before.
    return (atMs - 1) / kMinuteMs;
}

// A frame's latency figures, from the timings of the span it covers (a tick or a minute).
void setLatencies(MetricsFrame &f, LatencyReservoir &processing, LatencyReservoir &endToEnd)
{
    f.processingSamples = processing.seen();
    f.processingP50 = processing.percentile(50);
    f.processingP95 = processing.percentile(95);
    f.endToEndSamples = endToEnd.seen();
    f.endToEndP50 = endToEnd.percentile(50);
    f.endToEndP95 = endToEnd.percentile(95);
}
} // namespace

void LatencyReservoir::add(qint64 value, quint64 random)
{
    ++m_seen;
    if (m_samples.size() < m_capacity) {
        m_samples.push_back(value);
        return;
    }
    // Algorithm R: the n-th value replaces a kept one with probability capacity / n.
    const quint64 slot = random % quint64(m_seen);
    if (slot < m_capacity)
        m_samples[std::size_t(slot)] = value;
}

void LatencyReservoir::clear()
{
    m_samples.clear();
    m_seen = 0;
}

MetricsAccumulator::MetricsAccumulator(std::size_t samplesPerInterval)
    : m_samples(samplesPerInterval)
{
}

MetricsAccumulator::State &MetricsAccumulator::state(const QString &queue)
{
    auto it = m_states.find(queue);
    if (it == m_states.end())
        it = m_states.emplace(queue, State(m_samples)).first;
    return it->second;
}

quint64 MetricsAccumulator::nextRandom()
{
    // xorshift64: fast, and deterministic so tests see the same samples every run.
    m_random ^= m_random << 13;
    m_random ^= m_random >> 7;
    m_random ^= m_random << 17;
    return m_random;
}

void MetricsAccumulator::addProcessing(const QString &queue, qint64 ms)
{
    state(queue).processing.add(ms, nextRandom());
    state(QString()).processing.add(ms, nextRandom());
}

void MetricsAccumulator::addEndToEnd(const QString &queue, qint64 ms)
{
    state(queue).endToEnd.add(ms, nextRandom());
    state(QString()).endToEnd.add(ms, nextRandom());
}

MetricsFrame MetricsAccumulator::frame(const QString &queue, const QueueCounters &c, const QueueDepth &depth,
    qint64 dlqDepth, qint64 nowMs, qint64 firstIntervalMs)
{
    State &s = state(queue);
    QueueCounters last = s.last;
    if (c.written < last.written || c.delivered < last.delivered || c.acked < last.acked
        || c.batches < last.batches)
        last = QueueCounters {};
    MetricsFrame f;
    f.queue = queue;
    f.atMs = nowMs;
    f.intervalMs = s.lastMs > 0 ? std::max<qint64>(1, nowMs - s.lastMs) : firstIntervalMs;
    f.ready = depth.ready;
    f.delayed = depth.delayed;
    f.inFlight = depth.inFlight;
    f.failed = depth.failed;
    f.dlq = dlqDepth;
    f.oldestAgeMs = depth.oldestTimestampMs > 0 ? std::max<qint64>(0, nowMs - depth.oldestTimestampMs) : 0;
    f.written = grew(c.written, last.written);
    f.delivered = grew(c.delivered, last.delivered);
    f.acked = grew(c.acked, last.acked);
    f.retried = grew(c.retried, last.retried);
    f.deadLettered = grew(c.deadLettered, last.deadLettered);
    f.failedNew = grew(c.failed, last.failed);
    f.batches = grew(c.batches, last.batches);
    f.batchesBySize = grew(c.batchesBySize, last.batchesBySize);
    f.batchesByTimeout = grew(c.batchesByTimeout, last.batchesByTimeout);
    f.batchMessages = grew(c.batchMessages, last.batchMessages);
    s.last = c;
    s.lastMs = nowMs;
    finish(s, f);
    return f;
}

MetricsFrame MetricsAccumulator::total(const QList<MetricsFrame> &frames, qint64 dlqDepth, qint64 nowMs)
{
    MetricsFrame t;
    t.atMs = nowMs;
    for (const MetricsFrame &f : frames) {
        t.intervalMs = std::max(t.intervalMs, f.intervalMs);
        t.ready += f.ready;
        t.delayed += f.delayed;
        t.inFlight += f.inFlight;
        t.failed += f.failed;
        t.oldestAgeMs = std::max(t.oldestAgeMs, f.oldestAgeMs);
        t.written += f.written;
        t.delivered += f.delivered;
        t.acked += f.acked;
        t.retried += f.retried;
        t.deadLettered += f.deadLettered;
        t.failedNew += f.failedNew;
        t.batches += f.batches;
        t.batchesBySize += f.batchesBySize;
        t.batchesByTimeout += f.batchesByTimeout;
        t.batchMessages += f.batchMessages;
    }
    t.dlq = dlqDepth;
    State &s = state(QString());
    if (t.intervalMs == 0)
        t.intervalMs = s.lastMs > 0 ? std::max<qint64>(1, nowMs - s.lastMs) : 1000;
    s.lastMs = nowMs;
    finish(s, t);
    return t;
}

void MetricsAccumulator::finish(State &s, MetricsFrame &f)
{
    setLatencies(f, s.processing, s.endToEnd);

    const qint64 minute = minuteOf(f.atMs);
    if (s.minute != minute && !s.minuteFrames.empty()) {
        MetricsFrame r = mergeFrames(s.minuteFrames.data(), s.minuteFrames.data() + s.minuteFrames.size());
        r.atMs = (s.minute + 1) * kMinuteMs;
        setLatencies(r, s.minuteProcessing, s.minuteEndToEnd);
        m_rollups.append(r);
        s.minuteFrames.clear();
        s.minuteProcessing.clear();
        s.minuteEndToEnd.clear();
    }
    s.minute = minute;
    s.minuteFrames.push_back(f);
    for (qint64 v : s.processing.samples())
        s.minuteProcessing.add(v, nextRandom());
    for (qint64 v : s.endToEnd.samples())
        s.minuteEndToEnd.add(v, nextRandom());
    s.processing.clear();
    s.endToEnd.clear();
}

QList<MetricsFrame> MetricsAccumulator::takeRollups()
{
    return std::exchange(m_rollups, {});
}

void MetricsAccumulator::forget(const QString &queue)
{
    m_states.erase(queue);
}

MetricsSampler::MetricsSampler(Broker *broker, int intervalMs, QObject *parent)
    : QObject(parent)
    , m_broker(broker)
    , m_interval(intervalMs)
{
    m_timer.setInterval(intervalMs);
    // Precise: the rates divide by the real interval anyway, but frames should arrive evenly.
    m_timer.setTimerType(Qt::PreciseTimer);
    connect(&m_timer, &QTimer::timeout, this, &MetricsSampler::sample);
    connect(broker, &Broker::latencies, this, &MetricsSampler::onLatencies);
}

MetricsSampler::~MetricsSampler() = default;

void MetricsSampler::readDepthInBackground(const QString &storePath)
{
    m_reader = std::make_unique<DepthReader>(storePath);
    connect(m_reader.get(), &DepthReader::depthRead, this,
        [this](const QHash<qint64, QueueDepth> &depth, qint64 elapsedMs, bool ok) {
            if (!ok) {
                m_reader.reset(); // read in place from now on
                return;
            }
            m_depth = depth;
            m_nextReadMs = m_broker->clock()->nowMs() + 4 * elapsedMs;
        });
}

void MetricsSampler::readDepth(const std::vector<QueueRecord> &queues, qint64 now)
{
    if (m_reader) {
        if (!m_reader->busy() && now >= m_nextReadMs) {
            QList<qint64> ids;
            for (const QueueRecord &q : queues)
                ids.append(q.id);
            m_reader->read(ids, now);
        }
        return;
    }
    // Depth costs an index walk per queue; when that gets expensive (a backlog of
    // millions), read it every few ticks so the runtime thread keeps moving messages.
    if (m_depthSkip > 0) {
        --m_depthSkip;
        return;
    }
    QElapsedTimer timer;
    timer.start();
    QHash<qint64, QueueDepth> depth;
    for (const QueueRecord &q : queues)
        depth.insert(q.id, m_broker->store()->depth(q.id, now));
    m_depth = std::move(depth);
    m_depthSkip = int(std::min<qint64>(timer.elapsed() / kDepthBudgetMs, 9));
}

void MetricsSampler::start()
{
    m_timer.start();
}

void MetricsSampler::onLatencies(const QString &queue, qint64 processingMs, const QList<qint64> &endToEndMs)
{
    if (processingMs >= 0)
        m_accumulator.addProcessing(queue, processingMs);
    for (qint64 ms : endToEndMs)
        m_accumulator.addEndToEnd(queue, ms);
}

void MetricsSampler::sample()
{
    const qint64 now = m_broker->clock()->nowMs();
    const std::vector<QueueRecord> queues = m_broker->queues();
    MetricsStore *store = m_broker->store();

    readDepth(queues, now);

    QHash<QString, qint64> idByName;
    for (const QueueRecord &q : queues)
        idByName.insert(q.name, q.id);
    const auto depthOf = [this](qint64 id) { return m_depth.value(id); };
    const auto sizeOf = [](const QueueDepth &d) { return d.ready + d.delayed + d.inFlight + d.failed; };

    // Every node's work, when several share the store.
    std::map<qint64, QueueCounters> clusterCounters = m_broker->clusterCounters();
    QList<MetricsFrame> frames;
    QList<QueueSnapshot> snapshots;
    QSet<qint64> deadLetterQueues;
    for (const QueueRecord &q : queues) {
        const QueueDepth d = depthOf(q.id);
        qint64 dlq = 0;
        const auto dlqId = idByName.constFind(q.settings.deadLetterQueue);
        if (!q.settings.deadLetterQueue.isEmpty() && dlqId != idByName.constEnd()) {
            dlq = sizeOf(depthOf(*dlqId));
            deadLetterQueues.insert(*dlqId);
        }
        const QueueCounters counters = clusterCounters[q.id];
        frames.append(m_accumulator.frame(q.name, counters, d, dlq, now, m_interval));
        QueueSnapshot snap;
        snap.name = q.name;
        snap.settings = q.settings;
        snap.counts.ready = d.ready;
        snap.counts.delayed = d.delayed;
        snap.counts.inFlight = d.inFlight;
        snap.counts.failed = d.failed;
        snap.counts.oldestTimestampMs = d.oldestTimestampMs;
        snap.counters = counters;
        snap.inFlightBatches = m_broker->inFlightBatches(q.name);
        snap.takenAtMs = now;
        snapshots.append(snap);
    }
    qint64 dlqTotal = 0;
    for (qint64 id : std::as_const(deadLetterQueues))
        dlqTotal += sizeOf(depthOf(id));
    const MetricsFrame all = m_accumulator.total(frames, dlqTotal, now);
    frames.append(all);

    const QList<MetricsFrame> rollups = m_accumulator.takeRollups();
    if (!rollups.isEmpty()) {
        store->insertRollups(std::vector<MetricsFrame>(rollups.begin(), rollups.end()), now - kRollupKeepMs);
        m_broker->whenDurable([](const Error &) {}); // commits on the broker's next tick
        emit rolledUp(rollups);
    }
    emit sampled(frames, snapshots);
}

} // namespace qd
