#pragma once

#include "queuestore.h"
#include "sqlitestatement.h"

#include <memory>

struct sqlite3;

namespace qd {

class MessageFilterSql;
class WalSync;

// The default store: one SQLite file in WAL mode. A commit is made durable by WalSync on a
// thread of its own, so the runtime thread goes on with the next requests meanwhile; callers
// hear back through whenSynced(). Uses SQLite's C API directly: prepared statements are kept
// for the life of the connection, which is what makes tens of thousands of messages
// a second possible on one core.
class SqliteStore final : public QueueStore {
public:
    explicit SqliteStore(QString path);
    ~SqliteStore() override;
    SqliteStore(const SqliteStore &) = delete;
    SqliteStore &operator=(const SqliteStore &) = delete;

    static constexpr int kSchemaVersion = 10;
    QString path() const { return m_path; }
    QString spec() const override { return m_path; }
    int schemaVersion();

    bool open(QString *error) override;
    bool commit(QString *error) override;
    bool hasUncommitted() const override { return m_transaction.open; }
    void whenSynced(std::function<void(const QString &error)> done) override;
    void waitSynced() override;
    // After a failed commit the store takes nothing until a probe write goes through.
    bool available() const override { return !m_down; }
    bool reconnect(QString *error) override;

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
    qint64 purgeQueue(qint64 queueId) override;
    qint64 expireMessages(qint64 queueId, qint64 olderThanMs) override;
    std::vector<Message> inFlightWithoutLease() override;
    int indexSearchText(int maxRows) override;

    QueueCounts counts(qint64 queueId, qint64 nowMs) override;
    QueueCounts backlog(qint64 queueId, qint64 nowMs) override;
    QString totalsMismatch() override;
    // Every statement prepared so far on this connection with SQLite's plan for it
    // (EXPLAIN QUERY PLAN, its steps joined by "; "): what a test holds the hot path to.
    std::vector<std::pair<QString, QString>> statementPlans();
    std::vector<Message> listMessages(
        const MessageFilter &filter, qint64 nowMs, int offset, int limit) override;
    qint64 countMessages(const MessageFilter &filter, qint64 nowMs) override;
    std::vector<qint64> selectSeqs(const MessageFilter &filter, qint64 nowMs) override;
    bool updateBody(qint64 seq, const QByteArray &body, ContentType type) override;

    // For views, on a second connection: opens without creating or migrating, and never
    // writes. The runtime's writer must have opened (and migrated) the file first.
    bool openReader(QString *error) override;
    // Reads between these see one snapshot of the file (WAL), so a count and a page agree.
    void beginRead() override;
    void endRead() override;
    qint64 positionOf(const MessageFilter &filter, qint64 nowMs, qint64 seq) override;
    std::vector<AuditEntry> auditMentioning(const QString &text, int limit) override;
    void discardBatch(qint64 id) override;

    qint64 insertBatch(const BatchRecord &batch) override;
    void finishBatch(const BatchRecord &batch) override;
    std::optional<BatchRecord> batch(qint64 id) override;
    void insertAttempts(const std::vector<AttemptRecord> &attempts) override;
    std::vector<AttemptRecord> attemptsForMessage(qint64 seq) override;
    std::vector<AttemptRecord> attemptsForBatch(qint64 batchId) override;

    void insertAudit(const AuditEntry &entry) override;
    std::vector<AuditEntry> audit(int limit) override;

    std::vector<BatchRecord> recentBatches(std::optional<qint64> queueId, int limit) override;
    std::vector<Message> failures(std::optional<qint64> queueId) override;

    void insertResults(const std::vector<ImageResult> &results) override;
    std::optional<ImageResult> resultForMessage(const QString &messageId) override;
    std::vector<ImageResult> listResults(const ResultFilter &filter, int offset, int limit) override;
    qint64 countResults(const ResultFilter &filter) override;

    QueueDepth depth(qint64 queueId, qint64 nowMs) override;
    void insertRollups(const std::vector<MetricsFrame> &rollups, qint64 keepFromMs) override;
    std::vector<MetricsFrame> rollups(qint64 fromMs) override;

    // One process owns a SQLite file: it is never shared and has no other nodes
    // (sqlitestore_cluster.cpp).
    bool shared() const override { return false; }
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
    void begin();
    bool exec(const char *sql, QString *error = nullptr);
    bool migrate(QString *error);
    bool checkOwnership(QString *error);
    bool checkIntegrity(QString *error);
    bool probeWrite(QString *error);
    SqliteStatement &stmt(const char *sql);
    std::vector<Message> readMessages(SqliteStatement &s);
    SqliteStatement &filtered(const QString &select, const MessageFilterSql &filter, const QString &tail);
    SqliteStatement &filteredFrom(
        const QString &select, const MessageFilterSql &filter, const QString &from, const QString &tail);
    qint64 countFrom(const MessageFilterSql &filter, const QString &from, const QString &tail);
    class Snapshot;
    SqliteStatement &filteredResults(const char *select, const ResultFilter &filter, const char *tail);
    // counts(), backlog() and depth() from queue_totals and two index seeks.
    QueueCounts totals(qint64 queueId, qint64 nowMs);
    // queue_totals as the open transaction changes it: every write adds here what it did to
    // a queue and state, and commit() writes one row per queue and state touched before its
    // COMMIT. A trigger per message cost more than the rest of its insert (docs/architecture.md,
    // "Counts").
    void count(qint64 queueId, qint64 state, qint64 messages, qint64 bytes);
    // Takes out what each row of `s` (state, messages, bytes) says leaves queue `queueId`.
    void countOut(SqliteStatement &s, qint64 queueId);
    // Counts one row out of its queue and state before a statement changes it: where it was
    // counted and its body's size, or nothing when there is no such row.
    struct CountedRow {
        qint64 queueId = 0;
        qint64 state = 0;
        qint64 size = 0;
        QString lastError;
    };
    std::optional<CountedRow> countOutRow(qint64 seq);
    // The search index (sqlitestore_search.cpp): the newest seq it covers, and one row's
    // entry added from, or removed with, the values the row holds now.
    qint64 searchIndexedTo();
    void indexText(qint64 seq);
    void unindexText(qint64 seq);
    // Adds what the open transaction changed to `totals` (one queue's, or all of them).
    void addUncommittedTotals(StateTotals &totals, std::optional<qint64> queueId) const;
    bool writeTotals();

    QString m_path;
    sqlite3 *m_db = nullptr;
    SqliteTransaction m_transaction;
    StateTotals m_totalsDelta;
    std::unique_ptr<WalSync> m_sync; // the writer's; none on a reader
    bool m_down = false;
    struct Cache;
    std::unique_ptr<Cache> m_cache;
};

} // namespace qd
