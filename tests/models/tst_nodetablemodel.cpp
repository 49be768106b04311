#include "nodetablemodel.h"

#include <QAbstractItemModelTester>
#include <QColor>
#include <QSignalSpy>
#include <QTest>

using namespace qd;

namespace {

constexpr qint64 kNow = 1'700'000'000'000;

NodeInfo makeNode(qint64 id, qint64 pid, const QString &endpoint = {})
{
    NodeInfo n;
    n.id = id;
    n.host = QStringLiteral("worker");
    n.pid = pid;
    n.endpoint = endpoint.isEmpty() ? QStringLiteral("http://127.0.0.1:%1/").arg(8000 + id) : endpoint;
    n.startedMs = kNow - 5 * 60'000;
    n.heartbeatMs = kNow - 400;
    n.timeoutMs = 10'000;
    return n;
}

QList<qint64> idsOf(const NodeTableModel &model)
{
    QList<qint64> ids;
    for (int row = 0; row < model.rowCount(); ++row)
        ids.append(model.index(row, 0).data(NodeTableModel::NodeIdRole).toLongLong());
    return ids;
}

QString text(const NodeTableModel &model, int row, NodeTableModel::Column column)
{
    return model.index(row, column).data().toString();
}

} // namespace

class TstNodeTableModel : public QObject {
    Q_OBJECT
private slots:
    void columnsShowOneNode()
    {
        ManualClock clock(kNow);
        NodeTableModel model;
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        model.setClock(&clock);
        QCOMPARE(model.columnCount(), int(NodeTableModel::ColumnCount));
        QCOMPARE(model.rowCount(), 0);

        NodeInfo n = makeNode(7, 4242);
        n.startedMs = kNow - (2 * 3600 + 5 * 60 + 12) * 1000LL;
        n.batchesInFlight = 3;
        n.acked = 1'234'567;
        n.throughput = 2.5;
        model.setNodes({ n });
        QCOMPARE(model.rowCount(), 1);
        QCOMPARE(text(model, 0, NodeTableModel::Node), QStringLiteral("worker:4242"));
        QCOMPARE(text(model, 0, NodeTableModel::Endpoint), QStringLiteral("http://127.0.0.1:8007/"));
        QCOMPARE(text(model, 0, NodeTableModel::Uptime), QStringLiteral("2 h 5 min"));
        QCOMPARE(text(model, 0, NodeTableModel::BatchesInFlight), QStringLiteral("3"));
        QCOMPARE(text(model, 0, NodeTableModel::Throughput), QStringLiteral("2.5 msg/s"));
        QCOMPARE(text(model, 0, NodeTableModel::Acked), QLocale().toString(1'234'567));
        QCOMPARE(text(model, 0, NodeTableModel::Status), QStringLiteral("alive"));
        QVERIFY(!model.index(0, NodeTableModel::Status).data(Qt::ForegroundRole).isValid());
        // Raw values for sorting.
        QCOMPARE(
            model.index(0, NodeTableModel::Acked).data(NodeTableModel::SortRole).toLongLong(), 1'234'567);
        QCOMPARE(model.index(0, NodeTableModel::Throughput).data(NodeTableModel::SortRole).toDouble(), 2.5);
        QCOMPARE(model.index(0, NodeTableModel::Uptime).data(NodeTableModel::SortRole).toLongLong(),
            (2 * 3600 + 5 * 60 + 12) * 1000LL);
        QCOMPARE(
            model.headerData(NodeTableModel::Uptime, Qt::Horizontal).toString(), QStringLiteral("Up for"));
        QCOMPARE(
            model.headerData(NodeTableModel::Status, Qt::Horizontal).toString(), QStringLiteral("Status"));
        QCOMPARE(model.node(7)->acked, 1'234'567);
        QVERIFY(!model.node(8));

        // Uptime follows the clock at the next list.
        clock.advanceMs(55 * 60'000);
        model.setNodes({ n });
        QCOMPARE(text(model, 0, NodeTableModel::Uptime), QStringLiteral("3 h"));
    }

    void uptimeReadsLikeAPerson_data()
    {
        QTest::addColumn<qint64>("ms");
        QTest::addColumn<QString>("expected");
        QTest::newRow("just started") << qint64(400) << QStringLiteral("0 s");
        QTest::newRow("seconds") << qint64(45'900) << QStringLiteral("45 s");
        QTest::newRow("minutes") << qint64(3 * 60'000 + 59'000) << QStringLiteral("3 min");
        QTest::newRow("whole hour") << qint64(3600'000) << QStringLiteral("1 h");
        QTest::newRow("hours") << qint64((2 * 60 + 5) * 60'000) << QStringLiteral("2 h 5 min");
        QTest::newRow("days") << qint64((4 * 24 + 2) * 3600'000LL) << QStringLiteral("4 d 2 h");
        QTest::newRow("clock behind") << qint64(-5000) << QStringLiteral("0 s");
    }

    void uptimeReadsLikeAPerson()
    {
        QFETCH(qint64, ms);
        QFETCH(QString, expected);
        QCOMPARE(NodeTableModel::formatUptime(ms), expected);
    }

    void rowsKeepTheirNodeAcrossLists()
    {
        ManualClock clock(kNow);
        NodeTableModel model;
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        model.setClock(&clock);
        model.setNodes({ makeNode(1, 101), makeNode(2, 102), makeNode(3, 103) });
        QCOMPARE(idsOf(model), (QList<qint64> { 1, 2, 3 }));
        const QPersistentModelIndex three = model.index(2, NodeTableModel::Acked);

        QSignalSpy resets(&model, &QAbstractItemModel::modelReset);
        QSignalSpy removed(&model, &QAbstractItemModel::rowsRemoved);
        QSignalSpy inserted(&model, &QAbstractItemModel::rowsInserted);
        QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);
        QSignalSpy nodesChanged(&model, &NodeTableModel::nodesChanged);

        // Node 2 goes, node 4 comes, node 3 has acked more.
        NodeInfo busier = makeNode(3, 103);
        busier.acked = 50;
        model.setNodes({ makeNode(1, 101), busier, makeNode(4, 104) });
        QCOMPARE(idsOf(model), (QList<qint64> { 1, 3, 4 }));
        QCOMPARE(resets.count(), 0);
        QCOMPARE(removed.count(), 1);
        QCOMPARE(removed.at(0).at(1).toInt(), 1);
        QCOMPARE(removed.at(0).at(2).toInt(), 1);
        QCOMPARE(inserted.count(), 1);
        QCOMPARE(inserted.at(0).at(1).toInt(), 2);
        QCOMPARE(inserted.at(0).at(2).toInt(), 2);
        QCOMPARE(nodesChanged.count(), 1);
        // The persistent index followed node 3 to its new row, and shows its new count.
        QVERIFY(three.isValid());
        QCOMPARE(three.row(), 1);
        QCOMPARE(three.data(NodeTableModel::NodeIdRole).toLongLong(), 3);
        QCOMPARE(three.data().toString(), QStringLiteral("50"));
        QCOMPARE(text(model, 2, NodeTableModel::Node), QStringLiteral("worker:104"));

        // Same nodes, new numbers: one ranged dataChanged over every row, nothing else.
        removed.clear();
        inserted.clear();
        changed.clear();
        nodesChanged.clear();
        busier.acked = 75;
        busier.batchesInFlight = 2;
        model.setNodes({ makeNode(1, 101), busier, makeNode(4, 104) });
        QCOMPARE(removed.count(), 0);
        QCOMPARE(inserted.count(), 0);
        QCOMPARE(resets.count(), 0);
        QCOMPARE(nodesChanged.count(), 0);
        QCOMPARE(changed.count(), 1);
        QCOMPARE(changed.at(0).at(0).toModelIndex(), model.index(0, 0));
        QCOMPARE(changed.at(0).at(1).toModelIndex(), model.index(2, NodeTableModel::ColumnCount - 1));
        QCOMPARE(three.row(), 1);
        QCOMPARE(three.data().toString(), QStringLiteral("75"));
        QCOMPARE(text(model, 1, NodeTableModel::BatchesInFlight), QStringLiteral("2"));
    }

    void goneNodesLeaveInRuns()
    {
        NodeTableModel model;
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        QList<NodeInfo> five;
        for (qint64 id = 1; id <= 5; ++id)
            five.append(makeNode(id, 100 + id));
        model.setNodes(five);
        QSignalSpy removed(&model, &QAbstractItemModel::rowsRemoved);

        // Two nodes apart: two removals, bottom first so the rows named stay right.
        model.setNodes({ five[0], five[2], five[4] });
        QCOMPARE(idsOf(model), (QList<qint64> { 1, 3, 5 }));
        QCOMPARE(removed.count(), 2);
        QCOMPARE(removed.at(0).at(1).toInt(), 3);
        QCOMPARE(removed.at(1).at(1).toInt(), 1);

        // Two neighbours: one removal of both rows.
        removed.clear();
        model.setNodes({ five[4] });
        QCOMPARE(idsOf(model), (QList<qint64> { 5 }));
        QCOMPARE(removed.count(), 1);
        QCOMPARE(removed.at(0).at(1).toInt(), 0);
        QCOMPARE(removed.at(0).at(2).toInt(), 1);

        model.setNodes({});
        QCOMPARE(model.rowCount(), 0);
        QCOMPARE(model.aliveCount(), 0);
    }

    void silentNodesAreGreyedWithTheirSilence()
    {
        ManualClock clock(kNow);
        NodeTableModel model;
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        model.setClock(&clock);
        NodeInfo quiet = makeNode(2, 202);
        model.setNodes({ makeNode(1, 201), quiet });
        QCOMPARE(model.aliveCount(), 2);
        QSignalSpy nodesChanged(&model, &NodeTableModel::nodesChanged);

        quiet.heartbeatMs = kNow - 12'300;
        quiet.silentMs = 12'300; // by the database's clock
        quiet.alive = false;
        model.setNodes({ makeNode(1, 201), quiet });
        QCOMPARE(nodesChanged.count(), 1); // the heading's count of serving nodes moves
        QCOMPARE(model.aliveCount(), 1);
        QCOMPARE(text(model, 1, NodeTableModel::Status), QStringLiteral("no heartbeat for 12 s"));
        QVERIFY(!model.index(1, 0).data(NodeTableModel::AliveRole).toBool());
        QVERIFY(model.index(0, 0).data(NodeTableModel::AliveRole).toBool());
        // The whole row is greyed, the living one is not.
        for (int column = 0; column < NodeTableModel::ColumnCount; ++column) {
            QVERIFY(model.index(1, column).data(Qt::ForegroundRole).value<QColor>().isValid());
            QVERIFY(!model.index(0, column).data(Qt::ForegroundRole).isValid());
        }
        QVERIFY(model.index(1, NodeTableModel::Status).data(NodeTableModel::SortRole).toLongLong() > 0);

        // The silence grows with each list, in minutes once it is long.
        clock.advanceMs(3 * 60'000);
        quiet.silentMs += 3 * 60'000;
        model.setNodes({ makeNode(1, 201), quiet });
        QCOMPARE(nodesChanged.count(), 1);
        QCOMPARE(text(model, 1, NodeTableModel::Status), QStringLiteral("no heartbeat for 3 min"));
        // Its uptime stops at its last heartbeat; the living node's goes on.
        QCOMPARE(text(model, 1, NodeTableModel::Uptime), QStringLiteral("4 min"));
        QCOMPARE(text(model, 0, NodeTableModel::Uptime), QStringLiteral("8 min"));

        // Back again: alive, no longer grey.
        quiet.heartbeatMs = clock.nowMs();
        quiet.alive = true;
        model.setNodes({ makeNode(1, 201), quiet });
        QCOMPARE(nodesChanged.count(), 2);
        QCOMPARE(text(model, 1, NodeTableModel::Status), QStringLiteral("alive"));
        QVERIFY(!model.index(1, 0).data(Qt::ForegroundRole).isValid());
    }

    void thisRuntimeIsNamedSo()
    {
        NodeTableModel model;
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);

        // A local store lists this process alone, without a row id.
        NodeInfo local = makeNode(0, 555);
        model.setNodes({ local });
        QCOMPARE(text(model, 0, NodeTableModel::Node), QStringLiteral("this runtime"));
        QVERIFY(model.index(0, 0).data(NodeTableModel::LocalRole).toBool());
        QCOMPARE(model.index(0, NodeTableModel::Node).data(Qt::ToolTipRole).toString(),
            QStringLiteral("worker:555"));

        // A shared store: two runtimes in one process, told apart by their endpoints.
        const QList<NodeInfo> shared { makeNode(1, 555, QStringLiteral("http://127.0.0.1:9001/")),
            makeNode(2, 555, QStringLiteral("http://127.0.0.1:9002/")), makeNode(3, 777) };
        model.setNodes(shared);
        QCOMPARE(text(model, 0, NodeTableModel::Node), QStringLiteral("worker:555"));
        QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);
        model.setLocalProcess(QStringLiteral("worker"), 555, QStringLiteral("http://127.0.0.1:9002/"));
        QCOMPARE(changed.count(), 1); // the names are shown again
        QCOMPARE(text(model, 0, NodeTableModel::Node), QStringLiteral("worker:555"));
        QCOMPARE(text(model, 1, NodeTableModel::Node), QStringLiteral("this runtime"));
        QCOMPARE(text(model, 2, NodeTableModel::Node), QStringLiteral("worker:777"));
        QVERIFY(model.index(1, 0).data(NodeTableModel::LocalRole).toBool());
        QVERIFY(!model.index(2, 0).data(NodeTableModel::LocalRole).toBool());
        QVERIFY(model.index(1, NodeTableModel::Node)
                    .data(Qt::ToolTipRole)
                    .toString()
                    .contains(QStringLiteral("node 2")));

        // Before its first heartbeat a row has no endpoint yet: host and pid decide.
        QList<NodeInfo> fresh = shared;
        fresh[1].endpoint.clear();
        model.setNodes(fresh);
        QCOMPARE(text(model, 1, NodeTableModel::Node), QStringLiteral("this runtime"));
        QCOMPARE(text(model, 2, NodeTableModel::Node), QStringLiteral("worker:777"));
        model.setNodes(shared);

        // Known by host and pid alone, every runtime of the process is this one.
        model.setLocalProcess(QStringLiteral("worker"), 555);
        QCOMPARE(text(model, 0, NodeTableModel::Node), QStringLiteral("this runtime"));
        QCOMPARE(text(model, 1, NodeTableModel::Node), QStringLiteral("this runtime"));
        QCOMPARE(text(model, 2, NodeTableModel::Node), QStringLiteral("worker:777"));
    }
};

QTEST_GUILESS_MAIN(TstNodeTableModel)
#include "tst_nodetablemodel.moc"
