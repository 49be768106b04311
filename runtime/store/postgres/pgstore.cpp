#include "pgstore.h"

#include "messagefiltersql.h"
#include "pgsync.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QObject>
#include <QSqlDatabase>
#include <QSqlDriver>
#include <QSqlError>
#include <QSqlField>
#include <QSqlQuery>
#include <QUrl>
#include <QUrlQuery>

#include <algorithm>
#include <atomic>
#include <tuple>

namespace qd {

namespace {

QString nextConnectionName()
{
    static std::atomic<int> counter { 0 };
    return sqlf(QStringLiteral("queuedeck-pg-%1"), counter.fetch_add(1));
}

} // namespace

PgStore::PgStore(QString spec)
    : m_spec(std::move(spec))
    , m_connection(nextConnectionName())
{
    const QUrl url(m_spec);
    m_schema = QUrlQuery(url).queryItemValue(QStringLiteral("schema"));
    if (m_schema.isEmpty())
        m_schema = QStringLiteral("public");
    m_channel = QStringLiteral("queuedeck_") + m_schema.toLower();
    m_lockClass = int(qHash(m_schema) & 0x3fffffff);
}

PgStore::~PgStore()
{
    if (QSqlDatabase::contains(m_connection)) {
        {
            QSqlDatabase db = QSqlDatabase::database(m_connection, false);
            if (db.isOpen() && !m_down) {
                QString error;
                commit(&error);
            }
            m_sync.reset(); // after a last sync of what was committed
            m_notifications.reset();
            m_prepared.clear();
            db.close();
        }
        QSqlDatabase::removeDatabase(m_connection);
    }
}

QString PgStore::lit(const QString &s) const
{
    if (s.isNull())
        return QStringLiteral("NULL");
    QSqlField f(QString(), QMetaType::fromType<QString>());
    QString clean = s;
    clean.remove(QChar(0)); // PostgreSQL text cannot hold NUL
    f.setValue(clean);
    return QSqlDatabase::database(m_connection, false).driver()->formatValue(f);
}

QString PgStore::lit(const QByteArray &b) const
{
    QSqlField f(QString(), QMetaType::fromType<QByteArray>());
    f.setValue(b.isNull() ? QByteArray("") : b);
    return QSqlDatabase::database(m_connection, false).driver()->formatValue(f);
}

bool PgStore::run(QSqlQuery &q, const QString &sql)
{
    if (m_down && m_reader && !m_inTransaction
        && (!m_lastReconnect.isValid() || m_lastReconnect.hasExpired(1000))) {
        // A view's reader comes back by itself; the writer's broker decides when it does.
        m_lastReconnect.start();
        QString error;
        reconnect(&error);
    }
    if (m_down || (m_inTransaction && m_failed))
        return false;
    if (m_statementLog)
        m_statementLog->push_back(sql);
    q.setForwardOnly(true);
    if (q.exec(sql))
        return true;
    failed(q.lastError().text().trimmed());
    return false;
}

bool PgStore::run(const QString &sql)
{
    QSqlQuery q(QSqlDatabase::database(m_connection, false));
    return run(q, sql);
}

QSqlQuery *PgStore::prepared(const char *sql, const QVariantList &values)
{
    flushInserts();
    if (m_down || (m_inTransaction && m_failed))
        return nullptr;
    auto &slot = m_prepared[sql];
    if (!slot) {
        slot = std::make_unique<QSqlQuery>(QSqlDatabase::database(m_connection, false));
        slot->setForwardOnly(true);
        if (!slot->prepare(QString::fromUtf8(sql))) {
            const QString error = slot->lastError().text().trimmed();
            slot.reset();
            failed(error);
            return nullptr;
        }
    }
    QSqlQuery *q = slot.get();
    for (int i = 0; i < values.size(); ++i)
        q->bindValue(i, values.at(i));
    if (m_statementLog) {
        // The statement as text, each ? replaced by its value (none of them is in a literal).
        QString text;
        int next = 0;
        for (const QChar c : QString::fromUtf8(sql)) {
            if (c != QLatin1Char('?') || next >= values.size()) {
                text += c;
                continue;
            }
            const QVariant &v = values.at(next++);
            text += v.typeId() == QMetaType::QString ? lit(v.toString())
                : v.typeId() == QMetaType::Bool      ? QString::fromLatin1(v.toBool() ? "true" : "false")
                                                     : v.toString();
        }
        m_statementLog->push_back(text);
    }
    if (q->exec())
        return q;
    failed(q->lastError().text().trimmed());
    return nullptr;
}

void PgStore::failed(const QString &error)
{
    qWarning("QueueDeck: PostgreSQL: %s", qPrintable(error));
    // In a transaction the statement aborted it: the commit reports the failure. Outside
    // one, a failure may be the connection itself.
    if (m_inTransaction) {
        m_failed = true;
        m_failure = error;
    } else {
        checkConnection();
    }
}

std::optional<qint64> PgStore::preparedScalar(const char *sql, const QVariantList &values)
{
    QSqlQuery *q = prepared(sql, values);
    if (!q || !q->next() || q->isNull(0))
        return std::nullopt;
    const qint64 v = q->value(0).toLongLong();
    q->finish();
    return v;
}

std::optional<qint64> PgStore::scalar(const QString &sql)
{
    flushInserts();
    QSqlQuery q(QSqlDatabase::database(m_connection, false));
    if (!run(q, sql) || !q.next() || q.isNull(0))
        return std::nullopt;
    return q.value(0).toLongLong();
}

void PgStore::begin()
{
    if (m_inTransaction || m_down)
        return;
    QSqlDatabase db = QSqlDatabase::database(m_connection, false);
    m_failed = false;
    if (!db.transaction()) {
        checkConnection();
        m_failed = true;
        m_failure = db.lastError().text();
    }
    m_inTransaction = true;
}

bool PgStore::commit(QString *error)
{
    flushInserts();
    if (!m_inTransaction) {
        if (m_down) {
            *error = QStringLiteral("the database is unreachable");
            return false;
        }
        return true;
    }
    m_inTransaction = false;
    QSqlDatabase db = QSqlDatabase::database(m_connection, false);
    if (!m_failed && !m_notify.isEmpty()) {
        QStringList ids;
        for (qint64 id : std::as_const(m_notify))
            ids.append(QString::number(id));
        QSqlQuery q(db);
        if (!q.exec(sqlf(QStringLiteral("SELECT pg_notify(%1, x) FROM unnest(ARRAY['%2']) AS x"),
                lit(m_channel), ids.join(QLatin1String("','"))))) {
            m_failed = true;
            m_failure = q.lastError().text();
        }
    }
    m_notify.clear();
    if (!m_failed && db.commit()) {
        if (m_sync)
            m_sync->committed();
        return true;
    }
    *error = m_failed ? m_failure : db.lastError().text();
    db.rollback();
    m_failed = false;
    checkConnection();
    if (m_down)
        *error = QStringLiteral("the database is unreachable: ") + error->trimmed();
    return false;
}

std::vector<QueueRecord> PgStore::loadQueues()
{
    std::vector<QueueRecord> out;
    QSqlQuery q(QSqlDatabase::database(m_connection, false));
    if (!run(q, QStringLiteral("SELECT id, name, settings, created_ms, modified_ms FROM queues ORDER BY id")))
        return out;
    while (q.next()) {
        QueueRecord r;
        r.id = q.value(0).toLongLong();
        r.name = q.value(1).toString();
        r.settings.applyJson(QJsonDocument::fromJson(q.value(2).toString().toUtf8()).object());
        r.createdMs = q.value(3).toLongLong();
        r.modifiedMs = q.value(4).toLongLong();
        out.push_back(std::move(r));
    }
    return out;
}

qint64 PgStore::insertQueue(const QString &name, const QueueSettings &settings, qint64 nowMs)
{
    begin();
    const QString json = QString::fromUtf8(QJsonDocument(settings.toJson()).toJson(QJsonDocument::Compact));
    notifyQueue(-1);
    // Nodes that create the same queue at once (the default one, at start) share one row.
    return scalar(
        sqlf(QStringLiteral("INSERT INTO queues(name, settings, created_ms, modified_ms) "
                            "VALUES(%1, %2, %3, %3) ON CONFLICT (name) DO UPDATE SET name = EXCLUDED.name "
                            "RETURNING id"),
            lit(name), lit(json), nowMs))
        .value_or(0);
}

void PgStore::updateQueue(qint64 id, const QString &name, const QueueSettings &settings, qint64 nowMs)
{
    begin();
    const QString json = QString::fromUtf8(QJsonDocument(settings.toJson()).toJson(QJsonDocument::Compact));
    run(sqlf(QStringLiteral("UPDATE queues SET name = %2, settings = %3, modified_ms = %4 WHERE id = %1"), id,
        lit(name), lit(json), nowMs));
    notifyQueue(-1);
}

void PgStore::deleteQueue(qint64 id)
{
    begin();
    flushInserts();
    run(sqlf(QStringLiteral("DELETE FROM attempts WHERE queue_id = %1"), id));
    deleteMessagesWhere(sqlf(QStringLiteral("queue_id = %1"), id));
    run(sqlf(QStringLiteral("DELETE FROM batches WHERE queue_id = %1"), id));
    run(sqlf(QStringLiteral("DELETE FROM queues WHERE id = %1"), id));
    notifyQueue(-1);
}

void PgStore::insertMessages(std::vector<Message> &messages)
{
    begin();
    for (const Message &m : messages)
        m_pendingInserts.push_back(m);
    if (m_pendingInserts.size() >= 1000)
        flushInserts();
}

void PgStore::flushInserts()
{
    if (m_pendingInserts.empty())
        return;
    const std::vector<Message> pending = std::exchange(m_pendingInserts, {});
    // One statement for both tables: the bodies take their seqs, and the state rows join
    // them by id (unique).
    QString sql = QStringLiteral("WITH v(id, queue_id, body, content_type, timestamp_ms, visible_at, "
                                 "attempts, state, source_queue_id, "
                                 "user_id, image_url) AS (VALUES ");
    sql.reserve(qsizetype(pending.size()) * 200);
    bool first = true;
    for (const Message &m : pending) {
        // Kept in columns of their own, so PostgreSQL need not parse every body to sort and
        // filter by them (it has no json_valid before version 16).
        const auto [user, url] = imageJobFields(m);
        sql += first ? QStringLiteral("(") : QStringLiteral(",(");
        first = false;
        sql += lit(m.id) + QLatin1Char(',') + QString::number(m.queueId) + QStringLiteral("::bigint,")
            + lit(m.body) + QStringLiteral("::bytea,") + QString::number(int(m.contentType))
            + QLatin1Char(',') + QString::number(m.timestampMs) + QStringLiteral("::bigint,")
            + QString::number(m.visibleAtMs) + QStringLiteral("::bigint,") + QString::number(m.attempts)
            + QLatin1Char(',') + QString::number(int(m.state)) + QLatin1Char(',')
            + QString::number(m.sourceQueueId) + QStringLiteral("::bigint,") + lit(user) + QLatin1Char(',')
            + lit(url) + QLatin1Char(')');
        notifyQueue(m.queueId);
    }
    sql += QStringLiteral(
        "), b AS (INSERT INTO message_bodies(id, body, content_type, timestamp_ms, user_id, image_url) "
        "SELECT id, body, content_type, timestamp_ms, user_id, image_url FROM v RETURNING seq, id) "
        "INSERT INTO message_state(seq, queue_id, state, visible_at, attempts, source_queue_id, updated_ms, "
        "timestamp_ms, bytes) SELECT b.seq, v.queue_id, v.state, v.visible_at, v.attempts, "
        "v.source_queue_id, "
        "v.timestamp_ms, v.timestamp_ms, length(v.body) FROM b JOIN v ON v.id = b.id");
    run(sql);
}

int PgStore::countReady(qint64 queueId, qint64 nowMs, int limit)
{
    return int(
        preparedScalar("SELECT count(*) FROM (SELECT 1 FROM message_state WHERE queue_id = ? AND state = 0 "
                       "AND visible_at <= ? LIMIT ?) AS r",
            { queueId, nowMs, limit })
            .value_or(0));
}

std::optional<qint64> PgStore::minPendingVisibleAt(qint64 queueId)
{
    return preparedScalar(
        "SELECT min(visible_at) FROM message_state WHERE queue_id = ? AND state = 0", { queueId });
}

std::optional<qint64> PgStore::minDelayedVisibleAt(qint64 queueId, qint64 nowMs)
{
    return preparedScalar(
        "SELECT min(visible_at) FROM message_state WHERE queue_id = ? AND state = 0 AND visible_at > ?",
        { queueId, nowMs });
}

std::optional<qint64> PgStore::minLeaseExpiry(qint64 queueId)
{
    return preparedScalar(
        "SELECT min(lease_expires) FROM message_state WHERE queue_id = ? AND state = 1 AND lease_expires > 0",
        { queueId });
}

std::vector<Message> PgStore::readMessages(const QString &sql)
{
    flushInserts();
    QSqlQuery q(QSqlDatabase::database(m_connection, false));
    if (!run(q, sql))
        return {};
    return readMessageRows(q);
}

std::vector<Message> PgStore::readMessageRows(QSqlQuery &q)
{
    std::vector<Message> out;
    while (q.next()) {
        Message m;
        m.seq = q.value(0).toLongLong();
        m.id = q.value(1).toString();
        m.queueId = q.value(2).toLongLong();
        m.body = q.value(3).toByteArray();
        m.contentType = ContentType(q.value(4).toInt());
        m.timestampMs = q.value(5).toLongLong();
        m.visibleAtMs = q.value(6).toLongLong();
        m.attempts = q.value(7).toInt();
        m.state = MessageState(q.value(8).toInt());
        m.leaseId = q.value(9).toString();
        m.leaseExpiresMs = q.value(10).toLongLong();
        m.batchId = q.value(11).toLongLong();
        m.sourceQueueId = q.value(12).toLongLong();
        m.lastError = q.value(13).toString();
        m.updatedMs = q.value(14).toLongLong();
        out.push_back(std::move(m));
    }
    return out;
}

std::vector<Message> PgStore::claimReady(
    qint64 queueId, qint64 nowMs, int limit, qint64 batchId, qint64 leaseExpiresMs, bool withLeases)
{
    begin();
    // One statement: SKIP LOCKED passes over rows another node is claiming in its open
    // transaction, so no message is in two batches at once and no node waits for another.
    QSqlQuery *q = prepared(
        "WITH c AS (SELECT seq FROM message_state WHERE queue_id = ? AND state = 0 AND visible_at <= ? "
        "ORDER BY visible_at, seq LIMIT ? FOR UPDATE SKIP LOCKED), "
        "u AS (UPDATE message_state AS m SET state = 1, attempts = m.attempts + 1, batch_id = ?, "
        "lease_id = CASE WHEN ? THEN m.seq || '-' || substr(md5(random()::text), 1, 16) END, "
        "lease_expires = ?, updated_ms = ?, node_id = ? FROM c WHERE m.seq = c.seq "
        "RETURNING m.seq, m.queue_id, m.visible_at, m.attempts, m.state, m.lease_id, m.lease_expires, "
        "m.batch_id, m.source_queue_id, m.updated_ms) "
        "SELECT u.seq, b.id, u.queue_id, b.body, b.content_type, b.timestamp_ms, u.visible_at, u.attempts, "
        "u.state, u.lease_id, u.lease_expires, u.batch_id, u.source_queue_id, b.last_error, u.updated_ms "
        "FROM u JOIN message_bodies AS b ON b.seq = u.seq",
        { queueId, nowMs, limit, batchId, withLeases, withLeases ? leaseExpiresMs : 0, nowMs, m_nodeId });
    if (!q)
        return {};
    std::vector<Message> claimed = readMessageRows(*q);
    std::sort(claimed.begin(), claimed.end(), [](const Message &a, const Message &b) {
        return std::tie(a.visibleAtMs, a.seq) < std::tie(b.visibleAtMs, b.seq);
    });
    return claimed;
}

std::vector<Message> PgStore::expiredLeases(qint64 queueId, qint64 nowMs)
{
    begin();
    return readMessages(
        sqlf(QStringLiteral("SELECT %1 FROM messages WHERE seq IN (SELECT seq FROM message_state WHERE "
                            "queue_id = %2 AND state = 1 AND lease_expires > 0 AND lease_expires <= %3 "
                            "FOR UPDATE SKIP LOCKED)"),
            QLatin1String(kMessageColumns), queueId, nowMs));
}

void PgStore::updateMessages(const std::vector<MessageUpdate> &updates, qint64 nowMs)
{
    if (updates.empty())
        return;
    begin();
    flushInserts();
    QStringList rows;
    QStringList errors;
    for (const MessageUpdate &u : updates) {
        rows.append(
            sqlf(QStringLiteral("(%1,%2,%3,%4,%5,%6,%7)"), u.seq, int(u.state), u.queueId, u.visibleAtMs,
                u.attempts, u.sourceQueueId, u.keepLease ? QStringLiteral("true") : QStringLiteral("false")));
        // An update carries the message's error as the broker knows it: the one it had, or a
        // new one. Only those with one can change the stored text (none is ever cleared).
        if (!u.lastError.isNull())
            errors.append(sqlf(QStringLiteral("(%1,%2)"), u.seq, lit(u.lastError)));
        if (u.state == MessageState::Pending)
            notifyQueue(u.queueId);
    }
    run(sqlf(QStringLiteral(
                 "UPDATE message_state AS m SET state = v.state, queue_id = v.queue, visible_at = v.visible, "
                 "attempts = v.attempts, source_queue_id = v.source, "
                 "lease_expires = 0, lease_id = CASE WHEN v.keep THEN m.lease_id END, updated_ms = %1 "
                 "FROM (VALUES %2) AS v(seq, state, queue, visible, attempts, source, keep) "
                 "WHERE m.seq = v.seq"),
        nowMs, rows.join(QLatin1Char(','))));
    if (!errors.isEmpty())
        run(sqlf(
            QStringLiteral("UPDATE message_bodies AS b SET last_error = v.error FROM (VALUES %1) AS "
                           "v(seq, error) WHERE b.seq = v.seq AND b.last_error IS DISTINCT FROM v.error"),
            errors.join(QLatin1Char(','))));
}

std::optional<Message> PgStore::messageBySeq(qint64 seq)
{
    auto rows = readMessages(
        sqlf(QStringLiteral("SELECT %1 FROM messages WHERE seq = %2"), QLatin1String(kMessageColumns), seq));
    if (rows.empty())
        return std::nullopt;
    return std::move(rows.front());
}

std::optional<Message> PgStore::messageById(const QString &id)
{
    auto rows = readMessages(sqlf(
        QStringLiteral("SELECT %1 FROM messages WHERE id = %2"), QLatin1String(kMessageColumns), lit(id)));
    if (rows.empty())
        return std::nullopt;
    return std::move(rows.front());
}

void PgStore::deleteMessages(const std::vector<qint64> &seqs)
{
    if (seqs.empty())
        return;
    begin();
    flushInserts();
    QStringList list;
    for (qint64 s : seqs)
        list.append(QString::number(s));
    const QString in = list.join(QLatin1Char(','));
    run(sqlf(QStringLiteral("DELETE FROM attempts WHERE message_seq IN (%1)"), in));
    deleteMessagesWhere(sqlf(QStringLiteral("seq IN (%1)"), in));
}

bool PgStore::updateBody(qint64 seq, const QByteArray &body, ContentType type)
{
    begin();
    flushInserts();
    Message m;
    m.body = body;
    m.contentType = type;
    const auto [user, url] = imageJobFields(m);
    QSqlQuery q(QSqlDatabase::database(m_connection, false));
    return run(q,
               sqlf(
                   QStringLiteral(
                       "UPDATE message_bodies SET body = %2, content_type = %3, user_id = %4, image_url = %5 "
                       "WHERE seq = %1"),
                   seq, lit(body), int(type), lit(user), lit(url)))
        && q.numRowsAffected() == 1
        && run(sqlf(
            QStringLiteral("UPDATE message_state SET bytes = %2 WHERE seq = %1"), seq, qint64(body.size())));
}

qint64 PgStore::purgeQueue(qint64 queueId)
{
    begin();
    flushInserts();
    const QString which = sqlf(QStringLiteral("queue_id = %1 AND state IN (0, 3)"), queueId);
    run(sqlf(
        QStringLiteral("DELETE FROM attempts WHERE message_seq IN (SELECT seq FROM message_state WHERE %1)"),
        which));
    return deleteMessagesWhere(which);
}

qint64 PgStore::expireMessages(qint64 queueId, qint64 olderThanMs)
{
    begin();
    flushInserts();
    run(sqlf(
        QStringLiteral(
            "DELETE FROM attempts WHERE message_seq IN (SELECT seq FROM message_state WHERE queue_id = %1 "
            "AND timestamp_ms < %2 AND state IN (0, 2, 3))"),
        queueId, olderThanMs));
    // Acked messages past retention are only history: removed, but not counted as expired.
    deleteMessagesWhere(
        sqlf(QStringLiteral("queue_id = %1 AND timestamp_ms < %2 AND state = 2"), queueId, olderThanMs));
    return deleteMessagesWhere(sqlf(
        QStringLiteral("queue_id = %1 AND timestamp_ms < %2 AND state IN (0, 3)"), queueId, olderThanMs));
}

qint64 PgStore::deleteMessagesWhere(const QString &condition)
{
    // Both tables in one statement; the body's triggers drop its searched text.
    QSqlQuery q(QSqlDatabase::database(m_connection, false));
    if (!run(q,
            sqlf(QStringLiteral("WITH gone AS (DELETE FROM message_state WHERE %1 RETURNING seq) "
                                "DELETE FROM message_bodies WHERE seq IN (SELECT seq FROM gone)"),
                condition)))
        return 0;
    return q.numRowsAffected();
}

// PostgreSQL keeps its trigram indexes as rows are written (pgstore_schema.cpp, version 9).
int PgStore::indexSearchText(int)
{
    return 0;
}

std::vector<Message> PgStore::inFlightWithoutLease()
{
    begin();
    // Push batches of nodes whose heartbeat stopped (or whose row is gone); this node's own
    // are still being worked on.
    return readMessages(
        sqlf(QStringLiteral(
                 "SELECT %1 FROM messages WHERE seq IN (SELECT seq FROM message_state WHERE state = 1 "
                 "AND lease_expires = 0 AND node_id <> %2 AND node_id NOT IN (SELECT id FROM nodes WHERE "
                 "heartbeat > clock_timestamp() - timeout_ms * interval '1 millisecond') "
                 "FOR UPDATE SKIP LOCKED)"),
            QLatin1String(kMessageColumns), m_nodeId));
}

// As in SqliteStore::totals(): the kept totals (added up over the connections' stripes),
// then how many waiting messages are not visible yet and the oldest one's timestamp, both
// from an index.
QueueCounts PgStore::totals(qint64 queueId, qint64 nowMs)
{
    QueueCounts c;
    QSqlQuery *q = prepared(
        "SELECT state, sum(messages), sum(bytes) FROM queue_totals WHERE queue_id = ? GROUP BY state",
        { queueId });
    if (!q)
        return c;
    while (q->next()) { // every waiting message counted ready until the delayed ones are known
        const qint64 n = q->value(1).toLongLong();
        addStateCount(c, MessageState(q->value(0).toInt()), n, n, q->value(2).toLongLong(), 0);
    }
    const qint64 pending = c.ready;
    q->finish();
    if (pending == 0)
        return c;
    q = prepared("SELECT count(*) FROM message_state WHERE queue_id = ? AND state = 0 AND visible_at > ?",
        { queueId, nowMs });
    if (q && q->next())
        c.delayed = q->value(0).toLongLong();
    if (q)
        q->finish();
    c.ready = pending - c.delayed;
    q = prepared("SELECT min(timestamp_ms) FROM message_state WHERE queue_id = ? AND state = 0", { queueId });
    if (q && q->next())
        c.oldestTimestampMs = q->value(0).toLongLong();
    if (q)
        q->finish();
    return c;
}

QString PgStore::totalsMismatch()
{
    flushInserts();
    const auto read = [this](const QString &sql) {
        StateTotals out;
        QSqlQuery q(QSqlDatabase::database(m_connection, false));
        if (run(q, sql)) {
            while (q.next())
                out[{ q.value(0).toLongLong(), q.value(1).toInt() }]
                    = { q.value(2).toLongLong(), q.value(3).toLongLong() };
        }
        return out;
    };
    return compareTotals(
        read(QStringLiteral(
            "SELECT queue_id, state, sum(messages), sum(bytes) FROM queue_totals GROUP BY 1, 2")),
        read(QStringLiteral(
            "SELECT queue_id, state, count(*), coalesce(sum(length(body)), 0) FROM messages GROUP BY 1, 2")));
}

QueueCounts PgStore::counts(qint64 queueId, qint64 nowMs)
{
    return totals(queueId, nowMs);
}

QueueCounts PgStore::backlog(qint64 queueId, qint64 nowMs)
{
    QueueCounts c = totals(queueId, nowMs);
    c.inFlight = c.acked = c.failed = 0;
    return c;
}

} // namespace qd
