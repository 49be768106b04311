#include "prometheus.h"

#include <functional>

namespace qd {

QByteArray prometheusLabelValue(const QString &value)
{
    QByteArray out = value.toUtf8();
    out.replace('\\', "\\\\");
    out.replace('"', "\\\"");
    out.replace('\n', "\\n");
    return out;
}

QByteArray prometheusText(const QList<QueueSnapshot> &queues)
{
    struct Metric {
        const char *name;
        const char *type;
        const char *help;
        std::function<qint64(const QueueSnapshot &)> value;
    };
    const Metric metrics[] = {
        { "queuedeck_queue_ready", "gauge", "Messages ready for delivery",
            [](auto &q) { return q.counts.ready; } },
        { "queuedeck_queue_delayed", "gauge", "Messages waiting for their delay",
            [](auto &q) { return q.counts.delayed; } },
        { "queuedeck_queue_inflight", "gauge", "Messages in batches being processed",
            [](auto &q) { return q.counts.inFlight; } },
        { "queuedeck_queue_failed", "gauge",
            "Messages that failed every attempt and have no dead-letter queue",
            [](auto &q) { return q.counts.failed; } },
        { "queuedeck_queue_backlog_bytes", "gauge", "Bytes of ready and delayed messages",
            [](auto &q) { return q.counts.backlogBytes; } },
        { "queuedeck_queue_oldest_message_timestamp_ms", "gauge", "Send time of the oldest waiting message",
            [](auto &q) { return q.counts.oldestTimestampMs; } },
        { "queuedeck_queue_paused", "gauge", "1 when delivery is paused",
            [](auto &q) { return qint64(q.settings.paused); } },
        { "queuedeck_messages_written_total", "counter", "Messages sent",
            [](auto &q) { return q.counters.written; } },
        { "queuedeck_messages_delivered_total", "counter", "Deliveries",
            [](auto &q) { return q.counters.delivered; } },
        { "queuedeck_messages_acked_total", "counter", "Messages acknowledged",
            [](auto &q) { return q.counters.acked; } },
        { "queuedeck_messages_retried_total", "counter", "Messages retried",
            [](auto &q) { return q.counters.retried; } },
        { "queuedeck_messages_dead_lettered_total", "counter", "Messages moved to a dead-letter queue",
            [](auto &q) { return q.counters.deadLettered; } },
        { "queuedeck_messages_failed_total", "counter", "Messages kept as failed",
            [](auto &q) { return q.counters.failed; } },
        { "queuedeck_messages_expired_total", "counter", "Unprocessed messages removed by retention",
            [](auto &q) { return q.counters.expired; } },
        { "queuedeck_batches_total", "counter", "Batches delivered",
            [](auto &q) { return q.counters.batches; } },
    };
    QByteArray out;
    for (const Metric &m : metrics) {
        out += QByteArray("# HELP ") + m.name + ' ' + m.help + '\n';
        out += QByteArray("# TYPE ") + m.name + ' ' + m.type + '\n';
        for (const QueueSnapshot &q : queues)
            out += QByteArray(m.name) + "{queue=\"" + prometheusLabelValue(q.name) + "\"} "
                + QByteArray::number(m.value(q)) + '\n';
    }
    return out;
}

} // namespace qd
