#pragma once

#include "message.h"
#include "metricsframe.h"
#include "queuesettings.h"

#include <QJsonObject>
#include <QMetaType>
#include <QString>

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <vector>

namespace qd {

struct QueueRecord {
    qint64 id = 0;
    QString name;
    QueueSettings settings;
    qint64 createdMs = 0;
    qint64 modifiedMs = 0;
};

enum class BatchCut { Size, Timeout, Pull };
QString batchCutName(BatchCut cut);

struct BatchRecord {
    qint64 id = 0;
    qint64 queueId = 0;
    qint64 createdMs = 0;
    BatchCut cut = BatchCut::Size;
    int size = 0;
    qint64 endedMs = 0;
    int acked = 0;
    int retried = 0;
    int deadLettered = 0;
    int failed = 0;
    QString error;
};

// One delivery attempt's record: written when its outcome is known.
struct AttemptRecord {
    qint64 messageSeq = 0;
    QString messageId;
    qint64 queueId = 0;
    int attempt = 0;
    qint64 batchId = 0;
    qint64 startedMs = 0;
    qint64 endedMs = 0;
    AttemptOutcome outcome = AttemptOutcome::Acked;
    QString error;
    QStringList logs; // what a Worker's queue() printed during this attempt (docs/workers.md)
};

// A change of one message's row after an outcome or an operator action.
struct MessageUpdate {
    qint64 seq = 0;
    MessageState state = MessageState::Pending;
    qint64 queueId = 0;
    qint64 visibleAtMs = 0;
    int attempts = 0;
    qint64 sourceQueueId = 0;
    QString lastError;
    bool keepLease = false; // a retried pull lease stays known, so a late ack can find it
};

struct QueueCounts {
    qint64 ready = 0;
    qint64 delayed = 0;
    qint64 inFlight = 0;
    qint64 acked = 0;
    qint64 failed = 0;
    qint64 backlogBytes = 0;
    qint64 oldestTimestampMs = 0; // of the backlog (ready + delayed); 0 when empty
};

// Adds one state's count: how many, how many of them visible at the time asked, their body
// bytes and oldest timestamp (the last two count for the backlog only).
void addStateCount(
    QueueCounts &c, MessageState state, qint64 visible, qint64 n, qint64 bytes, qint64 oldestMs);

// A queue's depth by state, read by the metrics sampler every tick: stores answer it from
// an index, without touching acked rows or bodies.
struct QueueDepth {
    qint64 ready = 0;
    qint64 delayed = 0;
    qint64 inFlight = 0;
    qint64 failed = 0;
    qint64 oldestTimestampMs = 0; // of the message at the head of the backlog; 0 when empty
};

// Seq is the order messages were stored in, which is the order they were sent in.
enum class MessageSort { Seq, Queue, State, Attempts, User, Url, Updated, LastError, Id };

struct MessageFilter {
    std::optional<qint64> queueId;
    StateFilter state = StateFilter::Any;
    QString text; // searched in body and last error
    qint64 fromMs = 0; // timestamp range; 0 = open
    qint64 toMs = 0;
    bool deadLettered = false; // only messages that came from another queue's failures
    bool failures = false; // failed or waiting in a dead-letter queue: what a person may retry
    QString errorText; // searched in the last error only
    QString userId; // the JSON body's userId, exact
    QString errorPattern; // a LIKE pattern over the last error (errorSignaturePattern())
    // The order of listMessages(); counts and selectSeqs ignore it. Ties go by seq.
    MessageSort sort = MessageSort::Seq;
    bool descending = false;
};

struct AuditEntry {
    qint64 id = 0;
    qint64 timestampMs = 0;
    QString action;
    QString queue;
    QJsonObject detail;
};

// What the image consumer found out about one message's image.
struct ImageResult {
    qint64 id = 0;
    qint64 messageSeq = 0;
    QString messageId;
    qint64 queueId = 0;
    QString userId;
    QString url;
    QString finalUrl; // after redirects
    QString mime;
    QString format;
    int width = 0; // as stored in the file, before any EXIF orientation
    int height = 0;
    qint64 bytes = 0;
    QString sha256;
    int orientation = 1; // EXIF orientation 1..8; 1 = as stored
    QByteArray thumbnail; // PNG, longest side at most 256 px; empty in listings
    qint64 fetchMs = 0;
    qint64 decodeMs = 0;
    qint64 createdMs = 0;
};

struct ResultFilter {
    QString userId; // exact; empty = any
    QString text; // searched in URLs, user, message id, hash, format and type
};

// Running totals per queue since start-up; the metrics sampler turns them into rates.
struct QueueCounters {
    qint64 written = 0;
    qint64 delivered = 0;
    qint64 acked = 0;
    qint64 retried = 0;
    qint64 deadLettered = 0;
    qint64 failed = 0;
    qint64 expired = 0;
    qint64 batches = 0;
    qint64 batchesBySize = 0;
    qint64 batchesByTimeout = 0;
    qint64 batchMessages = 0;
};
// Field by field, for adding up nodes' counters.
inline constexpr qint64 QueueCounters::*kQueueCounterFields[] = { &QueueCounters::written,
    &QueueCounters::delivered, &QueueCounters::acked, &QueueCounters::retried, &QueueCounters::deadLettered,
    &QueueCounters::failed, &QueueCounters::expired, &QueueCounters::batches, &QueueCounters::batchesBySize,
    &QueueCounters::batchesByTimeout, &QueueCounters::batchMessages };

// One runtime process serving a shared store, as its heartbeat row says.
struct NodeInfo {
    qint64 id = 0;
    QString host;
    qint64 pid = 0;
    QString endpoint; // where its HTTP API answers
    qint64 startedMs = 0;
    qint64 heartbeatMs = 0; // the database's clock
    qint64 timeoutMs = 10'000; // without a heartbeat this long, the node counts as gone
    int batchesInFlight = 0;
    qint64 acked = 0; // since it started
    double throughput = 0; // acked messages a second over its last heartbeat interval
    bool alive = true; // its heartbeat is recent
    bool local = false; // the runtime that asked
    qint64 silentMs = 0; // since its last heartbeat, by the database's clock
};

// The store by role. A caller takes the role it needs; QueueStore is all of them, which the
// broker owns and the factory makes. Every role is pure: a store either does a thing or says
// in its own override why it has nothing to do.

// The queue's own life: opening the writer's connection, the messages' inserts, claims,
// leases, outcomes and removals, and the one commit that makes them durable. Used from one
// thread (the runtime's); writes go into an open transaction which commit() ends, so callers
// group them. What commit() wrote may reach the disk later: whenSynced() says when.
class QueueWriter {
public:
    virtual ~QueueWriter() = default;

    virtual bool open(QString *error) = 0;
    virtual bool commit(QString *error) = 0;
    virtual bool hasUncommitted() const = 0;
    // Runs `done` on this thread once everything commit() wrote so far is on disk, with the
    // error that kept it off (the store is then unavailable, as after a failed commit); at once
    // when the last commit was durable when it returned.
    virtual void whenSynced(std::function<void(const QString &error)> done) = 0;
    // Waits until everything committed so far is on disk and runs what whenSynced() was given.
    virtual void waitSynced() = 0;
    // False while the connection is lost (or, on SQLite, after a failed commit until a probe
    // write goes through); reconnect() tries to get it back.
    virtual bool available() const = 0;
    virtual bool reconnect(QString *error) = 0;

    virtual qint64 insertQueue(const QString &name, const QueueSettings &settings, qint64 nowMs) = 0;
    virtual void updateQueue(qint64 id, const QString &name, const QueueSettings &settings, qint64 nowMs) = 0;
    virtual void deleteQueue(qint64 id) = 0;

    virtual void insertMessages(std::vector<Message> &messages) = 0; // fills seq
    // How many pending messages are visible at nowMs, counting at most `limit`.
    virtual int countReady(qint64 queueId, qint64 nowMs, int limit) = 0;
    // The smallest visible_at of the queue's pending messages.
    virtual std::optional<qint64> minPendingVisibleAt(qint64 queueId) = 0;
    // The smallest visible_at later than nowMs of the queue's pending messages: when the
    // next delayed one comes due, answered from an index.
    virtual std::optional<qint64> minDelayedVisibleAt(qint64 queueId, qint64 nowMs) = 0;
    virtual std::optional<qint64> minLeaseExpiry(qint64 queueId) = 0;
    // Takes up to `limit` ready messages, oldest first, into flight.
    virtual std::vector<Message> claimReady(
        qint64 queueId, qint64 nowMs, int limit, qint64 batchId, qint64 leaseExpiresMs, bool withLeases)
        = 0;
    virtual std::vector<Message> expiredLeases(qint64 queueId, qint64 nowMs) = 0;
    virtual void updateMessages(const std::vector<MessageUpdate> &updates, qint64 nowMs) = 0;
    virtual void deleteMessages(const std::vector<qint64> &seqs) = 0;
    // Replaces a message's body (an operator's edit); false when the store cannot.
    virtual bool updateBody(qint64 seq, const QByteArray &body, ContentType type) = 0;
    // Removes the queue's backlog (ready, delayed) and its failed messages; returns how many.
    virtual qint64 purgeQueue(qint64 queueId) = 0;
    // Removes messages older than the retention (not those in flight); returns how many of
    // them were never processed (ready, delayed or failed): acked ones are not "expired".
    virtual qint64 expireMessages(qint64 queueId, qint64 olderThanMs) = 0;
    // Puts push batches that were in flight when the process stopped back in the backlog.
    virtual std::vector<Message> inFlightWithoutLease() = 0;
    // Adds up to `maxRows` of the messages the search index does not hold yet to it, in the
    // write transaction; returns how many (docs/architecture.md, "Search"). 0 when it holds
    // them all, or when the store keeps its index as it writes.
    virtual int indexSearchText(int maxRows) = 0;
};

// Messages and queues as they are: one message, counts, the message views' filtered pages.
// Readers for views open a connection of their own with openReader().
class QueueReader {
public:
    virtual ~QueueReader() = default;

    // For views, on connections of their own: open without creating or migrating, and never
    // write. Reads between beginRead() and endRead() see one snapshot.
    virtual bool openReader(QString *error) = 0;
    // What makeStore() takes to open another connection to this same store, for readers.
    virtual QString spec() const = 0;
    virtual void beginRead() = 0;
    virtual void endRead() = 0;

    virtual std::vector<QueueRecord> loadQueues() = 0;
    virtual std::optional<Message> messageBySeq(qint64 seq) = 0;
    virtual std::optional<Message> messageById(const QString &id) = 0;

    virtual QueueCounts counts(qint64 queueId, qint64 nowMs) = 0;
    // counts() of the backlog alone (ready, delayed, their bytes and oldest timestamp), which
    // every send and pull reports: stores answer it without visiting acked or failed rows.
    virtual QueueCounts backlog(qint64 queueId, qint64 nowMs) = 0;
    // The totals counts() reads (kept per queue and state by the store itself, in the
    // transaction of every change) against a full count of the messages: the first
    // difference in words, or nothing when they agree. It reads every message.
    virtual QString totalsMismatch() = 0;
    virtual std::vector<Message> listMessages(
        const MessageFilter &filter, qint64 nowMs, int offset, int limit)
        = 0;
    virtual qint64 countMessages(const MessageFilter &filter, qint64 nowMs) = 0;
    virtual std::vector<qint64> selectSeqs(const MessageFilter &filter, qint64 nowMs) = 0;
    // Where the message `seq` sits in listMessages(filter) order; -1 when it doesn't match.
    virtual qint64 positionOf(const MessageFilter &filter, qint64 nowMs, qint64 seq) = 0;
    // Failed and dead-lettered messages, without bodies, for grouping by error.
    virtual std::vector<Message> failures(std::optional<qint64> queueId) = 0;
};

// What happened: batches, delivery attempts, operator actions and image results. Written into
// the open transaction, so a record commits with the change it describes.
class HistoryStore {
public:
    virtual ~HistoryStore() = default;

    virtual qint64 insertBatch(const BatchRecord &batch) = 0;
    virtual void finishBatch(const BatchRecord &batch) = 0;
    // Removes a batch row that was never delivered (another node claimed its messages first).
    virtual void discardBatch(qint64 id) = 0;
    virtual std::optional<BatchRecord> batch(qint64 id) = 0;
    virtual std::vector<BatchRecord> recentBatches(std::optional<qint64> queueId, int limit) = 0;
    virtual void insertAttempts(const std::vector<AttemptRecord> &attempts) = 0;
    virtual std::vector<AttemptRecord> attemptsForMessage(qint64 seq) = 0;
    virtual std::vector<AttemptRecord> attemptsForBatch(qint64 batchId) = 0;

    virtual void insertAudit(const AuditEntry &entry) = 0;
    virtual std::vector<AuditEntry> audit(int limit) = 0;
    // Operator actions whose detail names `text` (a message id), newest first.
    virtual std::vector<AuditEntry> auditMentioning(const QString &text, int limit) = 0;

    // Image results, so that a result commits with its message's ack. A message has at most
    // one result; a later one replaces it.
    virtual void insertResults(const std::vector<ImageResult> &results) = 0;
    virtual std::optional<ImageResult> resultForMessage(const QString &messageId) = 0;
    // Newest first, without thumbnails.
    virtual std::vector<ImageResult> listResults(const ResultFilter &filter, int offset, int limit) = 0;
    virtual qint64 countResults(const ResultFilter &filter) = 0;
};

// What the charts read. depth() runs every second per queue, so it must stay cheap at
// millions of messages.
class MetricsStore {
public:
    virtual ~MetricsStore() = default;

    virtual QueueDepth depth(qint64 queueId, qint64 nowMs) = 0;
    // Per-minute rollups (one per queue and minute; a later one for the same minute
    // replaces it), written into the open transaction; rollups older than keepFromMs go.
    virtual void insertRollups(const std::vector<MetricsFrame> &rollups, qint64 keepFromMs) = 0;
    // Oldest first.
    virtual std::vector<MetricsFrame> rollups(qint64 fromMs) = 0;
};

// Several runtimes on one store (PostgreSQL). A local store is never shared: it says so with
// shared() and answers the rest as a cluster of one node would, with nobody to hear from.
class ClusterStore {
public:
    virtual ~ClusterStore() = default;

    virtual bool shared() const = 0;
    // Called on the store's thread when another node changed a queue's messages or batches
    // (its id), or the list of queues (-1).
    virtual void setChangeListener(std::function<void(qint64 queueId)> listener) = 0;
    // Takes the queue's dispatch lock until the next commit and returns how many of its push
    // batches are in flight on every node; -1 when another node holds the lock just now.
    virtual int lockDispatch(qint64 queueId) = 0;
    // This process's row in the node table: registered once, then a heartbeat every second.
    // Push batches claimed by a node whose heartbeat stopped come back through
    // inFlightWithoutLease().
    virtual qint64 registerNode(const NodeInfo &node) = 0;
    virtual void heartbeat(const NodeInfo &node) = 0;
    virtual void unregisterNode() = 0;
    virtual std::vector<NodeInfo> nodes() = 0;
    // Which of `seqs`, the messages of a push batch this node claimed, are still its own,
    // locked until commit: another node may have taken them back while this one was too slow
    // to beat. Looked up by seq, so it costs the batch's size, not the node's claims.
    virtual std::vector<qint64> stillClaimed(qint64 batchId, const std::vector<qint64> &seqs) = 0;
    // Each node's running totals per queue, so charts show every node's work: a node writes
    // its own (into the open transaction) and reads the sum of everyone else's, including
    // nodes that have stopped, so the sums only grow.
    virtual void publishCounters(const std::map<qint64, QueueCounters> &counters) = 0;
    virtual std::map<qint64, QueueCounters> otherNodesCounters() = 0;
};

// Everything durable: every role on one connection.
class QueueStore : public QueueWriter,
                   public QueueReader,
                   public HistoryStore,
                   public MetricsStore,
                   public ClusterStore {
public:
    ~QueueStore() override = default;
};

// A store from its spec: "postgresql://user[:password]@host[:port]/db[?schema=name]" for a
// shared PostgreSQL database, anything else a path to a SQLite file.
bool isPostgresSpec(const QString &spec);
std::unique_ptr<QueueStore> makeStore(const QString &spec);
// The spec without its password, for logs and the window's title.
QString displayStoreSpec(const QString &spec);
// Messages and body bytes per (queue id, state), as kept or as counted.
using StateTotals = std::map<std::pair<qint64, int>, std::pair<qint64, qint64>>;
// The first difference between two StateTotals, ignoring empty entries; empty when none.
QString compareTotals(const StateTotals &kept, const StateTotals &counted);
// A LIKE pattern that finds `text` anywhere, with its wildcards escaped (ESCAPE '\\'); both
// stores' searches use it.
QString likePattern(const QString &text);

} // namespace qd

Q_DECLARE_METATYPE(qd::NodeInfo)
