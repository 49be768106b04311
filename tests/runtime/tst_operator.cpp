#include "brokerfixture.h"

#include <QJsonArray>
#include <QSignalSpy>

using namespace qdtest;

namespace {
// Sends n messages to `queue` (made here, no retries, no DLQ) and fails each once, so
// they end failed; then leaves the queue without a consumer.
QStringList makeFailed(BrokerFixture &fx, const QString &queue, int n)
{
    if (!fx.broker->queue(queue) && !fx.createQueue(queue, settings(100, 0, 0)))
        return {};
    fx.broker->attachConsumer(
        queue, std::make_shared<RecordingConsumer>(throwing(QStringLiteral("first failure"))));
    QStringList ids;
    for (int sent = 0; sent < n; sent += 100)
        ids += fx.send(queue, std::min(100, n - sent));
    fx.broker->pumpAll();
    fx.broker->attachConsumer(queue, nullptr);
    return ids;
}

qd::AuditEntry lastAudit(const BrokerFixture &fx)
{
    const auto entries = fx.store->audit(1);
    return entries.empty() ? qd::AuditEntry {} : entries.front();
}
} // namespace

// Operator actions: retry, bulk retry, redrive, delete, purge, and retention.
class TstOperator : public QObject {
    Q_OBJECT
private slots:
    void retryFailedMessage()
    {
        BrokerFixture fx;
        QVERIFY(fx.open());
        const QStringList ids = makeFailed(fx, QStringLiteral("q"), 2);
        QCOMPARE(ids.size(), 2);
        QCOMPARE(fx.message(ids[0]).state, qd::MessageState::Failed);

        const qint64 t0 = fx.clock.nowMs();
        int retried = -1;
        QVERIFY(fx.broker->retryMessages({ ids[0] }, 10, &retried).ok());
        QCOMPARE(retried, 1);
        const qd::Message m = fx.message(ids[0]);
        QCOMPARE(m.state, qd::MessageState::Pending);
        QCOMPARE(m.queueId, fx.queueId(QStringLiteral("q")));
        QCOMPARE(m.attempts, 0);
        QCOMPARE(m.visibleAtMs, t0 + 10'000);
        QCOMPARE(fx.message(ids[1]).state, qd::MessageState::Failed);

        const qd::AuditEntry audit = lastAudit(fx);
        QCOMPARE(audit.action, QStringLiteral("retry"));
        QCOMPARE(audit.detail.value(QStringLiteral("ids")).toArray().first().toString(), ids[0]);
        QCOMPARE(audit.detail.value(QStringLiteral("retried")).toInt(), 1);

        auto consumer = std::make_shared<RecordingConsumer>();
        fx.broker->attachConsumer(QStringLiteral("q"), consumer);
        fx.clock.advanceMs(10'000);
        fx.broker->pumpAll();
        QCOMPARE(consumer->messageCount(), 1);
        QCOMPARE(consumer->deliveries[0].messages[0].attempts, 1);
        // The history of the first life is kept.
        QCOMPARE(fx.outcomes(ids[0]),
            (std::vector<QString> { QStringLiteral("failed"), QStringLiteral("acked") }));
    }

    void retryDeadLetteredGoesBackToSource()
    {
        BrokerFixture fx;
        QVERIFY(fx.open());
        QVERIFY(fx.createQueue(QStringLiteral("dlq"), settings(10, 0, 0)));
        qd::QueueSettings s = settings(10, 0, 0);
        s.deadLetterQueue = QStringLiteral("dlq");
        QVERIFY(fx.createQueue(QStringLiteral("src"), s));
        // One fails in the DLQ too (failed there, still from "src"); one waits in the DLQ.
        fx.broker->attachConsumer(QStringLiteral("dlq"), std::make_shared<RecordingConsumer>(throwing()));
        QStringList ids = makeFailed(fx, QStringLiteral("src"), 1);
        fx.broker->pumpAll();
        fx.broker->attachConsumer(QStringLiteral("dlq"), nullptr);
        ids += makeFailed(fx, QStringLiteral("src"), 1);
        QCOMPARE(fx.message(ids[0]).state, qd::MessageState::Failed);
        QCOMPARE(fx.message(ids[0]).queueId, fx.queueId(QStringLiteral("dlq")));
        QCOMPARE(fx.message(ids[0]).sourceQueueId, fx.queueId(QStringLiteral("src")));
        QCOMPARE(fx.message(ids[1]).state, qd::MessageState::Pending);
        QCOMPARE(fx.message(ids[1]).queueId, fx.queueId(QStringLiteral("dlq")));

        int retried = 0;
        QVERIFY(fx.broker->retryMessages(ids, 0, &retried).ok());
        QCOMPARE(retried, 2);
        for (const QString &id : ids) {
            const qd::Message m = fx.message(id);
            QCOMPARE(m.queueId, fx.queueId(QStringLiteral("src")));
            QCOMPARE(m.state, qd::MessageState::Pending);
            QCOMPARE(m.attempts, 0);
            QCOMPARE(m.sourceQueueId, 0);
        }
        QCOMPARE(fx.counts(QStringLiteral("dlq")).ready + fx.counts(QStringLiteral("dlq")).failed, qint64(0));
    }

    void retryLeavesOtherStatesAlone()
    {
        BrokerFixture fx;
        QVERIFY(fx.open());
        QVERIFY(fx.createQueue(QStringLiteral("q"), settings(1, 0, 0, 1)));
        auto held = std::make_shared<HeldConsumer>();
        fx.broker->attachConsumer(QStringLiteral("q"), held);
        const QStringList acked = fx.send(QStringLiteral("q"), 1);
        fx.broker->pumpAll();
        held->completeOldest();
        const QStringList inFlight = fx.send(QStringLiteral("q"), 1);
        fx.broker->pumpAll();
        const QStringList ready = fx.send(QStringLiteral("q"), 1);
        QCOMPARE(held->held.size(), 1u);

        int retried = -1;
        QVERIFY(fx.broker->retryMessages(acked + inFlight + ready, 0, &retried).ok());
        QCOMPARE(retried, 0);
        QCOMPARE(fx.message(acked[0]).state, qd::MessageState::Acked);
        QCOMPARE(fx.message(inFlight[0]).state, qd::MessageState::InFlight);
        QCOMPARE(fx.message(inFlight[0]).attempts, 1);

        QCOMPARE(fx.broker->retryMessages({ QStringLiteral("0123456789abcdef0123456789abcdef") }, 0).code,
            qd::ErrorCode::NotFound);
        QCOMPARE(fx.broker->retryMessages(acked, -1).code, qd::ErrorCode::Invalid);
        QCOMPARE(fx.broker->retryMessages(acked, 86'401).code, qd::ErrorCode::Invalid);
    }

    // The set is fixed when the run starts: a message it retried that fails again is not
    // retried a second time by the same run, across chunks.
    void bulkRetryRetriesEachOnce()
    {
        BrokerFixture fx;
        QVERIFY(fx.open());
        const int n = qd::Broker::kBulkChunk + qd::Broker::kBulkChunk / 2;
        const QStringList ids = makeFailed(fx, QStringLiteral("q"), n);
        QCOMPARE(ids.size(), n);
        QCOMPARE(fx.counts(QStringLiteral("q")).failed, qint64(n));
        auto again = std::make_shared<RecordingConsumer>(throwing(QStringLiteral("fails again")));
        fx.broker->attachConsumer(QStringLiteral("q"), again);

        QSignalSpy progress(fx.broker.get(), &qd::Broker::bulkProgress);
        QSignalSpy finished(fx.broker.get(), &qd::Broker::bulkFinished);
        qd::MessageFilter filter;
        filter.queueId = fx.queueId(QStringLiteral("q"));
        filter.state = qd::StateFilter::Failed;
        qint64 op = 0;
        QVERIFY(fx.broker->startBulkRetry(filter, 0, &op).ok());
        QVERIFY(op > 0);
        QVERIFY(finished.wait(10'000));
        fx.broker->pumpAll();

        QCOMPARE(finished.size(), 1);
        QCOMPARE(finished[0][0].toLongLong(), op);
        QCOMPARE(finished[0][1].toLongLong(), qint64(n)); // done
        QCOMPARE(finished[0][2].toLongLong(), qint64(n)); // total
        QCOMPARE(finished[0][3].toBool(), false);
        QCOMPARE(progress.size(), 2);
        QCOMPARE(progress[0][1].toLongLong(), qint64(qd::Broker::kBulkChunk));

        QCOMPARE(again->messageCount(), n);
        for (const QString &id : ids)
            QCOMPARE(again->perMessage.value(id), 1);
        QCOMPARE(fx.counts(QStringLiteral("q")).failed, qint64(n));
        QCOMPARE(lastAudit(fx).action, QStringLiteral("retry_all"));
        QCOMPARE(lastAudit(fx).detail.value(QStringLiteral("matched")).toInteger(), qint64(n));
    }

    void cancelBulkMidway()
    {
        BrokerFixture fx;
        QVERIFY(fx.open());
        const int n = qd::Broker::kBulkChunk * 2 + qd::Broker::kBulkChunk / 2;
        QCOMPARE(makeFailed(fx, QStringLiteral("q"), n).size(), n);

        qint64 op = 0;
        QSignalSpy finished(fx.broker.get(), &qd::Broker::bulkFinished);
        connect(fx.broker.get(), &qd::Broker::bulkProgress, this,
            [&](qint64 id, qint64, qint64) { fx.broker->cancelBulk(id); });
        qd::MessageFilter filter;
        filter.state = qd::StateFilter::Failed;
        QVERIFY(fx.broker->startBulkRetry(filter, 0, &op).ok());
        QVERIFY(finished.wait(10'000));
        QCOMPARE(finished[0][1].toLongLong(), qint64(qd::Broker::kBulkChunk));
        QCOMPARE(finished[0][2].toLongLong(), qint64(n));
        QCOMPARE(finished[0][3].toBool(), true);
        fx.broker->pumpAll();
        QCOMPARE(fx.counts(QStringLiteral("q")).ready, qint64(qd::Broker::kBulkChunk));
        QCOMPARE(fx.counts(QStringLiteral("q")).failed, qint64(n - qd::Broker::kBulkChunk));
    }

    void redrive()
    {
        BrokerFixture fx;
        QVERIFY(fx.open());
        qd::QueueSettings s = settings(10, 0, 0);
        s.deadLetterQueue = QStringLiteral("dlq");
        QVERIFY(fx.createQueue(QStringLiteral("a"), s));
        QVERIFY(fx.createQueue(QStringLiteral("b"), s));
        const QStringList fromA = makeFailed(fx, QStringLiteral("a"), 2);
        const QStringList fromB = makeFailed(fx, QStringLiteral("b"), 1);
        const QStringList direct = fx.send(QStringLiteral("dlq"), 1);
        QCOMPARE(fx.counts(QStringLiteral("dlq")).ready, qint64(4));

        int moved = 0;
        QVERIFY(fx.broker->redrive(QStringLiteral("dlq"), &moved).ok());
        QCOMPARE(moved, 3);
        for (const QString &id : fromA)
            QCOMPARE(fx.message(id).queueId, fx.queueId(QStringLiteral("a")));
        QCOMPARE(fx.message(fromB[0]).queueId, fx.queueId(QStringLiteral("b")));
        QCOMPARE(fx.message(direct[0]).queueId, fx.queueId(QStringLiteral("dlq")));
        QCOMPARE(fx.counts(QStringLiteral("a")).ready, qint64(2));
        QCOMPARE(fx.counts(QStringLiteral("dlq")).ready, qint64(1));
        QCOMPARE(lastAudit(fx).action, QStringLiteral("redrive"));
        QCOMPARE(lastAudit(fx).queue, QStringLiteral("dlq"));
        QCOMPARE(lastAudit(fx).detail.value(QStringLiteral("moved")).toInt(), 3);
    }

    void deleteMessages()
    {
        BrokerFixture fx;
        QVERIFY(fx.open());
        const QStringList ids = makeFailed(fx, QStringLiteral("q"), 3);
        const qint64 seq0 = fx.message(ids[0]).seq;
        QVERIFY(!fx.store->attemptsForMessage(seq0).empty());

        QCOMPARE(
            fx.broker->deleteMessages({ ids[0], QStringLiteral("ffffffffffffffffffffffffffffffff") }).code,
            qd::ErrorCode::NotFound);
        QVERIFY(fx.store->messageById(ids[0])); // all or nothing

        int deleted = 0;
        QVERIFY(fx.broker->deleteMessages({ ids[0], ids[1] }, &deleted).ok());
        QCOMPARE(deleted, 2);
        QVERIFY(!fx.store->messageById(ids[0]));
        QVERIFY(!fx.store->messageById(ids[1]));
        QVERIFY(fx.store->messageById(ids[2]));
        QVERIFY(fx.store->attemptsForMessage(seq0).empty());
        QCOMPARE(fx.counts(QStringLiteral("q")).failed, qint64(1));
        QCOMPARE(lastAudit(fx).action, QStringLiteral("delete"));
        QCOMPARE(lastAudit(fx).detail.value(QStringLiteral("ids")).toArray().size(), 2);
    }

    void purgeLeavesInFlightToComplete()
    {
        BrokerFixture fx;
        QVERIFY(fx.open());
        QVERIFY(fx.createQueue(QStringLiteral("q"), settings(2, 0, 3, 1)));
        auto held = std::make_shared<HeldConsumer>();
        fx.broker->attachConsumer(QStringLiteral("q"), held);
        const QStringList inFlight = fx.send(QStringLiteral("q"), 2);
        fx.broker->pumpAll();
        QCOMPARE(held->held.size(), 1u);
        const QStringList ready = fx.send(QStringLiteral("q"), 3);
        const QStringList delayed = fx.send(QStringLiteral("q"), 2, 600);

        qint64 removed = 0;
        QVERIFY(fx.broker->purge(QStringLiteral("q"), &removed).ok());
        QCOMPARE(removed, qint64(5));
        const qd::QueueCounts c = fx.counts(QStringLiteral("q"));
        QCOMPARE(c.ready + c.delayed, qint64(0));
        QCOMPARE(c.inFlight, qint64(2));
        QCOMPARE(c.backlogBytes, qint64(0));
        QVERIFY(!fx.store->messageById(ready[0]));
        QVERIFY(!fx.store->messageById(delayed[0]));
        QCOMPARE(lastAudit(fx).action, QStringLiteral("purged"));

        held->completeOldest();
        for (const QString &id : inFlight)
            QCOMPARE(fx.message(id).state, qd::MessageState::Acked);
        fx.clock.advanceMs(3'600'000);
        fx.broker->pumpAll();
        QCOMPARE(held->delivered, 1);
    }

    void retentionExpiry()
    {
        BrokerFixture fx;
        QVERIFY(fx.open());
        qd::QueueSettings s = settings(1, 0, 0, 1);
        s.retentionSeconds = 60;
        QVERIFY(fx.createQueue(QStringLiteral("q"), s));
        auto held = std::make_shared<HeldConsumer>();
        fx.broker->attachConsumer(QStringLiteral("q"), held);

        const qint64 t0 = fx.clock.nowMs();
        const QStringList acked = fx.send(QStringLiteral("q"), 1, {}, "acked");
        fx.broker->pumpAll();
        held->completeOldest();
        const QStringList failed = fx.send(QStringLiteral("q"), 1, {}, "failed");
        fx.broker->pumpAll();
        held->completeOldest(throwing());
        const QStringList inFlight = fx.send(QStringLiteral("q"), 1, {}, "inflight");
        fx.broker->pumpAll();
        QVERIFY(fx.broker->setPaused(QStringLiteral("q"), true).ok());
        const QStringList ready = fx.send(QStringLiteral("q"), 1, {}, "ready");
        const QStringList delayed = fx.send(QStringLiteral("q"), 1, 3600, "delayed");
        fx.clock.setMs(t0 + 30'000);
        const QStringList young = fx.send(QStringLiteral("q"), 1, {}, "young");
        QCOMPARE(fx.message(failed[0]).state, qd::MessageState::Failed);

        fx.clock.setMs(t0 + 60'000); // exactly the retention: kept
        fx.broker->pumpAll();
        QVERIFY(fx.store->messageById(ready[0]));
        QCOMPARE(fx.broker->counters(QStringLiteral("q")).expired, qint64(0));

        fx.clock.setMs(t0 + 60'001);
        fx.broker->pumpAll();
        for (const QString &id : acked + failed + ready + delayed)
            QVERIFY2(!fx.store->messageById(id), qPrintable(id));
        QVERIFY(fx.store->messageById(young[0]));
        QCOMPARE(fx.message(inFlight[0]).state, qd::MessageState::InFlight); // its batch may still finish
        // Expired means never processed: acked messages go quietly.
        QCOMPARE(fx.broker->counters(QStringLiteral("q")).expired, qint64(3));

        held->completeOldest();
        QCOMPARE(fx.message(inFlight[0]).state, qd::MessageState::Acked);
        fx.clock.setMs(t0 + 90'001);
        fx.broker->pumpAll();
        QVERIFY(!fx.store->messageById(young[0]));
        QVERIFY(!fx.store->messageById(inFlight[0]));
        QCOMPARE(fx.broker->counters(QStringLiteral("q")).expired, qint64(4));
    }
};

QTEST_GUILESS_MAIN(TstOperator)
#include "tst_operator.moc"
