// The dashboard over a real runtime: messages are sent, fail, are retried by an operator,
// and the tiles and chart series show the numbers after the next frames.
#include "chartpanel.h"
#include "consumer.h"
#include "countertilesmodel.h"
#include "countertilesview.h"
#include "dashboardpage.h"
#include "metricshistory.h"
#include "runtimefixture.h"
#include "sqlitestore.h"

#include <QComboBox>
#include <QDateTime>
#include <QDateTimeAxis>
#include <QImage>
#include <QLabel>
#include <QLineSeries>
#include <QPushButton>
#include <QScatterSeries>
#include <QSignalSpy>
#include <QTest>
#include <QValueAxis>

#include <atomic>

using namespace qd;
using namespace qdtest;

namespace {

double sum(const QList<QPointF> &points)
{
    double total = 0;
    for (const QPointF &p : points)
        total += p.y();
    return total;
}

double lastY(QXYSeries *series)
{
    const QList<QPointF> points = series->points();
    return points.isEmpty() ? -1 : points.last().y();
}

} // namespace

class TstDashboard : public QObject {
    Q_OBJECT
private slots:
    void initTestCase() { isolateSettings(); }

    void chartsAndTilesFollowTheRuntime()
    {
        RuntimeFixture fx;
        QVERIFY(fx.start(250));
        auto healed = std::make_shared<std::atomic<bool>>(false);
        QStringList badIds;
        fx.onBroker([&](Broker &b) {
            QueueSettings s;
            s.maxBatchSize = 10;
            s.maxBatchTimeoutMs = 0;
            s.maxRetries = 1;
            QVERIFY(!b.createQueue(QStringLiteral("jobs"), s));
            b.attachConsumer(QStringLiteral("jobs"),
                std::make_shared<FunctionConsumer>([healed](const Delivery &d, BatchOutcome &o) {
                    for (const Message &m : d.messages) {
                        if (m.body.contains("bad") && !*healed)
                            o.retry(m.id, 0, QStringLiteral("image not found"));
                    }
                }));
        });

        MetricsHistory history;
        history.attach(fx.runtime.get());
        DashboardPage page(&history);
        page.resize(1200, 800);
        page.show();
        QVERIFY(QTest::qWaitForWindowExposed(&page));
        page.setQueues({ QStringLiteral("images"), QStringLiteral("jobs") });
        // The queue chosen as a person would: focus the box and type.
        page.queueBox()->setFocus();
        QTest::keyClicks(page.queueBox(), QStringLiteral("jobs"));
        QCOMPARE(page.queueBox()->currentText(), QStringLiteral("jobs"));
        QCOMPARE(page.model()->queue(), QStringLiteral("jobs"));
        page.rangeBox()->setCurrentIndex(0); // 1 min: one point per second

        // A queue's first bucket is only as long as the queue has been there: let a few
        // whole ones pass, so every bucket with traffic spans its full second.
        QTRY_VERIFY(history.seconds(QStringLiteral("jobs")).size() >= 6);

        // Send ten good and two bad; the bad ones are retried once, then fail.
        fx.onBroker([&](Broker &b) {
            std::vector<SendItem> items;
            for (int i = 0; i < 10; ++i)
                items.push_back(
                    SendItem { QByteArray("\"good") + QByteArray::number(i) + '"', ContentType::Json, {} });
            QVERIFY(!b.send(QStringLiteral("jobs"), std::move(items), {}, {}));
            QVERIFY(!b.send(QStringLiteral("jobs"),
                { SendItem { "\"bad1\"", ContentType::Json, {} },
                    SendItem { "\"bad2\"", ContentType::Json, {} } },
                {}, {}, &badIds));
        });
        CounterTilesModel *tiles = page.tiles();
        QTRY_COMPARE_WITH_TIMEOUT(tiles->value(CounterTilesModel::Failed), 2.0, 10000);
        QSignalSpy frames(&history, &MetricsHistory::framesAdded);
        QVERIFY(frames.wait(10000)); // one more frame, so the counts have settled
        QCOMPARE(tiles->value(CounterTilesModel::Backlog), 0.0);
        QCOMPARE(tiles->value(CounterTilesModel::InFlight), 0.0);
        QCOMPARE(page.tilesView()->valueLabel(CounterTilesModel::Failed)->text(), QStringLiteral("2"));

        ChartPanel *depth = page.depthChart();
        QCOMPARE(lastY(depth->series(ChartDataModel::Ready)), 0.0);
        QCOMPARE(lastY(depth->series(ChartDataModel::Failed)), 2.0); // top of the stack: 0 + 0 + 0 + 2
        QCOMPARE(lastY(page.failuresChart()->series(ChartDataModel::Failed)), 2.0);
        // Rates per second over one-second buckets add up to the counts.
        ChartPanel *throughput = page.throughputChart();
        // Once their buckets are complete (a bucket still filling shows its rate so far).
        QTRY_VERIFY_WITH_TIMEOUT(
            qAbs(sum(throughput->series(ChartDataModel::AckedPerSecond)->points()) - 10) < 0.6, 5000);
        QTRY_VERIFY(qAbs(sum(throughput->series(ChartDataModel::RetriedPerSecond)->points()) - 2) < 0.3);
        QTRY_VERIFY(qAbs(sum(throughput->series(ChartDataModel::DeadLetteredPerSecond)->points()) - 2) < 0.3);
        QVERIFY(!page.latencyChart()->series(ChartDataModel::EndToEndP95)->points().isEmpty());
        QVERIFY(page.depthChart()->leftAxis()->max() >= 2);

        // An operator retries the failed ones; this time they succeed.
        healed->store(true);
        fx.onBroker([&](Broker &b) { QVERIFY(!b.retryMessages(badIds, 0)); });
        QTRY_COMPARE_WITH_TIMEOUT(tiles->value(CounterTilesModel::Failed), 0.0, 10000);
        QTRY_VERIFY_WITH_TIMEOUT(
            qAbs(sum(throughput->series(ChartDataModel::AckedPerSecond)->points()) - 12) < 0.6, 5000);
        QCOMPARE(lastY(depth->series(ChartDataModel::Failed)), 0.0);
        // The retry is marked on every chart, and hovering there says what happened.
        QTRY_COMPARE(depth->markerSeries()->points().size(), 1);
        QCOMPARE(page.latencyChart()->markerSeries()->points().size(), 1);
        const qint64 retriedAt = qint64(depth->markerSeries()->points().first().x());
        QVERIFY(depth->readout(retriedAt).contains(QStringLiteral("Retried 2 messages")));

        // Hover anywhere in a plot reads out every series there.
        const QRectF plot = throughput->chart()->plotArea();
        const QPoint inside = throughput->mapFromScene(throughput->chart()->mapToScene(plot.center()));
        QTest::mouseMove(throughput->viewport(), inside);
        QTRY_VERIFY(throughput->lastReadout().contains(QStringLiteral("Acked")));
    }

    void storedHistoryShowsAfterARestart()
    {
        RuntimeFixture fx;
        // What an earlier run left: ten minutes of rollups for "jobs" and for all queues.
        {
            SqliteStore store(fx.dir.filePath(QStringLiteral("data/queuedeck.db")));
            QString error;
            QVERIFY2(store.open(&error), qPrintable(error));
            const qint64 lastMinute = (QDateTime::currentMSecsSinceEpoch() / 60'000 - 2) * 60'000;
            std::vector<MetricsFrame> rollups;
            for (int m = 0; m < 10; ++m) {
                for (const QString &queue : { QStringLiteral("jobs"), QString() }) {
                    MetricsFrame f;
                    f.queue = queue;
                    f.atMs = lastMinute - m * 60'000;
                    f.intervalMs = 60'000;
                    f.acked = 600;
                    f.ready = 40 + m;
                    rollups.push_back(f);
                }
            }
            store.insertRollups(rollups, 0);
            QVERIFY(store.commit(&error));
        }
        QVERIFY(fx.start(250));
        MetricsHistory history;
        history.attach(fx.runtime.get());
        DashboardPage page(&history);
        page.show();
        QVERIFY(QTest::qWaitForWindowExposed(&page));
        page.rangeBox()->setCurrentIndex(2); // 1 h
        QTRY_COMPARE(history.minutes(QString()).size(), std::size_t(10));
        QTRY_VERIFY(page.throughputChart()->series(ChartDataModel::AckedPerSecond)->points().size() >= 10);
        const QList<QPointF> acked = page.throughputChart()->series(ChartDataModel::AckedPerSecond)->points();
        QCOMPARE(acked.first().y(), 10.0); // 600 a minute
        QCOMPARE(page.depthChart()->series(ChartDataModel::Ready)->points().first().y(), 49.0);
    }

    void pauseRangeAndExport()
    {
        RuntimeFixture fx;
        QVERIFY(fx.start(100));
        MetricsHistory history;
        history.attach(fx.runtime.get());
        DashboardPage page(&history);
        page.show();
        QVERIFY(QTest::qWaitForWindowExposed(&page));
        QSignalSpy frames(&history, &MetricsHistory::framesAdded);
        QTRY_VERIFY(page.model()->rowCount() >= 2);

        QTest::mouseClick(page.pauseButton(), Qt::LeftButton);
        QVERIFY(page.model()->isPaused());
        QCOMPARE(page.pauseButton()->text(), QStringLiteral("&Resume"));
        const QList<QPointF> held = page.depthChart()->series(ChartDataModel::Ready)->points();
        frames.clear();
        QTRY_VERIFY(frames.count() >= 12); // more than a second: a new bucket
        QCOMPARE(page.depthChart()->series(ChartDataModel::Ready)->points(), held);
        QTest::mouseClick(page.pauseButton(), Qt::LeftButton);
        QVERIFY(!page.model()->isPaused());
        QVERIFY(page.depthChart()->series(ChartDataModel::Ready)->points().size() > held.size());

        // Ranges by keyboard: 5 min is the default; down once is 1 h.
        page.rangeBox()->setFocus();
        QTest::keyClick(page.rangeBox(), Qt::Key_Down);
        QCOMPARE(page.model()->range(), ChartDataModel::Range::OneHour);
        QCOMPARE(page.depthChart()->timeAxis()->format(), QStringLiteral("HH:mm"));

        QSignalSpy exported(&page, &DashboardPage::exported);
        const QString png = fx.dir.filePath(QStringLiteral("charts.png"));
        const QString csv = fx.dir.filePath(QStringLiteral("charts.csv"));
        page.exportPng(png);
        page.exportCsv(csv);
        QTRY_COMPARE(exported.count(), 2);
        QVERIFY(exported.at(0).at(1).toBool());
        QVERIFY(exported.at(1).at(1).toBool());
        QImage image(png);
        QVERIFY(!image.isNull());
        QVERIFY(image.width() > 200);
        QFile file(csv);
        QVERIFY(file.open(QIODevice::ReadOnly));
        QVERIFY(file.readLine().startsWith("time_utc,ready,delayed"));
    }
};

QTEST_MAIN(TstDashboard)
#include "tst_dashboard.moc"
