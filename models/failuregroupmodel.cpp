#include "failuregroupmodel.h"

#include "messageformat.h"

#include <QElapsedTimer>
#include <QHash>

namespace qd {

FailureGroupModel::FailureGroupModel(MessageQuery *query, QObject *parent)
    : QAbstractTableModel(parent)
    , m_query(query)
    , m_client(query->newClient())
{
    m_filter.failures = true;
    m_liveTimer.setSingleShot(true);
    connect(&m_liveTimer, &QTimer::timeout, this, &FailureGroupModel::refresh);
    connect(m_query, &MessageQuery::failureGroupsReady, this,
        [this](quint64 ticket, const QList<FailureGroup> &groups) {
            if (ticket != m_ticket || !m_inFlight)
                return;
            m_inFlight = false;
            setGroups(groups);
            emit refreshed();
            if (m_again) {
                m_again = false;
                refresh();
            } else if (m_liveInterval > 0) {
                // Grouping reads every failure: a big set is grouped less often, so a
                // shown page never keeps the reader busy.
                m_liveTimer.start(int(std::max<qint64>(m_liveInterval, m_asked.elapsed() * 4)));
            }
        });
}

int FailureGroupModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_groups.size());
}

int FailureGroupModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant FailureGroupModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const FailureGroup &g = m_groups.at(index.row());
    const auto column = Column(index.column());
    if (role == SignatureRole)
        return g.signature;
    if (role == SortRole) {
        switch (column) {
        case Count:
            return g.count;
        case FirstSeen:
            return g.firstSeenMs;
        case LastSeen:
            return g.lastSeenMs;
        default:
            return data(index, Qt::DisplayRole);
        }
    }
    if (role == Qt::DisplayRole) {
        switch (column) {
        case Signature:
            return g.signature.isEmpty() ? tr("(no error text)") : firstLine(readableSignature(g.signature));
        case Count:
            return QLocale().toString(g.count);
        case FirstSeen:
            return formatTimestamp(g.firstSeenMs);
        case LastSeen:
            return formatTimestamp(g.lastSeenMs);
        case Sample:
            return firstLine(g.sampleError);
        case ColumnCount:
            break;
        }
    }
    if (role == Qt::ToolTipRole && (column == Signature || column == Sample))
        return tr("%1\n\nFor example (%2):\n%3")
            .arg(readableSignature(g.signature), g.sampleId, g.sampleError);
    if (role == Qt::TextAlignmentRole && column == Count)
        return QVariant::fromValue(Qt::AlignRight | Qt::AlignVCenter);
    return {};
}

QVariant FailureGroupModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (Column(section)) {
    case Signature:
        return tr("Error");
    case Count:
        return tr("Messages");
    case FirstSeen:
        return tr("First seen");
    case LastSeen:
        return tr("Last seen");
    case Sample:
        return tr("Example");
    case ColumnCount:
        break;
    }
    return {};
}

void FailureGroupModel::setFilter(const MessageFilter &filter)
{
    m_filter = filter;
    m_filter.failures = true;
    m_query->setGeneration(m_client, ++m_generation);
    m_inFlight = false;
    refresh();
}

void FailureGroupModel::refresh()
{
    if (m_inFlight) {
        m_again = true;
        return;
    }
    m_liveTimer.stop();
    m_inFlight = true;
    m_asked.start();
    m_ticket = (quint64(m_client) << 40) | ++m_serial;
    m_query->requestFailureGroups(m_client, m_generation, m_ticket, m_filter);
}

void FailureGroupModel::setLiveInterval(int ms)
{
    m_liveInterval = ms;
    if (ms > 0 && !m_inFlight)
        m_liveTimer.start(ms);
    else if (ms <= 0)
        m_liveTimer.stop();
}

std::optional<FailureGroup> FailureGroupModel::group(int row) const
{
    if (row < 0 || row >= m_groups.size())
        return std::nullopt;
    return m_groups.at(row);
}

qint64 FailureGroupModel::totalCount() const
{
    qint64 n = 0;
    for (const FailureGroup &g : m_groups)
        n += g.count;
    return n;
}

int FailureGroupModel::rowOf(const QString &signature) const
{
    for (int i = 0; i < m_groups.size(); ++i) {
        if (m_groups.at(i).signature == signature)
            return i;
    }
    return -1;
}

void FailureGroupModel::setGroups(const QList<FailureGroup> &incoming)
{
    QList<FailureGroup> groups = incoming;
    for (FailureGroup &g : groups) {
        auto seen = m_firstSeen.find(g.signature);
        if (seen == m_firstSeen.end())
            seen = m_firstSeen.insert(g.signature, g.firstSeenMs);
        else if (g.firstSeenMs > 0 && g.firstSeenMs < *seen)
            *seen = g.firstSeenMs;
        if (*seen > 0)
            g.firstSeenMs = *seen;
    }
    QHash<QString, qsizetype> fresh;
    for (qsizetype i = 0; i < groups.size(); ++i)
        fresh.insert(groups.at(i).signature, i);
    // Groups gone: removed, last first so rows stay valid.
    for (qsizetype i = m_groups.size() - 1; i >= 0; --i) {
        if (!fresh.contains(m_groups.at(i).signature)) {
            beginRemoveRows({}, int(i), int(i));
            m_groups.removeAt(i);
            endRemoveRows();
        }
    }
    // Groups new: appended, then everything put in the new order below.
    QList<FailureGroup> added;
    for (const FailureGroup &g : groups) {
        if (rowOf(g.signature) < 0)
            added.append(g);
    }
    if (!added.isEmpty()) {
        beginInsertRows({}, int(m_groups.size()), int(m_groups.size() + added.size()) - 1);
        m_groups += added;
        endInsertRows();
    }
    bool reordered = false;
    for (qsizetype i = 0; i < m_groups.size(); ++i)
        reordered = reordered || m_groups.at(i).signature != groups.at(i).signature;
    if (reordered) {
        emit layoutAboutToBeChanged();
        const QModelIndexList before = persistentIndexList();
        QModelIndexList after;
        for (const QModelIndex &i : before)
            after.append(index(int(fresh.value(m_groups.at(i.row()).signature)), i.column()));
        m_groups = groups;
        changePersistentIndexList(before, after);
        emit layoutChanged();
    } else {
        m_groups = groups;
    }
    if (!m_groups.isEmpty())
        emit dataChanged(index(0, 0), index(int(m_groups.size()) - 1, ColumnCount - 1));
}

} // namespace qd
