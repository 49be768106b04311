// PgStore: batches, attempts, the audit log, image results, metrics and the node table.
#include "pgstore.h"

#include "attemptlogs.h"
#include "rolluptable.h"

#include <QJsonDocument>
#include <QSqlDatabase>
#include <QSqlQuery>

#include <array>

namespace qd {

namespace {

constexpr const char *kBatchColumns
    = "id, queue_id, created_ms, cut_reason, size, ended_ms, acked, retried, dead_lettered, failed, error";
constexpr const char *kAttemptColumns
    = "message_seq, message_id, queue_id, attempt, batch_id, started_ms, ended_ms, outcome, error, logs";
constexpr const char *kResultColumns = "id, message_seq, message_id, queue_id, user_id, url, final_url, "
                                       "mime, format, width, height, bytes, sha256, "
                                       "orientation, fetch_ms, decode_ms, created_ms";

std::vector<BatchRecord> readBatches(QSqlQuery &q)
{
    std::vector<BatchRecord> out;
    while (q.next()) {
        BatchRecord b;
        b.id = q.value(0).toLongLong();
        b.queueId = q.value(1).toLongLong();
        b.createdMs = q.value(2).toLongLong();
        const QString cut = q.value(3).toString();
        b.cut = cut == QLatin1String("timeout") ? BatchCut::Timeout
            : cut == QLatin1String("pull")      ? BatchCut::Pull
                                                : BatchCut::Size;
        b.size = q.value(4).toInt();
        b.endedMs = q.value(5).toLongLong();
        b.acked = q.value(6).toInt();
        b.retried = q.value(7).toInt();
        b.deadLettered = q.value(8).toInt();
        b.failed = q.value(9).toInt();
        b.error = q.value(10).toString();
        out.push_back(std::move(b));
    }
    return out;
}

std::vector<AttemptRecord> readAttempts(QSqlQuery &q)
{
    std::vector<AttemptRecord> out;
    while (q.next()) {
        AttemptRecord a;
        a.messageSeq = q.value(0).toLongLong();
        a.messageId = q.value(1).toString();
        a.queueId = q.value(2).toLongLong();
        a.attempt = q.value(3).toInt();
        a.batchId = q.value(4).toLongLong();
        a.startedMs = q.value(5).toLongLong();
        a.endedMs = q.value(6).toLongLong();
        attemptOutcomeFromName(q.value(7).toString(), &a.outcome); // every outcome written has a name
        a.error = q.value(8).toString();
        a.logs = attemptLogsFromText(q.value(9).toString());
        out.push_back(std::move(a));
    }
    return out;
}

std::vector<AuditEntry> readAudit(QSqlQuery &q)
{
    std::vector<AuditEntry> out;
    while (q.next()) {
        AuditEntry e;
        e.id = q.value(0).toLongLong();
        e.timestampMs = q.value(1).toLongLong();
        e.action = q.value(2).toString();
        e.queue = q.value(3).toString();
        e.detail = QJsonDocument::fromJson(q.value(4).toString().toUtf8()).object();
        out.push_back(std::move(e));
    }
    return out;
}

std::vector<ImageResult> readResults(QSqlQuery &q, bool withThumbnail)
{
    std::vector<ImageResult> out;
    while (q.next()) {
        ImageResult r;
        r.id = q.value(0).toLongLong();
        r.messageSeq = q.value(1).toLongLong();
        r.messageId = q.value(2).toString();
        r.queueId = q.value(3).toLongLong();
        r.userId = q.value(4).toString();
        r.url = q.value(5).toString();
        r.finalUrl = q.value(6).toString();
        r.mime = q.value(7).toString();
        r.format = q.value(8).toString();
        r.width = q.value(9).toInt();
        r.height = q.value(10).toInt();
        r.bytes = q.value(11).toLongLong();
        r.sha256 = q.value(12).toString();
        r.orientation = q.value(13).toInt();
        r.fetchMs = q.value(14).toLongLong();
        r.decodeMs = q.value(15).toLongLong();
        r.createdMs = q.value(16).toLongLong();
        if (withThumbnail)
            r.thumbnail = q.value(17).toByteArray();
        out.push_back(std::move(r));
    }
    return out;
}

} // namespace

qint64 PgStore::insertBatch(const BatchRecord &b)
{
    begin();
    return preparedScalar("INSERT INTO batches(queue_id, created_ms, cut_reason, size, node_id) "
                          "VALUES(?, ?, ?, ?, ?) RETURNING id",
        { b.queueId, b.createdMs, batchCutName(b.cut), b.size, m_nodeId })
        .value_or(0);
}

void PgStore::finishBatch(const BatchRecord &b)
{
    begin();
    prepared("UPDATE batches SET ended_ms = ?, acked = ?, retried = ?, dead_lettered = ?, failed = ?, "
             "error = ?, size = ? WHERE id = ?",
        { b.endedMs, b.acked, b.retried, b.deadLettered, b.failed,
            b.error.isNull() ? QVariant(QMetaType::fromType<QString>()) : QVariant(b.error), b.size, b.id });
    // A slot under max_concurrency is free: nodes waiting for one try again.
    notifyQueue(b.queueId);
}

void PgStore::discardBatch(qint64 id)
{
    begin();
    run(sqlf(QStringLiteral("DELETE FROM batches WHERE id = %1"), id));
}

std::optional<BatchRecord> PgStore::batch(qint64 id)
{
    QSqlQuery q(QSqlDatabase::database(m_connection, false));
    if (!run(q,
            sqlf(QStringLiteral("SELECT %1 FROM batches WHERE id = %2"), QLatin1String(kBatchColumns), id)))
        return std::nullopt;
    auto rows = readBatches(q);
    if (rows.empty())
        return std::nullopt;
    return rows.front();
}

std::vector<BatchRecord> PgStore::recentBatches(std::optional<qint64> queueId, int limit)
{
    QSqlQuery q(QSqlDatabase::database(m_connection, false));
    const QString where = queueId ? sqlf(QStringLiteral(" WHERE queue_id = %1"), *queueId) : QString();
    if (!run(q,
            sqlf(QStringLiteral("SELECT %1 FROM batches%2 ORDER BY id DESC LIMIT %3"),
                QLatin1String(kBatchColumns), where, limit)))
        return {};
    return readBatches(q);
}

std::vector<Message> PgStore::failures(std::optional<qint64> queueId)
{
    const QString where = queueId ? sqlf(QStringLiteral("queue_id = %1 AND "), *queueId) : QString();
    return readMessages(
        sqlf(QStringLiteral("SELECT seq, id, queue_id, ''::bytea, content_type, timestamp_ms, "
                            "visible_at, attempts, state, lease_id, lease_expires, batch_id, "
                            "source_queue_id, last_error, updated_ms FROM messages WHERE %1"
                            "(state = 3 OR (state = 0 AND source_queue_id <> 0))"),
            where));
}

void PgStore::insertAttempts(const std::vector<AttemptRecord> &attempts)
{
    if (attempts.empty())
        return;
    begin();
    QStringList rows;
    for (const AttemptRecord &a : attempts) {
        rows.append(sqlf(QStringLiteral("(%1,%2,%3,%4,%5,%6,%7,%8,%9,%10)"), a.messageSeq, lit(a.messageId),
            a.queueId, a.attempt, a.batchId, a.startedMs, a.endedMs, lit(attemptOutcomeName(a.outcome)),
            lit(a.error), a.logs.isEmpty() ? QStringLiteral("NULL") : lit(attemptLogsText(a.logs))));
    }
    run(sqlf(QStringLiteral("INSERT INTO attempts(%1) VALUES %2"), QLatin1String(kAttemptColumns),
        rows.join(QLatin1Char(','))));
}

std::vector<AttemptRecord> PgStore::attemptsForMessage(qint64 seq)
{
    QSqlQuery q(QSqlDatabase::database(m_connection, false));
    if (!run(q,
            sqlf(QStringLiteral("SELECT %1 FROM attempts WHERE message_seq = %2 ORDER BY id DESC"),
                QLatin1String(kAttemptColumns), seq)))
        return {};
    return readAttempts(q);
}

std::vector<AttemptRecord> PgStore::attemptsForBatch(qint64 batchId)
{
    QSqlQuery q(QSqlDatabase::database(m_connection, false));
    if (!run(q,
            sqlf(QStringLiteral("SELECT %1 FROM attempts WHERE batch_id = %2 ORDER BY id"),
                QLatin1String(kAttemptColumns), batchId)))
        return {};
    return readAttempts(q);
}

void PgStore::insertAudit(const AuditEntry &e)
{
    begin();
    run(sqlf(QStringLiteral("INSERT INTO audit(ts_ms, action, queue, detail) VALUES(%1, %2, %3, %4)"),
        e.timestampMs, lit(e.action), lit(e.queue),
        lit(QString::fromUtf8(QJsonDocument(e.detail).toJson(QJsonDocument::Compact)))));
}

std::vector<AuditEntry> PgStore::audit(int limit)
{
    QSqlQuery q(QSqlDatabase::database(m_connection, false));
    if (!run(q,
            sqlf(QStringLiteral(
                     "SELECT id, ts_ms, action, queue, detail FROM audit ORDER BY id DESC LIMIT %1"),
                limit)))
        return {};
    return readAudit(q);
}

std::vector<AuditEntry> PgStore::auditMentioning(const QString &text, int limit)
{
    QSqlQuery q(QSqlDatabase::database(m_connection, false));
    if (!run(q,
            sqlf(QStringLiteral(
                     "SELECT id, ts_ms, action, queue, detail FROM audit WHERE detail ILIKE %1 ESCAPE '\\' "
                     "ORDER BY id DESC LIMIT %2"),
                lit(likePattern(text)), limit)))
        return {};
    return readAudit(q);
}

void PgStore::insertResults(const std::vector<ImageResult> &results)
{
    if (results.empty())
        return;
    begin();
    for (const ImageResult &r : results) {
        // Replaces an earlier result for the message, with a new id as the SQLite store does.
        run(sqlf(QStringLiteral("DELETE FROM results WHERE message_id = %1"), lit(r.messageId)));
        run(sqlf(QStringLiteral(
                     "INSERT INTO results(message_seq, message_id, queue_id, user_id, url, final_url, mime, "
                     "format, width, height, bytes, sha256, orientation, thumbnail, fetch_ms, decode_ms, "
                     "created_ms) VALUES(%1, %2, %3, %4, %5, %6, %7, %8, %9, %10, %11, %12, %13, %14, %15, "
                     "%16, %17)"),
            r.messageSeq, lit(r.messageId), r.queueId, lit(r.userId), lit(r.url), lit(r.finalUrl),
            lit(r.mime), lit(r.format), r.width, r.height, r.bytes, lit(r.sha256), r.orientation,
            lit(r.thumbnail), r.fetchMs, r.decodeMs, r.createdMs));
    }
}

std::optional<ImageResult> PgStore::resultForMessage(const QString &messageId)
{
    QSqlQuery q(QSqlDatabase::database(m_connection, false));
    if (!run(q,
            sqlf(QStringLiteral("SELECT %1, thumbnail FROM results WHERE message_id = %2"),
                QLatin1String(kResultColumns), lit(messageId))))
        return std::nullopt;
    auto rows = readResults(q, true);
    if (rows.empty())
        return std::nullopt;
    return std::move(rows.front());
}

QString PgStore::resultFilterSql(const ResultFilter &filter) const
{
    QString sql = QStringLiteral(" FROM results WHERE true");
    if (!filter.userId.isEmpty())
        sql += sqlf(QStringLiteral(" AND user_id = %1"), lit(filter.userId));
    if (!filter.text.isEmpty()) {
        const QString exact = lit(filter.text.toLower());
        const QString like = lit(likePattern(filter.text));
        sql += sqlf(QStringLiteral(
                        " AND (message_id = %1 OR sha256 = %1 OR url ILIKE %2 ESCAPE '\\' OR final_url ILIKE "
                        "%2 ESCAPE '\\' OR user_id ILIKE %2 ESCAPE '\\' OR format ILIKE %2 ESCAPE '\\' OR "
                        "mime ILIKE %2 ESCAPE '\\')"),
            exact, like);
    }
    return sql;
}

std::vector<ImageResult> PgStore::listResults(const ResultFilter &filter, int offset, int limit)
{
    QSqlQuery q(QSqlDatabase::database(m_connection, false));
    if (!run(q,
            QStringLiteral("SELECT ") + QLatin1String(kResultColumns) + resultFilterSql(filter)
                + sqlf(QStringLiteral(" ORDER BY id DESC LIMIT %1 OFFSET %2"), limit, offset)))
        return {};
    return readResults(q, false);
}

qint64 PgStore::countResults(const ResultFilter &filter)
{
    return scalar(QStringLiteral("SELECT count(*)") + resultFilterSql(filter)).value_or(0);
}

QueueDepth PgStore::depth(qint64 queueId, qint64 nowMs)
{
    // The same totals as counts(), so the charts, the tiles and the API never disagree.
    const QueueCounts c = totals(queueId, nowMs);
    return QueueDepth { c.ready, c.delayed, c.inFlight, c.failed, c.oldestTimestampMs };
}

void PgStore::insertRollups(const std::vector<MetricsFrame> &rollups, qint64 keepFromMs)
{
    begin();
    for (const MetricsFrame &f : rollups) {
        const QString queue = f.queue.isNull() ? QStringLiteral("") : f.queue;
        QString values = QString::number(f.atMs) + QLatin1Char(',') + lit(queue);
        for (const auto field : kRollupFields)
            values += QLatin1Char(',') + QString::number(f.*field);
        // Every node writes the minute's rollups: an upsert, so two doing it at once both
        // succeed (a DELETE then INSERT made the second one's whole commit fail).
        QStringList updates;
        for (const QString &column : QString::fromLatin1(kRollupColumns).split(QStringLiteral(", ")).mid(2))
            updates.append(column + QStringLiteral(" = EXCLUDED.") + column);
        run(sqlf(QStringLiteral(
                     "INSERT INTO metric_rollups(%1) VALUES(%2) ON CONFLICT (minute_ms, queue) DO UPDATE "
                     "SET %3"),
            QLatin1String(kRollupColumns), values, updates.join(QStringLiteral(", "))));
    }
    run(sqlf(QStringLiteral("DELETE FROM metric_rollups WHERE minute_ms < %1"), keepFromMs));
}

std::vector<MetricsFrame> PgStore::rollups(qint64 fromMs)
{
    std::vector<MetricsFrame> out;
    QSqlQuery q(QSqlDatabase::database(m_connection, false));
    if (!run(q,
            sqlf(QStringLiteral("SELECT %1 FROM metric_rollups WHERE minute_ms >= %2 ORDER BY minute_ms"),
                QLatin1String(kRollupColumns), fromMs)))
        return out;
    while (q.next()) {
        MetricsFrame f;
        f.atMs = q.value(0).toLongLong();
        f.queue = q.value(1).toString();
        for (std::size_t i = 0; i < kRollupFields.size(); ++i)
            f.*kRollupFields[i] = q.value(int(i) + 2).toLongLong();
        out.push_back(std::move(f));
    }
    return out;
}

int PgStore::lockDispatch(qint64 queueId)
{
    begin();
    // Held until commit, so the count below and this node's new batch are seen together by
    // the next node to take it. A node that finds it taken comes back shortly rather than
    // waiting inside its transaction, which holds its producers' writes.
    if (preparedScalar("SELECT pg_try_advisory_xact_lock(?, ?)::int", { m_lockClass, int(queueId) })
            .value_or(0)
        != 1)
        return -1;
    return int(preparedScalar(
        "SELECT count(*) FROM batches WHERE queue_id = ? AND ended_ms = 0 AND cut_reason <> 'pull'",
        { queueId })
                   .value_or(0));
}

qint64 PgStore::registerNode(const NodeInfo &node)
{
    begin();
    // A node that lost its connection registers again; its earlier row goes, so whatever it
    // had in flight then is taken back at once.
    const qint64 previous = m_nodeId;
    if (previous != 0)
        run(sqlf(QStringLiteral("DELETE FROM nodes WHERE id = %1"), previous));
    m_nodeId = scalar(
        sqlf(QStringLiteral("INSERT INTO nodes(host, pid, endpoint, started_ms, timeout_ms) VALUES(%1, %2, "
                            "%3, %4, %5) RETURNING id"),
            lit(node.host), node.pid, lit(node.endpoint), node.startedMs, node.timeoutMs))
                   .value_or(0);
    // The counters go on from where they were: they move with the node, so the sums other
    // nodes read neither drop nor count this node twice.
    if (previous != 0)
        run(sqlf(
            QStringLiteral("UPDATE node_counters SET node_id = %1 WHERE node_id = %2"), m_nodeId, previous));
    // The stripes of connections that have closed fold into stripe 0, so a read adds up a
    // row per live connection rather than one per connection there ever was.
    run(QStringLiteral(
        "WITH gone AS (DELETE FROM queue_totals WHERE stripe <> 0 AND stripe NOT IN "
        "(SELECT pid FROM pg_stat_activity WHERE pid IS NOT NULL) RETURNING queue_id, state, messages, "
        "bytes) "
        "INSERT INTO queue_totals AS t SELECT queue_id, state, 0, sum(messages), sum(bytes) FROM gone "
        "GROUP BY 1, 2 ORDER BY 1, 2 ON CONFLICT(queue_id, state, stripe) "
        "DO UPDATE SET messages = t.messages + excluded.messages, bytes = t.bytes + excluded.bytes"));
    return m_nodeId;
}

void PgStore::heartbeat(const NodeInfo &node)
{
    if (m_nodeId == 0)
        return;
    begin();
    run(sqlf(
        QStringLiteral("UPDATE nodes SET heartbeat = clock_timestamp(), endpoint = %2, batches_in_flight = "
                       "%3, acked = %4, throughput = %5 WHERE id = %1"),
        m_nodeId, lit(node.endpoint), node.batchesInFlight, node.acked,
        QString::number(node.throughput, 'f', 2)));
    // Rows of nodes gone for ten minutes, once nothing of theirs is in flight.
    run(QStringLiteral(
        "DELETE FROM nodes AS n WHERE heartbeat < clock_timestamp() - interval '10 minutes' AND NOT "
        "EXISTS (SELECT 1 FROM message_state WHERE state = 1 AND node_id = n.id)"));
}

void PgStore::unregisterNode()
{
    if (m_nodeId == 0)
        return;
    begin();
    run(sqlf(QStringLiteral("DELETE FROM nodes WHERE id = %1"), m_nodeId));
}

std::vector<NodeInfo> PgStore::nodes()
{
    std::vector<NodeInfo> out;
    QSqlQuery q(QSqlDatabase::database(m_connection, false));
    if (!run(q,
            QStringLiteral(
                "SELECT id, host, pid, endpoint, started_ms, timeout_ms, "
                "(extract(epoch FROM heartbeat) * 1000)::bigint, batches_in_flight, acked, throughput, "
                "heartbeat > clock_timestamp() - timeout_ms * interval '1 millisecond', "
                "(extract(epoch FROM clock_timestamp() - heartbeat) * 1000)::bigint FROM nodes "
                "ORDER BY id")))
        return out;
    while (q.next()) {
        NodeInfo n;
        n.id = q.value(0).toLongLong();
        n.host = q.value(1).toString();
        n.pid = q.value(2).toLongLong();
        n.endpoint = q.value(3).toString();
        n.startedMs = q.value(4).toLongLong();
        n.timeoutMs = q.value(5).toLongLong();
        n.heartbeatMs = q.value(6).toLongLong();
        n.batchesInFlight = q.value(7).toInt();
        n.acked = q.value(8).toLongLong();
        n.throughput = q.value(9).toDouble();
        n.alive = q.value(10).toBool();
        n.silentMs = std::max<qint64>(0, q.value(11).toLongLong());
        n.local = n.id == m_nodeId;
        out.push_back(std::move(n));
    }
    return out;
}

} // namespace qd

namespace qd {

namespace {
constexpr const char *kCounterColumns = "written, delivered, acked, retried, dead_lettered, failed, expired, "
                                        "batches, batches_by_size, batches_by_timeout, batch_messages";
} // namespace

void PgStore::publishCounters(const std::map<qint64, QueueCounters> &counters)
{
    if (m_nodeId == 0 || counters.empty())
        return;
    begin();
    QStringList rows;
    for (const auto &[queueId, c] : counters) {
        QString row = QStringLiteral("(%1,%2").arg(m_nodeId).arg(queueId);
        for (const auto field : kQueueCounterFields)
            row += QLatin1Char(',') + QString::number(c.*field);
        rows.append(row + QLatin1Char(')'));
    }
    QStringList updates;
    for (const QString &column : QString::fromLatin1(kCounterColumns).split(QStringLiteral(", ")))
        updates.append(column + QStringLiteral(" = EXCLUDED.") + column);
    run(sqlf(
        QStringLiteral("INSERT INTO node_counters(node_id, queue_id, %1) VALUES %2 ON CONFLICT (node_id, "
                       "queue_id) DO UPDATE SET %3"),
        QLatin1String(kCounterColumns), rows.join(QLatin1Char(',')), updates.join(QStringLiteral(", "))));
}

std::map<qint64, QueueCounters> PgStore::otherNodesCounters()
{
    std::map<qint64, QueueCounters> out;
    QStringList sums;
    for (const QString &column : QString::fromLatin1(kCounterColumns).split(QStringLiteral(", ")))
        sums.append(QStringLiteral("sum(%1)").arg(column));
    QSqlQuery q(QSqlDatabase::database(m_connection, false));
    if (!run(q,
            sqlf(QStringLiteral(
                     "SELECT queue_id, %1 FROM node_counters WHERE node_id <> %2 GROUP BY queue_id"),
                sums.join(QStringLiteral(", ")), m_nodeId)))
        return out;
    while (q.next()) {
        QueueCounters &c = out[q.value(0).toLongLong()];
        int i = 1;
        for (const auto field : kQueueCounterFields)
            c.*field = q.value(i++).toLongLong();
    }
    return out;
}

} // namespace qd

namespace qd {

std::vector<qint64> PgStore::stillClaimed(qint64 batchId, const std::vector<qint64> &seqs)
{
    begin();
    std::vector<qint64> out;
    if (seqs.empty())
        return out;
    // By seq alone, the rest checked here: given the other columns too, the planner took the
    // in-flight index (node_id) and read every claim of the node since the last vacuum, 6,700
    // rows a batch at 200,000 messages.
    QStringList list;
    for (const qint64 seq : seqs)
        list.append(QString::number(seq));
    QSqlQuery q(QSqlDatabase::database(m_connection, false));
    if (!run(q,
            sqlf(QStringLiteral(
                     "SELECT seq, batch_id = %2 AND state = 1 AND node_id = %3 AND lease_expires = 0 "
                     "FROM message_state WHERE seq IN (%1) FOR UPDATE"),
                list.join(QLatin1Char(',')), batchId, m_nodeId)))
        return out;
    while (q.next()) {
        if (q.value(1).toBool())
            out.push_back(q.value(0).toLongLong());
    }
    return out;
}

} // namespace qd
