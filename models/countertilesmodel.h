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
    // NoteRole: why a number grows that would otherwise fall ("paused", "no consumer");
    // StateRole: the message state (MessageStateKind) whose colour marks the tile, if any.
    enum Role { TitleRole = Qt::UserRole, ValueRole, NoteRole, StateRole };

    explicit CounterTilesModel(QObject *parent = nullptr);

    int rowCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;

    // Changed values are signalled with one ranged dataChanged.
    void setFrame(const MetricsFrame &frame);
    void clear();
    // Shown on the backlog and oldest-age tiles while delivery is held; empty: nothing held.
    void setHeldNote(const QString &note);
    QString heldNote() const { return m_heldNote; }
    double value(Tile tile) const;
    QString text(Tile tile) const;

private:
    MetricsFrame m_frame;
    bool m_valid = false;
    QString m_heldNote;
};

} // namespace qd
