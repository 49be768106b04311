// The queues page over a real runtime, driven with the mouse and keyboard: create,
// settings with validation as you type, pause, purge by typing the name, delete, import.
#include "queuecommands.h"
#include "queuedialogs.h"
#include "queuesettingseditor.h"
#include "queuespage.h"
#include "queuetablemodel.h"
#include "runtimefixture.h"

#include <QAction>
#include <QComboBox>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QMessageBox>
#include <QPushButton>
#include <QScrollArea>
#include <QScrollBar>
#include <QSignalSpy>
#include <QSplitter>
#include <QTableView>
#include <QTest>
#include <QToolButton>

using namespace qd;
using namespace qdtest;

namespace {

QToolButton *buttonFor(QWidget *page, QAction *action)
{
    for (QToolButton *b : page->findChildren<QToolButton *>()) {
        if (b->defaultAction() == action)
            return b;
    }
    return nullptr;
}

void retype(QLineEdit *edit, const QString &text)
{
    edit->setFocus();
    edit->selectAll();
    QTest::keyClick(edit, Qt::Key_Backspace);
    QTest::keyClicks(edit, text);
}

// Runs what a click or a show left posted (layout requests, deferred resizes), so that a
// check that nothing moved looks at the widgets after them rather than before.
void runPostedEvents()
{
    QCoreApplication::sendPostedEvents();
    QCoreApplication::processEvents();
}

template <typename T> T *waitForDialog(QWidget *parent, const QString &objectName = {})
{
    T *found = nullptr;
    [[maybe_unused]] const bool appeared = QTest::qWaitFor([&] {
        for (T *d : parent->findChildren<T *>()) {
            if (d->isVisible() && (objectName.isEmpty() || d->objectName() == objectName))
                found = d;
        }
        return found != nullptr;
    });
    return found;
}

} // namespace

class TstQueuesPage : public QObject {
    Q_OBJECT
private slots:
    void initTestCase() { isolateSettings(); }

    void operatesQueuesLive()
    {
        RuntimeFixture fx;
        QVERIFY(fx.start(100));
        QueueTableModel model;
        QObject::connect(fx.runtime.get(), &Runtime::snapshot, &model, &QueueTableModel::setSnapshot);
        QueueCommands commands(fx.runtime.get());
        QueuesPage page(&model, &commands);
        QObject::connect(fx.runtime.get(), &Runtime::configImported, &page, &QueuesPage::showImportReport);
        page.resize(1200, 700);
        page.show();
        QVERIFY(QTest::qWaitForWindowExposed(&page));
        QTRY_VERIFY(model.queue(QStringLiteral("images")).has_value());
        QVERIFY(!page.purgeAction()->isEnabled()); // nothing selected

        // Create: a name that exists is refused as it is typed.
        QTest::mouseClick(buttonFor(&page, page.newQueueAction()), Qt::LeftButton);
        auto *create = waitForDialog<NewQueueDialog>(&page);
        QVERIFY(create);
        QTest::keyClicks(create->nameEdit(), QStringLiteral("images"));
        QVERIFY(!create->createButton()->isEnabled());
        QVERIFY(create->errorLabel()->text().contains(QStringLiteral("already")));
        retype(create->nameEdit(), QStringLiteral("orders"));
        QVERIFY(create->createButton()->isEnabled());
        QTest::mouseClick(create->createButton(), Qt::LeftButton);
        QTRY_VERIFY(model.queue(QStringLiteral("orders")).has_value());
        QVERIFY(fx.auditActions().contains(QStringLiteral("queue_created:orders")));

        // Select it with the mouse.
        page.selectQueue(QStringLiteral("images"));
        QTableView *view = page.view();
        QModelIndex ordersIndex;
        for (int row = 0; row < view->model()->rowCount(); ++row) {
            if (view->model()->index(row, 0).data().toString() == QLatin1String("orders"))
                ordersIndex = view->model()->index(row, 0);
        }
        QVERIFY(ordersIndex.isValid());
        QTest::mouseClick(view->viewport(), Qt::LeftButton, {}, view->visualRect(ordersIndex).center());
        QCOMPARE(page.selectedQueue(), QStringLiteral("orders"));
        QueueSettingsEditor *editor = page.editor();
        QCOMPARE(editor->queueName(), QStringLiteral("orders"));
        QCOMPARE(editor->batchSizeEdit()->text(), QStringLiteral("10"));
        QVERIFY(!editor->applyButton()->isEnabled());

        // Settings: checked on every keystroke with the runtime's own rules.
        retype(editor->batchSizeEdit(), QStringLiteral("500"));
        QVERIFY(editor->errorLabel()->text().contains(
            QStringLiteral("max_batch_size must be between 1 and 100 (got 500)")));
        QVERIFY(!editor->applyButton()->isEnabled());
        retype(editor->batchSizeEdit(), QStringLiteral("2x"));
        QVERIFY(editor->errorLabel()->text().contains(QStringLiteral("whole number")));
        retype(editor->batchSizeEdit(), QStringLiteral("25"));
        QVERIFY(editor->errorLabel()->text().isEmpty());
        retype(editor->batchTimeoutEdit(), QStringLiteral("2.5"));
        retype(editor->retriesEdit(), QStringLiteral("5"));
        retype(editor->concurrencyEdit(), QStringLiteral("300"));
        QVERIFY(editor->errorLabel()->text().contains(QStringLiteral("max_concurrency")));
        retype(editor->concurrencyEdit(), QStringLiteral("4"));
        editor->deadLetterBox()->setFocus();
        QTest::keyClicks(editor->deadLetterBox()->lineEdit(), QStringLiteral("orders"));
        QVERIFY(editor->errorLabel()->text().contains(QStringLiteral("cannot be the queue itself")));
        QTest::keyClicks(editor->deadLetterBox()->lineEdit(), QStringLiteral("-dlq"));
        QVERIFY(editor->errorLabel()->text().isEmpty());
        // A webhook consumer needs its address.
        editor->consumerBox()->setFocus();
        QTest::keyClick(editor->consumerBox(), Qt::Key_Down);
        QCOMPARE(editor->consumerBox()->currentText(), QStringLiteral("webhook"));
        QVERIFY(editor->errorLabel()->text().contains(QStringLiteral("settings.url")));
        QVERIFY(editor->urlEdit()->isEnabled());
        QTest::keyClicks(editor->urlEdit(), QStringLiteral("http://127.0.0.1:9/hook"));
        QVERIFY(editor->errorLabel()->text().isEmpty());
        QVERIFY(editor->applyButton()->isEnabled());
        QTest::mouseClick(editor->applyButton(), Qt::LeftButton);
        QTRY_COMPARE(fx.queue(QStringLiteral("orders"))->settings.maxBatchSize, 25);
        const QueueSettings applied = fx.queue(QStringLiteral("orders"))->settings;
        QCOMPARE(applied.maxBatchTimeoutMs, 2500);
        QCOMPARE(applied.maxRetries, 5);
        QCOMPARE(applied.maxConcurrency, 4);
        QCOMPARE(applied.deadLetterQueue, QStringLiteral("orders-dlq"));
        QCOMPARE(applied.consumerType, ConsumerType::Webhook);
        QCOMPARE(applied.webhookUrl, QStringLiteral("http://127.0.0.1:9/hook"));
        QVERIFY(fx.queue(QStringLiteral("orders-dlq")).has_value());
        QVERIFY(fx.auditActions().contains(QStringLiteral("settings_changed:orders")));
        QTRY_VERIFY(!editor->isDirty());
        QTRY_COMPARE(model.queue(QStringLiteral("orders"))->settings.maxBatchSize, 25);
        QCOMPARE(editor->batchSizeEdit()->text(), QStringLiteral("25"));

        // Revert brings back what the runtime has.
        retype(editor->retriesEdit(), QStringLiteral("7"));
        QTest::mouseClick(editor->revertButton(), Qt::LeftButton);
        QCOMPARE(editor->retriesEdit()->text(), QStringLiteral("5"));

        // Pause and resume.
        QToolButton *pause = buttonFor(&page, page.pauseAction());
        QTest::mouseClick(pause, Qt::LeftButton);
        QTRY_VERIFY(fx.queue(QStringLiteral("orders"))->settings.paused);
        QTRY_COMPARE(page.pauseAction()->text(), QStringLiteral("&Resume Delivery"));
        QCOMPARE(editor->retriesEdit()->text(), QStringLiteral("5")); // pausing kept the settings
        QVERIFY(fx.auditActions().contains(QStringLiteral("paused:orders")));

        // Purge: only once the queue's name is typed.
        fx.onBroker([](Broker &b) {
            std::vector<SendItem> items(5, SendItem { "\"x\"", ContentType::Json, {} });
            QVERIFY(b.send(QStringLiteral("orders"), std::move(items), {}, {}).ok());
        });
        QTRY_COMPARE(model.queue(QStringLiteral("orders"))->counts.ready, 5);
        QTest::mouseClick(buttonFor(&page, page.purgeAction()), Qt::LeftButton);
        auto *purge = waitForDialog<ConfirmNameDialog>(&page, QStringLiteral("confirmPurge"));
        QVERIFY(purge);
        QVERIFY(!purge->confirmButton()->isEnabled());
        QTest::keyClicks(purge->nameEdit(), QStringLiteral("order"));
        QVERIFY(!purge->confirmButton()->isEnabled());
        QTest::keyClicks(purge->nameEdit(), QStringLiteral("s"));
        QVERIFY(purge->confirmButton()->isEnabled());
        QTest::mouseClick(purge->confirmButton(), Qt::LeftButton);
        QTRY_COMPARE(model.queue(QStringLiteral("orders"))->counts.ready, 0);
        QVERIFY(fx.auditActions().contains(QStringLiteral("purged:orders")));
        QTest::mouseClick(pause, Qt::LeftButton);
        QTRY_VERIFY(!fx.queue(QStringLiteral("orders"))->settings.paused);

        // Delete asks first; Cancel keeps the queue.
        page.selectQueue(QStringLiteral("orders-dlq"));
        QCOMPARE(page.selectedQueue(), QStringLiteral("orders-dlq"));
        QTest::mouseClick(buttonFor(&page, page.deleteAction()), Qt::LeftButton);
        auto *ask = waitForDialog<QMessageBox>(&page, QStringLiteral("confirmDelete"));
        QVERIFY(ask);
        QSignalSpy snapshots(fx.runtime.get(), &Runtime::snapshot);
        QTest::mouseClick(ask->button(QMessageBox::Cancel), Qt::LeftButton);
        // That nothing happens: a delete sent on the click would be done before the runtime's
        // second snapshot after it, and the model would have lost the queue.
        QTRY_VERIFY(snapshots.count() >= 2);
        QVERIFY(model.queue(QStringLiteral("orders-dlq")).has_value());
        QVERIFY(fx.queue(QStringLiteral("orders-dlq")).has_value());
        QTest::mouseClick(buttonFor(&page, page.deleteAction()), Qt::LeftButton);
        ask = waitForDialog<QMessageBox>(&page, QStringLiteral("confirmDelete"));
        QVERIFY(ask);
        QAbstractButton *yes = nullptr;
        for (QAbstractButton *b : ask->buttons()) {
            if (ask->buttonRole(b) == QMessageBox::DestructiveRole)
                yes = b;
        }
        QVERIFY(yes);
        QTest::mouseClick(yes, Qt::LeftButton);
        QTRY_VERIFY(!model.queue(QStringLiteral("orders-dlq")).has_value());
        QVERIFY(!fx.queue(QStringLiteral("orders-dlq")).has_value());

        // Import from a wrangler file: queues appear, the report lists what was not understood.
        page.importFile(QStringLiteral(QT_TESTCASE_SOURCEDIR "/../runtime/data/wrangler.toml"));
        auto *report = waitForDialog<QMessageBox>(&page, QStringLiteral("importReport"));
        QVERIFY(report);
        QVERIFY(report->text().contains(QStringLiteral("image-jobs-dlq")));
        QVERIFY(report->text().contains(QStringLiteral("shiny_new_option")));
        QTRY_VERIFY(model.queue(QStringLiteral("image-jobs")).has_value());
        QCOMPARE(model.queue(QStringLiteral("image-jobs"))->settings.maxBatchSize, 25);
    }

    // In a window narrower than all the columns the page opens at the names, every header
    // reads whole, and choosing a queue does not move the divider.
    void namesInSightAndDividerStill()
    {
        RuntimeFixture fx;
        QVERIFY(fx.start(100));
        fx.onBroker([](Broker &b) {
            QueueSettings withDlq;
            withDlq.deadLetterQueue = QStringLiteral("thumbnails-that-could-not-be-made-dlq");
            b.createQueue(QStringLiteral("thumbnails-for-the-gallery-of-every-user"), withDlq);
            b.createQueue(QStringLiteral("thumbnails-that-could-not-be-made-dlq"));
        });
        QueueTableModel model;
        QObject::connect(fx.runtime.get(), &Runtime::snapshot, &model, &QueueTableModel::setSnapshot);
        QueueCommands commands(fx.runtime.get());
        QueuesPage page(&model, &commands);
        page.resize(900, 600);
        page.show();
        QVERIFY(QTest::qWaitForWindowExposed(&page));
        QTRY_VERIFY(model.queue(QStringLiteral("thumbnails-that-could-not-be-made-dlq")).has_value());
        auto *view = page.findChild<QTableView *>(QStringLiteral("queueTable"));
        auto *splitter = page.findChild<QSplitter *>();
        QVERIFY(view && splitter);
        runPostedEvents();
        QCOMPARE(view->horizontalScrollBar()->value(), view->horizontalScrollBar()->minimum());
        QHeaderView *header = view->horizontalHeader();
        const int dlq = int(QueueTableModel::DeadLetterQueue);
        QVERIFY2(header->sectionSize(dlq)
                >= header->fontMetrics().horizontalAdvance(model.headerData(dlq, Qt::Horizontal).toString()),
            qPrintable(QString::number(header->sectionSize(dlq))));
        const QList<int> sizes = splitter->sizes();

        for (int row = 0; row < view->model()->rowCount(); ++row) {
            const QRect name = view->visualRect(view->model()->index(row, QueueTableModel::Name));
            QTest::mouseClick(view->viewport(), Qt::LeftButton, {},
                QPoint(std::max(name.left() + 4, 4), name.center().y()));
            QCOMPARE(view->currentIndex().row(), row);
            runPostedEvents();
            QCOMPARE(splitter->sizes(), sizes);
            QCOMPARE(view->horizontalScrollBar()->value(), view->horizontalScrollBar()->minimum());
            QVERIFY(view->viewport()->rect().intersects(
                view->visualRect(view->model()->index(row, QueueTableModel::Name))));
        }
    }

    // On a laptop's screen the settings editor shows its fields whole, with no scroll bar
    // to reach their other half, before and after a queue is chosen.
    void editorFitsALaptopScreen()
    {
        RuntimeFixture fx;
        QVERIFY(fx.start(100));
        QueueTableModel model;
        QObject::connect(fx.runtime.get(), &Runtime::snapshot, &model, &QueueTableModel::setSnapshot);
        QueueCommands commands(fx.runtime.get());
        QueuesPage page(&model, &commands);
        page.resize(1366 - 130, 680); // the window at 1366×768, less the page list and bars
        page.show();
        QVERIFY(QTest::qWaitForWindowExposed(&page));
        QTRY_VERIFY(model.rowCount() > 0);
        auto *area = page.findChild<QScrollArea *>(QStringLiteral("queueEditorArea"));
        QVERIFY(area);
        const auto fits = [&] {
            QWidget *editor = area->widget();
            return !area->horizontalScrollBar()->isVisible()
                && area->viewport()->width() >= editor->minimumSizeHint().width();
        };
        QVERIFY2(fits(),
            qPrintable(QStringLiteral("%1 < %2")
                           .arg(area->viewport()->width())
                           .arg(area->widget()->minimumSizeHint().width())));
        auto *view = page.findChild<QTableView *>(QStringLiteral("queueTable"));
        QVERIFY(view);
        const QRect name = view->visualRect(view->model()->index(0, QueueTableModel::Name));
        QTest::mouseClick(view->viewport(), Qt::LeftButton, {}, name.center());
        QCOMPARE(view->currentIndex().row(), 0);
        runPostedEvents();
        QVERIFY2(fits(),
            qPrintable(QStringLiteral("%1 < %2")
                           .arg(area->viewport()->width())
                           .arg(area->widget()->minimumSizeHint().width())));
    }

    void savingKeepsAQueueWithoutAConsumer()
    {
        RuntimeFixture fx;
        QVERIFY(fx.start(100));
        QueueSettings parked;
        parked.consumerType = ConsumerType::None;
        QVERIFY(!fx.onBroker(
            [&](Broker &b) { return b.createQueue(QStringLiteral("parked"), parked).isError(); }));
        QueueTableModel model;
        QObject::connect(fx.runtime.get(), &Runtime::snapshot, &model, &QueueTableModel::setSnapshot);
        QueueCommands commands(fx.runtime.get());
        QueuesPage page(&model, &commands);
        page.resize(1200, 700);
        page.show();
        QVERIFY(QTest::qWaitForWindowExposed(&page));
        QTRY_VERIFY(model.queue(QStringLiteral("parked")).has_value());
        page.selectQueue(QStringLiteral("parked"));
        QueueSettingsEditor *editor = page.editor();
        QTRY_COMPARE(editor->queueName(), QStringLiteral("parked"));
        QCOMPARE(editor->consumerBox()->currentText(), QStringLiteral("none"));
        retype(editor->batchSizeEdit(), QStringLiteral("20"));
        QVERIFY(editor->applyButton()->isEnabled());
        QTest::mouseClick(editor->applyButton(), Qt::LeftButton);
        const auto settings = [&] {
            return fx.onBroker([](Broker &b) { return b.queue(QStringLiteral("parked"))->settings; });
        };
        QTRY_COMPARE(settings().maxBatchSize, 20);
        QCOMPARE(settings().consumerType, ConsumerType::None);
    }
};

QTEST_MAIN(TstQueuesPage)
#include "tst_queuespage.moc"
