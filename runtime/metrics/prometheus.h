#pragma once

#include "latencyhistogram.h"
#include "queuesnapshot.h"

namespace qd {

// The Prometheus text exposition of every queue's gauges and counters, and of its latency
// histograms (every queue has them, empty until it has timings, so the series exist from
// the start).
QByteArray prometheusText(
    const QList<QueueSnapshot> &queues, const QHash<QString, QueueLatencies> &latencies = {});
QByteArray prometheusLabelValue(const QString &value);

} // namespace qd
