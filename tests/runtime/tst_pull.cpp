#include "brokerfixture.h"

#include <QSet>

using namespace qdtest;

namespace {
QStringList leasesOf(const qd::PullResult &r)
{
    QStringList out;
    for (const qd::Message &m : r.messages)
        out.append(m.leaseId);
    return out;
}
} // namespace

// Pull consumers (docs/semantics.md "Pull consumers"): leases, acks, retries and expiry.
class TstPull : public QObject {
    Q_OBJECT
private slots:
    void batchSize_data()
    {
        QTest::addColumn<int>("batchSize");
        QTest::addColumn<int>("expected");
        QTest::newRow("1") << 1 << 1;
        QTest::newRow("5 (default)") << 5 << 5;
        QTest::newRow("more than ready") << 100 << 10;
    }

    void batchSize()
    {
        QFETCH(int, batchSize);
        QFETCH(int, expected);
        BrokerFixture fx;
        QVERIFY(fx.open());
        QVERIFY(fx.createQueue(QStringLiteral("p"), pullSettings()));
        const QStringList ids = fx.send(QStringLiteral("p"), 10);
        const qint64 t0 = fx.clock.nowMs();
        qd::PullResult r;
        QVERIFY(fx.broker->pull(QStringLiteral("p"), batchSize, 2000, &r).ok());
        QCOMPARE(int(r.messages.size()), expected);
        QCOMPARE(r.backlogCount, qint64(10 - expected));
        QSet<QString> leases;
        for (const qd::Message &m : r.messages) {
            QVERIFY(!m.leaseId.isEmpty());
            leases.insert(m.leaseId);
            QCOMPARE(m.attempts, 1);
            QCOMPARE(m.leaseExpiresMs, t0 + 2000);
            QCOMPARE(m.body, fx.message(m.id).body);
        }
        QCOMPARE(leases.size(), expected);
        QCOMPARE(r.messages[0].id, ids[0]); // oldest first
        QCOMPARE(fx.counts(QStringLiteral("p")).inFlight, qint64(expected));
    }

    void pullRange_data()
    {
        QTest::addColumn<int>("batchSize");
        QTest::addColumn<int>("visibilityMs");
        QTest::addColumn<QString>("named");
        QTest::newRow("batch 0") << 0 << 1000 << QStringLiteral("batch_size");
        QTest::newRow("batch 101") << 101 << 1000 << QStringLiteral("batch_size");
        QTest::newRow("visibility 0") << 1 << 0 << QStringLiteral("visibility_timeout_ms");
        QTest::newRow("visibility over 12 h") << 1 << 43'200'001 << QStringLiteral("visibility_timeout_ms");
    }

    void pullRange()
    {
        QFETCH(int, batchSize);
        QFETCH(int, visibilityMs);
        QFETCH(QString, named);
        BrokerFixture fx;
        QVERIFY(fx.open());
        QVERIFY(fx.createQueue(QStringLiteral("p"), pullSettings()));
        QCOMPARE(fx.send(QStringLiteral("p"), 1).size(), 1);
        qd::PullResult r;
        const qd::Error e = fx.broker->pull(QStringLiteral("p"), batchSize, visibilityMs, &r);
        QCOMPARE(e.code, qd::ErrorCode::Invalid);
        QVERIFY2(e.message.contains(named), qPrintable(e.message));
        QCOMPARE(fx.counts(QStringLiteral("p")).ready, qint64(1));
    }

    void concurrentPullsAreDisjoint()
    {
        BrokerFixture fx;
        QVERIFY(fx.open());
        QVERIFY(fx.createQueue(QStringLiteral("p"), pullSettings()));
        const QStringList ids = fx.send(QStringLiteral("p"), 10);
        QSet<QString> seen;
        int total = 0;
        for (int i = 0; i < 4; ++i) {
            qd::PullResult r;
            QVERIFY(fx.broker->pull(QStringLiteral("p"), 4, {}, &r).ok());
            for (const qd::Message &m : r.messages)
                seen.insert(m.id);
            total += int(r.messages.size());
        }
        QCOMPARE(total, 10);
        QCOMPARE(seen, QSet<QString>(ids.begin(), ids.end()));
    }

    void ackAndRetryByLease()
    {
        BrokerFixture fx;
        QVERIFY(fx.open());
        qd::QueueSettings s = pullSettings();
        s.retryDelaySeconds = 20;
        QVERIFY(fx.createQueue(QStringLiteral("p"), s));
        const QStringList ids = fx.send(QStringLiteral("p"), 3);
        const qint64 t0 = fx.clock.nowMs();
        qd::PullResult r;
        QVERIFY(fx.broker->pull(QStringLiteral("p"), 3, {}, &r).ok());
        QCOMPARE(r.messages.size(), 3u);
        const QStringList leases = leasesOf(r);

        qd::AckResult a;
        QVERIFY(fx.broker
                    ->acknowledge(QStringLiteral("p"), { leases[0] },
                        { qd::LeaseRetry { leases[1], 5 }, qd::LeaseRetry { leases[2], {} } }, &a)
                    .ok());
        QCOMPARE(a.ackCount, 1);
        QCOMPARE(a.retryCount, 2);
        QVERIFY(a.warnings.isEmpty());
        QCOMPARE(fx.message(ids[0]).state, qd::MessageState::Acked);
        QCOMPARE(fx.message(ids[1]).state, qd::MessageState::Pending);
        QCOMPARE(fx.message(ids[1]).visibleAtMs, t0 + 5000);
        QCOMPARE(fx.message(ids[2]).visibleAtMs, t0 + 20'000); // the queue's retry_delay

        fx.clock.setMs(t0 + 4999);
        QVERIFY(fx.broker->pull(QStringLiteral("p"), 10, {}, &r).ok());
        QCOMPARE(r.messages.size(), 0u);
        fx.clock.setMs(t0 + 5000);
        QVERIFY(fx.broker->pull(QStringLiteral("p"), 10, {}, &r).ok());
        QCOMPARE(r.messages.size(), 1u);
        QCOMPARE(r.messages[0].id, ids[1]);
        QCOMPARE(r.messages[0].attempts, 2);
        QVERIFY(r.messages[0].leaseId != leases[1]);
    }

    void retryDelayOutOfRange()
    {
        BrokerFixture fx;
        QVERIFY(fx.open());
        QVERIFY(fx.createQueue(QStringLiteral("p"), pullSettings()));
        QCOMPARE(fx.send(QStringLiteral("p"), 1).size(), 1);
        qd::PullResult r;
        QVERIFY(fx.broker->pull(QStringLiteral("p"), 1, {}, &r).ok());
        qd::AckResult a;
        QCOMPARE(fx.broker
                     ->acknowledge(
                         QStringLiteral("p"), {}, { qd::LeaseRetry { r.messages[0].leaseId, 86'401 } }, &a)
                     .code,
            qd::ErrorCode::Invalid);
        QCOMPARE(fx.message(r.messages[0].id).state, qd::MessageState::InFlight);
    }

    void visibilityTimeoutExpiry()
    {
        BrokerFixture fx;
        QVERIFY(fx.open());
        QVERIFY(fx.createQueue(QStringLiteral("p"), pullSettings()));
        const QStringList ids = fx.send(QStringLiteral("p"), 1);
        const qint64 t0 = fx.clock.nowMs();
        qd::PullResult r;
        QVERIFY(fx.broker->pull(QStringLiteral("p"), 1, 1000, &r).ok());
        fx.broker->pumpAll();
        QCOMPARE(fx.broker->nextWakeMs(QStringLiteral("p")), std::optional<qint64>(t0 + 1000));

        fx.clock.setMs(t0 + 999);
        fx.broker->pumpAll();
        QCOMPARE(fx.message(ids[0]).state, qd::MessageState::InFlight);
        QVERIFY(fx.broker->pull(QStringLiteral("p"), 1, 1000, &r).ok());
        QCOMPARE(r.messages.size(), 0u);

        fx.clock.setMs(t0 + 1000);
        fx.broker->pumpAll();
        QCOMPARE(fx.message(ids[0]).state, qd::MessageState::Pending);
        QCOMPARE(fx.outcomes(ids[0]), std::vector<QString> { QStringLiteral("lease_expired") });
        QCOMPARE(fx.broker->counters(QStringLiteral("p")).retried, qint64(1));
        QVERIFY(fx.broker->pull(QStringLiteral("p"), 1, 1000, &r).ok());
        QCOMPARE(r.messages.size(), 1u);
        QCOMPARE(r.messages[0].attempts, 2);
    }

    void expiryCanDeadLetter()
    {
        BrokerFixture fx;
        QVERIFY(fx.open());
        qd::QueueSettings s = pullSettings(1);
        s.deadLetterQueue = QStringLiteral("p-dlq");
        QVERIFY(fx.createQueue(QStringLiteral("p"), s));
        const QStringList ids = fx.send(QStringLiteral("p"), 1);
        for (int attempt = 1; attempt <= 2; ++attempt) {
            qd::PullResult r;
            QVERIFY(fx.broker->pull(QStringLiteral("p"), 1, 1000, &r).ok());
            QCOMPARE(r.messages.size(), 1u);
            QCOMPARE(r.messages[0].attempts, attempt);
            fx.clock.advanceMs(1000);
            fx.broker->pumpAll();
        }
        const qd::Message m = fx.message(ids[0]);
        QCOMPARE(m.queueId, fx.queueId(QStringLiteral("p-dlq")));
        QCOMPARE(m.sourceQueueId, fx.queueId(QStringLiteral("p")));
        QCOMPARE(m.state, qd::MessageState::Pending);
        QCOMPARE(m.attempts, 0);
        QCOMPARE(fx.outcomes(ids[0]),
            (std::vector<QString> { QStringLiteral("lease_expired"), QStringLiteral("dead_lettered") }));
        qd::PullResult r;
        QVERIFY(fx.broker->pull(QStringLiteral("p"), 1, 1000, &r).ok());
        QCOMPARE(r.messages.size(), 0u);
    }

    void lateAckOfExpiredLease()
    {
        BrokerFixture fx;
        QVERIFY(fx.open());
        QVERIFY(fx.createQueue(QStringLiteral("p"), pullSettings()));
        const QStringList ids = fx.send(QStringLiteral("p"), 2);
        qd::PullResult r;
        QVERIFY(fx.broker->pull(QStringLiteral("p"), 2, 1000, &r).ok());
        const QStringList leases = leasesOf(r);
        fx.clock.advanceMs(5000);
        fx.broker->pumpAll();
        QCOMPARE(fx.counts(QStringLiteral("p")).ready, qint64(2));

        // Nobody holds the first again: its late ack is accepted.
        qd::AckResult a;
        QVERIFY(fx.broker->acknowledge(QStringLiteral("p"), { leases[0] }, {}, &a).ok());
        QCOMPARE(a.ackCount, 1);
        QVERIFY(a.warnings.isEmpty());
        QCOMPARE(fx.message(ids[0]).state, qd::MessageState::Acked);

        // The second is leased again: the old lease no longer speaks for it.
        QVERIFY(fx.broker->pull(QStringLiteral("p"), 2, 1000, &r).ok());
        QCOMPARE(r.messages.size(), 1u);
        QCOMPARE(r.messages[0].id, ids[1]);
        a = {};
        QVERIFY(fx.broker->acknowledge(QStringLiteral("p"), { leases[1] }, {}, &a).ok());
        QCOMPARE(a.ackCount, 0);
        QCOMPARE(a.warnings.size(), 1);
        QCOMPARE(fx.message(ids[1]).state, qd::MessageState::InFlight);
        a = {};
        QVERIFY(fx.broker->acknowledge(QStringLiteral("p"), { r.messages[0].leaseId }, {}, &a).ok());
        QCOMPARE(a.ackCount, 1);
        QCOMPARE(fx.message(ids[1]).state, qd::MessageState::Acked);
    }

    void unknownLeases()
    {
        BrokerFixture fx;
        QVERIFY(fx.open());
        QVERIFY(fx.createQueue(QStringLiteral("p"), pullSettings()));
        QVERIFY(fx.createQueue(QStringLiteral("other"), pullSettings()));
        QCOMPARE(fx.send(QStringLiteral("other"), 1).size(), 1);
        qd::PullResult r;
        QVERIFY(fx.broker->pull(QStringLiteral("other"), 1, {}, &r).ok());
        const QString otherLease = r.messages[0].leaseId;
        const QString forged = QString::number(r.messages[0].seq) + QStringLiteral("-0000000000000000");

        qd::AckResult a;
        QVERIFY(fx.broker
                    ->acknowledge(QStringLiteral("p"), { QStringLiteral("nonsense"), otherLease, forged },
                        { qd::LeaseRetry { QStringLiteral("999999-abc"), {} } }, &a)
                    .ok());
        QCOMPARE(a.ackCount, 0);
        QCOMPARE(a.retryCount, 0);
        QCOMPARE(a.warnings.size(), 4);
        for (const QString &w : std::as_const(a.warnings))
            QVERIFY2(w.contains(QStringLiteral("unknown lease")), qPrintable(w));
        QCOMPARE(fx.message(r.messages[0].id).state, qd::MessageState::InFlight);
    }

    // One request naming a lease twice: the first call wins, the second is a warning.
    void leaseNamedTwiceInOneRequest()
    {
        BrokerFixture fx;
        QVERIFY(fx.open());
        QVERIFY(fx.createQueue(QStringLiteral("p"), pullSettings()));
        const QStringList ids = fx.send(QStringLiteral("p"), 2);
        qd::PullResult r;
        QVERIFY(fx.broker->pull(QStringLiteral("p"), 2, {}, &r).ok());
        const QStringList leases = leasesOf(r);
        qd::AckResult a;
        QVERIFY(fx.broker
                    ->acknowledge(QStringLiteral("p"), { leases[0], leases[0], leases[1] },
                        { qd::LeaseRetry { leases[1], 30 }, qd::LeaseRetry { leases[1], 30 } }, &a)
                    .ok());
        QCOMPARE(a.ackCount, 2);
        QCOMPARE(a.retryCount, 0);
        QCOMPARE(a.warnings.size(), 3);
        QCOMPARE(fx.message(ids[0]).state, qd::MessageState::Acked);
        QCOMPARE(fx.message(ids[1]).state, qd::MessageState::Acked);
        QCOMPARE(fx.broker->counters(QStringLiteral("p")).acked, qint64(2));
        QCOMPARE(fx.broker->counters(QStringLiteral("p")).retried, qint64(0));
        QCOMPARE(fx.outcomes(ids[1]), std::vector<QString> { QStringLiteral("acked") });
    }

    void leasesSurviveRestart()
    {
        // Leases survive a restart: a pull lease is not an interrupted push batch.
        BrokerFixture fx;
        QVERIFY(fx.open());
        QVERIFY(fx.createQueue(QStringLiteral("p"), pullSettings()));
        const QStringList ids = fx.send(QStringLiteral("p"), 1);
        qd::PullResult r;
        QVERIFY(fx.broker->pull(QStringLiteral("p"), 1, 60'000, &r).ok());
        QVERIFY(fx.reopen());
        fx.broker->pumpAll();
        QCOMPARE(fx.message(ids[0]).state, qd::MessageState::InFlight);
        qd::AckResult a;
        QVERIFY(fx.broker->acknowledge(QStringLiteral("p"), { r.messages[0].leaseId }, {}, &a).ok());
        QCOMPARE(a.ackCount, 1);
        QCOMPARE(fx.message(ids[0]).state, qd::MessageState::Acked);
    }
};

QTEST_GUILESS_MAIN(TstPull)
#include "tst_pull.moc"
