#pragma once

#include "queuesnapshot.h"

#include <QAbstractTableModel>

namespace qd {

// Every queue with its live counts, refreshed from runtime snapshots.
class QueueTableModel final : public QAbstractTableModel
{
    Q_OBJECT
public:
    enum Column { Name, Ready, Delayed, InFlight, Acked, Failed, Paused, ColumnCount };
    enum Role { SortRole = Qt::UserRole, NameRole };

    explicit QueueTableModel(QObject *parent = nullptr);

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

    // Rows are matched by name: unchanged queues keep their rows, changed values are
    // signalled with one ranged dataChanged.
    void setSnapshot(const QList<QueueSnapshot> &queues);

private:
    QList<QueueSnapshot> m_queues;
};

} // namespace qd
