#pragma once

#include "metricsframe.h"
#include "queuestore.h"

#include <QObject>
#include <QStringList>

#include <deque>
#include <map>
#include <optional>

namespace qd {

class Runtime;

// Where an operator acted, for chart markers.
struct OperatorMarker {
    qint64 timeMs = 0;
    QString action; // the audit action: paused, purged, retry_all, settings_changed, ...
    QString queue; // empty: not about one queue
    QString text; // for people

    bool operator==(const OperatorMarker &) const = default;
};

// What the dashboard has seen, on the GUI thread: per queue (and for all queues, under
// the empty name) the live frames of the last hour and the minute rollups of the last
// day, plus the operator actions. Every list is bounded; the oldest entries go first.
class MetricsHistory final : public QObject {
    Q_OBJECT
public:
    static constexpr std::size_t kMaxSeconds = 3700;
    static constexpr std::size_t kMaxMinutes = 24 * 60 + 30;
    static constexpr std::size_t kMaxMarkers = 2000;

    explicit MetricsHistory(QObject *parent = nullptr);

    // Follows the runtime's frames, rollups and audit entries, and asks it for the stored
    // history of the last day.
    void attach(Runtime *runtime);

    void addFrames(const QList<MetricsFrame> &frames);
    void addRollups(const QList<MetricsFrame> &rollups);
    void addAudit(const AuditEntry &entry);
    void addHistory(const QList<MetricsFrame> &rollups, const QList<AuditEntry> &audit);

    // Live frames, oldest first; empty when the queue has none.
    const std::deque<MetricsFrame> &seconds(const QString &queue) const;
    // Minute rollups by their end time.
    const std::map<qint64, MetricsFrame> &minutes(const QString &queue) const;
    std::optional<MetricsFrame> latest(const QString &queue) const;
    // The end of the newest frame of any queue; 0 before the first.
    qint64 latestMs() const { return m_latestMs; }
    // Markers in [fromMs, toMs] about this queue or about no queue in particular; every
    // marker for the empty name (all queues).
    QList<OperatorMarker> markers(const QString &queue, qint64 fromMs, qint64 toMs) const;
    // Queues that have frames, by name (not the all-queues entry).
    QStringList queueNames() const;

    static std::optional<OperatorMarker> markerFor(const AuditEntry &entry);

signals:
    void framesAdded();
    // Rollups or markers arrived out of order (stored history): views rebuild.
    void historyChanged();
    void markerAdded(const qd::OperatorMarker &marker);

private:
    struct Series {
        std::deque<MetricsFrame> seconds;
        std::map<qint64, MetricsFrame> minutes;
    };
    void insertMinute(const MetricsFrame &rollup);

    std::map<QString, Series> m_series;
    std::deque<OperatorMarker> m_markers; // by time
    qint64 m_latestMs = 0;
};

} // namespace qd
