#include "broker.h"
#include "httpapi.h"
#include "sqlitestore.h"

#include "brokerfixture.h"
#include "faultvfs.h"
#include "jobposts.h"

#include <QNetworkAccessManager>
#include <QTemporaryDir>
#include <QTest>

using namespace qd;

// SQLite's commits are made durable off the runtime thread (docs/architecture.md, "Commits"):
// while the disk takes its time over a sync, the runtime thread goes on taking and checking
// requests, and no producer hears 202 before its message's sync returned.
class TstWalSync : public QObject {
    Q_OBJECT

    QTemporaryDir m_dir;
    std::unique_ptr<SqliteStore> m_store;
    SystemClock m_clock;
    std::unique_ptr<Broker> m_broker;
    std::unique_ptr<HttpApi> m_api;
    QNetworkAccessManager m_network;

    QNetworkReply *send(const QByteArray &body) { return qdtest::postJob(m_network, m_api->baseUrl(), body); }

    qint64 storedPending()
    {
        SqliteStore reader(m_store->path());
        QString error;
        if (!reader.openReader(&error))
            return -1;
        const auto q = m_broker->queue(QStringLiteral("images"));
        return q ? reader.counts(q->id, m_clock.nowMs()).ready : -1;
    }

private slots:
    void initTestCase() { qdtest::faultvfs::install(); }

    void init()
    {
        QVERIFY(m_dir.isValid());
        m_store = std::make_unique<SqliteStore>(m_dir.filePath(QStringLiteral("queuedeck.db")));
        QString error;
        QVERIFY2(m_store->open(&error), qPrintable(error));
        m_broker = std::make_unique<Broker>(m_store.get(), &m_clock);
        QVERIFY2(m_broker->start(&error), qPrintable(error));
        QueueSettings none;
        none.consumerType = ConsumerType::None;
        QVERIFY(m_broker->createQueue(QStringLiteral("images"), none).ok());
        m_api = std::make_unique<HttpApi>(m_broker.get(), QStringLiteral("images"), QString());
        QVERIFY(m_api->listen(QHostAddress::LocalHost, 0, &error));
        QTRY_VERIFY(!m_store->hasUncommitted());
        m_store->waitSynced();
    }

    void cleanup()
    {
        qdtest::faultvfs::releaseSyncs();
        m_api.reset();
        m_broker.reset();
        m_store.reset();
        QFile::remove(m_dir.filePath(QStringLiteral("queuedeck.db")));
    }

    void requestsAreServedWhileASyncWaits()
    {
        const int heldBefore = qdtest::faultvfs::syncsHeld();
        qdtest::faultvfs::holdSyncs();
        QNetworkReply *first = send(qdtest::imageJob(1));
        // The commit is written and its sync has started, and waits on the disk.
        QTRY_VERIFY(qdtest::faultvfs::syncsHeld() > heldBefore);
        QCOMPARE(storedPending(), 1);
        // Meanwhile the runtime thread reads, checks and answers what it can answer now...
        QNetworkReply *bad = send(QByteArrayLiteral("{\"imageUrl\": 5}"));
        QTRY_VERIFY(bad->isFinished());
        QCOMPARE(qdtest::httpStatus(bad), 400);
        // ...and takes the next send into the next group, which waits for its own sync.
        QNetworkReply *second = send(qdtest::imageJob(2));
        QTRY_COMPARE(storedPending(), 2);
        // Neither producer has heard anything: their messages are not known to be on disk.
        QVERIFY(!first->isFinished());
        QVERIFY(!second->isFinished());
        qdtest::faultvfs::releaseSyncs();
        QTRY_VERIFY(first->isFinished() && second->isFinished());
        QCOMPARE(qdtest::httpStatus(first), 202);
        QCOMPARE(qdtest::httpStatus(second), 202);
        // No sync ran on the runtime thread (here, the test's own).
        QCOMPARE(qdtest::faultvfs::syncsHeldOnHoldingThread(), 0);
        first->deleteLater();
        second->deleteLater();
        bad->deleteLater();
    }

    void aFailedSyncAnswers503AndTheStoreComesBack()
    {
        // The commit's writes go through; the sync after it fails.
        qdtest::faultvfs::failSyncs();
        QNetworkReply *refused = send(qdtest::imageJob(3));
        QTRY_VERIFY(refused->isFinished());
        QCOMPARE(qdtest::httpStatus(refused), 503);
        QCOMPARE(refused->rawHeader("Retry-After"), QByteArray("1"));
        QVERIFY(!m_store->available());
        qdtest::faultvfs::heal();
        // Once a probe write and its sync go through, sends are taken again.
        QTRY_VERIFY_WITH_TIMEOUT(m_store->available(), 10000);
        QNetworkReply *accepted = send(qdtest::imageJob(4));
        QTRY_VERIFY(accepted->isFinished());
        QCOMPARE(qdtest::httpStatus(accepted), 202);
        refused->deleteLater();
        accepted->deleteLater();
    }
};

QTEST_GUILESS_MAIN(TstWalSync)
#include "tst_walsync.moc"
