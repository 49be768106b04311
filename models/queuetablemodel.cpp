#include "queuetablemodel.h"

#include "metricsformat.h"
#include "statepalette.h"

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
    if (role == PausedRole)
        return q.settings.paused;
    const auto raw = [&]() -> QVariant {
        switch (Column(index.column())) {
        case Name:
            return q.name;
        case Delivery:
            return q.settings.paused;
        case Consumer:
            return consumerTypeName(q.settings.consumerType);
        case Ready:
            return q.counts.ready;
        case Delayed:
            return q.counts.delayed;
        case InFlight:
            return q.counts.inFlight;
        case Failed:
            return q.counts.failed;
        case AckedPerSecond:
            return m_ackedPerSecond.value(q.name);
        case DeadLetterQueue:
            return q.settings.deadLetterQueue;
        case ColumnCount:
            break;
        }
        return {};
    };
    if (role == SortRole)
        return raw();
    if (role == Qt::DisplayRole) {
        switch (Column(index.column())) {
        case Delivery:
            return q.settings.paused ? tr("paused") : tr("running");
        case Name:
        case Consumer:
        case DeadLetterQueue:
            return raw();
        case AckedPerSecond:
            return formatRate(raw().toDouble());
        default:
            return formatCount(raw().toLongLong());
        }
    }
    if (role == Qt::ForegroundRole) {
        // What needs an operator stands out in the state palette's colours: a queue that
        // delivers nothing (as the dashboard's held notice says it), and failures waiting.
        if (index.column() == Delivery && q.settings.paused)
            return stateColor(MessageStateKind::Retried);
        if (index.column() == Failed && q.counts.failed > 0)
            return stateColor(MessageStateKind::Failed);
        return {};
    }
    if (role == Qt::TextAlignmentRole && index.column() >= Ready && index.column() <= AckedPerSecond)
        return QVariant::fromValue(Qt::AlignRight | Qt::AlignVCenter);
    return {};
}

QVariant QueueTableModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (Column(section)) {
    case Name:
        return tr("Queue");
    case Delivery:
        return tr("Delivery");
    case Consumer:
        return tr("Consumer");
    case Ready:
        return tr("Ready");
    case Delayed:
        return tr("Delayed");
    case InFlight:
        return tr("In flight");
    case Failed:
        return tr("Failed");
    case AckedPerSecond:
        return tr("Acked/s");
    case DeadLetterQueue:
        return tr("Dead-letter queue");
    case ColumnCount:
        break;
    }
    return {};
}

void QueueTableModel::setSnapshot(const QList<QueueSnapshot> &queues)
{
    // Rates from the growth of the running counters between two snapshots.
    QHash<QString, double> rates;
    for (const QueueSnapshot &next : queues) {
        if (const auto prev = queue(next.name);
            prev && next.takenAtMs > prev->takenAtMs && next.counters.acked >= prev->counters.acked) {
            rates.insert(next.name,
                double(next.counters.acked - prev->counters.acked) * 1000.0
                    / double(next.takenAtMs - prev->takenAtMs));
        }
    }
    m_ackedPerSecond = rates;

    bool sameRows = queues.size() == m_queues.size();
    for (qsizetype i = 0; sameRows && i < queues.size(); ++i)
        sameRows = queues[i].name == m_queues[i].name;
    if (!sameRows) {
        beginResetModel();
        m_queues = queues;
        endResetModel();
        emit queuesChanged();
        return;
    }
    m_queues = queues;
    if (!m_queues.isEmpty())
        emit dataChanged(index(0, 0), index(int(m_queues.size()) - 1, ColumnCount - 1));
}

std::optional<QueueSnapshot> QueueTableModel::queue(const QString &name) const
{
    for (const QueueSnapshot &q : m_queues) {
        if (q.name == name)
            return q;
    }
    return std::nullopt;
}

QStringList QueueTableModel::names() const
{
    QStringList out;
    for (const QueueSnapshot &q : m_queues)
        out.append(q.name);
    return out;
}

} // namespace qd
