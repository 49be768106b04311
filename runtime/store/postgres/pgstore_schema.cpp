// The PostgreSQL store's schema: the SQLite store's migrations in PostgreSQL's dialect, one
// per version, so both stores are at the same version with the same tables.
#include "pgstore.h"

#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>

#include <iterator>

namespace qd {

namespace {

const char *const kPgMigrations[] = {
    R"sql(
    CREATE TABLE queues(
        id BIGSERIAL PRIMARY KEY,
        name TEXT NOT NULL UNIQUE,
        settings TEXT NOT NULL,
        created_ms BIGINT NOT NULL,
        modified_ms BIGINT NOT NULL);
    CREATE TABLE messages(
        seq BIGSERIAL PRIMARY KEY,
        id TEXT NOT NULL,
        queue_id BIGINT NOT NULL,
        body BYTEA NOT NULL,
        content_type INTEGER NOT NULL,
        timestamp_ms BIGINT NOT NULL,
        visible_at BIGINT NOT NULL,
        attempts INTEGER NOT NULL DEFAULT 0,
        state INTEGER NOT NULL DEFAULT 0,
        lease_id TEXT,
        lease_expires BIGINT NOT NULL DEFAULT 0,
        batch_id BIGINT NOT NULL DEFAULT 0,
        source_queue_id BIGINT NOT NULL DEFAULT 0,
        last_error TEXT,
        updated_ms BIGINT NOT NULL DEFAULT 0,
        user_id TEXT,
        image_url TEXT);
    CREATE UNIQUE INDEX messages_by_id ON messages(id);
    CREATE INDEX messages_by_queue_state ON messages(queue_id, state, visible_at, seq);
    CREATE INDEX messages_leased ON messages(queue_id, lease_expires) WHERE state = 1 AND lease_expires > 0;
    CREATE TABLE batches(
        id BIGSERIAL PRIMARY KEY,
        queue_id BIGINT NOT NULL,
        created_ms BIGINT NOT NULL,
        cut_reason TEXT NOT NULL,
        size INTEGER NOT NULL,
        ended_ms BIGINT NOT NULL DEFAULT 0,
        acked INTEGER NOT NULL DEFAULT 0,
        retried INTEGER NOT NULL DEFAULT 0,
        dead_lettered INTEGER NOT NULL DEFAULT 0,
        failed INTEGER NOT NULL DEFAULT 0,
        error TEXT);
    CREATE TABLE attempts(
        id BIGSERIAL PRIMARY KEY,
        message_seq BIGINT NOT NULL,
        message_id TEXT NOT NULL,
        queue_id BIGINT NOT NULL,
        attempt INTEGER NOT NULL,
        batch_id BIGINT NOT NULL,
        started_ms BIGINT NOT NULL,
        ended_ms BIGINT NOT NULL,
        outcome TEXT NOT NULL,
        error TEXT);
    CREATE INDEX attempts_by_message ON attempts(message_seq);
    CREATE INDEX attempts_by_batch ON attempts(batch_id);
    CREATE TABLE audit(
        id BIGSERIAL PRIMARY KEY,
        ts_ms BIGINT NOT NULL,
        action TEXT NOT NULL,
        queue TEXT,
        detail TEXT);
    )sql",
    R"sql(
    CREATE TABLE results(
        id BIGSERIAL PRIMARY KEY,
        message_seq BIGINT NOT NULL,
        message_id TEXT NOT NULL,
        queue_id BIGINT NOT NULL,
        user_id TEXT,
        url TEXT NOT NULL,
        final_url TEXT,
        mime TEXT,
        format TEXT,
        width INTEGER NOT NULL DEFAULT 0,
        height INTEGER NOT NULL DEFAULT 0,
        bytes BIGINT NOT NULL DEFAULT 0,
        sha256 TEXT,
        orientation INTEGER NOT NULL DEFAULT 1,
        thumbnail BYTEA,
        fetch_ms BIGINT NOT NULL DEFAULT 0,
        decode_ms BIGINT NOT NULL DEFAULT 0,
        created_ms BIGINT NOT NULL);
    CREATE UNIQUE INDEX results_by_message ON results(message_id);
    CREATE INDEX results_by_user ON results(user_id, id);
    CREATE INDEX results_by_sha256 ON results(sha256);
    )sql",
    R"sql(
    CREATE TABLE metric_rollups(
        minute_ms BIGINT NOT NULL,
        queue TEXT NOT NULL,
        interval_ms BIGINT NOT NULL,
        ready BIGINT NOT NULL, delayed BIGINT NOT NULL, in_flight BIGINT NOT NULL,
        failed BIGINT NOT NULL, dlq BIGINT NOT NULL, oldest_age_ms BIGINT NOT NULL,
        written BIGINT NOT NULL, delivered BIGINT NOT NULL, acked BIGINT NOT NULL,
        retried BIGINT NOT NULL, dead_lettered BIGINT NOT NULL, failed_new BIGINT NOT NULL,
        batches BIGINT NOT NULL, batches_by_size BIGINT NOT NULL, batches_by_timeout BIGINT NOT NULL,
        batch_messages BIGINT NOT NULL,
        processing_samples BIGINT NOT NULL, processing_p50 BIGINT NOT NULL, processing_p95 BIGINT NOT NULL,
        e2e_samples BIGINT NOT NULL, e2e_p50 BIGINT NOT NULL, e2e_p95 BIGINT NOT NULL,
        PRIMARY KEY(minute_ms, queue));
    )sql",
    R"sql(
    CREATE INDEX messages_failures ON messages(seq) WHERE state = 3 OR source_queue_id <> 0;
    )sql",
    // 5: runtimes sharing the store. Each has a row it keeps alive; a push batch belongs to
    // the node that claimed it, so the others can take it back when that node dies.
    R"sql(
    CREATE TABLE nodes(
        id BIGSERIAL PRIMARY KEY,
        host TEXT NOT NULL,
        pid BIGINT NOT NULL,
        endpoint TEXT,
        started_ms BIGINT NOT NULL,
        timeout_ms BIGINT NOT NULL,
        heartbeat TIMESTAMPTZ NOT NULL DEFAULT clock_timestamp(),
        batches_in_flight INTEGER NOT NULL DEFAULT 0,
        acked BIGINT NOT NULL DEFAULT 0,
        throughput DOUBLE PRECISION NOT NULL DEFAULT 0);
    ALTER TABLE messages ADD COLUMN node_id BIGINT NOT NULL DEFAULT 0;
    ALTER TABLE batches ADD COLUMN node_id BIGINT NOT NULL DEFAULT 0;
    CREATE INDEX messages_in_flight ON messages(node_id) WHERE state = 1;
    CREATE INDEX batches_open ON batches(queue_id) WHERE ended_ms = 0;
    )sql",
    // 6: each node's running totals per queue, so every node's charts count all nodes' work.
    R"sql(
    CREATE TABLE node_counters(
        node_id BIGINT NOT NULL,
        queue_id BIGINT NOT NULL,
        written BIGINT NOT NULL, delivered BIGINT NOT NULL, acked BIGINT NOT NULL,
        retried BIGINT NOT NULL, dead_lettered BIGINT NOT NULL, failed BIGINT NOT NULL,
        expired BIGINT NOT NULL, batches BIGINT NOT NULL, batches_by_size BIGINT NOT NULL,
        batches_by_timeout BIGINT NOT NULL, batch_messages BIGINT NOT NULL,
        PRIMARY KEY(node_id, queue_id));
    )sql",
    // 7: counts that cost the same at any backlog (docs/architecture.md, "Counts"). Each
    // statement that adds, removes or moves messages adds its net change per queue and state
    // to a row of its own connection (stripe = the backend's pid), so nodes committing at
    // once never wait on each other's counter rows; a read adds up the stripes.
    // messages_by_age finds the oldest waiting message, and the messages past retention,
    // without visiting the rest.
    R"sql(
    CREATE TABLE queue_totals(
        queue_id BIGINT NOT NULL,
        state INTEGER NOT NULL,
        stripe INTEGER NOT NULL,
        messages BIGINT NOT NULL,
        bytes BIGINT NOT NULL,
        PRIMARY KEY(queue_id, state, stripe));
    INSERT INTO queue_totals
        SELECT queue_id, state, 0, count(*), coalesce(sum(length(body)), 0) FROM messages GROUP BY 1, 2;
    CREATE INDEX messages_by_age ON messages(queue_id, state, timestamp_ms);
    CREATE FUNCTION queue_totals_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        INSERT INTO queue_totals AS t
            SELECT queue_id, state, pg_backend_pid(), count(*), coalesce(sum(length(body)), 0)
            FROM added GROUP BY 1, 2 ORDER BY 1, 2
            ON CONFLICT(queue_id, state, stripe)
            DO UPDATE SET messages = t.messages + excluded.messages, bytes = t.bytes + excluded.bytes;
        RETURN NULL;
    END $$;
    CREATE FUNCTION queue_totals_deleted() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        INSERT INTO queue_totals AS t
            SELECT queue_id, state, pg_backend_pid(), -count(*), -coalesce(sum(length(body)), 0)
            FROM removed GROUP BY 1, 2 ORDER BY 1, 2
            ON CONFLICT(queue_id, state, stripe)
            DO UPDATE SET messages = t.messages + excluded.messages, bytes = t.bytes + excluded.bytes;
        RETURN NULL;
    END $$;
    CREATE FUNCTION queue_totals_updated() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        INSERT INTO queue_totals AS t
            SELECT queue_id, state, pg_backend_pid(), sum(n), sum(b) FROM (
                SELECT queue_id, state, 1 AS n, length(body) AS b FROM after
                UNION ALL SELECT queue_id, state, -1, -length(body) FROM before) AS change
            GROUP BY 1, 2 HAVING sum(n) <> 0 OR sum(b) <> 0 ORDER BY 1, 2
            ON CONFLICT(queue_id, state, stripe)
            DO UPDATE SET messages = t.messages + excluded.messages, bytes = t.bytes + excluded.bytes;
        RETURN NULL;
    END $$;
    CREATE TRIGGER queue_totals_insert AFTER INSERT ON messages REFERENCING NEW TABLE AS added
        FOR EACH STATEMENT EXECUTE FUNCTION queue_totals_inserted();
    CREATE TRIGGER queue_totals_delete AFTER DELETE ON messages REFERENCING OLD TABLE AS removed
        FOR EACH STATEMENT EXECUTE FUNCTION queue_totals_deleted();
    CREATE TRIGGER queue_totals_update AFTER UPDATE ON messages REFERENCING OLD TABLE AS before NEW TABLE AS after
        FOR EACH STATEMENT EXECUTE FUNCTION queue_totals_updated();
    )sql",
    // 8: what a Worker's queue() printed during an attempt (docs/workers.md, "Logs").
    R"sql(
    ALTER TABLE attempts ADD COLUMN logs TEXT;
    )sql",
    // 9: search that costs the same at any backlog (docs/architecture.md, "Search"): trigram
    // indexes (pg_trgm) on the expressions a free-text search compares, so ILIKE '%text%'
    // reads the index instead of every row; times on their own for since:/from/to; and the
    // message table's sort keys (MessageFilterSql's, as written there) with seq for ties, so
    // a page in their order is read in order, not sorted.
    // qd_body_text() is a body as SQLite's CAST(body AS TEXT) LIKE sees it: its bytes up to
    // the first NUL, one character per byte (LATIN1 maps every byte but NUL), so bodies that
    // are not UTF-8 are searched too, and non-ASCII text is compared byte for byte; ASCII
    // letters in lower case, as SQLite's LIKE ignores their case only. It is a function so an
    // index can hold it: convert_from() is only STABLE, though this conversion never changes.
    // pg_trgm goes into public once per database, under a lock, as stores in several schemas
    // of one database migrate at once; its operator class is named through its schema, which
    // need not be on this store's search_path.
    R"sql(
    SELECT pg_advisory_xact_lock(7170, 9);
    CREATE EXTENSION IF NOT EXISTS pg_trgm SCHEMA public;
    CREATE FUNCTION qd_body_text(body BYTEA) RETURNS TEXT LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
        SELECT translate(convert_from(substring(body FROM 1 FOR coalesce(nullif(position('\x00'::bytea IN body), 0)
            - 1, length(body))), 'LATIN1'), 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz')
    $$;
    DO $$
    DECLARE
        ops TEXT := (SELECT quote_ident(n.nspname) || '.gin_trgm_ops' FROM pg_extension e
            JOIN pg_namespace n ON n.oid = e.extnamespace WHERE e.extname = 'pg_trgm');
    BEGIN
        EXECUTE format('CREATE INDEX messages_body_trgm ON messages USING gin (qd_body_text(body) %s)', ops);
        EXECUTE format('CREATE INDEX messages_error_trgm ON messages USING gin (last_error %s)', ops);
    END $$;
    CREATE INDEX messages_by_time ON messages(timestamp_ms);
    CREATE INDEX messages_by_user ON messages((coalesce(user_id, '') COLLATE "C"), seq);
    CREATE INDEX messages_by_url ON messages((coalesce(image_url, '') COLLATE "C"), seq);
    CREATE INDEX messages_by_error ON messages((coalesce(last_error, '') COLLATE "C"), seq);
    )sql",
    // 10: the free-text search's trigram indexes move to a table of their own, message_search
    // (docs/architecture.md, "Search"). On messages every claim and every ack wrote a new
    // entry into both GIN indexes, trigrams of the body computed again, as an update that
    // changes the state cannot be a HOT one: that was 40 % of the database's CPU per message
    // on the claim and ack path. message_search holds each message's searched text; a
    // statement's triggers keep it in step with messages, a row per message inserted, and on
    // an update only for the messages whose body or error changed.
    R"sql(
    CREATE TABLE message_search(
        seq BIGINT PRIMARY KEY,
        body_text TEXT NOT NULL,
        error_text TEXT);
    INSERT INTO message_search SELECT seq, qd_body_text(body), last_error FROM messages;
    DROP INDEX messages_body_trgm;
    DROP INDEX messages_error_trgm;
    DO $$
    DECLARE
        ops TEXT := (SELECT quote_ident(n.nspname) || '.gin_trgm_ops' FROM pg_extension e
            JOIN pg_namespace n ON n.oid = e.extnamespace WHERE e.extname = 'pg_trgm');
    BEGIN
        EXECUTE format('CREATE INDEX message_search_body_trgm ON message_search USING gin (body_text %s)', ops);
        EXECUTE format('CREATE INDEX message_search_error_trgm ON message_search USING gin (error_text %s)', ops);
    END $$;
    CREATE FUNCTION message_search_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        INSERT INTO message_search SELECT seq, qd_body_text(body), last_error FROM added;
        RETURN NULL;
    END $$;
    -- Row by row through the primary key: joined with a transition table, which has no
    -- statistics, the planner read message_search whole on every update.
    CREATE FUNCTION message_search_updated() RETURNS trigger LANGUAGE plpgsql AS $$
    DECLARE
        changed RECORD;
    BEGIN
        FOR changed IN SELECT a.seq, a.body, a.last_error FROM after AS a JOIN before AS b ON a.seq = b.seq
                WHERE a.last_error IS DISTINCT FROM b.last_error OR a.body <> b.body LOOP
            UPDATE message_search SET body_text = qd_body_text(changed.body), error_text = changed.last_error
                WHERE seq = changed.seq;
        END LOOP;
        RETURN NULL;
    END $$;
    CREATE FUNCTION message_search_deleted() RETURNS trigger LANGUAGE plpgsql AS $$
    DECLARE
        gone BIGINT;
    BEGIN
        IF (SELECT count(*) FROM removed) > 10000 THEN -- a purge or retention: one pass
            DELETE FROM message_search WHERE seq IN (SELECT seq FROM removed);
        ELSE
            FOR gone IN SELECT seq FROM removed LOOP
                DELETE FROM message_search WHERE seq = gone;
            END LOOP;
        END IF;
        RETURN NULL;
    END $$;
    CREATE TRIGGER message_search_insert AFTER INSERT ON messages REFERENCING NEW TABLE AS added
        FOR EACH STATEMENT EXECUTE FUNCTION message_search_inserted();
    CREATE TRIGGER message_search_update AFTER UPDATE ON messages REFERENCING OLD TABLE AS before
        NEW TABLE AS after FOR EACH STATEMENT EXECUTE FUNCTION message_search_updated();
    CREATE TRIGGER message_search_delete AFTER DELETE ON messages REFERENCING OLD TABLE AS removed
        FOR EACH STATEMENT EXECUTE FUNCTION message_search_deleted();
    )sql",
    // 11: the oldest waiting message of a queue (the backlog's age, on every send's answer and
    // in /metrics) from an index of the waiting messages alone. With messages_by_time beside
    // messages_by_age the planner took the time index and passed over every message already
    // claimed or acked, the oldest ones, on its way to the first waiting one: 45 ms at
    // 200,000 messages, growing with the table. Only sends write to it: a claim's new row is
    // not waiting, so it gets no entry.
    R"sql(
    CREATE INDEX messages_pending_age ON messages(queue_id, timestamp_ms) WHERE state = 0;
    )sql",
    // 12: a message's state in a narrow table of its own, message_state, apart from its body
    // and the indexes of search and sorting, now on message_bodies (docs/architecture.md,
    // "The message tables"). A claim or an ack changes the state, which indexes hold, so it
    // cannot be a HOT update: it wrote a new row version with the body and an entry in every
    // index of the table, eleven of them, where now it writes a short row and three or four.
    // The view `messages` joins the two for reads; writes name the table they change. The
    // totals' triggers move to message_state and add up its `bytes` (the body's length). It is
    // vacuumed after 1 % of its rows changed: until then every claim steps over the old index
    // entries of the messages claimed before it.
    R"sql(
    ALTER TABLE messages RENAME TO message_bodies;
    DROP TRIGGER IF EXISTS queue_totals_insert ON message_bodies;
    DROP TRIGGER IF EXISTS queue_totals_delete ON message_bodies;
    DROP TRIGGER IF EXISTS queue_totals_update ON message_bodies;
    CREATE TABLE message_state(
        seq BIGINT PRIMARY KEY,
        queue_id BIGINT NOT NULL,
        state INTEGER NOT NULL DEFAULT 0,
        visible_at BIGINT NOT NULL,
        attempts INTEGER NOT NULL DEFAULT 0,
        lease_id TEXT,
        lease_expires BIGINT NOT NULL DEFAULT 0,
        batch_id BIGINT NOT NULL DEFAULT 0,
        source_queue_id BIGINT NOT NULL DEFAULT 0,
        updated_ms BIGINT NOT NULL DEFAULT 0,
        node_id BIGINT NOT NULL DEFAULT 0,
        timestamp_ms BIGINT NOT NULL,
        bytes BIGINT NOT NULL);
    INSERT INTO message_state SELECT seq, queue_id, state, visible_at, attempts, lease_id, lease_expires,
        batch_id, source_queue_id, updated_ms, node_id, timestamp_ms, length(body) FROM message_bodies;
    DROP INDEX IF EXISTS messages_by_queue_state, messages_leased, messages_failures, messages_in_flight,
        messages_by_age, messages_pending_age;
    ALTER TABLE message_bodies DROP COLUMN queue_id, DROP COLUMN state, DROP COLUMN visible_at,
        DROP COLUMN attempts, DROP COLUMN lease_id, DROP COLUMN lease_expires, DROP COLUMN batch_id,
        DROP COLUMN source_queue_id, DROP COLUMN updated_ms, DROP COLUMN node_id;
    CREATE INDEX message_state_by_queue ON message_state(queue_id, state, visible_at, seq);
    CREATE INDEX message_state_by_age ON message_state(queue_id, state, timestamp_ms);
    CREATE INDEX message_state_leased ON message_state(queue_id, lease_expires)
        WHERE state = 1 AND lease_expires > 0;
    CREATE INDEX message_state_failures ON message_state(seq) WHERE state = 3 OR source_queue_id <> 0;
    CREATE INDEX message_state_in_flight ON message_state(node_id) WHERE state = 1;
    ALTER TABLE message_state SET (autovacuum_vacuum_scale_factor = 0.01, autovacuum_vacuum_threshold = 1000);
    CREATE OR REPLACE FUNCTION queue_totals_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        INSERT INTO queue_totals AS t
            SELECT queue_id, state, pg_backend_pid(), count(*), coalesce(sum(bytes), 0)
            FROM added GROUP BY 1, 2 ORDER BY 1, 2
            ON CONFLICT(queue_id, state, stripe)
            DO UPDATE SET messages = t.messages + excluded.messages, bytes = t.bytes + excluded.bytes;
        RETURN NULL;
    END $$;
    CREATE OR REPLACE FUNCTION queue_totals_deleted() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        INSERT INTO queue_totals AS t
            SELECT queue_id, state, pg_backend_pid(), -count(*), -coalesce(sum(bytes), 0)
            FROM removed GROUP BY 1, 2 ORDER BY 1, 2
            ON CONFLICT(queue_id, state, stripe)
            DO UPDATE SET messages = t.messages + excluded.messages, bytes = t.bytes + excluded.bytes;
        RETURN NULL;
    END $$;
    CREATE OR REPLACE FUNCTION queue_totals_updated() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        INSERT INTO queue_totals AS t
            SELECT queue_id, state, pg_backend_pid(), sum(n), sum(b) FROM (
                SELECT queue_id, state, 1 AS n, bytes AS b FROM after
                UNION ALL SELECT queue_id, state, -1, -bytes FROM before) AS change
            GROUP BY 1, 2 HAVING sum(n) <> 0 OR sum(b) <> 0 ORDER BY 1, 2
            ON CONFLICT(queue_id, state, stripe)
            DO UPDATE SET messages = t.messages + excluded.messages, bytes = t.bytes + excluded.bytes;
        RETURN NULL;
    END $$;
    CREATE TRIGGER queue_totals_insert AFTER INSERT ON message_state REFERENCING NEW TABLE AS added
        FOR EACH STATEMENT EXECUTE FUNCTION queue_totals_inserted();
    CREATE TRIGGER queue_totals_delete AFTER DELETE ON message_state REFERENCING OLD TABLE AS removed
        FOR EACH STATEMENT EXECUTE FUNCTION queue_totals_deleted();
    CREATE TRIGGER queue_totals_update AFTER UPDATE ON message_state REFERENCING OLD TABLE AS before
        NEW TABLE AS after FOR EACH STATEMENT EXECUTE FUNCTION queue_totals_updated();
    CREATE VIEW messages AS SELECT s.seq, b.id, s.queue_id, b.body, b.content_type, b.timestamp_ms,
        s.visible_at, s.attempts, s.state, s.lease_id, s.lease_expires, s.batch_id, s.source_queue_id,
        b.last_error, s.updated_ms, s.node_id, b.user_id, b.image_url
        FROM message_state AS s JOIN message_bodies AS b ON b.seq = s.seq;
    ANALYZE message_state;
    )sql",
};

static_assert(std::size(kPgMigrations) == PgStore::kSchemaVersion);

} // namespace

int PgStore::schemaVersion()
{
    QSqlQuery q(QSqlDatabase::database(m_connection, false));
    if (!q.exec(QStringLiteral("SELECT version FROM qd_schema")) || !q.next())
        return 0;
    return q.value(0).toInt();
}

bool PgStore::migrate(QString *error)
{
    QSqlDatabase db = QSqlDatabase::database(m_connection, false);
    QSqlQuery q(db);
    const auto fail = [&](const QString &what) {
        *error = sqlf(QStringLiteral("cannot migrate the PostgreSQL store %1: %2: %3"),
            displayStoreSpec(m_spec), what, q.lastError().text());
        db.rollback();
        return false;
    };
    // Nodes starting together migrate one at a time: the lock is held until commit.
    if (!db.transaction())
        return fail(QStringLiteral("BEGIN"));
    if (!q.exec(sqlf(QStringLiteral("SELECT pg_advisory_xact_lock(%1, 0)"), m_lockClass)))
        return fail(QStringLiteral("lock"));
    if (!q.exec(QStringLiteral("CREATE TABLE IF NOT EXISTS qd_schema(version INTEGER NOT NULL)")))
        return fail(QStringLiteral("qd_schema"));
    int current = 0;
    if (!q.exec(QStringLiteral("SELECT version FROM qd_schema")))
        return fail(QStringLiteral("version"));
    if (q.next())
        current = q.value(0).toInt();
    else if (!q.exec(QStringLiteral("INSERT INTO qd_schema VALUES(0)")))
        return fail(QStringLiteral("version"));
    if (current > kSchemaVersion) {
        db.rollback();
        *error = sqlf(
            QStringLiteral("store %1 has schema version %2, newer than this QueueDeck understands (%3)"),
            displayStoreSpec(m_spec), current, kSchemaVersion);
        return false;
    }
    for (int v = current; v < kSchemaVersion; ++v) {
        if (!q.exec(QString::fromUtf8(kPgMigrations[v])))
            return fail(sqlf(QStringLiteral("version %1"), v + 1));
        if (!q.exec(sqlf(QStringLiteral("UPDATE qd_schema SET version = %1"), v + 1)))
            return fail(sqlf(QStringLiteral("version %1"), v + 1));
    }
    if (!db.commit())
        return fail(QStringLiteral("COMMIT"));
    return true;
}

} // namespace qd
