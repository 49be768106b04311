#pragma once

#include "queuestore.h"

#include <QElapsedTimer>
#include <QSet>
#include <QVariant>

#include <map>
#include <memory>

class QSqlQuery;
class QObject;

namespace qd {

class MessageFilterSql;
class PgSync;

// SQL text with its %1, %2, … filled in one pass, so a value that itself holds "%2" (a LIKE
// pattern, a queue name) is never taken for a placeholder, as chained QString::arg() would.
inline QString sqlPart(const QString &s)
{
    return s;
}
inline QString sqlPart(QLatin1String s)
{
    return s;
}
inline QString sqlPart(qint64 v)
{
    return QString::number(v);
}
inline QString sqlPart(int v)
{
    return QString::number(v);
}
template <typename... Args> QString sqlf(const QString &format, const Args &...args)
{
    return format.arg(sqlPart(args)...);
}

// A PostgreSQL database shared by several runtimes, through Qt's QPSQL driver. The same
// tables and semantics as the SQLite store; what sharing adds: push batches are claimed
// with FOR UPDATE SKIP LOCKED and belong to the node that claimed them, a queue's dispatch
// lock holds max_concurrency across nodes, commits NOTIFY the other nodes of the queues
// they touched, and each node keeps a heartbeat row so the others can take back the
// batches of one that died.
//
// Every statement is sent as one text query with its values quoted by the driver, so each
// costs one round trip; messages sent during a tick are buffered and inserted together.
class PgStore final : public QueueStore {
public:
    explicit PgStore(QString spec);
    ~PgStore() override;
    PgStore(const PgStore &) = delete;
    PgStore &operator=(const PgStore &) = delete;

    static constexpr int kSchemaVersion = 12;
    int schemaVersion();
    QString schema() const { return m_schema; }
    // The first key of this schema's advisory locks (the second: a queue's id for its
    // dispatch lock, 0 for migrations, -1 for the flush that confirms commits).
    int lockClass() const { return m_lockClass; }
    QString spec() const override { return m_spec; }

    bool open(QString *error) override;
    bool commit(QString *error) override;
    bool hasUncommitted() const override { return m_inTransaction || !m_pendingInserts.empty(); }
    // The writer commits without waiting for the server's disk; PgSync's thread waits for it
    // (docs/architecture.md, "Commits").
    void whenSynced(std::function<void(const QString &error)> done) override;
    void waitSynced() override;

    std::vector<QueueRecord> loadQueues() override;
    qint64 insertQueue(const QString &name, const QueueSettings &settings, qint64 nowMs) override;
    void updateQueue(qint64 id, const QString &name, const QueueSettings &settings, qint64 nowMs) override;
    void deleteQueue(qint64 id) override;

    void insertMessages(std::vector<Message> &messages) override;
    int countReady(qint64 queueId, qint64 nowMs, int limit) override;
    std::optional<qint64> minPendingVisibleAt(qint64 queueId) override;
    std::optional<qint64> minDelayedVisibleAt(qint64 queueId, qint64 nowMs) override;
    std::optional<qint64> minLeaseExpiry(qint64 queueId) override;
    std::vector<Message> claimReady(qint64 queueId, qint64 nowMs, int limit, qint64 batchId,
        qint64 leaseExpiresMs, bool withLeases) override;
    std::vector<Message> expiredLeases(qint64 queueId, qint64 nowMs) override;
    void updateMessages(const std::vector<MessageUpdate> &updates, qint64 nowMs) override;
    std::optional<Message> messageBySeq(qint64 seq) override;
    std::optional<Message> messageById(const QString &id) override;
    void deleteMessages(const std::vector<qint64> &seqs) override;
    bool updateBody(qint64 seq, const QByteArray &body, ContentType type) override;
    qint64 purgeQueue(qint64 queueId) override;
    qint64 expireMessages(qint64 queueId, qint64 olderThanMs) override;
    std::vector<Message> inFlightWithoutLease() override;
    int indexSearchText(int maxRows) override;

    QueueCounts counts(qint64 queueId, qint64 nowMs) override;
    QueueCounts backlog(qint64 queueId, qint64 nowMs) override;
    QString totalsMismatch() override;
    // Every statement this connection runs from now on, its values written in, is appended
    // to `log` (nullptr: none): what a test holds the hot path's plans to (tst_queryplans).
    void logStatementsTo(std::vector<QString> *log) { m_statementLog = log; }
    std::vector<Message> listMessages(
        const MessageFilter &filter, qint64 nowMs, int offset, int limit) override;
    qint64 countMessages(const MessageFilter &filter, qint64 nowMs) override;
    std::vector<qint64> selectSeqs(const MessageFilter &filter, qint64 nowMs) override;

    qint64 insertBatch(const BatchRecord &batch) override;
    void finishBatch(const BatchRecord &batch) override;
    void discardBatch(qint64 id) override;
    std::optional<BatchRecord> batch(qint64 id) override;
    void insertAttempts(const std::vector<AttemptRecord> &attempts) override;
    std::vector<AttemptRecord> attemptsForMessage(qint64 seq) override;
    std::vector<AttemptRecord> attemptsForBatch(qint64 batchId) override;

    void insertAudit(const AuditEntry &entry) override;
    std::vector<AuditEntry> audit(int limit) override;
    std::vector<AuditEntry> auditMentioning(const QString &text, int limit) override;

    std::vector<BatchRecord> recentBatches(std::optional<qint64> queueId, int limit) override;
    std::vector<Message> failures(std::optional<qint64> queueId) override;

    void insertResults(const std::vector<ImageResult> &results) override;
    std::optional<ImageResult> resultForMessage(const QString &messageId) override;
    std::vector<ImageResult> listResults(const ResultFilter &filter, int offset, int limit) override;
    qint64 countResults(const ResultFilter &filter) override;

    QueueDepth depth(qint64 queueId, qint64 nowMs) override;
    void insertRollups(const std::vector<MetricsFrame> &rollups, qint64 keepFromMs) override;
    std::vector<MetricsFrame> rollups(qint64 fromMs) override;

    bool openReader(QString *error) override;
    // PgSync's connection: connects only (the writer has migrated), named queuedeck-sync.
    bool openFlusher(QString *error);
    // Commits a transaction of this connection's own, which returns once the server's log is
    // flushed past it, and so past every commit made before; the error, or empty.
    QString flushCommitted();
    void beginRead() override;
    void endRead() override;
    qint64 positionOf(const MessageFilter &filter, qint64 nowMs, qint64 seq) override;

    bool shared() const override { return true; }
    bool available() const override { return !m_down; }
    bool reconnect(QString *error) override;
    void setChangeListener(std::function<void(qint64 queueId)> listener) override;
    int lockDispatch(qint64 queueId) override;
    qint64 registerNode(const NodeInfo &node) override;
    void heartbeat(const NodeInfo &node) override;
    void unregisterNode() override;
    std::vector<NodeInfo> nodes() override;
    std::vector<qint64> stillClaimed(qint64 batchId, const std::vector<qint64> &seqs) override;
    void publishCounters(const std::map<qint64, QueueCounters> &counters) override;
    std::map<qint64, QueueCounters> otherNodesCounters() override;

private:
    bool connect(QString *error);
    // The writer's COMMIT no longer waits for the server's disk (synchronous_commit off).
    bool commitWithoutWaiting(QString *error);
    bool migrate(QString *error);
    void begin();
    void flushInserts();
    // Deletes the messages whose state rows meet `condition` (SQL on message_state) from both
    // tables; how many.
    qint64 deleteMessagesWhere(const QString &condition);
    // Runs one statement; on failure the transaction is marked failed and false returned.
    bool run(QSqlQuery &q, const QString &sql);
    bool run(const QString &sql);
    std::optional<qint64> scalar(const QString &sql);
    // The hot statements, prepared once per connection so PostgreSQL plans them once.
    QSqlQuery *prepared(const char *sql, const QVariantList &values);
    // counts(), backlog() and depth() from queue_totals and two index seeks.
    QueueCounts totals(qint64 queueId, qint64 nowMs);
    std::optional<qint64> preparedScalar(const char *sql, const QVariantList &values);
    std::vector<Message> readMessageRows(QSqlQuery &q);
    QString lit(const QString &s) const;
    QString lit(const QByteArray &b) const;
    std::vector<Message> readMessages(const QString &sql);
    // The filter's SQL with its values filled in as literals.
    QString filled(const MessageFilterSql &filter, const QString &sql) const;
    QString resultFilterSql(const ResultFilter &filter) const;
    void notifyQueue(qint64 queueId) { m_notify.insert(queueId); }
    void checkConnection();
    void failed(const QString &error);

    QString m_spec;
    QString m_connection; // the QSqlDatabase connection's name
    QString m_applicationName = QStringLiteral("queuedeck");
    QString m_schema;
    QString m_channel;
    int m_lockClass = 0; // the first key of this schema's advisory locks
    bool m_reader = false;
    std::unique_ptr<PgSync> m_sync; // the writer's; its commits run with synchronous_commit off
    bool m_inTransaction = false;
    bool m_failed = false; // a statement of the open transaction failed
    QString m_failure;
    bool m_down = false;
    QElapsedTimer m_lastReconnect; // readers try again at most once a second
    qint64 m_nodeId = 0;
    std::vector<Message> m_pendingInserts;
    QSet<qint64> m_notify; // queues to NOTIFY at commit; -1 = the queue list
    std::function<void(qint64)> m_listener;
    std::unique_ptr<QObject> m_notifications; // receives the driver's notification signal
    std::map<const char *, std::unique_ptr<QSqlQuery>> m_prepared; // by the statement's literal
    std::vector<QString> *m_statementLog = nullptr;
};

} // namespace qd
