#include "failedmessages.h"

#include "confirmbar.h"
#include "failedpage.h"
#include "failuregroupmodel.h"
#include "messagedetailview.h"
#include "messagequery.h"
#include "messagetablemodel.h"
#include "messagetableview.h"

#include <QHeaderView>
#include <QLabel>
#include <QPushButton>
#include <QRegularExpression>
#include <QScrollBar>
#include <QSplitter>
#include <QTableView>
#include <QToolButton>
#include <QTreeWidget>

using namespace qd;
using namespace qdtest;

namespace {

// Long URLs, so the table has something to elide.
QStringList makeFailed(
    RuntimeFixture &fx, const QString &queue, int n, const std::function<QString(int)> &error)
{
    return makeFailedMessages(fx, queue, n, error, "https://img.test/a/long/path/to/the/picture/number/");
}

QToolButton *button(QWidget *page, const char *name)
{
    return child<QToolButton>(page, name);
}

bool checked(const MessageTableModel *model, int row)
{
    return model->data(model->index(row, MessageTableModel::Mark), Qt::CheckStateRole).toInt() == Qt::Checked;
}

} // namespace

// The Failed page's triage by keyboard and what it shows while acting, over a real runtime.
class TstTriage : public QObject {
    Q_OBJECT
private slots:
    void initTestCase() { isolateSettings(); }

    // x toggles a mark (a checkbox) on the current row, Shift+j/k mark while moving, a count
    // says how many are marked, and Retry acts on exactly the marked rows.
    void markRowsByKeyboard()
    {
        RuntimeFixture fx;
        QVERIFY(fx.start());
        makeFailed(fx, QStringLiteral("jobs"), 10, [](int) { return QStringLiteral("connection reset"); });
        FailedPage page(fx.runtime.get());
        page.resize(1400, 900);
        page.show();
        QVERIFY(QTest::qWaitForWindowExposed(&page));
        QTRY_VERIFY(page.model()->rowCount() == 10 && loaded(page.model(), 0, 9));
        MessageTableView *table = page.table();
        // The marks' column is the first one shown.
        QCOMPARE(table->horizontalHeader()->logicalIndex(0), int(MessageTableModel::Mark));

        clickRow(table, 0);
        QTest::keyClick(table, Qt::Key_J);
        QCOMPARE(table->currentIndex().row(), 1);
        QTest::keyClick(table, Qt::Key_X);
        QVERIFY(checked(page.model(), 1));
        QCOMPARE(page.markedCount()->text(), QStringLiteral("1 marked"));
        QTest::keyClick(table, Qt::Key_J);
        QTest::keyClick(table, Qt::Key_J);
        QTest::keyClick(table, Qt::Key_J, Qt::ShiftModifier); // marks 3 and 4
        QCOMPARE(table->currentIndex().row(), 4);
        QTest::keyClick(table, Qt::Key_J);
        QTest::keyClick(table, Qt::Key_K, Qt::ShiftModifier); // marks 5, and 4 stays marked
        QTest::keyClick(table, Qt::Key_X); // 4 unmarked
        QVERIFY(!checked(page.model(), 2));
        QVERIFY(!checked(page.model(), 4));
        QCOMPARE(table->pickedRows(), (QList<int> { 1, 3, 5 }));
        QCOMPARE(page.markedCount()->text(), QStringLiteral("3 marked"));
        QStringList marked;
        for (int row : { 1, 3, 5 })
            marked.append(page.model()->rowAt(row)->id);

        QTest::mouseClick(button(&page, "retry"), Qt::LeftButton);
        QVERIFY(page.confirmBar()->isVisible());
        QVERIFY2(page.confirmBar()->text().contains(QLatin1String("Retry 3 selected messages")),
            qPrintable(page.confirmBar()->text()));
        QTest::mouseClick(page.confirmBar()->confirmButton(), Qt::LeftButton);
        for (const QString &id : marked)
            QTRY_COMPARE(stateOf(fx, id), MessageState::Pending);
        QTRY_COMPARE(page.model()->rowCount(), 7);
        QTRY_VERIFY(page.markedCount()->text().isEmpty());
    }

    // "Retried N messages" goes after a while; the dividers stay where they were; the header's
    // two numbers never disagree while the page reloads after a retry of everything.
    void actionsLeaveThePageAsItWas()
    {
        RuntimeFixture fx;
        QVERIFY(fx.start());
        makeFailed(fx, QStringLiteral("jobs"), 30, [](int i) {
            return i % 2
                ? QStringLiteral("fetching from host 127.0.0.1 failed: Connection refused")
                : QStringLiteral("not found: https://img.test/a/long/path/to/the/picture/%1.png").arg(i);
        });
        FailedPage page(fx.runtime.get());
        page.setNoticeTimeout(300);
        page.resize(1400, 900);
        page.show();
        QVERIFY(QTest::qWaitForWindowExposed(&page));
        QTRY_VERIFY(page.model()->rowCount() == 30 && page.groups()->rowCount() == 2);
        QTRY_COMPARE(page.findChild<QLabel *>(QStringLiteral("failedCount"))->text(),
            QStringLiteral("30 messages · 2 error groups"));
        auto *horizontal = page.findChild<QSplitter *>(QStringLiteral("failedSplitH"));
        auto *vertical = page.findChild<QSplitter *>(QStringLiteral("failedSplitV"));
        QVERIFY(horizontal && vertical);
        horizontal->setSizes({ 900, 480 });
        const QList<int> h = horizontal->sizes();
        const QList<int> v = vertical->sizes();

        // Every text the header shows from here on.
        QStringList headers;
        auto *count = page.findChild<QLabel *>(QStringLiteral("failedCount"));
        const auto record = [&] {
            if (headers.isEmpty() || headers.constLast() != count->text())
                headers.append(count->text());
        };
        connect(page.model(), &QAbstractItemModel::rowsRemoved, this, record);
        connect(page.model(), &QAbstractItemModel::modelReset, this, record);
        connect(page.model(), &MessageTableModel::counted, this, record);
        connect(page.groups(), &FailureGroupModel::refreshed, this, record);
        connect(page.groups(), &QAbstractItemModel::rowsRemoved, this, record);

        // One message, by keyboard, then everything.
        clickRow(page.table(), 0);
        QTest::keyClick(page.table(), Qt::Key_R);
        QTRY_VERIFY(page.status()->text().contains(QLatin1String("Retried 1 message")));
        QTRY_VERIFY(page.status()->text().isEmpty());
        QTest::mouseClick(button(&page, "retryAll"), Qt::LeftButton);
        QTRY_VERIFY(page.confirmBar()->isVisible());
        QTest::mouseClick(page.confirmBar()->confirmButton(), Qt::LeftButton);
        QTRY_VERIFY(page.status()->text().contains(QLatin1String("Retried 29 messages")));
        QTRY_COMPARE(page.model()->rowCount(), 0);
        QTRY_COMPARE(count->text(), QStringLiteral("0 messages · 0 error groups"));
        QTRY_VERIFY(page.status()->text().isEmpty());

        QCOMPARE(horizontal->sizes(), h);
        QCOMPARE(vertical->sizes(), v);
        static const QRegularExpression numbers(
            QStringLiteral("^([\\d,]+) messages? · ([\\d,]+) error groups?$"));
        for (const QString &text : std::as_const(headers)) {
            const auto m = numbers.match(text);
            QVERIFY2(m.hasMatch(), qPrintable(text));
            QVERIFY2((m.captured(1) == QLatin1String("0")) == (m.captured(2) == QLatin1String("0")),
                qPrintable(text));
        }
    }

    // Error groups read as words with a real example beside them.
    void groupLabelsReadAsWords()
    {
        RuntimeFixture fx;
        QVERIFY(fx.start());
        makeFailed(fx, QStringLiteral("jobs"), 4,
            [](int) { return QStringLiteral("fetching from host 127.0.0.1 failed: Connection refused"); });
        FailedPage page(fx.runtime.get());
        page.resize(1400, 900);
        page.show();
        QVERIFY(QTest::qWaitForWindowExposed(&page));
        QTRY_COMPARE(page.groups()->rowCount(), 1);
        const QModelIndex label = page.groups()->index(0, FailureGroupModel::Signature);
        QCOMPARE(label.data().toString(), QStringLiteral("fetching from host … failed: Connection refused"));
        QCOMPARE(page.groups()->index(0, FailureGroupModel::Sample).data().toString(),
            QStringLiteral("fetching from host 127.0.0.1 failed: Connection refused"));
        const QRect rect = page.groupsView()->visualRect(label);
        QTest::mouseClick(page.groupsView()->viewport(), Qt::LeftButton, {}, rect.center());
        for (QLabel *l : page.findChildren<QLabel *>())
            QVERIFY2(!l->text().contains(QLatin1String("<n>")), qPrintable(l->text()));
    }

    // With nothing listed the actions that need messages are off and say why; they come on
    // when failures arrive.
    void emptyPageDisablesActions()
    {
        RuntimeFixture fx;
        QVERIFY(fx.start());
        fx.onBroker([](Broker &b) { b.createQueue(QStringLiteral("jobs")); });
        FailedPage page(fx.runtime.get());
        page.resize(1400, 900);
        page.show();
        QVERIFY(QTest::qWaitForWindowExposed(&page));
        QTRY_VERIFY(!page.model()->isLoading());
        for (const char *name :
            { "retry", "retryLater", "retryGroup", "retryAll", "edit", "delete", "export" }) {
            QToolButton *b = button(&page, name);
            QTRY_VERIFY2(!b->isEnabled(), name);
            QVERIFY2(b->toolTip().contains(QLatin1String("nothing to act on")), qPrintable(b->toolTip()));
        }

        makeFailed(fx, QStringLiteral("jobs"), 3, [](int) { return QStringLiteral("upstream 503"); });
        QTRY_COMPARE(page.model()->rowCount(), 3);
        for (const char *name : { "retry", "retryLater", "retryAll", "edit", "delete", "export" })
            QTRY_VERIFY2(button(&page, name)->isEnabled(), name);
        QCOMPARE(button(&page, "retry")->toolTip(), QStringLiteral("Retry the selected messages now (r)"));
        // A group applies once one is chosen.
        QVERIFY(!button(&page, "retryGroup")->isEnabled());
        QVERIFY(button(&page, "retryGroup")->toolTip().contains(QLatin1String("Select an error group")));
        QTRY_COMPARE(page.groups()->rowCount(), 1);
        const QRect rect = page.groupsView()->visualRect(page.groups()->index(0, 0));
        QTest::mouseClick(page.groupsView()->viewport(), Qt::LeftButton, {}, rect.center());
        QVERIFY(button(&page, "retryGroup")->isEnabled());
    }

    // Ids and URLs show their differing ends: the columns fit a whole id, both elide in the
    // middle when narrowed, and tooltips hold the whole text.
    void idsAndUrlsShowWhatDiffers()
    {
        RuntimeFixture fx;
        QVERIFY(fx.start());
        const QStringList ids
            = makeFailed(fx, QStringLiteral("jobs"), 3, [](int) { return QStringLiteral("x"); });
        FailedPage page(fx.runtime.get());
        page.resize(1400, 900);
        page.show();
        QVERIFY(QTest::qWaitForWindowExposed(&page));
        QTRY_VERIFY(page.model()->rowCount() == 3 && loaded(page.model(), 0, 2));
        MessageTableView *table = page.table();
        // Opens at the left: marks, queue and id in sight.
        QCOMPARE(table->horizontalScrollBar()->value(), table->horizontalScrollBar()->minimum());
        QVERIFY(table->viewport()->rect().contains(
            table->visualRect(page.model()->index(0, MessageTableModel::Id))));
        const QModelIndex id = page.model()->index(0, MessageTableModel::Id);
        QCOMPARE(id.data(Qt::ToolTipRole).toString(), id.data().toString());
        QVERIFY(
            table->columnWidth(MessageTableModel::Id) >= table->fontMetrics().horizontalAdvance(ids.first()));
        QVERIFY(page.model()
                    ->index(0, MessageTableModel::Url)
                    .data(Qt::ToolTipRole)
                    .toString()
                    .endsWith(QLatin1String(".png")));
        for (int column : { int(MessageTableModel::Id), int(MessageTableModel::Url) }) {
            QAbstractItemDelegate *delegate = table->itemDelegateForColumn(column);
            QVERIFY(delegate);
            QVERIFY(delegate != table->itemDelegate());
        }
    }

    // After an operator's retry the runtime counts attempts from 1 again; the history goes
    // on counting (4, 5) and shows where the operator stepped in.
    void attemptsNumberedAcrossRetries()
    {
        RuntimeFixture fx;
        QVERIFY(fx.start());
        const QString id = makeFailed(fx, QStringLiteral("jobs"), 1, [](int) {
            return QStringLiteral("upstream 503");
        }).first();
        const auto addAttempts = [&](int count, qint64 fromMs) {
            fx.onBroker([&](Broker &b) {
                const Message m = *b.store()->messageById(id);
                std::vector<AttemptRecord> attempts;
                for (int i = 1; i <= count; ++i) {
                    AttemptRecord a;
                    a.messageSeq = m.seq;
                    a.messageId = id;
                    a.queueId = m.queueId;
                    a.attempt = i;
                    a.startedMs = fromMs + i * 1000;
                    a.endedMs = a.startedMs + 100;
                    a.outcome = i == count ? AttemptOutcome::Failed : AttemptOutcome::Retried;
                    a.error = QStringLiteral("upstream 503");
                    attempts.push_back(a);
                }
                b.store()->insertAttempts(attempts);
                QString error;
                b.store()->commit(&error);
            });
        };
        const qint64 now = fx.onBroker([](Broker &b) { return b.clock()->nowMs(); });
        addAttempts(3, now - 60'000);
        QVERIFY(fx.onBroker([&](Broker &b) { return b.retryMessages({ id }, 0).ok(); }));
        addAttempts(2, now + 60'000);

        MessageQuery query(fx.runtime->storePath());
        MessageDetailView detail(&query);
        detail.resize(900, 700);
        detail.show();
        QVERIFY(QTest::qWaitForWindowExposed(&detail));
        detail.showMessage(id);
        auto *tree = detail.findChild<QTreeWidget *>(QStringLiteral("attempts"));
        QVERIFY(tree);
        QTRY_COMPARE(tree->topLevelItemCount(), 6);
        QStringList numbers;
        for (int i = 0; i < tree->topLevelItemCount(); ++i)
            numbers.append(tree->topLevelItem(i)->text(0));
        QCOMPARE(numbers,
            (QStringList { QStringLiteral("5"), QStringLiteral("4"), QStringLiteral("retried"),
                QStringLiteral("3"), QStringLiteral("2"), QStringLiteral("1") }));
        QCOMPARE(tree->topLevelItem(2)->text(1), QStringLiteral("by an operator"));
        QVERIFY(tree->topLevelItem(0)->toolTip(0).contains(QLatin1String("attempt 2")));
    }
};

QTEST_MAIN(TstTriage)
#include "tst_triage.moc"
