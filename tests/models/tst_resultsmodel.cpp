#include "metricsformat.h"
#include "resultsmodel.h"
#include "runtime.h"

#include <QAbstractItemModelTester>
#include <QBuffer>
#include <QImage>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

using namespace qd;

// The results gallery's model: a lazy window over thousands of rows in a real store.
class TstResultsModel : public QObject {
    Q_OBJECT

    QTemporaryDir m_dir;
    std::unique_ptr<Runtime> m_runtime;
    int m_next = 0;

    // Rows as the image consumer writes them, committed before this returns.
    void addResults(int count, const QString &user, Runtime *runtime = nullptr, qint64 fetchMs = 3)
    {
        if (!runtime)
            runtime = m_runtime.get();
        QImage thumb(16, 12, QImage::Format_RGB32);
        thumb.fill(Qt::darkCyan);
        QByteArray png;
        QBuffer buffer(&png);
        buffer.open(QIODevice::WriteOnly);
        thumb.save(&buffer, "PNG");
        std::vector<ImageResult> rows;
        for (int i = 0; i < count; ++i) {
            ImageResult r;
            r.messageSeq = ++m_next;
            r.messageId = QStringLiteral("%1").arg(m_next, 32, 10, QLatin1Char('0'));
            r.queueId = 1;
            r.userId = user;
            r.url = QStringLiteral("https://example.com/photo-%1.jpg").arg(m_next);
            r.mime = QStringLiteral("image/jpeg");
            r.format = QStringLiteral("jpeg");
            r.width = 100 + m_next;
            r.height = 50;
            r.bytes = 1000 + m_next;
            r.thumbnail = png;
            r.fetchMs = fetchMs;
            r.decodeMs = 4;
            r.createdMs = 1'700'000'000'000 + m_next;
            rows.push_back(r);
        }
        bool done = false;
        Broker *broker = runtime->broker();
        QMetaObject::invokeMethod(
            broker,
            [&] {
                broker->store()->insertResults(rows);
                QString error;
                done = broker->store()->commit(&error);
            },
            Qt::BlockingQueuedConnection);
        QVERIFY(done);
    }

private slots:
    void initTestCase()
    {
        RuntimeOptions options;
        options.dataDir = m_dir.path();
        options.port = 0;
        m_runtime = std::make_unique<Runtime>(options);
        QString error;
        QVERIFY2(m_runtime->start(&error), qPrintable(error));
        addResults(2000, QStringLiteral("alice"));
        addResults(500, QStringLiteral("bob"));
    }

    void cleanupTestCase() { m_runtime.reset(); }

    // A slow result's time reads as every other duration in the window does (the tiles, the
    // charts, the detail pane): one formatter.
    void processingTimeReadsLikeEveryDuration()
    {
        QTemporaryDir dir;
        RuntimeOptions options;
        options.dataDir = dir.path();
        options.port = 0;
        Runtime runtime(options);
        QString error;
        QVERIFY2(runtime.start(&error), qPrintable(error));
        addResults(1, QStringLiteral("carol"), &runtime, 12'341);
        ResultsModel model(&runtime);
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        QTRY_COMPARE(model.rowCount(), 1);
        QTRY_VERIFY(model.data(model.index(0, ResultsModel::Image), ResultsModel::LoadedRole).toBool());
        const QString text = model.data(model.index(0, ResultsModel::ProcessingTime)).toString();
        QCOMPARE(text, formatDuration(12'345));
        QCOMPARE(text, QStringLiteral("12 s"));
    }

    void pagesInOnlyWhatIsAskedFor()
    {
        ResultsModel model(m_runtime.get());
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        QTRY_COMPARE(model.rowCount(), 2500);
        // Newest first.
        QTRY_VERIFY(model.data(model.index(0, ResultsModel::Image), ResultsModel::LoadedRole).toBool());
        QCOMPARE(model.data(model.index(0, ResultsModel::User)).toString(), QStringLiteral("bob"));
        QCOMPARE(
            model.data(model.index(0, ResultsModel::Image)).toString(), QStringLiteral("photo-2500.jpg"));
        QCOMPARE(model.data(model.index(0, ResultsModel::Dimensions)).toString(), QStringLiteral("2600×50"));
        QCOMPARE(model.data(model.index(0, ResultsModel::Format)).toString(), QStringLiteral("JPEG"));
        QCOMPARE(model.data(model.index(0, ResultsModel::ProcessingTime)).toString(), QStringLiteral("7 ms"));
        QCOMPARE(model.data(model.index(0, ResultsModel::MessageId), ResultsModel::MessageIdRole).toString(),
            QStringLiteral("%1").arg(2500, 32, 10, QLatin1Char('0')));
        QTRY_VERIFY(
            !qvariant_cast<QImage>(model.data(model.index(0, ResultsModel::Image), Qt::DecorationRole))
                 .isNull());
        // Far rows are not there until asked for.
        QCOMPARE(
            model.data(model.index(2400, ResultsModel::Image), ResultsModel::LoadedRole).toBool(), false);
        QCOMPARE(model.data(model.index(2400, ResultsModel::Image)).toString(), QStringLiteral("loading…"));
        QTRY_VERIFY(model.data(model.index(2400, ResultsModel::Image), ResultsModel::LoadedRole).toBool());
        QCOMPARE(
            model.data(model.index(2499, ResultsModel::Image)).toString(), QStringLiteral("photo-1.jpg"));
        QCOMPARE(model.data(model.index(2400, ResultsModel::User)).toString(), QStringLiteral("alice"));
    }

    void cacheStaysBounded()
    {
        ResultsModel model(m_runtime.get());
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        QTRY_COMPARE(model.rowCount(), 2500);
        // Scrolling through everything keeps only a window of rows.
        for (int row = 0; row < 2500; row += ResultsModel::kPageSize) {
            model.data(model.index(row, 0));
            QTRY_VERIFY2(model.data(model.index(row, 0), ResultsModel::LoadedRole).toBool(),
                qPrintable(QString::number(row)));
        }
        int loaded = 0;
        for (int row = 0; row < 2500; ++row)
            loaded += model.data(model.index(row, 0), ResultsModel::LoadedRole).toBool() ? 1 : 0;
        QVERIFY2(loaded <= ResultsModel::kMaxCachedRows, qPrintable(QString::number(loaded)));
        QVERIFY(model.data(model.index(2499, 0), ResultsModel::LoadedRole).toBool());
    }

    void filtersByUserAndText()
    {
        ResultsModel model(m_runtime.get());
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        QTRY_COMPARE(model.rowCount(), 2500);
        QSignalSpy counted(&model, &ResultsModel::counted);
        model.setFilter(QStringLiteral("bob"), {});
        QTRY_COMPARE(model.rowCount(), 500);
        model.setFilter(QStringLiteral("bob"), QStringLiteral("photo-2499"));
        QTRY_COMPARE(model.rowCount(), 1);
        QTRY_COMPARE(
            model.data(model.index(0, ResultsModel::Image)).toString(), QStringLiteral("photo-2499.jpg"));
        counted.clear();
        model.setFilter(QStringLiteral("alice"), QStringLiteral("photo-2499"));
        QTRY_COMPARE(counted.size(), 1);
        QCOMPARE(counted.at(0).at(0).toLongLong(), 0);
        QCOMPARE(model.rowCount(), 0);
        QVERIFY(!model.isCounting());
        model.setFilter({}, {});
        QTRY_COMPARE(model.rowCount(), 2500);
    }

    void newResultsAppearOnTopWithoutReloading()
    {
        ResultsModel model(m_runtime.get());
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        QTRY_COMPARE(model.rowCount(), 2500);
        model.data(model.index(0, 0));
        QTRY_VERIFY(model.data(model.index(0, 0), ResultsModel::LoadedRole).toBool());
        const QString top = model.data(model.index(0, ResultsModel::MessageId)).toString();

        QSignalSpy inserted(&model, &QAbstractItemModel::rowsInserted);
        QSignalSpy reset(&model, &QAbstractItemModel::modelReset);
        addResults(7, QStringLiteral("carol"));
        model.refresh();
        QTRY_COMPARE(model.rowCount(), 2507);
        QCOMPARE(inserted.size(), 1);
        QCOMPARE(inserted.at(0).at(1).toInt(), 0);
        QCOMPARE(inserted.at(0).at(2).toInt(), 6);
        QCOMPARE(reset.size(), 0);
        // What was on top is still loaded, seven rows down.
        QVERIFY(model.data(model.index(7, 0), ResultsModel::LoadedRole).toBool());
        QCOMPARE(model.data(model.index(7, ResultsModel::MessageId)).toString(), top);
        QTRY_COMPARE(model.data(model.index(0, ResultsModel::User)).toString(), QStringLiteral("carol"));
    }
};

QTEST_MAIN(TstResultsModel)
#include "tst_resultsmodel.moc"
