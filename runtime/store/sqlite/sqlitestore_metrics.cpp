// SqliteStore: what the metrics sampler reads and writes.
#include "sqlitestore.h"

#include "rolluptable.h"
#include "sqlitestatement.h"

#include <sqlite3.h>

#include <array>
#include <string>

namespace qd {

QueueDepth SqliteStore::depth(qint64 queueId, qint64 nowMs)
{
    QueueDepth d;
    // Only the states that make up depth, from the (queue_id, state, visible_at) index
    // alone: acked rows, which pile up until retention, are never visited.
    SqliteStatement s(m_db,
        "SELECT state, visible_at <= ?2, count(*) FROM messages "
        "WHERE queue_id = ?1 AND state IN (0, 1, 3) GROUP BY 1, 2",
        SqliteStatement::Lifetime::OneShot);
    s.bind(1, queueId).bind(2, nowMs);
    while (s.next()) {
        const qint64 n = s.i64(2);
        switch (MessageState(s.i64(0))) {
        case MessageState::Pending:
            (s.i64(1) != 0 ? d.ready : d.delayed) += n;
            break;
        case MessageState::InFlight:
            d.inFlight += n;
            break;
        case MessageState::Failed:
            d.failed += n;
            break;
        case MessageState::Acked:
            break;
        }
    }
    // The oldest of the first hundred in delivery order: exact for a backlog that is
    // delivered in order, and a bounded read however long the backlog is.
    SqliteStatement oldest(m_db,
        "SELECT min(timestamp_ms) FROM (SELECT timestamp_ms FROM messages "
        "WHERE queue_id = ?1 AND state = 0 ORDER BY visible_at LIMIT 100)",
        SqliteStatement::Lifetime::OneShot);
    oldest.bind(1, queueId);
    if (oldest.next() && !oldest.isNull(0))
        d.oldestTimestampMs = oldest.i64(0);
    return d;
}

void SqliteStore::insertRollups(const std::vector<MetricsFrame> &rollups, qint64 keepFromMs)
{
    begin();
    std::string sql
        = std::string("INSERT OR REPLACE INTO metric_rollups(") + kRollupColumns + ") VALUES(?1, ?2";
    for (std::size_t i = 0; i < kRollupFields.size(); ++i)
        sql += ", ?" + std::to_string(i + 3);
    sql += ")";
    SqliteStatement insert(m_db, sql.c_str(), SqliteStatement::Lifetime::OneShot, &m_transaction);
    for (const MetricsFrame &f : rollups) {
        // The all-queues frame has no queue name: stored as "", which the column requires.
        insert.bind(1, f.atMs).bind(2, f.queue.isNull() ? QString(QLatin1String("")) : f.queue);
        for (std::size_t i = 0; i < kRollupFields.size(); ++i)
            insert.bind(int(i) + 3, f.*kRollupFields[i]);
        insert.run();
    }
    SqliteStatement prune(m_db, "DELETE FROM metric_rollups WHERE minute_ms < ?1",
        SqliteStatement::Lifetime::OneShot, &m_transaction);
    prune.bind(1, keepFromMs).run();
}

std::vector<MetricsFrame> SqliteStore::rollups(qint64 fromMs)
{
    const std::string sql = std::string("SELECT ") + kRollupColumns
        + " FROM metric_rollups WHERE minute_ms >= ?1 ORDER BY minute_ms";
    SqliteStatement s(m_db, sql.c_str(), SqliteStatement::Lifetime::OneShot);
    s.bind(1, fromMs);
    std::vector<MetricsFrame> out;
    while (s.next()) {
        MetricsFrame f;
        f.atMs = s.i64(0);
        f.queue = s.text(1);
        for (std::size_t i = 0; i < kRollupFields.size(); ++i)
            f.*kRollupFields[i] = s.i64(int(i) + 2);
        out.push_back(std::move(f));
    }
    return out;
}

} // namespace qd
