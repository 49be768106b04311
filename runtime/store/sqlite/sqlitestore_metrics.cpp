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
    // The same totals as counts(), so the charts, the tiles and the API never disagree.
    const QueueCounts c = totals(queueId, nowMs);
    return QueueDepth { c.ready, c.delayed, c.inFlight, c.failed, c.oldestTimestampMs };
}

void SqliteStore::insertRollups(const std::vector<MetricsFrame> &rollups, qint64 keepFromMs)
{
    begin();
    std::string sql
        = std::string("INSERT OR REPLACE INTO metric_rollups(") + kRollupColumns + ") VALUES(?1, ?2";
    for (std::size_t i = 0; i < kRollupFields.size(); ++i)
        sql += ", ?" + std::to_string(i + 3);
    sql += ")";
    SqliteStatement insert(m_db, sql, SqliteStatement::Lifetime::OneShot, &m_transaction);
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
    SqliteStatement s(m_db, sql, SqliteStatement::Lifetime::OneShot);
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
