// The main window: pages by side list and Ctrl+1…, the status bar's endpoint and pulse,
// and what it remembers between runs.
#include "dashboardpage.h"
#include "mainwindow.h"
#include "queuespage.h"
#include "resultspage.h"
#include "runtimefixture.h"
#include "submitpage.h"

#include <QApplication>
#include <QClipboard>
#include <QComboBox>
#include <QFile>
#include <QGuiApplication>
#include <QHeaderView>
#include <QLabel>
#include <QListView>
#include <QListWidget>
#include <QMenuBar>
#include <QPushButton>
#include <QScreen>
#include <QSpinBox>
#include <QSplitter>
#include <QStackedWidget>
#include <QStatusBar>
#include <QTableView>
#include <QTemporaryDir>
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

    // A first start fills most of the screen; the toolbar holds what applies on every page,
    // not the dashboard's own pause and export (which are on the dashboard).
    void firstWindowFitsTheScreenAndPagesOwnTheirActions()
    {
        RuntimeFixture fx;
        QVERIFY(fx.start(100));
        QSettings().clear();
        MainWindow w(fx.runtime.get());
        w.show();
        QVERIFY(QTest::qWaitForWindowExposed(&w));
        // Nine tenths of the 1920×1080 test screen (main() below) each way, centred.
        const QRect available = w.screen()->availableGeometry();
        QCOMPARE(available.size(), QSize(1920, 1080));
        QCOMPARE(w.size(), QSize(1728, 972));
        QVERIFY((w.geometry().center() - available.center()).manhattanLength() <= 2);

        auto *bar = w.findChild<QToolBar *>(QStringLiteral("mainToolBar"));
        QVERIFY(bar);
        QStringList texts;
        for (QAction *a : bar->actions())
            texts.append(a->text());
        for (const QString &text : std::as_const(texts)) {
            QVERIFY2(!text.contains(QStringLiteral("Pause")), qPrintable(text));
            QVERIFY2(!text.contains(QStringLiteral("Export")), qPrintable(text));
        }
        QVERIFY(w.dashboard()->pauseButton()->isVisible());
    }

    // The Results page, empty, says what would be there and how to get it; its button leads
    // to the load generator.
    void emptyResultsSayWhatToDo()
    {
        RuntimeFixture fx;
        QVERIFY(fx.start(100));
        MainWindow w(fx.runtime.get());
        w.show();
        QVERIFY(QTest::qWaitForWindowExposed(&w));
        // The dashboard's welcome leads to the load generator.
        auto *welcomeLoad = w.dashboard()->findChild<QPushButton *>(QStringLiteral("welcomeLoadGenerator"));
        QVERIFY(welcomeLoad);
        QTRY_VERIFY(welcomeLoad->isVisible());
        QTest::mouseClick(welcomeLoad, Qt::LeftButton);
        QCOMPARE(w.currentPage(), MainWindow::Submit);

        QTest::keyClick(&w, Qt::Key(Qt::Key_1 + int(MainWindow::Results)), Qt::ControlModifier);
        QCOMPARE(w.currentPage(), MainWindow::Results);
        QWidget *empty = nullptr;
        QTRY_VERIFY((empty = [&]() -> QWidget * {
            for (auto *e : w.resultsPage()->findChildren<QWidget *>(QStringLiteral("resultsEmpty")))
                if (e->isVisible())
                    return e;
            return nullptr;
        }()));
        bool says = false;
        for (QLabel *label : empty->findChildren<QLabel *>())
            says = says || label->text().contains(QStringLiteral("No results yet"));
        QVERIFY(says);
        QPushButton *load = nullptr;
        for (QPushButton *b : empty->findChildren<QPushButton *>())
            if (b->text().contains(QStringLiteral("Load Generator")))
                load = b;
        QVERIFY(load);
        QTest::mouseClick(load, Qt::LeftButton);
        QCOMPARE(w.currentPage(), MainWindow::Submit);

        // Messages and Failed say so too when they have nothing.
        QTest::keyClick(&w, Qt::Key(Qt::Key_1 + int(MainWindow::Failed)), Qt::ControlModifier);
        auto *failed = w.findChild<QWidget *>(QStringLiteral("failedEmpty"));
        QVERIFY(failed);
        QTRY_VERIFY(failed->isVisible());
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
            QVERIFY(b.send(QStringLiteral("images"), std::move(items), {}, {}).ok());
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

int main(int argc, char **argv)
{
    // A desktop's screen rather than the offscreen platform's 800×600, so the first window's
    // size is measured against a screen it could fill.
    QTemporaryDir dir;
    QFile config(dir.filePath(QStringLiteral("screens.json")));
    if (!config.open(QIODevice::WriteOnly)
        || config.write(R"({"screens": [{"name": "desktop", "x": 0, "y": 0, "width": 1920, "height": 1080,
                             "logicalDpi": 96, "logicalBaseDpi": 96, "dpr": 1}]})")
            < 0)
        return 1;
    config.close();
    if (qEnvironmentVariable("QT_QPA_PLATFORM") == QLatin1String("offscreen"))
        qputenv("QT_QPA_PLATFORM", "offscreen:configfile=" + config.fileName().toLocal8Bit());
    QApplication app(argc, argv);
    QTEST_SET_MAIN_SOURCE_PATH
    TstMainWindow test;
    return QTest::qExec(&test, argc, argv);
}
#include "tst_mainwindow.moc"
