// The SQLite store's schema, one migration per version.
#include "sqlitestatement.h"
#include "sqlitestore.h"

#include <iterator>

namespace qd {

namespace {

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
    // 5: runtimes sharing a store. A SQLite file has one runtime, so these stay empty; they
    // are here so both stores have the same schema at the same version.
    R"sql(
    CREATE TABLE nodes(
        id INTEGER PRIMARY KEY,
        host TEXT NOT NULL,
        pid INTEGER NOT NULL,
        endpoint TEXT,
        started_ms INTEGER NOT NULL,
        timeout_ms INTEGER NOT NULL,
        heartbeat INTEGER NOT NULL DEFAULT 0,
        batches_in_flight INTEGER NOT NULL DEFAULT 0,
        acked INTEGER NOT NULL DEFAULT 0,
        throughput REAL NOT NULL DEFAULT 0);
    ALTER TABLE messages ADD COLUMN node_id INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE batches ADD COLUMN node_id INTEGER NOT NULL DEFAULT 0;
    )sql",
    // 6: each node's running totals per queue (shared stores; empty here).
    R"sql(
    CREATE TABLE node_counters(
        node_id INTEGER NOT NULL,
        queue_id INTEGER NOT NULL,
        written INTEGER NOT NULL, delivered INTEGER NOT NULL, acked INTEGER NOT NULL,
        retried INTEGER NOT NULL, dead_lettered INTEGER NOT NULL, failed INTEGER NOT NULL,
        expired INTEGER NOT NULL, batches INTEGER NOT NULL, batches_by_size INTEGER NOT NULL,
        batches_by_timeout INTEGER NOT NULL, batch_messages INTEGER NOT NULL,
        PRIMARY KEY(node_id, queue_id));
    )sql",
    // 7: counts that cost the same at any backlog (docs/architecture.md, "Counts"). Triggers
    // kept each queue's messages and body bytes per state in the transaction that changes
    // them (until 9). messages_by_age finds the oldest waiting message, and the messages past
    // retention, without visiting the rest.
    R"sql(
    CREATE TABLE queue_totals(
        queue_id INTEGER NOT NULL,
        state INTEGER NOT NULL,
        messages INTEGER NOT NULL,
        bytes INTEGER NOT NULL,
        PRIMARY KEY(queue_id, state)) WITHOUT ROWID;
    INSERT INTO queue_totals
        SELECT queue_id, state, count(*), coalesce(sum(length(body)), 0) FROM messages GROUP BY 1, 2;
    CREATE INDEX messages_by_age ON messages(queue_id, state, timestamp_ms);
    CREATE TRIGGER queue_totals_insert AFTER INSERT ON messages BEGIN
        INSERT INTO queue_totals VALUES(NEW.queue_id, NEW.state, 1, length(NEW.body))
            ON CONFLICT(queue_id, state) DO UPDATE SET messages = messages + 1, bytes = bytes + excluded.bytes;
    END;
    CREATE TRIGGER queue_totals_delete AFTER DELETE ON messages BEGIN
        UPDATE queue_totals SET messages = messages - 1, bytes = bytes - length(OLD.body)
            WHERE queue_id = OLD.queue_id AND state = OLD.state;
    END;
    CREATE TRIGGER queue_totals_update AFTER UPDATE OF queue_id, state, body ON messages
        WHEN OLD.queue_id <> NEW.queue_id OR OLD.state <> NEW.state OR length(OLD.body) <> length(NEW.body)
    BEGIN
        UPDATE queue_totals SET messages = messages - 1, bytes = bytes - length(OLD.body)
            WHERE queue_id = OLD.queue_id AND state = OLD.state;
        INSERT INTO queue_totals VALUES(NEW.queue_id, NEW.state, 1, length(NEW.body))
            ON CONFLICT(queue_id, state) DO UPDATE SET messages = messages + 1, bytes = bytes + excluded.bytes;
    END;
    )sql",
    // 8: what a Worker's queue() printed during an attempt (a JSON array of lines; NULL when
    // it printed nothing or the consumer is not a Worker). docs/workers.md, "Logs".
    R"sql(
    ALTER TABLE attempts ADD COLUMN logs TEXT;
    )sql",
    // 9: queue_totals is kept by the store's own writes, one row per queue and state touched
    // per commit (SqliteStore::writeTotals), instead of by triggers that ran once per message
    // and doubled the cost of a message's way through the store.
    R"sql(
    DROP TRIGGER queue_totals_insert;
    DROP TRIGGER queue_totals_delete;
    DROP TRIGGER queue_totals_update;
    )sql",
    // 10: search that costs the same at any backlog (docs/architecture.md, "Search"). A
    // trigram index of each message's body and last error narrows a free-text search down
    // to the rows that hold all of the text's trigrams; the search's LIKE then decides. It
    // keeps no copy of the text (content='') and no positions or sizes (detail, columnsize),
    // which keeps it small and cheap to write. Sends do not wait for it: the writer indexes
    // the messages after search_indexed.seq in chunks (indexSearchText()), and a search reads
    // those few row by row. The store's writes keep the entries of indexed rows as they
    // change (insertMessages, updateMessages, updateBody), not triggers, which would run
    // once per message on the send and ack paths; removing an indexed row's entry takes the
    // values it was indexed with, which only a trigger has as OLD on the bulk deletes
    // (purge, retention, a deleted queue), none of which is on the send path. Times index
    // on their own for since:/from/to filters. The sort keys by user, URL and error are not
    // indexed here: those indexes (two of them parsing each JSON body) cost sends about half
    // their rate (docs/architecture.md).
    R"sql(
    CREATE VIRTUAL TABLE message_text USING fts5(body_text, error_text, content='', tokenize='trigram',
        detail='none', columnsize=0);
    CREATE TABLE search_indexed(seq INTEGER NOT NULL);
    INSERT INTO search_indexed VALUES(0);
    CREATE TRIGGER message_text_delete AFTER DELETE ON messages
        WHEN OLD.seq <= (SELECT seq FROM search_indexed)
    BEGIN
        INSERT INTO message_text(message_text, rowid, body_text, error_text)
            VALUES('delete', OLD.seq, OLD.body, OLD.last_error);
    END;
    CREATE INDEX messages_by_time ON messages(timestamp_ms);
    )sql",
};

static_assert(std::size(kMigrations) == SqliteStore::kSchemaVersion);

} // namespace

int sqliteMigrationCount()
{
    return int(std::size(kMigrations));
}

const char *sqliteMigration(int index)
{
    return kMigrations[index];
}

} // namespace qd
