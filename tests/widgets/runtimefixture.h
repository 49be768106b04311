#pragma once

// A real runtime for widget tests: its own SQLite file in a temporary directory, an
// ephemeral loopback port, fast sampler ticks, and a way to run code on its thread.

#include "broker.h"
#include "isolatedsettings.h"
#include "runtime.h"

#include <QTemporaryDir>
#include <QTest>

#include <memory>

namespace qdtest {

struct RuntimeFixture {
    QTemporaryDir dir;
    std::unique_ptr<qd::Runtime> runtime;

    bool start(int sampleIntervalMs = 250)
    {
        qd::RuntimeOptions options;
        options.dataDir = dir.filePath(QStringLiteral("data"));
        options.port = 0;
        options.sampleIntervalMs = sampleIntervalMs;
        runtime = std::make_unique<qd::Runtime>(options);
        QString error;
        if (!runtime->start(&error)) {
            qWarning("runtime: %s", qPrintable(error));
            return false;
        }
        return true;
    }

    // Runs f(broker) on the runtime thread and waits for it: tests may wait, the GUI may not.
    template <typename F> auto onBroker(F f)
    {
        qd::Broker *broker = runtime->broker();
        if constexpr (std::is_void_v<decltype(f(*broker))>) {
            QMetaObject::invokeMethod(
                broker, [&] { f(*broker); }, Qt::BlockingQueuedConnection);
        } else {
            decltype(f(*broker)) result {};
            QMetaObject::invokeMethod(
                broker, [&] { result = f(*broker); }, Qt::BlockingQueuedConnection);
            return result;
        }
    }

    std::optional<qd::QueueRecord> queue(const QString &name)
    {
        return onBroker([&](qd::Broker &b) { return b.queue(name); });
    }

    QStringList auditActions(int limit = 50)
    {
        return onBroker([&](qd::Broker &b) {
            QStringList out;
            for (const qd::AuditEntry &e : b.store()->audit(limit))
                out.append(e.action + QLatin1Char(':') + e.queue);
            return out;
        });
    }
};

// One message as storeMessage() writes it: a body in a queue, left in `state` after
// `attempts` deliveries.
struct StoredMessage {
    QString queue = QStringLiteral("images");
    QByteArray body;
    qd::ContentType contentType = qd::ContentType::Json;
    qd::MessageState state = qd::MessageState::Acked;
    int attempts = 1;
    QString lastError {};
};

// Writes `spec` straight into the store, sent and updated now; call it on the runtime thread
// (in onBroker). Not committed, so the caller can add the message's attempts or results to the
// same transaction before it commits. Returns the message as stored, with its seq.
inline qd::Message storeMessage(qd::Broker &b, const StoredMessage &spec)
{
    std::vector<qd::Message> one(1);
    qd::Message &m = one[0];
    m.id = qd::newMessageId();
    m.queueId = b.queue(spec.queue)->id;
    m.body = spec.body;
    m.contentType = spec.contentType;
    m.timestampMs = m.visibleAtMs = b.clock()->nowMs();
    b.store()->insertMessages(one);
    b.store()->updateMessages({ qd::MessageUpdate { m.seq, spec.state, m.queueId, m.visibleAtMs,
                                  spec.attempts, 0, spec.lastError } },
        m.visibleAtMs);
    m.state = spec.state;
    m.attempts = spec.attempts;
    m.lastError = spec.lastError;
    return m;
}

} // namespace qdtest
