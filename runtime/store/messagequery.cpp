#include "messagequery.h"

#include "errorsignature.h"
#include "message.h"
#include "sqlitestore.h"

#include <QElapsedTimer>
#include <QJsonDocument>
#include <QSaveFile>

#include <algorithm>
#include <map>

namespace qd {

namespace {

constexpr int kMaxAnchorsTried = 16;
// Past this offset, and past half the rows, a page is read from the other end: SQLite walks
// every skipped row of an OFFSET, so the end of a million rows is cheap only backwards.
constexpr qint64 kReverseFrom = 20'000;
constexpr int kRowErrorChars = 1000;
constexpr int kMaxBatchMembers = 200;

bool containsCi(const QString &haystack, const QString &needle)
{
    return haystack.contains(needle, Qt::CaseInsensitive);
}

} // namespace

MessageQuery::MessageQuery(const QString &storePath, const Clock *clock, QObject *parent)
    : QObject(parent)
    , m_clock(clock ? clock : &m_systemClock)
{
    qRegisterMetaType<WindowResult>();
    qRegisterMetaType<MessageDetail>();
    qRegisterMetaType<QList<FailureGroup>>();
    qRegisterMetaType<QList<qint64>>();
    m_thread.setObjectName(QStringLiteral("queuedeck-reader"));
    m_context = new QObject;
    m_context->moveToThread(&m_thread);
    m_thread.start(QThread::LowPriority);
    // Opened on the reader thread too: the GUI never waits for the disk, not even here.
    QMetaObject::invokeMethod(
        m_context,
        [this, storePath] {
            auto store = makeStore(storePath);
            QString error;
            if (!store->openReader(&error)) {
                qWarning("message reader: %s", qPrintable(error));
                const std::lock_guard lock(m_mutex);
                m_openError = error;
                return;
            }
            m_store = std::move(store);
            refreshQueues();
        },
        Qt::QueuedConnection);
}

MessageQuery::~MessageQuery()
{
    QMetaObject::invokeMethod(
        m_context,
        [this] {
            m_store.reset();
            delete m_context;
            m_context = nullptr;
        },
        Qt::BlockingQueuedConnection);
    m_thread.quit();
    m_thread.wait();
}

QString MessageQuery::openError() const
{
    const std::lock_guard lock(m_mutex);
    return m_openError;
}

int MessageQuery::newClient()
{
    const std::lock_guard lock(m_mutex);
    const int id = m_nextClient++;
    m_generations[id] = 0;
    return id;
}

void MessageQuery::setGeneration(int client, quint64 generation)
{
    const std::lock_guard lock(m_mutex);
    m_generations[client] = generation;
}

bool MessageQuery::current(int client, quint64 generation) const
{
    if (client == 0)
        return true;
    const std::lock_guard lock(m_mutex);
    const auto it = m_generations.find(client);
    return it == m_generations.end() || it->second <= generation;
}

void MessageQuery::post(int client, quint64 generation, std::function<void()> work)
{
    QMetaObject::invokeMethod(
        m_context,
        [this, client, generation, work = std::move(work)] {
            if (m_store && current(client, generation))
                work();
        },
        Qt::QueuedConnection);
}

std::optional<qint64> MessageQuery::queueId(const QString &name) const
{
    for (const QueueRef &q : m_queues) {
        if (q.name == name)
            return q.id;
    }
    return std::nullopt;
}

void MessageQuery::deliver(std::function<void()> answer)
{
    // Signals leave from the GUI thread, like any of its objects' signals.
    QMetaObject::invokeMethod(this, std::move(answer), Qt::QueuedConnection);
}

qint64 MessageQuery::nowMs() const
{
    return m_clock->nowMs();
}

void MessageQuery::refreshQueues()
{
    QHash<qint64, QueueRef> fresh;
    QList<QueueRef> list;
    for (const QueueRecord &q : m_store->loadQueues()) {
        const QueueRef ref { q.id, q.name, q.settings.deadLetterQueue };
        fresh.insert(q.id, ref);
        list.append(ref);
    }
    if (fresh == m_readerQueues)
        return;
    m_readerQueues = fresh;
    QMetaObject::invokeMethod(
        this,
        [this, list] {
            m_queues = list;
            emit queuesChanged();
        },
        Qt::QueuedConnection);
}

void MessageQuery::reloadQueues()
{
    post(0, 0, [this] { refreshQueues(); });
}

QString MessageQuery::queueName(qint64 id) const
{
    const auto it = m_readerQueues.constFind(id);
    return it == m_readerQueues.cend() ? QString::number(id) : it->name;
}

MessageRow MessageQuery::rowOf(const Message &m, qint64 now) const
{
    MessageRow r;
    r.seq = m.seq;
    r.id = m.id;
    r.queueId = m.queueId;
    r.queue = queueName(m.queueId);
    r.state = visibleState(m, now);
    if (m.sourceQueueId != 0)
        r.sourceQueue = queueName(m.sourceQueueId);
    r.attempts = m.attempts;
    // Image jobs carry {"imageUrl", "userId"}; other bodies show neither.
    const ImageJobFields job = imageJobFields(m);
    r.userId = job.userId;
    r.url = job.imageUrl;
    r.timestampMs = m.timestampMs;
    r.updatedMs = m.updatedMs;
    r.visibleAtMs = m.visibleAtMs;
    r.lastError = m.lastError.left(kRowErrorChars);
    r.contentType = m.contentType;
    r.bytes = m.body.size();
    return r;
}

void MessageQuery::requestWindow(int client, quint64 generation, quint64 ticket, const WindowRequest &request)
{
    post(client, generation, [this, client, generation, ticket, request] {
        QElapsedTimer timer;
        timer.start();
        const qint64 now = nowMs();
        const MessageFilter &f = request.filter;
        WindowResult r;
        m_store->beginRead();
        refreshQueues();
        // A first look at a filter shows its rows before counting them: for a filter no
        // index serves, the count reads every row, and the first page needs far fewer.
        const bool rowsFirst
            = request.withCount && request.anchors.isEmpty() && request.offset <= kReverseFrom;
        qint64 count = -1;
        if (request.withCount && !rowsFirst)
            count = r.count = m_store->countMessages(f, now);
        qint64 offset = request.offset;
        for (int i = 0; i < std::min<int>(int(request.anchors.size()), kMaxAnchorsTried); ++i) {
            const qint64 at = m_store->positionOf(f, now, request.anchors[i]);
            if (at >= 0) {
                r.anchorIndex = i;
                r.anchorNowAt = at;
                // Anchors before it are gone from their rows: that happened inside the window,
                // so only the rest of the shift happened before it.
                offset = std::max<qint64>(0, offset + at - request.anchorRow);
                break;
            }
        }
        r.offset = offset;
        if (offset > kReverseFrom && count < 0)
            count = m_store->countMessages(f, now);
        std::vector<Message> messages;
        if (count >= 0 && offset > kReverseFrom && offset > count / 2) {
            MessageFilter reversed = f;
            reversed.descending = !f.descending;
            const qint64 end = std::min(count, offset + request.limit);
            if (end > offset)
                messages = m_store->listMessages(reversed, now, int(count - end), int(end - offset));
            std::reverse(messages.begin(), messages.end());
        } else {
            messages = m_store->listMessages(f, now, int(offset), request.limit);
        }
        r.rows.reserve(qsizetype(messages.size()));
        for (const Message &m : messages)
            r.rows.append(rowOf(m, now));
        if (rowsFirst) {
            WindowResult early = r;
            early.partial = true;
            early.count = offset + early.rows.size();
            early.elapsedMs = timer.elapsed();
            deliver([=, this] { emit windowReady(ticket, early); });
            if (!current(client, generation)) {
                m_store->endRead();
                return;
            }
            r.count = m_store->countMessages(f, now);
        }
        m_store->endRead();
        r.elapsedMs = timer.elapsed();
        deliver([=, this] { emit windowReady(ticket, r); });
    });
}

void MessageQuery::requestCount(quint64 ticket, const MessageFilter &filter)
{
    post(0, 0, [this, ticket, filter] {
        const qint64 n = m_store->countMessages(filter, nowMs());
        deliver([=, this] { emit countReady(ticket, n); });
    });
}

void MessageQuery::requestRows(
    quint64 ticket, const MessageFilter &filter, const QList<std::pair<qint64, qint64>> &ranges)
{
    post(0, 0, [this, ticket, filter, ranges] {
        constexpr qint64 kChunk = 5000;
        const qint64 now = nowMs();
        QList<qint64> seqs;
        QStringList ids;
        m_store->beginRead();
        for (const auto &[first, last] : ranges) {
            for (qint64 at = first; at <= last; at += kChunk) {
                const qint64 n = std::min(kChunk, last - at + 1);
                for (const Message &m : m_store->listMessages(filter, now, int(at), int(n))) {
                    seqs.append(m.seq);
                    ids.append(m.id);
                }
            }
        }
        m_store->endRead();
        deliver([=, this] { emit rowsReady(ticket, seqs, ids); });
    });
}

void MessageQuery::requestDetail(quint64 ticket, const QString &id)
{
    post(0, 0, [this, ticket, id] {
        MessageDetail d;
        m_store->beginRead();
        refreshQueues();
        if (const auto m = m_store->messageById(id)) {
            d.found = true;
            d.message = *m;
            d.queue = queueName(m->queueId);
            if (m->sourceQueueId != 0)
                d.sourceQueue = queueName(m->sourceQueueId);
            d.state = visibleState(*m, nowMs());
            std::map<qint64, std::pair<std::optional<BatchRecord>, QList<AttemptRecord>>> batches;
            for (const AttemptRecord &a : m_store->attemptsForMessage(m->seq)) {
                AttemptView v;
                v.attempt = a;
                if (a.batchId != 0) {
                    auto it = batches.find(a.batchId);
                    if (it == batches.end()) {
                        QList<AttemptRecord> members;
                        for (const AttemptRecord &b : m_store->attemptsForBatch(a.batchId)) {
                            if (members.size() >= kMaxBatchMembers)
                                break;
                            members.append(b);
                        }
                        it = batches.emplace(a.batchId, std::make_pair(m_store->batch(a.batchId), members))
                                 .first;
                    }
                    v.batch = it->second.first;
                    v.batchMembers = it->second.second;
                }
                d.attempts.append(v);
            }
            d.result = m_store->resultForMessage(id);
            for (const AuditEntry &e : m_store->auditMentioning(id, 50))
                d.history.append(e);
        }
        m_store->endRead();
        deliver([=, this] { emit detailReady(ticket, d); });
    });
}

void MessageQuery::requestFailureGroups(
    int client, quint64 generation, quint64 ticket, const MessageFilter &filter)
{
    post(client, generation, [this, ticket, filter] {
        const qint64 now = nowMs();
        const auto matches = [&](const Message &m) {
            const bool deadLettered = m.sourceQueueId != 0;
            switch (filter.state) {
            case StateFilter::Any:
                break;
            case StateFilter::Failed:
                if (m.state != MessageState::Failed)
                    return false;
                break;
            case StateFilter::Ready:
                if (m.state != MessageState::Pending || m.visibleAtMs > now)
                    return false;
                break;
            case StateFilter::Delayed:
                if (m.state != MessageState::Pending || m.visibleAtMs <= now)
                    return false;
                break;
            case StateFilter::InFlight:
            case StateFilter::Acked:
                return false;
            }
            if (filter.deadLettered && !deadLettered)
                return false;
            if (filter.fromMs > 0 && m.timestampMs < filter.fromMs)
                return false;
            if (filter.toMs > 0 && m.timestampMs > filter.toMs)
                return false;
            if (!filter.errorText.isEmpty() && !containsCi(m.lastError, filter.errorText))
                return false;
            if (!filter.text.isEmpty() && m.id != filter.text.toLower()
                && !containsCi(m.lastError, filter.text))
                return false;
            return true;
        };
        // Errors often repeat word for word; when they are all different the cache is
        // only memory, so it stays small.
        if (m_signatures.size() > 20'000)
            m_signatures.clear();
        const QList<FailureGroup> out = groupFailures(
            m_store->failures(filter.queueId),
            [this](const QString &error) {
                auto sig = m_signatures.constFind(error);
                if (sig == m_signatures.cend())
                    sig = m_signatures.insert(error, errorSignature(error));
                return *sig;
            },
            matches);
        deliver([=, this] { emit failureGroupsReady(ticket, out); });
    });
}

void MessageQuery::requestExport(
    quint64 ticket, const MessageFilter &filter, const QList<qint64> &seqs, const QString &path)
{
    post(0, 0, [this, ticket, filter, seqs, path] {
        QSaveFile file(path);
        if (!file.open(QIODevice::WriteOnly)) {
            const QString error = QStringLiteral("cannot write %1: %2").arg(path, file.errorString());
            deliver([=, this] { emit exportFinished(ticket, 0, error); });
            return;
        }
        const qint64 now = nowMs();
        m_store->beginRead();
        refreshQueues();
        // Seqs first, then one lookup each: an OFFSET walk over a million rows would be quadratic.
        std::vector<qint64> order(seqs.begin(), seqs.end());
        if (order.empty())
            order = m_store->selectSeqs(filter, now);
        qint64 written = 0;
        for (qint64 seq : order) {
            const auto m = m_store->messageBySeq(seq);
            if (!m)
                continue;
            QJsonObject o { { QStringLiteral("id"), m->id },
                { QStringLiteral("queue"), queueName(m->queueId) },
                { QStringLiteral("state"), messageStateName(*m, now) },
                { QStringLiteral("attempts"), m->attempts },
                { QStringLiteral("timestamp_ms"), m->timestampMs },
                { QStringLiteral("visible_at_ms"), m->visibleAtMs },
                { QStringLiteral("updated_ms"), m->updatedMs },
                { QStringLiteral("content_type"), contentTypeName(m->contentType) },
                { QStringLiteral("bytes"), m->body.size() },
                { QStringLiteral("last_error"),
                    m->lastError.isNull() ? QJsonValue() : QJsonValue(m->lastError) },
                { QStringLiteral("batch_id"), m->batchId }, { QStringLiteral("body"), messageBodyJson(*m) } };
            if (m->sourceQueueId != 0)
                o.insert(QStringLiteral("source_queue"), queueName(m->sourceQueueId));
            file.write(QJsonDocument(o).toJson(QJsonDocument::Compact));
            file.write("\n");
            ++written;
        }
        m_store->endRead();
        if (!file.commit()) {
            const QString error = QStringLiteral("cannot write %1: %2").arg(path, file.errorString());
            deliver([=, this] { emit exportFinished(ticket, 0, error); });
            return;
        }
        deliver([=, this] { emit exportFinished(ticket, written, QString()); });
    });
}

} // namespace qd
