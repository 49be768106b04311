#pragma once

#include "metricsframe.h"

#include <QAbstractListModel>

namespace qd {

// The counters above the charts, one row each, from the latest frame of the queue the
// dashboard shows.
class CounterTilesModel final : public QAbstractListModel {
    Q_OBJECT
public:
    enum Tile { Backlog, InFlight, AckedPerSecond, Failed, DeadLetter, OldestAge, TileCount };
    enum Role { TitleRole = Qt::UserRole, ValueRole };

    explicit CounterTilesModel(QObject *parent = nullptr);

    int rowCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;

    // Changed values are signalled with one ranged dataChanged.
    void setFrame(const MetricsFrame &frame);
    void clear();
    double value(Tile tile) const;
    QString text(Tile tile) const;

private:
    MetricsFrame m_frame;
    bool m_valid = false;
};

} // namespace qd
