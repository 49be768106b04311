#include "statepalette.h"
#include "workerlistmodel.h"
#include "workerlogmodel.h"

#include <QAbstractItemModelTester>
#include <QSignalSpy>
#include <QTest>

using namespace qd;

namespace {

WorkerInfo worker(const QString &name, WorkerState state, const QString &url = {})
{
    WorkerInfo w;
    w.name = name;
    w.path = QStringLiteral("/projects/") + name;
    w.configPath = w.path + QStringLiteral("/wrangler.toml");
    w.state = state;
    w.url = url;
    return w;
}

WorkerLogLine line(const QString &worker, const QString &text, bool error = false)
{
    return WorkerLogLine { 1'700'000'000'000, worker, text, error };
}

} // namespace

class TstWorkerModels : public QObject {
    Q_OBJECT
private slots:
    void listedWorkersKeepTheirRows()
    {
        WorkerListModel model;
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        QSignalSpy inserted(&model, &QAbstractItemModel::rowsInserted);
        QSignalSpy removed(&model, &QAbstractItemModel::rowsRemoved);
        QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);

        WorkerInfo a = worker(QStringLiteral("a"), WorkerState::Starting);
        a.produces = QStringList { QStringLiteral("jobs"), QStringLiteral("mail") };
        a.consumes = QStringList { QStringLiteral("jobs") };
        model.setWorkers({ a, worker(QStringLiteral("b"), WorkerState::Starting) });
        QCOMPARE(model.rowCount(), 2);
        QCOMPARE(inserted.count(), 1);
        QCOMPARE(model.index(0, WorkerListModel::Produces).data().toString(), QStringLiteral("jobs, mail"));
        QCOMPARE(model.index(0, WorkerListModel::Consumes).data().toString(), QStringLiteral("jobs"));
        QCOMPARE(model.index(0, WorkerListModel::State).data().toString(), QStringLiteral("starting"));

        // A change of state changes the row in place.
        a.state = WorkerState::Running;
        a.url = QStringLiteral("http://127.0.0.1:9000/");
        a.restarts = 2;
        model.setWorkers({ a, worker(QStringLiteral("b"), WorkerState::Starting) });
        QCOMPARE(inserted.count(), 1);
        QCOMPARE(removed.count(), 0);
        QCOMPARE(changed.count(), 1);
        QCOMPARE(model.index(0, WorkerListModel::State).data().toString(), QStringLiteral("running"));
        QCOMPARE(model.index(0, WorkerListModel::Url).data().toString(), a.url);
        QCOMPARE(model.index(0, WorkerListModel::Restarts).data().toString(), QStringLiteral("2"));
        QCOMPARE(model.index(0, WorkerListModel::Restarts).data(WorkerListModel::SortRole).toInt(), 2);

        // One gone, one new: the gone one's row goes, the new one is appended.
        model.setWorkers({ worker(QStringLiteral("c"), WorkerState::Error), a });
        QCOMPARE(removed.count(), 1);
        QCOMPARE(model.rowCount(), 2);
        QCOMPARE(model.index(0, 0).data(WorkerListModel::NameRole).toString(), QStringLiteral("a"));
        QCOMPARE(model.index(1, 0).data(WorkerListModel::NameRole).toString(), QStringLiteral("c"));
        QCOMPARE(model.rowOfPath(QStringLiteral("/projects/c")), 1);
        QCOMPARE(model.rowOfPath(QStringLiteral("/projects/b")), -1);

        model.setWorkers({});
        QCOMPARE(model.rowCount(), 0);
    }

    void statesWearTheirColours_data()
    {
        QTest::addColumn<int>("stateValue");
        QTest::addColumn<QColor>("colour");
        QTest::newRow("running") << int(WorkerState::Running) << stateColor(MessageStateKind::Acked);
        QTest::newRow("error") << int(WorkerState::Error) << stateColor(MessageStateKind::Failed);
        QTest::newRow("stopped") << int(WorkerState::Stopped) << QColor(0x8b, 0x8b, 0x8b);
        QTest::newRow("starting") << int(WorkerState::Starting) << QColor();
    }

    void statesWearTheirColours()
    {
        QFETCH(int, stateValue);
        const WorkerState state = WorkerState(stateValue);
        QFETCH(QColor, colour);
        WorkerListModel model;
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        WorkerInfo w = worker(QStringLiteral("a"), state);
        w.error = QStringLiteral("src/index.ts:3:1: ERROR: Unexpected \"}\"");
        model.setWorkers({ w });
        QCOMPARE(model.index(0, WorkerListModel::State).data(Qt::ForegroundRole).value<QColor>(), colour);
        QCOMPARE(model.index(0, WorkerListModel::State).data(Qt::DecorationRole).value<QColor>(), colour);
        QCOMPARE(model.index(0, WorkerListModel::Name).data(Qt::ForegroundRole), QVariant());
        QCOMPARE(model.index(0, 0).data(WorkerListModel::ErrorRole).toString(), w.error);
        QCOMPARE(model.index(0, 0).data(WorkerListModel::StateRole).toInt(), int(state));
    }

    void theLogShowsOneWorkersLinesInOneInsertion()
    {
        WorkerLogModel model;
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        QSignalSpy inserted(&model, &QAbstractItemModel::rowsInserted);
        model.setWorker(QStringLiteral("a"));
        model.append(line(QStringLiteral("a"), QStringLiteral("one")));
        model.append(line(QStringLiteral("b"), QStringLiteral("elsewhere")));
        model.append(line(QStringLiteral("a"), QStringLiteral("two"), true));
        QCOMPARE(model.rowCount(), 0); // buffered until the tick
        QTRY_COMPARE(model.rowCount(), 2);
        QCOMPARE(inserted.count(), 1);
        QCOMPARE(model.index(0).data(WorkerLogModel::TextRole).toString(), QStringLiteral("one"));
        QVERIFY(model.index(1).data().toString().endsWith(QStringLiteral("  two")));
        QCOMPARE(model.index(0).data(Qt::ForegroundRole), QVariant());
        QCOMPARE(
            model.index(1).data(Qt::ForegroundRole).value<QColor>(), stateColor(MessageStateKind::Failed));
        QCOMPARE(model.index(1).data(WorkerLogModel::ErrorRole).toBool(), true);

        model.setWorker(QStringLiteral("b"));
        QCOMPARE(model.rowCount(), 1);
        QCOMPARE(model.index(0).data(WorkerLogModel::TextRole).toString(), QStringLiteral("elsewhere"));

        model.clear();
        QCOMPARE(model.rowCount(), 0);
        QCOMPARE(model.lineCount(QStringLiteral("b")), 0);
        QCOMPARE(model.lineCount(QStringLiteral("a")), 2);
    }

    // A Worker that prints in a loop keeps only its newest lines, shown or not.
    void theLogIsBounded()
    {
        WorkerLogModel model;
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        model.setWorker(QStringLiteral("a"));
        const int extra = 250;
        for (int i = 0; i < WorkerLogModel::kDefaultMaxLines + extra; ++i) {
            model.append(line(QStringLiteral("a"), QString::number(i)));
            model.append(line(QStringLiteral("b"), QString::number(i)));
            if (i % 1000 == 0)
                model.flush();
        }
        model.flush();
        QCOMPARE(model.rowCount(), WorkerLogModel::kDefaultMaxLines);
        QCOMPARE(model.index(0).data(WorkerLogModel::TextRole).toString(), QString::number(extra));
        QCOMPARE(model.index(model.rowCount() - 1).data(WorkerLogModel::TextRole).toString(),
            QString::number(WorkerLogModel::kDefaultMaxLines + extra - 1));
        QCOMPARE(model.lineCount(QStringLiteral("b")), WorkerLogModel::kDefaultMaxLines);

        model.setMaxLines(10);
        QCOMPARE(model.rowCount(), 10);
        QCOMPARE(model.lineCount(QStringLiteral("b")), 10);
    }
};

QTEST_MAIN(TstWorkerModels)
#include "tst_workermodels.moc"
