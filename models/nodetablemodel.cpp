#include "nodetablemodel.h"

#include "messageformat.h"
#include "metricsformat.h"
#include "viewclock.h"

#include <QColor>
#include <QDateTime>
#include <QSet>

namespace qd {

namespace {
// Rows of nodes whose heartbeat stopped: readable, but quieter than the living, on light
// and dark palettes alike.
const QColor kGone(0x8b, 0x8b, 0x8b);
} // namespace

NodeTableModel::NodeTableModel(QObject *parent)
    : QAbstractTableModel(parent)
{
}

int NodeTableModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_nodes.size());
}

int NodeTableModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant NodeTableModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const NodeInfo &n = m_nodes.at(index.row());
    const auto column = Column(index.column());
    const QString hostPid = n.host + QLatin1Char(':') + QString::number(n.pid);
    switch (role) {
    case NodeIdRole:
        return n.id;
    case AliveRole:
        return n.alive;
    case LocalRole:
        return isLocal(n);
    case SortRole:
        switch (column) {
        case Node:
            return hostPid;
        case Endpoint:
            return n.endpoint;
        case Uptime:
            return upFor(n);
        case BatchesInFlight:
            return n.batchesInFlight;
        case Throughput:
            return n.throughput;
        case Acked:
            return n.acked;
        case Status:
            return n.alive ? qint64(0) : nowMs() - n.heartbeatMs;
        case ColumnCount:
            break;
        }
        return {};
    case Qt::DisplayRole:
        switch (column) {
        case Node:
            return isLocal(n) ? tr("this runtime") : hostPid;
        case Endpoint:
            return n.endpoint;
        case Uptime:
            return formatUptime(upFor(n));
        case BatchesInFlight:
            return formatCount(n.batchesInFlight);
        case Throughput:
            return tr("%1 msg/s").arg(formatRate(n.throughput));
        case Acked:
            return formatCount(n.acked);
        case Status:
            return statusText(n);
        case ColumnCount:
            break;
        }
        return {};
    case Qt::ToolTipRole:
        switch (column) {
        case Node:
            return n.id > 0 ? tr("%1, node %2 of the shared store").arg(hostPid).arg(n.id) : hostPid;
        case Uptime:
            return tr("Started %1").arg(formatTimestamp(n.startedMs));
        case Throughput:
            return tr("Messages acked a second over its last heartbeat interval");
        case Acked:
            return tr("Messages acked since it started");
        case Status:
            return tr("Last heartbeat %1; after %2 without one the other nodes take back its batches")
                .arg(formatTimestamp(n.heartbeatMs), formatUptime(n.timeoutMs));
        default:
            return {};
        }
    case Qt::ForegroundRole:
        if (!n.alive)
            return kGone;
        return {};
    case Qt::TextAlignmentRole:
        if (column >= BatchesInFlight && column <= Acked)
            return QVariant::fromValue(Qt::AlignRight | Qt::AlignVCenter);
        return {};
    default:
        return {};
    }
}

QVariant NodeTableModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal)
        return {};
    // Headers line up with their cells: numbers to the right, text to the left.
    if (role == Qt::TextAlignmentRole) {
        return QVariant::fromValue(
            (section >= BatchesInFlight && section <= Acked ? Qt::AlignRight : Qt::AlignLeft)
            | Qt::AlignVCenter);
    }
    if (role != Qt::DisplayRole)
        return {};
    switch (Column(section)) {
    case Node:
        return tr("Node");
    case Endpoint:
        return tr("Endpoint");
    case Uptime:
        return tr("Up for");
    case BatchesInFlight:
        return tr("Batches in flight");
    case Throughput:
        return tr("Throughput");
    case Acked:
        return tr("Acked");
    case Status:
        return tr("Status");
    case ColumnCount:
        break;
    }
    return {};
}

void NodeTableModel::setLocalProcess(const QString &host, qint64 pid, const QString &endpoint)
{
    m_localHost = host;
    m_localPid = pid;
    m_localEndpoint = endpoint;
    if (!m_nodes.isEmpty())
        emit dataChanged(index(0, Node), index(int(m_nodes.size()) - 1, Node));
}

void NodeTableModel::setClock(const Clock *clock)
{
    m_clock = clock;
}

qint64 NodeTableModel::nowMs() const
{
    return (m_clock ? *m_clock : viewClock()).nowMs();
}

void NodeTableModel::setNodes(const QList<NodeInfo> &nodes)
{
    QSet<qint64> listed;
    for (const NodeInfo &n : nodes)
        listed.insert(n.id);
    const int aliveBefore = aliveCount();
    bool changed = false;

    // Gone nodes first, a contiguous run of rows at a time, from the bottom up.
    for (int last = int(m_nodes.size()) - 1; last >= 0;) {
        if (listed.contains(m_nodes.at(last).id)) {
            --last;
            continue;
        }
        int first = last;
        while (first > 0 && !listed.contains(m_nodes.at(first - 1).id))
            --first;
        beginRemoveRows({}, first, last);
        m_nodes.remove(first, last - first + 1);
        endRemoveRows();
        changed = true;
        last = first - 1;
    }

    // The rest change in place; nodes not seen before go at the end, in the order listed.
    QList<NodeInfo> added;
    for (const NodeInfo &n : nodes) {
        const int row = rowOf(n.id);
        if (row >= 0)
            m_nodes[row] = n;
        else
            added.append(n);
    }
    // Uptime and heartbeat age move on with every list, so every kept row has changed.
    if (!m_nodes.isEmpty())
        emit dataChanged(index(0, 0), index(int(m_nodes.size()) - 1, ColumnCount - 1));
    if (!added.isEmpty()) {
        const int first = int(m_nodes.size());
        beginInsertRows({}, first, first + int(added.size()) - 1);
        m_nodes.append(added);
        endInsertRows();
        changed = true;
    }
    if (changed || aliveCount() != aliveBefore)
        emit nodesChanged();
}

std::optional<NodeInfo> NodeTableModel::node(qint64 id) const
{
    const int row = rowOf(id);
    if (row < 0)
        return std::nullopt;
    return m_nodes.at(row);
}

int NodeTableModel::rowOf(qint64 id) const
{
    for (int i = 0; i < m_nodes.size(); ++i) {
        if (m_nodes.at(i).id == id)
            return i;
    }
    return -1;
}

int NodeTableModel::aliveCount() const
{
    int alive = 0;
    for (const NodeInfo &n : m_nodes)
        alive += n.alive ? 1 : 0;
    return alive;
}

QString NodeTableModel::formatUptime(qint64 ms)
{
    return formatCoarseDuration(ms);
}

qint64 NodeTableModel::upFor(const NodeInfo &n) const
{
    // A silent node was up until its last heartbeat, as far as anyone can tell.
    return (n.alive ? nowMs() : n.heartbeatMs) - n.startedMs;
}

bool NodeTableModel::isLocal(const NodeInfo &n) const
{
    // The store marks the node that asked; id 0 is this process on a local store.
    if (n.local || n.id == 0)
        return true;
    // A node's row has its endpoint only from its first heartbeat on.
    return n.pid == m_localPid && n.host == m_localHost
        && (m_localEndpoint.isEmpty() || n.endpoint.isEmpty() || n.endpoint == m_localEndpoint);
}

QString NodeTableModel::statusText(const NodeInfo &n) const
{
    if (n.alive)
        return tr("alive");
    // By the database's clock, which stamped the heartbeat; this machine's may differ.
    return tr("no heartbeat for %1").arg(formatUptime(n.silentMs));
}

} // namespace qd
