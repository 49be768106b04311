#pragma once

#include "messagequery.h"

#include <QList>
#include <QString>

namespace qd {

// One line of a message's history as the detail pane lists it: a delivery attempt numbered
// across the message's whole life, or the point where an operator sent it again.
struct HistoryLine {
    enum Kind { Attempt, OperatorRetry } kind = Attempt;
    int number = 0; // attempts: 1 for the first ever; 0 for an operator's line
    qint64 atMs = 0; // when it started, or when the operator acted (0: not recorded)
    int attemptIndex = -1; // attempts: its index in MessageDetail::attempts
    QString action; // operator lines: the audit action, empty when only inferred
};

// The runtime counts attempts afresh after an operator's retry (as Cloudflare Queues do);
// a person reading the history wants one count. Attempts are numbered oldest first across
// every retry; an operator line goes where the audit log puts an action, or where the
// runtime's count starts over without one in the log. Newest first, like the input.
QList<HistoryLine> attemptHistory(const QList<AttemptView> &attempts, const QList<AuditEntry> &history);

} // namespace qd
