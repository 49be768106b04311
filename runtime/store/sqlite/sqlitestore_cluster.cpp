// SqliteStore as a ClusterStore: a SQLite file belongs to one process, so there is nobody to
// lock against, register with or hear from. The broker asks shared() before the calls that
// matter (dispatch locks, claims, other nodes' counters); the rest it may make on any store,
// and they answer as a cluster of one node would.
#include "sqlitestore.h"

namespace qd {

void SqliteStore::setChangeListener(std::function<void(qint64 queueId)>)
{
    // No other node changes this file.
}

int SqliteStore::lockDispatch(qint64)
{
    return 0; // no other node has batches in flight
}

qint64 SqliteStore::registerNode(const NodeInfo &)
{
    return 0;
}

void SqliteStore::heartbeat(const NodeInfo &) { }

void SqliteStore::unregisterNode() { }

std::vector<NodeInfo> SqliteStore::nodes()
{
    return {}; // the broker describes the local node itself
}

std::vector<qint64> SqliteStore::stillClaimed(qint64, const std::vector<qint64> &)
{
    return {};
}

void SqliteStore::publishCounters(const std::map<qint64, QueueCounters> &) { }

std::map<qint64, QueueCounters> SqliteStore::otherNodesCounters()
{
    return {};
}

} // namespace qd
