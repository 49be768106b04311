#include "queuetablemodel.h"

#include <QLocale>

namespace qd {

QueueTableModel::QueueTableModel(QObject *parent)
    : QAbstractTableModel(parent)
{
}

int QueueTableModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_queues.size());
}

int QueueTableModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant QueueTableModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const QueueSnapshot &q = m_queues.at(index.row());
    if (role == NameRole)
        return q.name;
    const auto raw = [&]() -> QVariant {
        switch (Column(index.column())) {
        case Name: return q.name;
        case Ready: return q.counts.ready;
        case Delayed: return q.counts.delayed;
        case InFlight: return q.counts.inFlight;
        case Acked: return q.counts.acked;
        case Failed: return q.counts.failed;
        case Paused: return q.settings.paused;
        case ColumnCount: break;
        }
        return {};
    };
    if (role == SortRole)
        return raw();
    if (role == Qt::DisplayRole) {
        if (index.column() == Paused)
            return q.settings.paused ? tr("paused") : tr("running");
        if (index.column() == Name)
            return q.name;
        return QLocale().toString(raw().toLongLong());
    }
    if (role == Qt::TextAlignmentRole && index.column() != Name && index.column() != Paused)
        return QVariant::fromValue(Qt::AlignRight | Qt::AlignVCenter);
    return {};
}

QVariant QueueTableModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (Column(section)) {
    case Name: return tr("Queue");
    case Ready: return tr("Ready");
    case Delayed: return tr("Delayed");
    case InFlight: return tr("In flight");
    case Acked: return tr("Acked");
    case Failed: return tr("Failed");
    case Paused: return tr("Delivery");
    case ColumnCount: break;
    }
    return {};
}

void QueueTableModel::setSnapshot(const QList<QueueSnapshot> &queues)
{
    bool sameRows = queues.size() == m_queues.size();
    for (qsizetype i = 0; sameRows && i < queues.size(); ++i)
        sameRows = queues[i].name == m_queues[i].name;
    if (!sameRows) {
        beginResetModel();
        m_queues = queues;
        endResetModel();
        return;
    }
    m_queues = queues;
    if (!m_queues.isEmpty())
        emit dataChanged(index(0, 0), index(int(m_queues.size()) - 1, ColumnCount - 1));
}

} // namespace qd
