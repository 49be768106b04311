#pragma once

#include "queuesnapshot.h"

#include <QAbstractTableModel>
#include <QHash>

#include <optional>

namespace qd {

// Every queue with its live counts, refreshed from runtime snapshots.
class QueueTableModel final : public QAbstractTableModel {
    Q_OBJECT
public:
    enum Column {
        Name,
        Delivery,
        Consumer,
        Ready,
        Delayed,
        InFlight,
        Failed,
        AckedPerSecond,
        DeadLetterQueue,
        ColumnCount
    };
    enum Role { SortRole = Qt::UserRole, NameRole, PausedRole };

    explicit QueueTableModel(QObject *parent = nullptr);

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

    // Rows are matched by name: unchanged queues keep their rows, changed values are
    // signalled with one ranged dataChanged.
    void setSnapshot(const QList<QueueSnapshot> &queues);
    std::optional<QueueSnapshot> queue(const QString &name) const;
    QStringList names() const;

signals:
    // The set of queues changed (not just their counts).
    void queuesChanged();

private:
    QList<QueueSnapshot> m_queues;
    QHash<QString, double> m_ackedPerSecond;
};

} // namespace qd
