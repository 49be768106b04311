#include "sqlitestore.h"

#include "messagefiltersql.h"
#include "sqlitestatement.h"
#include "walsync.h"

#include <QDir>
#include <QElapsedTimer>
#include <QFileInfo>
#include <QJsonDocument>
#include <QStringList>

#include <sqlite3.h>

#include <algorithm>
#include <string>
#include <unordered_map>
#include <utility>
#include <variant>

namespace qd {

struct SqliteStore::Cache {
    std::unordered_map<std::string, std::unique_ptr<SqliteStatement>> statements;
};

namespace {

// Written into every store's header (PRAGMA application_id): "QDk1". A non-empty database
// without it is someone else's, and is left as it was found.
constexpr qint64 kApplicationId = 0x51446b31;
// How long start-up may spend on PRAGMA quick_check; a bigger store is checked in part.
constexpr qint64 kIntegrityBudgetMs = 300;
// The tables every version of the schema has had: a file with them and no mark was made by
// a QueueDeck from before the mark, and is adopted.
const QStringList kFirstTables = { QStringLiteral("attempts"), QStringLiteral("audit"),
    QStringLiteral("batches"), QStringLiteral("messages"), QStringLiteral("queues") };

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
        if (m_transaction.open)
            commit(&error);
        if (m_sync) {
            m_sync->stop();
            // Closing may checkpoint and remove the log: that must sync the file first.
            exec("PRAGMA synchronous=FULL");
        }
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
    const QString folder = QFileInfo(m_path).absolutePath();
    if (!QDir().mkpath(folder)) {
        *error = QStringLiteral("cannot create the folder %1 for the store: choose another --data-dir")
                     .arg(folder);
        return false;
    }
    const QByteArray path = m_path.toUtf8();
    const auto refuse = [this](QString *out, const QString &text) {
        *out = text;
        sqlite3_close_v2(m_db);
        m_db = nullptr;
        return false;
    };
    if (sqlite3_open_v2(path.constData(), &m_db,
            SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr)
        != SQLITE_OK)
        return refuse(error,
            QStringLiteral("cannot open store %1: %2").arg(m_path, QString::fromUtf8(sqlite3_errmsg(m_db))));
    // SQLite quietly opens a file it may not write read-only; every commit would then fail.
    if (sqlite3_db_readonly(m_db, "main") == 1)
        return refuse(error,
            QStringLiteral("the store %1 cannot be written by this user: give this user write access to the "
                           "file and its folder (chown or chmod), or choose another --data-dir")
                .arg(m_path));
    sqlite3_busy_timeout(m_db, 5000);
    // Nothing is written before the file is known to be ours (or new).
    if (!checkOwnership(error) || !checkIntegrity(error))
        return refuse(error, *error);
    if (!exec("PRAGMA journal_mode=WAL", error) || !exec("PRAGMA synchronous=FULL", error)
        || !exec("PRAGMA foreign_keys=OFF", error) || !exec("PRAGMA cache_size=-65536", error)
        || !exec("PRAGMA temp_store=MEMORY", error) || !migrate(error))
        return refuse(error, QStringLiteral("cannot prepare the store %1: %2").arg(m_path, *error));
    // A write that must reach the disk now, so that a store that cannot take writes (its
    // folder read-only, the disk full) stops the start instead of failing the first send.
    if (!probeWrite(error))
        return refuse(error,
            QStringLiteral("cannot write to the store %1: %2. Free space on its disk or give this user "
                           "write access to the file and its folder, or choose another --data-dir")
                .arg(m_path, *error));
    // From here COMMIT only writes the log; WalSync syncs it and checkpoints, off this thread.
    m_sync = std::make_unique<WalSync>();
    m_sync->setDownFlag(&m_down);
    if (!exec("PRAGMA synchronous=OFF", error) || !exec("PRAGMA wal_autocheckpoint=0", error)
        || !m_sync->start(m_db, m_path, error)) {
        m_sync.reset();
        return refuse(error, QStringLiteral("cannot prepare the store %1: %2").arg(m_path, *error));
    }
    return true;
}

void SqliteStore::whenSynced(std::function<void(const QString &error)> done)
{
    if (m_sync)
        m_sync->whenSynced(std::move(done));
    else
        done({});
}

void SqliteStore::waitSynced()
{
    if (m_sync)
        m_sync->waitAll();
}

bool SqliteStore::checkOwnership(QString *error)
{
    auto &version = stmt("PRAGMA application_id");
    const bool readable = version.next();
    const qint64 applicationId = readable ? version.i64(0) : 0;
    version.reset();
    if (!readable) {
        const QString why = QString::fromUtf8(sqlite3_errmsg(m_db));
        *error = sqlite3_errcode(m_db) == SQLITE_NOTADB
            ? QStringLiteral("%1 is not a SQLite database (%2); QueueDeck leaves it untouched: choose "
                             "another --data-dir, or move the file away")
                  .arg(m_path, why)
            : QStringLiteral(
                "cannot read the store %1 (%2): give this user access to the file and its folder "
                "(SQLite keeps -wal and -shm files beside it), or choose another --data-dir")
                  .arg(m_path, why);
        return false;
    }
    if (applicationId == kApplicationId)
        return true;
    QStringList tables;
    SqliteStatement list(m_db, "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name",
        SqliteStatement::Lifetime::OneShot);
    while (list.next())
        tables.append(list.text(0));
    if (applicationId == 0 && tables.isEmpty())
        return true; // a new store
    const int version0 = schemaVersion();
    const bool oursUnmarked = applicationId == 0 && version0 >= 1 && version0 <= sqliteMigrationCount()
        && std::all_of(
            kFirstTables.begin(), kFirstTables.end(), [&](const QString &t) { return tables.contains(t); });
    if (oursUnmarked)
        return true;
    *error
        = QStringLiteral("%1 is not a QueueDeck store (application id %2, tables: %3); QueueDeck leaves it "
                         "untouched: choose another --data-dir, or move the file away")
              .arg(m_path, QString::number(applicationId), tables.join(QStringLiteral(", ")));
    return false;
}

bool SqliteStore::checkIntegrity(QString *error)
{
    QElapsedTimer clock;
    clock.start();
    sqlite3_progress_handler(
        m_db, 1000,
        [](void *c) { return int(static_cast<QElapsedTimer *>(c)->elapsed() > kIntegrityBudgetMs); }, &clock);
    sqlite3_stmt *check = nullptr;
    QStringList problems;
    int rc = sqlite3_prepare_v2(m_db, "PRAGMA quick_check(5)", -1, &check, nullptr);
    while (rc == SQLITE_OK && (rc = sqlite3_step(check)) == SQLITE_ROW) {
        const auto *text = reinterpret_cast<const char *>(sqlite3_column_text(check, 0));
        const QString line = QString::fromUtf8(text ? text : "");
        if (line != QLatin1String("ok"))
            problems.append(line);
        rc = SQLITE_OK;
    }
    const QString stepError = QString::fromUtf8(sqlite3_errmsg(m_db));
    sqlite3_finalize(check);
    sqlite3_progress_handler(m_db, 0, nullptr, nullptr);
    if (rc == SQLITE_INTERRUPT) {
        qInfo("QueueDeck: the store is too big to check in %lld ms at start; checked in part",
            kIntegrityBudgetMs);
        return true;
    }
    if (rc != SQLITE_DONE)
        problems.append(stepError);
    if (problems.isEmpty())
        return true;
    *error
        = QStringLiteral("the store %1 is damaged (%2): restore it from a backup, or move it away to start "
                         "with an empty store")
              .arg(m_path, problems.join(QStringLiteral("; ")));
    return false;
}

bool SqliteStore::probeWrite(QString *error)
{
    // Rewriting the mark changes the file's header page, so the commit writes and syncs.
    const std::string probe
        = "BEGIN IMMEDIATE; PRAGMA application_id=" + std::to_string(kApplicationId) + "; COMMIT";
    if (exec(probe.c_str(), error))
        return true;
    exec("ROLLBACK");
    return false;
}

bool SqliteStore::reconnect(QString *error)
{
    if (!probeWrite(error))
        return false;
    if (m_sync) {
        if (const QString failed = m_sync->syncNow(); !failed.isEmpty()) {
            *error = failed;
            return false;
        }
    }
    m_down = false;
    return true;
}

bool SqliteStore::migrate(QString *error)
{
    const int current = schemaVersion();
    const int latest = sqliteMigrationCount();
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
        if (!exec(sqliteMigration(v), error) || !exec(bump.c_str(), error) || !exec("COMMIT", error)) {
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
        slot
            = std::make_unique<SqliteStatement>(m_db, sql, SqliteStatement::Lifetime::Cached, &m_transaction);
    return *slot;
}

void SqliteStore::begin()
{
    if (m_transaction.open)
        return;
    m_transaction.open = true;
    m_transaction.failure.clear();
    QString error;
    if (!exec("BEGIN IMMEDIATE", &error))
        m_transaction.failure = QStringLiteral("cannot start a write: ") + error;
}

bool SqliteStore::commit(QString *error)
{
    if (!m_transaction.open)
        return true;
    m_transaction.open = false;
    if (m_transaction.failure.isEmpty() && writeTotals() && exec("COMMIT", error)) {
        if (m_sync)
            m_sync->committed();
        return true;
    }
    if (!m_transaction.failure.isEmpty())
        *error = std::exchange(m_transaction.failure, {});
    exec("ROLLBACK");
    m_totalsDelta.clear();
    // What the broker holds in memory may now be ahead of the file: it starts over from the
    // file once a probe write goes through (reconnect()).
    m_down = true;
    return false;
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
    stmt("DELETE FROM queue_totals WHERE queue_id = ?1").bind(1, id).run();
    std::erase_if(m_totalsDelta, [id](const auto &entry) { return entry.first.first == id; });
    stmt("DELETE FROM batches WHERE queue_id = ?1").bind(1, id).run();
    stmt("DELETE FROM queues WHERE id = ?1").bind(1, id).run();
}

void SqliteStore::insertMessages(std::vector<Message> &messages)
{
    begin();
    auto &s = stmt(
        "INSERT INTO messages(id, queue_id, body, content_type, timestamp_ms, visible_at, attempts, state, "
        "source_queue_id, updated_ms) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?5)");
    const qint64 indexedTo = searchIndexedTo();
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
        count(m.queueId, qint64(m.state), 1, m.body.size());
        // A seq taken again after the newest messages were removed is one the index covers.
        if (m.seq <= indexedTo)
            indexText(m.seq);
    }
}

int SqliteStore::countReady(qint64 queueId, qint64 nowMs, int limit)
{
    auto &s = stmt(
        "SELECT count(*) FROM (SELECT 1 FROM messages WHERE queue_id = ?1 AND state = 0 AND visible_at <= ?2 "
        "LIMIT ?3)");
    s.bind(1, queueId).bind(2, nowMs).bind(3, limit);
    return int(s.scalar().value_or(0));
}

std::optional<qint64> SqliteStore::minPendingVisibleAt(qint64 queueId)
{
    auto &s = stmt("SELECT min(visible_at) FROM messages WHERE queue_id = ?1 AND state = 0");
    s.bind(1, queueId);
    return s.scalar();
}

std::optional<qint64> SqliteStore::minDelayedVisibleAt(qint64 queueId, qint64 nowMs)
{
    auto &s
        = stmt("SELECT min(visible_at) FROM messages WHERE queue_id = ?1 AND state = 0 AND visible_at > ?2");
    s.bind(1, queueId).bind(2, nowMs);
    return s.scalar();
}

std::optional<qint64> SqliteStore::minLeaseExpiry(qint64 queueId)
{
    auto &s = stmt(
        "SELECT min(lease_expires) FROM messages WHERE queue_id = ?1 AND state = 1 AND lease_expires > 0");
    s.bind(1, queueId);
    return s.scalar();
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

std::vector<Message> SqliteStore::claimReady(
    qint64 queueId, qint64 nowMs, int limit, qint64 batchId, qint64 leaseExpiresMs, bool withLeases)
{
    begin();
    static const std::string select = std::string("SELECT ") + kMessageColumns
        + " FROM messages WHERE queue_id = ?1 AND state = 0 AND visible_at <= ?2 ORDER BY visible_at, seq "
          "LIMIT ?3";
    auto &s = stmt(select.c_str());
    s.bind(1, queueId).bind(2, nowMs).bind(3, limit);
    std::vector<Message> claimed = readMessages(s);
    auto &u = stmt(
        "UPDATE messages SET state = 1, attempts = ?2, batch_id = ?3, lease_id = ?4, lease_expires = ?5, "
        "updated_ms = ?6 WHERE seq = ?1");
    for (Message &m : claimed) {
        count(queueId, qint64(m.state), -1, -m.body.size());
        count(queueId, qint64(MessageState::InFlight), 1, m.body.size());
        m.state = MessageState::InFlight;
        m.attempts += 1;
        m.batchId = batchId;
        m.leaseExpiresMs = withLeases ? leaseExpiresMs : 0;
        m.leaseId
            = withLeases ? QString::number(m.seq) + QLatin1Char('-') + newMessageId().left(16) : QString();
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
    auto &keep
        = stmt("UPDATE messages SET state = ?2, queue_id = ?3, visible_at = ?4, attempts = ?5, "
               "source_queue_id = ?6, last_error = ?7, lease_expires = 0, updated_ms = ?8 WHERE seq = ?1");
    auto &drop
        = stmt("UPDATE messages SET state = ?2, queue_id = ?3, visible_at = ?4, attempts = ?5, "
               "source_queue_id = ?6, last_error = ?7, lease_expires = 0, lease_id = NULL, updated_ms = ?8 "
               "WHERE seq = ?1");
    const qint64 indexedTo = searchIndexedTo();
    for (const MessageUpdate &u : updates) {
        const auto row = countOutRow(u.seq);
        if (row)
            count(u.queueId, qint64(u.state), 1, row->size);
        // Most updates (claims, acks) leave the error as it was and the search index alone.
        const bool reindex = row && u.seq <= indexedTo
            && (row->lastError != u.lastError || row->lastError.isNull() != u.lastError.isNull());
        if (reindex)
            unindexText(u.seq);
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
        if (reindex)
            indexText(u.seq);
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
        if (countOutRow(seq))
            m.bind(1, seq).run();
    }
}

qint64 SqliteStore::purgeQueue(qint64 queueId)
{
    begin();
    stmt("DELETE FROM attempts WHERE message_seq IN (SELECT seq FROM messages WHERE queue_id = ?1 AND state "
         "IN (0, 3))")
        .bind(1, queueId)
        .run();
    countOut(stmt("SELECT state, count(*), sum(length(body)) FROM messages WHERE queue_id = ?1 AND state IN "
                  "(0, 3) GROUP BY state")
                 .bind(1, queueId),
        queueId);
    stmt("DELETE FROM messages WHERE queue_id = ?1 AND state IN (0, 3)").bind(1, queueId).run();
    return sqlite3_changes64(m_db);
}

qint64 SqliteStore::expireMessages(qint64 queueId, qint64 olderThanMs)
{
    begin();
    stmt("DELETE FROM attempts WHERE message_seq IN (SELECT seq FROM messages WHERE queue_id = ?1 AND "
         "timestamp_ms < ?2 "
         "AND state IN (0, 2, 3))")
        .bind(1, queueId)
        .bind(2, olderThanMs)
        .run();
    countOut(stmt("SELECT state, count(*), sum(length(body)) FROM messages WHERE queue_id = ?1 AND "
                  "timestamp_ms < ?2 AND state IN (0, 2, 3) GROUP BY state")
                 .bind(1, queueId)
                 .bind(2, olderThanMs),
        queueId);
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

// The totals the triggers keep, then the two figures that depend on the time asked or
// cannot be kept by adding and subtracting: how many waiting messages are not visible yet
// (a range of the (queue_id, state, visible_at) index, as long as the delayed part), and
// the oldest waiting message's timestamp (the first entry of messages_by_age for it).
QueueCounts SqliteStore::totals(qint64 queueId, qint64 nowMs)
{
    QueueCounts c;
    auto &t = stmt("SELECT state, messages, bytes FROM queue_totals WHERE queue_id = ?1");
    t.bind(1, queueId);
    StateTotals kept;
    while (t.next())
        kept[{ queueId, int(t.i64(0)) }] = { t.i64(1), t.i64(2) };
    addUncommittedTotals(kept, queueId);
    // Every waiting message counted ready until the delayed ones are known.
    for (const auto &[key, total] : kept)
        addStateCount(c, MessageState(key.second), total.first, total.first, total.second, 0);
    const qint64 pending = c.ready;
    if (pending == 0)
        return c;
    c.delayed = stmt("SELECT count(*) FROM messages WHERE queue_id = ?1 AND state = 0 AND visible_at > ?2")
                    .bind(1, queueId)
                    .bind(2, nowMs)
                    .scalar()
                    .value_or(0);
    c.ready = pending - c.delayed;
    c.oldestTimestampMs = stmt("SELECT min(timestamp_ms) FROM messages WHERE queue_id = ?1 AND state = 0")
                              .bind(1, queueId)
                              .scalar()
                              .value_or(0);
    return c;
}

void SqliteStore::count(qint64 queueId, qint64 state, qint64 messages, qint64 bytes)
{
    auto &delta = m_totalsDelta[{ queueId, int(state) }];
    delta.first += messages;
    delta.second += bytes;
}

void SqliteStore::countOut(SqliteStatement &s, qint64 queueId)
{
    while (s.next())
        count(queueId, s.i64(0), -s.i64(1), -s.i64(2));
}

std::optional<SqliteStore::CountedRow> SqliteStore::countOutRow(qint64 seq)
{
    auto &s = stmt("SELECT queue_id, state, length(body), last_error FROM messages WHERE seq = ?1");
    s.bind(1, seq);
    if (!s.next())
        return std::nullopt;
    const CountedRow row { s.i64(0), s.i64(1), s.i64(2), s.text(3) };
    s.reset();
    count(row.queueId, row.state, -1, -row.size);
    return row;
}

void SqliteStore::addUncommittedTotals(StateTotals &totals, std::optional<qint64> queueId) const
{
    for (const auto &[key, delta] : m_totalsDelta) {
        if (!queueId || key.first == *queueId) {
            totals[key].first += delta.first;
            totals[key].second += delta.second;
        }
    }
}

bool SqliteStore::writeTotals()
{
    auto &s
        = stmt("INSERT INTO queue_totals VALUES(?1, ?2, ?3, ?4) ON CONFLICT(queue_id, state) DO UPDATE SET "
               "messages = messages + excluded.messages, bytes = bytes + excluded.bytes");
    for (const auto &[key, delta] : std::exchange(m_totalsDelta, {})) {
        if (delta.first != 0 || delta.second != 0)
            s.bind(1, key.first).bind(2, key.second).bind(3, delta.first).bind(4, delta.second).run();
    }
    return m_transaction.failure.isEmpty();
}

std::vector<std::pair<QString, QString>> SqliteStore::statementPlans()
{
    std::vector<std::pair<QString, QString>> out;
    for (const auto &[sql, statement] : m_cache->statements) {
        QStringList steps;
        SqliteStatement plan(m_db, "EXPLAIN QUERY PLAN " + sql, SqliteStatement::Lifetime::OneShot);
        while (plan.next())
            steps.append(plan.text(3));
        out.emplace_back(QString::fromStdString(sql), steps.join(QLatin1String("; ")));
    }
    return out;
}

QString SqliteStore::totalsMismatch()
{
    const auto read = [this](const char *sql) {
        StateTotals out;
        SqliteStatement s(m_db, sql, SqliteStatement::Lifetime::OneShot);
        while (s.next())
            out[{ s.i64(0), int(s.i64(1)) }] = { s.i64(2), s.i64(3) };
        return out;
    };
    StateTotals kept = read("SELECT queue_id, state, messages, bytes FROM queue_totals");
    addUncommittedTotals(kept, std::nullopt);
    return compareTotals(kept,
        read("SELECT queue_id, state, count(*), coalesce(sum(length(body)), 0) FROM messages GROUP BY 1, 2"));
}

QueueCounts SqliteStore::counts(qint64 queueId, qint64 nowMs)
{
    return totals(queueId, nowMs);
}

QueueCounts SqliteStore::backlog(qint64 queueId, qint64 nowMs)
{
    QueueCounts c = totals(queueId, nowMs);
    c.inFlight = c.acked = c.failed = 0;
    return c;
}

bool SqliteStore::updateBody(qint64 seq, const QByteArray &body, ContentType type)
{
    begin();
    const auto row = countOutRow(seq);
    if (!row)
        return false;
    count(row->queueId, row->state, 1, body.size());
    const bool reindex = seq <= searchIndexedTo();
    if (reindex)
        unindexText(seq);
    stmt("UPDATE messages SET body = ?2, content_type = ?3 WHERE seq = ?1")
        .bind(1, seq)
        .bindBlob(2, body)
        .bind(3, qint64(type))
        .run();
    if (reindex)
        indexText(seq);
    return true;
}

bool SqliteStore::openReader(QString *error)
{
    const QByteArray path = m_path.toUtf8();
    if (sqlite3_open_v2(path.constData(), &m_db, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, nullptr)
        != SQLITE_OK) {
        *error
            = QStringLiteral("cannot open store %1: %2").arg(m_path, QString::fromUtf8(sqlite3_errmsg(m_db)));
        sqlite3_close_v2(m_db);
        m_db = nullptr;
        return false;
    }
    sqlite3_busy_timeout(m_db, 5000);
    // A small cache: readers fetch pages by index, and the OS caches the file for both.
    if (!exec("PRAGMA cache_size=-8192", error) || !exec("PRAGMA temp_store=MEMORY", error))
        return false;
    if (schemaVersion() != kSchemaVersion) {
        *error = QStringLiteral("store %1 has schema version %2, not %3")
                     .arg(m_path)
                     .arg(schemaVersion())
                     .arg(kSchemaVersion);
        return false;
    }
    return true;
}

void SqliteStore::beginRead()
{
    exec("BEGIN");
}

void SqliteStore::endRead()
{
    exec("COMMIT");
}

} // namespace qd
