// Broker: what several runtimes sharing one store add — this node's heartbeat row and
// counters, following other nodes' queue changes, and starting over when the store is lost.
#include "broker.h"

#include <QDateTime>
#include <QSet>

namespace qd {

void Broker::setNodeEndpoint(const QString &endpoint)
{
    m_node.endpoint = endpoint;
    if (m_store->shared())
        heartbeat(); // so the other nodes see where this one answers now, not in a second
}

void Broker::setNodeTimeoutMs(int timeoutMs)
{
    m_node.timeoutMs = timeoutMs;
}

NodeInfo Broker::localNode() const
{
    NodeInfo n = m_node;
    for (const auto &[id, q] : m_queues) {
        n.batchesInFlight += q.inFlightBatches;
        n.acked += q.counters.acked;
    }
    n.heartbeatMs = QDateTime::currentMSecsSinceEpoch();
    return n;
}

std::vector<NodeInfo> Broker::nodes()
{
    if (m_store->shared() && m_store->available())
        return m_store->nodes();
    NodeInfo self = localNode();
    self.throughput = m_node.throughput;
    self.local = true;
    if (m_store->shared()) {
        // Cut off from the database: this runtime cannot keep its row alive, and says so
        // rather than look like a healthy cluster of one.
        self.alive = false;
        self.silentMs = m_lastHeartbeatMs > 0 ? QDateTime::currentMSecsSinceEpoch() - m_lastHeartbeatMs : 0;
        self.heartbeatMs = m_lastHeartbeatMs;
    }
    return { self };
}

void Broker::heartbeat()
{
    if (!m_store->available())
        return;
    NodeInfo n = localNode();
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    if (m_lastHeartbeatMs > 0 && now > m_lastHeartbeatMs)
        n.throughput = double(n.acked - m_lastHeartbeatAcked) * 1000.0 / double(now - m_lastHeartbeatMs);
    m_node.throughput = n.throughput;
    m_lastHeartbeatAcked = n.acked;
    m_lastHeartbeatMs = now;
    m_store->heartbeat(n);
    // Batches of nodes whose heartbeat stopped come back here (or to another live node).
    recoverInFlight();
    scheduleTick();
}

void Broker::publishCounters()
{
    if (!m_store->available())
        return;
    std::map<qint64, QueueCounters> mine;
    for (const auto &[id, q] : m_queues)
        mine.emplace(id, q.counters);
    m_store->publishCounters(mine);
    scheduleTick();
}

std::map<qint64, QueueCounters> Broker::clusterCounters()
{
    std::map<qint64, QueueCounters> out = m_store->shared() && m_store->available()
        ? m_store->otherNodesCounters()
        : std::map<qint64, QueueCounters> {};
    for (const auto &[id, q] : m_queues) {
        QueueCounters &c = out[id];
        for (const auto field : kQueueCounterFields)
            c.*field += q.counters.*field;
    }
    return out;
}

void Broker::reloadQueues()
{
    if (!m_store->available())
        return;
    bool changed = false;
    QSet<qint64> seen;
    for (QueueRecord &record : m_store->loadQueues()) {
        seen.insert(record.id);
        if (QueueState *q = stateById(record.id)) {
            if (q->record.settings != record.settings || q->record.name != record.name) {
                m_queueIds.remove(q->record.name);
                m_queueIds.insert(record.name, record.id);
                q->record = std::move(record);
                changed = true;
            }
        } else {
            addQueueState(std::move(record));
            changed = true;
        }
    }
    for (auto it = m_queues.begin(); it != m_queues.end();) {
        if (seen.contains(it->first)) {
            ++it;
            continue;
        }
        m_queueIds.remove(it->second.record.name);
        m_dirty.removeAll(it->first);
        it = m_queues.erase(it);
        changed = true;
    }
    for (const auto &[id, q] : m_queues)
        markDirty(id);
    if (changed)
        emit queuesChanged();
}

void Broker::storeLost(const QString &error)
{
    // What this node had in flight may or may not have been written; nothing of it is
    // trusted now. Late completions are dropped, and once the store takes writes again the
    // batches it held are taken back (a shared store: this node registers anew, and the
    // old node's batches come back) and delivered again.
    qWarning(
        "QueueDeck: the store failed a write (%s); taking no writes until it works again", qPrintable(error));
    m_inFlight.clear();
    for (auto &[id, q] : m_queues) {
        q.inFlightBatches = 0;
        q.wake->stop();
    }
    m_dirty.clear();
    if (!m_reconnectTimer.isActive())
        m_reconnectTimer.start();
}

void Broker::tryReconnect()
{
    QString error;
    if (!m_store->reconnect(&error)) {
        qWarning("QueueDeck: the store still takes no writes: %s", qPrintable(error));
        return;
    }
    m_reconnectTimer.stop();
    m_store->registerNode(localNode());
    reloadQueues();
    // A local store's batches in flight were this process's own: their outcomes were dropped
    // with the failed write, so they go out again. A shared store's are the old node's.
    recoverInFlight(m_store->shared()
            ? QString()
            : QStringLiteral("a write to the store failed while this batch was in flight"));
    scheduleTick();
    qInfo("QueueDeck: the store is back");
}

} // namespace qd
