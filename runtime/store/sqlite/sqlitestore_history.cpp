// SqliteStore: batches, attempts, the audit log and image results.
#include "sqlitestore.h"

#include "attemptlogs.h"
#include "sqlitestatement.h"

#include <QJsonDocument>

#include <sqlite3.h>

namespace qd {

qint64 SqliteStore::insertBatch(const BatchRecord &b)
{
    begin();
    stmt("INSERT INTO batches(queue_id, created_ms, cut_reason, size) VALUES(?1, ?2, ?3, ?4)")
        .bind(1, b.queueId)
        .bind(2, b.createdMs)
        .bind(3, batchCutName(b.cut))
        .bind(4, b.size)
        .run();
    return sqlite3_last_insert_rowid(m_db);
}

void SqliteStore::finishBatch(const BatchRecord &b)
{
    begin();
    stmt("UPDATE batches SET size = ?8, ended_ms = ?2, acked = ?3, retried = ?4, dead_lettered = ?5, failed "
         "= ?6, error = ?7 "
         "WHERE id = ?1")
        .bind(1, b.id)
        .bind(2, b.endedMs)
        .bind(3, b.acked)
        .bind(4, b.retried)
        .bind(5, b.deadLettered)
        .bind(6, b.failed)
        .bind(7, b.error)
        .bind(8, b.size)
        .run();
}

void SqliteStore::discardBatch(qint64 id)
{
    begin();
    stmt("DELETE FROM batches WHERE id = ?1").bind(1, id).run();
}

namespace {
constexpr const char *kBatchColumns
    = "id, queue_id, created_ms, cut_reason, size, ended_ms, acked, retried, dead_lettered, failed, error";

std::vector<BatchRecord> readBatches(SqliteStatement &s)
{
    std::vector<BatchRecord> out;
    while (s.next()) {
        BatchRecord b;
        b.id = s.i64(0);
        b.queueId = s.i64(1);
        b.createdMs = s.i64(2);
        const QString cut = s.text(3);
        b.cut = cut == QLatin1String("timeout") ? BatchCut::Timeout
            : cut == QLatin1String("pull")      ? BatchCut::Pull
                                                : BatchCut::Size;
        b.size = int(s.i64(4));
        b.endedMs = s.i64(5);
        b.acked = int(s.i64(6));
        b.retried = int(s.i64(7));
        b.deadLettered = int(s.i64(8));
        b.failed = int(s.i64(9));
        b.error = s.text(10);
        out.push_back(std::move(b));
    }
    return out;
}
} // namespace

std::optional<BatchRecord> SqliteStore::batch(qint64 id)
{
    static const std::string sql = std::string("SELECT ") + kBatchColumns + " FROM batches WHERE id = ?1";
    auto &s = stmt(sql.c_str());
    s.bind(1, id);
    auto rows = readBatches(s);
    if (rows.empty())
        return std::nullopt;
    return rows.front();
}

std::vector<BatchRecord> SqliteStore::recentBatches(std::optional<qint64> queueId, int limit)
{
    static const std::string all
        = std::string("SELECT ") + kBatchColumns + " FROM batches ORDER BY id DESC LIMIT ?2";
    static const std::string one = std::string("SELECT ") + kBatchColumns
        + " FROM batches WHERE queue_id = ?1 ORDER BY id DESC LIMIT ?2";
    auto &s = stmt(queueId ? one.c_str() : all.c_str());
    if (queueId)
        s.bind(1, *queueId);
    s.bind(2, limit);
    return readBatches(s);
}

std::vector<Message> SqliteStore::failures(std::optional<qint64> queueId)
{
    // Same columns as kMessageColumns, with an empty body.
    static const std::string columns
        = "SELECT seq, id, queue_id, x'', content_type, timestamp_ms, visible_at, attempts, state, lease_id, "
          "lease_expires, batch_id, source_queue_id, last_error, updated_ms FROM messages ";
    static const std::string all = columns + "WHERE state = 3 OR (state = 0 AND source_queue_id <> 0)";
    static const std::string one
        = columns + "WHERE queue_id = ?1 AND (state = 3 OR (state = 0 AND source_queue_id <> 0))";
    auto &s = stmt(queueId ? one.c_str() : all.c_str());
    if (queueId)
        s.bind(1, *queueId);
    return readMessages(s);
}

void SqliteStore::insertAttempts(const std::vector<AttemptRecord> &attempts)
{
    begin();
    auto &s = stmt(
        "INSERT INTO attempts(message_seq, message_id, queue_id, attempt, batch_id, started_ms, ended_ms, "
        "outcome, error, logs) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)");
    for (const AttemptRecord &a : attempts) {
        s.bind(1, a.messageSeq)
            .bind(2, a.messageId)
            .bind(3, a.queueId)
            .bind(4, a.attempt)
            .bind(5, a.batchId)
            .bind(6, a.startedMs)
            .bind(7, a.endedMs)
            .bind(8, attemptOutcomeName(a.outcome))
            .bind(9, a.error)
            .bind(10, attemptLogsText(a.logs))
            .run();
    }
}

namespace {
std::vector<AttemptRecord> readAttempts(SqliteStatement &s)
{
    std::vector<AttemptRecord> out;
    while (s.next()) {
        AttemptRecord a;
        a.messageSeq = s.i64(0);
        a.messageId = s.text(1);
        a.queueId = s.i64(2);
        a.attempt = int(s.i64(3));
        a.batchId = s.i64(4);
        a.startedMs = s.i64(5);
        a.endedMs = s.i64(6);
        attemptOutcomeFromName(s.text(7), &a.outcome); // every outcome written has a name
        a.error = s.text(8);
        a.logs = attemptLogsFromText(s.text(9));
        out.push_back(std::move(a));
    }
    return out;
}
} // namespace

std::vector<AttemptRecord> SqliteStore::attemptsForMessage(qint64 seq)
{
    auto &s = stmt(
        "SELECT message_seq, message_id, queue_id, attempt, batch_id, started_ms, ended_ms, outcome, error, "
        "logs "
        "FROM attempts WHERE message_seq = ?1 ORDER BY id DESC");
    s.bind(1, seq);
    return readAttempts(s);
}

std::vector<AttemptRecord> SqliteStore::attemptsForBatch(qint64 batchId)
{
    auto &s = stmt(
        "SELECT message_seq, message_id, queue_id, attempt, batch_id, started_ms, ended_ms, outcome, error, "
        "logs "
        "FROM attempts WHERE batch_id = ?1 ORDER BY id");
    s.bind(1, batchId);
    return readAttempts(s);
}

void SqliteStore::insertAudit(const AuditEntry &e)
{
    begin();
    stmt("INSERT INTO audit(ts_ms, action, queue, detail) VALUES(?1, ?2, ?3, ?4)")
        .bind(1, e.timestampMs)
        .bind(2, e.action)
        .bind(3, e.queue)
        .bind(4, QString::fromUtf8(QJsonDocument(e.detail).toJson(QJsonDocument::Compact)))
        .run();
}

namespace {
std::vector<AuditEntry> readAudit(SqliteStatement &s)
{
    std::vector<AuditEntry> out;
    while (s.next()) {
        AuditEntry e;
        e.id = s.i64(0);
        e.timestampMs = s.i64(1);
        e.action = s.text(2);
        e.queue = s.text(3);
        e.detail = QJsonDocument::fromJson(s.text(4).toUtf8()).object();
        out.push_back(std::move(e));
    }
    return out;
}
} // namespace

std::vector<AuditEntry> SqliteStore::audit(int limit)
{
    auto &s = stmt("SELECT id, ts_ms, action, queue, detail FROM audit ORDER BY id DESC LIMIT ?1");
    s.bind(1, limit);
    return readAudit(s);
}

std::vector<AuditEntry> SqliteStore::auditMentioning(const QString &text, int limit)
{
    auto &s = stmt("SELECT id, ts_ms, action, queue, detail FROM audit WHERE detail LIKE ?1 ESCAPE '\\' "
                   "ORDER BY id DESC LIMIT ?2");
    s.bind(1, likePattern(text)).bind(2, limit);
    return readAudit(s);
}

namespace {
constexpr const char *kResultColumns = "id, message_seq, message_id, queue_id, user_id, url, final_url, "
                                       "mime, format, width, height, bytes, sha256, "
                                       "orientation, fetch_ms, decode_ms, created_ms";

std::vector<ImageResult> readResults(SqliteStatement &s, bool withThumbnail)
{
    std::vector<ImageResult> out;
    while (s.next()) {
        ImageResult r;
        r.id = s.i64(0);
        r.messageSeq = s.i64(1);
        r.messageId = s.text(2);
        r.queueId = s.i64(3);
        r.userId = s.text(4);
        r.url = s.text(5);
        r.finalUrl = s.text(6);
        r.mime = s.text(7);
        r.format = s.text(8);
        r.width = int(s.i64(9));
        r.height = int(s.i64(10));
        r.bytes = s.i64(11);
        r.sha256 = s.text(12);
        r.orientation = int(s.i64(13));
        r.fetchMs = s.i64(14);
        r.decodeMs = s.i64(15);
        r.createdMs = s.i64(16);
        if (withThumbnail)
            r.thumbnail = s.blob(17);
        out.push_back(std::move(r));
    }
    return out;
}
} // namespace

void SqliteStore::insertResults(const std::vector<ImageResult> &results)
{
    if (results.empty())
        return;
    begin();
    auto &s = stmt(
        "INSERT OR REPLACE INTO results(message_seq, message_id, queue_id, user_id, url, final_url, mime, "
        "format, width, height, bytes, sha256, orientation, thumbnail, fetch_ms, decode_ms, created_ms) "
        "VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17)");
    for (const ImageResult &r : results) {
        s.bind(1, r.messageSeq)
            .bind(2, r.messageId)
            .bind(3, r.queueId)
            .bind(4, r.userId)
            .bind(5, r.url)
            .bind(6, r.finalUrl)
            .bind(7, r.mime)
            .bind(8, r.format)
            .bind(9, r.width)
            .bind(10, r.height)
            .bind(11, r.bytes)
            .bind(12, r.sha256)
            .bind(13, r.orientation)
            .bindBlob(14, r.thumbnail)
            .bind(15, r.fetchMs)
            .bind(16, r.decodeMs)
            .bind(17, r.createdMs)
            .run();
    }
}

std::optional<ImageResult> SqliteStore::resultForMessage(const QString &messageId)
{
    static const std::string sql
        = std::string("SELECT ") + kResultColumns + ", thumbnail FROM results WHERE message_id = ?1";
    auto &s = stmt(sql.c_str());
    s.bind(1, messageId);
    auto rows = readResults(s, true);
    if (rows.empty())
        return std::nullopt;
    return std::move(rows.front());
}

SqliteStatement &SqliteStore::filteredResults(
    const char *select, const ResultFilter &filter, const char *tail)
{
    std::string sql = select;
    sql += " FROM results WHERE 1";
    if (!filter.userId.isEmpty())
        sql += " AND user_id = ?1";
    if (!filter.text.isEmpty())
        sql += " AND (message_id = ?2 OR sha256 = ?2 OR url LIKE ?3 ESCAPE '\\' OR final_url LIKE ?3 ESCAPE "
               "'\\' "
               "OR user_id LIKE ?3 ESCAPE '\\' OR format LIKE ?3 ESCAPE '\\' OR mime LIKE ?3 ESCAPE '\\')";
    sql += tail;
    auto &s = stmt(sql.c_str());
    if (!filter.userId.isEmpty())
        s.bind(1, filter.userId);
    if (!filter.text.isEmpty()) {
        s.bind(2, filter.text.toLower());
        s.bind(3, likePattern(filter.text));
    }
    return s;
}

std::vector<ImageResult> SqliteStore::listResults(const ResultFilter &filter, int offset, int limit)
{
    static const std::string select = std::string("SELECT ") + kResultColumns;
    auto &s = filteredResults(select.c_str(), filter, " ORDER BY id DESC LIMIT ?4 OFFSET ?5");
    s.bind(4, limit).bind(5, offset);
    return readResults(s, false);
}

qint64 SqliteStore::countResults(const ResultFilter &filter)
{
    return filteredResults("SELECT count(*)", filter, "").scalar().value_or(0);
}

} // namespace qd
