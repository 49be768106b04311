#include "brokerfixture.h"

using namespace qdtest;

namespace {
// Plays a handler script on a batch: "ack:0", "retry:1", "retry:0:30" (with delay),
// "ackAll", "retryAll", "retryAll:7" (with delay), "throw".
void play(const QStringList &script, const qd::Delivery &d, qd::BatchOutcome &o)
{
    for (const QString &call : script) {
        const QStringList parts = call.split(QLatin1Char(':'));
        const QString &name = parts[0];
        if (name == QLatin1String("ack") || name == QLatin1String("retry")) {
            const QString id = d.messages.at(parts[1].toInt()).id;
            if (name == QLatin1String("ack"))
                o.ack(id);
            else
                o.retry(id, parts.size() > 2 ? std::optional<int>(parts[2].toInt()) : std::nullopt);
        } else if (name == QLatin1String("ackAll")) {
            o.ackAll();
        } else if (name == QLatin1String("retryAll")) {
            o.retryAll(parts.size() > 1 ? std::optional<int>(parts[1].toInt()) : std::nullopt);
        } else if (name == QLatin1String("throw")) {
            o.fail(QStringLiteral("TypeError: boom"));
        }
    }
}
} // namespace

// "Outcome of a batch" (docs/semantics.md), end to end: handler calls through the broker to the
// message rows, attempt history and batch record in the store.
class TstOutcomes : public QObject {
    Q_OBJECT
private slots:
    void batchCalls_data()
    {
        QTest::addColumn<QStringList>("script");
        QTest::addColumn<QStringList>("expected"); // per message: acked / retried

        const auto l = [](std::initializer_list<const char *> items) {
            QStringList out;
            for (const char *i : items)
                out.append(QLatin1String(i));
            return out;
        };
        QTest::newRow("returns normally") << QStringList {} << l({ "acked", "acked" });
        QTest::newRow("throws") << l({ "throw" }) << l({ "retried", "retried" });
        QTest::newRow("explicit ack survives a throw")
            << l({ "ack:0", "throw" }) << l({ "acked", "retried" });
        QTest::newRow("ackAll before a throw") << l({ "ackAll", "throw" }) << l({ "acked", "acked" });
        QTest::newRow("ack then retry stays acked") << l({ "ack:0", "retry:0" }) << l({ "acked", "acked" });
        QTest::newRow("retry then ack stays retried")
            << l({ "retry:0", "ack:0" }) << l({ "retried", "acked" });
        QTest::newRow("per-message ack beats retryAll")
            << l({ "retryAll", "ack:1" }) << l({ "retried", "acked" });
        QTest::newRow("per-message retry beats ackAll")
            << l({ "ackAll", "retry:0" }) << l({ "retried", "acked" });
        QTest::newRow("retryAll then ackAll") << l({ "retryAll", "ackAll" }) << l({ "retried", "retried" });
        QTest::newRow("ackAll then retryAll") << l({ "ackAll", "retryAll" }) << l({ "acked", "acked" });
        QTest::newRow("one retried on a normal return") << l({ "retry:1" }) << l({ "acked", "retried" });
    }

    void batchCalls()
    {
        QFETCH(QStringList, script);
        QFETCH(QStringList, expected);
        BrokerFixture fx;
        QVERIFY(fx.open());
        qd::QueueSettings s = settings(2, 0);
        s.retryDelaySeconds = 60; // retried messages wait, so the first outcome stays visible
        QVERIFY(fx.createQueue(QStringLiteral("q"), s));
        auto consumer = std::make_shared<RecordingConsumer>(
            [script](const qd::Delivery &d, qd::BatchOutcome &o) { play(script, d, o); });
        fx.broker->attachConsumer(QStringLiteral("q"), consumer);
        const QStringList ids = fx.send(QStringLiteral("q"), 2);
        fx.broker->pumpAll();
        QCOMPARE(consumer->deliveries.size(), 1u);
        QCOMPARE(consumer->deliveries[0].messages[0].id, ids[0]);

        const bool threw = script.contains(QStringLiteral("throw"));
        for (int i = 0; i < 2; ++i) {
            const qd::Message m = fx.message(ids[i]);
            const bool acked = expected[i] == QLatin1String("acked");
            QCOMPARE(m.state, acked ? qd::MessageState::Acked : qd::MessageState::Pending);
            QCOMPARE(m.attempts, 1);
            QCOMPARE(fx.outcomes(ids[i]), std::vector<QString> { expected[i] });
            if (!acked) {
                QCOMPARE(m.visibleAtMs, fx.clock.nowMs() + 60'000);
                QCOMPARE(m.lastError,
                    threw ? QStringLiteral("TypeError: boom") : QStringLiteral("retried by the consumer"));
            }
        }
        const auto batch = fx.store->batch(consumer->deliveries[0].batchId);
        QVERIFY(batch);
        QCOMPARE(batch->acked, int(expected.count(QStringLiteral("acked"))));
        QCOMPARE(batch->retried, int(expected.count(QStringLiteral("retried"))));
        QCOMPARE(batch->error, threw ? QStringLiteral("TypeError: boom") : QString());
    }

    void retryDelay_data()
    {
        QTest::addColumn<int>("setting"); // retry_delay, s
        QTest::addColumn<QStringList>("script");
        QTest::addColumn<int>("delay"); // expected, s

        const auto l = [](std::initializer_list<const char *> items) {
            QStringList out;
            for (const char *i : items)
                out.append(QLatin1String(i));
            return out;
        };
        QTest::newRow("nothing set: no delay") << 0 << l({ "retry:0" }) << 0;
        QTest::newRow("retry_delay setting") << 30 << l({ "retry:0" }) << 30;
        QTest::newRow("retry_delay on a throw") << 30 << l({ "throw" }) << 30;
        QTest::newRow("retryAll beats the setting") << 30 << l({ "retryAll:7" }) << 7;
        QTest::newRow("per-message beats the setting") << 30 << l({ "retry:0:3" }) << 3;
        QTest::newRow("per-message beats retryAll") << 30 << l({ "retry:0:3", "retryAll:7" }) << 3;
        QTest::newRow("retry without delay takes retryAll's") << 30 << l({ "retry:0", "retryAll:7" }) << 7;
        QTest::newRow("explicit 0 per message") << 30 << l({ "retry:0:0" }) << 0;
        QTest::newRow("explicit 0 on retryAll") << 30 << l({ "retryAll:0" }) << 0;
        QTest::newRow("retryAll delay survives a throw") << 30 << l({ "retryAll:7", "throw" }) << 7;
    }

    void retryDelay()
    {
        QFETCH(int, setting);
        QFETCH(QStringList, script);
        QFETCH(int, delay);
        BrokerFixture fx;
        QVERIFY(fx.open());
        qd::QueueSettings s = settings(1, 0);
        s.retryDelaySeconds = setting;
        QVERIFY(fx.createQueue(QStringLiteral("q"), s));
        std::vector<qint64> deliveredAt;
        qd::ManualClock *clock = &fx.clock;
        auto consumer = std::make_shared<RecordingConsumer>([&](const qd::Delivery &d, qd::BatchOutcome &o) {
            deliveredAt.push_back(clock->nowMs());
            if (d.messages[0].attempts == 1)
                play(script, d, o);
        });
        fx.broker->attachConsumer(QStringLiteral("q"), consumer);

        const qint64 t0 = fx.clock.nowMs();
        const QStringList ids = fx.send(QStringLiteral("q"), 1);
        fx.broker->pumpAll();
        if (delay > 0) {
            QCOMPARE(fx.message(ids[0]).visibleAtMs, t0 + delay * 1000LL);
            fx.clock.setMs(t0 + delay * 1000LL - 1);
            fx.broker->pumpAll();
            QCOMPARE(deliveredAt.size(), 1u);
            fx.clock.setMs(t0 + delay * 1000LL);
            fx.broker->pumpAll();
        }
        QCOMPARE(deliveredAt, (std::vector<qint64> { t0, t0 + delay * 1000LL }));
        QCOMPARE(fx.message(ids[0]).state, qd::MessageState::Acked);
        QCOMPARE(fx.message(ids[0]).attempts, 2);
    }

    void deliveredAtMostMaxRetriesPlusOne_data()
    {
        QTest::addColumn<int>("maxRetries");
        QTest::newRow("0") << 0;
        QTest::newRow("1") << 1;
        QTest::newRow("3 (default)") << 3;
        QTest::newRow("10") << 10;
    }

    void deliveredAtMostMaxRetriesPlusOne()
    {
        QFETCH(int, maxRetries);
        BrokerFixture fx;
        QVERIFY(fx.open());
        QVERIFY(fx.createQueue(QStringLiteral("q"), settings(1, 0, maxRetries)));
        std::vector<int> attemptsSeen;
        auto consumer = std::make_shared<RecordingConsumer>([&](const qd::Delivery &d, qd::BatchOutcome &o) {
            attemptsSeen.push_back(d.messages[0].attempts);
            o.fail(QStringLiteral("always fails"));
        });
        fx.broker->attachConsumer(QStringLiteral("q"), consumer);
        const QStringList ids = fx.send(QStringLiteral("q"), 1);
        for (int i = 0; i < maxRetries + 3; ++i) {
            fx.broker->pumpAll();
            fx.clock.advanceMs(3'600'000);
        }
        std::vector<int> expected;
        for (int a = 1; a <= maxRetries + 1; ++a)
            expected.push_back(a);
        QCOMPARE(attemptsSeen, expected);

        // Without a dead-letter queue it is kept as failed and never delivered again.
        const qd::Message m = fx.message(ids[0]);
        QCOMPARE(m.state, qd::MessageState::Failed);
        QCOMPARE(m.lastError, QStringLiteral("always fails"));
        QCOMPARE(fx.counts(QStringLiteral("q")).failed, qint64(1));
        QCOMPARE(fx.broker->counters(QStringLiteral("q")).failed, qint64(1));
        QCOMPARE(fx.outcomes(ids[0]).back(), QStringLiteral("failed"));
        QCOMPARE(int(fx.outcomes(ids[0]).size()), maxRetries + 1);
        fx.clock.advanceMs(86'400'000);
        fx.broker->pumpAll();
        QCOMPARE(int(attemptsSeen.size()), maxRetries + 1);
        QVERIFY(!fx.broker->nextWakeMs(QStringLiteral("q")));
    }

    void deadLetterKeepsIdentity()
    {
        BrokerFixture fx;
        QVERIFY(fx.open());
        qd::QueueSettings dlqSettings = settings(4, 0, 0);
        QVERIFY(fx.createQueue(QStringLiteral("dlq"), dlqSettings));
        qd::QueueSettings s = settings(1, 0, 1);
        s.deadLetterQueue = QStringLiteral("dlq");
        QVERIFY(fx.createQueue(QStringLiteral("src"), s));
        auto source = std::make_shared<RecordingConsumer>(throwing(QStringLiteral("Error: bad image")));
        auto dlq = std::make_shared<HeldConsumer>();
        fx.broker->attachConsumer(QStringLiteral("src"), source);
        fx.broker->attachConsumer(QStringLiteral("dlq"), dlq);

        const qint64 sentAt = fx.clock.nowMs();
        QStringList ids;
        const QByteArray body("plain text \x01\x02 body");
        QVERIFY(fx.broker
                    ->send(QStringLiteral("src"), { qd::SendItem { body, qd::ContentType::Text, {} } }, {},
                        {}, &ids)
                    .ok());
        fx.clock.advanceMs(1000);
        fx.broker->pumpAll();
        fx.broker->pumpAll();
        QCOMPARE(source->deliveries.size(), 2u);
        QCOMPARE(dlq->held.size(), 1u);

        const qd::Delivery &d = dlq->held.front().delivery;
        QCOMPARE(d.queueName, QStringLiteral("dlq"));
        QCOMPARE(d.settings.maxBatchSize, 4); // the DLQ's own consumer settings
        QCOMPARE(d.messages.size(), 1u);
        const qd::Message &m = d.messages[0];
        QCOMPARE(m.id, ids[0]);
        QCOMPARE(m.timestampMs, sentAt);
        QCOMPARE(m.body, body);
        QCOMPARE(m.contentType, qd::ContentType::Text);
        QCOMPARE(m.attempts, 1);
        QCOMPARE(m.queueId, fx.queueId(QStringLiteral("dlq")));
        QCOMPARE(m.sourceQueueId, fx.queueId(QStringLiteral("src")));
        QCOMPARE(fx.outcomes(ids[0]),
            (std::vector<QString> { QStringLiteral("retried"), QStringLiteral("dead_lettered") }));
        QCOMPARE(fx.broker->counters(QStringLiteral("src")).deadLettered, qint64(1));
        QCOMPARE(fx.counts(QStringLiteral("src")).failed, qint64(0));

        // The DLQ retries by its own settings (no retries, no DLQ): failed there, source kept.
        dlq->completeOldest(throwing());
        const qd::Message after = fx.message(ids[0]);
        QCOMPARE(after.state, qd::MessageState::Failed);
        QCOMPARE(after.queueId, fx.queueId(QStringLiteral("dlq")));
        QCOMPARE(after.sourceQueueId, fx.queueId(QStringLiteral("src")));
    }

    void deadLetterQueueCreatedIfMissing()
    {
        BrokerFixture fx;
        QVERIFY(fx.open());
        qd::QueueSettings s = settings(1, 0, 0);
        s.deadLetterQueue = QStringLiteral("made on demand");
        QVERIFY(fx.createQueue(QStringLiteral("a"), s));
        QVERIFY(fx.broker->queue(QStringLiteral("made on demand")));

        QVERIFY(fx.createQueue(QStringLiteral("b"), settings(1, 0, 0)));
        s.deadLetterQueue = QStringLiteral("also made");
        QVERIFY(fx.broker->updateQueue(QStringLiteral("b"), s).ok());
        QVERIFY(fx.broker->queue(QStringLiteral("also made")));

        // A DLQ deleted later is made again when a message needs it.
        QVERIFY(fx.broker->deleteQueue(QStringLiteral("also made")).ok());
        fx.broker->attachConsumer(QStringLiteral("b"), std::make_shared<RecordingConsumer>(throwing()));
        const QStringList ids = fx.send(QStringLiteral("b"), 1);
        fx.broker->pumpAll();
        QVERIFY(fx.broker->queue(QStringLiteral("also made")));
        QCOMPARE(fx.message(ids[0]).queueId, fx.queueId(QStringLiteral("also made")));
        QCOMPARE(fx.message(ids[0]).state, qd::MessageState::Pending);
    }

    void queueCannotBeItsOwnDeadLetterQueue()
    {
        BrokerFixture fx;
        QVERIFY(fx.open());
        qd::QueueSettings s;
        s.deadLetterQueue = QStringLiteral("self");
        const qd::Error e = fx.broker->createQueue(QStringLiteral("self"), s);
        QCOMPARE(e.code, qd::ErrorCode::Invalid);
        QVERIFY2(e.message.contains(QStringLiteral("dead_letter_queue")), qPrintable(e.message));
        QVERIFY(!fx.broker->queue(QStringLiteral("self")));

        QVERIFY(fx.createQueue(QStringLiteral("other")));
        s.deadLetterQueue = QStringLiteral("other");
        const qd::Error u = fx.broker->updateQueue(QStringLiteral("other"), s);
        QCOMPARE(u.code, qd::ErrorCode::Invalid);
        QVERIFY(fx.broker->queue(QStringLiteral("other"))->settings.deadLetterQueue.isEmpty());
    }

    void twoQueueCycleIsAllowed()
    {
        BrokerFixture fx;
        QVERIFY(fx.open());
        qd::QueueSettings a = settings(1, 0, 0);
        a.deadLetterQueue = QStringLiteral("b");
        QVERIFY(fx.createQueue(QStringLiteral("a"), a));
        qd::QueueSettings b = settings(1, 0, 1);
        b.deadLetterQueue = QStringLiteral("a");
        QVERIFY(fx.broker->updateQueue(QStringLiteral("b"), b).ok());

        QStringList path;
        std::vector<int> attempts;
        const auto record = [&](const qd::Delivery &d, qd::BatchOutcome &o) {
            path.append(d.queueName);
            attempts.push_back(d.messages[0].attempts);
            if (path.size() < 4)
                o.fail(QStringLiteral("fails"));
        };
        fx.broker->attachConsumer(QStringLiteral("a"), std::make_shared<RecordingConsumer>(record));
        fx.broker->attachConsumer(QStringLiteral("b"), std::make_shared<RecordingConsumer>(record));
        const QStringList ids = fx.send(QStringLiteral("a"), 1);
        for (int i = 0; i < 4; ++i)
            fx.broker->pumpAll();
        QCOMPARE(path,
            (QStringList {
                QStringLiteral("a"), QStringLiteral("b"), QStringLiteral("b"), QStringLiteral("a") }));
        QCOMPARE(attempts, (std::vector<int> { 1, 1, 2, 1 }));
        QCOMPARE(fx.message(ids[0]).state, qd::MessageState::Acked);
        QCOMPARE(fx.message(ids[0]).sourceQueueId, fx.queueId(QStringLiteral("b")));
    }
};

QTEST_GUILESS_MAIN(TstOutcomes)
#include "tst_outcomes.moc"
