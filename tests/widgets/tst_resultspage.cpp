#include "messageformat.h"
#include "resultsmodel.h"
#include "resultspage.h"
#include "testruntime.h"

#include <QLineEdit>
#include <QListView>
#include <QSignalSpy>
#include <QTableView>
#include <QToolButton>

using namespace qd;
using namespace qdtest;

// The Results page over a store holding thousands of results: filtering by typing,
// switching views, and opening a result's message.
class TstResultsPage : public QObject {
    Q_OBJECT

    std::unique_ptr<TestRuntime> m_runtime;

    void addResults(int count, const QString &user, int first)
    {
        std::vector<ImageResult> rows;
        for (int i = first; i < first + count; ++i) {
            ImageResult r;
            r.messageSeq = i;
            r.messageId = QStringLiteral("%1").arg(i, 32, 16, QLatin1Char('0'));
            r.queueId = 1;
            r.userId = user;
            r.url = QStringLiteral("https://example.com/%1.png").arg(i);
            r.format = QStringLiteral("png");
            r.width = 64;
            r.height = 48;
            r.createdMs = 1'700'000'000'000 + i;
            rows.push_back(r);
        }
        m_runtime->onRuntime([&](Broker &b) {
            b.store()->insertResults(rows);
            QString error;
            QVERIFY(b.store()->commit(&error));
        });
    }

private slots:
    void initTestCase()
    {
        isolateSettings();
        m_runtime = std::make_unique<TestRuntime>();
        addResults(3000, QStringLiteral("erin"), 1);
        addResults(40, QStringLiteral("finn"), 3001);
    }

    void cleanupTestCase() { m_runtime.reset(); }

    void typingFiltersAndActivatingOpensTheMessage()
    {
        ResultsPage page(m_runtime->get());
        page.resize(1000, 700);
        page.show();
        QVERIFY(QTest::qWaitForWindowExposed(&page));
        QTRY_COMPARE(page.model()->rowCount(), 3040);

        QTest::keyClicks(page.findChild<QLineEdit *>(QStringLiteral("resultsUser")), QStringLiteral("finn"));
        QTRY_COMPARE(page.model()->rowCount(), 40);
        QTest::keyClicks(
            page.findChild<QLineEdit *>(QStringLiteral("resultsSearch")), QStringLiteral("3040.png"));
        QTRY_COMPARE(page.model()->rowCount(), 1);

        QListView *gallery = page.gallery();
        QVERIFY(gallery->isVisible());
        const QModelIndex first = page.model()->index(0, ResultsModel::Image);
        QTRY_VERIFY(first.data(ResultsModel::LoadedRole).toBool());
        QSignalSpy open(&page, &ResultsPage::openMessageRequested);
        const QPoint at = gallery->visualRect(first).center();
        QTest::mouseClick(gallery->viewport(), Qt::LeftButton, {}, at);
        QTest::mouseDClick(gallery->viewport(), Qt::LeftButton, {}, at);
        QTRY_COMPARE(open.size(), 1);
        QCOMPARE(open.at(0).at(0).toString(), QStringLiteral("%1").arg(3040, 32, 16, QLatin1Char('0')));

        // The table shows the same rows; Enter opens the current one.
        QTest::mouseClick(page.findChild<QToolButton *>(QStringLiteral("showTable")), Qt::LeftButton);
        QTableView *table = page.table();
        QTRY_VERIFY(table->isVisible());
        table->setFocus();
        table->setCurrentIndex(page.model()->index(0, ResultsModel::User));
        QCOMPARE(table->currentIndex().data().toString(), QStringLiteral("finn"));
        QTest::keyClick(table, Qt::Key_Return);
        QCOMPARE(open.size(), 2);
    }

    void scrollingFarLoadsOnlyWhatIsShown()
    {
        ResultsPage page(m_runtime->get());
        page.resize(1000, 700);
        page.show();
        page.showGallery(true);
        QVERIFY(QTest::qWaitForWindowExposed(&page));
        QTRY_COMPARE(page.model()->rowCount(), 3040);
        QListView *gallery = page.gallery();
        const QModelIndex last = page.model()->index(3039, 0);
        // The gallery lays its items out in batches: scroll until the end is there.
        QTRY_VERIFY((gallery->scrollToBottom(), last.data(ResultsModel::LoadedRole).toBool()));
        QCOMPARE(last.data(ResultsModel::MessageIdRole).toString(),
            QStringLiteral("%1").arg(1, 32, 16, QLatin1Char('0')));
        // The middle was never shown, so never loaded.
        QVERIFY(!page.model()->index(1500, 0).data(ResultsModel::LoadedRole).toBool());
    }

    // Tiles say which file they show (an upload's own name, not its blob's hash), the
    // gallery's cells share out its whole width, and dates read as everywhere else.
    void tilesNameTheirFilesAndFillTheWidth()
    {
        const QString sha = QStringLiteral("3fa2").repeated(16);
        std::vector<ImageResult> rows(2);
        rows[0].messageSeq = 9001;
        rows[0].messageId = QStringLiteral("%1").arg(9001, 32, 16, QLatin1Char('0'));
        rows[0].url = m_runtime->get()->blobBaseUrl() + sha + QStringLiteral("#holiday%20photo.png");
        rows[1].messageSeq = 9002;
        rows[1].messageId = QStringLiteral("%1").arg(9002, 32, 16, QLatin1Char('0'));
        rows[1].url = m_runtime->get()->blobBaseUrl() + sha;
        for (ImageResult &r : rows) {
            r.queueId = 1;
            r.userId = QStringLiteral("gwen");
            r.format = QStringLiteral("png");
            r.width = 64;
            r.height = 48;
            r.createdMs = 1'700'000'123'000;
        }
        m_runtime->onRuntime([&](Broker &b) {
            b.store()->insertResults(rows);
            QString error;
            QVERIFY(b.store()->commit(&error));
        });
        ResultsPage page(m_runtime->get());
        page.resize(1100, 700);
        page.show();
        page.showGallery(true);
        QVERIFY(QTest::qWaitForWindowExposed(&page));
        QTest::keyClicks(page.findChild<QLineEdit *>(QStringLiteral("resultsUser")), QStringLiteral("gwen"));
        QTRY_COMPARE(page.model()->rowCount(), 2);
        QTRY_VERIFY(page.model()->index(0, 0).data(ResultsModel::LoadedRole).toBool());
        QStringList names;
        for (int row = 0; row < 2; ++row)
            names.append(page.model()
                             ->index(row, 0)
                             .data(ResultsModel::CaptionRole)
                             .toString()
                             .section(QLatin1Char('\n'), 0, 0));
        names.sort();
        QCOMPARE(
            names, (QStringList { QStringLiteral("blob 3fa23fa23f…"), QStringLiteral("holiday photo.png") }));
        QCOMPARE(
            page.model()->index(0, ResultsModel::When).data().toString(), formatTimestamp(1'700'000'123'000));

        // A full row of tiles reaches the right edge.
        QTest::keyClick(
            page.findChild<QLineEdit *>(QStringLiteral("resultsUser")), Qt::Key_A, Qt::ControlModifier);
        QTest::keyClick(page.findChild<QLineEdit *>(QStringLiteral("resultsUser")), Qt::Key_Backspace);
        QTRY_VERIFY(page.model()->rowCount() > 100);
        QListView *gallery = page.gallery();
        QTRY_VERIFY(gallery->visualRect(page.model()->index(20, 0)).isValid());
        int right = 0;
        const int top = gallery->visualRect(page.model()->index(0, 0)).top();
        for (int row = 0; row < 20; ++row) {
            const QRect r = gallery->visualRect(page.model()->index(row, 0));
            if (r.top() == top)
                right = std::max(right, r.right());
        }
        const int gap = gallery->viewport()->width() - (right + 1);
        QVERIFY2(gap >= 0 && gap < 12,
            qPrintable(QStringLiteral("gap %1 of %2").arg(gap).arg(gallery->viewport()->width())));
    }
};

QTEST_MAIN(TstResultsPage)
#include "tst_resultspage.moc"
