#pragma once

#include "clock.h"
#include "queuestore.h"

#include <QAbstractTableModel>
#include <QList>

#include <optional>

namespace qd {

// Every runtime serving the store (with a local store, this one alone), refreshed from the
// runtime's node lists. A row stays a node's row for as long as the node is listed.
class NodeTableModel final : public QAbstractTableModel {
    Q_OBJECT
public:
    enum Column { Node, Endpoint, Uptime, BatchesInFlight, Throughput, Acked, Status, ColumnCount };
    enum Role { SortRole = Qt::UserRole, NodeIdRole, AliveRole, LocalRole };

    explicit NodeTableModel(QObject *parent = nullptr);

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

    // Which listed node is this process. Node ids are the store's, so it is known by its
    // host and pid, and by its endpoint when several runtimes share one process.
    void setLocalProcess(const QString &host, qint64 pid, const QString &endpoint = {});
    // Uptime and heartbeat age are read against this clock (viewClock() by default).
    void setClock(const Clock *clock);

    // Rows are matched by node id: listed nodes keep their rows and change in place (one
    // ranged dataChanged), nodes no longer listed lose theirs, new ones are appended.
    void setNodes(const QList<NodeInfo> &nodes);
    std::optional<NodeInfo> node(qint64 id) const;
    int rowOf(qint64 id) const; // -1 when not listed
    int aliveCount() const;

    // "45 s", "3 min", "2 h 5 min", "4 d 2 h".
    static QString formatUptime(qint64 ms);

signals:
    // Nodes came, went, or one's heartbeat stopped or came back.
    void nodesChanged();

private:
    qint64 upFor(const NodeInfo &n) const;
    bool isLocal(const NodeInfo &n) const;
    QString statusText(const NodeInfo &n) const;

    qint64 nowMs() const;

    QList<NodeInfo> m_nodes;
    const Clock *m_clock = nullptr;
    QString m_localHost;
    qint64 m_localPid = -1;
    QString m_localEndpoint;
};

} // namespace qd
