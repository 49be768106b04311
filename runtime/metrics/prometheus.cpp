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

namespace {

// Seconds, as Prometheus wants them, from whole ms: exact, no float noise ("0.25", "300").
QByteArray secondsText(qint64 ms)
{
    QByteArray out = QByteArray::number(ms / 1000);
    if (const qint64 fraction = ms % 1000; fraction != 0) {
        out += '.' + QByteArray::number(fraction).rightJustified(3, '0');
        while (out.endsWith('0'))
            out.chop(1);
    }
    return out;
}

void appendHistogram(QByteArray &out, const char *name, const char *help, const QList<QueueSnapshot> &queues,
    const QHash<QString, QueueLatencies> &latencies, LatencyHistogram QueueLatencies::*which)
{
    out += QByteArray("# HELP ") + name + ' ' + help + '\n';
    out += QByteArray("# TYPE ") + name + " histogram\n";
    static const LatencyHistogram none;
    for (const QueueSnapshot &q : queues) {
        const auto it = latencies.constFind(q.name);
        const LatencyHistogram &h = it == latencies.cend() ? none : (*it).*which;
        const QByteArray queue = "queue=\"" + prometheusLabelValue(q.name) + '"';
        for (size_t i = 0; i < LatencyHistogram::kBoundsMs.size(); ++i) {
            out += QByteArray(name) + "_bucket{" + queue + ",le=\""
                + secondsText(LatencyHistogram::kBoundsMs[i]) + "\"} " + QByteArray::number(h.atMost(i))
                + '\n';
        }
        out += QByteArray(name) + "_bucket{" + queue + ",le=\"+Inf\"} " + QByteArray::number(h.count())
            + '\n';
        out += QByteArray(name) + "_sum{" + queue + "} " + secondsText(h.sumMs()) + '\n';
        out += QByteArray(name) + "_count{" + queue + "} " + QByteArray::number(h.count()) + '\n';
    }
}

} // namespace

QByteArray prometheusText(const QList<QueueSnapshot> &queues, const QHash<QString, QueueLatencies> &latencies)
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
    appendHistogram(out, "queuedeck_batch_processing_seconds",
        "Time from a push batch's dispatch to its consumer's outcome", queues, latencies,
        &QueueLatencies::processing);
    appendHistogram(out, "queuedeck_message_end_to_end_seconds", "Time from a message's send to its ack",
        queues, latencies, &QueueLatencies::endToEnd);
    return out;
}

} // namespace qd
