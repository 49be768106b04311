#pragma once

#include "metricshistory.h"

#include <QAbstractTableModel>
#include <QPointF>

#include <vector>

namespace qd {

// The dashboard's chart data for one queue (or all) over one time range: one row per
// time bucket, one column per series. Buckets are sized so a range never holds more
// than ~720 points (1 min and 5 min: 1 s; 1 h: 10 s; 24 h: 2 min from the stored
// rollups), so every series is a bounded list the charts replace once per frame.
class ChartDataModel final : public QAbstractTableModel {
    Q_OBJECT
public:
    enum Column {
        Time,
        Ready,
        Delayed,
        InFlight,
        Failed,
        DeadLetterDepth,
        AckedPerSecond,
        RetriedPerSecond,
        DeadLetteredPerSecond,
        FailedPerSecond,
        BatchesPerSecond,
        MeanBatchSize,
        FailureRate,
        ProcessingP50,
        ProcessingP95,
        EndToEndP50,
        EndToEndP95,
        ColumnCount
    };
    enum Role { ValueRole = Qt::UserRole };
    enum class Range { OneMinute, FiveMinutes, OneHour, OneDay };

    explicit ChartDataModel(MetricsHistory *history, QObject *parent = nullptr);

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

    // Empty: all queues together.
    void setQueue(const QString &queue);
    QString queue() const { return m_queue; }
    void setRange(Range range);
    Range range() const { return m_range; }
    // Paused, the charts hold still while the history keeps filling; resuming catches up.
    void setPaused(bool paused);
    bool isPaused() const { return m_paused; }

    // The time window shown, in ms since the epoch.
    qint64 windowStartMs() const { return m_windowEndMs - rangeMs(m_range); }
    qint64 windowEndMs() const { return m_windowEndMs; }
    // x: bucket end in ms since the epoch; buckets without a value (latency with no
    // timings) are left out rather than drawn as zero.
    QList<QPointF> points(Column column) const;
    // The same points cut where time went by with no value (idle, or the app was not
    // running): a chart draws each run as its own line, so no line slopes across time
    // nothing was measured in.
    QList<QList<QPointF>> runs(Column column) const;
    QList<OperatorMarker> markers() const;
    // The bucket nearest to a time, for hover read-outs; -1 when there are no rows.
    int rowNear(qint64 timeMs) const;
    double value(int row, Column column) const; // NaN when the bucket has none
    QString toCsv() const;

    static qint64 rangeMs(Range range);
    static qint64 bucketMs(Range range);
    static QString rangeName(Range range);
    static QString columnName(Column column);
    // The failure rate is over this much time before each bucket, not the bucket alone: one
    // bucket holds too few outcomes for a rate that does not jump between 0 and 100 %.
    static qint64 failureWindowMs(Range range);
    // "30 s", "5 min": the window's length as legends and axis titles say it.
    static QString failureWindowName(Range range);
    // Columns whose values are durations in ms.
    static bool isDuration(Column column);
    // Columns whose values are message counts (depths), not rates.
    static bool isCount(Column column);
    // One bucket's value; the failure rate here is the bucket's own, not smoothed.
    static double value(const MetricsFrame &f, Column column);
    // The buckets for a range ending at endMs, from the history of one queue.
    static std::vector<MetricsFrame> buckets(
        const MetricsHistory &history, const QString &queue, Range range, qint64 endMs);

signals:
    // Rows are up to date with the latest frame: views replace their series now.
    void refreshed();

private:
    void refresh();
    void rebuild(bool reset);
    void smoothFailureRate();
    double cell(std::size_t row, Column column) const;

    MetricsHistory *m_history;
    QString m_queue;
    Range m_range = Range::FiveMinutes;
    bool m_paused = false;
    qint64 m_windowEndMs = 0;
    std::vector<MetricsFrame> m_rows;
    std::vector<double> m_failureRate; // per row, over failureWindowMs; NaN: no outcomes
};

} // namespace qd
