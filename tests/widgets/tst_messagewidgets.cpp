#include "failedmessages.h"

#include "bulkprogress.h"
#include "confirmbar.h"
#include "editbodydialog.h"
#include "failedpage.h"
#include "failuregroupmodel.h"
#include "messagedetailview.h"
#include "messagefilterbar.h"
#include "messagespage.h"
#include "messagetablemodel.h"
#include "messagetableview.h"
#include "statepalette.h"
#include "viewclock.h"

#include "consumer.h"

#include <QApplication>
#include <QBuffer>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QImage>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QProgressBar>
#include <QPushButton>
#include <QSemaphore>
#include <QTableView>
#include <QToolButton>

#include <atomic>

using namespace qd;
using namespace qdtest;

namespace {

QStringList makeFailed(
    RuntimeFixture &fx, const QString &queue, int n, const std::function<QString(int)> &error)
{
    return makeFailedMessages(fx, queue, n, error, "https://img.test/");
}

} // namespace

// The Messages and Failed pages driven by real clicks and keys over a real runtime.
class TstMessageWidgets : public QObject {
    Q_OBJECT
private slots:
    void initTestCase() { isolateSettings(); }

    void retryOneWithTheKeyboard()
    {
        RuntimeFixture fx;
        QVERIFY(fx.start());
        makeFailed(fx, QStringLiteral("jobs"), 10,
            [](int i) { return QStringLiteral("HTTP 404 from https://img.test/%1.png").arg(i); });
        FailedPage page(fx.runtime.get());
        page.resize(1400, 900);
        page.show();
        QVERIFY(QTest::qWaitForWindowExposed(&page));
        QTRY_COMPARE(page.model()->rowCount(), 10);
        QTRY_VERIFY(loaded(page.model(), 0, 9));

        clickRow(page.table(), 0);
        QTest::keyClick(page.table(), Qt::Key_J);
        QTest::keyClick(page.table(), Qt::Key_J);
        QCOMPARE(page.table()->currentIndex().row(), 2);
        const QString id = page.model()->rowAt(2)->id;
        QTest::keyClick(page.table(), Qt::Key_Return); // opens it
        QTRY_COMPARE(page.detail()->messageId(), id);
        QTRY_VERIFY(page.detail()
                        ->findChild<QPlainTextEdit *>(QStringLiteral("body"))
                        ->toPlainText()
                        .contains(QLatin1String("imageUrl")));

        QTest::keyClick(page.table(), Qt::Key_R);
        QTRY_COMPARE(stateOf(fx, id), MessageState::Pending);
        QVERIFY(!page.confirmBar()->isVisible()); // one message: no question asked
        QTRY_COMPARE(page.model()->rowCount(), 9);
        QTRY_VERIFY(page.status()->text().contains(QLatin1String("Retried 1 message")));
        QVERIFY(fx.auditActions(1).first().startsWith(QLatin1String("retry:")));
    }

    void retrySelectionAfterSayingHowMany()
    {
        RuntimeFixture fx;
        QVERIFY(fx.start());
        makeFailed(fx, QStringLiteral("jobs"), 12, [](int) { return QStringLiteral("connection reset"); });
        FailedPage page(fx.runtime.get());
        page.resize(1400, 900);
        page.show();
        QVERIFY(QTest::qWaitForWindowExposed(&page));
        QTRY_VERIFY(page.model()->rowCount() == 12 && loaded(page.model(), 0, 11));

        // Rows 0-3 by click and shift-click, then row 5 marked with x.
        clickRow(page.table(), 0);
        clickRow(page.table(), 3, Qt::ShiftModifier);
        QTest::keyClick(page.table(), Qt::Key_J);
        QTest::keyClick(page.table(), Qt::Key_J);
        QTest::keyClick(page.table(), Qt::Key_X);
        QCOMPARE(page.table()->pickedRows(), (QList<int> { 0, 1, 2, 3, 5 }));
        QStringList picked;
        for (int row : page.table()->pickedRows())
            picked.append(page.model()->rowAt(row)->id);

        QTest::mouseClick(child<QToolButton>(&page, "retry"), Qt::LeftButton);
        QVERIFY(page.confirmBar()->isVisible());
        QVERIFY2(page.confirmBar()->text().contains(QLatin1String("Retry 5 selected messages")),
            qPrintable(page.confirmBar()->text()));
        QCOMPARE(stateOf(fx, picked[0]), MessageState::Failed); // nothing before the answer
        QTest::mouseClick(page.confirmBar()->confirmButton(), Qt::LeftButton);
        for (const QString &id : picked)
            QTRY_COMPARE(stateOf(fx, id), MessageState::Pending);
        QTRY_COMPARE(page.model()->rowCount(), 7);
    }

    void retryAWholeGroup()
    {
        RuntimeFixture fx;
        QVERIFY(fx.start());
        const QStringList ids = makeFailed(fx, QStringLiteral("jobs"), 10, [](int i) {
            return i < 6 ? QStringLiteral("HTTP 404 from https://img.test/%1.png").arg(i)
                         : QStringLiteral("timeout after %1 ms").arg(1000 + i);
        });
        FailedPage page(fx.runtime.get());
        page.resize(1400, 900);
        page.show();
        QVERIFY(QTest::qWaitForWindowExposed(&page));
        QTRY_COMPARE(page.groups()->rowCount(), 2);
        const int row = page.groups()->rowOf(QStringLiteral("HTTP 404 from <url>"));
        QVERIFY(row >= 0);
        const QRect rect = page.groupsView()->visualRect(page.groups()->index(row, 0));
        QTest::mouseClick(page.groupsView()->viewport(), Qt::LeftButton, {}, rect.center());
        QCOMPARE(page.groupSignature(), QStringLiteral("HTTP 404 from <url>"));
        QTRY_COMPARE(page.model()->rowCount(), 6); // the table shows the group

        QTest::mouseClick(child<QToolButton>(&page, "retryGroup"), Qt::LeftButton);
        QVERIFY(page.confirmBar()->isVisible());
        QVERIFY2(page.confirmBar()->text().contains(QLatin1String("Retry all 6 messages")),
            qPrintable(page.confirmBar()->text()));
        QTest::mouseClick(page.confirmBar()->confirmButton(), Qt::LeftButton);
        for (int i = 0; i < 10; ++i)
            QTRY_COMPARE(stateOf(fx, ids[i]), i < 6 ? MessageState::Pending : MessageState::Failed);
        QTRY_COMPARE(page.groups()->rowCount(), 1);
        QVERIFY(fx.auditActions(1).first().startsWith(QLatin1String("retry_selection:")));
    }

    // A bulk retry of everything the filter matches runs in chunks; Cancel stops it between
    // two, and what was not reached stays failed.
    void cancelABulkRetryMidway()
    {
        RuntimeFixture fx;
        QVERIFY(fx.start());
        const int n = Broker::kBulkChunk * 2 + Broker::kBulkChunk / 2;
        makeFailed(fx, QStringLiteral("jobs"), n, [](int) { return QStringLiteral("upstream 503"); });
        FailedPage page(fx.runtime.get());
        page.resize(1400, 900);
        page.show();
        QVERIFY(QTest::qWaitForWindowExposed(&page));
        QTRY_COMPARE(page.model()->rowCount(), n);

        // The runtime waits after its first chunk until Cancel has been clicked, so the
        // click lands midway however fast the machine is.
        QSemaphore gate;
        std::atomic<bool> held { false };
        connect(
            fx.runtime->broker(), &Broker::bulkProgress, fx.runtime->broker(),
            [&](qint64, qint64, qint64) {
                if (!held.exchange(true))
                    gate.acquire();
            },
            Qt::DirectConnection);

        QTest::mouseClick(child<QToolButton>(&page, "retryAll"), Qt::LeftButton);
        QTRY_VERIFY(page.confirmBar()->isVisible());
        QVERIFY2(page.confirmBar()->text().contains(QLatin1String("Retry all")),
            qPrintable(page.confirmBar()->text()));
        QTest::mouseClick(page.confirmBar()->confirmButton(), Qt::LeftButton);
        QTRY_VERIFY(page.progress()->isVisible());
        QTRY_COMPARE(page.progress()->bar()->value(), Broker::kBulkChunk);
        QCOMPARE(page.progress()->bar()->maximum(), n);
        QTest::mouseClick(page.progress()->cancelButton(), Qt::LeftButton);
        gate.release();
        QTRY_VERIFY(!page.progress()->isVisible());
        QTRY_VERIFY2(
            page.status()->text().startsWith(QLatin1String("Cancelled")), qPrintable(page.status()->text()));
        const QueueCounts counts = fx.onBroker([](Broker &b) { return b.counts(QStringLiteral("jobs")); });
        QCOMPARE(counts.ready + counts.delayed, qint64(Broker::kBulkChunk));
        QCOMPARE(counts.failed, qint64(n - Broker::kBulkChunk));
        QTRY_COMPARE(page.model()->rowCount(), n - Broker::kBulkChunk);
    }

    void editAndResubmit()
    {
        RuntimeFixture fx;
        QVERIFY(fx.start());
        const QStringList ids
            = makeFailed(fx, QStringLiteral("jobs"), 3, [](int) { return QStringLiteral("bad url"); });
        FailedPage page(fx.runtime.get());
        page.resize(1400, 900);
        page.show();
        QVERIFY(QTest::qWaitForWindowExposed(&page));
        QTRY_VERIFY(page.model()->rowCount() == 3 && loaded(page.model(), 0, 2));
        clickRow(page.table(), 1);
        const QString id = page.model()->rowAt(1)->id;
        QTRY_VERIFY(page.detail()->detail() && page.detail()->detail()->message.id == id);
        QTest::mouseClick(child<QToolButton>(&page, "edit"), Qt::LeftButton);
        EditBodyDialog *dialog = nullptr;
        QTRY_VERIFY((dialog = page.findChild<EditBodyDialog *>()) && dialog->isVisible());
        dialog->editor()->selectAll();
        QTest::keyClicks(dialog->editor(), QStringLiteral("{\"imageUrl\": \"https://img.test/fixed.png\"}"));
        QTest::mouseClick(
            dialog->findChild<QDialogButtonBox *>()->button(QDialogButtonBox::Ok), Qt::LeftButton);
        QTRY_COMPARE(stateOf(fx, id), MessageState::Pending);
        const QByteArray body = fx.onBroker([&](Broker &b) { return b.store()->messageById(id)->body; });
        QCOMPARE(body, QByteArray("{\"imageUrl\":\"https://img.test/fixed.png\"}"));
        QVERIFY(fx.auditActions(1).first().startsWith(QLatin1String("edit_resubmit:")));
    }

    void searchAndOpenOnTheMessagesPage()
    {
        RuntimeFixture fx;
        QVERIFY(fx.start());
        makeFailed(fx, QStringLiteral("jobs"), 20, [](int) { return QStringLiteral("boom"); });
        MessagesPage page(fx.runtime.get());
        page.resize(1400, 900);
        page.show();
        QVERIFY(QTest::qWaitForWindowExposed(&page));
        QTRY_COMPARE(page.model()->rowCount(), 20);
        QTRY_VERIFY(loaded(page.model(), 0, 19));
        clickRow(page.table(), 0);
        QTest::keyClick(page.table(), Qt::Key_Slash);
        QTRY_VERIFY(page.filterBar()->searchEdit()->hasFocus());
        QTest::keyClicks(page.filterBar()->searchEdit(), QStringLiteral("user:user3 state:failed"));
        QTest::keyClick(page.filterBar()->searchEdit(), Qt::Key_Return);
        QTRY_COMPARE(page.model()->rowCount(), 4);
        QTRY_VERIFY(loaded(page.model(), 0, 3));
        QCOMPARE(page.model()->data(page.model()->index(0, MessageTableModel::User)).toString(),
            QStringLiteral("user3"));
        clickRow(page.table(), 1);
        QTest::keyClick(page.table(), Qt::Key_Return);
        const QString id = page.model()->rowAt(1)->id;
        QTRY_COMPARE(page.detail()->messageId(), id);
        QTRY_VERIFY(page.detail()->detail().has_value());
        QCOMPARE(page.detail()->detail()->message.lastError, QStringLiteral("boom"));

        // d asks first, and deletes only when told to.
        QTest::keyClick(page.table(), Qt::Key_D);
        QVERIFY(page.confirmBar()->isVisible());
        QTest::mouseClick(page.confirmBar()->cancelButton(), Qt::LeftButton);
        QVERIFY(!page.confirmBar()->isVisible());
        QCOMPARE(stateOf(fx, id), MessageState::Failed);
        QTest::keyClick(page.table(), Qt::Key_D);
        QTest::mouseClick(page.confirmBar()->confirmButton(), Qt::LeftButton);
        QTRY_COMPARE(page.model()->rowCount(), 3);
        QVERIFY(fx.onBroker([&](Broker &b) { return !b.store()->messageById(id).has_value(); }));
    }

    // The time ranges count back from the window's clock, not the wall clock: two hours
    // on, "Last hour" lists none of the messages sent now and "Last 24 hours" all of them.
    void timeRangesCountBackFromTheViewClock()
    {
        RuntimeFixture fx;
        QVERIFY(fx.start());
        makeFailed(fx, QStringLiteral("jobs"), 3, [](int) { return QStringLiteral("boom"); });
        ManualClock clock(QDateTime::currentMSecsSinceEpoch() + 2 * 3'600'000LL);
        const ViewClockOverride useIt(&clock);
        MessagesPage page(fx.runtime.get());
        page.resize(1400, 900);
        page.show();
        QVERIFY(QTest::qWaitForWindowExposed(&page));
        QTRY_COMPARE(page.model()->rowCount(), 3);
        auto *time = page.findChild<QComboBox *>(QStringLiteral("timeFilter"));
        QVERIFY(time);
        time->setFocus();
        QTest::keyClick(time, Qt::Key_Down); // the last 15 minutes
        QTest::keyClick(time, Qt::Key_Down); // the last hour
        QCOMPARE(time->currentIndex(), 2);
        QCOMPARE(page.filterBar()->filter().fromMs, clock.nowMs() - 3'600'000);
        auto *count = page.findChild<QLabel *>(QStringLiteral("messageCount"));
        QVERIFY(count);
        QTRY_COMPARE(count->text(), QStringLiteral("0 messages"));
        QTest::keyClick(time, Qt::Key_Down); // the last 24 hours
        QCOMPARE(page.filterBar()->filter().fromMs, clock.nowMs() - 86'400'000);
        QTRY_COMPARE(count->text(), QStringLiteral("3 messages"));
    }

    // With Live on, the open message's pane follows the pipeline: a message shown while it
    // waits reads acked once a consumer has taken it, without anyone touching the window.
    void detailFollowsTheMessageWhileLive()
    {
        RuntimeFixture fx;
        QVERIFY(fx.start());
        QStringList ids;
        fx.onBroker([&](Broker &b) {
            QueueSettings settings;
            settings.maxBatchTimeoutMs = 0;
            QVERIFY(b.createQueue(QStringLiteral("jobs"), settings).ok());
            // No consumer yet: the message waits, ready, as the operator first sees it.
            QVERIFY(b.send(QStringLiteral("jobs"), { SendItem { "\"one\"", ContentType::Json, {} } }, {}, {},
                         &ids)
                        .ok());
        });
        QCOMPARE(ids.size(), 1);
        MessagesPage page(fx.runtime.get());
        page.resize(1400, 900);
        page.show();
        QVERIFY(QTest::qWaitForWindowExposed(&page));
        QTRY_COMPARE(page.model()->rowCount(), 1);
        QTRY_VERIFY(loaded(page.model(), 0, 0));
        clickRow(page.table(), 0);
        QTRY_COMPARE(page.detail()->messageId(), ids.first());
        QTRY_VERIFY(page.detail()->detail().has_value());
        QCOMPARE(stateFilterName(page.detail()->detail()->state), QStringLiteral("ready"));
        QVERIFY(page.detail()->detail()->attempts.isEmpty());

        fx.onBroker([&](Broker &b) {
            b.attachConsumer(QStringLiteral("jobs"),
                std::make_shared<FunctionConsumer>([](const Delivery &, BatchOutcome &) {}));
        });
        QTRY_COMPARE_WITH_TIMEOUT(stateOf(fx, ids.first()), MessageState::Acked, 10000);
        QTRY_COMPARE_WITH_TIMEOUT(
            stateFilterName(page.detail()->detail()->state), QStringLiteral("acked"), 5000);
        QCOMPARE(page.detail()->detail()->attempts.size(), 1);
    }

    // A message's state has one colour in the table, in its detail pane and in the charts:
    // the state palette's, in its light or dark tone as the application's palette is.
    void statesWearThePaletteColours()
    {
        RuntimeFixture fx;
        QVERIFY(fx.start());
        const QStringList failed = makeFailed(fx, QStringLiteral("jobs"), 1, [](int) { return QString(); });
        fx.onBroker([&](Broker &b) {
            QVERIFY(
                b.send(QStringLiteral("jobs"), { SendItem { "\"waits\"", ContentType::Json, {} } }, {}, {})
                    .ok());
        });
        MessagesPage page(fx.runtime.get());
        page.resize(1400, 900);
        page.show();
        QVERIFY(QTest::qWaitForWindowExposed(&page));
        QTRY_COMPARE(page.model()->rowCount(), 2);
        QTRY_VERIFY(loaded(page.model(), 0, 1));
        const auto colourOf = [&](const QString &id) {
            for (int row = 0; row < page.model()->rowCount(); ++row) {
                if (page.model()->index(row, MessageTableModel::Id).data(Qt::ToolTipRole).toString() == id)
                    return page.model()
                        ->index(row, MessageTableModel::State)
                        .data(Qt::ForegroundRole)
                        .value<QColor>();
            }
            return QColor();
        };
        const QString ready = [&] {
            for (int row = 0; row < 2; ++row) {
                const QString id
                    = page.model()->index(row, MessageTableModel::Id).data(Qt::ToolTipRole).toString();
                if (id != failed.first())
                    return id;
            }
            return QString();
        }();
        const QPalette light = QApplication::palette();
        QVERIFY(!isDarkPalette(light));
        QCOMPARE(colourOf(failed.first()), stateColor(MessageStateKind::Failed, false));
        QCOMPARE(colourOf(ready), stateColor(MessageStateKind::Ready, false));

        // The failed one's detail pane wears the same colour on its state.
        const auto rowOf = [&](const QString &id) {
            for (int row = 0; row < page.model()->rowCount(); ++row) {
                if (page.model()->index(row, MessageTableModel::Id).data(Qt::ToolTipRole).toString() == id)
                    return row;
            }
            return -1;
        };
        clickRow(page.table(), rowOf(failed.first()));
        QTRY_COMPARE(page.detail()->messageId(), failed.first());
        const auto badgeShows = [&](const QColor &colour) {
            for (QLabel *label : page.detail()->findChildren<QLabel *>()) {
                if (label->text().contains(QStringLiteral("color:%1").arg(colour.name())))
                    return true;
            }
            return false;
        };
        QTRY_VERIFY(badgeShows(stateColor(MessageStateKind::Failed, false)));

        // A dark palette: the dark tones, with nothing reloaded.
        QPalette dark = light;
        dark.setColor(QPalette::Window, QColor(0x2b, 0x2d, 0x30));
        dark.setColor(QPalette::Base, QColor(0x1e, 0x1f, 0x22));
        QApplication::setPalette(dark);
        QCOMPARE(colourOf(failed.first()), stateColor(MessageStateKind::Failed, true));
        QCOMPARE(colourOf(ready), stateColor(MessageStateKind::Ready, true));
        QTRY_VERIFY(badgeShows(stateColor(MessageStateKind::Failed, true)));
        QApplication::setPalette(light);
    }

    // Opening a message by id (from the Submit or Results page) shows it alone, opened,
    // whatever filters were set before.
    void openAMessageById()
    {
        RuntimeFixture fx;
        QVERIFY(fx.start());
        makeFailed(fx, QStringLiteral("jobs"), 12, [](int) { return QStringLiteral("boom"); });
        MessagesPage page(fx.runtime.get());
        page.resize(1400, 900);
        page.show();
        QVERIFY(QTest::qWaitForWindowExposed(&page));
        QTRY_COMPARE(page.model()->rowCount(), 12);
        QTRY_VERIFY(loaded(page.model(), 0, 11));
        const QString id = page.model()->rowAt(7)->id;
        QTest::keyClicks(page.filterBar()->searchEdit(), QStringLiteral("user:nobody"));
        QTest::keyClick(page.filterBar()->searchEdit(), Qt::Key_Return);
        QTRY_COMPARE(page.model()->rowCount(), 0);

        page.openMessage(id);
        QTRY_COMPARE(page.model()->rowCount(), 1);
        QTRY_VERIFY(loaded(page.model(), 0, 0));
        QCOMPARE(page.model()->rowAt(0)->id, id);
        QTRY_COMPARE(page.detail()->messageId(), id);
        QTRY_VERIFY(page.detail()->detail().has_value());
        QCOMPARE(page.detail()->detail()->message.id, id);
    }

    // A processed image job shows its result beside the body: thumbnail, format, size.
    void detailShowsTheImageResult()
    {
        RuntimeFixture fx;
        QVERIFY(fx.start());
        const QString id = fx.onBroker([](Broker &b) {
            const Message m = storeMessage(
                b, { .body = "{\"imageUrl\":\"https://img.test/cat.png\",\"userId\":\"ann\"}" });
            QImage image(64, 48, QImage::Format_RGB32);
            image.fill(QColor(0x2f, 0x7e, 0xd8));
            QByteArray png;
            QBuffer buffer(&png);
            buffer.open(QIODevice::WriteOnly);
            image.save(&buffer, "PNG");
            ImageResult r;
            r.messageSeq = m.seq;
            r.messageId = m.id;
            r.queueId = m.queueId;
            r.userId = QStringLiteral("ann");
            r.url = QStringLiteral("https://img.test/cat.png");
            r.format = QStringLiteral("PNG");
            r.width = 64;
            r.height = 48;
            r.bytes = png.size();
            r.sha256 = QStringLiteral("ab").repeated(32);
            r.thumbnail = png;
            r.fetchMs = 12;
            r.decodeMs = 3;
            r.createdMs = b.clock()->nowMs();
            b.store()->insertResults({ r });
            QString error;
            b.store()->commit(&error);
            return m.id;
        });
        MessagesPage page(fx.runtime.get());
        page.resize(1400, 900);
        page.show();
        QVERIFY(QTest::qWaitForWindowExposed(&page));
        // The first row opens by itself once the rows are there.
        QTRY_COMPARE(page.detail()->messageId(), id);
        QTRY_VERIFY(page.detail()->detail().has_value());
        QVERIFY(page.detail()->detail()->result.has_value());
        bool shown = false;
        for (QLabel *label : page.detail()->findChildren<QLabel *>()) {
            if (label->isVisible() && label->text().contains(QStringLiteral("PNG 64×48")))
                shown = true;
        }
        QVERIFY(shown);
        if (const QString dir = qEnvironmentVariable("QUEUEDECK_TEST_SHOTS"); !dir.isEmpty())
            page.grab().save(dir + QStringLiteral("/messages-detail.png"));
    }

    // A Worker's env.QUEUE.send(obj) body (V8's structured clone) reads as JSON; one that
    // cannot be decoded shows its base64 and why.
    void detailShowsV8BodiesDecoded()
    {
        RuntimeFixture fx;
        QVERIFY(fx.start());
        const auto insert = [&fx](const QByteArray &body) {
            return fx.onBroker([body](Broker &b) {
                const Message m = storeMessage(b, { .body = body, .contentType = ContentType::V8 });
                QString error;
                b.store()->commit(&error);
                return m.id;
            });
        };
        // node -e 'console.log(require("v8").serialize({user:"żółw",n:[1,2]}).toString("hex"))'
        const QString decodable = insert(
            QByteArray::fromHex("ff0f6f2204757365720063087c01f3004201770022016e4102490249042400027b02"));
        // node -e 'console.log(require("v8").serialize(new Map([["a",1]])).toString("hex"))'
        const QByteArray mapBytes = QByteArray::fromHex("ff0f3b22016149023a02");
        const QString map = insert(mapBytes);

        MessagesPage page(fx.runtime.get());
        page.resize(1400, 900);
        page.show();
        QVERIFY(QTest::qWaitForWindowExposed(&page));
        auto *body = page.detail()->findChild<QPlainTextEdit *>(QStringLiteral("body"));
        QVERIFY(body);

        page.openMessage(decodable);
        QTRY_COMPARE(page.detail()->messageId(), decodable);
        QTRY_VERIFY(page.detail()->detail().has_value());
        QTRY_COMPARE(body->toPlainText(),
            QStringLiteral("{\n    \"n\": [\n        1,\n        2\n    ],\n    \"user\": \"żółw\"\n}\n"));
        auto *kind = page.detail()->findChild<QLabel *>(QStringLiteral("bodyKind"));
        QVERIFY(kind);
        QVERIFY2(
            kind->text().contains(QStringLiteral("V8 structured clone, decoded")), qPrintable(kind->text()));

        page.openMessage(map);
        QTRY_COMPARE(page.detail()->messageId(), map);
        QTRY_COMPARE(body->toPlainText(), QString::fromLatin1(mapBytes.toBase64()));
        QVERIFY2(kind->text().contains(QStringLiteral("contains a Map, which is shown as bytes")),
            qPrintable(kind->text()));
    }
};

QTEST_MAIN(TstMessageWidgets)
#include "tst_messagewidgets.moc"
