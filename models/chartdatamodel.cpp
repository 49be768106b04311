#include "chartdatamodel.h"

#include "clock.h"
#include "metricsformat.h"
#include "viewclock.h"

#include <QLocale>

#include <cmath>
#include <limits>

namespace qd {

namespace {
constexpr double kNoValue = std::numeric_limits<double>::quiet_NaN();

qint64 bucketKey(qint64 atMs, qint64 width)
{
    return ((atMs - 1) / width + 1) * width;
}
} // namespace

ChartDataModel::ChartDataModel(MetricsHistory *history, QObject *parent)
    : QAbstractTableModel(parent)
    , m_history(history)
{
    connect(history, &MetricsHistory::framesAdded, this, &ChartDataModel::refresh);
    connect(history, &MetricsHistory::historyChanged, this, [this] {
        if (!m_paused)
            rebuild(true);
    });
    rebuild(true);
}

qint64 ChartDataModel::rangeMs(Range range)
{
    switch (range) {
    case Range::OneMinute:
        return 60'000;
    case Range::FiveMinutes:
        return qint64(5) * 60'000;
    case Range::OneHour:
        return 3600'000;
    case Range::OneDay:
        return qint64(24) * 3600'000;
    }
    return 60'000;
}

qint64 ChartDataModel::bucketMs(Range range)
{
    switch (range) {
    case Range::OneMinute:
    case Range::FiveMinutes:
        return 1000;
    case Range::OneHour:
        return 10'000;
    case Range::OneDay:
        return 120'000;
    }
    return 1000;
}

QString ChartDataModel::rangeName(Range range)
{
    switch (range) {
    case Range::OneMinute:
        return tr("1 min");
    case Range::FiveMinutes:
        return tr("5 min");
    case Range::OneHour:
        return tr("1 h");
    case Range::OneDay:
        return tr("24 h");
    }
    return {};
}

QString ChartDataModel::columnName(Column column)
{
    switch (column) {
    case Time:
        return tr("Time");
    case Ready:
        return tr("Ready");
    case Delayed:
        return tr("Delayed");
    case InFlight:
        return tr("In flight");
    case Failed:
        return tr("Failed");
    case DeadLetterDepth:
        return tr("DLQ depth");
    case AckedPerSecond:
        return tr("Acked/s");
    case RetriedPerSecond:
        return tr("Retried/s");
    case DeadLetteredPerSecond:
        return tr("Dead-lettered/s");
    case FailedPerSecond:
        return tr("Failed/s");
    case BatchesPerSecond:
        return tr("Batches/s");
    case MeanBatchSize:
        return tr("Mean batch size");
    case FailureRate:
        return tr("Failure rate %");
    case ProcessingP50:
        return tr("Processing p50 (ms)");
    case ProcessingP95:
        return tr("Processing p95 (ms)");
    case EndToEndP50:
        return tr("End to end p50 (ms)");
    case EndToEndP95:
        return tr("End to end p95 (ms)");
    case ColumnCount:
        break;
    }
    return {};
}

double ChartDataModel::value(const MetricsFrame &f, Column column)
{
    switch (column) {
    case Time:
        return double(f.atMs);
    case Ready:
        return double(f.ready);
    case Delayed:
        return double(f.delayed);
    case InFlight:
        return double(f.inFlight);
    case Failed:
        return double(f.failed);
    case DeadLetterDepth:
        return double(f.dlq);
    case AckedPerSecond:
        return f.perSecond(f.acked);
    case RetriedPerSecond:
        return f.perSecond(f.retried);
    case DeadLetteredPerSecond:
        // Moves into a dead-letter queue only, as the DLQ tile and /metrics count them;
        // messages kept as failed (no DLQ) are their own series.
        return f.perSecond(f.deadLettered);
    case FailedPerSecond:
        return f.perSecond(f.failedNew);
    case BatchesPerSecond:
        return f.perSecond(f.batches);
    case MeanBatchSize:
        return f.batches > 0 ? f.meanBatchSize() : kNoValue;
    case FailureRate:
        return f.acked + f.retried + f.deadLettered + f.failedNew > 0 ? f.failureRatePercent() : kNoValue;
    case ProcessingP50:
        return f.processingSamples > 0 ? double(f.processingP50) : kNoValue;
    case ProcessingP95:
        return f.processingSamples > 0 ? double(f.processingP95) : kNoValue;
    case EndToEndP50:
        return f.endToEndSamples > 0 ? double(f.endToEndP50) : kNoValue;
    case EndToEndP95:
        return f.endToEndSamples > 0 ? double(f.endToEndP95) : kNoValue;
    case ColumnCount:
        break;
    }
    return kNoValue;
}

std::vector<MetricsFrame> ChartDataModel::buckets(
    const MetricsHistory &history, const QString &queue, Range range, qint64 endMs)
{
    const qint64 width = bucketMs(range);
    const qint64 start = endMs - rangeMs(range);
    const std::deque<MetricsFrame> &seconds = history.seconds(queue);
    const std::map<qint64, MetricsFrame> &minutes = history.minutes(queue);
    // Live frames and rollups cover the same time twice; one cut decides which one
    // speaks for each moment: fine buckets prefer live frames (rollups only before them),
    // coarse ones prefer rollups (live frames only after the last one).
    qint64 cut = 0;
    if (width < 60'000)
        cut = seconds.empty() ? std::numeric_limits<qint64>::max()
                              : seconds.front().atMs - seconds.front().intervalMs;
    else
        cut = minutes.empty() ? std::numeric_limits<qint64>::min() : minutes.rbegin()->first;

    std::vector<MetricsFrame> sources;
    for (auto it = minutes.lower_bound(start + 1); it != minutes.end() && it->first <= std::min(cut, endMs);
         ++it)
        sources.push_back(it->second);
    for (const MetricsFrame &f : seconds) {
        if (f.atMs > cut && f.atMs > start && f.atMs <= endMs)
            sources.push_back(f);
    }
    // A bucket cut by the window's left edge would read low; it is left out, which also
    // keeps the count at rangeMs / bucketMs.
    std::erase_if(sources, [&](const MetricsFrame &f) { return bucketKey(f.atMs, width) < start + width; });
    std::vector<MetricsFrame> out;
    std::size_t first = 0;
    for (std::size_t i = 1; i <= sources.size(); ++i) {
        if (i == sources.size()
            || bucketKey(sources[i].atMs, width) != bucketKey(sources[first].atMs, width)) {
            out.push_back(mergeFrames(sources.data() + first, sources.data() + i));
            first = i;
        }
    }
    return out;
}

int ChartDataModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_rows.size());
}

int ChartDataModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant ChartDataModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const MetricsFrame &f = m_rows[std::size_t(index.row())];
    const auto column = Column(index.column());
    const double v = cell(std::size_t(index.row()), column);
    if (role == ValueRole)
        return std::isnan(v) ? QVariant() : QVariant(v);
    if (role == Qt::DisplayRole) {
        if (column == Time)
            return formatTimeOfDay(f.atMs);
        if (std::isnan(v))
            return QString();
        if (isCount(column))
            return formatCount(qint64(v));
        return QLocale().toString(v, 'f', column >= ProcessingP50 ? 0 : 1);
    }
    if (role == Qt::TextAlignmentRole && column != Time)
        return QVariant::fromValue(Qt::AlignRight | Qt::AlignVCenter);
    return {};
}

QVariant ChartDataModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole || section < 0 || section >= ColumnCount)
        return {};
    return columnName(Column(section));
}

void ChartDataModel::setQueue(const QString &queue)
{
    if (queue == m_queue)
        return;
    m_queue = queue;
    rebuild(true);
}

void ChartDataModel::setRange(Range range)
{
    if (range == m_range)
        return;
    m_range = range;
    rebuild(true);
}

void ChartDataModel::setPaused(bool paused)
{
    if (paused == m_paused)
        return;
    m_paused = paused;
    if (!m_paused)
        rebuild(false);
}

void ChartDataModel::refresh()
{
    if (!m_paused)
        rebuild(false);
}

void ChartDataModel::rebuild(bool reset)
{
    m_windowEndMs = m_history->latestMs() > 0 ? m_history->latestMs() : viewClock().nowMs();
    std::vector<MetricsFrame> next = buckets(*m_history, m_queue, m_range, m_windowEndMs);
    const qint64 width = bucketMs(m_range);
    // Rows are buckets in time order: old ones leave at the top, new ones arrive at the
    // bottom and the last may still be filling. Anything else is a reset.
    std::size_t drop = 0;
    if (!reset && !next.empty()) {
        const qint64 firstKey = bucketKey(next.front().atMs, width);
        while (drop < m_rows.size() && bucketKey(m_rows[drop].atMs, width) < firstKey)
            ++drop;
        const std::size_t kept = m_rows.size() - drop;
        reset = kept > next.size();
        for (std::size_t i = 0; !reset && i < kept; ++i)
            reset = bucketKey(m_rows[drop + i].atMs, width) != bucketKey(next[i].atMs, width);
    }
    if (reset || next.empty()) {
        beginResetModel();
        m_rows = std::move(next);
        smoothFailureRate();
        endResetModel();
        emit refreshed();
        return;
    }
    if (drop > 0) {
        beginRemoveRows({}, 0, int(drop) - 1);
        m_rows.erase(m_rows.begin(), m_rows.begin() + std::ptrdiff_t(drop));
        m_failureRate.erase(m_failureRate.begin(), m_failureRate.begin() + std::ptrdiff_t(drop));
        endRemoveRows();
    }
    const std::size_t kept = m_rows.size();
    int firstChanged = -1;
    int lastChanged = -1;
    for (std::size_t i = 0; i < kept; ++i) {
        if (!(m_rows[i] == next[i])) {
            m_rows[i] = next[i];
            firstChanged = firstChanged < 0 ? int(i) : firstChanged;
            lastChanged = int(i);
        }
    }
    const std::vector<double> rateBefore(m_failureRate.begin(), m_failureRate.begin() + std::ptrdiff_t(kept));
    smoothFailureRate();
    // A changed bucket moves the smoothed rate of the buckets after it too.
    for (std::size_t i = 0; i < kept; ++i) {
        const double a = rateBefore[i];
        const double b = m_failureRate[i];
        if (!(a == b || (std::isnan(a) && std::isnan(b)))) {
            firstChanged = firstChanged < 0 ? int(i) : std::min(firstChanged, int(i));
            lastChanged = std::max(lastChanged, int(i));
        }
    }
    if (firstChanged >= 0)
        emit dataChanged(index(firstChanged, 0), index(lastChanged, ColumnCount - 1));
    if (next.size() > kept) {
        beginInsertRows({}, int(kept), int(next.size()) - 1);
        m_rows.insert(m_rows.end(), next.begin() + std::ptrdiff_t(kept), next.end());
        smoothFailureRate();
        endInsertRows();
    }
    emit refreshed();
}

QList<QPointF> ChartDataModel::points(Column column) const
{
    QList<QPointF> out;
    out.reserve(qsizetype(m_rows.size()));
    for (std::size_t i = 0; i < m_rows.size(); ++i) {
        const double v = cell(i, column);
        if (!std::isnan(v))
            out.append(QPointF(double(m_rows[i].atMs), v));
    }
    return out;
}

QList<QList<QPointF>> ChartDataModel::runs(Column column) const
{
    // A bucket's frames say how much time they cover; a run breaks where the time before a
    // value was not covered by the last value's bucket, give or take half a bucket of the
    // sampler's jitter. Stored minutes in a finer range cover their whole minute, so they
    // join up; idle buckets (no batch, no latency) have no value and leave a hole.
    const double slack = 1.5 * double(bucketMs(m_range));
    QList<QList<QPointF>> out;
    double previous = 0;
    for (std::size_t i = 0; i < m_rows.size(); ++i) {
        const double v = cell(i, column);
        if (std::isnan(v))
            continue;
        const MetricsFrame &f = m_rows[i];
        const auto x = double(f.atMs);
        if (out.isEmpty() || (x - double(f.intervalMs)) - previous > slack)
            out.append(QList<QPointF>());
        out.last().append(QPointF(x, v));
        previous = x;
    }
    return out;
}

qint64 ChartDataModel::failureWindowMs(Range range)
{
    switch (range) {
    case Range::OneMinute:
        return 10'000;
    case Range::FiveMinutes:
        return 30'000;
    case Range::OneHour:
        return qint64(5) * 60'000;
    case Range::OneDay:
        return qint64(30) * 60'000;
    }
    return 30'000;
}

QString ChartDataModel::failureWindowName(Range range)
{
    const qint64 ms = failureWindowMs(range);
    return ms < 60'000 ? tr("%1 s").arg(ms / 1000) : tr("%1 min").arg(ms / 60'000);
}

bool ChartDataModel::isDuration(Column column)
{
    return column >= ProcessingP50 && column <= EndToEndP95;
}

bool ChartDataModel::isCount(Column column)
{
    return column >= Ready && column <= DeadLetterDepth;
}

double ChartDataModel::cell(std::size_t row, Column column) const
{
    if (column == FailureRate)
        return row < m_failureRate.size() ? m_failureRate[row] : kNoValue;
    return value(m_rows[row], column);
}

void ChartDataModel::smoothFailureRate()
{
    // Outcomes summed over the trailing window, so the rate says what share of the last
    // N seconds' work failed rather than what one second's handful of messages did.
    const qint64 window = failureWindowMs(m_range);
    m_failureRate.assign(m_rows.size(), kNoValue);
    qint64 bad = 0;
    qint64 all = 0;
    std::size_t first = 0;
    for (std::size_t i = 0; i < m_rows.size(); ++i) {
        const MetricsFrame &f = m_rows[i];
        const qint64 fBad = f.retried + f.deadLettered + f.failedNew;
        bad += fBad;
        all += f.acked + fBad;
        while (first < i && m_rows[first].atMs <= f.atMs - window) {
            const MetricsFrame &old = m_rows[first];
            const qint64 oldBad = old.retried + old.deadLettered + old.failedNew;
            bad -= oldBad;
            all -= old.acked + oldBad;
            ++first;
        }
        if (all > 0)
            m_failureRate[i] = 100.0 * double(bad) / double(all);
    }
}

QList<OperatorMarker> ChartDataModel::markers() const
{
    return m_history->markers(m_queue, windowStartMs(), m_windowEndMs);
}

int ChartDataModel::rowNear(qint64 timeMs) const
{
    if (m_rows.empty())
        return -1;
    const auto after = std::lower_bound(
        m_rows.begin(), m_rows.end(), timeMs, [](const MetricsFrame &f, qint64 t) { return f.atMs < t; });
    if (after == m_rows.end())
        return int(m_rows.size()) - 1;
    if (after == m_rows.begin())
        return 0;
    const auto before = after - 1;
    return int((timeMs - before->atMs <= after->atMs - timeMs ? before : after) - m_rows.begin());
}

double ChartDataModel::value(int row, Column column) const
{
    if (row < 0 || std::size_t(row) >= m_rows.size())
        return kNoValue;
    return cell(std::size_t(row), column);
}

QString ChartDataModel::toCsv() const
{
    QStringList header;
    header.append(QStringLiteral("time_utc"));
    for (int c = Ready; c < ColumnCount; ++c) {
        QString name = columnName(Column(c)).toLower();
        name.replace(QLatin1Char(' '), QLatin1Char('_'));
        name.remove(QLatin1Char('('))
            .remove(QLatin1Char(')'))
            .replace(QLatin1Char('%'), QLatin1String("percent"));
        name.replace(QLatin1Char('/'), QLatin1String("_per_"));
        header.append(name);
    }
    QString out = header.join(QLatin1Char(',')) + QLatin1Char('\n');
    for (std::size_t row = 0; row < m_rows.size(); ++row) {
        QStringList cells;
        cells.append(isoTimeUtc(m_rows[row].atMs));
        for (int c = Ready; c < ColumnCount; ++c) {
            const double v = cell(row, Column(c));
            // Plain C-locale numbers: a spreadsheet in any language reads them.
            cells.append(std::isnan(v) ? QString() : QString::number(v, 'g', 12));
        }
        out += cells.join(QLatin1Char(',')) + QLatin1Char('\n');
    }
    return out;
}

} // namespace qd
