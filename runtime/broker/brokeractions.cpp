// Broker: pull consumers and operator actions.
#include "broker.h"
#include "message.h"
#include "sendlimits.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QSet>

namespace qd {

namespace {
QString notFound(const QString &name)
{
    return QStringLiteral("queue \"%1\" not found").arg(name);
}

// A lease id is "<seq>-<random>": the row is found without an index, and the random part
// proves the holder saw that delivery.
qint64 seqOfLease(const QString &leaseId)
{
    const qsizetype dash = leaseId.indexOf(QLatin1Char('-'));
    if (dash <= 0)
        return 0;
    bool ok = false;
    const qint64 seq = leaseId.left(dash).toLongLong(&ok);
    return ok ? seq : 0;
}

// The rows of the messages `ids` names, or NotFound for the first id that has none, so an
// action on a list either finds all of it or changes nothing.
Error seqsOfIds(QueueStore &store, const QStringList &ids, std::vector<qint64> *seqs)
{
    for (const QString &id : ids) {
        const auto m = store.messageById(id);
        if (!m)
            return Error::make(ErrorCode::NotFound, QStringLiteral("message %1 not found").arg(id));
        seqs->push_back(m->seq);
    }
    return {};
}
} // namespace

void Broker::whenDurable(SendCallback durable)
{
    m_awaitingCommit.push_back(std::move(durable));
    scheduleTick();
}

Error Broker::pull(
    const QString &queueName, int batchSize, std::optional<int> visibilityTimeoutMs, PullResult *out)
{
    QueueState *q = stateByName(queueName);
    if (!q)
        return Error::make(ErrorCode::NotFound, notFound(queueName));
    if (q->record.settings.paused)
        return Error::make(
            ErrorCode::Paused, QStringLiteral("delivery is paused for queue \"%1\"").arg(queueName));
    if (batchSize < 1 || batchSize > 100)
        return Error::make(ErrorCode::Invalid,
            QStringLiteral("batch_size must be between 1 and 100 (got %1)").arg(batchSize));
    const int visibility = visibilityTimeoutMs.value_or(q->record.settings.visibilityTimeoutMs);
    if (visibility < 1 || visibility > 43'200'000)
        return Error::make(ErrorCode::Invalid,
            QStringLiteral("visibility_timeout_ms must be between 1 and 43200000 (got %1)").arg(visibility));
    const qint64 now = m_clock->nowMs();
    const qint64 id = q->record.id;
    expireLeases(*q, now);
    out->messages.clear();
    if (m_store->countReady(id, now, 1) > 0) {
        BatchRecord record;
        record.queueId = id;
        record.createdMs = now;
        record.cut = BatchCut::Pull;
        record.id = m_store->insertBatch(record);
        out->messages = m_store->claimReady(id, now, batchSize, record.id, now + visibility, true);
        record.size = int(out->messages.size());
        m_store->finishBatch(record);
        q->counters.delivered += record.size;
        q->counters.batches += 1;
        q->counters.batchMessages += record.size;
    }
    const QueueCounts c = m_store->backlog(id, now);
    out->backlogCount = c.ready + c.delayed;
    markDirty(id); // to wake when the new leases expire
    return {};
}

Error Broker::acknowledge(
    const QString &queueName, const QStringList &acks, const std::vector<LeaseRetry> &retries, AckResult *out)
{
    QueueState *q = stateByName(queueName);
    if (!q)
        return Error::make(ErrorCode::NotFound, notFound(queueName));
    for (const LeaseRetry &r : retries) {
        if (r.delaySeconds) {
            if (Error e = checkDelay(*r.delaySeconds); e.isError())
                return e;
        }
    }
    const qint64 id = q->record.id;
    const auto find = [&](const QString &lease) -> std::optional<Message> {
        const qint64 seq = seqOfLease(lease);
        auto m = seq ? m_store->messageBySeq(seq) : std::nullopt;
        if (!m || m->leaseId != lease || m->queueId != id) {
            out->warnings.append(QStringLiteral("unknown lease %1").arg(lease));
            return std::nullopt;
        }
        return m;
    };
    Outcome result;
    // Outcomes are written together at the end, so a lease named twice in one request
    // would still look in flight: the first mention wins, later ones are warnings.
    QSet<qint64> handled;
    const auto firstMention = [&](const Message &m, const QString &lease) {
        if (handled.contains(m.seq)) {
            out->warnings.append(
                QStringLiteral("lease %1 appears more than once; only its first use counts").arg(lease));
            return false;
        }
        handled.insert(m.seq);
        return true;
    };
    for (const QString &lease : acks) {
        const auto m = find(lease);
        if (!m || !firstMention(*m, lease))
            continue;
        // A late ack of a lease that expired is still accepted while nobody else holds it.
        if (m->state == MessageState::InFlight || m->state == MessageState::Pending)
            recordAck(*q, *m, result);
        out->ackCount += 1;
    }
    for (const LeaseRetry &r : retries) {
        const auto m = find(r.leaseId);
        if (!m || !firstMention(*m, r.leaseId))
            continue;
        if (m->state != MessageState::InFlight) {
            out->warnings.append(QStringLiteral("lease %1 is no longer in flight").arg(r.leaseId));
            continue;
        }
        retryOrGiveUp(*q, *m, r.delaySeconds.value_or(q->record.settings.retryDelaySeconds),
            QStringLiteral("retried by the consumer"), AttemptOutcome::Retried, false, result);
        out->retryCount += 1;
    }
    apply(result);
    if (!result.endToEndMs.isEmpty())
        emit latencies(queueName, -1, result.endToEndMs);
    markDirty(id);
    return {};
}

int Broker::retryBySeqs(const std::vector<qint64> &seqs, int delaySeconds)
{
    const qint64 now = m_clock->nowMs();
    std::vector<MessageUpdate> updates;
    for (qint64 seq : seqs) {
        const auto m = m_store->messageBySeq(seq);
        if (!m)
            continue;
        const bool deadLettered = m->sourceQueueId != 0
            && (m->state == MessageState::Pending || m->state == MessageState::Failed);
        if (m->state != MessageState::Failed && !deadLettered)
            continue;
        // Back to where it failed; attempts start again. Its attempt history stays.
        const qint64 target = (deadLettered && stateById(m->sourceQueueId)) ? m->sourceQueueId : m->queueId;
        updates.push_back(MessageUpdate {
            seq, MessageState::Pending, target, now + qint64(delaySeconds) * 1000, 0, 0, m->lastError });
        markDirty(target);
    }
    if (!updates.empty()) {
        m_store->updateMessages(updates, now);
        scheduleTick();
    }
    return int(updates.size());
}

Error Broker::retryMessages(const QStringList &ids, int delaySeconds, int *retried)
{
    if (Error e = checkDelay(delaySeconds); e.isError())
        return e;
    std::vector<qint64> seqs;
    if (Error e = seqsOfIds(*m_store, ids, &seqs); e.isError())
        return e;
    const int n = retryBySeqs(seqs, delaySeconds);
    if (retried)
        *retried = n;
    audit(QStringLiteral("retry"), {},
        QJsonObject { { QStringLiteral("ids"), QJsonArray::fromStringList(ids) },
            { QStringLiteral("retried"), n }, { QStringLiteral("delay_seconds"), delaySeconds } });
    return {};
}

Error Broker::startBulkRetry(const MessageFilter &filter, int delaySeconds, qint64 *operationId)
{
    if (Error e = checkDelay(delaySeconds); e.isError())
        return e;
    if (filter.queueId && !stateById(*filter.queueId))
        return Error::make(ErrorCode::NotFound, QStringLiteral("queue %1 not found").arg(*filter.queueId));
    // The set is fixed now: a message this run retries that fails again is not in it twice.
    const qint64 opId = m_nextBulkId++;
    BulkOperation op;
    op.seqs = m_store->selectSeqs(filter, m_clock->nowMs());
    op.delaySeconds = delaySeconds;
    const auto total = qint64(op.seqs.size());
    m_bulk.emplace(opId, std::move(op));
    *operationId = opId;
    audit(QStringLiteral("retry_all"), filter.queueId ? queueById(*filter.queueId)->name : QString(),
        QJsonObject { { QStringLiteral("operation"), opId }, { QStringLiteral("matched"), total },
            { QStringLiteral("text"), filter.text },
            { QStringLiteral("state"), stateFilterName(filter.state) } });
    QMetaObject::invokeMethod(
        this, [this, opId] { runBulkChunk(opId); }, Qt::QueuedConnection);
    return {};
}

void Broker::cancelBulk(qint64 operationId)
{
    const auto it = m_bulk.find(operationId);
    if (it != m_bulk.end())
        it->second.cancelled = true;
}

void Broker::runBulkChunk(qint64 operationId)
{
    const auto it = m_bulk.find(operationId);
    if (it == m_bulk.end())
        return;
    BulkOperation &op = it->second;
    const auto total = qint64(op.seqs.size());
    if (!op.cancelled) {
        const std::size_t end = std::min(op.seqs.size(), op.next + std::size_t(kBulkChunk));
        retryBySeqs(
            std::vector<qint64>(op.seqs.begin() + qsizetype(op.next), op.seqs.begin() + qsizetype(end)),
            op.delaySeconds);
        op.next = end;
        emit bulkProgress(operationId, qint64(op.next), total);
    }
    if (op.cancelled || op.next >= op.seqs.size()) {
        const auto done = qint64(op.next);
        const bool cancelled = op.cancelled && op.next < op.seqs.size();
        m_bulk.erase(it);
        emit bulkFinished(operationId, done, total, cancelled);
        return;
    }
    QMetaObject::invokeMethod(
        this, [this, operationId] { runBulkChunk(operationId); }, Qt::QueuedConnection);
}

Error Broker::redrive(const QString &dlqName, int *moved)
{
    const QueueState *q = stateByName(dlqName);
    if (!q)
        return Error::make(ErrorCode::NotFound, notFound(dlqName));
    MessageFilter filter;
    filter.queueId = q->record.id;
    filter.deadLettered = true;
    const int n = retryBySeqs(m_store->selectSeqs(filter, m_clock->nowMs()), 0);
    if (moved)
        *moved = n;
    audit(QStringLiteral("redrive"), dlqName, QJsonObject { { QStringLiteral("moved"), n } });
    return {};
}

Error Broker::deleteMessages(const QStringList &ids, int *deleted)
{
    std::vector<qint64> seqs;
    if (Error e = seqsOfIds(*m_store, ids, &seqs); e.isError())
        return e;
    m_store->deleteMessages(seqs);
    if (deleted)
        *deleted = int(seqs.size());
    audit(QStringLiteral("delete"), {},
        QJsonObject { { QStringLiteral("ids"), QJsonArray::fromStringList(ids) } });
    return {};
}

Error Broker::startBulkRetrySeqs(std::vector<qint64> seqs, int delaySeconds, qint64 *operationId)
{
    if (Error e = checkDelay(delaySeconds); e.isError())
        return e;
    const qint64 opId = m_nextBulkId++;
    BulkOperation op;
    op.seqs = std::move(seqs);
    op.delaySeconds = delaySeconds;
    const auto total = qint64(op.seqs.size());
    m_bulk.emplace(opId, std::move(op));
    *operationId = opId;
    audit(QStringLiteral("retry_selection"), {},
        QJsonObject { { QStringLiteral("operation"), opId }, { QStringLiteral("matched"), total },
            { QStringLiteral("delay_seconds"), delaySeconds } });
    QMetaObject::invokeMethod(
        this, [this, opId] { runBulkChunk(opId); }, Qt::QueuedConnection);
    return {};
}

Error Broker::editAndRetry(const QString &id, const QByteArray &body, ContentType type, int delaySeconds)
{
    if (Error e = checkDelay(delaySeconds); e.isError())
        return e;
    if (body.size() > kMaxMessageBytes)
        return Error::make(ErrorCode::TooLarge,
            QStringLiteral("the body is %1 bytes; the limit is %2").arg(body.size()).arg(kMaxMessageBytes));
    if (type == ContentType::Json) {
        // Any JSON value, not only objects: parse it inside an array.
        QJsonParseError parse;
        QJsonDocument::fromJson('[' + body + ']', &parse);
        if (parse.error != QJsonParseError::NoError)
            return Error::make(ErrorCode::Invalid,
                QStringLiteral("the body is not valid JSON: %1").arg(parse.errorString()));
    }
    const auto m = m_store->messageById(id);
    if (!m)
        return Error::make(ErrorCode::NotFound, QStringLiteral("message %1 not found").arg(id));
    const bool deadLettered = m->sourceQueueId != 0 && m->state == MessageState::Pending;
    if (m->state != MessageState::Failed && !deadLettered)
        return Error::make(ErrorCode::Conflict,
            QStringLiteral("message %1 is %2: only failed or dead-lettered messages can be edited")
                .arg(id, messageStateName(*m, m_clock->nowMs())));
    if (!m_store->updateBody(m->seq, body, type))
        return Error::make(ErrorCode::Storage, QStringLiteral("this store cannot edit message bodies"));
    retryBySeqs({ m->seq }, delaySeconds);
    const auto queue = queueById(m->queueId);
    audit(QStringLiteral("edit_resubmit"), queue ? queue->name : QString(),
        QJsonObject { { QStringLiteral("id"), id }, { QStringLiteral("original_body"), messageBodyJson(*m) },
            { QStringLiteral("original_content_type"), contentTypeName(m->contentType) },
            { QStringLiteral("content_type"), contentTypeName(type) },
            { QStringLiteral("delay_seconds"), delaySeconds } });
    return {};
}

} // namespace qd
