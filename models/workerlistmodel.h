#pragma once

#include "workerhost.h"

#include <QAbstractTableModel>
#include <QList>

#include <optional>

namespace qd {

// The Worker projects the runtime runs, one row each, refreshed from its workers() lists.
// A row stays a Worker's row (matched by its project path) for as long as it is listed, so
// a selection survives every change of state.
class WorkerListModel final : public QAbstractTableModel {
    Q_OBJECT
public:
    enum Column { Name, State, Url, Restarts, Produces, Consumes, ColumnCount };
    enum Role { SortRole = Qt::UserRole, NameRole, PathRole, StateRole, ErrorRole };

    explicit WorkerListModel(QObject *parent = nullptr);

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

    // Listed Workers keep their rows and change in place (one ranged dataChanged), those no
    // longer listed lose theirs, new ones are appended.
    void setWorkers(const QList<WorkerInfo> &workers);
    std::optional<WorkerInfo> worker(int row) const;
    int rowOfPath(const QString &path) const; // -1 when not listed

private:
    QList<WorkerInfo> m_workers;
};

// How a Worker's state reads in the window: running green, error red, stopped grey, and
// starting in the text's own colour (invalid).
QColor workerStateColor(WorkerState state);

} // namespace qd
