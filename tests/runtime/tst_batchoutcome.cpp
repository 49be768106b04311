#include "batchoutcome.h"

#include <QTest>

using qd::BatchOutcome;

// The resolution rules of a batch's outcome, one case per rule of docs/semantics.md.
class TstBatchOutcome : public QObject {
    Q_OBJECT
private slots:
    void resolve_data()
    {
        QTest::addColumn<QStringList>(
            "calls"); // "ack", "retry", "retry:30", "ackAll", "retryAll", "retryAll:9", "throw"
        QTest::addColumn<bool>("acked");
        QTest::addColumn<int>("delay"); // -1 = unset

        QTest::newRow("returns normally: ack") << QStringList {} << true << -1;
        QTest::newRow("throws: retry") << QStringList { QStringLiteral("throw") } << false << -1;
        QTest::newRow("explicit ack survives a throw")
            << QStringList { QStringLiteral("ack"), QStringLiteral("throw") } << true << -1;
        QTest::newRow("ackAll before throw acks")
            << QStringList { QStringLiteral("ackAll"), QStringLiteral("throw") } << true << -1;
        QTest::newRow("ack then retry stays acked")
            << QStringList { QStringLiteral("ack"), QStringLiteral("retry") } << true << -1;
        QTest::newRow("retry then ack stays retried")
            << QStringList { QStringLiteral("retry:30"), QStringLiteral("ack") } << false << 30;
        QTest::newRow("per-message beats retryAll")
            << QStringList { QStringLiteral("retryAll"), QStringLiteral("ack") } << true << -1;
        QTest::newRow("per-message beats ackAll")
            << QStringList { QStringLiteral("ackAll"), QStringLiteral("retry:5") } << false << 5;
        QTest::newRow("retryAll then ackAll: retried")
            << QStringList { QStringLiteral("retryAll:7"), QStringLiteral("ackAll") } << false << 7;
        QTest::newRow("ackAll then retryAll: acked")
            << QStringList { QStringLiteral("ackAll"), QStringLiteral("retryAll:7") } << true << -1;
        QTest::newRow("retry without delay takes retryAll's")
            << QStringList { QStringLiteral("retry"), QStringLiteral("retryAll:9") } << false << 9;
        QTest::newRow("explicit zero delay is kept")
            << QStringList { QStringLiteral("retry:0"), QStringLiteral("retryAll:9") } << false << 0;
        QTest::newRow("retryAll on a normal return retries")
            << QStringList { QStringLiteral("retryAll") } << false << -1;
    }

    void resolve()
    {
        QFETCH(QStringList, calls);
        QFETCH(bool, acked);
        QFETCH(int, delay);
        const QString id = QStringLiteral("m1");
        BatchOutcome o;
        for (const QString &call : calls) {
            const QString name = call.section(QLatin1Char(':'), 0, 0);
            const QString arg = call.section(QLatin1Char(':'), 1, 1);
            const std::optional<int> d = arg.isEmpty() ? std::nullopt : std::optional<int>(arg.toInt());
            if (name == QLatin1String("ack"))
                o.ack(id);
            else if (name == QLatin1String("retry"))
                o.retry(id, d);
            else if (name == QLatin1String("ackAll"))
                o.ackAll();
            else if (name == QLatin1String("retryAll"))
                o.retryAll(d);
            else if (name == QLatin1String("throw"))
                o.fail(QStringLiteral("boom"));
        }
        const auto r = o.resolve(id);
        QCOMPARE(r.verdict == BatchOutcome::Verdict::Ack, acked);
        QCOMPARE(r.delaySeconds.value_or(-1), delay);
    }

    void otherMessagesFollowTheBatch()
    {
        BatchOutcome o;
        o.retry(QStringLiteral("a"));
        o.fail(QStringLiteral("handler threw: TypeError"));
        QCOMPARE(o.resolve(QStringLiteral("b")).verdict, BatchOutcome::Verdict::Retry);
        QCOMPARE(o.retryReason(), QStringLiteral("handler threw: TypeError"));
    }
};

QTEST_GUILESS_MAIN(TstBatchOutcome)
#include "tst_batchoutcome.moc"
