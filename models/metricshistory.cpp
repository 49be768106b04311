#include "metricshistory.h"

#include "metricsformat.h"
#include "runtime.h"
#include "viewclock.h"

#include <algorithm>

namespace qd {

namespace {
const std::deque<MetricsFrame> kNoSeconds;
const std::map<qint64, MetricsFrame> kNoMinutes;

bool byTime(const OperatorMarker &a, const OperatorMarker &b)
{
    return a.timeMs < b.timeMs;
}
} // namespace

MetricsHistory::MetricsHistory(QObject *parent)
    : QObject(parent)
{
}

void MetricsHistory::attach(Runtime *runtime)
{
    connect(runtime, &Runtime::metrics, this, &MetricsHistory::addFrames);
    connect(runtime, &Runtime::rollups, this, &MetricsHistory::addRollups);
    connect(runtime, &Runtime::auditAppended, this, &MetricsHistory::addAudit);
    connect(runtime, &Runtime::history, this, &MetricsHistory::addHistory);
    runtime->requestHistory(viewClock().nowMs() - 25LL * 3600 * 1000);
}

void MetricsHistory::addFrames(const QList<MetricsFrame> &frames)
{
    for (const MetricsFrame &f : frames) {
        std::deque<MetricsFrame> &seconds = m_series[f.queue].seconds;
        seconds.push_back(f);
        while (seconds.size() > kMaxSeconds)
            seconds.pop_front();
        m_latestMs = std::max(m_latestMs, f.atMs);
    }
    if (!frames.isEmpty())
        emit framesAdded();
}

void MetricsHistory::insertMinute(const MetricsFrame &rollup)
{
    std::map<qint64, MetricsFrame> &minutes = m_series[rollup.queue].minutes;
    minutes[rollup.atMs] = rollup;
    while (minutes.size() > kMaxMinutes)
        minutes.erase(minutes.begin());
}

void MetricsHistory::addRollups(const QList<MetricsFrame> &rollups)
{
    for (const MetricsFrame &r : rollups)
        insertMinute(r);
}

std::optional<OperatorMarker> MetricsHistory::markerFor(const AuditEntry &e)
{
    const auto n = [&e](const char *key) { return e.detail.value(QLatin1String(key)).toInteger(); };
    QString text;
    if (e.action == QLatin1String("paused"))
        text = tr("Delivery paused");
    else if (e.action == QLatin1String("resumed"))
        text = tr("Delivery resumed");
    else if (e.action == QLatin1String("purged"))
        text = tr("Purged %1 messages").arg(formatCount(n("removed")));
    else if (e.action == QLatin1String("retry"))
        text = tr("Retried %1 messages").arg(formatCount(n("retried")));
    else if (e.action == QLatin1String("retry_all"))
        text = tr("Retry all: %1 messages").arg(formatCount(n("matched")));
    else if (e.action == QLatin1String("retry_selection"))
        text = tr("Retried a selection of %1 messages").arg(formatCount(n("matched")));
    else if (e.action == QLatin1String("edit_resubmit"))
        text = tr("Edited and resubmitted a message");
    else if (e.action == QLatin1String("redrive"))
        text = tr("Redrove %1 messages").arg(formatCount(n("moved")));
    else if (e.action == QLatin1String("settings_changed"))
        text = tr("Settings changed");
    else if (e.action == QLatin1String("config_imported"))
        text = tr("Configuration imported");
    else if (e.action == QLatin1String("delete"))
        text = tr("Messages deleted");
    else if (e.action == QLatin1String("queue_deleted"))
        text = tr("Queue deleted");
    else
        return std::nullopt; // creations and the like are not actions on a running pipeline
    if (!e.queue.isEmpty())
        text = e.queue + QStringLiteral(": ") + text;
    return OperatorMarker { e.timestampMs, e.action, e.queue, text };
}

void MetricsHistory::addAudit(const AuditEntry &entry)
{
    const auto marker = markerFor(entry);
    if (!marker)
        return;
    const auto at = std::upper_bound(m_markers.begin(), m_markers.end(), *marker, byTime);
    m_markers.insert(at, *marker);
    while (m_markers.size() > kMaxMarkers)
        m_markers.pop_front();
    emit markerAdded(*marker);
}

void MetricsHistory::addHistory(const QList<MetricsFrame> &rollups, const QList<AuditEntry> &audit)
{
    addRollups(rollups);
    for (const AuditEntry &e : audit) {
        if (const auto marker = markerFor(e)) {
            if (std::find(m_markers.begin(), m_markers.end(), *marker) == m_markers.end())
                m_markers.push_back(*marker);
        }
    }
    std::stable_sort(m_markers.begin(), m_markers.end(), byTime);
    while (m_markers.size() > kMaxMarkers)
        m_markers.pop_front();
    emit historyChanged();
}

const std::deque<MetricsFrame> &MetricsHistory::seconds(const QString &queue) const
{
    const auto it = m_series.find(queue);
    return it == m_series.end() ? kNoSeconds : it->second.seconds;
}

const std::map<qint64, MetricsFrame> &MetricsHistory::minutes(const QString &queue) const
{
    const auto it = m_series.find(queue);
    return it == m_series.end() ? kNoMinutes : it->second.minutes;
}

std::optional<MetricsFrame> MetricsHistory::latest(const QString &queue) const
{
    const std::deque<MetricsFrame> &s = seconds(queue);
    if (s.empty())
        return std::nullopt;
    return s.back();
}

QList<OperatorMarker> MetricsHistory::markers(const QString &queue, qint64 fromMs, qint64 toMs) const
{
    QList<OperatorMarker> out;
    OperatorMarker from;
    from.timeMs = fromMs;
    for (auto it = std::lower_bound(m_markers.begin(), m_markers.end(), from, byTime);
         it != m_markers.end() && it->timeMs <= toMs; ++it) {
        if (queue.isEmpty() || it->queue.isEmpty() || it->queue == queue)
            out.append(*it);
    }
    return out;
}

QStringList MetricsHistory::queueNames() const
{
    QStringList out;
    for (const auto &[name, series] : m_series) {
        if (!name.isEmpty())
            out.append(name);
    }
    return out;
}

} // namespace qd
