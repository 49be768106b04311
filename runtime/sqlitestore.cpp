#include "sqlitestore.h"

#include <QDir>
#include <QFileInfo>
#include <QJsonDocument>

#include <sqlite3.h>

#include <string>
#include <unordered_map>

namespace qd {

// A prepared statement, reset after each use. Binding indexes start at 1, columns at 0.
class SqliteStatement
{
public:
    SqliteStatement(sqlite3 *db, const std::string &sql)
        : m_db(db)
    {
        if (sqlite3_prepare_v3(db, sql.c_str(), int(sql.size()), SQLITE_PREPARE_PERSISTENT, &m_stmt, nullptr)
            != SQLITE_OK)
            qFatal("SQL prepare failed: %s in %s", sqlite3_errmsg(db), sql.c_str());
    }
    ~SqliteStatement() { sqlite3_finalize(m_stmt); }
    SqliteStatement(const SqliteStatement &) = delete;
    SqliteStatement &operator=(const SqliteStatement &) = delete;

    SqliteStatement &bind(int i, qint64 v)
    {
        sqlite3_bind_int64(m_stmt, i, v);
        return *this;
    }
    SqliteStatement &bind(int i, const QString &v)
    {
        if (v.isNull()) {
            sqlite3_bind_null(m_stmt, i);
        } else {
            const QByteArray utf8 = v.toUtf8();
            sqlite3_bind_text(m_stmt, i, utf8.constData(), int(utf8.size()), SQLITE_TRANSIENT);
        }
        return *this;
    }
    SqliteStatement &bindBlob(int i, const QByteArray &v)
    {
        sqlite3_bind_blob(m_stmt, i, v.constData(), int(v.size()), SQLITE_TRANSIENT);
        return *this;
    }
    // Steps once: true while a row is available.
    bool next()
    {
        const int rc = sqlite3_step(m_stmt);
        if (rc == SQLITE_ROW)
            return true;
        if (rc != SQLITE_DONE)
            qWarning("SQL step failed: %s (%s)", sqlite3_errmsg(m_db), sqlite3_sql(m_stmt));
        reset();
        return false;
    }
    void run()
    {
        while (next()) { }
    }
    void reset()
    {
        sqlite3_reset(m_stmt);
        sqlite3_clear_bindings(m_stmt);
    }
    qint64 i64(int c) const { return sqlite3_column_int64(m_stmt, c); }
    bool isNull(int c) const { return sqlite3_column_type(m_stmt, c) == SQLITE_NULL; }
    QString text(int c) const
    {
        const auto *p = reinterpret_cast<const char *>(sqlite3_column_text(m_stmt, c));
        if (!p)
            return {};
        return QString::fromUtf8(p, sqlite3_column_bytes(m_stmt, c));
    }
    QByteArray blob(int c) const
    {
        const auto *p = static_cast<const char *>(sqlite3_column_blob(m_stmt, c));
        return QByteArray(p, sqlite3_column_bytes(m_stmt, c));
    }

private:
    sqlite3 *m_db;
    sqlite3_stmt *m_stmt = nullptr;
};

struct SqliteStore::Cache
{
    std::unordered_map<std::string, std::unique_ptr<SqliteStatement>> statements;
};

namespace {

constexpr const char *kMessageColumns
    = "seq, id, queue_id, body, content_type, timestamp_ms, visible_at, attempts, state, lease_id, lease_expires, "
      "batch_id, source_queue_id, last_error, updated_ms";

// Schema by version: migrations[i] takes a store from version i to i + 1.
const char *const kMigrations[] = {
    R"sql(
    CREATE TABLE queues(
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL UNIQUE,
        settings TEXT NOT NULL,
        created_ms INTEGER NOT NULL,
        modified_ms INTEGER NOT NULL);
    CREATE TABLE messages(
        seq INTEGER PRIMARY KEY,
        id TEXT NOT NULL,
        queue_id INTEGER NOT NULL,
        body BLOB NOT NULL,
        content_type INTEGER NOT NULL,
        timestamp_ms INTEGER NOT NULL,
        visible_at INTEGER NOT NULL,
        attempts INTEGER NOT NULL DEFAULT 0,
        state INTEGER NOT NULL DEFAULT 0,
        lease_id TEXT,
        lease_expires INTEGER NOT NULL DEFAULT 0,
        batch_id INTEGER NOT NULL DEFAULT 0,
        source_queue_id INTEGER NOT NULL DEFAULT 0,
        last_error TEXT,
        updated_ms INTEGER NOT NULL DEFAULT 0);
    CREATE UNIQUE INDEX messages_by_id ON messages(id);
    CREATE INDEX messages_by_queue_state ON messages(queue_id, state, visible_at);
    CREATE TABLE batches(
        id INTEGER PRIMARY KEY,
        queue_id INTEGER NOT NULL,
        created_ms INTEGER NOT NULL,
        cut_reason TEXT NOT NULL,
        size INTEGER NOT NULL,
        ended_ms INTEGER NOT NULL DEFAULT 0,
        acked INTEGER NOT NULL DEFAULT 0,
        retried INTEGER NOT NULL DEFAULT 0,
        dead_lettered INTEGER NOT NULL DEFAULT 0,
        failed INTEGER NOT NULL DEFAULT 0,
        error TEXT);
    CREATE TABLE attempts(
        id INTEGER PRIMARY KEY,
        message_seq INTEGER NOT NULL,
        message_id TEXT NOT NULL,
        queue_id INTEGER NOT NULL,
        attempt INTEGER NOT NULL,
        batch_id INTEGER NOT NULL,
        started_ms INTEGER NOT NULL,
        ended_ms INTEGER NOT NULL,
        outcome TEXT NOT NULL,
        error TEXT);
    CREATE INDEX attempts_by_message ON attempts(message_seq);
    CREATE INDEX attempts_by_batch ON attempts(batch_id);
    CREATE TABLE audit(
        id INTEGER PRIMARY KEY,
        ts_ms INTEGER NOT NULL,
        action TEXT NOT NULL,
        queue TEXT,
        detail TEXT);
    )sql",
    // 2: what the image consumer found out, one row per message.
    R"sql(
    CREATE TABLE results(
        id INTEGER PRIMARY KEY,
        message_seq INTEGER NOT NULL,
        message_id TEXT NOT NULL,
        queue_id INTEGER NOT NULL,
        user_id TEXT,
        url TEXT NOT NULL,
        final_url TEXT,
        mime TEXT,
        format TEXT,
        width INTEGER NOT NULL DEFAULT 0,
        height INTEGER NOT NULL DEFAULT 0,
        bytes INTEGER NOT NULL DEFAULT 0,
        sha256 TEXT,
        orientation INTEGER NOT NULL DEFAULT 1,
        thumbnail BLOB,
        fetch_ms INTEGER NOT NULL DEFAULT 0,
        decode_ms INTEGER NOT NULL DEFAULT 0,
        created_ms INTEGER NOT NULL);
    CREATE UNIQUE INDEX results_by_message ON results(message_id);
    CREATE INDEX results_by_user ON results(user_id, id);
    CREATE INDEX results_by_sha256 ON results(sha256);
    )sql",
    // 3: per-minute metric rollups, so charts have history after a restart. Queue ''
    // holds every queue together.
    R"sql(
    CREATE TABLE metric_rollups(
        minute_ms INTEGER NOT NULL,
        queue TEXT NOT NULL,
        interval_ms INTEGER NOT NULL,
        ready INTEGER NOT NULL, delayed INTEGER NOT NULL, in_flight INTEGER NOT NULL,
        failed INTEGER NOT NULL, dlq INTEGER NOT NULL, oldest_age_ms INTEGER NOT NULL,
        written INTEGER NOT NULL, delivered INTEGER NOT NULL, acked INTEGER NOT NULL,
        retried INTEGER NOT NULL, dead_lettered INTEGER NOT NULL, failed_new INTEGER NOT NULL,
        batches INTEGER NOT NULL, batches_by_size INTEGER NOT NULL, batches_by_timeout INTEGER NOT NULL,
        batch_messages INTEGER NOT NULL,
        processing_samples INTEGER NOT NULL, processing_p50 INTEGER NOT NULL, processing_p95 INTEGER NOT NULL,
        e2e_samples INTEGER NOT NULL, e2e_p50 INTEGER NOT NULL, e2e_p95 INTEGER NOT NULL,
        PRIMARY KEY(minute_ms, queue)) WITHOUT ROWID;
    )sql",
    // 4: the Failed page's set (failed, or waiting in a dead-letter queue) without a scan. A
    // partial index costs nothing for the messages that never fail.
    R"sql(
    CREATE INDEX messages_failures ON messages(seq) WHERE state = 3 OR source_queue_id <> 0;
    )sql",
};

// A JSON body's field, NULL for other bodies; json_valid keeps one bad row from failing a query.
#define QD_BODY_FIELD(name) "(CASE WHEN content_type = 0 AND json_valid(body) THEN json_extract(body, '$." name "') END)"

// The ORDER BY of listMessages() and the key positionOf() compares; NULLs as '' so that a
// row-value comparison orders them like ORDER BY does.
std::string sortKey(MessageSort sort)
{
    switch (sort) {
    case MessageSort::Seq: return "seq";
    case MessageSort::Queue: return "queue_id";
    case MessageSort::State: return "state";
    case MessageSort::Attempts: return "attempts";
    case MessageSort::User: return "coalesce(" QD_BODY_FIELD("userId") ", '')";
    case MessageSort::Url: return "coalesce(" QD_BODY_FIELD("imageUrl") ", '')";
    case MessageSort::Updated: return "updated_ms";
    case MessageSort::LastError: return "coalesce(last_error, '')";
    case MessageSort::Id: return "id";
    }
    return "seq";
}

std::string orderBy(const MessageFilter &filter)
{
    const char *dir = filter.descending ? " DESC" : "";
    if (filter.sort == MessageSort::Seq)
        return std::string(" ORDER BY seq") + dir;
    return " ORDER BY " + sortKey(filter.sort) + dir + ", seq" + dir;
}

QString likePattern(const QString &text)
{
    QString escaped = text;
    escaped.replace(QLatin1Char('\\'), QLatin1String("\\\\"));
    escaped.replace(QLatin1Char('%'), QLatin1String("\\%"));
    escaped.replace(QLatin1Char('_'), QLatin1String("\\_"));
    return QLatin1Char('%') + escaped + QLatin1Char('%');
}

} // namespace

QString batchCutName(BatchCut cut)
{
    switch (cut) {
    case BatchCut::Size:
        return QStringLiteral("size");
    case BatchCut::Timeout:
        return QStringLiteral("timeout");
    case BatchCut::Pull:
        return QStringLiteral("pull");
    }
    return {};
}

SqliteStore::SqliteStore(QString path)
    : m_path(std::move(path))
    , m_cache(std::make_unique<Cache>())
{
}

SqliteStore::~SqliteStore()
{
    if (m_db) {
        QString error;
        if (m_inTransaction)
            commit(&error);
        m_cache.reset();
        sqlite3_close_v2(m_db);
    }
}

bool SqliteStore::exec(const char *sql, QString *error)
{
    char *msg = nullptr;
    if (sqlite3_exec(m_db, sql, nullptr, nullptr, &msg) != SQLITE_OK) {
        if (error)
            *error = QString::fromUtf8(msg ? msg : "unknown SQLite error");
        sqlite3_free(msg);
        return false;
    }
    return true;
}

int SqliteStore::schemaVersion()
{
    auto &s = stmt("PRAGMA user_version");
    int version = 0;
    if (s.next())
        version = int(s.i64(0));
    s.reset();
    return version;
}

bool SqliteStore::open(QString *error)
{
    QDir().mkpath(QFileInfo(m_path).absolutePath());
    const QByteArray path = m_path.toUtf8();
    if (sqlite3_open_v2(path.constData(), &m_db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
                        nullptr)
        != SQLITE_OK) {
        *error = QStringLiteral("cannot open store %1: %2").arg(m_path, QString::fromUtf8(sqlite3_errmsg(m_db)));
        sqlite3_close_v2(m_db);
        m_db = nullptr;
        return false;
    }
    sqlite3_busy_timeout(m_db, 5000);
    if (!exec("PRAGMA journal_mode=WAL", error) || !exec("PRAGMA synchronous=FULL", error)
        || !exec("PRAGMA foreign_keys=OFF", error) || !exec("PRAGMA cache_size=-65536", error)
        || !exec("PRAGMA temp_store=MEMORY", error))
        return false;
    return migrate(error);
}

bool SqliteStore::migrate(QString *error)
{
    const int current = schemaVersion();
    constexpr int latest = int(std::size(kMigrations));
    static_assert(latest == kSchemaVersion);
    if (current > latest) {
        *error = QStringLiteral("store %1 has schema version %2, newer than this QueueDeck understands (%3)")
                     .arg(m_path)
                     .arg(current)
                     .arg(latest);
        return false;
    }
    for (int v = current; v < latest; ++v) {
        if (!exec("BEGIN IMMEDIATE", error))
            return false;
        const std::string bump = "PRAGMA user_version=" + std::to_string(v + 1);
        if (!exec(kMigrations[v], error) || !exec(bump.c_str(), error) || !exec("COMMIT", error)) {
            exec("ROLLBACK");
            return false;
        }
    }
    return true;
}

SqliteStatement &SqliteStore::stmt(const char *sql)
{
    auto &slot = m_cache->statements[std::string(sql)];
    if (!slot)
        slot = std::make_unique<SqliteStatement>(m_db, sql);
    return *slot;
}

void SqliteStore::begin()
{
    if (!m_inTransaction) {
        exec("BEGIN IMMEDIATE");
        m_inTransaction = true;
    }
}

bool SqliteStore::commit(QString *error)
{
    if (!m_inTransaction)
        return true;
    m_inTransaction = false;
    if (!exec("COMMIT", error)) {
        exec("ROLLBACK");
        return false;
    }
    return true;
}

std::vector<QueueRecord> SqliteStore::loadQueues()
{
    std::vector<QueueRecord> out;
    auto &s = stmt("SELECT id, name, settings, created_ms, modified_ms FROM queues ORDER BY id");
    while (s.next()) {
        QueueRecord q;
        q.id = s.i64(0);
        q.name = s.text(1);
        q.settings.applyJson(QJsonDocument::fromJson(s.text(2).toUtf8()).object());
        q.createdMs = s.i64(3);
        q.modifiedMs = s.i64(4);
        out.push_back(std::move(q));
    }
    return out;
}

qint64 SqliteStore::insertQueue(const QString &name, const QueueSettings &settings, qint64 nowMs)
{
    begin();
    const QString json = QString::fromUtf8(QJsonDocument(settings.toJson()).toJson(QJsonDocument::Compact));
    stmt("INSERT INTO queues(name, settings, created_ms, modified_ms) VALUES(?1, ?2, ?3, ?3)")
        .bind(1, name)
        .bind(2, json)
        .bind(3, nowMs)
        .run();
    return sqlite3_last_insert_rowid(m_db);
}

void SqliteStore::updateQueue(qint64 id, const QString &name, const QueueSettings &settings, qint64 nowMs)
{
    begin();
    const QString json = QString::fromUtf8(QJsonDocument(settings.toJson()).toJson(QJsonDocument::Compact));
    stmt("UPDATE queues SET name = ?2, settings = ?3, modified_ms = ?4 WHERE id = ?1")
        .bind(1, id)
        .bind(2, name)
        .bind(3, json)
        .bind(4, nowMs)
        .run();
}

void SqliteStore::deleteQueue(qint64 id)
{
    begin();
    stmt("DELETE FROM attempts WHERE queue_id = ?1").bind(1, id).run();
    stmt("DELETE FROM messages WHERE queue_id = ?1").bind(1, id).run();
    stmt("DELETE FROM batches WHERE queue_id = ?1").bind(1, id).run();
    stmt("DELETE FROM queues WHERE id = ?1").bind(1, id).run();
}

void SqliteStore::insertMessages(std::vector<Message> &messages)
{
    begin();
    auto &s = stmt("INSERT INTO messages(id, queue_id, body, content_type, timestamp_ms, visible_at, attempts, state, "
                   "source_queue_id, updated_ms) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?5)");
    for (Message &m : messages) {
        s.bind(1, m.id)
            .bind(2, m.queueId)
            .bindBlob(3, m.body)
            .bind(4, qint64(m.contentType))
            .bind(5, m.timestampMs)
            .bind(6, m.visibleAtMs)
            .bind(7, m.attempts)
            .bind(8, qint64(m.state))
            .bind(9, m.sourceQueueId)
            .run();
        m.seq = sqlite3_last_insert_rowid(m_db);
    }
}

int SqliteStore::countReady(qint64 queueId, qint64 nowMs, int limit)
{
    auto &s = stmt("SELECT count(*) FROM (SELECT 1 FROM messages WHERE queue_id = ?1 AND state = 0 AND visible_at <= ?2 "
                   "LIMIT ?3)");
    s.bind(1, queueId).bind(2, nowMs).bind(3, limit);
    int n = 0;
    if (s.next())
        n = int(s.i64(0));
    s.reset();
    return n;
}

std::optional<qint64> SqliteStore::minPendingVisibleAt(qint64 queueId)
{
    auto &s = stmt("SELECT min(visible_at) FROM messages WHERE queue_id = ?1 AND state = 0");
    s.bind(1, queueId);
    std::optional<qint64> out;
    if (s.next() && !s.isNull(0))
        out = s.i64(0);
    s.reset();
    return out;
}

std::optional<qint64> SqliteStore::minDelayedVisibleAt(qint64 queueId, qint64 nowMs)
{
    auto &s = stmt("SELECT min(visible_at) FROM messages WHERE queue_id = ?1 AND state = 0 AND visible_at > ?2");
    s.bind(1, queueId).bind(2, nowMs);
    std::optional<qint64> out;
    if (s.next() && !s.isNull(0))
        out = s.i64(0);
    s.reset();
    return out;
}

std::optional<qint64> SqliteStore::minLeaseExpiry(qint64 queueId)
{
    auto &s = stmt("SELECT min(lease_expires) FROM messages WHERE queue_id = ?1 AND state = 1 AND lease_expires > 0");
    s.bind(1, queueId);
    std::optional<qint64> out;
    if (s.next() && !s.isNull(0))
        out = s.i64(0);
    s.reset();
    return out;
}

std::vector<Message> SqliteStore::readMessages(SqliteStatement &s)
{
    std::vector<Message> out;
    while (s.next()) {
        Message m;
        m.seq = s.i64(0);
        m.id = s.text(1);
        m.queueId = s.i64(2);
        m.body = s.blob(3);
        m.contentType = ContentType(s.i64(4));
        m.timestampMs = s.i64(5);
        m.visibleAtMs = s.i64(6);
        m.attempts = int(s.i64(7));
        m.state = MessageState(s.i64(8));
        m.leaseId = s.text(9);
        m.leaseExpiresMs = s.i64(10);
        m.batchId = s.i64(11);
        m.sourceQueueId = s.i64(12);
        m.lastError = s.text(13);
        m.updatedMs = s.i64(14);
        out.push_back(std::move(m));
    }
    return out;
}

std::vector<Message> SqliteStore::claimReady(qint64 queueId, qint64 nowMs, int limit, qint64 batchId,
                                             qint64 leaseExpiresMs, bool withLeases)
{
    begin();
    static const std::string select = std::string("SELECT ") + kMessageColumns
        + " FROM messages WHERE queue_id = ?1 AND state = 0 AND visible_at <= ?2 ORDER BY visible_at, seq LIMIT ?3";
    auto &s = stmt(select.c_str());
    s.bind(1, queueId).bind(2, nowMs).bind(3, limit);
    std::vector<Message> claimed = readMessages(s);
    auto &u = stmt("UPDATE messages SET state = 1, attempts = ?2, batch_id = ?3, lease_id = ?4, lease_expires = ?5, "
                   "updated_ms = ?6 WHERE seq = ?1");
    for (Message &m : claimed) {
        m.state = MessageState::InFlight;
        m.attempts += 1;
        m.batchId = batchId;
        m.leaseExpiresMs = withLeases ? leaseExpiresMs : 0;
        m.leaseId = withLeases ? QString::number(m.seq) + QLatin1Char('-') + newMessageId().left(16) : QString();
        m.updatedMs = nowMs;
        u.bind(1, m.seq)
            .bind(2, m.attempts)
            .bind(3, batchId)
            .bind(4, m.leaseId)
            .bind(5, m.leaseExpiresMs)
            .bind(6, nowMs)
            .run();
    }
    return claimed;
}

std::vector<Message> SqliteStore::expiredLeases(qint64 queueId, qint64 nowMs)
{
    static const std::string sql = std::string("SELECT ") + kMessageColumns
        + " FROM messages WHERE queue_id = ?1 AND state = 1 AND lease_expires > 0 AND lease_expires <= ?2";
    auto &s = stmt(sql.c_str());
    s.bind(1, queueId).bind(2, nowMs);
    return readMessages(s);
}

void SqliteStore::updateMessages(const std::vector<MessageUpdate> &updates, qint64 nowMs)
{
    begin();
    auto &keep = stmt("UPDATE messages SET state = ?2, queue_id = ?3, visible_at = ?4, attempts = ?5, "
                      "source_queue_id = ?6, last_error = ?7, lease_expires = 0, updated_ms = ?8 WHERE seq = ?1");
    auto &drop = stmt("UPDATE messages SET state = ?2, queue_id = ?3, visible_at = ?4, attempts = ?5, "
                      "source_queue_id = ?6, last_error = ?7, lease_expires = 0, lease_id = NULL, updated_ms = ?8 "
                      "WHERE seq = ?1");
    for (const MessageUpdate &u : updates) {
        (u.keepLease ? keep : drop)
            .bind(1, u.seq)
            .bind(2, qint64(u.state))
            .bind(3, u.queueId)
            .bind(4, u.visibleAtMs)
            .bind(5, u.attempts)
            .bind(6, u.sourceQueueId)
            .bind(7, u.lastError)
            .bind(8, nowMs)
            .run();
    }
}

std::optional<Message> SqliteStore::messageBySeq(qint64 seq)
{
    static const std::string sql = std::string("SELECT ") + kMessageColumns + " FROM messages WHERE seq = ?1";
    auto &s = stmt(sql.c_str());
    s.bind(1, seq);
    auto rows = readMessages(s);
    if (rows.empty())
        return std::nullopt;
    return std::move(rows.front());
}

std::optional<Message> SqliteStore::messageById(const QString &id)
{
    static const std::string sql = std::string("SELECT ") + kMessageColumns + " FROM messages WHERE id = ?1";
    auto &s = stmt(sql.c_str());
    s.bind(1, id);
    auto rows = readMessages(s);
    if (rows.empty())
        return std::nullopt;
    return std::move(rows.front());
}

void SqliteStore::deleteMessages(const std::vector<qint64> &seqs)
{
    begin();
    auto &a = stmt("DELETE FROM attempts WHERE message_seq = ?1");
    auto &m = stmt("DELETE FROM messages WHERE seq = ?1");
    for (qint64 seq : seqs) {
        a.bind(1, seq).run();
        m.bind(1, seq).run();
    }
}

qint64 SqliteStore::purgeQueue(qint64 queueId)
{
    begin();
    stmt("DELETE FROM attempts WHERE message_seq IN (SELECT seq FROM messages WHERE queue_id = ?1 AND state IN (0, 3))")
        .bind(1, queueId)
        .run();
    stmt("DELETE FROM messages WHERE queue_id = ?1 AND state IN (0, 3)").bind(1, queueId).run();
    return sqlite3_changes64(m_db);
}

qint64 SqliteStore::expireMessages(qint64 queueId, qint64 olderThanMs)
{
    begin();
    stmt("DELETE FROM attempts WHERE message_seq IN (SELECT seq FROM messages WHERE queue_id = ?1 AND timestamp_ms < ?2 "
         "AND state <> 1)")
        .bind(1, queueId)
        .bind(2, olderThanMs)
        .run();
    // Acked messages past retention are only history: removed, but not counted as expired.
    stmt("DELETE FROM messages WHERE queue_id = ?1 AND timestamp_ms < ?2 AND state = 2")
        .bind(1, queueId)
        .bind(2, olderThanMs)
        .run();
    stmt("DELETE FROM messages WHERE queue_id = ?1 AND timestamp_ms < ?2 AND state IN (0, 3)")
        .bind(1, queueId)
        .bind(2, olderThanMs)
        .run();
    return sqlite3_changes64(m_db);
}

std::vector<Message> SqliteStore::inFlightWithoutLease()
{
    // Queue by queue through the (queue_id, state) index: "state = 1" alone scans the table.
    static const std::string sql = std::string("SELECT ") + kMessageColumns
        + " FROM messages WHERE queue_id IN (SELECT id FROM queues) AND state = 1 AND lease_expires = 0";
    auto &s = stmt(sql.c_str());
    return readMessages(s);
}

QueueCounts SqliteStore::counts(qint64 queueId, qint64 nowMs)
{
    QueueCounts c;
    // Grouped by state alone, the groups come in index order; grouping by visibility as well
    // made SQLite sort every row of the queue in memory (150 MB at a million messages).
    auto &s = stmt("SELECT state, sum(visible_at <= ?2), count(*), sum(length(body)), min(timestamp_ms) FROM messages "
                   "WHERE queue_id = ?1 GROUP BY state");
    s.bind(1, queueId).bind(2, nowMs);
    while (s.next()) {
        const auto state = MessageState(s.i64(0));
        const qint64 visible = s.i64(1);
        const qint64 n = s.i64(2);
        switch (state) {
        case MessageState::Pending:
            c.ready += visible;
            c.delayed += n - visible;
            c.backlogBytes += s.i64(3);
            if (c.oldestTimestampMs == 0 || s.i64(4) < c.oldestTimestampMs)
                c.oldestTimestampMs = s.i64(4);
            break;
        case MessageState::InFlight:
            c.inFlight += n;
            break;
        case MessageState::Acked:
            c.acked += n;
            break;
        case MessageState::Failed:
            c.failed += n;
            break;
        }
    }
    return c;
}

SqliteStatement &SqliteStore::filtered(const char *select, const MessageFilter &filter, qint64 nowMs, const char *tail)
{
    std::string sql = select;
    sql += " FROM messages WHERE 1";
    if (filter.queueId)
        sql += " AND queue_id = ?1";
    switch (filter.state) {
    case StateFilter::Any:
        break;
    case StateFilter::Ready:
        sql += " AND state = 0 AND visible_at <= ?2";
        break;
    case StateFilter::Delayed:
        sql += " AND state = 0 AND visible_at > ?2";
        break;
    case StateFilter::InFlight:
        sql += " AND state = 1";
        break;
    case StateFilter::Acked:
        sql += " AND state = 2";
        break;
    case StateFilter::Failed:
        sql += " AND state = 3";
        break;
    }
    if (filter.deadLettered)
        sql += " AND source_queue_id <> 0 AND state IN (0, 3)";
    if (filter.failures) // written so the planner picks the messages_failures index
        sql += " AND (state = 3 OR source_queue_id <> 0) AND state IN (0, 3)";
    if (!filter.errorText.isEmpty())
        sql += " AND last_error LIKE ?9 ESCAPE '\\'";
    if (!filter.userId.isEmpty())
        sql += " AND " QD_BODY_FIELD("userId") " = ?10";
    if (!filter.errorPattern.isEmpty())
        sql += " AND last_error LIKE ?12 ESCAPE '\\'";
    if (!filter.text.isEmpty())
        sql += " AND (id = ?3 OR CAST(body AS TEXT) LIKE ?4 ESCAPE '\\' OR last_error LIKE ?4 ESCAPE '\\')";
    if (filter.fromMs > 0)
        sql += " AND timestamp_ms >= ?5";
    if (filter.toMs > 0)
        sql += " AND timestamp_ms <= ?6";
    sql += tail;
    auto &s = stmt(sql.c_str());
    if (filter.queueId)
        s.bind(1, *filter.queueId);
    if (filter.state == StateFilter::Ready || filter.state == StateFilter::Delayed)
        s.bind(2, nowMs);
    if (!filter.text.isEmpty()) {
        s.bind(3, filter.text.toLower());
        s.bind(4, likePattern(filter.text));
    }
    if (filter.fromMs > 0)
        s.bind(5, filter.fromMs);
    if (filter.toMs > 0)
        s.bind(6, filter.toMs);
    if (!filter.errorText.isEmpty())
        s.bind(9, likePattern(filter.errorText));
    if (!filter.userId.isEmpty())
        s.bind(10, filter.userId);
    if (!filter.errorPattern.isEmpty())
        s.bind(12, filter.errorPattern);
    return s;
}

std::vector<Message> SqliteStore::listMessages(const MessageFilter &filter, qint64 nowMs, int offset, int limit)
{
    static const std::string select = std::string("SELECT ") + kMessageColumns;
    const std::string tail = orderBy(filter) + " LIMIT ?7 OFFSET ?8";
    auto &s = filtered(select.c_str(), filter, nowMs, tail.c_str());
    s.bind(7, limit).bind(8, offset);
    return readMessages(s);
}

qint64 SqliteStore::countMessages(const MessageFilter &filter, qint64 nowMs)
{
    auto &s = filtered("SELECT count(*)", filter, nowMs, "");
    qint64 n = 0;
    if (s.next())
        n = s.i64(0);
    s.reset();
    return n;
}

std::vector<qint64> SqliteStore::selectSeqs(const MessageFilter &filter, qint64 nowMs)
{
    auto &s = filtered("SELECT seq", filter, nowMs, " ORDER BY seq");
    std::vector<qint64> out;
    while (s.next())
        out.push_back(s.i64(0));
    return out;
}

qint64 SqliteStore::positionOf(const MessageFilter &filter, qint64 nowMs, qint64 seq)
{
    auto &member = filtered("SELECT count(*)", filter, nowMs, " AND seq = ?11");
    member.bind(11, seq);
    const bool matches = member.next() && member.i64(0) > 0;
    member.reset();
    if (!matches)
        return -1;
    const char *cmp = filter.descending ? " > " : " < ";
    const std::string key = sortKey(filter.sort);
    const std::string tail = filter.sort == MessageSort::Seq
        ? std::string(" AND seq") + cmp + "?11"
        : " AND (" + key + ", seq)" + cmp + "(SELECT " + key + ", seq FROM messages WHERE seq = ?11)";
    auto &s = filtered("SELECT count(*)", filter, nowMs, tail.c_str());
    s.bind(11, seq);
    qint64 n = 0;
    if (s.next())
        n = s.i64(0);
    s.reset();
    return n;
}

bool SqliteStore::updateBody(qint64 seq, const QByteArray &body, ContentType type)
{
    begin();
    stmt("UPDATE messages SET body = ?2, content_type = ?3 WHERE seq = ?1")
        .bind(1, seq)
        .bindBlob(2, body)
        .bind(3, qint64(type))
        .run();
    return sqlite3_changes(m_db) == 1;
}

bool SqliteStore::openReader(QString *error)
{
    const QByteArray path = m_path.toUtf8();
    if (sqlite3_open_v2(path.constData(), &m_db, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, nullptr) != SQLITE_OK) {
        *error = QStringLiteral("cannot open store %1: %2").arg(m_path, QString::fromUtf8(sqlite3_errmsg(m_db)));
        sqlite3_close_v2(m_db);
        m_db = nullptr;
        return false;
    }
    sqlite3_busy_timeout(m_db, 5000);
    // A small cache: readers fetch pages by index, and the OS caches the file for both.
    if (!exec("PRAGMA cache_size=-8192", error) || !exec("PRAGMA temp_store=MEMORY", error))
        return false;
    if (schemaVersion() != kSchemaVersion) {
        *error = QStringLiteral("store %1 has schema version %2, not %3").arg(m_path).arg(schemaVersion()).arg(kSchemaVersion);
        return false;
    }
    return true;
}

std::vector<AuditEntry> SqliteStore::auditMentioning(const QString &text, int limit)
{
    auto &s = stmt("SELECT id, ts_ms, action, queue, detail FROM audit WHERE detail LIKE ?1 ESCAPE '\\' "
                   "ORDER BY id DESC LIMIT ?2");
    s.bind(1, likePattern(text)).bind(2, limit);
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

void SqliteStore::beginRead()
{
    exec("BEGIN");
}

void SqliteStore::endRead()
{
    exec("COMMIT");
}

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
    stmt("UPDATE batches SET size = ?8, ended_ms = ?2, acked = ?3, retried = ?4, dead_lettered = ?5, failed = ?6, error = ?7 "
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
    static const std::string all = std::string("SELECT ") + kBatchColumns + " FROM batches ORDER BY id DESC LIMIT ?2";
    static const std::string one
        = std::string("SELECT ") + kBatchColumns + " FROM batches WHERE queue_id = ?1 ORDER BY id DESC LIMIT ?2";
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
    auto &s = stmt("INSERT INTO attempts(message_seq, message_id, queue_id, attempt, batch_id, started_ms, ended_ms, "
                   "outcome, error) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)");
    for (const AttemptRecord &a : attempts) {
        s.bind(1, a.messageSeq)
            .bind(2, a.messageId)
            .bind(3, a.queueId)
            .bind(4, a.attempt)
            .bind(5, a.batchId)
            .bind(6, a.startedMs)
            .bind(7, a.endedMs)
            .bind(8, a.outcome)
            .bind(9, a.error)
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
        a.outcome = s.text(7);
        a.error = s.text(8);
        out.push_back(std::move(a));
    }
    return out;
}
} // namespace

std::vector<AttemptRecord> SqliteStore::attemptsForMessage(qint64 seq)
{
    auto &s = stmt("SELECT message_seq, message_id, queue_id, attempt, batch_id, started_ms, ended_ms, outcome, error "
                   "FROM attempts WHERE message_seq = ?1 ORDER BY id DESC");
    s.bind(1, seq);
    return readAttempts(s);
}

std::vector<AttemptRecord> SqliteStore::attemptsForBatch(qint64 batchId)
{
    auto &s = stmt("SELECT message_seq, message_id, queue_id, attempt, batch_id, started_ms, ended_ms, outcome, error "
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

std::vector<AuditEntry> SqliteStore::audit(int limit)
{
    auto &s = stmt("SELECT id, ts_ms, action, queue, detail FROM audit ORDER BY id DESC LIMIT ?1");
    s.bind(1, limit);
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

namespace {
constexpr const char *kResultColumns
    = "id, message_seq, message_id, queue_id, user_id, url, final_url, mime, format, width, height, bytes, sha256, "
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
    auto &s = stmt("INSERT OR REPLACE INTO results(message_seq, message_id, queue_id, user_id, url, final_url, mime, "
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

SqliteStatement &SqliteStore::filteredResults(const char *select, const ResultFilter &filter, const char *tail)
{
    std::string sql = select;
    sql += " FROM results WHERE 1";
    if (!filter.userId.isEmpty())
        sql += " AND user_id = ?1";
    if (!filter.text.isEmpty())
        sql += " AND (message_id = ?2 OR sha256 = ?2 OR url LIKE ?3 ESCAPE '\\' OR final_url LIKE ?3 ESCAPE '\\' "
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
    auto &s = filteredResults("SELECT count(*)", filter, "");
    qint64 n = 0;
    if (s.next())
        n = s.i64(0);
    s.reset();
    return n;
}

} // namespace qd
