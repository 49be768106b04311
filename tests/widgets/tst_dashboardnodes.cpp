// The dashboard's nodes table over real runtimes: this one alone on its SQLite file, and with
// QUEUEDECK_TEST_STORE set, two runtimes sharing a fresh schema of that PostgreSQL database.
#include "broker.h"
#include "chartpanel.h"
#include "consumer.h"
#include "dashboardpage.h"
#include "metricshistory.h"
#include "nodespanel.h"
#include "nodetablemodel.h"
#include "runtime.h"
#include "runtimefixture.h"

#include <QHeaderView>
#include <QHostInfo>
#include <QLabel>
#include <QRandomGenerator>
#include <QSignalSpy>
#include <QTableView>
#include <QTest>

using namespace qd;
using namespace qdtest;

namespace {

// With QUEUEDECK_TEST_STORE (a PostgreSQL URL): a schema of this test's own in that database,
// so it starts with no nodes but its own. Without it: empty, the runtime's SQLite file.
QString freshStoreSpec()
{
    const QString url = qEnvironmentVariable("QUEUEDECK_TEST_STORE");
    if (url.isEmpty())
        return {};
    QString schema = QStringLiteral("nodes_");
    for (int i = 0; i < 12; ++i)
        schema += QLatin1Char("0123456789abcdef"[QRandomGenerator::global()->bounded(16)]);
    return url + (url.contains(QLatin1Char('?')) ? QLatin1Char('&') : QLatin1Char('?'))
        + QStringLiteral("schema=") + schema;
}

std::unique_ptr<Runtime> startRuntime(const QTemporaryDir &dir, const QString &name, const QString &store)
{
    RuntimeOptions options;
    options.dataDir = dir.filePath(name);
    options.store = store;
    options.port = 0;
    options.sampleIntervalMs = 250;
    auto runtime = std::make_unique<Runtime>(options);
    QString error;
    if (!runtime->start(&error)) {
        qWarning("runtime: %s", qPrintable(error));
        return nullptr;
    }
    return runtime;
}

QString cell(NodeTableModel *model, int row, NodeTableModel::Column column)
{
    return model->index(row, column).data().toString();
}

// Every cell of the row is on screen whole: inside the viewport and as wide as its text.
void verifyRowShown(QTableView *table, int row)
{
    const QRect viewport = table->viewport()->rect();
    for (int column = 0; column < table->model()->columnCount(); ++column) {
        const QModelIndex index = table->model()->index(row, column);
        const QRect rect = table->visualRect(index);
        QVERIFY2(viewport.contains(rect), qPrintable(QStringLiteral("column %1 is cut off").arg(column)));
        const int textWidth = table->fontMetrics().horizontalAdvance(index.data().toString());
        QVERIFY2(rect.width() > textWidth,
            qPrintable(
                QStringLiteral("column %1 is narrower than %2").arg(column).arg(index.data().toString())));
    }
}

} // namespace

class TstDashboardNodes : public QObject {
    Q_OBJECT
private slots:
    void initTestCase() { isolateSettings(); }

    void showsThisRuntime()
    {
        QTemporaryDir dir;
        const QString spec = freshStoreSpec();
        const bool shared = !spec.isEmpty();
        std::unique_ptr<Runtime> runtime = startRuntime(dir, QStringLiteral("a"), spec);
        QVERIFY(runtime);
        QCOMPARE(runtime->sharedStore(), shared);

        MetricsHistory history;
        history.attach(runtime.get());
        DashboardPage page(&history);
        page.resize(1200, 800);
        page.show();
        QVERIFY(QTest::qWaitForWindowExposed(&page));
        // As in the window: the page is laid out, with an empty table, before the first list.
        QCOMPARE(page.nodes()->rowCount(), 0);
        page.attach(runtime.get());

        NodeTableModel *nodes = page.nodes();
        QTableView *table = page.nodesPanel()->table();
        QCOMPARE(table->model(), nodes);
        QTRY_COMPARE(nodes->rowCount(), 1);
        // A shared store's row has its endpoint from the node's first heartbeat on.
        QTRY_COMPARE(cell(nodes, 0, NodeTableModel::Endpoint), runtime->endpoint());
        QCOMPARE(cell(nodes, 0, NodeTableModel::Node), QStringLiteral("this runtime"));
        QTRY_COMPARE(cell(nodes, 0, NodeTableModel::Status), QStringLiteral("alive"));
        QVERIFY(nodes->index(0, 0).data(NodeTableModel::LocalRole).toBool());
        QVERIFY(!cell(nodes, 0, NodeTableModel::Uptime).isEmpty());
        QCOMPARE(cell(nodes, 0, NodeTableModel::BatchesInFlight), QStringLiteral("0"));

        const QString heading = page.nodesPanel()->heading()->text();
        if (shared)
            QCOMPARE(heading, QStringLiteral("Nodes — 1 serving %1").arg(displayStoreSpec(spec)));
        else
            QCOMPARE(heading, QStringLiteral("This runtime — SQLite store %1").arg(runtime->storePath()));

        // Under the charts, every cell of the row readable without scrolling.
        QVERIFY(table->isVisible());
        const QWidget *latency = page.latencyChart();
        QVERIFY(page.nodesPanel()->mapTo(&page, QPoint(0, 0)).y()
            >= latency->mapTo(&page, QPoint(0, latency->height())).y());
        QTRY_VERIFY(table->horizontalHeader()->sectionSize(NodeTableModel::Endpoint)
            > table->fontMetrics().horizontalAdvance(runtime->endpoint()));
        verifyRowShown(table, 0);
    }

    // With a store of its own, the node's throughput is its acks per second, as the Acked/s
    // tile counts them: not 0 while its own Acked column climbs.
    void throughputFollowsAcks()
    {
        QTemporaryDir dir;
        std::unique_ptr<Runtime> runtime = startRuntime(dir, QStringLiteral("a"), QString());
        QVERIFY(runtime);
        QMetaObject::invokeMethod(
            runtime->broker(),
            [&] {
                Broker &b = *runtime->broker();
                QueueSettings s;
                s.maxBatchTimeoutMs = 0;
                b.createQueue(QStringLiteral("jobs"), s);
                b.attachConsumer(QStringLiteral("jobs"),
                    std::make_shared<FunctionConsumer>([](const Delivery &, BatchOutcome &) {}));
            },
            Qt::BlockingQueuedConnection);
        MetricsHistory history;
        history.attach(runtime.get());
        DashboardPage page(&history);
        page.resize(1200, 800);
        page.show();
        QVERIFY(QTest::qWaitForWindowExposed(&page));
        page.attach(runtime.get());
        NodeTableModel *nodes = page.nodes();
        QTRY_COMPARE(nodes->rowCount(), 1);

        const auto sendSome = [&] {
            QMetaObject::invokeMethod(
                runtime->broker(),
                [&] {
                    std::vector<SendItem> items;
                    for (int i = 0; i < 100; ++i)
                        items.push_back(SendItem { "\"x\"", ContentType::Json, {} });
                    runtime->broker()->send(QStringLiteral("jobs"), std::move(items), {}, {});
                },
                Qt::BlockingQueuedConnection);
        };
        sendSome();
        QTRY_VERIFY(
            nodes->index(0, NodeTableModel::Acked).data(NodeTableModel::SortRole).toLongLong() >= 100);
        sendSome();
        QTRY_VERIFY(
            nodes->index(0, NodeTableModel::Throughput).data(NodeTableModel::SortRole).toDouble() > 0);
        QVERIFY(cell(nodes, 0, NodeTableModel::Throughput) != QStringLiteral("0 msg/s"));
    }

    void followsNodesSharingTheStore()
    {
        QTemporaryDir dir;
        const QString spec = freshStoreSpec();
        std::unique_ptr<Runtime> mine = startRuntime(dir, QStringLiteral("a"), spec);
        QVERIFY(mine);
        std::unique_ptr<Runtime> other = startRuntime(dir, QStringLiteral("b"), spec);
        QVERIFY(other);
        if (spec.isEmpty()) {
            // Two runtimes on SQLite files of their own: each lists itself alone, however
            // many lists come.
            MetricsHistory history;
            DashboardPage page(&history);
            page.attach(mine.get());
            QSignalSpy lists(mine.get(), &Runtime::nodes);
            QTRY_VERIFY(lists.count() >= 3);
            QCOMPARE(page.nodes()->rowCount(), 1);
            QCOMPARE(cell(page.nodes(), 0, NodeTableModel::Endpoint), mine->endpoint());
            QCOMPARE(cell(page.nodes(), 0, NodeTableModel::Node), QStringLiteral("this runtime"));
            return;
        }

        MetricsHistory history;
        DashboardPage page(&history);
        page.attach(mine.get());
        page.resize(1200, 800);
        page.show();
        QVERIFY(QTest::qWaitForWindowExposed(&page));

        NodeTableModel *nodes = page.nodes();
        QTRY_COMPARE(nodes->rowCount(), 2);
        QTRY_COMPARE(nodes->aliveCount(), 2);
        QTRY_COMPARE(cell(nodes, 1, NodeTableModel::Endpoint), other->endpoint());
        QCOMPARE(page.nodesPanel()->heading()->text(),
            QStringLiteral("Nodes — 2 serving %1").arg(displayStoreSpec(spec)));
        // Rows by node id: the first runtime registered first.
        QCOMPARE(cell(nodes, 0, NodeTableModel::Node), QStringLiteral("this runtime"));
        QCOMPARE(cell(nodes, 0, NodeTableModel::Endpoint), mine->endpoint());
        QCOMPARE(cell(nodes, 1, NodeTableModel::Node),
            QHostInfo::localHostName() + QLatin1Char(':')
                + QString::number(QCoreApplication::applicationPid()));
        verifyRowShown(page.nodesPanel()->table(), 0);
        verifyRowShown(page.nodesPanel()->table(), 1);
        const QPersistentModelIndex mineRow = nodes->index(0, NodeTableModel::Endpoint);
        const int twoRowsHigh = page.nodesPanel()->table()->height();

        // The other node leaves on purpose: its row goes, this one's stays where it is.
        other->stop();
        other.reset();
        QTRY_COMPARE(nodes->rowCount(), 1);
        QVERIFY(mineRow.isValid());
        QCOMPARE(mineRow.row(), 0);
        QCOMPARE(mineRow.data().toString(), mine->endpoint());
        QCOMPARE(page.nodesPanel()->heading()->text(),
            QStringLiteral("Nodes — 1 serving %1").arg(displayStoreSpec(spec)));
        QVERIFY(page.nodesPanel()->table()->height() < twoRowsHigh); // no empty row left behind
    }
};

QTEST_MAIN(TstDashboardNodes)
#include "tst_dashboardnodes.moc"
