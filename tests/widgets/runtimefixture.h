#pragma once

// A real runtime for widget tests: its own SQLite file in a temporary directory, an
// ephemeral loopback port, fast sampler ticks, and a way to run code on its thread.

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

} // namespace qdtest
