#include "broker.h"

#include "sendlimits.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QHostInfo>
#include <QJsonArray>
#include <QRandomGenerator>
#include <QThread>
#include <QtEndian>

#include <algorithm>
#include <atomic>
#include <utility>

namespace qd {

namespace {
// Bounds the work one tick does for one queue, so one busy queue cannot starve the
// others or the event loop, and commits stay a sensible size.
constexpr int kMaxBatchesPerTick = 200;
constexpr int kRetentionSweepMs = 60'000;
// The search index takes the newest messages a chunk at a time, about 11 µs of the runtime
// thread's time each (docs/architecture.md, "Search"). When no send came since the last look,
// kSearchIndexMs ago, chunks of 500 (5 ms) back to back until the index has caught up: a send
// that arrives waits at most one chunk. While sends come, 100 (1 ms) every kSearchIndexBusyMs,
// so that a steady trickle of sends is indexed too; above that rate the index catches up when
// sends pause, and a search reads the messages it does not cover yet row by row. Larger or
// more frequent chunks under load (500 a second, or 50 every 25 ms) moved `POST /`'s p99 at
// 64 connections from 3.5 to 6-7 ms and cost 5-10 % of its rate (bench/producer.sh): FTS5
// writes and merges a segment per chunk.
constexpr int kSearchIndexIdleChunk = 500;
constexpr int kSearchIndexBusyChunk = 100;
constexpr int kSearchIndexMs = 25;
constexpr int kSearchIndexBusyMs = 1000;
// How soon a node tries again when another one held a queue's dispatch lock.
constexpr int kDispatchRetryMs = 25;

QString queueNameError(const QString &name)
{
    if (name.isEmpty())
        return QStringLiteral("queue_name must not be empty");
    if (name.size() > 255)
        return QStringLiteral("queue_name must be at most 255 characters (got %1)").arg(name.size());
    return {};
}

// Refused up front: a dead-letter queue that could never be created would only show at
// a message's last attempt, which would then fail instead of moving.
QString deadLetterNameError(const QueueSettings &settings)
{
    if (settings.deadLetterQueue.isEmpty())
        return {};
    const QString e = queueNameError(settings.deadLetterQueue);
    return e.isEmpty() ? e : QStringLiteral("dead_letter_queue: ") + e;
}

// 32 lowercase hex like newMessageId(), but leading with the send time (48 bits of ms and
// a 16-bit counter) before 64 random bits. The unique index on message ids then grows at
// its end, as the table does; with fully random ids every message in a commit dirtied its
// own index leaf page, and those pages were most of what each commit wrote and fsynced.
QString orderedMessageId(qint64 nowMs)
{
    static std::atomic<quint32> counter { 0 };
    const quint64 high = (quint64(nowMs) << 16) | (counter.fetch_add(1, std::memory_order_relaxed) & 0xffffu);
    uchar raw[16];
    qToBigEndian(high, raw);
    qToBigEndian(QRandomGenerator::global()->generate64(), raw + 8);
    return QString::fromLatin1(QByteArray(reinterpret_cast<const char *>(raw), sizeof raw).toHex());
}
} // namespace

Broker::Broker(QueueStore *store, const Clock *clock, QObject *parent)
    : QObject(parent)
    , m_store(store)
    , m_clock(clock)
{
    m_retentionTimer.setInterval(kRetentionSweepMs);
    connect(&m_retentionTimer, &QTimer::timeout, this, &Broker::sweepRetention);
    m_heartbeatTimer.setInterval(kHeartbeatMs);
    connect(&m_heartbeatTimer, &QTimer::timeout, this, &Broker::heartbeat);
    // Often enough that other nodes' charts, sampled each second, see smooth rates.
    m_countersTimer.setInterval(250);
    connect(&m_countersTimer, &QTimer::timeout, this, &Broker::publishCounters);
    m_reconnectTimer.setInterval(1000);
    connect(&m_reconnectTimer, &QTimer::timeout, this, &Broker::tryReconnect);
    m_searchIndexTimer.setInterval(kSearchIndexMs);
    connect(&m_searchIndexTimer, &QTimer::timeout, this, &Broker::indexSearchText);
    m_node.host = QHostInfo::localHostName();
    m_node.pid = QCoreApplication::applicationPid();
    m_node.startedMs = QDateTime::currentMSecsSinceEpoch();
}

Broker::~Broker()
{
    commitAndNotify();
    m_store->waitSynced();
    if (m_store->shared() && m_store->available()) {
        // Leaving on purpose: the row goes, so whatever is still in flight here is taken
        // back by the other nodes at once rather than when the heartbeat runs out.
        m_store->unregisterNode();
        QString error;
        m_store->commit(&error);
    }
}

void Broker::addQueueState(QueueRecord record)
{
    const qint64 id = record.id;
    m_queueIds.insert(record.name, id);
    QueueState &q = m_queues[id];
    q.record = std::move(record);
    q.wake = std::make_unique<QTimer>();
    q.wake->setSingleShot(true);
    connect(q.wake.get(), &QTimer::timeout, this, [this, id] { markDirty(id); });
}

bool Broker::start(QString *error)
{
    for (QueueRecord &record : m_store->loadQueues())
        addQueueState(std::move(record));
    if (m_store->shared()) {
        m_store->registerNode(localNode());
        m_store->setChangeListener([this](qint64 queueId) {
            if (queueId < 0)
                QMetaObject::invokeMethod(this, &Broker::reloadQueues, Qt::QueuedConnection);
            else if (m_queues.contains(queueId))
                markDirty(queueId);
        });
        m_heartbeatTimer.start();
        m_countersTimer.start();
    }
    recoverInFlight();
    sweepRetention();
    if (!m_store->commit(error))
        return false;
    for (const auto &[id, q] : m_queues)
        markDirty(id);
    m_retentionTimer.start();
    m_searchIndexTimer.start();
    return true;
}

Broker::QueueState *Broker::stateByName(const QString &name)
{
    const auto it = m_queueIds.constFind(name);
    return it == m_queueIds.constEnd() ? nullptr : stateById(*it);
}

const Broker::QueueState *Broker::stateByName(const QString &name) const
{
    const auto it = m_queueIds.constFind(name);
    if (it == m_queueIds.constEnd())
        return nullptr;
    const auto q = m_queues.find(*it);
    return q == m_queues.end() ? nullptr : &q->second;
}

Broker::QueueState *Broker::stateById(qint64 id)
{
    const auto it = m_queues.find(id);
    return it == m_queues.end() ? nullptr : &it->second;
}

std::optional<QueueRecord> Broker::queue(const QString &name) const
{
    const QueueState *q = stateByName(name);
    return q ? std::optional<QueueRecord>(q->record) : std::nullopt;
}

std::optional<QueueRecord> Broker::queueById(qint64 id) const
{
    const auto it = m_queues.find(id);
    return it == m_queues.end() ? std::nullopt : std::optional<QueueRecord>(it->second.record);
}

std::vector<QueueRecord> Broker::queues() const
{
    std::vector<QueueRecord> out;
    out.reserve(m_queues.size());
    for (const auto &[id, q] : m_queues)
        out.push_back(q.record);
    return out;
}

QueueCounters Broker::counters(const QString &name) const
{
    const QueueState *q = stateByName(name);
    return q ? q->counters : QueueCounters {};
}

QueueCounts Broker::counts(const QString &name) const
{
    const QueueState *q = stateByName(name);
    return q ? m_store->counts(q->record.id, m_clock->nowMs()) : QueueCounts {};
}

QueueCounts Broker::backlog(const QString &name) const
{
    const QueueState *q = stateByName(name);
    return q ? m_store->backlog(q->record.id, m_clock->nowMs()) : QueueCounts {};
}

int Broker::inFlightBatches(const QString &queueName) const
{
    const QueueState *q = stateByName(queueName);
    return q ? q->inFlightBatches : 0;
}

std::optional<qint64> Broker::nextWakeMs(const QString &queueName) const
{
    const QueueState *q = stateByName(queueName);
    return q ? q->wakeAtMs : std::nullopt;
}

void Broker::audit(const QString &action, const QString &queue, const QJsonObject &detail)
{
    AuditEntry entry { 0, m_clock->nowMs(), action, queue, detail };
    m_store->insertAudit(entry);
    scheduleTick();
    emit auditAppended(entry);
}

Broker::QueueState *Broker::ensureQueue(const QString &name)
{
    if (QueueState *q = stateByName(name))
        return q;
    QueueRecord record;
    if (createQueue(name, QueueSettings {}, &record).isError())
        return nullptr;
    return stateById(record.id);
}

Error Broker::createQueue(const QString &name, const QueueSettings &settings, QueueRecord *out)
{
    if (!m_store->available())
        return Error::make(
            ErrorCode::Unavailable, QStringLiteral("the store takes no writes just now; try again shortly"));
    if (const QString e = queueNameError(name); !e.isEmpty())
        return Error::make(ErrorCode::Invalid, e);
    if (m_queueIds.contains(name))
        return Error::make(
            ErrorCode::Conflict, QStringLiteral("a queue named \"%1\" already exists").arg(name));
    if (const QString e = settings.validate(name); !e.isEmpty())
        return Error::make(ErrorCode::Invalid, e);
    if (const QString e = deadLetterNameError(settings); !e.isEmpty())
        return Error::make(ErrorCode::Invalid, e);
    const qint64 now = m_clock->nowMs();
    const qint64 id = m_store->insertQueue(name, settings, now);
    if (id == 0)
        return Error::make(ErrorCode::Storage, QStringLiteral("could not write the queue to the store"));
    if (!m_queues.contains(id))
        addQueueState(QueueRecord { id, name, settings, now, now });
    audit(QStringLiteral("queue_created"), name, settings.toJson());
    if (!settings.deadLetterQueue.isEmpty())
        ensureQueue(settings.deadLetterQueue);
    if (out)
        *out = stateById(id)->record;
    emit queuesChanged();
    return {};
}

Error Broker::updateQueue(const QString &name, const QueueSettings &settings, QueueRecord *out)
{
    QueueState *q = stateByName(name);
    if (!q)
        return Error::make(ErrorCode::NotFound, QStringLiteral("queue \"%1\" not found").arg(name));
    if (const QString e = settings.validate(name); !e.isEmpty())
        return Error::make(ErrorCode::Invalid, e);
    if (const QString e = deadLetterNameError(settings); !e.isEmpty())
        return Error::make(ErrorCode::Invalid, e);
    const qint64 now = m_clock->nowMs();
    const QueueSettings before = q->record.settings;
    q->record.settings = settings;
    q->record.modifiedMs = now;
    m_store->updateQueue(q->record.id, name, settings, now);
    if (before.paused != settings.paused)
        audit(settings.paused ? QStringLiteral("paused") : QStringLiteral("resumed"), name, {});
    QueueSettings beforeIgnoringPause = before;
    beforeIgnoringPause.paused = settings.paused;
    if (beforeIgnoringPause != settings)
        audit(QStringLiteral("settings_changed"), name,
            QJsonObject { { QStringLiteral("before"), before.toJson() },
                { QStringLiteral("after"), settings.toJson() } });
    const qint64 id = q->record.id;
    if (!settings.deadLetterQueue.isEmpty())
        ensureQueue(settings.deadLetterQueue);
    if (out)
        *out = stateById(id)->record;
    markDirty(id);
    emit queuesChanged();
    return {};
}

Error Broker::deleteQueue(const QString &name)
{
    QueueState *q = stateByName(name);
    if (!q)
        return Error::make(ErrorCode::NotFound, QStringLiteral("queue \"%1\" not found").arg(name));
    const qint64 id = q->record.id;
    m_store->deleteQueue(id);
    m_queueIds.remove(name);
    m_queues.erase(id);
    m_dirty.removeAll(id);
    audit(QStringLiteral("queue_deleted"), name, {});
    emit queuesChanged();
    return {};
}

Error Broker::setPaused(const QString &name, bool paused)
{
    const QueueState *q = stateByName(name);
    if (!q)
        return Error::make(ErrorCode::NotFound, QStringLiteral("queue \"%1\" not found").arg(name));
    QueueSettings settings = q->record.settings;
    settings.paused = paused;
    return updateQueue(name, settings);
}

Error Broker::purge(const QString &name, qint64 *removed)
{
    QueueState *q = stateByName(name);
    if (!q)
        return Error::make(ErrorCode::NotFound, QStringLiteral("queue \"%1\" not found").arg(name));
    const qint64 n = m_store->purgeQueue(q->record.id);
    if (removed)
        *removed = n;
    audit(QStringLiteral("purged"), name, QJsonObject { { QStringLiteral("removed"), n } });
    markDirty(q->record.id);
    return {};
}

Error Broker::send(const QString &queueName, std::vector<SendItem> items,
    std::optional<int> batchDelaySeconds, SendCallback durable, QStringList *ids)
{
    QueueState *q = stateByName(queueName);
    if (!q)
        return Error::make(ErrorCode::NotFound, QStringLiteral("queue \"%1\" not found").arg(queueName));
    if (!m_store->available())
        return Error::make(ErrorCode::Unavailable,
            QStringLiteral("the store takes no writes just now; nothing was stored, try again shortly"));
    if (Error e = checkSend(items, batchDelaySeconds); e.isError())
        return e;

    const qint64 now = m_clock->nowMs();
    std::vector<Message> messages(items.size());
    for (std::size_t i = 0; i < items.size(); ++i) {
        Message &m = messages[i];
        SendItem &item = items[i];
        const int delay
            = item.delaySeconds.value_or(batchDelaySeconds.value_or(q->record.settings.deliveryDelaySeconds));
        m.id = orderedMessageId(now);
        m.queueId = q->record.id;
        m.body = std::move(item.body);
        m.contentType = item.contentType;
        m.timestampMs = now;
        m.visibleAtMs = now + qint64(delay) * 1000;
        if (ids)
            ids->append(m.id);
    }
    m_store->insertMessages(messages);
    m_sentSinceIndexing = true;
    q->counters.written += qint64(messages.size());
    if (durable)
        m_awaitingCommit.push_back(std::move(durable));
    markDirty(q->record.id);
    return {};
}

void Broker::setConsumerForType(ConsumerType type, std::shared_ptr<Consumer> consumer)
{
    m_typeConsumers[type] = std::move(consumer);
    for (const auto &[id, q] : m_queues)
        markDirty(id);
}

void Broker::attachConsumer(const QString &queueName, std::shared_ptr<Consumer> consumer)
{
    if (QueueState *q = stateByName(queueName)) {
        q->consumer = std::move(consumer);
        markDirty(q->record.id);
    }
}

Consumer *Broker::consumerFor(const QueueState &q) const
{
    if (q.consumer)
        return q.consumer.get();
    const auto type = q.record.settings.consumerType;
    if (type == ConsumerType::HttpPull || type == ConsumerType::None)
        return nullptr;
    const auto it = m_typeConsumers.find(type);
    return it == m_typeConsumers.end() ? nullptr : it->second.get();
}

int Broker::concurrencyLimit(const QueueState &q) const
{
    const int set = q.record.settings.maxConcurrency;
    return set > 0 ? set : std::max(1, QThread::idealThreadCount());
}

void Broker::markDirty(qint64 queueId)
{
    if (!m_dirty.contains(queueId))
        m_dirty.append(queueId);
    scheduleTick();
}

void Broker::scheduleTick()
{
    if (m_tickScheduled)
        return;
    m_tickScheduled = true;
    QMetaObject::invokeMethod(this, &Broker::tick, Qt::QueuedConnection);
}

void Broker::commitAndNotify()
{
    QString error;
    const bool wrote = m_store->hasUncommitted();
    const bool ok = m_store->commit(&error);
    auto callbacks = std::exchange(m_awaitingCommit, {});
    if (!ok) {
        // Nothing of this commit was stored: producers hear 503 and send again, and the broker
        // starts over from what the store holds once it takes writes again.
        answerWriters(callbacks,
            QStringLiteral("the store did not take the write (%1); nothing was stored, try again shortly"),
            error.isEmpty() ? QStringLiteral("no reason given") : error);
        return;
    }
    if (!wrote && callbacks.empty())
        return;
    // The commit may still be on its way to the disk (docs/architecture.md, "Commits"): the
    // runtime thread goes on with the next requests, and these hear back once it is there.
    // If the sync fails the messages are stored, perhaps, but not known to be on disk: a 503
    // is the honest answer, and a producer that sends again may make a duplicate, which
    // at-least-once allows.
    m_store->whenSynced([this, callbacks = std::move(callbacks)](const QString &syncError) mutable {
        answerWriters(callbacks,
            QStringLiteral("the store could not make the write durable (%1); send it again shortly"),
            syncError);
    });
}

void Broker::answerWriters(std::vector<SendCallback> &callbacks, const QString &refusal, const QString &error)
{
    Error result;
    if (!error.isEmpty()) {
        result = Error::make(ErrorCode::Unavailable, refusal.arg(error));
        if (!m_reconnectTimer.isActive())
            storeLost(error);
    }
    for (auto &callback : callbacks)
        callback(result);
}

void Broker::tick()
{
    if (m_inTick)
        return;
    m_inTick = true;
    m_tickScheduled = false;
    commitAndNotify();
    if (!m_store->available()) {
        m_inTick = false;
        return; // nothing is pumped until the store is back
    }
    for (int round = 0; round < 4 && !m_dirty.isEmpty(); ++round) {
        const QList<qint64> dirty = std::exchange(m_dirty, {});
        for (qint64 id : dirty) {
            if (QueueState *q = stateById(id))
                pump(*q);
        }
    }
    m_inTick = false;
    if (m_store->hasUncommitted() || !m_dirty.isEmpty() || !m_awaitingCommit.empty()) {
        m_tickScheduled = false;
        scheduleTick();
    }
}

void Broker::pumpAll()
{
    sweepRetention();
    for (const auto &[id, q] : m_queues)
        markDirty(id);
    tick();
    commitAndNotify();
    m_store->waitSynced();
}

void Broker::pump(QueueState &q)
{
    const qint64 now = m_clock->nowMs();
    const qint64 id = q.record.id;
    expireLeases(q, now);
    const QueueSettings &s = q.record.settings;
    std::optional<qint64> due;
    Consumer *consumer = s.paused ? nullptr : consumerFor(q);
    int dispatched = 0;
    while (consumer && q.inFlightBatches < concurrencyLimit(q)) {
        if (dispatched >= kMaxBatchesPerTick) {
            markDirty(id);
            break;
        }
        const int ready = m_store->countReady(id, now, s.maxBatchSize);
        if (ready == 0)
            break;
        BatchCut cut = BatchCut::Size;
        if (ready < s.maxBatchSize) {
            // The batch timer runs from the first message into an empty backlog, and
            // starts again after a batch.
            const qint64 oldest = m_store->minPendingVisibleAt(id).value_or(now);
            const qint64 base = std::max(oldest, q.timerResetMs);
            if (now < base + s.maxBatchTimeoutMs) {
                due = base + s.maxBatchTimeoutMs;
                break;
            }
            cut = BatchCut::Timeout;
        }
        if (m_store->shared() && s.maxConcurrency > 0) {
            // A set max_concurrency counts every node's batches of this queue; unset, each
            // node runs as many as it has cores, so adding nodes adds consumers.
            const int everywhere = m_store->lockDispatch(id);
            if (everywhere < 0) { // another node is dispatching from this queue just now
                due = now + kDispatchRetryMs;
                break;
            }
            if (everywhere >= concurrencyLimit(q))
                break; // a node finishing a batch notifies, which wakes this queue again
        }
        if (!dispatch(q, cut, ready)) { // another node took the messages first
            due = now + kDispatchRetryMs;
            break;
        }
        ++dispatched;
    }
    if (consumer) {
        // Delayed messages coming due can fill a batch before the batch timer runs out.
        if (const auto next = m_store->minDelayedVisibleAt(id, now))
            due = due ? std::min(*due, *next) : *next;
    }
    if (const auto lease = m_store->minLeaseExpiry(id))
        due = due ? std::min(*due, *lease) : *lease;
    scheduleWake(q, due);
}

void Broker::scheduleWake(QueueState &q, std::optional<qint64> dueMs)
{
    q.wakeAtMs = dueMs;
    if (!dueMs) {
        q.wake->stop();
        return;
    }
    const qint64 wait = std::clamp<qint64>(*dueMs - m_clock->nowMs(), 0, 24LL * 3600 * 1000);
    q.wake->start(int(wait));
}

bool Broker::dispatch(QueueState &q, BatchCut cut, int size)
{
    const qint64 now = m_clock->nowMs();
    BatchRecord record;
    record.queueId = q.record.id;
    record.createdMs = now;
    record.cut = cut;
    record.size = size; // stored now, so a batch in flight shows its size
    record.id = m_store->insertBatch(record);
    Delivery delivery { record.id, q.record.name, q.record.settings, cut,
        m_store->claimReady(q.record.id, now, size, record.id, 0, false) };
    record.size = int(delivery.messages.size());
    if (record.size == 0) {
        m_store->discardBatch(record.id);
        return false;
    }
    q.inFlightBatches += 1;
    q.timerResetMs = now;
    q.counters.delivered += record.size;
    q.counters.batches += 1;
    q.counters.batchMessages += record.size;
    (cut == BatchCut::Size ? q.counters.batchesBySize : q.counters.batchesByTimeout) += 1;

    InFlight flight { record, delivery.messages };
    for (Message &m : flight.messages)
        m.body.clear();
    const qint64 batchId = record.id;
    m_inFlight.emplace(batchId, std::move(flight));
    Consumer *consumer = consumerFor(q);
    QPointer<Broker> self(this);
    consumer->deliver(delivery, [self, batchId](const BatchOutcome &outcome) {
        if (self)
            self->completeBatch(batchId, outcome);
    });
    return true;
}

void Broker::completeBatch(qint64 batchId, const BatchOutcome &outcome)
{
    const auto it = m_inFlight.find(batchId);
    if (it == m_inFlight.end())
        return;
    InFlight flight = std::move(it->second);
    m_inFlight.erase(it);
    QueueState *q = stateById(flight.record.queueId);
    if (!q)
        return; // the queue was deleted while the batch was out
    const qint64 now = m_clock->nowMs();
    if (m_store->shared()) {
        // Taken back by another node (this one's heartbeat ran out while the consumer
        // worked): that node delivers them again and owns them now; this late outcome
        // changes nothing, so no message is acked twice.
        std::vector<qint64> seqs;
        seqs.reserve(flight.messages.size());
        for (const Message &m : flight.messages)
            seqs.push_back(m.seq);
        const std::vector<qint64> mine = m_store->stillClaimed(batchId, seqs);
        const auto taken = std::remove_if(flight.messages.begin(), flight.messages.end(),
            [&](const Message &m) { return std::find(mine.begin(), mine.end(), m.seq) == mine.end(); });
        if (taken != flight.messages.end()) {
            qWarning("QueueDeck: batch %lld finished after another node took back %d of its messages",
                batchId, int(flight.messages.end() - taken));
            flight.messages.erase(taken, flight.messages.end());
            if (flight.messages.empty()) {
                q->inFlightBatches -= 1;
                markDirty(q->record.id);
                return; // its record was closed by the node that took it back
            }
        }
    }
    Outcome out;
    out.batch = &flight.record;
    for (const Message &m : flight.messages) {
        const BatchOutcome::Resolved r = outcome.resolve(m.id);
        if (r.verdict == BatchOutcome::Verdict::Ack)
            recordAck(*q, m, out);
        else
            retryOrGiveUp(*q, m, r.delaySeconds.value_or(q->record.settings.retryDelaySeconds),
                outcome.retryReason(m.id), AttemptOutcome::Retried, false, out);
    }
    for (AttemptRecord &a : out.attempts)
        a.logs = outcome.logs();
    flight.record.endedMs = now;
    if (outcome.failed())
        flight.record.error = outcome.error();
    apply(out);
    m_store->finishBatch(flight.record);
    q->inFlightBatches -= 1;
    q->timerResetMs = std::max(q->timerResetMs, now);
    markDirty(q->record.id);
    emit latencies(q->record.name, now - flight.record.createdMs, out.endToEndMs);
    emit batchCompleted(q->record.name, batchId);
}

void Broker::recordAck(QueueState &q, const Message &m, Outcome &out)
{
    const qint64 now = m_clock->nowMs();
    out.updates.push_back(MessageUpdate {
        m.seq, MessageState::Acked, q.record.id, m.visibleAtMs, m.attempts, m.sourceQueueId, m.lastError });
    out.attempts.push_back(AttemptRecord {
        m.seq, m.id, q.record.id, m.attempts, m.batchId, m.updatedMs, now, AttemptOutcome::Acked, {}, {} });
    q.counters.acked += 1;
    out.endToEndMs.append(now - m.timestampMs);
    if (out.batch)
        out.batch->acked += 1;
}

void Broker::retryOrGiveUp(QueueState &q, const Message &m, int delaySeconds, const QString &error,
    AttemptOutcome outcome, bool keepLease, Outcome &out)
{
    const qint64 now = m_clock->nowMs();
    const QueueSettings &s = q.record.settings;
    AttemptRecord attempt { m.seq, m.id, q.record.id, m.attempts, m.batchId, m.updatedMs, now, outcome, error,
        {} };
    if (m.attempts >= s.maxRetries + 1) {
        QueueState *dlq = s.deadLetterQueue.isEmpty() ? nullptr : ensureQueue(s.deadLetterQueue);
        if (dlq) {
            // Keeps id, timestamp and body; attempts start again in the dead-letter queue.
            out.updates.push_back(
                MessageUpdate { m.seq, MessageState::Pending, dlq->record.id, now, 0, q.record.id, error });
            attempt.outcome = AttemptOutcome::DeadLettered;
            q.counters.deadLettered += 1;
            if (out.batch)
                out.batch->deadLettered += 1;
            markDirty(dlq->record.id);
        } else {
            out.updates.push_back(MessageUpdate {
                m.seq, MessageState::Failed, q.record.id, now, m.attempts, m.sourceQueueId, error });
            attempt.outcome = AttemptOutcome::Failed;
            q.counters.failed += 1;
            if (out.batch)
                out.batch->failed += 1;
        }
    } else {
        out.updates.push_back(MessageUpdate { m.seq, MessageState::Pending, q.record.id,
            now + qint64(delaySeconds) * 1000, m.attempts, m.sourceQueueId, error, keepLease });
        q.counters.retried += 1;
        if (out.batch)
            out.batch->retried += 1;
    }
    out.attempts.push_back(std::move(attempt));
}

void Broker::apply(Outcome &out)
{
    if (out.updates.empty())
        return;
    m_store->updateMessages(out.updates, m_clock->nowMs());
    m_store->insertAttempts(out.attempts);
    scheduleTick();
}

void Broker::expireLeases(QueueState &q, qint64 now)
{
    const auto expired = m_store->expiredLeases(q.record.id, now);
    if (expired.empty())
        return;
    Outcome out;
    for (const Message &m : expired) {
        retryOrGiveUp(q, m, 0,
            QStringLiteral("visibility timeout expired after %1 ms without an ack")
                .arg(m.leaseExpiresMs - m.updatedMs),
            AttemptOutcome::LeaseExpired, true, out);
    }
    apply(out);
}

void Broker::recoverInFlight(const QString &why)
{
    const QString reason = !why.isEmpty() ? why
        : m_store->shared()
        ? QStringLiteral("the node that had this batch in flight stopped (its heartbeat ran out)")
        : QStringLiteral("QueueDeck stopped while this batch was in flight");
    Outcome out;
    for (const Message &m : m_store->inFlightWithoutLease()) {
        if (QueueState *q = stateById(m.queueId))
            retryOrGiveUp(*q, m, 0, reason, AttemptOutcome::Interrupted, false, out);
    }
    apply(out);
    // Back in their queues' backlogs: deliver them again (this node hears no NOTIFY of its own).
    for (const AttemptRecord &a : out.attempts)
        markDirty(a.queueId);
    // Their batches ended with the process: close them, so no view shows them in flight.
    std::map<qint64, BatchRecord> closed;
    for (const AttemptRecord &a : out.attempts) {
        auto it = closed.find(a.batchId);
        if (it == closed.end()) {
            auto batch = m_store->batch(a.batchId);
            if (!batch || batch->endedMs != 0)
                continue;
            batch->size = 0;
            batch->endedMs = m_clock->nowMs();
            batch->error = reason;
            it = closed.emplace(a.batchId, *batch).first;
        }
        BatchRecord &b = it->second;
        b.size += 1;
        (a.outcome == AttemptOutcome::DeadLettered    ? b.deadLettered
                : a.outcome == AttemptOutcome::Failed ? b.failed
                                                      : b.retried)
            += 1;
    }
    for (const auto &[id, batch] : closed)
        m_store->finishBatch(batch);
}

void Broker::sweepRetention()
{
    const qint64 now = m_clock->nowMs();
    for (auto &[id, q] : m_queues) {
        const qint64 n = m_store->expireMessages(id, now - qint64(q.record.settings.retentionSeconds) * 1000);
        q.counters.expired += n;
    }
    scheduleTick();
}

// Sends never wait for the search index: the messages it does not hold yet are added here,
// a chunk at a time, and committed by the tick (docs/architecture.md, "Search").
void Broker::indexSearchText()
{
    // Sends waiting for their commit come first; the index catches up when they pause.
    if (!m_store->available() || m_store->hasUncommitted() || !m_awaitingCommit.empty()) {
        m_searchIndexTimer.setInterval(kSearchIndexMs);
        return;
    }
    const bool busy = std::exchange(m_sentSinceIndexing, false);
    if (busy && m_lastIndexing.isValid() && !m_lastIndexing.hasExpired(kSearchIndexBusyMs)) {
        m_searchIndexTimer.setInterval(kSearchIndexMs);
        return;
    }
    m_lastIndexing.start();
    const int indexed = m_store->indexSearchText(busy ? kSearchIndexBusyChunk : kSearchIndexIdleChunk);
    // A full chunk while idle leaves more to do: the next one as soon as the event loop is free.
    m_searchIndexTimer.setInterval(!busy && indexed == kSearchIndexIdleChunk ? 0 : kSearchIndexMs);
    if (indexed > 0)
        scheduleTick();
}

} // namespace qd
