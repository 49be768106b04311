#include "attempthistory.h"

#include <algorithm>

namespace qd {

namespace {

bool isRetryAction(const QString &action)
{
    return action == QLatin1String("retry") || action == QLatin1String("retry_selection")
        || action == QLatin1String("retry_all") || action == QLatin1String("edit_resubmit")
        || action == QLatin1String("redrive");
}

} // namespace

QList<HistoryLine> attemptHistory(const QList<AttemptView> &attempts, const QList<AuditEntry> &history)
{
    // Oldest first for counting; ties in start time keep the runtime's own order.
    QList<int> order;
    for (int i = int(attempts.size()) - 1; i >= 0; --i)
        order.append(i);
    std::stable_sort(order.begin(), order.end(),
        [&](int a, int b) { return attempts.at(a).attempt.startedMs < attempts.at(b).attempt.startedMs; });
    QList<AuditEntry> actions;
    for (qsizetype i = history.size() - 1; i >= 0; --i) {
        if (isRetryAction(history.at(i).action))
            actions.append(history.at(i));
    }
    std::stable_sort(actions.begin(), actions.end(),
        [](const AuditEntry &a, const AuditEntry &b) { return a.timestampMs < b.timestampMs; });

    QList<HistoryLine> out; // oldest first, reversed at the end
    qsizetype nextAction = 0;
    int number = 0;
    int previousAttempt = 0;
    for (int i : order) {
        const AttemptRecord &a = attempts.at(i).attempt;
        bool marked = false;
        while (nextAction < actions.size() && actions.at(nextAction).timestampMs <= a.startedMs) {
            // Actions before the first attempt sent nothing again: nothing to mark.
            if (number > 0) {
                HistoryLine line;
                line.kind = HistoryLine::OperatorRetry;
                line.atMs = actions.at(nextAction).timestampMs;
                line.action = actions.at(nextAction).action;
                out.append(line);
                marked = true;
            }
            ++nextAction;
        }
        if (!marked && number > 0 && a.attempt <= previousAttempt) {
            HistoryLine line;
            line.kind = HistoryLine::OperatorRetry;
            out.append(line);
        }
        HistoryLine line;
        line.number = ++number;
        line.atMs = a.startedMs;
        line.attemptIndex = i;
        out.append(line);
        previousAttempt = a.attempt;
    }
    // A retry after the last attempt: the next one is still to come.
    for (; nextAction < actions.size(); ++nextAction) {
        if (number == 0)
            continue;
        HistoryLine line;
        line.kind = HistoryLine::OperatorRetry;
        line.atMs = actions.at(nextAction).timestampMs;
        line.action = actions.at(nextAction).action;
        out.append(line);
    }
    std::reverse(out.begin(), out.end());
    return out;
}

} // namespace qd
