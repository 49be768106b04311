#pragma once

#include "queuesnapshot.h"

namespace qd {

// The Prometheus text exposition of every queue's gauges and counters.
QByteArray prometheusText(const QList<QueueSnapshot> &queues);
QByteArray prometheusLabelValue(const QString &value);

} // namespace qd
