// The metrics sampler: its arithmetic (rates, percentiles, rollups) driven directly, and
// the sampler over a real broker and store with a manual clock.
#include "brokerfixture.h"
#include "metricssampler.h"
#include "pgstore.h"
#include "sqlitestore.h"

#include <QSignalSpy>
#include <QTest>

using namespace qd;
using namespace qdtest;

namespace {
QueueCounters counters(
    qint64 written, qint64 acked, qint64 retried = 0, qint64 batches = 0, qint64 batchMessages = 0)
{
    QueueCounters c;
    c.written = written;
    c.delivered = acked + retried;
    c.acked = acked;
    c.retried = retried;
    c.batches = batches;
    c.batchMessages = batchMessages;
    c.batchesBySize = batches;
    return c;
}

const MetricsFrame *frameOf(const QList<MetricsFrame> &frames, const QString &queue)
{
    for (const MetricsFrame &f : frames) {
        if (f.queue == queue)
            return &f;
    }
    return nullptr;
}
} // namespace

class TstMetricsSampler : public QObject {
    Q_OBJECT
private slots:
    void percentileByNearestRank_data()
    {
        QTest::addColumn<QList<qint64>>("samples");
        QTest::addColumn<double>("p");
        QTest::addColumn<qint64>("expected");
        QTest::newRow("empty") << QList<qint64> {} << 50.0 << qint64(0);
        QTest::newRow("one") << QList<qint64> { 7 } << 95.0 << qint64(7);
        QTest::newRow("p50 of 1..10") << QList<qint64> { 10, 9, 8, 7, 6, 5, 4, 3, 2, 1 } << 50.0 << qint64(5);
        QTest::newRow("p95 of 1..20") << QList<qint64> { 20, 1, 19, 2, 18, 3, 17, 4, 16, 5, 15, 6, 14, 7, 13,
            8, 12, 9, 11, 10 } << 95.0 << qint64(19);
        QTest::newRow("p100") << QList<qint64> { 3, 1, 2 } << 100.0 << qint64(3);
        QTest::newRow("p0 is the smallest") << QList<qint64> { 3, 1, 2 } << 0.0 << qint64(1);
    }
    void percentileByNearestRank()
    {
        QFETCH(QList<qint64>, samples);
        QFETCH(double, p);
        QFETCH(qint64, expected);
        std::vector<qint64> v(samples.begin(), samples.end());
        QCOMPARE(percentile(v, p), expected);
    }

    void framesCountGrowthSinceTheLastFrame()
    {
        MetricsAccumulator acc;
        QueueDepth depth { 5, 2, 10, 1, 1'000 };
        MetricsFrame f = acc.frame(QStringLiteral("q"), counters(100, 80, 5, 9, 85), depth, 3, 2'000, 1'000);
        QCOMPARE(f.intervalMs, 1'000);
        QCOMPARE(f.written, 100);
        QCOMPARE(f.acked, 80);
        QCOMPARE(f.retried, 5);
        QCOMPARE(f.ready, 5);
        QCOMPARE(f.delayed, 2);
        QCOMPARE(f.inFlight, 10);
        QCOMPARE(f.failed, 1);
        QCOMPARE(f.dlq, 3);
        QCOMPARE(f.oldestAgeMs, 1'000);
        QCOMPARE(f.perSecond(f.acked), 80.0);
        QCOMPARE(f.meanBatchSize(), 85.0 / 9.0);

        f = acc.frame(QStringLiteral("q"), counters(150, 120, 5, 13, 125), depth, 3, 2'500, 1'000);
        QCOMPARE(f.intervalMs, 500);
        QCOMPARE(f.written, 50);
        QCOMPARE(f.acked, 40);
        QCOMPARE(f.retried, 0);
        QCOMPARE(f.batches, 4);
        QCOMPARE(f.perSecond(f.acked), 80.0);
        QCOMPARE(f.failureRatePercent(), 0.0);

        // The queue was deleted and made again: its counters start from zero.
        f = acc.frame(QStringLiteral("q"), counters(7, 3), depth, 0, 3'500, 1'000);
        QCOMPARE(f.written, 7);
        QCOMPARE(f.acked, 3);
    }

    void latenciesArePerInterval()
    {
        MetricsAccumulator acc;
        for (qint64 ms = 1; ms <= 100; ++ms)
            acc.addEndToEnd(QStringLiteral("a"), ms);
        acc.addProcessing(QStringLiteral("a"), 40);
        acc.addProcessing(QStringLiteral("b"), 60);
        MetricsFrame a = acc.frame(QStringLiteral("a"), {}, {}, 0, 1'000, 1'000);
        MetricsFrame b = acc.frame(QStringLiteral("b"), {}, {}, 0, 1'000, 1'000);
        QCOMPARE(a.endToEndSamples, 100);
        QCOMPARE(a.endToEndP50, 50);
        QCOMPARE(a.endToEndP95, 95);
        QCOMPARE(a.processingP50, 40);
        QCOMPARE(b.endToEndSamples, 0);
        QCOMPARE(b.processingP95, 60);
        const MetricsFrame all = acc.total({ a, b }, 0, 1'000);
        QCOMPARE(all.processingSamples, 2);
        QCOMPARE(all.processingP95, 60);
        QCOMPARE(all.endToEndSamples, 100);

        // The next interval starts empty.
        a = acc.frame(QStringLiteral("a"), {}, {}, 0, 2'000, 1'000);
        QCOMPARE(a.endToEndSamples, 0);
        QCOMPARE(a.processingSamples, 0);
    }

    void reservoirStaysBoundedAndFair()
    {
        LatencyReservoir r(1000);
        quint64 random = 88172645463325252ULL;
        for (qint64 i = 1; i <= 100'000; ++i) {
            random ^= random << 13;
            random ^= random >> 7;
            random ^= random << 17;
            r.add(i, random);
        }
        QCOMPARE(r.seen(), 100'000);
        QCOMPARE(r.samples().size(), std::size_t(1000));
        const qint64 median = r.percentile(50);
        QVERIFY2(median > 45'000 && median < 55'000, qPrintable(QString::number(median)));
    }

    void mergeAddsCountsAndKeepsLastDepth()
    {
        MetricsFrame a;
        a.atMs = 1'000;
        a.intervalMs = 1'000;
        a.ready = 10;
        a.acked = 5;
        a.endToEndSamples = 1;
        a.endToEndP50 = 10;
        a.endToEndP95 = 20;
        MetricsFrame b = a;
        b.atMs = 2'000;
        b.ready = 3;
        b.acked = 7;
        b.endToEndSamples = 3;
        b.endToEndP50 = 30;
        b.endToEndP95 = 90;
        const MetricsFrame frames[] = { a, b };
        const MetricsFrame m = mergeFrames(frames, frames + 2);
        QCOMPARE(m.atMs, 2'000);
        QCOMPARE(m.intervalMs, 2'000);
        QCOMPARE(m.ready, 3);
        QCOMPARE(m.acked, 12);
        QCOMPARE(m.endToEndSamples, 4);
        QCOMPARE(m.endToEndP50, 25); // (10 * 1 + 30 * 3) / 4
        QCOMPARE(m.endToEndP95, 90);
        QCOMPARE(m.perSecond(m.acked), 6.0);
    }

    void rollsUpWholeMinutes()
    {
        MetricsAccumulator acc;
        const qint64 minute = 60'000 * 1000; // some minute boundary
        qint64 acked = 0;
        for (int s = 1; s <= 60; ++s) {
            acked += 2;
            acc.addEndToEnd(QStringLiteral("q"), s);
            acc.frame(QStringLiteral("q"), counters(acked, acked), QueueDepth { s, 0, 0, 0, 0 }, 0,
                minute + s * 1000, 1000);
        }
        QVERIFY(acc.takeRollups().isEmpty()); // the frame at :60 still belongs to the first minute
        acc.frame(QStringLiteral("q"), counters(acked + 1, acked + 1), {}, 0, minute + 61'000, 1000);
        const QList<MetricsFrame> rollups = acc.takeRollups();
        QCOMPARE(rollups.size(), 1);
        const MetricsFrame &r = rollups.first();
        QCOMPARE(r.queue, QStringLiteral("q"));
        QCOMPARE(r.atMs, minute + 60'000);
        QCOMPARE(r.intervalMs, 60'000);
        QCOMPARE(r.acked, 120);
        QCOMPARE(r.ready, 60); // depth at the end of the minute
        QCOMPARE(r.endToEndSamples, 60);
        QCOMPARE(r.endToEndP50, 30);
        QCOMPARE(r.endToEndP95, 57);
    }

    void depthReadsStatesWithoutAckedRows()
    {
        BrokerFixture fx;
        QVERIFY(fx.open());
        auto held = std::make_shared<HeldConsumer>();
        QVERIFY(fx.createQueue(QStringLiteral("q"), settings(2, 0, 0)));
        fx.broker->attachConsumer(QStringLiteral("q"), held);
        fx.send(QStringLiteral("q"), 4);
        fx.send(QStringLiteral("q"), 3, 60);
        fx.broker->pumpAll();
        // Concurrency 1 by CPU count at least: some batches are held in flight.
        const qint64 id = fx.queueId(QStringLiteral("q"));
        const QueueCounts c = fx.store->counts(id, fx.clock.nowMs());
        const QueueDepth d = fx.store->depth(id, fx.clock.nowMs());
        QCOMPARE(d.ready, c.ready);
        QCOMPARE(d.delayed, 3);
        QCOMPARE(d.inFlight, c.inFlight);
        QVERIFY(d.inFlight > 0);
        QCOMPARE(d.ready + d.inFlight, 4);
        while (!held->held.empty())
            held->completeOldest(throwing()); // max_retries 0: straight to failed
        fx.broker->pumpAll();
        while (!held->held.empty())
            held->completeOldest(throwing());
        fx.broker->pumpAll();
        const QueueDepth after = fx.store->depth(id, fx.clock.nowMs());
        QCOMPARE(after.failed, 4);
        QCOMPARE(after.ready, 0);
        QCOMPARE(after.oldestTimestampMs, fx.clock.nowMs());
    }

    void samplerFramesABrokersWork()
    {
        BrokerFixture fx;
        QVERIFY(fx.open());
        QueueSettings s = settings(5, 0, 0);
        s.deadLetterQueue = QStringLiteral("dead");
        QVERIFY(fx.createQueue(QStringLiteral("q"), s));
        auto consumer = std::make_shared<RecordingConsumer>([](const Delivery &d, BatchOutcome &o) {
            for (const Message &m : d.messages) {
                if (m.body.contains("bad"))
                    o.retry(m.id);
            }
        });
        fx.broker->attachConsumer(QStringLiteral("q"), consumer);
        MetricsSampler sampler(fx.broker.get(), 1000);
        QSignalSpy spy(&sampler, &MetricsSampler::sampled);
        sampler.sample();

        fx.send(QStringLiteral("q"), 10);
        fx.send(QStringLiteral("q"), 2, {}, "bad");
        fx.clock.advanceMs(40);
        fx.broker->pumpAll();
        fx.clock.advanceMs(960);
        sampler.sample();
        QCOMPARE(spy.count(), 2);
        const auto frames = spy.last().at(0).value<QList<MetricsFrame>>();
        const MetricsFrame *q = frameOf(frames, QStringLiteral("q"));
        QVERIFY(q);
        QCOMPARE(q->intervalMs, 1000);
        QCOMPARE(q->written, 12);
        QCOMPARE(q->delivered, 12);
        QCOMPARE(q->acked, 10);
        QCOMPARE(q->deadLettered, 2);
        QCOMPARE(q->batches, 3);
        QCOMPARE(q->batchesBySize, 2);
        QCOMPARE(q->batchesByTimeout, 1);
        QCOMPARE(q->meanBatchSize(), 4.0);
        QCOMPARE(q->dlq, 2);
        QCOMPARE(q->endToEndSamples, 10);
        QCOMPARE(q->endToEndP95, 40);
        QCOMPARE(q->processingSamples, 3);
        QCOMPARE(q->processingP95, 0); // the consumer answered at once
        QCOMPARE(q->failureRatePercent(), 100.0 * 2 / 12);
        const MetricsFrame *all = frameOf(frames, QString());
        QVERIFY(all);
        QCOMPARE(all->acked, 10);
        QCOMPARE(all->ready, 2); // the dead-letter queue's, which has no consumer here
        QCOMPARE(all->dlq, 2);
        const auto snaps = spy.last().at(1).value<QList<QueueSnapshot>>();
        QCOMPARE(snaps.size(), 2);
    }

    void depthCanBeReadOffTheRuntimeThread()
    {
        BrokerFixture fx;
        QVERIFY(fx.open());
        QVERIFY(fx.createQueue(QStringLiteral("q")));
        fx.send(QStringLiteral("q"), 5);
        fx.send(QStringLiteral("q"), 2, 30);
        fx.broker->pumpAll(); // commits, so another connection sees them
        MetricsSampler sampler(fx.broker.get(), 1000);
        sampler.readDepthInBackground(fx.storeSpec());
        QSignalSpy spy(&sampler, &MetricsSampler::sampled);
        // Frames carry the last depth read; the first read is under way after the first tick.
        QTRY_VERIFY_WITH_TIMEOUT(
            [&] {
                sampler.sample();
                const MetricsFrame *q
                    = frameOf(spy.last().at(0).value<QList<MetricsFrame>>(), QStringLiteral("q"));
                return q && q->ready == 5 && q->delayed == 2;
            }(),
            5000);
        const auto snaps = spy.last().at(1).value<QList<QueueSnapshot>>();
        QCOMPARE(snaps.size(), 1);
        QCOMPARE(snaps.first().counts.ready, 5);
    }

    void rollupsSurviveARestart()
    {
        BrokerFixture fx;
        QVERIFY(fx.open());
        QVERIFY(fx.createQueue(QStringLiteral("q")));
        if (isPostgresSpec(fx.storeSpec()))
            QCOMPARE(dynamic_cast<PgStore &>(*fx.store).schemaVersion(), PgStore::kSchemaVersion);
        else
            QCOMPARE(dynamic_cast<SqliteStore &>(*fx.store).schemaVersion(), SqliteStore::kSchemaVersion);
        const qint64 start = 1'700'000'020'000; // 40 s into a minute
        fx.clock.setMs(start);
        {
            MetricsSampler sampler(fx.broker.get(), 1000);
            QSignalSpy rolled(&sampler, &MetricsSampler::rolledUp);
            for (int i = 0; i < 30; ++i) {
                if (i == 5)
                    fx.send(QStringLiteral("q"), 3);
                sampler.sample();
                fx.clock.advanceMs(1000);
            }
            QCOMPARE(rolled.count(), 1);
            fx.broker->pumpAll(); // commits
        }
        QVERIFY(fx.reopen());
        const std::vector<MetricsFrame> stored = fx.store->rollups(0);
        QCOMPARE(stored.size(), std::size_t(2)); // "q" and all queues
        QCOMPARE(stored.front().atMs, start + 20'000);
        const auto q = std::find_if(
            stored.begin(), stored.end(), [](const MetricsFrame &f) { return !f.queue.isEmpty(); });
        QVERIFY(q != stored.end());
        QCOMPARE(q->written, 3);
        QCOMPARE(q->ready, 3);

        // Old rollups are pruned when new ones are written.
        MetricsFrame later = *q;
        later.atMs += 10LL * 24 * 3600 * 1000;
        fx.store->insertRollups({ later }, later.atMs - MetricsSampler::kRollupKeepMs);
        QString error;
        QVERIFY(fx.store->commit(&error));
        QCOMPARE(fx.store->rollups(0).size(), std::size_t(1));
    }
};

QTEST_GUILESS_MAIN(TstMetricsSampler)
#include "tst_metricssampler.moc"
