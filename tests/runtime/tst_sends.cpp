#include "brokerfixture.h"

#include <QRegularExpression>
#include <QSet>

using namespace qdtest;

namespace {
std::vector<qd::SendItem> bodies(std::initializer_list<qsizetype> sizes)
{
    std::vector<qd::SendItem> out;
    for (qsizetype size : sizes)
        out.push_back(qd::SendItem { QByteArray(size, 'x'), qd::ContentType::Bytes, {} });
    return out;
}
} // namespace

// Producers (docs/semantics.md "Messages"): limits, delays, queue names and durability.
class TstSends : public QObject {
    Q_OBJECT
private slots:
    void limits_data()
    {
        QTest::addColumn<std::vector<qd::SendItem>>("sends");
        QTest::addColumn<qd::ErrorCode>("expected");

        QTest::newRow("128,000-byte body") << bodies({ 128'000 }) << qd::ErrorCode::None;
        QTest::newRow("128,001-byte body") << bodies({ 128'001 }) << qd::ErrorCode::TooLarge;
        QTest::newRow("100 messages") << items(100) << qd::ErrorCode::None;
        QTest::newRow("101 messages") << items(101) << qd::ErrorCode::TooMany;
        QTest::newRow("no messages") << items(0) << qd::ErrorCode::Invalid;
        QTest::newRow("256,000 bytes in total") << bodies({ 128'000, 128'000 }) << qd::ErrorCode::None;
        QTest::newRow("256,001 bytes in total")
            << bodies({ 128'000, 128'000, 1 }) << qd::ErrorCode::BatchTooLarge;
        std::vector<qd::SendItem> full;
        for (int i = 0; i < 100; ++i)
            full.push_back(qd::SendItem { QByteArray(2560, 'y'), qd::ContentType::Bytes, {} });
        QTest::newRow("100 messages, 256,000 bytes") << full << qd::ErrorCode::None;
        full.back().body.append('z');
        QTest::newRow("100 messages, 256,001 bytes") << full << qd::ErrorCode::BatchTooLarge;
    }

    void limits()
    {
        QFETCH(std::vector<qd::SendItem>, sends);
        QFETCH(qd::ErrorCode, expected);
        BrokerFixture fx;
        QVERIFY(fx.open());
        QVERIFY(fx.createQueue(QStringLiteral("q")));
        const qsizetype n = qsizetype(sends.size());
        qsizetype bytes = 0;
        for (const qd::SendItem &s : sends)
            bytes += s.body.size();
        QStringList ids;
        const qd::Error e = fx.broker->send(QStringLiteral("q"), sends, {}, {}, &ids);
        QCOMPARE(e.code, expected);
        fx.broker->pumpAll();
        const qd::QueueCounts c = fx.counts(QStringLiteral("q"));
        if (expected == qd::ErrorCode::None) {
            QCOMPARE(ids.size(), n);
            QCOMPARE(c.ready, qint64(n));
            QCOMPARE(c.backlogBytes, qint64(bytes));
        } else {
            QVERIFY(!e.message.isEmpty());
            QCOMPARE(c.ready, qint64(0)); // a refused batch stores nothing
        }
    }

    void delayPrecedence_data()
    {
        QTest::addColumn<int>("queueDelay");
        QTest::addColumn<int>("batchDelay"); // -1 = unset
        QTest::addColumn<int>("messageDelay"); // -1 = unset
        QTest::addColumn<int>("expected");

        QTest::newRow("none") << 0 << -1 << -1 << 0;
        QTest::newRow("queue delivery_delay") << 30 << -1 << -1 << 30;
        QTest::newRow("batch beats queue") << 30 << 10 << -1 << 10;
        QTest::newRow("message beats batch") << 30 << 10 << 5 << 5;
        QTest::newRow("message beats queue") << 30 << -1 << 5 << 5;
        QTest::newRow("explicit 0 on the message") << 30 << 10 << 0 << 0;
        QTest::newRow("explicit 0 on the batch") << 30 << 0 << -1 << 0;
        QTest::newRow("24 h") << 0 << -1 << 86'400 << 86'400;
    }

    void delayPrecedence()
    {
        QFETCH(int, queueDelay);
        QFETCH(int, batchDelay);
        QFETCH(int, messageDelay);
        QFETCH(int, expected);
        BrokerFixture fx;
        QVERIFY(fx.open());
        qd::QueueSettings s = settings(10, 0);
        s.deliveryDelaySeconds = queueDelay;
        QVERIFY(fx.createQueue(QStringLiteral("q"), s));
        auto consumer = std::make_shared<RecordingConsumer>();
        fx.broker->attachConsumer(QStringLiteral("q"), consumer);

        const qint64 t0 = fx.clock.nowMs();
        std::vector<qd::SendItem> sends = items(1);
        if (messageDelay >= 0)
            sends[0].delaySeconds = messageDelay;
        QStringList ids;
        QVERIFY(fx.broker
                    ->send(QStringLiteral("q"), sends,
                        batchDelay >= 0 ? std::optional<int>(batchDelay) : std::nullopt, {}, &ids)
                    .ok());
        QCOMPARE(fx.message(ids[0]).visibleAtMs, t0 + expected * 1000LL);
        QCOMPARE(fx.message(ids[0]).timestampMs, t0);

        // Invisible to consumers until due.
        if (expected > 0) {
            fx.broker->pumpAll();
            QCOMPARE(fx.counts(QStringLiteral("q")).delayed, qint64(1));
            fx.clock.setMs(t0 + expected * 1000LL - 1);
            fx.broker->pumpAll();
            QCOMPARE(consumer->deliveries.size(), 0u);
            fx.clock.setMs(t0 + expected * 1000LL);
        }
        fx.broker->pumpAll();
        QCOMPARE(consumer->deliveries.size(), 1u);
    }

    void delayedInvisibleToPull()
    {
        BrokerFixture fx;
        QVERIFY(fx.open());
        QVERIFY(fx.createQueue(QStringLiteral("p"), pullSettings()));
        const qint64 t0 = fx.clock.nowMs();
        QCOMPARE(fx.send(QStringLiteral("p"), 2, 60).size(), 2);
        fx.broker->pumpAll();
        qd::PullResult pulled;
        QVERIFY(fx.broker->pull(QStringLiteral("p"), 10, {}, &pulled).ok());
        QCOMPARE(pulled.messages.size(), 0u);
        QCOMPARE(pulled.backlogCount, qint64(2));
        fx.clock.setMs(t0 + 60'000);
        QVERIFY(fx.broker->pull(QStringLiteral("p"), 10, {}, &pulled).ok());
        QCOMPARE(pulled.messages.size(), 2u);
    }

    void delayRange_data()
    {
        QTest::addColumn<int>("batchDelay"); // -2 = unset
        QTest::addColumn<int>("messageDelay"); // -2 = unset
        QTest::addColumn<bool>("ok");
        QTest::newRow("message -1") << -2 << -1 << false;
        QTest::newRow("message 86,401") << -2 << 86'401 << false;
        QTest::newRow("message 86,400") << -2 << 86'400 << true;
        QTest::newRow("batch -1") << -1 << -2 << false;
        QTest::newRow("batch 86,401") << 86'401 << -2 << false;
        QTest::newRow("batch 86,400") << 86'400 << -2 << true;
        QTest::newRow("bad batch, good message") << 86'401 << 5 << false;
    }

    void delayRange()
    {
        QFETCH(int, batchDelay);
        QFETCH(int, messageDelay);
        QFETCH(bool, ok);
        BrokerFixture fx;
        QVERIFY(fx.open());
        QVERIFY(fx.createQueue(QStringLiteral("q")));
        std::vector<qd::SendItem> sends = items(1);
        if (messageDelay != -2)
            sends[0].delaySeconds = messageDelay;
        const qd::Error e = fx.broker->send(
            QStringLiteral("q"), sends, batchDelay != -2 ? std::optional<int>(batchDelay) : std::nullopt, {});
        QCOMPARE(e.code, ok ? qd::ErrorCode::None : qd::ErrorCode::Invalid);
        if (!ok) {
            QVERIFY2(e.message.contains(QStringLiteral("delay_seconds")), qPrintable(e.message));
            QVERIFY2(e.message.contains(QStringLiteral("86400")), qPrintable(e.message));
        }
        QCOMPARE(fx.counts(QStringLiteral("q")).delayed, qint64(ok ? 1 : 0));
    }

    void unknownQueue()
    {
        BrokerFixture fx;
        QVERIFY(fx.open());
        QVERIFY(fx.createQueue(QStringLiteral("known")));
        const QString name = QStringLiteral("Known"); // names are case-sensitive
        bool called = false;
        QCOMPARE(fx.broker->send(name, items(1), {}, [&](const qd::Error &) { called = true; }).code,
            qd::ErrorCode::NotFound);
        qd::PullResult pulled;
        QCOMPARE(fx.broker->pull(name, 1, {}, &pulled).code, qd::ErrorCode::NotFound);
        qd::AckResult acked;
        QCOMPARE(fx.broker->acknowledge(name, {}, {}, &acked).code, qd::ErrorCode::NotFound);
        QCOMPARE(fx.broker->purge(name).code, qd::ErrorCode::NotFound);
        QCOMPARE(fx.broker->setPaused(name, true).code, qd::ErrorCode::NotFound);
        QCOMPARE(fx.broker->updateQueue(name, {}).code, qd::ErrorCode::NotFound);
        QCOMPARE(fx.broker->deleteQueue(name).code, qd::ErrorCode::NotFound);
        QCOMPARE(fx.broker->redrive(name).code, qd::ErrorCode::NotFound);
        fx.broker->pumpAll();
        QVERIFY(!called);
        QCOMPARE(fx.counts(QStringLiteral("known")).ready, qint64(0));
    }

    void queueNames_data()
    {
        QTest::addColumn<QString>("name");
        QTest::newRow("slash and space") << QStringLiteral("my/ Queue");
        QTest::newRow("percent") << QStringLiteral("100%_done");
        QTest::newRow("non-ASCII") << QStringLiteral("очередь-队列-ü");
        QTest::newRow("SQL quote") << QStringLiteral("a'; DROP TABLE messages; --");
        QTest::newRow("URL-like") << QStringLiteral("../q?x=1#y");
    }

    void queueNames()
    {
        QFETCH(QString, name);
        BrokerFixture fx;
        QVERIFY(fx.open());
        QVERIFY(fx.createQueue(name, settings(10, 0)));
        // A sibling whose name a LIKE pattern of `name` would also match.
        QVERIFY(fx.createQueue(name + QStringLiteral("x"), settings(10, 0)));
        auto consumer = std::make_shared<HeldConsumer>();
        fx.broker->attachConsumer(name, consumer);
        QCOMPARE(fx.send(name, 3).size(), 3);
        fx.broker->pumpAll();
        QCOMPARE(consumer->held.size(), 1u);
        QCOMPARE(consumer->held[0].delivery.queueName, name);
        QCOMPARE(fx.counts(name).inFlight, qint64(3));
        QCOMPARE(fx.counts(name + QStringLiteral("x")).inFlight, qint64(0));

        QVERIFY(fx.reopen());
        QVERIFY(fx.broker->queue(name));
        QCOMPARE(fx.broker->queue(name)->name, name);
        QCOMPARE(fx.counts(name).ready, qint64(3)); // the interrupted batch is back
        QVERIFY(fx.broker->deleteQueue(name).ok());
        QVERIFY(!fx.broker->queue(name));
        QVERIFY(fx.broker->queue(name + QStringLiteral("x")));
    }

    // The durable callback runs only once the messages are committed: another connection
    // to the same store sees them when it runs, and not before.
    void durableAfterCommit()
    {
        BrokerFixture fx;
        QVERIFY(fx.open());
        QVERIFY(fx.createQueue(QStringLiteral("q")));
        fx.broker->pumpAll();

        const std::unique_ptr<qd::QueueStore> other = qd::makeStore(fx.storeSpec());
        QString error;
        QVERIFY2(other->open(&error), qPrintable(error));

        int calls = 0;
        bool visibleInCallback = false;
        QStringList ids;
        const qd::Error e = fx.broker->send(
            QStringLiteral("q"), items(3), {},
            [&](const qd::Error &result) {
                ++calls;
                QVERIFY(result.ok());
                visibleInCallback = true;
                for (const QString &id : std::as_const(ids))
                    visibleInCallback = visibleInCallback && other->messageById(id).has_value();
            },
            &ids);
        QVERIFY(e.ok());
        QCOMPARE(ids.size(), 3);
        QCOMPARE(calls, 0);
        QVERIFY(!other->messageById(ids[0]));

        QTRY_COMPARE(calls, 1); // the broker's own tick commits
        QVERIFY(visibleInCallback);
        fx.broker->pumpAll();
        QCOMPARE(calls, 1);
    }

    void bodiesAndTypesKept()
    {
        BrokerFixture fx;
        QVERIFY(fx.open());
        QVERIFY(fx.createQueue(QStringLiteral("q"), settings(10, 0)));
        auto consumer = std::make_shared<RecordingConsumer>();
        fx.broker->attachConsumer(QStringLiteral("q"), consumer);
        const QByteArray binary("\x00\xff\x10zero\x00inside", 15);
        std::vector<qd::SendItem> sends { { QByteArray("{\"a\":1}"), qd::ContentType::Json, {} },
            { QByteArray("hello"), qd::ContentType::Text, {} }, { binary, qd::ContentType::Bytes, {} },
            { binary, qd::ContentType::V8, {} } };
        QStringList ids;
        QVERIFY(fx.broker->send(QStringLiteral("q"), sends, {}, {}, &ids).ok());
        static const QRegularExpression hex32(QStringLiteral("^[0-9a-f]{32}$"));
        for (const QString &id : std::as_const(ids))
            QVERIFY2(hex32.match(id).hasMatch(), qPrintable(id));
        QCOMPARE(QSet<QString>(ids.begin(), ids.end()).size(), 4);
        fx.broker->pumpAll();
        QCOMPARE(consumer->deliveries.size(), 1u);
        const auto &got = consumer->deliveries[0].messages;
        QCOMPARE(got.size(), 4u);
        for (std::size_t i = 0; i < got.size(); ++i) {
            QCOMPARE(got[i].id, ids[int(i)]);
            QCOMPARE(got[i].body, sends[i].body);
            QCOMPARE(got[i].contentType, sends[i].contentType);
            QCOMPARE(got[i].attempts, 1);
        }
    }
};

QTEST_GUILESS_MAIN(TstSends)
#include "tst_sends.moc"
