#include "queuetablemodel.h"

#include <QAbstractItemModelTester>
#include <QSignalSpy>
#include <QTest>

using namespace qd;

class TstQueueTableModel : public QObject
{
    Q_OBJECT
private slots:
    void rowsFollowSnapshots()
    {
        QueueTableModel model;
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        QueueSnapshot a;
        a.name = QStringLiteral("images");
        a.counts.ready = 1234;
        QueueSnapshot b;
        b.name = QStringLiteral("dlq");
        b.counts.failed = 7;
        model.setSnapshot({ a, b });
        QCOMPARE(model.rowCount(), 2);
        QCOMPARE(model.data(model.index(0, QueueTableModel::Ready), QueueTableModel::SortRole).toLongLong(), 1234);
        QCOMPARE(model.data(model.index(1, QueueTableModel::Failed), QueueTableModel::SortRole).toLongLong(), 7);

        // Same queues: values change in place with one dataChanged and no reset.
        QSignalSpy resets(&model, &QAbstractItemModel::modelReset);
        QSignalSpy changes(&model, &QAbstractItemModel::dataChanged);
        a.counts.ready = 5;
        model.setSnapshot({ a, b });
        QCOMPARE(resets.count(), 0);
        QCOMPARE(changes.count(), 1);
        QCOMPARE(model.data(model.index(0, QueueTableModel::Ready)).toString(), QLocale().toString(5));

        model.setSnapshot({ b });
        QCOMPARE(model.rowCount(), 1);
        QCOMPARE(model.data(model.index(0, QueueTableModel::Name)).toString(), QStringLiteral("dlq"));
    }
};

QTEST_GUILESS_MAIN(TstQueueTableModel)
#include "tst_queuetablemodel.moc"
