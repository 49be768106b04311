#include "workerlistmodel.h"

#include "statepalette.h"

#include <QColor>

#include <algorithm>

namespace qd {

namespace {
// Readable on light and dark palettes alike, and quieter than the states that need a look.
const QColor kStopped(0x8b, 0x8b, 0x8b);
} // namespace

QColor workerStateColor(WorkerState state)
{
    switch (state) {
    case WorkerState::Running:
        return stateColor(MessageStateKind::Acked);
    case WorkerState::Error:
        return stateColor(MessageStateKind::Failed);
    case WorkerState::Stopped:
        return kStopped;
    case WorkerState::Starting:
        break;
    }
    return {};
}

WorkerListModel::WorkerListModel(QObject *parent)
    : QAbstractTableModel(parent)
{
}

int WorkerListModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_workers.size());
}

int WorkerListModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant WorkerListModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const WorkerInfo &w = m_workers.at(index.row());
    const auto column = Column(index.column());
    switch (role) {
    case NameRole:
        return w.name;
    case PathRole:
        return w.path;
    case StateRole:
        return int(w.state);
    case ErrorRole:
        return w.error;
    case Qt::DisplayRole:
    case SortRole:
        switch (column) {
        case Name:
            return w.name;
        case State:
            return workerStateName(w.state);
        case Url:
            return w.url;
        case Produces:
            return w.produces.join(QStringLiteral(", "));
        case Consumes:
            return w.consumes.join(QStringLiteral(", "));
        case Restarts:
            return role == SortRole ? QVariant(w.restarts) : QVariant(QString::number(w.restarts));
        case ColumnCount:
            break;
        }
        return {};
    case Qt::ForegroundRole:
        if (column == State) {
            if (const QColor c = workerStateColor(w.state); c.isValid())
                return c;
        }
        return {};
    case Qt::DecorationRole:
        // A swatch as well as the text's colour: a selected row paints its text in the
        // highlight's colour, and the state should still read at a glance.
        if (column == State) {
            if (const QColor c = workerStateColor(w.state); c.isValid())
                return c;
        }
        return {};
    case Qt::ToolTipRole:
        if (column == State && !w.error.isEmpty())
            return w.error;
        if (column == Name)
            return w.configPath.isEmpty() ? w.path : w.configPath;
        return {};
    case Qt::TextAlignmentRole:
        return column == Restarts ? QVariant(Qt::AlignRight | Qt::AlignVCenter) : QVariant();
    default:
        return {};
    }
}

QVariant WorkerListModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return QAbstractTableModel::headerData(section, orientation, role);
    switch (Column(section)) {
    case Name:
        return tr("Worker");
    case State:
        return tr("State");
    case Url:
        return tr("URL");
    case Produces:
        return tr("Produces to");
    case Consumes:
        return tr("Consumes");
    case Restarts:
        return tr("Restarts");
    case ColumnCount:
        break;
    }
    return {};
}

void WorkerListModel::setWorkers(const QList<WorkerInfo> &workers)
{
    const auto listed = [&workers](const QString &path) {
        return std::any_of(
            workers.begin(), workers.end(), [&path](const WorkerInfo &w) { return w.path == path; });
    };
    for (int row = int(m_workers.size()) - 1; row >= 0; --row) {
        if (!listed(m_workers.at(row).path)) {
            beginRemoveRows({}, row, row);
            m_workers.removeAt(row);
            endRemoveRows();
        }
    }
    int first = -1;
    int last = -1;
    for (const WorkerInfo &w : workers) {
        const int row = rowOfPath(w.path);
        if (row >= 0) {
            m_workers[row] = w;
            first = first < 0 ? row : std::min(first, row);
            last = std::max(last, row);
        }
    }
    if (first >= 0)
        emit dataChanged(index(first, 0), index(last, ColumnCount - 1));
    QList<WorkerInfo> added;
    for (const WorkerInfo &w : workers) {
        if (rowOfPath(w.path) < 0 && std::none_of(added.begin(), added.end(), [&w](const WorkerInfo &a) {
                return a.path == w.path;
            }))
            added.append(w);
    }
    if (!added.isEmpty()) {
        beginInsertRows({}, int(m_workers.size()), int(m_workers.size() + added.size()) - 1);
        m_workers.append(added);
        endInsertRows();
    }
}

std::optional<WorkerInfo> WorkerListModel::worker(int row) const
{
    if (row < 0 || row >= m_workers.size())
        return std::nullopt;
    return m_workers.at(row);
}

int WorkerListModel::rowOfPath(const QString &path) const
{
    for (int row = 0; row < m_workers.size(); ++row) {
        if (m_workers.at(row).path == path)
            return row;
    }
    return -1;
}

} // namespace qd
