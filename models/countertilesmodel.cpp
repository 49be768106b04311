#include "countertilesmodel.h"

#include "metricsformat.h"
#include "statepalette.h"

namespace qd {

CounterTilesModel::CounterTilesModel(QObject *parent)
    : QAbstractListModel(parent)
{
}

int CounterTilesModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : TileCount;
}

double CounterTilesModel::value(Tile tile) const
{
    switch (tile) {
    case Backlog:
        return double(m_frame.backlog());
    case InFlight:
        return double(m_frame.inFlight);
    case AckedPerSecond:
        return m_frame.perSecond(m_frame.acked);
    case Failed:
        return double(m_frame.failed);
    case DeadLetter:
        return double(m_frame.dlq);
    case OldestAge:
        return double(m_frame.oldestAgeMs);
    case TileCount:
        break;
    }
    return 0;
}

QString CounterTilesModel::text(Tile tile) const
{
    if (!m_valid)
        return QStringLiteral("–");
    switch (tile) {
    case AckedPerSecond:
        return formatRate(value(tile));
    case OldestAge:
        return m_frame.backlog() > 0 ? formatDuration(m_frame.oldestAgeMs) : QStringLiteral("–");
    default:
        return formatCount(qint64(value(tile)));
    }
}

QVariant CounterTilesModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const auto tile = Tile(index.row());
    switch (role) {
    case Qt::DisplayRole:
        return text(tile);
    case ValueRole:
        return value(tile);
    case NoteRole:
        return tile == Backlog || tile == OldestAge ? m_heldNote : QString();
    case StateRole:
        switch (tile) {
        case Backlog:
            return int(MessageStateKind::Ready);
        case InFlight:
            return int(MessageStateKind::InFlight);
        case AckedPerSecond:
            return int(MessageStateKind::Acked);
        case Failed:
            return int(MessageStateKind::Failed);
        case DeadLetter:
            return int(MessageStateKind::DeadLettered);
        default:
            return {};
        }
    case TitleRole:
        switch (tile) {
        case Backlog:
            return tr("Backlog");
        case InFlight:
            return tr("In flight");
        case AckedPerSecond:
            return tr("Acked/s");
        case Failed:
            return tr("Failed");
        case DeadLetter:
            return tr("DLQ");
        case OldestAge:
            return tr("Oldest");
        case TileCount:
            break;
        }
        break;
    case Qt::ToolTipRole:
        switch (tile) {
        case Backlog:
            return tr("Messages waiting: ready and delayed");
        case InFlight:
            return tr("Messages in batches a consumer is working on");
        case AckedPerSecond:
            return tr("Messages acknowledged per second in the last interval");
        case Failed:
            return tr("Messages that used every attempt and have no dead-letter queue");
        case DeadLetter:
            return tr("Messages in the dead-letter queue");
        case OldestAge:
            return tr("How long the message at the head of the backlog has waited");
        case TileCount:
            break;
        }
        break;
    default:
        break;
    }
    return {};
}

void CounterTilesModel::setFrame(const MetricsFrame &frame)
{
    if (m_valid && frame == m_frame)
        return;
    m_frame = frame;
    m_valid = true;
    emit dataChanged(index(0), index(TileCount - 1), { Qt::DisplayRole, ValueRole });
}

void CounterTilesModel::setHeldNote(const QString &note)
{
    if (note == m_heldNote)
        return;
    m_heldNote = note;
    emit dataChanged(index(0), index(TileCount - 1), { NoteRole });
}

void CounterTilesModel::clear()
{
    m_frame = {};
    m_valid = false;
    emit dataChanged(index(0), index(TileCount - 1), { Qt::DisplayRole, ValueRole });
}

} // namespace qd
