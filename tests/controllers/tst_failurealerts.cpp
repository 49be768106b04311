#include "failurealerts.h"

#include <QTest>

using namespace qd;

namespace {
QueueSnapshot queue(const QString &name, qint64 failed, qint64 ready = 0, const QString &dlq = {})
{
    QueueSnapshot q;
    q.name = name;
    q.counts.failed = failed;
    q.counts.ready = ready;
    q.settings.deadLetterQueue = dlq;
    return q;
}
} // namespace

// When failures pile up, say so once per crossing of the threshold.
class TstFailureAlerts : public QObject {
    Q_OBJECT
private slots:
    void oncePerCrossing()
    {
        FailureAlerts alerts(100);
        QVERIFY(alerts.update({ queue(QStringLiteral("images"), 99) }).isEmpty());
        const auto first = alerts.update({ queue(QStringLiteral("images"), 100) });
        QCOMPARE(first.size(), 1);
        QCOMPARE(first[0].queue, QStringLiteral("images"));
        QCOMPARE(first[0].count, 100);
        QVERIFY(!first[0].deadLetterQueue);
        // Still over, or wobbling just under: no more alerts.
        QVERIFY(alerts.update({ queue(QStringLiteral("images"), 150) }).isEmpty());
        QVERIFY(alerts.update({ queue(QStringLiteral("images"), 80) }).isEmpty());
        QVERIFY(alerts.update({ queue(QStringLiteral("images"), 120) }).isEmpty());
        // Under half re-arms it.
        QVERIFY(alerts.update({ queue(QStringLiteral("images"), 40) }).isEmpty());
        QCOMPARE(alerts.update({ queue(QStringLiteral("images"), 101) }).size(), 1);
    }

    void deadLetterQueuesCountWhatWaits()
    {
        FailureAlerts alerts(10);
        // "dlq" is images' dead-letter queue: its ready messages are failures too.
        const auto out = alerts.update({ queue(QStringLiteral("images"), 0, 500, QStringLiteral("dlq")),
            queue(QStringLiteral("dlq"), 3, 8) });
        QCOMPARE(out.size(), 1);
        QCOMPARE(out[0].queue, QStringLiteral("dlq"));
        QCOMPARE(out[0].count, 11);
        QVERIFY(out[0].deadLetterQueue);
    }
};

QTEST_GUILESS_MAIN(TstFailureAlerts)
#include "tst_failurealerts.moc"
