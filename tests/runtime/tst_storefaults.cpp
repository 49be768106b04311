#include "broker.h"
#include "cloudflareapi.h"
#include "httpapi.h"

#include "../testpg.h"
#include "../teststore.h"
#include "brokerfixture.h"
#include "faultvfs.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QRandomGenerator>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>

#include <sqlite3.h>

using namespace qd;

namespace {

// Makes the store's writes fail and heals it again, two ways:
// - a statement that fails in the middle of a transaction (a read-only file, a constraint):
//   a trigger in the store raises while a switch row says so; SQLite and PostgreSQL alike;
// - SQLite only, a full or failing disk: the test VFS fails the n-th write, sync or
//   truncate of the store's files from now on.
class Faults {
public:
    explicit Faults(const QString &spec)
        : m_spec(spec)
        , m_pg(isPostgresSpec(spec))
        , m_connection(QStringLiteral("faults-%1").arg(QRandomGenerator::global()->generate()))
    {
        if (!m_pg)
            return;
        m_schema = qdtest::addTestPgConnection(spec, m_connection);
    }
    ~Faults()
    {
        heal();
        if (m_pg) {
            QSqlDatabase::database(m_connection, false).close();
            QSqlDatabase::removeDatabase(m_connection);
        }
        sqlite3_close(m_sqlite);
    }

    // After the store made its schema, and while it has no write open.
    bool prepare()
    {
        if (m_pg)
            return sql(QStringLiteral("CREATE TABLE fault_switch(armed boolean NOT NULL)"))
                && sql(QStringLiteral("INSERT INTO fault_switch VALUES (false)"))
                && sql(QStringLiteral(
                    "CREATE FUNCTION fault_raise() RETURNS trigger AS $$ BEGIN "
                    "IF (SELECT armed FROM fault_switch) THEN RAISE EXCEPTION 'injected fault: "
                    "the statement failed'; END IF; RETURN NULL; END $$ LANGUAGE plpgsql"))
                && sql(QStringLiteral("CREATE TRIGGER fault_on_messages BEFORE INSERT OR UPDATE OR DELETE ON "
                                      "message_state FOR EACH STATEMENT EXECUTE FUNCTION fault_raise()"));
        if (sqlite3_open(m_spec.toUtf8().constData(), &m_sqlite) != SQLITE_OK)
            return false;
        sqlite3_busy_timeout(m_sqlite, 5000);
        return sql(QStringLiteral("CREATE TABLE fault_switch(armed INTEGER NOT NULL); "
                                  "INSERT INTO fault_switch VALUES (0); "
                                  "CREATE TRIGGER fault_on_insert BEFORE INSERT ON messages "
                                  "WHEN (SELECT armed FROM fault_switch) BEGIN "
                                  "SELECT RAISE(ABORT, 'injected fault: the statement failed'); END; "
                                  "CREATE TRIGGER fault_on_update BEFORE UPDATE ON messages "
                                  "WHEN (SELECT armed FROM fault_switch) BEGIN "
                                  "SELECT RAISE(ABORT, 'injected fault: the statement failed'); END;"));
    }

    // Every statement that changes `messages` fails until heal().
    void armStatements() { QVERIFY(sql(QStringLiteral("UPDATE fault_switch SET armed = true"))); }
    // SQLite: the n-th write-like call on the store's files from now on fails, and all after it.
    void armDisk(int nth, int sqliteError) { qdtest::faultvfs::failFrom(nth, sqliteError); }

    void heal()
    {
        qdtest::faultvfs::heal();
        if (m_pg || m_sqlite)
            sql(QStringLiteral("UPDATE fault_switch SET armed = false"));
    }

private:
    bool sql(const QString &statement)
    {
        if (!m_pg) {
            char *message = nullptr;
            const bool ok = sqlite3_exec(m_sqlite, statement.toUtf8().constData(), nullptr, nullptr, &message)
                == SQLITE_OK;
            if (!ok)
                qWarning("fault switch: %s", message);
            sqlite3_free(message);
            return ok;
        }
        QSqlDatabase db = QSqlDatabase::database(m_connection, false);
        if (!db.isOpen() && !db.open())
            return false;
        QSqlQuery q(db);
        const bool ok = q.exec(QStringLiteral("SET search_path TO ") + m_schema) && q.exec(statement);
        if (!ok)
            qWarning("fault switch: %s", qPrintable(q.lastError().text()));
        return ok;
    }

    QString m_spec;
    bool m_pg;
    QString m_connection;
    QString m_schema;
    sqlite3 *m_sqlite = nullptr;
};

struct Reply {
    int status = 0;
    QByteArray retryAfter;
    QJsonObject json;
};

} // namespace

// A store that fails writes: no producer hears 202 (or a batch API success) for a message
// that is not on disk, nothing acknowledged is lost, batches in flight when a write fails
// are delivered again, and the server serves again once the store takes writes.
class TstStoreFaults : public QObject {
    Q_OBJECT

    std::unique_ptr<QTemporaryDir> m_dir;
    QString m_spec;
    std::unique_ptr<QueueStore> m_store;
    SystemClock m_clock;
    std::unique_ptr<Broker> m_broker;
    std::unique_ptr<HttpApi> m_api;
    std::unique_ptr<Faults> m_faults;
    std::shared_ptr<qdtest::HeldConsumer> m_held;
    QNetworkAccessManager m_network;

    void start()
    {
        m_dir = std::make_unique<QTemporaryDir>();
        m_spec = qdtest::chooseStoreSpec(m_dir->filePath(QStringLiteral("queuedeck.db")));
        m_store = makeStore(m_spec);
        QString error;
        QVERIFY2(m_store->open(&error), qPrintable(error));
        m_broker = std::make_unique<Broker>(m_store.get(), &m_clock);
        QVERIFY2(m_broker->start(&error), qPrintable(error));
        QueueSettings none;
        none.consumerType = ConsumerType::None;
        QVERIFY(m_broker->createQueue(QStringLiteral("images"), none).ok());
        QVERIFY(m_broker->createQueue(QStringLiteral("work"), qdtest::settings(10, 0)).ok());
        m_held = std::make_shared<qdtest::HeldConsumer>();
        m_broker->attachConsumer(QStringLiteral("work"), m_held);
        m_api = std::make_unique<HttpApi>(m_broker.get(), QStringLiteral("images"), QString());
        QVERIFY(m_api->listen(QHostAddress::LocalHost, 0, &error));
        QTRY_VERIFY(!m_broker->store()->hasUncommitted());
        m_faults = std::make_unique<Faults>(m_spec);
        QVERIFY(m_faults->prepare());
    }

    QNetworkReply *post(const QString &path, const QJsonObject &body)
    {
        QNetworkRequest r { QUrl(m_api->baseUrl() + path) };
        r.setHeader(QNetworkRequest::ContentTypeHeader, QByteArrayLiteral("application/json"));
        return m_network.post(r, QJsonDocument(body).toJson(QJsonDocument::Compact));
    }

    static Reply wait(QNetworkReply *reply)
    {
        if (!reply->isFinished()) {
            QEventLoop loop;
            connect(reply, &QNetworkReply::finished, &loop, &QEventLoop::quit);
            QTimer::singleShot(15000, &loop, &QEventLoop::quit);
            loop.exec();
        }
        Reply out { reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt(),
            reply->rawHeader("Retry-After"), QJsonDocument::fromJson(reply->readAll()).object() };
        reply->deleteLater();
        return out;
    }

    static QJsonObject job(int i)
    {
        return QJsonObject { { QStringLiteral("imageUrl"),
                                 QStringLiteral("https://example.com/%1.png").arg(i) },
            { QStringLiteral("userId"), QStringLiteral("u%1").arg(i) } };
    }

    static QJsonObject batchOf(int n, int round)
    {
        QJsonArray messages;
        for (int i = 0; i < n; ++i)
            messages.append(
                QJsonObject { { QStringLiteral("body"), QStringLiteral("r%1-%2").arg(round).arg(i) },
                    { QStringLiteral("content_type"), QStringLiteral("text") } });
        return QJsonObject { { QStringLiteral("messages"), messages } };
    }

    // Sends one job until it is accepted, as a client honouring Retry-After would; true once
    // it was (and from then on without sending again, so QTRY_* may call it repeatedly).
    bool acceptedAfterRetries(bool *done)
    {
        if (!*done)
            *done = wait(post(QStringLiteral("/"), job(99))).status == 202;
        return *done;
    }

    // What a second connection sees committed in a queue.
    qint64 storedIn(const QString &queue)
    {
        auto reader = qdtest::openTestReader(m_spec);
        for (const QueueRecord &q : reader->loadQueues()) {
            if (q.name == queue) {
                const QueueCounts c = reader->counts(q.id, m_clock.nowMs());
                return c.ready + c.delayed + c.inFlight + c.acked + c.failed;
            }
        }
        return -1;
    }

private slots:
    void initTestCase() { qdtest::faultvfs::install(); }
    void init() { start(); }
    void cleanup()
    {
        m_faults.reset();
        m_api.reset();
        m_broker.reset();
        m_store.reset();
    }

    void sendsUnderWriteFaults_data()
    {
        QTest::addColumn<int>("nth"); // 0: a statement fails; else the n-th disk write
        QTest::addColumn<int>("error");
        QTest::addRow("a statement fails") << 0 << 0;
        if (isPostgresSpec(qEnvironmentVariable("QUEUEDECK_TEST_STORE")))
            return;
        // The n-th write-like call from the moment of arming: the first lands in the first
        // group's WAL write, later ones in its sync or in later groups.
        for (int nth : { 1, 2, 3, 5, 8, 13 }) {
            QTest::addRow("disk full at write %d", nth) << nth << int(SQLITE_FULL);
            QTest::addRow("I/O error at write %d", nth) << nth << int(SQLITE_IOERR_WRITE);
        }
    }
    void sendsUnderWriteFaults()
    {
        QFETCH(int, nth);
        QFETCH(int, error);
        const QString batchPath
            = QStringLiteral("/client/v4/accounts/a/queues/%1/messages/batch")
                  .arg(CloudflareApi::queueId(*m_broker->queue(QStringLiteral("images"))));
        int accepted = 0;
        int refused = 0;
        for (int round = 0; round < 3; ++round) {
            QTRY_VERIFY(!m_broker->store()->hasUncommitted());
            m_broker->store()->waitSynced();
            const int syncFailuresBefore = qdtest::faultvfs::syncFailures();
            if (nth == 0)
                m_faults->armStatements();
            else
                m_faults->armDisk(nth, error);
            std::vector<QNetworkReply *> jobs;
            std::vector<QNetworkReply *> batches;
            for (int i = 0; i < 24; ++i) {
                jobs.push_back(post(QStringLiteral("/"), job(i)));
                if (i % 8 == 0)
                    batches.push_back(post(batchPath, batchOf(10, round)));
            }
            for (QNetworkReply *r : jobs) {
                const Reply reply = wait(r);
                if (reply.status == 202) {
                    ++accepted;
                    QVERIFY(!reply.json.value(QLatin1String("id")).toString().isEmpty());
                } else {
                    QCOMPARE(reply.status, 503);
                    QCOMPARE(reply.retryAfter, QByteArray("1"));
                    QVERIFY(!reply.json.value(QLatin1String("error")).toString().isEmpty());
                    ++refused;
                }
            }
            for (QNetworkReply *r : batches) {
                const Reply reply = wait(r);
                if (reply.status == 200 && reply.json.value(QLatin1String("success")).toBool()) {
                    accepted += 10;
                } else {
                    QCOMPARE(reply.status, 503);
                    QCOMPARE(reply.retryAfter, QByteArray("1"));
                    QCOMPARE(reply.json.value(QLatin1String("success")).toBool(true), false);
                    refused += 10;
                }
            }
            m_faults->heal();
            // Every message a producer was told is stored is on disk. No refused one is,
            // unless what failed was the sync after its commit (docs/architecture.md,
            // "Commits"): then it may be there without being known to be durable, and its
            // producer, told 503, sends it again (at least once).
            const qint64 stored = storedIn(QStringLiteral("images"));
            QVERIFY2(stored >= accepted, qPrintable(QStringLiteral("%1 < %2").arg(stored).arg(accepted)));
            if (qdtest::faultvfs::syncFailures() == syncFailuresBefore)
                QCOMPARE(stored, qint64(accepted));
            const qint64 refusedButStored = stored - accepted;
            // The server takes writes again by itself.
            bool served = false;
            QTRY_VERIFY_WITH_TIMEOUT(acceptedAfterRetries(&served), 10000);
            accepted += 1;
            QCOMPARE(storedIn(QStringLiteral("images")), qint64(accepted) + refusedButStored);
            accepted += int(refusedButStored);
        }
        QVERIFY2(refused > 0, "the fault never reached a commit");
    }

    // While the store takes no writes, producers hear 503 at once rather than wait.
    void refusedWhileTheStoreIsDown()
    {
        m_faults->armStatements();
        QCOMPARE(wait(post(QStringLiteral("/"), job(1))).status, 503);
        const Reply again = wait(post(QStringLiteral("/"), job(2)));
        QCOMPARE(again.status, 503);
        QCOMPARE(again.retryAfter, QByteArray("1"));
        QVERIFY2(again.json.value(QLatin1String("error")).toString().contains(QLatin1String("try again")),
            qPrintable(again.json.value(QLatin1String("error")).toString()));
        m_faults->heal();
        bool served = false;
        QTRY_VERIFY_WITH_TIMEOUT(acceptedAfterRetries(&served), 10000);
        QCOMPARE(storedIn(QStringLiteral("images")), qint64(1));
    }

    // The acks of batches in flight are lost with the failed write; the batches go out again
    // and every message is acked in the end, with the failed write in its history.
    void inFlightBatchesSurviveAFailedWrite()
    {
        QStringList ids;
        QVERIFY(m_broker->send(QStringLiteral("work"), qdtest::items(20), std::nullopt, {}, &ids).ok());
        QTRY_COMPARE(m_held->delivered, 2);
        // The claims are on disk: the batches are in flight by the store's rows too.
        QTRY_VERIFY(!m_broker->store()->hasUncommitted());
        m_faults->armStatements();
        while (!m_held->held.empty())
            m_held->completeOldest();
        // The acks went into a commit, which failed.
        QTRY_VERIFY(!m_broker->store()->hasUncommitted());
        m_faults->heal();
        // Delivered again once the store takes writes; then acked for good. (A shared store
        // gives the batches back once the node's old row has been silent for its timeout.)
        QTRY_COMPARE_WITH_TIMEOUT(m_held->delivered, 4, 30000);
        while (!m_held->held.empty())
            m_held->completeOldest();
        auto reader = qdtest::openTestReader(m_spec);
        const auto allAcked = [&] {
            auto r = qdtest::openTestReader(m_spec);
            for (const QString &id : ids) {
                const auto m = r->messageById(id);
                if (!m || m->state != MessageState::Acked)
                    return false;
            }
            return true;
        };
        QTRY_VERIFY(allAcked());
        for (const QString &id : ids) {
            const auto m = reader->messageById(id);
            QVERIFY(m.has_value());
            const auto attempts = reader->attemptsForMessage(m->seq);
            QCOMPARE(int(attempts.size()), 2);
            QCOMPARE(
                attemptOutcomeName(attempts.back().outcome), QStringLiteral("interrupted")); // oldest last
            if (!m_store->shared())
                QVERIFY2(attempts.back().error.contains(QLatin1String("a write to the store failed")),
                    qPrintable(attempts.back().error));
            QCOMPARE(attemptOutcomeName(attempts.front().outcome), QStringLiteral("acked"));
        }
    }
};

QTEST_GUILESS_MAIN(TstStoreFaults)
#include "tst_storefaults.moc"
