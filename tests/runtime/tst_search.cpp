// Free-text search through the stores' trigram indexes (docs/architecture.md, "Search"): what
// a search finds while messages are sent, fail with new errors, are edited, deleted, purged
// and expired, and that it reaches them through the index, not by reading every row. On both
// stores; a store made by the schema before the index is migrated and searchable.
#include "brokerfixture.h"
#include "messagefiltersql.h"
#include "sqlitestore.h"

#include "../testpg.h"
#include "../teststore.h"

#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>

#include <sqlite3.h>

using namespace qdtest;

namespace {

bool onPostgres(const BrokerFixture &fx)
{
    return qd::isPostgresSpec(fx.storeSpec());
}

// Runs `sql` (statements separated by ';') on a connection of the test's own to the store's
// database; answers the last column of the rows the last statement returns, one a line.
QString runSql(const BrokerFixture &fx, const QString &sql)
{
    QString out;
    if (onPostgres(fx)) {
        const QString name = QStringLiteral("tst_search");
        {
            const QString schema = qdtest::addTestPgConnection(fx.storeSpec(), name);
            QSqlDatabase db = QSqlDatabase::database(name, false);
            if (!db.open())
                qFatal("cannot open the database: %s", qPrintable(db.lastError().text()));
            QSqlQuery q(db);
            if (!q.exec(QStringLiteral("SET search_path TO ") + schema))
                qFatal("search_path: %s", qPrintable(q.lastError().text()));
            for (const QString &statement : sql.split(QLatin1Char(';'), Qt::SkipEmptyParts)) {
                if (!q.exec(statement))
                    qFatal("%s: %s", qPrintable(statement), qPrintable(q.lastError().text()));
            }
            while (q.isSelect() && q.next())
                out += q.value(0).toString() + QLatin1Char('\n');
        }
        QSqlDatabase::removeDatabase(name);
        return out;
    }
    sqlite3 *db = nullptr;
    if (sqlite3_open_v2(fx.path().toUtf8().constData(), &db, SQLITE_OPEN_READWRITE, nullptr) != SQLITE_OK)
        qFatal("cannot open %s", qPrintable(fx.path()));
    for (const QString &statement : sql.split(QLatin1Char(';'), Qt::SkipEmptyParts)) {
        sqlite3_stmt *s = nullptr;
        if (sqlite3_prepare_v2(db, statement.toUtf8().constData(), -1, &s, nullptr) != SQLITE_OK)
            qFatal("%s: %s", qPrintable(statement), sqlite3_errmsg(db));
        out.clear();
        int rc = SQLITE_ROW;
        while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
            const int column = sqlite3_column_count(s) - 1; // EXPLAIN QUERY PLAN's detail is last
            out += QString::fromUtf8(reinterpret_cast<const char *>(sqlite3_column_text(s, column)))
                + QLatin1Char('\n');
        }
        if (rc != SQLITE_DONE)
            qFatal("%s: %s", qPrintable(statement), sqlite3_errmsg(db));
        sqlite3_finalize(s);
    }
    sqlite3_close(db);
    return out;
}

// How the store plans the first page of `filter`. PostgreSQL plans by its statistics, and a
// small table is cheapest read whole; with sequential scans priced out it still reads the
// table whole when no index serves the filter, so a plan without one shows an index does.
// On SQLite, the plans of every statement the search may run: the whole filter, and the
// unindexed and indexed parts a first page in seq order reads.
QString planOf(const BrokerFixture &fx, const qd::MessageFilter &filter)
{
    const bool pg = onPostgres(fx);
    qd::MessageFilterSql sql(
        pg ? qd::SqlDialect::Postgres : qd::SqlDialect::Sqlite, filter, fx.clock.nowMs());
    const QString page = sql.page(0, 50);
    // PostgreSQL's first page may read seq's index in order and filter, as it does on a small
    // table; with that priced out too, it still reads the table whole unless an index serves.
    QStringList selects { QStringLiteral("SELECT seq") + sql.from()
        + (pg ? QString() : sql.orderBy() + page) };
    if (sql.inTwoParts())
        selects << QStringLiteral("SELECT seq") + sql.tailFrom() + sql.orderBy() + page
                << QStringLiteral("SELECT seq") + sql.indexedFrom() + sql.indexedOrderBy() + page;
    QString plans;
    for (const QString &select : selects) {
        const QString text = qd::withValues(select, sql.values(), [](const QString &v) -> QString {
            return QLatin1Char('\'') + QString(v).replace(QLatin1Char('\''), QLatin1String("''"))
                + QLatin1Char('\'');
        });
        plans += pg ? runSql(fx,
                     QStringLiteral("SET enable_seqscan = off; SET enable_indexscan = off; SET "
                                    "enable_indexonlyscan = off; EXPLAIN ")
                         + text)
                    : runSql(fx, QStringLiteral("EXPLAIN QUERY PLAN ") + text);
    }
    return plans;
}

// Whether the plan reaches the rows through the free-text index rather than every row.
bool usesTextIndex(const BrokerFixture &fx, const QString &plan)
{
    if (onPostgres(fx))
        return plan.contains(QLatin1String("message_search_body_trgm"))
            && plan.contains(QLatin1String("message_search_error_trgm"))
            && !plan.contains(QLatin1String("Seq Scan on message_search"))
            && !plan.contains(QLatin1String("Seq Scan on messages"));
    // Every message reached by seq (or by id, for a text that could be one), none through the
    // index of a queue or a state, which would read every message of it.
    for (const QString &line : plan.split(QLatin1Char('\n'))) {
        if (line.contains(QLatin1String("SCAN messages"))
            || (line.contains(QLatin1String("SEARCH messages"))
                && !line.contains(QLatin1String("PRIMARY KEY"))
                && !line.contains(QLatin1String("messages_by_id"))))
            return false;
    }
    return plan.contains(QLatin1String("SCAN message_text VIRTUAL TABLE"));
}

// What the runtime does between ticks on SQLite: every message added to the search index.
void indexAll(BrokerFixture &fx)
{
    while (fx.store->indexSearchText(100) > 0) { }
    fx.broker->pumpAll(); // commits
}

#define verifyTextIndex(fx, filter)                                                                          \
    do {                                                                                                     \
        const QString plan = planOf(fx, filter);                                                             \
        QVERIFY2(usesTextIndex(fx, plan), qPrintable(plan));                                                 \
    } while (false)

// The ids a search for `text` finds, sorted, read as the views read them (a reader
// connection, after the broker's commit), newest first and oldest first; its count must
// agree. With `indexFirst`, the messages are added to the search index first.
QStringList found(BrokerFixture &fx, const QString &text, bool indexFirst = true)
{
    if (indexFirst)
        indexAll(fx);
    fx.broker->pumpAll(); // commits
    const auto reader = openTestReader(fx.storeSpec());
    qd::MessageFilter filter;
    filter.text = text;
    QStringList ids;
    for (const qd::Message &m : reader->listMessages(filter, fx.clock.nowMs(), 0, 1000))
        ids.append(m.id);
    if (reader->countMessages(filter, fx.clock.nowMs()) != ids.size())
        return { QStringLiteral("count and page disagree") };
    filter.descending = true;
    QStringList newestFirst;
    for (const qd::Message &m : reader->listMessages(filter, fx.clock.nowMs(), 0, 1000))
        newestFirst.prepend(m.id);
    if (newestFirst != ids)
        return { QStringLiteral("the orders disagree") };
    ids.sort();
    return ids;
}

QString sendOne(BrokerFixture &fx, const QString &queue, const QByteArray &body)
{
    QStringList ids;
    if (fx.broker->send(queue, { qd::SendItem { body, qd::ContentType::Json, {} } }, {}, {}, &ids).isError())
        return {};
    return ids.value(0);
}

// Makes every delivery of `queue` fail with `error` (no retries left, so each stays failed).
void failWith(BrokerFixture &fx, const QString &queue, const QString &error)
{
    fx.broker->attachConsumer(
        queue, std::make_shared<RecordingConsumer>([error](const qd::Delivery &d, qd::BatchOutcome &o) {
            for (const qd::Message &m : d.messages)
                o.retry(m.id, std::nullopt, error);
        }));
}

qd::MessageFilter textFilter(const QString &text)
{
    qd::MessageFilter f;
    f.text = text;
    return f;
}

} // namespace

class TstSearch : public QObject {
    Q_OBJECT

private slots:
    void findsBodiesAndTheLatestError()
    {
        BrokerFixture fx;
        QVERIFY(fx.open());
        QVERIFY(fx.createQueue(QStringLiteral("q"), settings(10, 0, 0)));
        const QString zebra
            = sendOne(fx, QStringLiteral("q"), "{\"imageUrl\":\"https://x.test/zebra-crossing.png\"}");
        const QString other = sendOne(fx, QStringLiteral("q"), "{\"imageUrl\":\"https://x.test/lion.png\"}");
        QVERIFY(!zebra.isEmpty() && !other.isEmpty());
        QCOMPARE(found(fx, QStringLiteral("ZEBRA-cross")), QStringList { zebra });
        QCOMPARE(found(fx, QStringLiteral("teapot")), QStringList {});
        verifyTextIndex(fx, textFilter(QStringLiteral("ZEBRA-cross")));

        failWith(fx, QStringLiteral("q"), QStringLiteral("fetch failed: teapot 418"));
        fx.broker->pumpAll();
        QCOMPARE(fx.counts(QStringLiteral("q")).failed, 2);
        QStringList both { zebra, other };
        both.sort();
        QCOMPARE(found(fx, QStringLiteral("Teapot 4")), both);

        // A retry that fails again with another error: the search follows the error.
        failWith(fx, QStringLiteral("q"), QStringLiteral("decode failed: marmalade"));
        QVERIFY(fx.broker->retryMessages({ zebra }, 0).ok());
        fx.broker->pumpAll();
        QCOMPARE(fx.message(zebra).lastError, QStringLiteral("decode failed: marmalade"));
        QCOMPARE(found(fx, QStringLiteral("marmalade")), QStringList { zebra });
        QCOMPARE(found(fx, QStringLiteral("teapot")), QStringList { other });
        verifyTextIndex(fx, textFilter(QStringLiteral("marmalade")));

        // An edited body is found by its new text only.
        QVERIFY(fx.broker
                    ->editAndRetry(
                        zebra, "{\"imageUrl\":\"https://x.test/giraffe.png\"}", qd::ContentType::Json, 3600)
                    .ok());
        QCOMPARE(found(fx, QStringLiteral("giraffe")), QStringList { zebra });
        QCOMPARE(found(fx, QStringLiteral("zebra")), QStringList {});

        // Shorter than a trigram: read row by row, found all the same.
        QCOMPARE(found(fx, QStringLiteral("Li")), QStringList { other }); // "lion"
        QCOMPARE(found(fx, QStringLiteral("ff")), QStringList { zebra }); // "giraffe"
        QCOMPARE(found(fx, QStringLiteral("\u00e9")), QStringList {});
        // A message's id finds it, though no body or error holds it.
        QCOMPARE(found(fx, other.toUpper()), QStringList { other });
        verifyTextIndex(fx, textFilter(other));
    }

    void messagesNotIndexedYetAreFound()
    {
        BrokerFixture fx;
        QVERIFY(fx.open());
        QVERIFY(fx.createQueue(QStringLiteral("q"), settings(10, 0, 0)));
        QStringList older;
        for (int i = 0; i < 5; ++i)
            older.append(
                sendOne(fx, QStringLiteral("q"), "{\"note\":\"capybara " + QByteArray::number(i) + "\"}"));
        indexAll(fx);
        const QString newer = sendOne(fx, QStringLiteral("q"), "{\"note\":\"capybara, newer\"}");
        QStringList all = older + QStringList { newer };
        all.sort();
        QCOMPARE(found(fx, QStringLiteral("capybara"), false), all);
        // Pages across the boundary of the two parts, both ways.
        const auto reader = openTestReader(fx.storeSpec());
        for (const bool descending : { false, true }) {
            qd::MessageFilter f = textFilter(QStringLiteral("capybara"));
            f.descending = descending;
            QStringList paged;
            for (int offset = 0; offset < 8; offset += 4) {
                for (const qd::Message &m : reader->listMessages(f, fx.clock.nowMs(), offset, 4))
                    paged.append(m.id);
            }
            QCOMPARE(paged.size(), 6);
            QCOMPARE(paged.first(), descending ? newer : older.first());
            QCOMPARE(reader->positionOf(f, fx.clock.nowMs(), fx.message(newer).seq), descending ? 0 : 5);
        }
        QCOMPARE(found(fx, QStringLiteral("capybara")), all);
        verifyTextIndex(fx, textFilter(QStringLiteral("capybara")));
        // Within one queue, or one state, the text's index still leads on SQLite, which plans
        // without statistics: the queue's index would read every message of the queue.
        // (PostgreSQL weighs the two by its statistics, and on a table this small the queue's
        // index is the cheaper.)
        qd::MessageFilter inQueue = textFilter(QStringLiteral("capybara"));
        inQueue.queueId = fx.queueId(QStringLiteral("q"));
        QCOMPARE(reader->countMessages(inQueue, fx.clock.nowMs()), 6);
        if (!onPostgres(fx)) {
            verifyTextIndex(fx, inQueue);
            inQueue.state = qd::StateFilter::Ready;
            verifyTextIndex(fx, inQueue);
            inQueue.sort = qd::MessageSort::User;
            verifyTextIndex(fx, inQueue);
        }
    }

    void removedMessagesLeaveTheIndex()
    {
        BrokerFixture fx;
        QVERIFY(fx.open());
        QVERIFY(fx.createQueue(QStringLiteral("q"), settings(10, 0, 0)));
        const QString deleted = sendOne(fx, QStringLiteral("q"), "{\"note\":\"quokka-deleted\"}");
        const QString purged = sendOne(fx, QStringLiteral("q"), "{\"note\":\"quokka-purged\"}");
        QCOMPARE(found(fx, QStringLiteral("quokka")).size(), 2);

        int n = 0;
        QVERIFY(fx.broker->deleteMessages({ deleted }, &n).ok());
        QCOMPARE(n, 1);
        QCOMPARE(found(fx, QStringLiteral("quokka")), QStringList { purged });
        QVERIFY(fx.broker->purge(QStringLiteral("q")).ok());
        QCOMPARE(found(fx, QStringLiteral("quokka")), QStringList {});

        // Retention: the store removes what is older than the queue keeps.
        fx.clock.advanceMs(10'000);
        const QString expired = sendOne(fx, QStringLiteral("q"), "{\"note\":\"quokka-expired\"}");
        fx.broker->pumpAll();
        fx.clock.advanceMs(10'000);
        const QString kept = sendOne(fx, QStringLiteral("q"), "{\"note\":\"quokka-kept\"}");
        QCOMPARE(found(fx, QStringLiteral("quokka")).size(), 2);
        QCOMPARE(fx.store->expireMessages(fx.queueId(QStringLiteral("q")), fx.clock.nowMs() - 5'000), 1);
        QString error;
        QVERIFY2(fx.store->commit(&error), qPrintable(error));
        QCOMPARE(found(fx, QStringLiteral("quokka")), QStringList { kept });
        verifyTextIndex(fx, textFilter(QStringLiteral("quokka")));
        Q_UNUSED(expired);

        // SQLite's index holds only what it was told, so a removal must take the entry with
        // it; the index itself names no message but the one kept.
        if (!onPostgres(fx))
            QCOMPARE(runSql(fx,
                         QStringLiteral("SELECT rowid FROM message_text WHERE message_text MATCH "
                                        "'\"quo\" AND \"kka\"'")),
                QString::number(fx.message(kept).seq) + QLatin1Char('\n'));
    }

    // Removing the newest messages frees their seqs, and SQLite gives them out again: a message
    // that takes one the index already covers is indexed as it is written, or no search
    // would find it.
    void aSeqTakenAgainIsIndexed()
    {
        BrokerFixture fx;
        QVERIFY(fx.open());
        QVERIFY(fx.createQueue(QStringLiteral("q"), settings(10, 0, 0)));
        sendOne(fx, QStringLiteral("q"), "{\"note\":\"numbat\"}");
        const QString newest = sendOne(fx, QStringLiteral("q"), "{\"note\":\"numbat, newest\"}");
        indexAll(fx);
        const qint64 seq = fx.message(newest).seq;
        int n = 0;
        QVERIFY(fx.broker->deleteMessages({ newest }, &n).ok());
        QCOMPARE(n, 1);
        const QString again = sendOne(fx, QStringLiteral("q"), "{\"note\":\"bilby\"}");
        if (!onPostgres(fx))
            QCOMPARE(fx.message(again).seq, seq);
        QCOMPARE(found(fx, QStringLiteral("bilby"), false), QStringList { again });
        QCOMPARE(found(fx, QStringLiteral("newest"), false), QStringList {});
        verifyTextIndex(fx, textFilter(QStringLiteral("bilby")));
    }

    void aStoreFromBeforeTheIndexIsMigrated()
    {
        BrokerFixture fx;
        QVERIFY(fx.open());
        QVERIFY(fx.createQueue(QStringLiteral("q"), settings(10, 0, 0)));
        const QString wombat = sendOne(fx, QStringLiteral("q"), "{\"note\":\"wombat burrow\"}");
        sendOne(fx, QStringLiteral("q"), "{\"note\":\"emu\"}");
        fx.broker->pumpAll();
        fx.broker.reset();
        fx.store.reset();
        // Back to the version before the search index (8 on PostgreSQL, 9 on SQLite): what the
        // migrations from it add, taken away.
        if (onPostgres(fx))
            runSql(fx,
                QStringLiteral(
                    // One table again (version 12 split it in two), without the totals' triggers,
                    // which version 12 makes again on message_state.
                    "DROP VIEW messages; ALTER TABLE message_bodies ADD COLUMN queue_id BIGINT NOT NULL "
                    "DEFAULT 0, ADD COLUMN state INTEGER NOT NULL DEFAULT 0, ADD COLUMN visible_at BIGINT "
                    "NOT "
                    "NULL DEFAULT 0, ADD COLUMN attempts INTEGER NOT NULL DEFAULT 0, ADD COLUMN lease_id "
                    "TEXT, "
                    "ADD COLUMN lease_expires BIGINT NOT NULL DEFAULT 0, ADD COLUMN batch_id BIGINT NOT NULL "
                    "DEFAULT 0, ADD COLUMN source_queue_id BIGINT NOT NULL DEFAULT 0, ADD COLUMN updated_ms "
                    "BIGINT NOT NULL DEFAULT 0, ADD COLUMN node_id BIGINT NOT NULL DEFAULT 0; "
                    "UPDATE message_bodies AS b SET queue_id = s.queue_id, state = s.state, visible_at = "
                    "s.visible_at, attempts = s.attempts, updated_ms = s.updated_ms FROM message_state AS s "
                    "WHERE s.seq = b.seq; DROP TABLE message_state; ALTER TABLE message_bodies RENAME TO "
                    "messages; "
                    "DROP TABLE message_search; DROP FUNCTION message_search_inserted CASCADE; "
                    "DROP FUNCTION message_search_updated CASCADE; DROP FUNCTION message_search_deleted "
                    "CASCADE; "
                    "DROP INDEX messages_by_time; DROP INDEX messages_by_user; DROP INDEX messages_by_url; "
                    "DROP INDEX messages_by_error; DROP FUNCTION qd_body_text; "
                    "UPDATE qd_schema SET version = 8"));
        else
            runSql(fx,
                QStringLiteral("DROP TRIGGER message_text_delete; DROP TABLE message_text; "
                               "DROP TABLE search_indexed; DROP INDEX messages_by_time; "
                               "PRAGMA user_version = 9"));
        QVERIFY(fx.open());
        QCOMPARE(found(fx, QStringLiteral("wombat"), false), QStringList { wombat });
        QCOMPARE(found(fx, QStringLiteral("wombat")), QStringList { wombat });
        verifyTextIndex(fx, textFilter(QStringLiteral("wombat")));
        const QString later = sendOne(fx, QStringLiteral("q"), "{\"note\":\"wombat again\"}");
        QStringList both { wombat, later };
        both.sort();
        QCOMPARE(found(fx, QStringLiteral("WOMBAT")), both);
    }
};

QTEST_GUILESS_MAIN(TstSearch)
#include "tst_search.moc"
