// SqliteStore: what the metrics sampler reads and writes.
#include "sqlitestore.h"

#include <sqlite3.h>

#include <array>
#include <string>

namespace qd {

namespace {

// A statement prepared for one use. These queries run once a second at most, so the
// prepare is noise next to the work, and they stay out of the hot-path statement cache.
class OneShot {
public:
    OneShot(sqlite3 *db, const char *sql)
    {
        if (sqlite3_prepare_v2(db, sql, -1, &m_stmt, nullptr) != SQLITE_OK) {
            qWarning("SQL prepare failed: %s", sqlite3_errmsg(db));
            m_stmt = nullptr;
        }
    }
    ~OneShot() { sqlite3_finalize(m_stmt); }
    OneShot(const OneShot &) = delete;
    OneShot &operator=(const OneShot &) = delete;

    OneShot &bind(int i, qint64 v)
    {
        sqlite3_bind_int64(m_stmt, i, v);
        return *this;
    }
    OneShot &bind(int i, const QString &v)
    {
        const QByteArray utf8 = v.toUtf8();
        sqlite3_bind_text(m_stmt, i, utf8.constData(), int(utf8.size()), SQLITE_TRANSIENT);
        return *this;
    }
    bool next() { return m_stmt && sqlite3_step(m_stmt) == SQLITE_ROW; }
    void runAgain()
    {
        if (!m_stmt)
            return;
        while (sqlite3_step(m_stmt) == SQLITE_ROW) { }
        sqlite3_reset(m_stmt);
        sqlite3_clear_bindings(m_stmt);
    }
    qint64 i64(int c) const { return sqlite3_column_int64(m_stmt, c); }
    bool isNull(int c) const { return sqlite3_column_type(m_stmt, c) == SQLITE_NULL; }
    QString text(int c) const
    {
        const auto *p = reinterpret_cast<const char *>(sqlite3_column_text(m_stmt, c));
        return p ? QString::fromUtf8(p, sqlite3_column_bytes(m_stmt, c)) : QString();
    }

private:
    sqlite3_stmt *m_stmt = nullptr;
};

// The rollup columns after minute_ms and queue, in table order, with their fields.
constexpr std::array<qint64 MetricsFrame::*, 23> kRollupFields { {
    &MetricsFrame::intervalMs,
    &MetricsFrame::ready,
    &MetricsFrame::delayed,
    &MetricsFrame::inFlight,
    &MetricsFrame::failed,
    &MetricsFrame::dlq,
    &MetricsFrame::oldestAgeMs,
    &MetricsFrame::written,
    &MetricsFrame::delivered,
    &MetricsFrame::acked,
    &MetricsFrame::retried,
    &MetricsFrame::deadLettered,
    &MetricsFrame::failedNew,
    &MetricsFrame::batches,
    &MetricsFrame::batchesBySize,
    &MetricsFrame::batchesByTimeout,
    &MetricsFrame::batchMessages,
    &MetricsFrame::processingSamples,
    &MetricsFrame::processingP50,
    &MetricsFrame::processingP95,
    &MetricsFrame::endToEndSamples,
    &MetricsFrame::endToEndP50,
    &MetricsFrame::endToEndP95,
} };

constexpr const char *kRollupColumns
    = "minute_ms, queue, interval_ms, ready, delayed, in_flight, failed, dlq, oldest_age_ms, written, "
      "delivered, "
      "acked, retried, dead_lettered, failed_new, batches, batches_by_size, batches_by_timeout, "
      "batch_messages, "
      "processing_samples, processing_p50, processing_p95, e2e_samples, e2e_p50, e2e_p95";

} // namespace

QueueDepth SqliteStore::depth(qint64 queueId, qint64 nowMs)
{
    QueueDepth d;
    // Only the states that make up depth, from the (queue_id, state, visible_at) index
    // alone: acked rows, which pile up until retention, are never visited.
    OneShot s(m_db,
        "SELECT state, visible_at <= ?2, count(*) FROM messages "
        "WHERE queue_id = ?1 AND state IN (0, 1, 3) GROUP BY 1, 2");
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
    OneShot oldest(m_db,
        "SELECT min(timestamp_ms) FROM (SELECT timestamp_ms FROM messages "
        "WHERE queue_id = ?1 AND state = 0 ORDER BY visible_at LIMIT 100)");
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
    OneShot insert(m_db, sql.c_str());
    for (const MetricsFrame &f : rollups) {
        insert.bind(1, f.atMs).bind(2, f.queue);
        for (std::size_t i = 0; i < kRollupFields.size(); ++i)
            insert.bind(int(i) + 3, f.*kRollupFields[i]);
        insert.runAgain();
    }
    OneShot prune(m_db, "DELETE FROM metric_rollups WHERE minute_ms < ?1");
    prune.bind(1, keepFromMs).runAgain();
}

std::vector<MetricsFrame> SqliteStore::rollups(qint64 fromMs)
{
    const std::string sql = std::string("SELECT ") + kRollupColumns
        + " FROM metric_rollups WHERE minute_ms >= ?1 ORDER BY minute_ms";
    OneShot s(m_db, sql.c_str());
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
