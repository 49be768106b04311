#include "pgstore.h"

#include "pgsync.h"

#include <QObject>
#include <QRegularExpression>
#include <QSqlDatabase>
#include <QSqlDriver>
#include <QSqlError>
#include <QSqlQuery>
#include <QUrl>

// The PostgreSQL store's connections: the writer's (opened, migrated, its commits confirmed
// by PgSync), a reader's, PgSync's own, and what happens when one is lost.

namespace qd {

bool PgStore::connect(QString *error)
{
    const QUrl url(m_spec);
    if (!url.isValid() || url.host().isEmpty() || url.path().size() < 2) {
        *error = sqlf(QStringLiteral("cannot read the store address %1: expected "
                                     "postgresql://user@host:port/database"),
            displayStoreSpec(m_spec));
        return false;
    }
    static const QRegularExpression schemaName(QStringLiteral("^[A-Za-z_][A-Za-z0-9_]{0,62}$"));
    if (!schemaName.match(m_schema).hasMatch()) {
        *error = sqlf(QStringLiteral("schema \"%1\" must be letters, digits and underscores"), m_schema);
        return false;
    }
    if (!QSqlDatabase::isDriverAvailable(QStringLiteral("QPSQL"))) {
        *error = QStringLiteral("Qt's PostgreSQL driver (QPSQL) is not installed; on Debian: apt-get install "
                                "libqt6sql6-psql");
        return false;
    }
    QSqlDatabase db = QSqlDatabase::contains(m_connection)
        ? QSqlDatabase::database(m_connection, false)
        : QSqlDatabase::addDatabase(QStringLiteral("QPSQL"), m_connection);
    db.setHostName(url.host());
    db.setPort(url.port(5432));
    db.setDatabaseName(url.path().mid(1));
    db.setUserName(url.userName());
    db.setPassword(url.password());
    db.setConnectOptions(QStringLiteral("connect_timeout=5;application_name=") + m_applicationName);
    if (!db.open()) {
        *error = sqlf(QStringLiteral("cannot connect to %1: %2"), displayStoreSpec(m_spec),
            db.lastError().text().trimmed());
        return false;
    }
    QSqlQuery q(db);
    q.exec(QStringLiteral("SET client_min_messages TO warning"));
    // Every statement planned for the values it runs with. After five runs PostgreSQL may keep
    // one plan for any values, and for the backlog's counts that plan read the whole table
    // (a delayed count: a sequential scan, 63 ms at 200,000 messages, where the plan for the
    // values reads an index range in 0.07 ms). Planning again costs a fraction of that.
    q.exec(QStringLiteral("SET plan_cache_mode TO force_custom_plan"));
    if (m_sync && !commitWithoutWaiting(error))
        return false;
    if (m_schema != QLatin1String("public")
        && !q.exec(QStringLiteral("CREATE SCHEMA IF NOT EXISTS ") + m_schema)) {
        // Another node may have created it at the same moment.
        if (!q.exec(sqlf(QStringLiteral("SELECT 1 FROM pg_namespace WHERE nspname = '%1'"), m_schema))
            || !q.next()) {
            *error = sqlf(QStringLiteral("cannot create schema %1: %2"), m_schema, q.lastError().text());
            return false;
        }
    }
    if (!q.exec(QStringLiteral("SET search_path TO ") + m_schema)) {
        *error = sqlf(QStringLiteral("cannot use schema %1: %2"), m_schema, q.lastError().text());
        return false;
    }
    m_down = false;
    m_failed = false;
    m_inTransaction = false;
    return true;
}

bool PgStore::open(QString *error)
{
    if (!connect(error) || !migrate(error))
        return false;
    // From here COMMIT returns before the server's disk has it; PgSync's thread waits for that.
    m_sync = std::make_unique<PgSync>(m_spec);
    m_sync->setDownFlag(&m_down);
    if (const QString failed = m_sync->start(); !failed.isEmpty()) {
        *error = QStringLiteral("cannot open the connection that confirms commits: ") + failed;
        m_sync.reset();
        return false;
    }
    if (!commitWithoutWaiting(error)) {
        m_sync.reset();
        return false;
    }
    if (!m_listener)
        return true;
    auto listener = std::move(m_listener);
    setChangeListener(std::move(listener));
    return true;
}

bool PgStore::commitWithoutWaiting(QString *error)
{
    // The writer's commits are made durable by PgSync's thread (docs/architecture.md, "Commits").
    QSqlQuery q(QSqlDatabase::database(m_connection, false));
    if (q.exec(QStringLiteral("SET synchronous_commit TO off")))
        return true;
    *error = sqlf(QStringLiteral("cannot prepare the connection to %1: %2"), displayStoreSpec(m_spec),
        q.lastError().text().trimmed());
    return false;
}

bool PgStore::openFlusher(QString *error)
{
    m_applicationName = QStringLiteral("queuedeck-sync");
    return connect(error);
}

QString PgStore::flushCommitted()
{
    QSqlQuery q(QSqlDatabase::database(m_connection, false));
    // txid_current() gives this statement's transaction an id, so its commit writes a record
    // and waits for the log to be on disk up to it. The shared advisory lock (never taken
    // exclusively by a runtime) lets a test or an operator hold every node's confirmations.
    if (q.exec(
            sqlf(QStringLiteral("SELECT pg_advisory_xact_lock_shared(%1, -1), txid_current()"), m_lockClass)))
        return {};
    return sqlf(QStringLiteral("PostgreSQL did not confirm that the commit is on disk: %1"),
        q.lastError().text().trimmed());
}

bool PgStore::openReader(QString *error)
{
    m_reader = true;
    if (!connect(error))
        return false;
    if (const int v = schemaVersion(); v != kSchemaVersion) {
        *error = sqlf(QStringLiteral("store %1 has schema version %2, not %3"), displayStoreSpec(m_spec), v,
            kSchemaVersion);
        return false;
    }
    return true;
}

bool PgStore::reconnect(QString *error)
{
    {
        QSqlDatabase db = QSqlDatabase::database(m_connection, false);
        m_notifications.reset();
        m_prepared.clear();
        db.close();
    }
    m_inTransaction = false;
    m_failed = false;
    m_pendingInserts.clear();
    m_notify.clear();
    m_down = true;
    if (!connect(error))
        return false;
    if (m_listener) {
        auto listener = std::move(m_listener);
        setChangeListener(std::move(listener));
    }
    if (m_sync) {
        // As after a failed commit: writes are taken again once a sync goes through.
        if (const QString failed = m_sync->syncNow(); !failed.isEmpty()) {
            *error = failed;
            m_down = true;
            return false;
        }
    }
    return true;
}

void PgStore::checkConnection()
{
    QSqlQuery q(QSqlDatabase::database(m_connection, false));
    if (!q.exec(QStringLiteral("SELECT 1")))
        m_down = true;
}

void PgStore::setChangeListener(std::function<void(qint64 queueId)> listener)
{
    m_listener = std::move(listener);
    QSqlDatabase db = QSqlDatabase::database(m_connection, false);
    if (!db.isOpen() || !m_listener)
        return;
    m_notifications = std::make_unique<QObject>();
    QSqlDriver *driver = db.driver();
    driver->subscribeToNotification(m_channel);
    QObject::connect(driver, &QSqlDriver::notification, m_notifications.get(),
        [this](const QString &name, QSqlDriver::NotificationSource source, const QVariant &payload) {
            if (name != m_channel || source == QSqlDriver::SelfSource || !m_listener)
                return;
            bool ok = false;
            const qint64 id = payload.toString().toLongLong(&ok);
            if (ok)
                m_listener(id);
        });
}

void PgStore::whenSynced(std::function<void(const QString &error)> done)
{
    if (m_sync)
        m_sync->whenSynced(std::move(done));
    else
        done({});
}

void PgStore::waitSynced()
{
    if (m_sync)
        m_sync->waitAll();
}

} // namespace qd
