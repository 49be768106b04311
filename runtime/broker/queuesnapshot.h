#pragma once

#include "broker.h"

#include <QList>
#include <QMetaType>

namespace qd {

// What a view needs to know about one queue at one moment: a plain value that crosses
// threads by copy.
struct QueueSnapshot {
    QString name;
    QueueSettings settings;
    QueueCounts counts;
    QueueCounters counters;
    int inFlightBatches = 0;
    qint64 takenAtMs = 0;
};

QList<QueueSnapshot> takeSnapshot(const Broker &broker);

} // namespace qd

Q_DECLARE_METATYPE(qd::QueueSnapshot)
