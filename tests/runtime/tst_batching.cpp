#include "brokerfixture.h"

#include <QRandomGenerator>
#include <QThread>

using namespace qdtest;

// "When a batch is delivered" (docs/semantics.md), driven through a real broker and store.
class TstBatching : public QObject {
    Q_OBJECT
private slots:
    void sizeCutDeliversAtOnce_data()
    {
        QTest::addColumn<int>("batchSize");
        QTest::newRow("1") << 1;
        QTest::newRow("5") << 5;
        QTest::newRow("100") << 100;
    }

    void sizeCutDeliversAtOnce()
    {
        QFETCH(int, batchSize);
        BrokerFixture fx;
        QVERIFY(fx.open());
        QVERIFY(fx.createQueue(QStringLiteral("q"), settings(batchSize, 60'000)));
        auto consumer = std::make_shared<RecordingConsumer>();
        fx.broker->attachConsumer(QStringLiteral("q"), consumer);

        if (batchSize > 1) {
            QCOMPARE(fx.send(QStringLiteral("q"), batchSize - 1).size(), batchSize - 1);
            fx.broker->pumpAll();
            QCOMPARE(consumer->deliveries.size(), 0u);
        }
        QCOMPARE(fx.send(QStringLiteral("q"), 1).size(), 1);
        fx.broker->pumpAll(); // no time has passed
        QCOMPARE(consumer->deliveries.size(), 1u);
        QCOMPARE(int(consumer->deliveries[0].messages.size()), batchSize);
        QCOMPARE(consumer->deliveries[0].cut, qd::BatchCut::Size);
        QCOMPARE(fx.counts(QStringLiteral("q")).acked, qint64(batchSize));
    }

    void timeoutCut_data()
    {
        QTest::addColumn<int>("timeoutMs");
        QTest::newRow("1 s") << 1000;
        QTest::newRow("5 s (default)") << 5000;
        QTest::newRow("60 s") << 60'000;
    }

    void timeoutCut()
    {
        QFETCH(int, timeoutMs);
        BrokerFixture fx;
        QVERIFY(fx.open());
        QVERIFY(fx.createQueue(QStringLiteral("q"), settings(10, timeoutMs)));
        auto consumer = std::make_shared<RecordingConsumer>();
        fx.broker->attachConsumer(QStringLiteral("q"), consumer);

        const qint64 t0 = fx.clock.nowMs();
        QCOMPARE(fx.send(QStringLiteral("q"), 1).size(), 1);
        fx.broker->pumpAll();
        QCOMPARE(fx.broker->nextWakeMs(QStringLiteral("q")), std::optional<qint64>(t0 + timeoutMs));

        // A later arrival does not reset the timer.
        fx.clock.advanceMs(timeoutMs / 2);
        QCOMPARE(fx.send(QStringLiteral("q"), 1).size(), 1);
        fx.broker->pumpAll();
        QCOMPARE(fx.broker->nextWakeMs(QStringLiteral("q")), std::optional<qint64>(t0 + timeoutMs));

        fx.clock.setMs(t0 + timeoutMs - 1);
        fx.broker->pumpAll();
        QCOMPARE(consumer->deliveries.size(), 0u);

        fx.clock.setMs(t0 + timeoutMs);
        fx.broker->pumpAll();
        QCOMPARE(consumer->deliveries.size(), 1u);
        QCOMPARE(consumer->deliveries[0].messages.size(), 2u);
        QCOMPARE(consumer->deliveries[0].cut, qd::BatchCut::Timeout);
        QCOMPARE(fx.broker->counters(QStringLiteral("q")).batchesByTimeout, 1);
    }

    void timeoutZeroDeliversAtOnce()
    {
        BrokerFixture fx;
        QVERIFY(fx.open());
        QVERIFY(fx.createQueue(QStringLiteral("q"), settings(10, 0)));
        auto consumer = std::make_shared<RecordingConsumer>();
        fx.broker->attachConsumer(QStringLiteral("q"), consumer);
        QCOMPARE(fx.send(QStringLiteral("q"), 1).size(), 1);
        fx.broker->pumpAll();
        QCOMPARE(consumer->deliveries.size(), 1u);
        QCOMPARE(consumer->deliveries[0].messages.size(), 1u);
    }

    void oldestFirst()
    {
        BrokerFixture fx;
        QVERIFY(fx.open());
        QVERIFY(fx.createQueue(QStringLiteral("q"), settings(3, 0, 3, 1)));
        auto consumer = std::make_shared<HeldConsumer>();
        fx.broker->attachConsumer(QStringLiteral("q"), consumer);

        QStringList sent;
        for (int i = 0; i < 7; ++i) {
            sent += fx.send(QStringLiteral("q"), 1, {}, "m" + QByteArray::number(i));
            fx.clock.advanceMs(10);
        }
        // Not due yet, so not part of any batch below.
        const QStringList delayed = fx.send(QStringLiteral("q"), 1, 3600);
        QCOMPARE(sent.size(), 7);

        QStringList received;
        for (int batch = 0; batch < 3; ++batch) {
            fx.broker->pumpAll();
            QCOMPARE(consumer->held.size(), 1u);
            for (const qd::Message &m : consumer->held.front().delivery.messages)
                received.append(m.id);
            consumer->completeOldest();
        }
        fx.broker->pumpAll();
        QCOMPARE(consumer->held.size(), 0u);
        QCOMPARE(received, sent);
        QVERIFY(!received.contains(delayed.value(0)));
    }

    void noEmptyBatch()
    {
        BrokerFixture fx;
        QVERIFY(fx.open());
        QVERIFY(fx.createQueue(QStringLiteral("q"), settings(10, 5000)));
        auto consumer = std::make_shared<RecordingConsumer>();
        fx.broker->attachConsumer(QStringLiteral("q"), consumer);

        fx.broker->pumpAll();
        fx.clock.advanceMs(60'000);
        fx.broker->pumpAll();
        QCOMPARE(consumer->deliveries.size(), 0u);

        // The timer was running for a message that is gone when it fires.
        const QStringList ids = fx.send(QStringLiteral("q"), 2);
        fx.broker->pumpAll();
        QVERIFY(fx.broker->nextWakeMs(QStringLiteral("q")).has_value());
        QVERIFY(fx.broker->purge(QStringLiteral("q")).ok());
        fx.clock.advanceMs(5000);
        fx.broker->pumpAll();
        QCOMPARE(consumer->deliveries.size(), 0u);

        QCOMPARE(fx.send(QStringLiteral("q"), 1).size(), 1);
        QVERIFY(fx.broker->deleteMessages(fx.send(QStringLiteral("q"), 1)).ok());
        fx.clock.advanceMs(5000);
        fx.broker->pumpAll();
        fx.clock.advanceMs(5000);
        fx.broker->pumpAll();
        QCOMPARE(consumer->deliveries.size(), 1u);
        for (const qd::Delivery &d : consumer->deliveries)
            QVERIFY(!d.messages.empty());
        QCOMPARE(fx.broker->counters(QStringLiteral("q")).batches, 1);
    }

    void afterCompletion()
    {
        BrokerFixture fx;
        QVERIFY(fx.open());
        QVERIFY(fx.createQueue(QStringLiteral("q"), settings(2, 10'000, 3, 1)));
        auto consumer = std::make_shared<HeldConsumer>();
        fx.broker->attachConsumer(QStringLiteral("q"), consumer);

        const qint64 t0 = fx.clock.nowMs();
        QCOMPARE(fx.send(QStringLiteral("q"), 5).size(), 5);
        fx.broker->pumpAll();
        QCOMPARE(consumer->delivered, 1); // size cut; concurrency 1 holds the rest
        const auto inFlight = fx.store->batch(consumer->held.front().delivery.batchId);
        QVERIFY(inFlight);
        QCOMPARE(inFlight->size, 2);
        QCOMPARE(inFlight->endedMs, 0);
        QCOMPARE(inFlight->cut, qd::BatchCut::Size);

        // Leftovers fill a batch: it goes at once.
        fx.clock.setMs(t0 + 1000);
        consumer->completeOldest();
        fx.broker->pumpAll();
        QCOMPARE(consumer->delivered, 2);
        QCOMPARE(consumer->held.front().delivery.cut, qd::BatchCut::Size);

        // One message left: the timer starts again from this completion, not from its arrival.
        fx.clock.setMs(t0 + 2000);
        consumer->completeOldest();
        fx.broker->pumpAll();
        QCOMPARE(consumer->delivered, 2);
        QCOMPARE(fx.broker->nextWakeMs(QStringLiteral("q")), std::optional<qint64>(t0 + 12'000));
        fx.clock.setMs(t0 + 11'999);
        fx.broker->pumpAll();
        QCOMPARE(consumer->delivered, 2);
        fx.clock.setMs(t0 + 12'000);
        fx.broker->pumpAll();
        QCOMPARE(consumer->delivered, 3);
        QCOMPARE(consumer->held.front().delivery.messages.size(), 1u);
        QCOMPARE(consumer->held.front().delivery.cut, qd::BatchCut::Timeout);
    }

    void concurrency_data()
    {
        QTest::addColumn<int>("maxConcurrency");
        QTest::newRow("1") << 1;
        QTest::newRow("2") << 2;
        QTest::newRow("5") << 5;
        QTest::newRow("unset: up to the CPU count") << 0;
    }

    void concurrency()
    {
        QFETCH(int, maxConcurrency);
        BrokerFixture fx;
        QVERIFY(fx.open());
        QVERIFY(fx.createQueue(QStringLiteral("q"), settings(1, 0, 3, maxConcurrency)));
        if (maxConcurrency == 0)
            maxConcurrency = std::min(QThread::idealThreadCount(), 9);
        auto consumer = std::make_shared<HeldConsumer>();
        fx.broker->attachConsumer(QStringLiteral("q"), consumer);
        QCOMPARE(fx.send(QStringLiteral("q"), 10).size(), 10);

        fx.broker->pumpAll();
        QCOMPARE(int(consumer->held.size()), maxConcurrency);
        QCOMPARE(fx.broker->inFlightBatches(QStringLiteral("q")), maxConcurrency);
        fx.clock.advanceMs(60'000);
        fx.broker->pumpAll();
        QCOMPARE(int(consumer->held.size()), maxConcurrency);

        consumer->completeOldest();
        fx.broker->pumpAll();
        QCOMPARE(int(consumer->held.size()), maxConcurrency);
        QCOMPARE(consumer->delivered, maxConcurrency + 1);
        QCOMPARE(fx.counts(QStringLiteral("q")).inFlight, qint64(maxConcurrency));
    }

    void pauseStoresButDeliversNothing()
    {
        BrokerFixture fx;
        QVERIFY(fx.open());
        QVERIFY(fx.createQueue(QStringLiteral("q"), settings(10, 0)));
        auto consumer = std::make_shared<RecordingConsumer>();
        fx.broker->attachConsumer(QStringLiteral("q"), consumer);
        QVERIFY(fx.broker->setPaused(QStringLiteral("q"), true).ok());

        QCOMPARE(fx.send(QStringLiteral("q"), 3).size(), 3);
        fx.broker->pumpAll();
        fx.clock.advanceMs(600'000);
        fx.broker->pumpAll();
        QCOMPARE(consumer->deliveries.size(), 0u);
        QCOMPARE(fx.counts(QStringLiteral("q")).ready, 3);

        qd::PullResult pulled;
        QCOMPARE(fx.broker->pull(QStringLiteral("q"), 10, {}, &pulled).code, qd::ErrorCode::Paused);
        QVERIFY(pulled.messages.empty());

        QVERIFY(fx.broker->setPaused(QStringLiteral("q"), false).ok());
        fx.broker->pumpAll();
        QCOMPARE(consumer->messageCount(), 3);
        QCOMPARE(fx.broker->store()->audit(2).front().action, QStringLiteral("resumed"));
    }

    // Pausing does not stop batches already out; what they retry waits for the resume.
    void pauseWithBatchInFlight()
    {
        BrokerFixture fx;
        QVERIFY(fx.open());
        QVERIFY(fx.createQueue(QStringLiteral("q"), settings(2, 0, 3, 1)));
        auto consumer = std::make_shared<HeldConsumer>();
        fx.broker->attachConsumer(QStringLiteral("q"), consumer);
        const QStringList ids = fx.send(QStringLiteral("q"), 2);
        fx.broker->pumpAll();
        QCOMPARE(consumer->held.size(), 1u);
        QVERIFY(fx.broker->setPaused(QStringLiteral("q"), true).ok());
        QCOMPARE(fx.send(QStringLiteral("q"), 2).size(), 2);
        consumer->completeOldest([&](const qd::Delivery &, qd::BatchOutcome &o) { o.retry(ids[1]); });
        QCOMPARE(fx.message(ids[0]).state, qd::MessageState::Acked);
        fx.clock.advanceMs(60'000);
        fx.broker->pumpAll();
        QCOMPARE(consumer->delivered, 1);
        QCOMPARE(fx.counts(QStringLiteral("q")).ready, qint64(3));

        QVERIFY(fx.broker->setPaused(QStringLiteral("q"), false).ok());
        fx.broker->pumpAll();
        QCOMPARE(consumer->delivered, 2);
        QCOMPARE(consumer->held.front().delivery.messages.size(), 2u);
    }

    void pausedPullQueue()
    {
        BrokerFixture fx;
        QVERIFY(fx.open());
        qd::QueueSettings s = pullSettings();
        s.paused = true;
        QVERIFY(fx.createQueue(QStringLiteral("p"), s));
        QCOMPARE(fx.send(QStringLiteral("p"), 2).size(), 2);
        fx.broker->pumpAll();
        qd::PullResult pulled;
        QCOMPARE(fx.broker->pull(QStringLiteral("p"), 10, {}, &pulled).code, qd::ErrorCode::Paused);
        QVERIFY(fx.broker->setPaused(QStringLiteral("p"), false).ok());
        QVERIFY(fx.broker->pull(QStringLiteral("p"), 10, {}, &pulled).ok());
        QCOMPARE(pulled.messages.size(), 2u);
    }

    // A delayed message that fills the batch must wake the queue when it comes due, even
    // while the batch timer of an earlier message is still running.
    void delayedMessagesFillingABatchWakeTheQueue()
    {
        BrokerFixture fx;
        QVERIFY(fx.open());
        QVERIFY(fx.createQueue(QStringLiteral("q"), settings(5, 60'000)));
        auto consumer = std::make_shared<RecordingConsumer>();
        fx.broker->attachConsumer(QStringLiteral("q"), consumer);

        const qint64 t0 = fx.clock.nowMs();
        QCOMPARE(fx.send(QStringLiteral("q"), 1).size(), 1);
        QCOMPARE(fx.send(QStringLiteral("q"), 4, 10).size(), 4);
        fx.broker->pumpAll();
        QCOMPARE(fx.broker->nextWakeMs(QStringLiteral("q")), std::optional<qint64>(t0 + 10'000));

        fx.clock.setMs(t0 + 10'000);
        fx.broker->pumpAll();
        QCOMPARE(consumer->deliveries.size(), 1u);
        QCOMPARE(consumer->deliveries[0].messages.size(), 5u);
        QCOMPARE(consumer->deliveries[0].cut, qd::BatchCut::Size);
    }

    // A delayed message arrives in the backlog when it comes due: its batch timer starts then.
    void delayedMessageStartsTimerWhenDue()
    {
        BrokerFixture fx;
        QVERIFY(fx.open());
        QVERIFY(fx.createQueue(QStringLiteral("q"), settings(10, 5000)));
        auto consumer = std::make_shared<RecordingConsumer>();
        fx.broker->attachConsumer(QStringLiteral("q"), consumer);

        const qint64 t0 = fx.clock.nowMs();
        QCOMPARE(fx.send(QStringLiteral("q"), 1, 10).size(), 1);
        fx.broker->pumpAll();
        QCOMPARE(fx.broker->nextWakeMs(QStringLiteral("q")), std::optional<qint64>(t0 + 10'000));
        fx.clock.setMs(t0 + 10'000);
        fx.broker->pumpAll();
        QCOMPARE(consumer->deliveries.size(), 0u);
        QCOMPARE(fx.broker->nextWakeMs(QStringLiteral("q")), std::optional<qint64>(t0 + 15'000));
        fx.clock.setMs(t0 + 15'000);
        fx.broker->pumpAll();
        QCOMPARE(consumer->deliveries.size(), 1u);
    }

    // One wake time per queue, whatever the number of delayed messages: the earliest due.
    void oneWakePerQueue()
    {
        BrokerFixture fx;
        QVERIFY(fx.open());
        QVERIFY(fx.createQueue(QStringLiteral("q"), settings(100, 0)));
        auto consumer = std::make_shared<RecordingConsumer>();
        fx.broker->attachConsumer(QStringLiteral("q"), consumer);

        const qint64 t0 = fx.clock.nowMs();
        QRandomGenerator rng(42);
        std::map<int, int> perDelay; // delay s -> messages
        for (int batch = 0; batch < 50; ++batch) {
            std::vector<qd::SendItem> sends = items(100);
            for (qd::SendItem &item : sends) {
                item.delaySeconds = 100 + int(rng.bounded(80'000));
                perDelay[*item.delaySeconds] += 1;
            }
            QVERIFY(fx.broker->send(QStringLiteral("q"), std::move(sends), {}, {}).ok());
        }
        fx.broker->pumpAll();
        QCOMPARE(fx.counts(QStringLiteral("q")).delayed, 5000);

        int delivered = 0;
        auto it = perDelay.begin();
        for (int step = 0; step < 3; ++step, ++it) {
            QCOMPARE(
                fx.broker->nextWakeMs(QStringLiteral("q")), std::optional<qint64>(t0 + it->first * 1000LL));
            fx.clock.setMs(t0 + it->first * 1000LL - 1);
            fx.broker->pumpAll();
            QCOMPARE(consumer->messageCount(), delivered);
            fx.clock.setMs(t0 + it->first * 1000LL);
            fx.broker->pumpAll();
            delivered += it->second;
            QCOMPARE(consumer->messageCount(), delivered);
        }
    }
};

QTEST_GUILESS_MAIN(TstBatching)
#include "tst_batching.moc"
