// The message detail pane shows what a Worker's queue() printed during each attempt.
#include "messagedetailview.h"
#include "runtimefixture.h"

#include <QPlainTextEdit>
#include <QTreeWidget>

using namespace qd;
using namespace qdtest;

class TstAttemptLogs : public QObject {
    Q_OBJECT
private slots:
    void initTestCase() { isolateSettings(); }

    void anAttemptShowsItsConsoleLines()
    {
        RuntimeFixture fx;
        QVERIFY(fx.start());
        const QString id = fx.onBroker([](Broker &b) {
            const Message m = storeMessage(b,
                { .body = "{\"n\":1}",
                    .state = MessageState::Failed,
                    .attempts = 2,
                    .lastError = QStringLiteral("boom") });
            const qint64 now = m.visibleAtMs;
            AttemptRecord first;
            first.messageSeq = m.seq;
            first.messageId = m.id;
            first.queueId = m.queueId;
            first.attempt = 1;
            first.startedMs = now - 20;
            first.endedMs = now - 15;
            first.outcome = AttemptOutcome::Retried;
            first.error = QStringLiteral("Error: boom");
            first.logs = QStringList { QStringLiteral("queue() got 1 from images"),
                QStringLiteral("Error: boom\n    at queue (index.js:7:11)") };
            AttemptRecord second = first;
            second.attempt = 2;
            second.startedMs = now - 10;
            second.endedMs = now - 5;
            second.outcome = AttemptOutcome::Failed;
            second.logs.clear();
            b.store()->insertAttempts({ first, second });
            QString error;
            b.store()->commit(&error);
            return m.id;
        });

        MessageDetailView view(new MessageQuery(fx.runtime->storePath()));
        view.resize(1000, 800);
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        view.showMessage(id);
        QTRY_VERIFY(view.detail().has_value());

        const QList<QPlainTextEdit *> boxes
            = view.findChildren<QPlainTextEdit *>(QStringLiteral("attemptLogs"));
        // Only the attempt that printed anything has a box.
        QCOMPARE(boxes.size(), 1);
        QPlainTextEdit *logs = boxes.at(0);
        QCOMPARE(logs->toPlainText(),
            QStringLiteral("queue() got 1 from images\nError: boom\n    at queue (index.js:7:11)"));
        QTRY_VERIFY(logs->isVisible());
        QVERIFY(logs->isReadOnly());
        QVERIFY(logs->textInteractionFlags() & Qt::TextSelectableByMouse);
        QVERIFY(QFontInfo(logs->font()).fixedPitch());
        // Under its attempt: the first one, listed last (newest first).
        auto *attempts = view.findChild<QTreeWidget *>(QStringLiteral("attempts"));
        QVERIFY(attempts);
        QTreeWidgetItem *firstAttempt = attempts->topLevelItem(attempts->topLevelItemCount() - 1);
        QCOMPARE(firstAttempt->text(0), QStringLiteral("1"));
        QCOMPARE(attempts->itemWidget(firstAttempt->child(0), 0), logs);
        QVERIFY(firstAttempt->isExpanded());
        // Tall enough for every line (three here) without a scroll bar.
        QVERIFY(logs->height() >= 3 * logs->fontMetrics().lineSpacing());
    }
};

QTEST_MAIN(TstAttemptLogs)
#include "tst_attemptlogs.moc"
