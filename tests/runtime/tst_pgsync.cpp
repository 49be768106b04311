#include "broker.h"
#include "httpapi.h"
#include "pgstore.h"

#include "../testpg.h"
#include "../teststore.h"
#include "brokerfixture.h"
#include "jobposts.h"

#include <QNetworkAccessManager>
#include <QSqlError>
#include <QSqlQuery>
#include <QTest>

using namespace qd;

// PostgreSQL's commits are confirmed off the runtime thread (docs/architecture.md, "Commits"):
// the writer commits with synchronous_commit off, and a connection of PgSync's thread waits
// for the server's log to be flushed. While that wait lasts, the runtime thread goes on taking
// and checking requests, and no producer hears 202 before its message's flush returned. The
// test holds every flush of the store by taking, from its own connection, the advisory lock
// that the flush takes shared.
class TstPgSync : public QObject {
    Q_OBJECT

    QString m_spec;
    std::unique_ptr<PgStore> m_store;
    SystemClock m_clock;
    std::unique_ptr<Broker> m_broker;
    std::unique_ptr<HttpApi> m_api;
    QNetworkAccessManager m_network;
    QString m_testConnection = QStringLiteral("tst_pgsync");

    QSqlQuery sql(const QString &statement)
    {
        QSqlQuery q(QSqlDatabase::database(m_testConnection));
        if (!q.exec(statement))
            qWarning("%s: %s", qPrintable(statement), qPrintable(q.lastError().text()));
        return q;
    }

    QNetworkReply *send(const QByteArray &body) { return qdtest::postJob(m_network, m_api->baseUrl(), body); }

    // Committed messages of the queue, as another connection sees them.
    qint64 storedPending()
    {
        const auto reader = qdtest::openTestReader(m_spec);
        const auto q = m_broker->queue(QStringLiteral("images"));
        return q ? reader->counts(q->id, m_clock.nowMs()).ready : -1;
    }

    void holdFlushes() { sql(QStringLiteral("SELECT pg_advisory_lock(%1, -1)").arg(m_store->lockClass())); }
    void releaseFlushes()
    {
        sql(QStringLiteral("SELECT pg_advisory_unlock(%1, -1)").arg(m_store->lockClass()));
    }

    // The backends waiting for the lock holdFlushes() holds: this store's flushing connection.
    QList<int> waitingFlushers()
    {
        QSqlQuery q
            = sql(QStringLiteral("SELECT l.pid FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid "
                                 "WHERE l.locktype = 'advisory' AND l.classid = %1 AND l.objid = "
                                 "4294967295 AND NOT l.granted AND a.application_name = 'queuedeck-sync'")
                      .arg(m_store->lockClass()));
        QList<int> pids;
        while (q.next())
            pids.append(q.value(0).toInt());
        return pids;
    }

private slots:
    void initTestCase()
    {
        m_spec = qdtest::chooseStoreSpec(QString());
        QVERIFY2(m_spec.startsWith(QLatin1String("postgresql:")), "QUEUEDECK_TEST_STORE names no database");
        qdtest::addTestPgConnection(m_spec, m_testConnection);
        QVERIFY2(QSqlDatabase::database(m_testConnection).isOpen(),
            qPrintable(QSqlDatabase::database(m_testConnection).lastError().text()));
    }

    void init()
    {
        m_store = std::make_unique<PgStore>(m_spec);
        QString error;
        QVERIFY2(m_store->open(&error), qPrintable(error));
        m_broker = std::make_unique<Broker>(m_store.get(), &m_clock);
        QVERIFY2(m_broker->start(&error), qPrintable(error));
        QueueSettings none;
        none.consumerType = ConsumerType::None;
        if (!m_broker->queue(QStringLiteral("images")))
            QVERIFY(m_broker->createQueue(QStringLiteral("images"), none).ok());
        m_api = std::make_unique<HttpApi>(m_broker.get(), QStringLiteral("images"), QString());
        QVERIFY(m_api->listen(QHostAddress::LocalHost, 0, &error));
        QTRY_VERIFY(!m_store->hasUncommitted());
        m_store->waitSynced();
    }

    void cleanup()
    {
        releaseFlushes();
        m_api.reset();
        m_broker.reset();
        m_store.reset();
    }

    void cleanupTestCase()
    {
        sql(QStringLiteral("DROP SCHEMA IF EXISTS %1 CASCADE")
                .arg(QUrlQuery(QUrl(m_spec)).queryItemValue(QStringLiteral("schema"))));
        QSqlDatabase::database(m_testConnection).close();
        QSqlDatabase::removeDatabase(m_testConnection);
    }

    void requestsAreServedWhileAFlushWaits()
    {
        const qint64 before = storedPending();
        holdFlushes();
        QNetworkReply *first = send(qdtest::imageJob(1));
        // The commit is in the table and its flush has started, and waits.
        QTRY_COMPARE(waitingFlushers().size(), 1);
        QCOMPARE(storedPending(), before + 1);
        // Meanwhile the runtime thread reads, checks and answers what it can answer now...
        QNetworkReply *bad = send(QByteArrayLiteral("{\"imageUrl\": 5}"));
        QTRY_VERIFY(bad->isFinished());
        QCOMPARE(qdtest::httpStatus(bad), 400);
        // ...and commits the next send, which waits for a flush of its own.
        QNetworkReply *second = send(qdtest::imageJob(2));
        QTRY_COMPARE(storedPending(), before + 2);
        // Neither producer has heard anything: their messages are not known to be on disk.
        QVERIFY(!first->isFinished());
        QVERIFY(!second->isFinished());
        releaseFlushes();
        QTRY_VERIFY(first->isFinished() && second->isFinished());
        QCOMPARE(qdtest::httpStatus(first), 202);
        QCOMPARE(qdtest::httpStatus(second), 202);
        first->deleteLater();
        second->deleteLater();
        bad->deleteLater();
    }

    void aLostFlushAnswers503AndTheStoreComesBack()
    {
        holdFlushes();
        QNetworkReply *refused = send(qdtest::imageJob(3));
        QTRY_COMPARE(waitingFlushers().size(), 1);
        // The flushing connection is cut while it waits: nobody knows whether the message is
        // on disk, so its producer hears 503 and sends it again.
        const int flusher = waitingFlushers().constFirst();
        sql(QStringLiteral("SELECT pg_terminate_backend(%1)").arg(flusher));
        releaseFlushes();
        QTRY_VERIFY(refused->isFinished());
        QCOMPARE(qdtest::httpStatus(refused), 503);
        QCOMPARE(refused->rawHeader("Retry-After"), QByteArray("1"));
        // Once a flush goes through on a new connection, sends are taken again.
        QTRY_VERIFY_WITH_TIMEOUT(m_store->available(), 10000);
        QNetworkReply *accepted = send(qdtest::imageJob(4));
        QTRY_VERIFY(accepted->isFinished());
        QCOMPARE(qdtest::httpStatus(accepted), 202);
        refused->deleteLater();
        accepted->deleteLater();
    }
};

QTEST_GUILESS_MAIN(TstPgSync)
#include "tst_pgsync.moc"
