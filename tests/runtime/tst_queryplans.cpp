#include "brokerfixture.h"
#include "sqlitestore.h"

#include <QRegularExpression>

#include <functional>

using namespace qdtest;

// The statements a queue runs for every message (sends, claims, acks, retries, dead
// letters, lease expiry, and the counts every send, pull and metrics tick reads) cost the
// same at any backlog (docs/architecture.md, "Counts"): each reaches the messages table
// through an index, never by scanning it. SQLite plans from the schema, not from the data
// (no ANALYZE runs), so the plans seen on a small store are the ones at ten million.
class TstQueryPlans : public QObject {
    Q_OBJECT

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
        runTheHotPath(fx);
        if (QTest::currentTestFailed())
            return;
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
        auto *sqlite = dynamic_cast<qd::SqliteStore *>(fx.store.get());
        QVERIFY(sqlite);
        for (const qd::MessageFilter &f : filters) {
            sqlite->listMessages(f, fx.clock.nowMs(), 0, 50);
            sqlite->listMessages(f, fx.clock.nowMs(), 50, 50);
            sqlite->countMessages(f, fx.clock.nowMs());
            sqlite->positionOf(f, fx.clock.nowMs(), 1);
        }
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
