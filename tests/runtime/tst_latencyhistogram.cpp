#include "latencyhistogram.h"
#include "prometheus.h"

#include <QTest>

using namespace qd;

// The latency histograms /metrics exports: what lands in which bucket, and their text.
class TstLatencyHistogram : public QObject {
    Q_OBJECT
private slots:
    void bucketsAreCumulativeAndInclusive_data()
    {
        QTest::addColumn<qint64>("ms");
        QTest::addColumn<int>("firstBucket"); // index into kBoundsMs; -1: only +Inf
        QTest::addRow("zero") << qint64(0) << 0;
        QTest::addRow("negative, a clock stepped back") << qint64(-40) << 0;
        QTest::addRow("on the first bound") << qint64(1) << 0;
        QTest::addRow("just above it") << qint64(2) << 1;
        QTest::addRow("on 250 ms") << qint64(250) << 6;
        QTest::addRow("on the last bound") << qint64(300000) << 14;
        QTest::addRow("above every bound") << qint64(300001) << -1;
    }
    void bucketsAreCumulativeAndInclusive()
    {
        QFETCH(qint64, ms);
        QFETCH(int, firstBucket);
        LatencyHistogram h;
        h.observe(ms);
        QCOMPARE(h.count(), 1);
        QCOMPARE(h.sumMs(), std::max<qint64>(ms, 0));
        for (size_t i = 0; i < LatencyHistogram::kBoundsMs.size(); ++i)
            QCOMPARE(h.atMost(i), firstBucket >= 0 && int(i) >= firstBucket ? 1 : 0);
    }

    // Pull acks have end-to-end times but no batch processing time.
    void recordsBatchesAndAcks()
    {
        QHash<QString, QueueLatencies> byQueue;
        LatencyHistograms::record(byQueue, QStringLiteral("jobs"), 120, { 300, 40 });
        LatencyHistograms::record(byQueue, QStringLiteral("jobs"), -1, { 7 });
        const QueueLatencies &jobs = byQueue.value(QStringLiteral("jobs"));
        QCOMPARE(jobs.processing.count(), 1);
        QCOMPARE(jobs.processing.sumMs(), 120);
        QCOMPARE(jobs.endToEnd.count(), 3);
        QCOMPARE(jobs.endToEnd.sumMs(), 347);
    }

    // The exposition Prometheus parses: seconds, cumulative buckets, +Inf equal to _count;
    // a queue without timings still has its (empty) series.
    void prometheusText()
    {
        QueueSnapshot jobs;
        jobs.name = QStringLiteral("jobs");
        QueueSnapshot idle;
        idle.name = QStringLiteral("id\"le");
        QHash<QString, QueueLatencies> latencies;
        latencies[QStringLiteral("jobs")].processing.observe(20);
        latencies[QStringLiteral("jobs")].processing.observe(1500);
        latencies[QStringLiteral("jobs")].endToEnd.observe(400000);
        const QByteArray text = qd::prometheusText({ jobs, idle }, latencies);

        QVERIFY(text.contains("# TYPE queuedeck_batch_processing_seconds histogram\n"));
        QVERIFY(text.contains("queuedeck_batch_processing_seconds_bucket{queue=\"jobs\",le=\"0.01\"} 0\n"));
        QVERIFY(text.contains("queuedeck_batch_processing_seconds_bucket{queue=\"jobs\",le=\"0.025\"} 1\n"));
        QVERIFY(text.contains("queuedeck_batch_processing_seconds_bucket{queue=\"jobs\",le=\"1\"} 1\n"));
        QVERIFY(text.contains("queuedeck_batch_processing_seconds_bucket{queue=\"jobs\",le=\"2.5\"} 2\n"));
        QVERIFY(text.contains("queuedeck_batch_processing_seconds_bucket{queue=\"jobs\",le=\"300\"} 2\n"));
        QVERIFY(text.contains("queuedeck_batch_processing_seconds_bucket{queue=\"jobs\",le=\"+Inf\"} 2\n"));
        QVERIFY(text.contains("queuedeck_batch_processing_seconds_sum{queue=\"jobs\"} 1.52\n"));
        QVERIFY(text.contains("queuedeck_batch_processing_seconds_count{queue=\"jobs\"} 2\n"));

        QVERIFY(text.contains("# TYPE queuedeck_message_end_to_end_seconds histogram\n"));
        QVERIFY(text.contains("queuedeck_message_end_to_end_seconds_bucket{queue=\"jobs\",le=\"300\"} 0\n"));
        QVERIFY(text.contains("queuedeck_message_end_to_end_seconds_bucket{queue=\"jobs\",le=\"+Inf\"} 1\n"));
        QVERIFY(text.contains("queuedeck_message_end_to_end_seconds_sum{queue=\"jobs\"} 400\n"));

        QVERIFY(
            text.contains("queuedeck_batch_processing_seconds_bucket{queue=\"id\\\"le\",le=\"0.001\"} 0\n"));
        QVERIFY(text.contains("queuedeck_message_end_to_end_seconds_count{queue=\"id\\\"le\"} 0\n"));
        QVERIFY(text.contains("queuedeck_message_end_to_end_seconds_sum{queue=\"id\\\"le\"} 0\n"));
        // One HELP and TYPE per family, not per queue.
        QCOMPARE(text.count("# TYPE queuedeck_batch_processing_seconds "), 1);
    }
};

QTEST_GUILESS_MAIN(TstLatencyHistogram)
#include "tst_latencyhistogram.moc"
