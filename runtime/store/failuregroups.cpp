#include "failuregroups.h"

#include <algorithm>
#include <map>

namespace qd {

QList<FailureGroup> groupFailures(const std::vector<Message> &failures,
    const std::function<QString(const QString &error)> &signatureOf,
    const std::function<bool(const Message &)> &keep)
{
    std::map<QString, FailureGroup> groups;
    for (const Message &m : failures) {
        if (keep && !keep(m))
            continue;
        FailureGroup &g = groups[signatureOf(m.lastError)];
        if (g.count == 0 || m.updatedMs < g.firstSeenMs)
            g.firstSeenMs = m.updatedMs;
        if (m.updatedMs >= g.lastSeenMs) {
            g.lastSeenMs = m.updatedMs;
            g.sampleId = m.id;
            g.sampleError = m.lastError;
        }
        g.count += 1;
        g.seqs.append(m.seq);
    }
    QList<FailureGroup> out;
    out.reserve(qsizetype(groups.size()));
    for (auto &[signature, g] : groups) {
        g.signature = signature;
        out.append(std::move(g));
    }
    std::stable_sort(out.begin(), out.end(),
        [](const FailureGroup &a, const FailureGroup &b) { return a.count > b.count; });
    return out;
}

} // namespace qd
