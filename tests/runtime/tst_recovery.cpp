#include "brokerfixture.h"

using namespace qdtest;

// At-least-once delivery across a restart (docs/semantics.md "Outcome of a batch", last rule), and
// what else a restart must keep.
class TstRecovery : public QObject {
    Q_OBJECT
private slots:
    void inFlightBatchIsDeliveredAgain()
    {
        BrokerFixture fx;
        QVERIFY(fx.open());
        QVERIFY(fx.createQueue(QStringLiteral("q"), settings(3, 0, 3, 1)));
        auto held = std::make_shared<HeldConsumer>();
        fx.broker->attachConsumer(QStringLiteral("q"), held);

        const QStringList acked = fx.send(QStringLiteral("q"), 1, {}, "acked");
        fx.broker->pumpAll();
        held->completeOldest();
        const QStringList inFlight = fx.send(QStringLiteral("q"), 3, {}, "inflight");
        fx.broker->pumpAll();
        QCOMPARE(held->held.size(), 1u);
        const QStringList delayed = fx.send(QStringLiteral("q"), 1, 3600, "delayed");
        fx.broker->pumpAll();
        QCOMPARE(fx.counts(QStringLiteral("q")).inFlight, qint64(3));

        const qint64 interruptedBatch = held->held.front().delivery.batchId;

        // The process goes away with the batch still out; its completion never arrives.
        fx.clock.advanceMs(1000);
        QVERIFY(fx.reopen());
        held->completeOldest(); // a completion from before the restart goes nowhere
        QCOMPARE(fx.counts(QStringLiteral("q")).inFlight, qint64(0));
        QCOMPARE(fx.counts(QStringLiteral("q")).ready, qint64(3));
        QCOMPARE(fx.counts(QStringLiteral("q")).delayed, qint64(1));

        auto consumer = std::make_shared<RecordingConsumer>();
        fx.broker->attachConsumer(QStringLiteral("q"), consumer);
        fx.broker->pumpAll();
        QCOMPARE(consumer->deliveries.size(), 1u);
        QStringList again;
        for (const qd::Message &m : consumer->deliveries[0].messages) {
            again.append(m.id);
            QCOMPARE(m.attempts, 2);
        }
        QCOMPARE(again, inFlight);
        for (const QString &id : inFlight) {
            QCOMPARE(fx.outcomes(id),
                (std::vector<QString> { QStringLiteral("interrupted"), QStringLiteral("acked") }));
            const auto attempts = fx.store->attemptsForMessage(fx.message(id).seq);
            QCOMPARE(attempts.back().attempt, 1);
            QVERIFY(!attempts.back().error.isEmpty());
            QCOMPARE(fx.message(id).state, qd::MessageState::Acked);
        }
        QCOMPARE(fx.message(acked[0]).state, qd::MessageState::Acked);
        QCOMPARE(consumer->perMessage.value(acked[0]), 0);
        QCOMPARE(fx.message(delayed[0]).state, qd::MessageState::Pending);
        QCOMPARE(consumer->perMessage.value(delayed[0]), 0);

        // The interrupted batch is closed, not left looking in flight for ever.
        const auto batch = fx.store->batch(interruptedBatch);
        QVERIFY(batch);
        QCOMPARE(batch->size, 3);
        QVERIFY(batch->endedMs > 0);
        QCOMPARE(batch->retried, 3);
        QVERIFY(!batch->error.isEmpty());
    }

    // The interrupted delivery counts: on its last attempt the message moves on.
    void interruptedLastAttemptDeadLetters()
    {
        BrokerFixture fx;
        QVERIFY(fx.open());
        qd::QueueSettings s = settings(10, 0, 0);
        s.deadLetterQueue = QStringLiteral("dlq");
        QVERIFY(fx.createQueue(QStringLiteral("q"), s));
        auto held = std::make_shared<HeldConsumer>();
        fx.broker->attachConsumer(QStringLiteral("q"), held);
        const QStringList ids = fx.send(QStringLiteral("q"), 2);
        fx.broker->pumpAll();
        QCOMPARE(held->held.size(), 1u);

        QVERIFY(fx.reopen());
        for (const QString &id : ids) {
            QCOMPARE(fx.message(id).queueId, fx.queueId(QStringLiteral("dlq")));
            QCOMPARE(fx.message(id).attempts, 0);
            QCOMPARE(fx.outcomes(id), std::vector<QString> { QStringLiteral("dead_lettered") });
        }
        QCOMPARE(fx.counts(QStringLiteral("dlq")).ready, qint64(2));
    }

    void queuesAndSettingsPersist()
    {
        BrokerFixture fx;
        QVERIFY(fx.open());
        qd::QueueSettings s = settings(7, 1234, 9, 4);
        s.retryDelaySeconds = 11;
        s.deliveryDelaySeconds = 12;
        s.retentionSeconds = 3600;
        s.visibilityTimeoutMs = 4567;
        s.deadLetterQueue = QStringLiteral("dead letters");
        s.paused = true;
        s.consumerType = qd::ConsumerType::Webhook;
        s.webhookUrl = QStringLiteral("http://127.0.0.1:9/hook");
        s.webhookTimeoutMs = 999;
        QVERIFY(fx.createQueue(QStringLiteral("q"), s));
        const qd::QueueRecord before = *fx.broker->queue(QStringLiteral("q"));
        QCOMPARE(fx.send(QStringLiteral("q"), 2).size(), 2);

        QVERIFY(fx.reopen());
        const auto after = fx.broker->queue(QStringLiteral("q"));
        QVERIFY(after);
        QCOMPARE(after->id, before.id);
        QCOMPARE(after->createdMs, before.createdMs);
        QVERIFY(after->settings == s);
        QVERIFY(fx.broker->queue(QStringLiteral("dead letters")));

        // Still paused after the restart: nothing goes out.
        auto consumer = std::make_shared<RecordingConsumer>();
        fx.broker->attachConsumer(QStringLiteral("q"), consumer);
        fx.clock.advanceMs(60'000);
        fx.broker->pumpAll();
        QCOMPARE(consumer->deliveries.size(), 0u);
        QCOMPARE(fx.counts(QStringLiteral("q")).ready, qint64(2));
    }

    // A batch timer that was running before a restart still delivers after it.
    void timersResumeAfterRestart()
    {
        BrokerFixture fx;
        QVERIFY(fx.open());
        QVERIFY(fx.createQueue(QStringLiteral("q"), settings(10, 5000)));
        const qint64 t0 = fx.clock.nowMs();
        QCOMPARE(fx.send(QStringLiteral("q"), 1).size(), 1);
        QCOMPARE(fx.send(QStringLiteral("q"), 1, 100).size(), 1);
        QVERIFY(fx.reopen());
        auto consumer = std::make_shared<RecordingConsumer>();
        fx.broker->attachConsumer(QStringLiteral("q"), consumer);
        fx.broker->pumpAll();
        QCOMPARE(fx.broker->nextWakeMs(QStringLiteral("q")), std::optional<qint64>(t0 + 5000));
        fx.clock.setMs(t0 + 5000);
        fx.broker->pumpAll();
        QCOMPARE(consumer->messageCount(), 1);
        QCOMPARE(fx.broker->nextWakeMs(QStringLiteral("q")), std::optional<qint64>(t0 + 100'000));
    }
};

QTEST_GUILESS_MAIN(TstRecovery)
#include "tst_recovery.moc"
