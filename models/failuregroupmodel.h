#pragma once

#include "messagequery.h"

#include <QAbstractTableModel>
#include <QElapsedTimer>
#include <QHash>
#include <QTimer>

namespace qd {

// Failed and dead-lettered messages grouped by error signature, most frequent first, read
// off the GUI thread. Groups keep their rows by signature across refreshes (removed,
// inserted, reordered with persistent indexes moved), so a selected group stays selected.
class FailureGroupModel final : public QAbstractTableModel {
    Q_OBJECT
public:
    enum Column { Signature, Count, FirstSeen, LastSeen, Sample, ColumnCount };
    enum Role { SortRole = Qt::UserRole, SignatureRole };

    explicit FailureGroupModel(MessageQuery *query, QObject *parent = nullptr);

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

    void setFilter(const MessageFilter &filter);
    void refresh();
    void setLiveInterval(int ms);
    // Also what refresh() ends in; public so a test can hand groups in directly.
    void setGroups(const QList<FailureGroup> &incoming);

    std::optional<FailureGroup> group(int row) const;
    // The messages in all groups, from the same answer as the groups themselves.
    qint64 totalCount() const;
    int rowOf(const QString &signature) const;

signals:
    void refreshed();

private:
    MessageQuery *m_query;
    int m_client;
    quint64 m_generation = 0;
    quint64 m_ticket = 0;
    quint64 m_serial = 0;
    QElapsedTimer m_asked;
    bool m_inFlight = false;
    bool m_again = false;
    MessageFilter m_filter;
    QList<FailureGroup> m_groups;
    // The earliest time each signature was seen failing: a retried message that fails again
    // has a new update time, and would otherwise move its group's "first seen" forward.
    QHash<QString, qint64> m_firstSeen;
    QTimer m_liveTimer;
    int m_liveInterval = 0;
};

} // namespace qd
