#pragma once

#include "queuesnapshot.h"

#include <QHash>
#include <QList>

namespace qd {

// Decides when to tell someone that failures are piling up: a queue's failed count, or what
// waits in a dead-letter queue, went over the threshold. Once per crossing: it re-arms only
// after the count falls back under half the threshold, so a wobbling count does not nag.
class FailureAlerts {
public:
    explicit FailureAlerts(qint64 threshold = 100);

    struct Alert {
        QString queue;
        qint64 count = 0;
        bool deadLetterQueue = false;
    };

    void setThreshold(qint64 threshold);
    qint64 threshold() const { return m_threshold; }
    QList<Alert> update(const QList<QueueSnapshot> &queues);

private:
    qint64 m_threshold;
    QHash<QString, bool> m_alerted;
};

} // namespace qd
