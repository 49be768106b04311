// The main window: pages by side list and Ctrl+1…, the status bar's endpoint and pulse,
// and what it remembers between runs.
#include "dashboardpage.h"
#include "mainwindow.h"
#include "queuespage.h"
#include "runtimefixture.h"

#include <QClipboard>
#include <QComboBox>
#include <QGuiApplication>
#include <QHeaderView>
#include <QLabel>
#include <QListWidget>
#include <QMenuBar>
#include <QSplitter>
#include <QStackedWidget>
#include <QStatusBar>
#include <QTableView>
#include <QTest>
#include <QToolBar>
#include <QToolButton>

using namespace qd;
using namespace qdtest;

class TstMainWindow : public QObject {
    Q_OBJECT
private slots:
    void initTestCase() { isolateSettings(); }

    void pagesByListAndShortcut()
    {
        RuntimeFixture fx;
        QVERIFY(fx.start(100));
        MainWindow w(fx.runtime.get());
        w.show();
        QVERIFY(QTest::qWaitForWindowExposed(&w));
        QCOMPARE(w.currentPage(), MainWindow::Dashboard);

        for (int i = MainWindow::PageCount - 1; i >= 0; --i) {
            QTest::keyClick(&w, Qt::Key(Qt::Key_1 + i), Qt::ControlModifier);
            QCOMPARE(int(w.currentPage()), i);
            QVERIFY(w.pageAction(MainWindow::Page(i))->isChecked());
        }
        auto *list = w.findChild<QListWidget *>(QStringLiteral("pageList"));
        QVERIFY(list);
        QListWidgetItem *queues = list->item(MainWindow::Queues);
        QTest::mouseClick(list->viewport(), Qt::LeftButton, {}, list->visualItemRect(queues).center());
        QCOMPARE(w.currentPage(), MainWindow::Queues);
        QCOMPARE(w.centralWidget()->findChild<QStackedWidget *>()->currentWidget(), w.queuesPage());

        QStringList menus;
        for (QAction *a : w.menuBar()->actions())
            menus.append(a->text());
        QCOMPARE(menus,
            (QStringList { QStringLiteral("&File"), QStringLiteral("&View"), QStringLiteral("&Queue"),
                QStringLiteral("&Help") }));
        QVERIFY(w.findChild<QToolBar *>(QStringLiteral("mainToolBar")));
    }

    // Started with --insecure-no-token on an address of the network, the window says so
    // in the status bar for as long as it is open, passing messages or not; on loopback it
    // says nothing.
    void warnsWhenOpenToTheNetwork()
    {
        RuntimeFixture fx;
        QVERIFY(fx.start(100));
        {
            MainWindow w(fx.runtime.get());
            QVERIFY(!w.findChild<QLabel *>(QStringLiteral("insecureWarning")));
        }
        RuntimeOptions options;
        options.dataDir = fx.dir.filePath(QStringLiteral("open"));
        options.bind = QHostAddress(QStringLiteral("192.0.2.1")); // never started: nothing listens
        options.insecureNoToken = true;
        Runtime open(options);
        MainWindow w(&open);
        w.show();
        QVERIFY(QTest::qWaitForWindowExposed(&w));
        auto *warning = w.findChild<QLabel *>(QStringLiteral("insecureWarning"));
        QVERIFY(warning);
        QVERIFY(warning->isVisible());
        QVERIFY2(warning->text().contains(QLatin1String("192.0.2.1 is not a loopback address")),
            qPrintable(warning->text()));
        w.statusBar()->showMessage(QStringLiteral("a passing message"));
        QVERIFY(warning->isVisible());
    }

    void statusBarShowsEndpointAndPulse()
    {
        RuntimeFixture fx;
        QVERIFY(fx.start(100));
        MainWindow w(fx.runtime.get());
        w.show();
        QVERIFY(QTest::qWaitForWindowExposed(&w));
        QVERIFY(w.endpointButton()->text().contains(fx.runtime->endpoint()));
        QGuiApplication::clipboard()->clear();
        QTest::mouseClick(w.endpointButton(), Qt::LeftButton);
        QCOMPARE(QGuiApplication::clipboard()->text(), fx.runtime->endpoint());

        fx.onBroker([](Broker &b) {
            std::vector<SendItem> items(7, SendItem { "\"x\"", ContentType::Json, {} });
            QVERIFY(!b.send(QStringLiteral("images"), std::move(items), {}, {}));
        });
        // No consumer for images here: the seven wait.
        QTRY_COMPARE(w.backlogLabel()->text(), QStringLiteral("Backlog: 7"));
        QVERIFY(w.rateLabel()->text().contains(QStringLiteral("msg/s in")));
        // The queue list of the dashboard follows the runtime's queues.
        QTRY_VERIFY(w.dashboard()->queueBox()->findData(QStringLiteral("images")) >= 0);
    }

    void remembersLayoutBetweenRuns()
    {
        RuntimeFixture fx;
        QVERIFY(fx.start(100));
        QSize size;
        {
            MainWindow w(fx.runtime.get());
            w.show();
            QVERIFY(QTest::qWaitForWindowExposed(&w));
            w.resize(1200, 760);
            size = w.size(); // as the window manager allowed
            QTest::keyClick(&w, Qt::Key_6, Qt::ControlModifier);
            w.dashboard()->rangeBox()->setCurrentIndex(2); // 1 h
            auto *splitter = qobject_cast<QSplitter *>(w.centralWidget());
            QVERIFY(splitter);
            splitter->setSizes({ 200, splitter->width() - 200 - splitter->handleWidth() });
            w.queuesPage()->view()->horizontalHeader()->resizeSection(1, 140);
            QVERIFY(w.close());
        }
        MainWindow again(fx.runtime.get());
        again.show();
        QVERIFY(QTest::qWaitForWindowExposed(&again));
        QCOMPARE(again.currentPage(), MainWindow::Queues);
        QCOMPARE(again.dashboard()->rangeBox()->currentIndex(), 2);
        QCOMPARE(again.dashboard()->model()->range(), ChartDataModel::Range::OneHour);
        QCOMPARE(again.size(), size);
        QCOMPARE(qobject_cast<QSplitter *>(again.centralWidget())->sizes().first(), 200);
        QCOMPARE(again.queuesPage()->view()->horizontalHeader()->sectionSize(1), 140);
    }
};

QTEST_MAIN(TstMainWindow)
#include "tst_mainwindow.moc"
