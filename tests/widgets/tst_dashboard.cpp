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

#include <QAreaSeries>
#include <QCategoryAxis>
#include <QClipboard>
#include <QComboBox>
#include <QDateTime>
#include <QDateTimeAxis>
#include <QGuiApplication>
#include <QImage>
#include <QLabel>
#include <QLineEdit>
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

// Every point of a line the legend names, over all the pieces it is drawn in.
QList<QPointF> namedLine(ChartPanel *chart, const QString &name)
{
    QList<QPointF> out;
    for (QAbstractSeries *series : chart->chart()->series()) {
        auto *line = qobject_cast<QLineSeries *>(series);
        if (line && line->name() == name)
            out += line->points();
    }
    return out;
}

// Frames for the all-queues view, one a second: `batches` batches of 5 acked messages.
MetricsFrame frameAt(qint64 atMs, qint64 batches, qint64 endToEndMs = 0)
{
    MetricsFrame f;
    f.atMs = atMs;
    f.intervalMs = 1000;
    f.ready = 3;
    f.batches = batches;
    f.batchMessages = f.acked = f.delivered = 5 * batches;
    if (endToEndMs > 0) {
        f.endToEndSamples = f.processingSamples = 5 * batches;
        f.endToEndP50 = endToEndMs / 2;
        f.endToEndP95 = endToEndMs;
        f.processingP50 = 40;
        f.processingP95 = 90;
    }
    return f;
}

constexpr qint64 kT0 = 1'700'000'000'000;

// A page over a history it was handed, shown on its own.
struct PageOver {
    MetricsHistory history;
    DashboardPage page { &history };
    bool show(ChartDataModel::Range range)
    {
        page.resize(1300, 860);
        page.show();
        if (!QTest::qWaitForWindowExposed(&page))
            return false;
        page.rangeBox()->setCurrentIndex(int(range));
        return true;
    }
};

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
            QVERIFY(b.createQueue(QStringLiteral("jobs"), s).ok());
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
            QVERIFY(b.send(QStringLiteral("jobs"), std::move(items), {}, {}).ok());
            QVERIFY(b.send(QStringLiteral("jobs"),
                         { SendItem { "\"bad1\"", ContentType::Json, {} },
                             SendItem { "\"bad2\"", ContentType::Json, {} } },
                         {}, {}, &badIds)
                        .ok());
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
        // Depth is what waits: the two failed messages are not stacked on the backlog of 0.
        QVERIFY(!depth->series(ChartDataModel::Failed));
        for (QAbstractSeries *series : depth->chart()->series()) {
            if (auto *area = qobject_cast<QAreaSeries *>(series))
                QCOMPARE(lastY(area->upperSeries()), 0.0);
        }
        QCOMPARE(lastY(page.failuresChart()->series(ChartDataModel::Failed)), 2.0);
        // Rates per second over one-second buckets add up to the counts.
        ChartPanel *throughput = page.throughputChart();
        // Once their buckets are complete (a bucket still filling shows its rate so far).
        QTRY_VERIFY_WITH_TIMEOUT(
            qAbs(sum(throughput->series(ChartDataModel::AckedPerSecond)->points()) - 10) < 0.6, 5000);
        QTRY_VERIFY(qAbs(sum(throughput->series(ChartDataModel::RetriedPerSecond)->points()) - 2) < 0.3);
        // No dead-letter queue: nothing was dead-lettered, as the DLQ tile says; the two
        // failures are the Failed line's.
        QTRY_VERIFY(qAbs(sum(namedLine(throughput, QStringLiteral("Failed"))) - 2) < 0.3);
        QCOMPARE(sum(throughput->series(ChartDataModel::DeadLetteredPerSecond)->points()), 0.0);
        QCOMPARE(tiles->value(CounterTilesModel::DeadLetter), 0.0);
        QVERIFY(!page.latencyChart()->series(ChartDataModel::EndToEndP95)->points().isEmpty());
        QVERIFY(page.failuresChart()->leftAxis()->max() >= 2);

        // An operator retries the failed ones; this time they succeed.
        healed->store(true);
        fx.onBroker([&](Broker &b) { QVERIFY(b.retryMessages(badIds, 0).ok()); });
        QTRY_COMPARE_WITH_TIMEOUT(tiles->value(CounterTilesModel::Failed), 0.0, 10000);
        QTRY_VERIFY_WITH_TIMEOUT(
            qAbs(sum(throughput->series(ChartDataModel::AckedPerSecond)->points()) - 12) < 0.6, 5000);
        QCOMPARE(lastY(page.failuresChart()->series(ChartDataModel::Failed)), 0.0);
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

    // A paused queue and a queue nobody consumes are named where their numbers are: a line
    // above the tiles, a note on the backlog tile, and the queue's entry in the queue box.
    void pausedAndUnservedQueuesAreShown()
    {
        RuntimeFixture fx;
        QVERIFY(fx.start(100));
        fx.onBroker([&](Broker &b) {
            QVERIFY(b.createQueue(QStringLiteral("jobs")).ok());
            QueueSettings none;
            none.consumerType = ConsumerType::None;
            QVERIFY(b.createQueue(QStringLiteral("parked"), none).ok());
            QVERIFY(
                b.send(QStringLiteral("jobs"), { SendItem { "\"a\"", ContentType::Json, {} } }, {}, {}).ok());
        });
        MetricsHistory history;
        history.attach(fx.runtime.get());
        DashboardPage page(&history);
        page.resize(1200, 800);
        page.show();
        QVERIFY(QTest::qWaitForWindowExposed(&page));
        page.attach(fx.runtime.get());
        page.setQueues({ QStringLiteral("images"), QStringLiteral("jobs"), QStringLiteral("parked") });
        auto *notice = page.findChild<QLabel *>(QStringLiteral("queueNotice"));
        QVERIFY(notice);
        QTRY_VERIFY(notice->isVisible());
        QVERIFY(notice->text().contains(QStringLiteral("parked")));
        QVERIFY(notice->text().contains(QStringLiteral("no consumer")));
        QVERIFY(!notice->text().contains(QStringLiteral("jobs")));

        fx.onBroker([&](Broker &b) { QVERIFY(b.setPaused(QStringLiteral("jobs"), true).ok()); });
        QTRY_VERIFY(notice->text().contains(QStringLiteral("<b>jobs</b> is paused")));
        // The queue box says so before the queue is chosen; choosing it keeps the notice to it.
        const int jobs = page.queueBox()->findData(QStringLiteral("jobs"));
        QCOMPARE(page.queueBox()->itemText(jobs), QStringLiteral("jobs — paused"));
        page.queueBox()->setFocus();
        QTest::keyClicks(page.queueBox(), QStringLiteral("jobs"));
        QCOMPARE(page.model()->queue(), QStringLiteral("jobs"));
        QTRY_VERIFY(!notice->text().contains(QStringLiteral("parked")));
        QVERIFY(notice->isVisible());
        QLabel *note = page.findChild<QLabel *>(QStringLiteral("tileNote%1").arg(CounterTilesModel::Backlog));
        QVERIFY(note);
        QCOMPARE(note->text(), QStringLiteral("paused"));

        fx.onBroker([&](Broker &b) { QVERIFY(b.setPaused(QStringLiteral("jobs"), false).ok()); });
        QTRY_VERIFY(!notice->isVisible());
        QCOMPARE(note->text(), QString());
        QCOMPARE(page.queueBox()->itemText(jobs), QStringLiteral("jobs"));
    }

    // The depth chart's read-out is for the time under the mouse, and stays (following the
    // data) while the mouse rests there.
    void depthReadoutIsUnderTheMouse()
    {
        PageOver over;
        for (qint64 s = 1; s <= 60; ++s)
            over.history.addFrames({ frameAt(kT0 + s * 1000, 1) });
        QVERIFY(over.show(ChartDataModel::Range::OneMinute));
        ChartPanel *depth = over.page.depthChart();
        QTRY_VERIFY(depth->isVisible());
        const QRectF plot = depth->chart()->plotArea();
        const QPointF at(plot.left() + plot.width() * 0.75, plot.center().y());
        const QPoint spot = depth->mapFromScene(depth->chart()->mapToScene(at));
        QTest::mouseMove(depth->viewport(), spot);
        const ChartDataModel *model = over.page.model();
        const double t
            = double(model->windowStartMs()) + 0.75 * double(model->windowEndMs() - model->windowStartMs());
        const qint64 bucket = qint64(model->value(model->rowNear(qint64(t)), ChartDataModel::Time));
        const QString expected = QDateTime::fromMSecsSinceEpoch(bucket).toString(QStringLiteral("HH:mm:ss"));
        QTRY_VERIFY2(depth->lastReadout().contains(expected), qPrintable(depth->lastReadout()));
        auto *shown = depth->findChild<QLabel *>(QStringLiteral("chartReadout"));
        QVERIFY(shown);
        QVERIFY(shown->isVisible());
        QVERIFY(shown->geometry().adjusted(-40, -40, 40, 40).contains(spot));

        // New frames come; the read-out is still there, for the time now under the mouse.
        QSignalSpy refreshed(model, &ChartDataModel::refreshed);
        for (qint64 s = 61; s <= 63; ++s)
            over.history.addFrames({ frameAt(kT0 + s * 1000, 1) });
        QVERIFY(refreshed.count() >= 1);
        QVERIFY(shown->isVisible());
        QVERIFY(!depth->lastReadout().isEmpty());
        QVERIFY(depth->lastReadout().contains(QStringLiteral("Ready: 3")));
    }

    // Across idle minutes no line slopes from the last batch to the next: every drawn line's
    // neighbouring points are at most a couple of buckets apart.
    void linesBreakAcrossIdleTime()
    {
        PageOver over;
        for (qint64 s = 1; s <= 300; ++s) {
            const bool busy = s <= 30 || s > 270;
            over.history.addFrames({ frameAt(kT0 + s * 1000, busy ? 2 : 0, busy ? 800 : 0) });
        }
        QVERIFY(over.show(ChartDataModel::Range::FiveMinutes));
        for (ChartPanel *chart : { over.page.throughputChart(), over.page.latencyChart() }) {
            QTRY_VERIFY(chart->isVisible());
            int drawn = 0;
            for (QAbstractSeries *series : chart->chart()->series()) {
                auto *line = qobject_cast<QLineSeries *>(series);
                if (!line)
                    continue;
                const QList<QPointF> points = line->points();
                drawn += int(points.size());
                for (qsizetype i = 1; i < points.size(); ++i)
                    QVERIFY2(points[i].x() - points[i - 1].x() <= 2500,
                        qPrintable(QStringLiteral("%1 spans %2 s")
                                       .arg(line->name())
                                       .arg((points[i].x() - points[i - 1].x()) / 1000)));
            }
            QVERIFY(drawn > 0);
        }
    }

    // A failure rate that jumps every second neither jumps on the chart nor moves its axis;
    // the legend says over how long it is taken.
    void failureRateAxisHoldsStill()
    {
        PageOver over;
        QVERIFY(over.show(ChartDataModel::Range::FiveMinutes));
        ChartPanel *failures = over.page.failuresChart();
        QValueAxis *percent = nullptr;
        double lastTop = 0;
        QList<double> tops;
        for (qint64 s = 1; s <= 40; ++s) {
            MetricsFrame f = frameAt(kT0 + s * 1000, s % 2 ? 2 : 0);
            f.retried = s % 2 ? 0 : 9;
            over.history.addFrames({ f });
            QTRY_VERIFY(failures->isVisible());
            percent = qobject_cast<QValueAxis *>(failures->chart()->axes(Qt::Vertical).value(1));
            QVERIFY(percent);
            QVERIFY2(percent->max() >= lastTop,
                qPrintable(QStringLiteral("axis fell from %1 to %2").arg(lastTop).arg(percent->max())));
            lastTop = percent->max();
            tops.append(lastTop);
        }
        QVERIFY(tops.last() <= 100);
        QVERIFY(namedLine(failures, QStringLiteral("Failure rate (30 s avg)")).size() >= 30);
        // Smoothed: after the first window's worth, the line stays near the true share (9 of 19).
        const QList<QPointF> rate = namedLine(failures, QStringLiteral("Failure rate (30 s avg)"));
        for (qsizetype i = rate.size() - 5; i < rate.size(); ++i)
            QVERIFY2(rate[i].y() > 30 && rate[i].y() < 70, qPrintable(QString::number(rate[i].y())));
        // Another range starts the scale afresh.
        over.page.rangeBox()->setCurrentIndex(int(ChartDataModel::Range::OneMinute));
        QVERIFY(namedLine(failures, QStringLiteral("Failure rate (10 s avg)")).size() > 0);
    }

    // Latency reads in minutes when it runs to minutes; p50 and p95 are told apart by hue;
    // time ticks fall on round times.
    void latencyUnitsColoursAndTicks()
    {
        PageOver over;
        for (qint64 s = 1; s <= 60; ++s)
            over.history.addFrames({ frameAt(kT0 + s * 1000 + 370, 1, 200'000) });
        QVERIFY(over.show(ChartDataModel::Range::OneMinute));
        ChartPanel *latency = over.page.latencyChart();
        QTRY_VERIFY(latency->isVisible());
        QCOMPARE(latency->leftAxis()->titleText(), QStringLiteral("minutes"));
        QVERIFY(latency->leftAxis()->max() <= 10);
        QVERIFY(latency->leftAxis()->max() >= 200'000 / 60'000.0);
        QCOMPARE(lastY(latency->series(ChartDataModel::EndToEndP95)), 200'000 / 60'000.0);
        const QColor p50 = latency->series(ChartDataModel::EndToEndP50)->pen().color();
        const QColor p95 = latency->series(ChartDataModel::EndToEndP95)->pen().color();
        const int hueGap = std::abs(p50.hslHue() - p95.hslHue());
        QVERIFY2(std::min(hueGap, 360 - hueGap) >= 60,
            qPrintable(QStringLiteral("%1 vs %2").arg(p50.name(), p95.name())));
        QVERIFY(latency->readout(kT0 + 50'370).contains(QStringLiteral("3 min 20 s")));

        auto *time = qobject_cast<QCategoryAxis *>(latency->chart()->axes(Qt::Horizontal).value(0));
        QVERIFY(time);
        QVERIFY(time->count() >= 5);
        for (const QString &label : time->categoriesLabels()) {
            const qint64 at = qint64(time->endValue(label));
            QCOMPARE(at % 10'000, 0);
            QCOMPARE(label, QDateTime::fromMSecsSinceEpoch(at).toString(QStringLiteral("HH:mm:ss")));
        }
    }

    // Before anything is sent, the dashboard says how to send something: the endpoint with
    // a curl line to copy, dropping images, and the load generator. The charts come with
    // the first message.
    void firstScreenTeaches()
    {
        RuntimeFixture fx;
        QVERIFY(fx.start(100));
        MetricsHistory history;
        history.attach(fx.runtime.get());
        DashboardPage page(&history);
        page.resize(1200, 800);
        page.show();
        QVERIFY(QTest::qWaitForWindowExposed(&page));
        page.attach(fx.runtime.get());
        QSignalSpy frames(&history, &MetricsHistory::framesAdded);
        QVERIFY(frames.wait(5000));
        auto *welcome = page.findChild<QWidget *>(QStringLiteral("emptyState"));
        QVERIFY(welcome);
        QVERIFY(welcome->isVisible());
        QVERIFY(!page.depthChart()->isVisible());
        auto *command = welcome->findChild<QLabel *>(QStringLiteral("emptyStateCommand"));
        QVERIFY(command && command->isVisible());
        QVERIFY(command->text().startsWith(QStringLiteral("curl -X POST ") + fx.runtime->endpoint()));
        QVERIFY(command->text().contains(QStringLiteral("imageUrl")));
        bool saysDrop = false;
        for (QLabel *label : welcome->findChildren<QLabel *>())
            saysDrop = saysDrop || label->text().contains(QStringLiteral("drop images"));
        QVERIFY(saysDrop);
        auto *copy = welcome->findChild<QPushButton *>(QStringLiteral("emptyStateCopy"));
        QVERIFY(copy);
        QTest::mouseClick(copy, Qt::LeftButton);
        QCOMPARE(QGuiApplication::clipboard()->text(), command->text());
        auto *load = welcome->findChild<QPushButton *>(QStringLiteral("welcomeLoadGenerator"));
        QVERIFY(load);

        fx.onBroker([&](Broker &b) {
            QVERIFY(b.send(QStringLiteral("images"), { SendItem { "\"x\"", ContentType::Json, {} } }, {}, {})
                        .ok());
        });
        QTRY_VERIFY(page.depthChart()->isVisible());
        QVERIFY(!welcome->isVisible());
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
        // Something sent, so the charts are up rather than the first-run welcome.
        fx.onBroker([&](Broker &b) {
            QVERIFY(b.send(QStringLiteral("images"), { SendItem { "\"x\"", ContentType::Json, {} } }, {}, {})
                        .ok());
        });
        QTRY_VERIFY(page.depthChart()->isVisible());
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
        auto *time = qobject_cast<QCategoryAxis *>(page.depthChart()->chart()->axes(Qt::Horizontal).value(0));
        QVERIFY(time);
        QVERIFY(!time->categoriesLabels().isEmpty());
        for (const QString &label : time->categoriesLabels())
            QCOMPARE(label.size(), 5); // HH:mm

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
