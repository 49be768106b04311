#pragma once

#include "clock.h"
#include "consumer.h"
#include "error.h"
#include "queuestore.h"

#include <QElapsedTimer>
#include <QHash>
#include <QObject>
#include <QPointer>
#include <QTimer>

#include <functional>
#include <map>
#include <memory>
#include <unordered_map>

namespace qd {

struct PullResult {
    std::vector<Message> messages;
    qint64 backlogCount = 0;
};

struct LeaseRetry {
    QString leaseId;
    std::optional<int> delaySeconds;
};

struct AckResult {
    int ackCount = 0;
    int retryCount = 0;
    QStringList warnings;
};

// The queue engine: per queue, the batching clock, leases, retries, dead-lettering,
// pause, purge and retention, over a QueueStore it owns the writes of. Lives on one
// thread. Writes are grouped: everything that happens before the next tick shares one
// commit, and producers hear back only after that commit.
class Broker final : public QObject {
    Q_OBJECT
public:
    explicit Broker(QueueStore *store, const Clock *clock, QObject *parent = nullptr);
    ~Broker() override;

    bool start(QString *error);

    // Queues
    Error createQueue(const QString &name, const QueueSettings &settings = {}, QueueRecord *out = nullptr);
    Error updateQueue(const QString &name, const QueueSettings &settings, QueueRecord *out = nullptr);
    Error deleteQueue(const QString &name);
    Error setPaused(const QString &name, bool paused);
    Error purge(const QString &name, qint64 *removed = nullptr);
    std::optional<QueueRecord> queue(const QString &name) const;
    std::optional<QueueRecord> queueById(qint64 id) const;
    std::vector<QueueRecord> queues() const;
    QueueCounters counters(const QString &name) const;
    QueueCounts counts(const QString &name) const;
    QueueCounts backlog(const QString &name) const;

    // Producers. `durable` runs once the messages are committed (or the commit failed).
    using SendCallback = std::function<void(const Error &)>;
    Error send(const QString &queueName, std::vector<SendItem> items, std::optional<int> batchDelaySeconds,
        SendCallback durable, QStringList *ids = nullptr);
    // Runs `durable` once everything written so far is committed (or the commit failed), so
    // an API can answer any change only when it is on disk.
    void whenDurable(SendCallback durable);

    // Push consumers: by consumer type for every queue of that type, or for one queue.
    void setConsumerForType(ConsumerType type, std::shared_ptr<Consumer> consumer);
    void attachConsumer(const QString &queueName, std::shared_ptr<Consumer> consumer);

    // Pull consumers.
    Error pull(
        const QString &queueName, int batchSize, std::optional<int> visibilityTimeoutMs, PullResult *out);
    Error acknowledge(const QString &queueName, const QStringList &acks,
        const std::vector<LeaseRetry> &retries, AckResult *out);

    // Operator actions: every one is written to the audit log.
    // Failed and dead-lettered messages go back to their source queue with attempts from 1.
    Error retryMessages(const QStringList &ids, int delaySeconds, int *retried = nullptr);
    // Retries every failed or dead-lettered message matching the filter, in chunks on later
    // ticks, over the set as it is now. Returns an operation id for progress and cancel.
    Error startBulkRetry(const MessageFilter &filter, int delaySeconds, qint64 *operationId);
    void cancelBulk(qint64 operationId);
    Error redrive(const QString &dlqName, int *moved = nullptr);
    Error deleteMessages(const QStringList &ids, int *deleted = nullptr);
    // A bulk retry over the messages a view picked (a selection, an error group): the set is
    // what the caller saw, so nothing that fails later joins it. Same progress and cancel.
    Error startBulkRetrySeqs(std::vector<qint64> seqs, int delaySeconds, qint64 *operationId);
    // Replaces a failed or dead-lettered message's body and retries it; the original body is
    // kept in the audit log entry.
    Error editAndRetry(const QString &id, const QByteArray &body, ContentType type, int delaySeconds);

    // Reads for views and the API (on the broker's thread).
    QueueStore *store() const { return m_store; }
    const Clock *clock() const { return m_clock; }
    void audit(const QString &action, const QString &queue, const QJsonObject &detail);

    // Does now whatever is due: commit, deliver, expire leases. Tests with a manual
    // clock call this after moving time; in production ticks run by themselves.
    void pumpAll();
    // When the broker next wants to run on its own for this queue (for tests and views).
    std::optional<qint64> nextWakeMs(const QString &queueName) const;
    int inFlightBatches(const QString &queueName) const;

    static constexpr int kBulkChunk = 1000;

    // This runtime as other nodes and the dashboard see it. With a shared store each node
    // keeps a heartbeat row; with a local one the list is this process alone.
    void setNodeEndpoint(const QString &endpoint);
    void setNodeTimeoutMs(int timeoutMs);
    std::vector<NodeInfo> nodes();
    // What every node has counted for each queue: with a local store, this runtime's
    // counters; with a shared one, these plus every other node's last published ones.
    std::map<qint64, QueueCounters> clusterCounters();
    static constexpr int kHeartbeatMs = 1000;

signals:
    void queuesChanged();
    void auditAppended(const qd::AuditEntry &entry);
    void bulkProgress(qint64 operationId, qint64 done, qint64 total);
    void bulkFinished(qint64 operationId, qint64 done, qint64 total, bool cancelled);
    void batchCompleted(const QString &queueName, qint64 batchId);
    // Timings for the metrics sampler: a push batch took processingMs from dispatch to
    // completion (-1 for pull acks), and each acked message took endToEndMs from send.
    void latencies(const QString &queueName, qint64 processingMs, const QList<qint64> &endToEndMs);

private:
    struct QueueState {
        QueueRecord record;
        int inFlightBatches = 0;
        qint64 timerResetMs = 0; // the batch timer does not start before this
        std::optional<qint64> wakeAtMs;
        std::unique_ptr<QTimer> wake;
        std::shared_ptr<Consumer> consumer;
        QueueCounters counters;
    };
    struct InFlight {
        BatchRecord record;
        std::vector<Message> messages;
    };
    struct BulkOperation {
        std::vector<qint64> seqs;
        std::size_t next = 0;
        int delaySeconds = 0;
        bool cancelled = false;
    };
    struct Outcome {
        std::vector<MessageUpdate> updates;
        std::vector<AttemptRecord> attempts;
        BatchRecord *batch = nullptr;
        QList<qint64> endToEndMs; // of the acked messages
    };

    QueueState *stateByName(const QString &name);
    const QueueState *stateByName(const QString &name) const;
    QueueState *stateById(qint64 id);
    QueueState *ensureQueue(const QString &name);
    void scheduleTick();
    void tick();
    void commitAndNotify();
    // Answers those waiting on a write: all is well, or (when `error` says why the store did
    // not take it) `refusal` with the error, and no writes are taken until the store is back.
    void answerWriters(std::vector<SendCallback> &callbacks, const QString &refusal, const QString &error);
    void markDirty(qint64 queueId);
    void pump(QueueState &q);
    void scheduleWake(QueueState &q, std::optional<qint64> dueMs);
    int concurrencyLimit(const QueueState &q) const;
    Consumer *consumerFor(const QueueState &q) const;
    // False when the messages counted ready were taken by another node meanwhile.
    bool dispatch(QueueState &q, BatchCut cut, int size);
    void completeBatch(qint64 batchId, const BatchOutcome &outcome);
    void expireLeases(QueueState &q, qint64 now);
    void sweepRetention();
    void indexSearchText();
    // Puts back what is in flight by the store's rows; `why` goes into their history.
    void recoverInFlight(const QString &why = {});
    // Shared stores: keeping this node's row alive, following other nodes' changes, and
    // starting over when the database went away.
    NodeInfo localNode() const;
    void heartbeat();
    void publishCounters();
    void reloadQueues();
    void addQueueState(QueueRecord record);
    void storeLost(const QString &error);
    void tryReconnect();
    void retryOrGiveUp(QueueState &q, const Message &m, int delaySeconds, const QString &error,
        AttemptOutcome outcome, bool keepLease, Outcome &out);
    void recordAck(QueueState &q, const Message &m, Outcome &out);
    void apply(Outcome &out);
    int retryBySeqs(const std::vector<qint64> &seqs, int delaySeconds);
    void runBulkChunk(qint64 operationId);

    QueueStore *m_store;
    const Clock *m_clock;
    std::map<qint64, QueueState> m_queues;
    QHash<QString, qint64> m_queueIds;
    std::unordered_map<qint64, InFlight> m_inFlight;
    std::map<ConsumerType, std::shared_ptr<Consumer>> m_typeConsumers;
    std::map<qint64, BulkOperation> m_bulk;
    qint64 m_nextBulkId = 1;
    std::vector<SendCallback> m_awaitingCommit;
    QList<qint64> m_dirty;
    bool m_tickScheduled = false;
    bool m_inTick = false;
    QTimer m_retentionTimer;
    QTimer m_heartbeatTimer;
    QTimer m_countersTimer;
    QTimer m_reconnectTimer;
    QTimer m_searchIndexTimer;
    bool m_sentSinceIndexing = false;
    QElapsedTimer m_lastIndexing; // the search index's last chunk
    NodeInfo m_node;
    qint64 m_lastHeartbeatAcked = 0;
    qint64 m_lastHeartbeatMs = 0;
};

} // namespace qd
