#include "queuetablemodel.h"
#include "statepalette.h"

#include <QAbstractItemModelTester>
#include <QSignalSpy>
#include <QTest>

using namespace qd;

class TstQueueTableModel : public QObject {
    Q_OBJECT
private slots:
    void rowsFollowSnapshots()
    {
        QueueTableModel model;
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        QSignalSpy queuesChanged(&model, &QueueTableModel::queuesChanged);
        QueueSnapshot a;
        a.name = QStringLiteral("images");
        a.counts.ready = 1234;
        a.settings.deadLetterQueue = QStringLiteral("dlq");
        QueueSnapshot b;
        b.name = QStringLiteral("dlq");
        b.counts.failed = 7;
        b.settings.paused = true;
        b.settings.consumerType = ConsumerType::HttpPull;
        model.setSnapshot({ a, b });
        QCOMPARE(queuesChanged.count(), 1);
        QCOMPARE(model.rowCount(), 2);
        QCOMPARE(model.columnCount(), int(QueueTableModel::ColumnCount));
        QCOMPARE(
            model.data(model.index(0, QueueTableModel::Ready), QueueTableModel::SortRole).toLongLong(), 1234);
        QCOMPARE(
            model.data(model.index(1, QueueTableModel::Failed), QueueTableModel::SortRole).toLongLong(), 7);
        QCOMPARE(model.data(model.index(1, QueueTableModel::Delivery)).toString(), QStringLiteral("paused"));
        QCOMPARE(
            model.data(model.index(1, QueueTableModel::Consumer)).toString(), QStringLiteral("http_pull"));
        QCOMPARE(
            model.data(model.index(0, QueueTableModel::DeadLetterQueue)).toString(), QStringLiteral("dlq"));
        QVERIFY(model.data(model.index(1, 0), QueueTableModel::PausedRole).toBool());
        QCOMPARE(model.names(), (QStringList { QStringLiteral("images"), QStringLiteral("dlq") }));
        QCOMPARE(model.queue(QStringLiteral("dlq"))->counts.failed, 7);

        // Same queues: values change in place with one dataChanged and no reset.
        QSignalSpy resets(&model, &QAbstractItemModel::modelReset);
        QSignalSpy changes(&model, &QAbstractItemModel::dataChanged);
        a.counts.ready = 5;
        model.setSnapshot({ a, b });
        QCOMPARE(resets.count(), 0);
        QCOMPARE(changes.count(), 1);
        QCOMPARE(queuesChanged.count(), 1);
        QCOMPARE(model.data(model.index(0, QueueTableModel::Ready)).toString(), QLocale().toString(5));

        model.setSnapshot({ b });
        QCOMPARE(model.rowCount(), 1);
        QCOMPARE(model.data(model.index(0, QueueTableModel::Name)).toString(), QStringLiteral("dlq"));
        QCOMPARE(queuesChanged.count(), 2);
    }

    // A paused queue's delivery and a queue's waiting failures wear the state palette's
    // colours, as the dashboard's notice and Failed tile do; a running queue with no
    // failures keeps the view's own text colour.
    void pausedAndFailedStandOutInStateColours()
    {
        QueueTableModel model;
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        QueueSnapshot fine;
        fine.name = QStringLiteral("images");
        QueueSnapshot held;
        held.name = QStringLiteral("exports");
        held.settings.paused = true;
        held.counts.failed = 3;
        model.setSnapshot({ fine, held });
        QCOMPARE(model.data(model.index(1, QueueTableModel::Delivery), Qt::ForegroundRole).value<QColor>(),
            stateColor(MessageStateKind::Retried, false));
        QCOMPARE(model.data(model.index(1, QueueTableModel::Failed), Qt::ForegroundRole).value<QColor>(),
            stateColor(MessageStateKind::Failed, false));
        QVERIFY(!model.data(model.index(0, QueueTableModel::Delivery), Qt::ForegroundRole).isValid());
        QVERIFY(!model.data(model.index(0, QueueTableModel::Failed), Qt::ForegroundRole).isValid());
    }

    void ackedPerSecondFromCounterGrowth()
    {
        QueueTableModel model;
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        QueueSnapshot q;
        q.name = QStringLiteral("q");
        q.takenAtMs = 10'000;
        q.counters.acked = 100;
        model.setSnapshot({ q });
        QCOMPARE(
            model.data(model.index(0, QueueTableModel::AckedPerSecond), QueueTableModel::SortRole).toDouble(),
            0.0);
        q.takenAtMs = 10'500;
        q.counters.acked = 350;
        model.setSnapshot({ q });
        QCOMPARE(
            model.data(model.index(0, QueueTableModel::AckedPerSecond), QueueTableModel::SortRole).toDouble(),
            500.0);
    }
};

QTEST_GUILESS_MAIN(TstQueueTableModel)
#include "tst_queuetablemodel.moc"
