#include "brokerfixture.h"
#include "pgstore.h"
#include "sqlitestore.h"

#include "../testpg.h"

#include <QRegularExpression>
#include <QSqlError>
#include <QSqlQuery>

#include <set>

#include <functional>

using namespace qdtest;

// The statements a queue runs for every message (sends, claims, acks, retries, dead
// letters, lease expiry, and the counts every send, pull and metrics tick reads) cost the
// same at any backlog (docs/architecture.md, "Counts"): each reaches the messages table
// through an index, never by scanning it. SQLite plans from the schema, not from the data
// (no ANALYZE runs), so the plans seen on a small store are the ones at ten million.
// PostgreSQL plans from the data, and scans a small table whole because that is cheaper; so
// each statement the store ran is explained again with sequential scans priced out
// (enable_seqscan off): a plan that still scans a message table has no index to use.
class TstQueryPlans : public QObject {
    Q_OBJECT

    // The statements of `log` that read or change a message table, each with the plan
    // PostgreSQL gives it when it must use an index if it can.
    static std::vector<std::pair<QString, QString>> postgresPlans(
        const BrokerFixture &fx, const std::vector<QString> &log)
    {
        std::vector<std::pair<QString, QString>> out;
        const QString name = QStringLiteral("tst_queryplans");
        {
            const QString schema = addTestPgConnection(fx.storeSpec(), name);
            QSqlDatabase db = QSqlDatabase::database(name);
            QSqlQuery q(db);
            if (!q.exec(QStringLiteral("SET search_path TO ") + schema)
                || !q.exec(QStringLiteral("SET enable_seqscan TO off")))
                qFatal("cannot explain on %s: %s", qPrintable(schema), qPrintable(q.lastError().text()));
            static const QRegularExpression dml(QStringLiteral("^\\s*(SELECT|WITH|INSERT|UPDATE|DELETE)\\b"));
            static const QRegularExpression tables(
                QStringLiteral("\\b(message_state|message_bodies|messages)\\b"));
            std::set<QString> seen;
            for (const QString &sql : log) {
                if (!dml.match(sql).hasMatch() || !tables.match(sql).hasMatch() || !seen.insert(sql).second)
                    continue;
                if (!q.exec(QStringLiteral("EXPLAIN ") + sql)) {
                    out.emplace_back(sql, QStringLiteral("EXPLAIN failed: ") + q.lastError().text());
                    continue;
                }
                QStringList lines;
                while (q.next())
                    lines.append(q.value(0).toString().trimmed());
                out.emplace_back(sql, lines.join(QLatin1String("; ")));
            }
        }
        QSqlDatabase::removeDatabase(name);
        return out;
    }

    // No plan of `plans` reads a whole message table.
    static void verifyNoTableScans(const std::vector<std::pair<QString, QString>> &plans)
    {
        static const QRegularExpression scan(
            QStringLiteral("Seq Scan on (message_state|message_bodies)\\b|EXPLAIN failed"));
        for (const auto &[sql, plan] : plans)
            QVERIFY2(!scan.match(plan).hasMatch(), qPrintable(sql + QLatin1String("\n  plan: ") + plan));
    }

    // Runs what a busy deployment runs: push batches acked, retried and dead-lettered, pull
    // leases acked, retried and expired, delayed sends, counts and depth read all along.
    static void runTheHotPath(BrokerFixture &fx)
    {
        qd::QueueSettings push = settings(10, 1000, 1);
        push.deadLetterQueue = QStringLiteral("dlq");
        QVERIFY(fx.createQueue(QStringLiteral("dlq"), pullSettings()));
        QVERIFY(fx.createQueue(QStringLiteral("push"), push));
        QVERIFY(fx.createQueue(QStringLiteral("pull"), pullSettings()));
        // Every batch acks most, retries its first message once, and fails the bodies
        // ending in 7 until they are dead-lettered.
        fx.broker->attachConsumer(QStringLiteral("push"),
            std::make_shared<RecordingConsumer>([](const qd::Delivery &d, qd::BatchOutcome &o) {
                for (const qd::Message &m : d.messages) {
                    if (m.body.endsWith("7\"") || (&m == &d.messages.front() && m.attempts <= 1))
                        o.retry(m.id, 0, QStringLiteral("not this time"));
                }
            }));
        for (int round = 0; round < 4; ++round) {
            QCOMPARE(fx.send(QStringLiteral("push"), 25).size(), 25);
            QCOMPARE(fx.send(QStringLiteral("pull"), 25).size(), 25);
            QCOMPARE(fx.send(QStringLiteral("pull"), 5, 30).size(), 5); // delayed
            fx.broker->pumpAll();
            fx.clock.advanceMs(1000);
            fx.broker->pumpAll();
            qd::PullResult pulled;
            QVERIFY(fx.broker->pull(QStringLiteral("pull"), 10, 1000, &pulled).ok());
            QVERIFY(!pulled.messages.empty());
            QStringList acks;
            std::vector<qd::LeaseRetry> retries;
            for (std::size_t i = 0; i < pulled.messages.size(); ++i) {
                if (i % 3 == 0)
                    retries.push_back(qd::LeaseRetry { pulled.messages[i].leaseId, {} });
                else
                    acks.append(pulled.messages[i].leaseId);
            }
            qd::AckResult acked;
            QVERIFY(fx.broker->acknowledge(QStringLiteral("pull"), acks, retries, &acked).ok());
            QVERIFY(fx.broker->pull(QStringLiteral("pull"), 5, 1000, &pulled).ok()); // left to expire
            fx.clock.advanceMs(2000);
            fx.broker->pumpAll();
            for (const QString &q :
                { QStringLiteral("push"), QStringLiteral("pull"), QStringLiteral("dlq") }) {
                fx.broker->backlog(q);
                fx.counts(q);
                fx.store->depth(fx.queueId(q), fx.clock.nowMs());
            }
        }
        QVERIFY(fx.counts(QStringLiteral("push")).acked > 0);
        QVERIFY(fx.counts(QStringLiteral("dlq")).ready > 0);
    }

private slots:
    void hotStatementsSeekAnIndex()
    {
        BrokerFixture fx;
        QVERIFY(fx.open());
        std::vector<QString> log;
        if (auto *pg = dynamic_cast<qd::PgStore *>(fx.store.get()))
            pg->logStatementsTo(&log);
        runTheHotPath(fx);
        if (QTest::currentTestFailed())
            return;
        if (auto *pg = dynamic_cast<qd::PgStore *>(fx.store.get())) {
            pg->logStatementsTo(nullptr);
            const auto plans = postgresPlans(fx, log);
            // Sends, claims, acks, retries, dead letters, leases, counts and depth, each
            // once: the hot path's statements, not one query.
            QVERIFY2(plans.size() >= 15, qPrintable(QString::number(plans.size())));
            verifyNoTableScans(plans);
            return;
        }
        auto *sqlite = dynamic_cast<qd::SqliteStore *>(fx.store.get());
        QVERIFY(sqlite);
        const auto plans = sqlite->statementPlans();
        QVERIFY2(plans.size() >= 15, qPrintable(QString::number(plans.size())));
        // "SCAN messages" is a walk over every row ("USING COVERING INDEX" or not), and a
        // SEARCH keyed by the queue alone a walk over all of one queue's; a SEARCH by queue
        // and state (and time) goes straight to the rows it needs.
        static const QRegularExpression scan(QStringLiteral(
            "\\bSCAN messages\\b|SEARCH messages USING (COVERING )?INDEX \\w+ \\(queue_id=\\?\\)"));
        int touchingMessages = 0;
        for (const auto &[sql, plan] : plans) {
            QVERIFY2(!scan.match(plan).hasMatch(), qPrintable(sql + QLatin1String("\n  plan: ") + plan));
            if (sql.contains(QLatin1String("messages")))
                ++touchingMessages;
        }
        QVERIFY(touchingMessages >= 8);
    }

    // The message table's searches at any backlog (docs/architecture.md, "Search"): free text
    // through the trigram index (or, for the newest messages not indexed yet, their seqs), a
    // time range through its index.
    void searchesSeekAnIndex()
    {
        BrokerFixture fx;
        QVERIFY(fx.open());
        QVERIFY(fx.createQueue(QStringLiteral("q"), pullSettings()));
        const QStringList ids = fx.send(QStringLiteral("q"), 5);
        QCOMPARE(ids.size(), 5);
        std::vector<qd::MessageFilter> filters;
        const auto add = [&filters](const std::function<void(qd::MessageFilter &)> &set) {
            for (const bool descending : { false, true }) {
                qd::MessageFilter f;
                f.descending = descending;
                set(f);
                filters.push_back(f);
            }
        };
        add([](qd::MessageFilter &f) { f.text = QStringLiteral("broken.png"); });
        add([&ids](qd::MessageFilter &f) { f.text = ids.first(); });
        add([](qd::MessageFilter &f) {
            f.text = QStringLiteral("broken");
            f.sort = qd::MessageSort::User;
        });
        add([](qd::MessageFilter &f) { f.userId = QStringLiteral("alice"); });
        add([&fx](qd::MessageFilter &f) { f.fromMs = fx.clock.nowMs() - 3'600'000; });
        for (const qd::MessageSort sort :
            { qd::MessageSort::User, qd::MessageSort::Url, qd::MessageSort::LastError })
            add([sort](qd::MessageFilter &f) { f.sort = sort; });
        std::vector<QString> log;
        auto *pg = dynamic_cast<qd::PgStore *>(fx.store.get());
        if (pg)
            pg->logStatementsTo(&log);
        for (const qd::MessageFilter &f : filters) {
            fx.store->listMessages(f, fx.clock.nowMs(), 0, 50);
            fx.store->listMessages(f, fx.clock.nowMs(), 50, 50);
            fx.store->countMessages(f, fx.clock.nowMs());
            fx.store->positionOf(f, fx.clock.nowMs(), 1);
        }
        if (pg) {
            // PostgreSQL has an index for each of them: the trigram indexes of message_search,
            // the time, and the user and the other sort keys (docs/architecture.md, "Search").
            pg->logStatementsTo(nullptr);
            const auto plans = postgresPlans(fx, log);
            QVERIFY2(plans.size() >= 20, qPrintable(QString::number(plans.size())));
            int texts = 0;
            for (const auto &[sql, plan] : plans)
                texts += plan.contains(QLatin1String("message_search_body_trgm")) ? 1 : 0;
            QVERIFY2(texts >= 6, qPrintable(QString::number(texts)));
            verifyNoTableScans(plans);
            return;
        }
        auto *sqlite = dynamic_cast<qd::SqliteStore *>(fx.store.get());
        QVERIFY(sqlite);
        // Free text never walks the messages; a time range is counted through its index. (The
        // user filter and the sort keys have no index on SQLite: sends would pay for them.)
        static const QRegularExpression scan(QStringLiteral("\\bSCAN messages\\b"));
        int searches = 0;
        int texts = 0;
        for (const auto &[sql, plan] : sqlite->statementPlans()) {
            if (!sql.contains(QLatin1String(" FROM messages WHERE 1"))
                && !sql.contains(QLatin1String(" FROM message_text")))
                continue;
            ++searches;
            const QString context = sql + QLatin1String("\n  plan: ") + plan;
            if (sql.contains(QLatin1String("MATCH"))) {
                ++texts;
                QVERIFY2(!scan.match(plan).hasMatch(), qPrintable(context));
                QVERIFY2(plan.contains(QLatin1String("SCAN message_text VIRTUAL TABLE"))
                        || plan.contains(QLatin1String("(rowid>?)")), // the part not indexed yet
                    qPrintable(context));
            } else if (sql.contains(QLatin1String("timestamp_ms >="))) {
                // A page in seq order walks seq from the end the order starts at, where a
                // since: filter's rows are; counting them reads the time index's range.
                if (sql.startsWith(QLatin1String("SELECT count(*)")) && !sql.contains(QLatin1String("?11")))
                    QVERIFY2(plan.contains(QLatin1String("messages_by_time")), qPrintable(context));
            }
        }
        QVERIFY(searches >= 20);
        QVERIFY(texts >= 6);
    }
};

QTEST_GUILESS_MAIN(TstQueryPlans)
#include "tst_queryplans.moc"
