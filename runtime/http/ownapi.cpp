#include "ownapi.h"

#include "apireader.h"
#include "broker.h"
#include "errorsignature.h"
#include "failuregroups.h"
#include "httpapi.h"
#include "messagejson.h"
#include "queuesnapshot.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

#include <algorithm>
#include <array>
#include <map>

namespace qd {

namespace {

HttpResponse ok(const QJsonObject &o, int status = 200)
{
    return HttpResponse::json(status, QJsonDocument(o).toJson(QJsonDocument::Compact));
}

HttpResponse fail(int status, const QString &message)
{
    return HttpResponse::json(status, jsonError(message));
}

// The query string as a JSON object of strings, so GET filters and POST bodies share one parser.
QJsonObject queryObject(const HttpRequest &request)
{
    QJsonObject o;
    for (const auto &[key, value] : request.query.queryItems(QUrl::FullyDecoded))
        o.insert(key, value);
    return o;
}

// The row id of the queue a parameter names (nothing for an empty name), or false with the
// error saying there is no such queue.
bool queueIdOf(const Broker &broker, const QString &name, std::optional<qint64> *id, QString *error)
{
    if (name.isEmpty())
        return true;
    const auto q = broker.queue(name);
    if (!q) {
        *error = QStringLiteral("queue \"%1\" not found").arg(name);
        return false;
    }
    *id = q->id;
    return true;
}

bool intParam(const QJsonObject &o, const char *key, qint64 min, qint64 max, qint64 *out, QString *error)
{
    const QJsonValue v = o.value(QLatin1String(key));
    if (v.isUndefined() || v.isNull() || (v.isString() && v.toString().isEmpty()))
        return true;
    bool okNumber = v.isDouble();
    auto n = qint64(v.toDouble());
    if (v.isString())
        n = v.toString().toLongLong(&okNumber);
    if (!okNumber || n < min || n > max) {
        *error = QStringLiteral("%1 must be a whole number between %2 and %3")
                     .arg(QLatin1String(key))
                     .arg(min)
                     .arg(max);
        return false;
    }
    *out = n;
    return true;
}

// sort= and order=: a follower (queuedeck ctl tail) asks for the most recently changed first.
bool sortFrom(const QJsonObject &params, MessageFilter *filter, QString *error)
{
    static const std::array<std::pair<QLatin1String, MessageSort>, 8> sorts { {
        { QLatin1String("seq"), MessageSort::Seq },
        { QLatin1String("updated"), MessageSort::Updated },
        { QLatin1String("id"), MessageSort::Id },
        { QLatin1String("attempts"), MessageSort::Attempts },
        { QLatin1String("state"), MessageSort::State },
        { QLatin1String("user"), MessageSort::User },
        { QLatin1String("url"), MessageSort::Url },
        { QLatin1String("error"), MessageSort::LastError },
    } };
    const QString sort = params.value(QLatin1String("sort")).toString();
    const QString order = params.value(QLatin1String("order")).toString();
    if (!sort.isEmpty()) {
        const auto it = std::find_if(
            sorts.begin(), sorts.end(), [&](const auto &entry) { return entry.first == sort; });
        if (it == sorts.end()) {
            *error = QStringLiteral(
                "sort must be one of seq, updated, id, attempts, state, user, url, error (got %1)")
                         .arg(sort);
            return false;
        }
        filter->sort = it->second;
    }
    if (!order.isEmpty() && order != QLatin1String("asc") && order != QLatin1String("desc")) {
        *error = QStringLiteral("order must be asc or desc (got %1)").arg(order);
        return false;
    }
    filter->descending = order == QLatin1String("desc");
    return true;
}

QStringList stringList(const QJsonValue &v)
{
    QStringList out;
    for (const QJsonValue item : v.toArray())
        out.append(item.toString());
    return out;
}

// Failed and dead-lettered messages grouped by their errors' signature, the largest group first.
HttpResponse failureGroupsOf(const std::vector<Message> &failures)
{
    QJsonArray out;
    for (const FailureGroup &g : groupFailures(failures, errorSignature)) {
        out.append(QJsonObject { { QStringLiteral("signature"), g.signature },
            { QStringLiteral("count"), g.count }, { QStringLiteral("first_seen_ms"), g.firstSeenMs },
            { QStringLiteral("last_seen_ms"), g.lastSeenMs }, { QStringLiteral("sample_id"), g.sampleId },
            { QStringLiteral("sample_error"), g.sampleError } });
    }
    return ok(QJsonObject { { QStringLiteral("groups"), out } });
}

} // namespace

OwnApi::OwnApi(Broker *broker, ApiReader *reader, QObject *parent)
    : QObject(parent)
    , m_broker(broker)
    , m_reader(reader)
{
}

void OwnApi::handle(const HttpRequest &request, const HttpResponder &responder, const QStringList &segments)
{
    const QString what = segments.value(0);
    const bool get = request.method == "GET";
    const bool post = request.method == "POST";
    if (what == QLatin1String("queues") && segments.size() == 1 && get) {
        QJsonArray queues;
        for (const QueueSnapshot &q : takeSnapshot(*m_broker)) {
            queues.append(QJsonObject { { QStringLiteral("name"), q.name },
                { QStringLiteral("settings"), q.settings.toJson() },
                { stateFilterName(StateFilter::Ready), q.counts.ready },
                { stateFilterName(StateFilter::Delayed), q.counts.delayed },
                { stateFilterName(StateFilter::InFlight), q.counts.inFlight },
                { stateFilterName(StateFilter::Acked), q.counts.acked },
                { stateFilterName(StateFilter::Failed), q.counts.failed },
                { QStringLiteral("backlog_bytes"), q.counts.backlogBytes },
                { QStringLiteral("oldest_message_timestamp_ms"), q.counts.oldestTimestampMs } });
        }
        responder.respond(ok(QJsonObject { { QStringLiteral("queues"), queues } }));
    } else if (what == QLatin1String("messages") && segments.size() == 1 && get) {
        listMessages(request, responder);
    } else if (what == QLatin1String("messages") && segments.size() == 2 && get) {
        getMessage(segments[1], responder);
    } else if (what == QLatin1String("messages") && segments.size() == 2 && request.method == "DELETE") {
        remove({ segments[1] }, responder);
    } else if (what == QLatin1String("batches") && segments.size() == 1 && get) {
        listBatches(request, responder);
    } else if (what == QLatin1String("batches") && segments.size() == 2 && get) {
        getBatch(segments[1], responder);
    } else if (what == QLatin1String("failures") && segments.size() == 1 && get) {
        failureGroups(request, responder);
    } else if (what == QLatin1String("retry") && segments.size() == 1 && post) {
        retry(request, responder);
    } else if (what == QLatin1String("redrive") && segments.size() == 1 && post) {
        redrive(request, responder);
    } else if (what == QLatin1String("delete") && segments.size() == 1 && post) {
        const QJsonDocument doc = QJsonDocument::fromJson(request.body);
        if (!doc.isObject() || !doc.object().value(QLatin1String("ids")).isArray())
            responder.respond(fail(400, QStringLiteral("the body must be {\"ids\": [message ids]}")));
        else
            remove(stringList(doc.object().value(QLatin1String("ids"))), responder);
    } else if (what == QLatin1String("audit") && segments.size() == 1 && get) {
        audit(responder);
    } else {
        responder.respond(fail(404,
            QStringLiteral("no such call: %1 /api/%2")
                .arg(QString::fromLatin1(request.method), segments.join(QLatin1Char('/')))));
    }
}

bool OwnApi::filterFrom(const QJsonObject &params, MessageFilter *filter, QString *error) const
{
    if (!queueIdOf(*m_broker, params.value(QLatin1String("queue")).toString(), &filter->queueId, error))
        return false;
    const QString state = params.value(QLatin1String("state")).toString();
    if (state == attemptOutcomeName(AttemptOutcome::DeadLettered)) {
        filter->deadLettered = true;
    } else if (!state.isEmpty() && !stateFilterFromName(state, &filter->state)) {
        *error = QStringLiteral(
            "state must be one of ready, delayed, inflight, acked, failed, dead_lettered (got %1)")
                     .arg(state);
        return false;
    }
    filter->text = params.value(QLatin1String("q")).toString();
    filter->userId = params.value(QLatin1String("user")).toString();
    return intParam(params, "from", 0, std::numeric_limits<qint64>::max(), &filter->fromMs, error)
        && intParam(params, "to", 0, std::numeric_limits<qint64>::max(), &filter->toMs, error);
}

void OwnApi::listMessages(const HttpRequest &request, const HttpResponder &responder)
{
    const QJsonObject params = queryObject(request);
    MessageFilter filter;
    QString error;
    qint64 offset = 0;
    qint64 limit = 100;
    if (!filterFrom(params, &filter, &error) || !sortFrom(params, &filter, &error)
        || !intParam(params, "offset", 0, 1LL << 40, &offset, &error)
        || !intParam(params, "limit", 1, 1000, &limit, &error)) {
        responder.respond(fail(error.contains(QLatin1String("not found")) ? 404 : 400, error));
        return;
    }
    // total=false leaves the count out: a page of a filter that most messages match is found
    // at once, while counting them reads every match.
    const QString total = params.value(QLatin1String("total")).toString();
    if (!total.isEmpty() && total != QLatin1String("true") && total != QLatin1String("false")) {
        responder.respond(fail(400, QStringLiteral("total must be true or false (got %1)").arg(total)));
        return;
    }
    const bool counted = total != QLatin1String("false");
    m_reader->answer(
        responder, [filter, offset, limit, counted](QueueStore &store, const ReadContext &context) {
            QJsonArray messages;
            for (const Message &m : store.listMessages(filter, context.nowMs, int(offset), int(limit)))
                messages.append(messageJson(m, context));
            QJsonObject answer { { QStringLiteral("offset"), offset }, { QStringLiteral("limit"), limit },
                { QStringLiteral("messages"), messages } };
            if (counted)
                answer.insert(QStringLiteral("total"), store.countMessages(filter, context.nowMs));
            return ok(answer);
        });
}

void OwnApi::getMessage(const QString &id, const HttpResponder &responder)
{
    m_reader->answer(responder, [id](QueueStore &store, const ReadContext &context) {
        const auto m = store.messageById(id);
        if (!m)
            return fail(404, QStringLiteral("message %1 not found").arg(id));
        QJsonArray attempts;
        for (const AttemptRecord &a : store.attemptsForMessage(m->seq))
            attempts.append(attemptJson(a));
        QJsonObject o = messageJson(*m, context);
        o.insert(QStringLiteral("attempts_history"), attempts);
        return ok(o);
    });
}

void OwnApi::listBatches(const HttpRequest &request, const HttpResponder &responder)
{
    const QJsonObject params = queryObject(request);
    std::optional<qint64> queueId;
    QString error;
    if (!queueIdOf(*m_broker, params.value(QLatin1String("queue")).toString(), &queueId, &error)) {
        responder.respond(fail(404, error));
        return;
    }
    qint64 limit = 50;
    if (!intParam(params, "limit", 1, 1000, &limit, &error)) {
        responder.respond(fail(400, error));
        return;
    }
    m_reader->answer(responder, [queueId, limit](QueueStore &store, const ReadContext &context) {
        QJsonArray batches;
        for (const BatchRecord &b : store.recentBatches(queueId, int(limit)))
            batches.append(batchJson(b, context));
        return ok(QJsonObject { { QStringLiteral("batches"), batches } });
    });
}

void OwnApi::getBatch(const QString &id, const HttpResponder &responder)
{
    bool isNumber = false;
    const qint64 batchId = id.toLongLong(&isNumber);
    if (!isNumber) {
        responder.respond(fail(404, QStringLiteral("batch %1 not found").arg(id)));
        return;
    }
    m_reader->answer(responder, [id, batchId](QueueStore &store, const ReadContext &context) {
        const auto b = store.batch(batchId);
        if (!b)
            return fail(404, QStringLiteral("batch %1 not found").arg(id));
        QJsonArray composition;
        for (const AttemptRecord &a : store.attemptsForBatch(batchId))
            composition.append(attemptJson(a));
        QJsonObject o = batchJson(*b, context);
        o.insert(QStringLiteral("messages"), composition);
        return ok(o);
    });
}

void OwnApi::failureGroups(const HttpRequest &request, const HttpResponder &responder)
{
    std::optional<qint64> queueId;
    QString error;
    if (!queueIdOf(*m_broker, request.query.queryItemValue(QStringLiteral("queue"), QUrl::FullyDecoded),
            &queueId, &error)) {
        responder.respond(fail(404, error));
        return;
    }
    m_reader->answer(responder, [queueId](QueueStore &store, const ReadContext &) {
        return failureGroupsOf(store.failures(queueId));
    });
}

void OwnApi::audit(const HttpResponder &responder)
{
    m_reader->answer(responder, [](QueueStore &store, const ReadContext &) {
        QJsonArray entries;
        for (const AuditEntry &e : store.audit(500)) {
            entries.append(QJsonObject { { QStringLiteral("id"), e.id },
                { QStringLiteral("timestamp_ms"), e.timestampMs }, { QStringLiteral("action"), e.action },
                { QStringLiteral("queue"), e.queue }, { QStringLiteral("detail"), e.detail } });
        }
        return ok(QJsonObject { { QStringLiteral("entries"), entries } });
    });
}

void OwnApi::retry(const HttpRequest &request, const HttpResponder &responder)
{
    const QJsonDocument doc = QJsonDocument::fromJson(request.body);
    const QJsonObject body = doc.object();
    qint64 delay = 0;
    QString error;
    if (!doc.isObject()
        || (!body.value(QLatin1String("ids")).isArray() && !body.value(QLatin1String("filter")).isObject())) {
        responder.respond(fail(400,
            QStringLiteral("the body must be {\"ids\": [...]} or {\"filter\": {...}}, "
                           "with an optional delay_seconds")));
        return;
    }
    if (!intParam(body, "delay_seconds", 0, kMaxDelaySeconds, &delay, &error)) {
        responder.respond(fail(400, error));
        return;
    }
    if (body.value(QLatin1String("ids")).isArray()) {
        int retried = 0;
        const Error e
            = m_broker->retryMessages(stringList(body.value(QLatin1String("ids"))), int(delay), &retried);
        responder.respond(e.isError() ? fail(httpStatusOf(e), e.message)
                                      : ok(QJsonObject { { QStringLiteral("retried"), retried } }));
        return;
    }
    MessageFilter filter;
    if (!filterFrom(body.value(QLatin1String("filter")).toObject(), &filter, &error)) {
        responder.respond(fail(error.contains(QLatin1String("not found")) ? 404 : 400, error));
        return;
    }
    // Only what failed: a filter can't retry acked or waiting messages by accident.
    if (filter.state == StateFilter::Any && !filter.deadLettered)
        filter.state = StateFilter::Failed;
    // The first chunk runs on a later tick, so connecting after the start misses nothing.
    qint64 operation = 0;
    auto connection = std::make_shared<QMetaObject::Connection>();
    const Error e = m_broker->startBulkRetry(filter, int(delay), &operation);
    if (e.isError()) {
        responder.respond(fail(httpStatusOf(e), e.message));
        return;
    }
    *connection = connect(m_broker, &Broker::bulkFinished, this,
        [responder, connection, operation](qint64 id, qint64 done, qint64 total, bool cancelled) {
            if (id != operation)
                return;
            disconnect(*connection);
            responder.respond(
                ok(QJsonObject { { QStringLiteral("operation"), id }, { QStringLiteral("processed"), done },
                    { QStringLiteral("matched"), total }, { QStringLiteral("cancelled"), cancelled } }));
        });
}

void OwnApi::redrive(const HttpRequest &request, const HttpResponder &responder)
{
    const QString queue
        = QJsonDocument::fromJson(request.body).object().value(QLatin1String("queue")).toString();
    if (queue.isEmpty()) {
        responder.respond(fail(400, QStringLiteral("the body must be {\"queue\": \"<dead-letter queue>\"}")));
        return;
    }
    int moved = 0;
    const Error e = m_broker->redrive(queue, &moved);
    responder.respond(e.isError() ? fail(httpStatusOf(e), e.message)
                                  : ok(QJsonObject { { QStringLiteral("moved"), moved } }));
}

void OwnApi::remove(const QStringList &ids, const HttpResponder &responder)
{
    int deleted = 0;
    const Error e = m_broker->deleteMessages(ids, &deleted);
    responder.respond(e.isError() ? fail(httpStatusOf(e), e.message)
                                  : ok(QJsonObject { { QStringLiteral("deleted"), deleted } }));
}

} // namespace qd
