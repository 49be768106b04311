#pragma once

// Shared setup for the broker's semantic tests: a real store (a SQLite file in a temporary
// directory, or with QUEUEDECK_TEST_STORE set to a PostgreSQL URL a fresh schema in that
// database), a manual clock, and consumers that record or hold what they are handed.

#include "broker.h"
#include "clock.h"
#include "consumer.h"
#include "queuestore.h"

#include "../teststore.h"

#include <QHash>
#include <QTemporaryDir>
#include <QTest>

#include <functional>
#include <memory>
#include <vector>

namespace qdtest {

using Handler = std::function<void(const qd::Delivery &, qd::BatchOutcome &)>;

// Runs its handler at once, like a synchronous worker, and keeps every delivery.
class RecordingConsumer final : public qd::Consumer {
public:
    explicit RecordingConsumer(Handler handler = {})
        : m_handler(std::move(handler))
    {
    }

    void deliver(const qd::Delivery &delivery, qd::CompletionFn done) override
    {
        deliveries.push_back(delivery);
        for (const qd::Message &m : delivery.messages)
            perMessage[m.id] += 1;
        qd::BatchOutcome outcome;
        if (m_handler)
            m_handler(delivery, outcome);
        done(outcome);
    }

    int messageCount() const
    {
        int n = 0;
        for (const qd::Delivery &d : deliveries)
            n += int(d.messages.size());
        return n;
    }

    std::vector<qd::Delivery> deliveries;
    QHash<QString, int> perMessage;

private:
    Handler m_handler;
};

// Keeps every batch in flight until the test completes it, like a slow worker.
class HeldConsumer final : public qd::Consumer {
public:
    struct Held {
        qd::Delivery delivery;
        qd::CompletionFn done;
    };

    void deliver(const qd::Delivery &delivery, qd::CompletionFn done) override
    {
        held.push_back(Held { delivery, std::move(done) });
        ++delivered;
    }

    // Completes the oldest held batch with whatever `handler` records (nothing = all acked).
    void completeOldest(const Handler &handler = {})
    {
        QVERIFY(!held.empty());
        Held h = std::move(held.front());
        held.erase(held.begin());
        qd::BatchOutcome outcome;
        if (handler)
            handler(h.delivery, outcome);
        h.done(outcome);
    }

    std::vector<Held> held;
    int delivered = 0;
};

inline Handler throwing(const QString &error = QStringLiteral("handler threw"))
{
    return [error](const qd::Delivery &, qd::BatchOutcome &o) { o.fail(error); };
}

inline qd::QueueSettings settings(int batchSize, int timeoutMs, int maxRetries = 3, int concurrency = 0)
{
    qd::QueueSettings s;
    s.maxBatchSize = batchSize;
    s.maxBatchTimeoutMs = timeoutMs;
    s.maxRetries = maxRetries;
    s.maxConcurrency = concurrency;
    return s;
}

inline qd::QueueSettings pullSettings(int maxRetries = 3)
{
    qd::QueueSettings s;
    s.consumerType = qd::ConsumerType::HttpPull;
    s.maxRetries = maxRetries;
    return s;
}

inline std::vector<qd::SendItem> items(int n, const QByteArray &prefix = "m", std::optional<int> delay = {})
{
    std::vector<qd::SendItem> out;
    for (int i = 0; i < n; ++i)
        out.push_back(qd::SendItem {
            QByteArray('"' + prefix + QByteArray::number(i) + '"'), qd::ContentType::Json, delay });
    return out;
}

// Sends `items` to `queue` as one batch and returns their ids once the broker has committed
// them, as a producer hears 202. For a broker whose commits run on this thread's event loop;
// a send that fails ends the run, since every later check would fail for the same reason.
inline QStringList sendDurably(qd::Broker &broker, const QString &queue, std::vector<qd::SendItem> items)
{
    QStringList ids;
    bool durable = false;
    const qd::Error e = broker.send(
        queue, std::move(items), std::nullopt, [&](const qd::Error &) { durable = true; }, &ids);
    if (e.isError())
        qFatal("%s", qPrintable(e.message));
    if (!QTest::qWaitFor([&] { return durable; }, 5000))
        qFatal("the send was not committed");
    return ids;
}

struct BrokerFixture {
    QTemporaryDir dir;
    qd::ManualClock clock;
    std::unique_ptr<qd::QueueStore> store;
    std::unique_ptr<qd::Broker> broker;

    // After every scenario, the totals that counts(), the API and the charts read agree
    // with a full count of the messages.
    ~BrokerFixture()
    {
        if (store && store->available())
            QCOMPARE(store->totalsMismatch(), QString());
    }

    // The SQLite file (unused when the store is PostgreSQL).
    QString path() const { return dir.filePath(QStringLiteral("queuedeck.sqlite")); }
    // What open() hands qd::makeStore(); the same for every reopen() of this fixture.
    QString storeSpec() const { return m_spec; }

    // Opens the store and starts a broker over it; false (with a warning) on failure.
    bool open()
    {
        QString error;
        store = qd::makeStore(storeSpec());
        if (!store->open(&error)) {
            qWarning("store: %s", qPrintable(error));
            return false;
        }
        broker = std::make_unique<qd::Broker>(store.get(), &clock);
        if (!broker->start(&error)) {
            qWarning("broker: %s", qPrintable(error));
            return false;
        }
        return true;
    }

    // Stops as a process would (nothing completes) and starts again on the same store.
    bool reopen()
    {
        broker.reset();
        store.reset();
        return open();
    }

    bool createQueue(const QString &name, const qd::QueueSettings &s = {})
    {
        const qd::Error e = broker->createQueue(name, s);
        if (e.isError())
            qWarning("createQueue: %s", qPrintable(e.message));
        return e.ok();
    }

    // Sends n messages in one batch; returns their ids (empty when refused).
    QStringList send(
        const QString &queue, int n, std::optional<int> batchDelay = {}, const QByteArray &prefix = "m")
    {
        QStringList ids;
        if (broker->send(queue, items(n, prefix), batchDelay, {}, &ids).isError())
            return {};
        return ids;
    }

    qd::Message message(const QString &id) const { return store->messageById(id).value_or(qd::Message {}); }
    qint64 queueId(const QString &name) const { return broker->queue(name) ? broker->queue(name)->id : -1; }
    qd::QueueCounts counts(const QString &name) const { return broker->counts(name); }

    std::vector<QString> outcomes(const QString &id) const
    {
        std::vector<QString> out;
        const auto attempts = store->attemptsForMessage(message(id).seq);
        for (auto it = attempts.rbegin(); it != attempts.rend(); ++it) // oldest first
            out.push_back(qd::attemptOutcomeName(it->outcome));
        return out;
    }

private:
    const QString m_spec = chooseStoreSpec(path());
};

} // namespace qdtest
