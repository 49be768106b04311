#include "messagetablemodel.h"

#include "messageformat.h"

#include <QColor>
#include <QSet>

#include <algorithm>
#include <limits>

namespace qd {

namespace {
constexpr int kMaxCache = 3000; // rows kept around the visible ones
constexpr int kRefreshMargin = 100; // rows re-read above and below the visible ones
constexpr int kMaxAnchors = 16;
constexpr std::size_t kMaxPendingPages = 6;
constexpr int kScrollDebounceMs = 15;
} // namespace

MessageTableModel::MessageTableModel(MessageQuery *query, QObject *parent)
    : QAbstractTableModel(parent)
    , m_query(query)
    , m_client(query->newClient())
{
    connect(m_query, &MessageQuery::windowReady, this, &MessageTableModel::onWindow);
    m_fetchTimer.setSingleShot(true);
    connect(&m_fetchTimer, &QTimer::timeout, this, &MessageTableModel::fetchMissing);
    m_liveTimer.setSingleShot(true);
    connect(&m_liveTimer, &QTimer::timeout, this, &MessageTableModel::refresh);
    setFilter({});
}

int MessageTableModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : m_count;
}

int MessageTableModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

MessageSort MessageTableModel::sortOf(Column column)
{
    switch (column) {
    case Queue:
        return MessageSort::Queue;
    case Id:
        return MessageSort::Id;
    case State:
        return MessageSort::State;
    case Attempts:
        return MessageSort::Attempts;
    case User:
        return MessageSort::User;
    case Url:
        return MessageSort::Url;
    case LastError:
        return MessageSort::LastError;
    case Enqueued:
    case Mark:
    case ColumnCount:
        break;
    }
    return MessageSort::Seq; // stored order is send order
}

bool MessageTableModel::isLoaded(int row) const
{
    return row >= m_cacheStart && row < m_cacheStart + m_cache.size() && row < m_count;
}

std::optional<MessageRow> MessageTableModel::rowAt(int row) const
{
    if (!isLoaded(row))
        return std::nullopt;
    return m_cache.at(row - m_cacheStart);
}

QVariant MessageTableModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const int row = index.row();
    const auto column = Column(index.column());
    if (!isLoaded(row)) {
        if (role == Qt::DisplayRole) {
            // Rows asked for together are read together; a far jump replaces them.
            if (m_wantFirst < 0 || row < m_wantFirst - kPageSize || row > m_wantLast + kPageSize) {
                m_wantFirst = m_wantLast = row;
            } else {
                m_wantFirst = std::min(m_wantFirst, row);
                m_wantLast = std::max(m_wantLast, row);
            }
            if (!m_fetchTimer.isActive())
                m_fetchTimer.start(0);
        }
        if (role == LoadedRole)
            return false;
        if (role == Qt::DisplayRole && column == Id)
            return QStringLiteral("…");
        return {};
    }
    const MessageRow &m = m_cache.at(row - m_cacheStart);
    if (column == Mark) {
        if (role == Qt::CheckStateRole)
            return m_marks.contains(m.seq) ? Qt::Checked : Qt::Unchecked;
        if (role == Qt::ToolTipRole)
            return tr("Marked rows are what Retry, Delete and Export act on (x)");
        if (role != LoadedRole && role != SeqRole && role != IdRole && role != StateRole)
            return {};
    }
    switch (role) {
    case LoadedRole:
        return true;
    case SeqRole:
        return m.seq;
    case IdRole:
        return m.id;
    case StateRole:
        return stateFilterName(m.state);
    case SortRole:
        switch (column) {
        case Attempts:
            return m.attempts;
        case Enqueued:
            return m.timestampMs;
        default:
            break;
        }
        return data(index, Qt::DisplayRole);
    case Qt::DisplayRole:
        switch (column) {
        case Queue:
            return m.queue;
        case Id:
            return m.id;
        case State:
            return stateText(m.state, m.sourceQueue);
        case Attempts:
            return m.attempts;
        case User:
            return m.userId;
        case Url:
            return m.url;
        case Enqueued:
            return formatTimestamp(m.timestampMs);
        case LastError:
            return firstLine(m.lastError);
        case Mark:
        case ColumnCount:
            break;
        }
        return {};
    case Qt::ToolTipRole:
        // Ids share their time prefix; the whole id is what tells two rows apart.
        if (column == Id)
            return m.id;
        if (column == LastError && !m.lastError.isEmpty())
            return m.lastError;
        if (column == Url && !m.url.isEmpty())
            return m.url;
        if (column == State && m.state == StateFilter::Delayed)
            return tr("visible at %1").arg(formatTimestamp(m.visibleAtMs));
        return {};
    case Qt::ForegroundRole:
        if (column == State) {
            if (const QColor color = stateColor(m.state, m.sourceQueue); color.isValid())
                return color;
        }
        return {};
    case Qt::TextAlignmentRole:
        if (column == Attempts)
            return QVariant::fromValue(Qt::AlignRight | Qt::AlignVCenter);
        return {};
    default:
        return {};
    }
}

QVariant MessageTableModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (Column(section)) {
    case Queue:
        return tr("Queue");
    case Id:
        return tr("ID");
    case State:
        return tr("State");
    case Attempts:
        return tr("Attempts");
    case User:
        return tr("User");
    case Url:
        return tr("URL");
    case Enqueued:
        return tr("Enqueued");
    case LastError:
        return tr("Last error");
    case Mark:
        return QString();
    case ColumnCount:
        break;
    }
    return {};
}

Qt::ItemFlags MessageTableModel::flags(const QModelIndex &index) const
{
    Qt::ItemFlags f = QAbstractTableModel::flags(index);
    if (index.isValid() && index.column() == Mark && isLoaded(index.row()))
        f |= Qt::ItemIsUserCheckable;
    return f;
}

bool MessageTableModel::setData(const QModelIndex &index, const QVariant &value, int role)
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid)
        || index.column() != Mark || role != Qt::CheckStateRole || !isLoaded(index.row()))
        return false;
    setMarked(index.row(), value.toInt() == Qt::Checked);
    return true;
}

void MessageTableModel::setMarked(int row, bool marked)
{
    const auto r = rowAt(row);
    if (!r || marked == m_marks.contains(r->seq))
        return;
    if (marked)
        m_marks.emplace(r->seq, r->id);
    else
        m_marks.erase(r->seq);
    emit dataChanged(index(row, Mark), index(row, Mark), { Qt::CheckStateRole });
    emit marksChanged();
}

bool MessageTableModel::isMarked(int row) const
{
    const auto r = rowAt(row);
    return r && m_marks.contains(r->seq);
}

void MessageTableModel::clearMarks()
{
    if (m_marks.empty())
        return;
    const QList<int> rows = markedRows();
    m_marks.clear();
    if (!rows.isEmpty())
        emit dataChanged(index(rows.first(), Mark), index(rows.last(), Mark), { Qt::CheckStateRole });
    emit marksChanged();
}

QList<int> MessageTableModel::markedRows() const
{
    QList<int> rows;
    if (m_marks.empty())
        return rows;
    for (qsizetype i = 0; i < m_cache.size(); ++i) {
        if (m_marks.contains(m_cache.at(i).seq) && m_cacheStart + int(i) < m_count)
            rows.append(m_cacheStart + int(i));
    }
    return rows;
}

void MessageTableModel::sort(int column, Qt::SortOrder order)
{
    if (column < 0 || column >= ColumnCount)
        return;
    MessageFilter f = m_filter;
    f.sort = sortOf(Column(column));
    f.descending = order == Qt::DescendingOrder;
    if (f.sort == m_filter.sort && f.descending == m_filter.descending)
        return;
    setFilter(f);
}

void MessageTableModel::setFilter(const MessageFilter &filter)
{
    beginResetModel();
    const bool hadMarks = !m_marks.empty();
    m_marks.clear();
    m_filter = filter;
    ++m_generation;
    ++m_layout;
    m_query->setGeneration(m_client, m_generation);
    m_count = 0;
    m_cache.clear();
    m_cacheStart = 0;
    m_pendingPages.clear();
    m_pending.clear();
    m_refreshInFlight = false;
    m_refreshAgain = false;
    m_counting = false;
    m_wantFirst = m_wantLast = -1;
    m_askedFirst = m_askedLast = -1;
    endResetModel();
    if (hadMarks)
        emit marksChanged();
    setLoading(true);
    refresh();
}

void MessageTableModel::setVisibleRows(int first, int last)
{
    m_visibleFirst = first;
    m_visibleLast = last;
    for (int row = std::max(first, 0); row <= last && row < m_count; row += kPageSize / 2) {
        if (!isLoaded(row) || !isLoaded(std::min(last, m_count - 1))) {
            m_fetchTimer.start(kScrollDebounceMs);
            return;
        }
    }
}

void MessageTableModel::setLiveInterval(int ms)
{
    m_liveInterval = ms;
    if (ms > 0 && !m_refreshInFlight)
        m_liveTimer.start(ms);
    else if (ms <= 0)
        m_liveTimer.stop();
}

void MessageTableModel::setLoading(bool loading)
{
    if (m_loading == loading)
        return;
    m_loading = loading;
    emit loadingChanged(loading);
}

quint64 MessageTableModel::nextTicket()
{
    return (quint64(m_client) << 40) | ++m_ticketCounter;
}

std::pair<int, int> MessageTableModel::target() const
{
    if (m_visibleFirst >= 0 && m_visibleLast >= m_visibleFirst)
        return { m_visibleFirst, m_visibleLast };
    if (m_wantFirst >= 0)
        return { m_wantFirst, m_wantLast };
    if (m_askedFirst >= 0)
        return { m_askedFirst, m_askedLast };
    if (!m_cache.isEmpty())
        return { m_cacheStart, m_cacheStart + int(std::min<qsizetype>(m_cache.size(), kPageSize)) - 1 };
    return { 0, kPageSize - 1 };
}

void MessageTableModel::refresh()
{
    if (m_refreshInFlight) {
        m_refreshAgain = true;
        return;
    }
    m_liveTimer.stop();
    const auto [first, last] = target();
    // Whole pages around the visible rows: the same rows fetchMissing() keeps, so nothing
    // this refresh drops is read again right after.
    qint64 windowStart = qint64(std::max(0, first - kRefreshMargin) / kPageSize) * kPageSize;
    qint64 windowEnd = (qint64(last) + kRefreshMargin) / kPageSize * kPageSize + kPageSize;
    WindowRequest request;
    request.filter = m_filter;
    request.withCount = true;
    const qint64 cacheEnd = m_cacheStart + m_cache.size();
    // The window starts at its first row already read, so that the old rows and the new
    // ones line up from the first.
    if (!m_cache.isEmpty() && m_cacheStart < windowEnd && cacheEnd > windowStart) {
        windowStart = std::max<qint64>(windowStart, m_cacheStart);
        windowEnd = std::min(windowEnd, cacheEnd);
        for (qint64 row = windowStart; row < windowEnd && request.anchors.size() < kMaxAnchors; ++row)
            request.anchors.append(m_cache.at(row - m_cacheStart).seq);
        request.anchorRow = windowStart;
    }
    request.offset = windowStart;
    request.limit = int(windowEnd - windowStart) + kPageSize; // room for rows that arrived inside it
    Pending p;
    p.kind = Pending::Refresh;
    p.generation = m_generation;
    p.layout = m_layout;
    p.windowStart = windowStart;
    p.anchorRow = windowStart;
    p.hadAnchors = !request.anchors.isEmpty();
    const quint64 ticket = nextTicket();
    m_pending.emplace(ticket, p);
    m_refreshInFlight = true;
    m_query->requestWindow(m_client, m_generation, ticket, request);
}

void MessageTableModel::onWindow(quint64 ticket, const WindowResult &result)
{
    const auto it = m_pending.find(ticket);
    if (it == m_pending.end())
        return; // another model's, or from before a reset
    const Pending p = it->second;
    if (!result.partial)
        m_pending.erase(it);
    if (p.generation != m_generation)
        return;
    if (result.partial) {
        // Rows to show now; the count comes with the second answer.
        applyRefresh(p, result);
        m_counting = true;
        if (m_loading) {
            setLoading(false);
            emit loaded();
        }
        return;
    }
    if (p.kind == Pending::Page) {
        m_pendingPages.erase(int(p.windowStart / kPageSize));
        if (p.layout == m_layout)
            applyPage(result);
        if (!m_fetchTimer.isActive())
            m_fetchTimer.start(0);
        return;
    }
    m_refreshInFlight = false;
    const bool first = m_loading;
    applyRefresh(p, result);
    if (first) {
        setLoading(false);
        emit loaded();
    }
    if (m_counting) {
        m_counting = false;
        emit counted();
    }
    if (m_refreshAgain) {
        m_refreshAgain = false;
        refresh();
    } else if (m_liveInterval > 0) {
        // A slow store is asked less often, so live views never keep it busy.
        m_liveTimer.start(int(std::max<qint64>(m_liveInterval, result.elapsedMs * 4)));
    }
}

void MessageTableModel::fetchMissing()
{
    if (m_count == 0)
        return;
    // What a view says it shows wins; rows merely asked for count without one.
    if (m_wantFirst >= 0) {
        m_askedFirst = m_wantFirst;
        m_askedLast = m_wantLast;
    }
    m_wantFirst = m_wantLast = -1;
    auto [first, last] = m_visibleFirst >= 0 ? std::pair(m_visibleFirst, m_visibleLast)
                                             : std::pair(m_askedFirst, m_askedLast);
    if (first < 0 || last < first)
        return;
    first = std::max(0, first - kPageSize / 2);
    last = std::min(m_count - 1, last + kPageSize / 2);
    for (int page = first / kPageSize; page <= last / kPageSize; ++page) {
        const int start = page * kPageSize;
        const int end = std::min(m_count, start + kPageSize) - 1;
        if ((isLoaded(start) && isLoaded(end)) || m_pendingPages.contains(page))
            continue;
        if (m_pendingPages.size() >= kMaxPendingPages)
            return; // more when these answer
        WindowRequest request;
        request.filter = m_filter;
        request.offset = start;
        request.limit = kPageSize;
        Pending p;
        p.generation = m_generation;
        p.layout = m_layout;
        p.windowStart = start;
        const quint64 ticket = nextTicket();
        m_pending.emplace(ticket, p);
        m_pendingPages.insert(page);
        m_query->requestWindow(m_client, m_generation, ticket, request);
    }
}

void MessageTableModel::applyPage(const WindowResult &result)
{
    const int offset = int(result.offset);
    const int n = int(std::min<qint64>(result.rows.size(), m_count - offset));
    if (n <= 0)
        return;
    const int cacheEnd = m_cacheStart + int(m_cache.size());
    // Only rows that were not read yet or read differently are signalled.
    int changedFirst = -1;
    int changedLast = -1;
    for (int row = offset; row < offset + n; ++row) {
        if (!isLoaded(row) || !(m_cache.at(row - m_cacheStart) == result.rows.at(row - offset))) {
            changedFirst = changedFirst < 0 ? row : changedFirst;
            changedLast = row;
        }
    }
    if (m_cache.isEmpty()) {
        m_cache = result.rows.mid(0, n);
        m_cacheStart = offset;
    } else if (offset <= cacheEnd && offset + n >= m_cacheStart) {
        const int start = std::min(m_cacheStart, offset);
        const int end = std::max(cacheEnd, offset + n);
        QList<MessageRow> merged;
        merged.reserve(end - start);
        for (int row = start; row < end; ++row)
            merged.append(row >= offset && row < offset + n ? result.rows.at(row - offset)
                                                            : m_cache.at(row - m_cacheStart));
        m_cache = std::move(merged);
        m_cacheStart = start;
    } else {
        // A view that scrolled away meanwhile no longer needs it; without a view, whoever
        // asked for these rows does.
        if (m_visibleFirst >= 0
            && (offset + n <= m_visibleFirst - kPageSize || offset > m_visibleLast + kPageSize))
            return;
        m_cache = result.rows.mid(0, n);
        m_cacheStart = offset;
    }
    if (changedFirst >= 0)
        emit dataChanged(index(changedFirst, 0), index(changedLast, ColumnCount - 1));
    trimCache();
}

void MessageTableModel::trimCache()
{
    if (m_cache.size() <= kMaxCache)
        return;
    const auto [first, last] = target();
    const int cacheEnd = m_cacheStart + int(m_cache.size());
    const int keepStart = std::clamp((first + last) / 2 - kMaxCache / 2, m_cacheStart, cacheEnd - kMaxCache);
    m_cache = m_cache.mid(keepStart - m_cacheStart, kMaxCache);
    m_cacheStart = keepStart;
}

void MessageTableModel::applyRefresh(const Pending &pending, const WindowResult &result)
{
    const quint64 layoutBefore = m_layout;
    const int windowStart = int(pending.windowStart);
    const QList<MessageRow> previous = m_cache;
    const int previousStart = m_cacheStart;
    // Only the window's rows are kept: elsewhere the store may have changed unseen.
    if (!m_cache.isEmpty()) {
        const int keepFrom = std::max(windowStart, m_cacheStart);
        const int keepTo
            = std::min<int>(m_cacheStart + int(m_cache.size()), windowStart + int(result.rows.size()));
        if (pending.hadAnchors && keepFrom == windowStart && keepTo > keepFrom) {
            m_cache = m_cache.mid(keepFrom - m_cacheStart, keepTo - keepFrom);
            m_cacheStart = keepFrom;
        } else {
            m_cache.clear();
            m_cacheStart = windowStart;
        }
    }
    // Rows that came or went above the window, in one step just above it.
    const int shift
        = pending.hadAnchors && result.anchorIndex >= 0 ? int(result.anchorNowAt - pending.anchorRow) : 0;
    if (shift > 0) {
        beginInsertRows({}, windowStart, windowStart + shift - 1);
        m_count += shift;
        m_cacheStart += shift;
        endInsertRows();
    } else if (shift < 0) {
        const int n = std::min(-shift, windowStart);
        beginRemoveRows({}, windowStart - n, windowStart - 1);
        m_count -= n;
        m_cacheStart -= n;
        endRemoveRows();
    }
    if (shift != 0)
        ++m_layout;
    int changedFirst = -1;
    int changedLast = -1;
    if (m_cache.isEmpty() || m_cacheStart != int(result.offset)) {
        // Replaced wholesale; rows that read the same as before are not signalled.
        m_cacheStart = int(result.offset);
        m_cache = result.rows;
        for (int i = 0; i < int(m_cache.size()); ++i) {
            const int row = m_cacheStart + i;
            const int old = row - previousStart;
            if (shift != 0 || old < 0 || old >= previous.size() || !(previous.at(old) == m_cache.at(i))) {
                changedFirst = changedFirst < 0 ? row : changedFirst;
                changedLast = row;
            }
        }
    } else {
        diffWindow(result.rows, &changedFirst, &changedLast);
    }
    const int count = int(std::min<qint64>(result.count, std::numeric_limits<int>::max()));
    if (count > m_count) {
        beginInsertRows({}, m_count, count - 1);
        m_count = count;
        endInsertRows();
    } else if (count < m_count) {
        beginRemoveRows({}, count, m_count - 1);
        m_count = count;
        if (m_cacheStart + m_cache.size() > count)
            m_cache.resize(std::max(0, count - m_cacheStart));
        endRemoveRows();
    }
    if (m_cacheStart + m_cache.size() > m_count)
        m_cache.resize(std::max(0, m_count - m_cacheStart));
    changedLast = std::min(changedLast, m_count - 1);
    if (changedFirst >= 0 && changedFirst <= changedLast)
        emit dataChanged(index(changedFirst, 0), index(changedLast, ColumnCount - 1));
    if (m_layout != layoutBefore)
        m_pendingPages.clear(); // their answers carry the old layout and are dropped
    trimCache();
    if (!m_fetchTimer.isActive())
        m_fetchTimer.start(0);
}

// Lines the window's rows up with the fresh ones by message identity: rows gone are
// removed, rows new are inserted where they are, each run of them in one step.
void MessageTableModel::diffWindow(const QList<MessageRow> &fresh, int *changedFirst, int *changedLast)
{
    QSet<qint64> freshSeqs;
    freshSeqs.reserve(fresh.size());
    for (const MessageRow &r : fresh)
        freshSeqs.insert(r.seq);
    QSet<qint64> oldSeqs;
    oldSeqs.reserve(m_cache.size());
    for (const MessageRow &r : std::as_const(m_cache))
        oldSeqs.insert(r.seq);
    const auto changed = [&](int row) {
        *changedFirst = *changedFirst < 0 ? row : std::min(*changedFirst, row);
        *changedLast = std::max(*changedLast, row);
    };
    bool structural = false;
    bool marksLeft = false;
    qsizetype at = 0; // in m_cache
    qsizetype j = 0; // in fresh
    while (at < m_cache.size()) {
        const qint64 seq = m_cache.at(at).seq;
        const int row = m_cacheStart + int(at);
        if (j < fresh.size() && fresh.at(j).seq == seq) {
            if (!(m_cache.at(at) == fresh.at(j))) {
                m_cache[at] = fresh.at(j);
                changed(row);
            }
            ++at;
            ++j;
        } else if (!freshSeqs.contains(seq) || j >= fresh.size() || oldSeqs.contains(fresh.at(j).seq)) {
            // Gone, or moved down (it is inserted again where it is now).
            qsizetype n = 1;
            while (at + n < m_cache.size() && !freshSeqs.contains(m_cache.at(at + n).seq))
                ++n;
            if (freshSeqs.contains(seq))
                n = 1;
            beginRemoveRows({}, row, row + int(n) - 1);
            for (qsizetype k = 0; k < n; ++k) {
                oldSeqs.remove(m_cache.at(at + k).seq);
                // A message that left the filter (retried, deleted) is no longer marked.
                if (!freshSeqs.contains(m_cache.at(at + k).seq) && m_marks.erase(m_cache.at(at + k).seq))
                    marksLeft = true;
            }
            m_cache.remove(at, n);
            m_count -= int(n);
            endRemoveRows();
            structural = true;
        } else {
            qsizetype n = 1;
            while (j + n < fresh.size() && !oldSeqs.contains(fresh.at(j + n).seq))
                ++n;
            beginInsertRows({}, row, row + int(n) - 1);
            for (qsizetype k = 0; k < n; ++k)
                m_cache.insert(at + k, fresh.at(j + k));
            m_count += int(n);
            endInsertRows();
            at += n;
            j += n;
            structural = true;
        }
    }
    // What follows the old window was unread; now it is.
    for (; j < fresh.size(); ++j) {
        m_cache.append(fresh.at(j));
        const int row = m_cacheStart + int(m_cache.size()) - 1;
        if (row < m_count)
            changed(row);
    }
    if (structural)
        ++m_layout;
    if (marksLeft)
        emit marksChanged();
}

} // namespace qd
