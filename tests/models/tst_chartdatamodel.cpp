// Chart data, counter tiles and the history behind them, fed with frames as the runtime
// sends them.
#include "chartdatamodel.h"
#include "countertilesmodel.h"
#include "metricsformat.h"
#include "metricshistory.h"

#include <QAbstractItemModelTester>
#include <QSignalSpy>
#include <QTest>

#include <cmath>

using namespace qd;

namespace {

constexpr qint64 kT0 = 1'700'000'000'000; // whole seconds, like a sampler on a steady clock

MetricsFrame frame(
    const QString &queue, qint64 atMs, qint64 acked = 5, qint64 ready = 0, qint64 intervalMs = 1000)
{
    MetricsFrame f;
    f.queue = queue;
    f.atMs = atMs;
    f.intervalMs = intervalMs;
    f.acked = acked;
    f.delivered = acked;
    f.ready = ready;
    return f;
}

// One tick: the queue's frame and the all-queues frame, as the sampler sends them.
void tick(MetricsHistory &h, qint64 atMs, qint64 acked = 5, qint64 ready = 0)
{
    h.addFrames({ frame(QStringLiteral("q"), atMs, acked, ready), frame(QString(), atMs, acked, ready) });
}

AuditEntry audit(qint64 ts, const char *action, const char *queue = "q")
{
    return AuditEntry { 0, ts, QLatin1String(action), QLatin1String(queue), {} };
}

} // namespace

class TstChartDataModel : public QObject {
    Q_OBJECT
private slots:
    void pointListsStayBounded_data()
    {
        QTest::addColumn<ChartDataModel::Range>("range");
        QTest::addColumn<int>("maxRows");
        QTest::newRow("1 min") << ChartDataModel::Range::OneMinute << 60;
        QTest::newRow("5 min") << ChartDataModel::Range::FiveMinutes << 300;
        QTest::newRow("1 h") << ChartDataModel::Range::OneHour << 360;
        QTest::newRow("24 h") << ChartDataModel::Range::OneDay << 720;
    }
    void pointListsStayBounded()
    {
        QFETCH(ChartDataModel::Range, range);
        QFETCH(int, maxRows);
        MetricsHistory history;
        ChartDataModel model(&history);
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        model.setRange(range);
        // A day and a half of stored minutes, then an hour and a bit of live seconds.
        QList<MetricsFrame> minutes;
        for (qint64 m = 1; m <= 36 * 60; ++m)
            minutes.append(frame(QStringLiteral("q"), kT0 + m * 60'000, 300, 0, 60'000));
        history.addHistory(minutes, {});
        const qint64 liveStart = kT0 + 36 * 3600'000;
        model.setQueue(QStringLiteral("q"));
        QList<MetricsFrame> seconds;
        for (qint64 s = 1; s <= 3800; ++s)
            seconds.append(frame(QStringLiteral("q"), liveStart + s * 1000));
        history.addFrames(seconds); // an hour in one go keeps the test fast; ticks are below
        QVERIFY(model.rowCount() <= maxRows);
        QVERIFY(model.rowCount() >= maxRows - 2);
        for (int c = ChartDataModel::Ready; c < ChartDataModel::ColumnCount; ++c)
            QVERIFY(model.points(ChartDataModel::Column(c)).size() <= maxRows);
        QCOMPARE(model.windowEndMs(), liveStart + 3800 * 1000);
        // Every bucket reads 5 acked/s, whether it came from minutes or seconds.
        for (const QPointF &p : model.points(ChartDataModel::AckedPerSecond))
            QCOMPARE(p.y(), 5.0);
        QCOMPARE(history.seconds(QStringLiteral("q")).size(), MetricsHistory::kMaxSeconds);
    }

    void newFramesMoveTheWindowWithoutResets()
    {
        MetricsHistory history;
        ChartDataModel model(&history);
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        model.setRange(ChartDataModel::Range::OneMinute);
        for (qint64 s = 1; s <= 60; ++s)
            tick(history, kT0 + s * 1000, s, s);
        QCOMPARE(model.rowCount(), 60);
        QSignalSpy resets(&model, &QAbstractItemModel::modelReset);
        QSignalSpy removed(&model, &QAbstractItemModel::rowsRemoved);
        QSignalSpy inserted(&model, &QAbstractItemModel::rowsInserted);
        QSignalSpy refreshed(&model, &ChartDataModel::refreshed);
        tick(history, kT0 + 61 * 1000, 61, 61);
        QCOMPARE(resets.count(), 0);
        QCOMPARE(removed.count(), 1);
        QCOMPARE(inserted.count(), 1);
        QCOMPARE(refreshed.count(), 1);
        QCOMPARE(model.rowCount(), 60);
        QCOMPARE(model.value(0, ChartDataModel::Ready), 2.0);
        QCOMPARE(model.value(59, ChartDataModel::Ready), 61.0);
        QCOMPARE(
            model.data(model.index(59, ChartDataModel::AckedPerSecond), ChartDataModel::ValueRole).toDouble(),
            61.0);
        QCOMPARE(model.points(ChartDataModel::Ready).last(), QPointF(double(kT0 + 61'000), 61.0));
    }

    void hourBucketsAddUpTenSeconds()
    {
        MetricsHistory history;
        ChartDataModel model(&history);
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        model.setRange(ChartDataModel::Range::OneHour);
        for (qint64 s = 1; s <= 25; ++s)
            tick(history, kT0 + s * 1000, s <= 10 ? 2 : 4, s);
        QCOMPARE(model.rowCount(), 3); // 1..10, 11..20, 21..25 (still filling)
        QCOMPARE(model.value(0, ChartDataModel::AckedPerSecond), 2.0);
        QCOMPARE(model.value(1, ChartDataModel::AckedPerSecond), 4.0);
        QCOMPARE(model.value(1, ChartDataModel::Ready), 20.0); // depth at the bucket's end
        QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);
        QSignalSpy inserted(&model, &QAbstractItemModel::rowsInserted);
        tick(history, kT0 + 26'000, 4, 26);
        QCOMPARE(changed.count(), 1); // the filling bucket, in place
        QCOMPARE(inserted.count(), 0);
        QCOMPARE(model.value(2, ChartDataModel::Ready), 26.0);
    }

    void storedHistoryShowsBeforeLiveFrames()
    {
        MetricsHistory history;
        ChartDataModel model(&history);
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        model.setQueue(QStringLiteral("q"));
        model.setRange(ChartDataModel::Range::FiveMinutes);
        // Before a restart: three stored minutes; after it, ten live seconds.
        history.addHistory({ frame(QStringLiteral("q"), kT0 + 60'000, 600, 7, 60'000),
                               frame(QStringLiteral("q"), kT0 + 120'000, 1200, 8, 60'000),
                               frame(QStringLiteral("q"), kT0 + 180'000, 60, 9, 60'000) },
            {});
        for (qint64 s = 1; s <= 10; ++s)
            tick(history, kT0 + 200'000 + s * 1000, 1, 1);
        QCOMPARE(model.rowCount(), 13);
        QCOMPARE(model.value(0, ChartDataModel::AckedPerSecond), 10.0);
        QCOMPARE(model.value(1, ChartDataModel::AckedPerSecond), 20.0);
        QCOMPARE(model.value(2, ChartDataModel::Ready), 9.0);
        QCOMPARE(model.value(12, ChartDataModel::AckedPerSecond), 1.0);

        // The day range is made of minutes; live seconds only after the last one.
        model.setRange(ChartDataModel::Range::OneDay);
        // kT0 is 80 s into a 2-minute bucket: the first two minutes share one, the third
        // shares the next with the live seconds.
        QCOMPARE(model.rowCount(), 2);
        QCOMPARE(model.value(0, ChartDataModel::AckedPerSecond), (600.0 + 1200.0) / 120.0);
        QCOMPARE(model.value(1, ChartDataModel::AckedPerSecond), (60.0 + 10.0) / 70.0);
        QCOMPARE(model.value(1, ChartDataModel::Ready), 1.0);
    }

    void pauseHoldsTheChartsStill()
    {
        MetricsHistory history;
        ChartDataModel model(&history);
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        model.setRange(ChartDataModel::Range::OneMinute);
        for (qint64 s = 1; s <= 5; ++s)
            tick(history, kT0 + s * 1000);
        model.setPaused(true);
        QSignalSpy refreshed(&model, &ChartDataModel::refreshed);
        for (qint64 s = 6; s <= 10; ++s)
            tick(history, kT0 + s * 1000);
        QCOMPARE(refreshed.count(), 0);
        QCOMPARE(model.rowCount(), 5);
        QCOMPARE(model.windowEndMs(), kT0 + 5000);
        model.setPaused(false);
        QCOMPARE(refreshed.count(), 1);
        QCOMPARE(model.rowCount(), 10);
    }

    void latencyWithoutTimingsIsAGapNotAZero()
    {
        MetricsHistory history;
        ChartDataModel model(&history);
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        MetricsFrame timed = frame(QString(), kT0 + 1000);
        timed.endToEndSamples = 4;
        timed.endToEndP50 = 12;
        timed.endToEndP95 = 40;
        history.addFrames({ timed });
        history.addFrames({ frame(QString(), kT0 + 2000) });
        QCOMPARE(model.rowCount(), 2);
        QCOMPARE(model.points(ChartDataModel::EndToEndP95),
            (QList<QPointF> { QPointF(double(kT0 + 1000), 40.0) }));
        QVERIFY(std::isnan(model.value(1, ChartDataModel::EndToEndP50)));
        QVERIFY(
            !model.data(model.index(1, ChartDataModel::EndToEndP50), ChartDataModel::ValueRole).isValid());
        QCOMPARE(model.data(model.index(1, ChartDataModel::EndToEndP50)).toString(), QString());
    }

    // Messages kept as failed (no dead-letter queue) are not dead-lettered: that series
    // counts moves into a DLQ only, as the DLQ tile and /metrics do, and failures have a
    // series of their own.
    void deadLetteredCountsOnlyDeadLetterMoves()
    {
        MetricsHistory history;
        ChartDataModel model(&history);
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        MetricsFrame f = frame(QString(), kT0 + 1000, 4);
        f.failedNew = 3; // gave up, no DLQ
        f.failed = 3;
        history.addFrames({ f });
        QCOMPARE(model.rowCount(), 1);
        QCOMPARE(model.data(model.index(0, ChartDataModel::DeadLetteredPerSecond), ChartDataModel::ValueRole)
                     .toDouble(),
            0.0);
        int failedColumn = -1;
        for (int c = 0; c < model.columnCount(); ++c) {
            if (model.headerData(c, Qt::Horizontal).toString() == QLatin1String("Failed/s"))
                failedColumn = c;
        }
        QVERIFY(failedColumn >= 0);
        QCOMPARE(model.data(model.index(0, failedColumn), ChartDataModel::ValueRole).toDouble(), 3.0);

        MetricsFrame g = frame(QString(), kT0 + 2000, 0);
        g.deadLettered = 2; // moved to a DLQ
        history.addFrames({ g });
        QCOMPARE(model.data(model.index(1, ChartDataModel::DeadLetteredPerSecond), ChartDataModel::ValueRole)
                     .toDouble(),
            2.0);
        QCOMPARE(model.data(model.index(1, failedColumn), ChartDataModel::ValueRole).toDouble(), 0.0);
    }

    // Seconds that alternate between all acked and all retried read as about half, not as
    // 0 %, 100 %, 0 %…; seconds with no outcomes in the window have no rate rather than 0 %.
    void failureRateIsSmoothedOverItsWindow()
    {
        MetricsHistory history;
        ChartDataModel model(&history);
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        model.setRange(ChartDataModel::Range::FiveMinutes);
        for (qint64 s = 1; s <= 60; ++s) {
            MetricsFrame f = frame(QString(), kT0 + s * 1000, s % 2 ? 10 : 0);
            f.retried = s % 2 ? 0 : 10;
            history.addFrames({ f });
        }
        for (qint64 s = 61; s <= 120; ++s)
            history.addFrames({ frame(QString(), kT0 + s * 1000, 0) }); // idle
        QCOMPARE(model.rowCount(), 120);
        for (int row = 20; row < 60; ++row) {
            const double v
                = model.data(model.index(row, ChartDataModel::FailureRate), ChartDataModel::ValueRole)
                      .toDouble();
            QVERIFY2(v >= 40 && v <= 60, qPrintable(QStringLiteral("row %1: %2 %").arg(row).arg(v)));
        }
        QVERIFY(
            !model.data(model.index(119, ChartDataModel::FailureRate), ChartDataModel::ValueRole).isValid());
        QCOMPARE(model.data(model.index(119, ChartDataModel::FailureRate)).toString(), QString());
    }

    void markersFollowTheQueueAndWindow()
    {
        MetricsHistory history;
        ChartDataModel model(&history);
        model.setRange(ChartDataModel::Range::OneMinute);
        for (qint64 s = 1; s <= 100; ++s)
            tick(history, kT0 + s * 1000);
        QSignalSpy added(&history, &MetricsHistory::markerAdded);
        history.addAudit(audit(kT0 + 20'000, "paused")); // before the window
        history.addAudit(audit(kT0 + 50'000, "purged", "other"));
        history.addAudit(audit(kT0 + 60'000, "queue_created")); // not an action on a pipeline
        history.addAudit(audit(kT0 + 70'000, "settings_changed"));
        history.addAudit(audit(kT0 + 80'000, "retry_all", ""));
        QCOMPARE(added.count(), 4);
        QCOMPARE(model.markers().size(), 3);
        model.setQueue(QStringLiteral("q"));
        const QList<OperatorMarker> markers = model.markers();
        QCOMPARE(markers.size(), 2);
        QCOMPARE(markers.at(0).action, QStringLiteral("settings_changed"));
        QCOMPARE(markers.at(0).text, QStringLiteral("q: Settings changed"));
        QCOMPARE(markers.at(1).action, QStringLiteral("retry_all"));
        // Stored history brings older markers in order, without doubles.
        history.addHistory({}, { audit(kT0 + 45'000, "resumed"), audit(kT0 + 70'000, "settings_changed") });
        QCOMPARE(model.markers().size(), 3);
        QCOMPARE(model.markers().first().action, QStringLiteral("resumed"));
    }

    void exportsCsv()
    {
        MetricsHistory history;
        ChartDataModel model(&history);
        MetricsFrame f = frame(QString(), kT0 + 1000, 7, 3);
        f.batches = 2;
        f.batchMessages = 7;
        f.retried = 1;
        history.addFrames({ f });
        const QStringList lines = model.toCsv().split(QLatin1Char('\n'), Qt::SkipEmptyParts);
        QCOMPARE(lines.size(), 2);
        QVERIFY(lines.at(0).startsWith(
            QLatin1String("time_utc,ready,delayed,in_flight,failed,dlq_depth,acked_per_s,")));
        QVERIFY(lines.at(0).contains(QLatin1String("failure_rate_percent")));
        const QStringList cells = lines.at(1).split(QLatin1Char(','));
        QCOMPARE(cells.size(), int(ChartDataModel::ColumnCount));
        QCOMPARE(cells.at(0), QStringLiteral("2023-11-14T22:13:21.000Z"));
        QCOMPARE(cells.at(ChartDataModel::Ready), QStringLiteral("3"));
        QCOMPARE(cells.at(ChartDataModel::AckedPerSecond), QStringLiteral("7"));
        QCOMPARE(cells.at(ChartDataModel::MeanBatchSize), QStringLiteral("3.5"));
        QCOMPARE(cells.at(ChartDataModel::FailureRate), QStringLiteral("12.5"));
        QCOMPARE(cells.at(ChartDataModel::EndToEndP95), QString());
    }

    void tilesShowTheLatestFrame()
    {
        CounterTilesModel tiles;
        QAbstractItemModelTester tester(&tiles, QAbstractItemModelTester::FailureReportingMode::QtTest);
        QCOMPARE(tiles.rowCount(), int(CounterTilesModel::TileCount));
        QCOMPARE(tiles.text(CounterTilesModel::Backlog), QStringLiteral("–"));
        QSignalSpy changed(&tiles, &QAbstractItemModel::dataChanged);
        MetricsFrame f = frame(QString(), kT0, 250, 1200, 500);
        f.delayed = 34;
        f.inFlight = 20;
        f.failed = 3;
        f.dlq = 9;
        f.oldestAgeMs = 125'000;
        tiles.setFrame(f);
        tiles.setFrame(f); // unchanged: no signal
        QCOMPARE(changed.count(), 1);
        QCOMPARE(tiles.value(CounterTilesModel::Backlog), 1234.0);
        QCOMPARE(tiles.value(CounterTilesModel::AckedPerSecond), 500.0);
        QCOMPARE(tiles.data(tiles.index(CounterTilesModel::Backlog)).toString(), formatCount(1234));
        QCOMPARE(
            tiles.data(tiles.index(CounterTilesModel::OldestAge)).toString(), QStringLiteral("2 min 5 s"));
        QCOMPARE(
            tiles.data(tiles.index(CounterTilesModel::DeadLetter), CounterTilesModel::TitleRole).toString(),
            QStringLiteral("DLQ"));
        QCOMPARE(tiles.data(tiles.index(CounterTilesModel::Failed)).toString(), QStringLiteral("3"));
    }

    void formatsDurations_data()
    {
        QTest::addColumn<qint64>("ms");
        QTest::addColumn<QString>("text");
        QTest::newRow("ms") << qint64(350) << QStringLiteral("350 ms");
        QTest::newRow("s") << qint64(4'200) << QStringLiteral("4.2 s");
        QTest::newRow("min") << qint64(185'000) << QStringLiteral("3 min 5 s");
        QTest::newRow("h") << qint64(7'800'000) << QStringLiteral("2 h 10 min");
        QTest::newRow("d") << qint64(97'200'000) << QStringLiteral("1 d 3 h");
    }
    void formatsDurations()
    {
        QFETCH(qint64, ms);
        QFETCH(QString, text);
        QCOMPARE(formatDuration(ms), text);
    }
};

QTEST_GUILESS_MAIN(TstChartDataModel)
#include "tst_chartdatamodel.moc"
