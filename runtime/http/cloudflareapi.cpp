// The Cloudflare-compatible API: routing, the envelope and queues. A queue's consumer is in
// cloudflareapi_consumers.cpp, messages (push, batch, pull, ack, peek, purge by ref) in
// cloudflareapi_messages.cpp.
#include "cloudflareapi_p.h"

#include "broker.h"
#include "clock.h"

#include <QCryptographicHash>
#include <QJsonArray>
#include <QJsonDocument>
#include <QRegularExpression>

#include <algorithm>
#include <array>

namespace qd {

namespace {

CloudflareError queueNotFound(const QString &queue)
{
    return CloudflareError { 404, CloudflareApi::QueueNotFound,
        QStringLiteral("queue \"%1\" not found").arg(queue) };
}

// QueueSettings names its settings after wrangler's keys; the REST API has its own names for
// some of them, and an error should name the field the caller actually sent.
QString inRestTerms(const QString &message)
{
    static const std::array<std::pair<QLatin1String, QLatin1String>, 9> names { {
        { QLatin1String("max_batch_size"), QLatin1String("settings.batch_size") },
        { QLatin1String("max_batch_timeout_ms"), QLatin1String("settings.max_wait_time_ms") },
        { QLatin1String("max_retries"), QLatin1String("settings.max_retries") },
        { QLatin1String("retry_delay"), QLatin1String("settings.retry_delay") },
        { QLatin1String("max_concurrency"), QLatin1String("settings.max_concurrency") },
        { QLatin1String("visibility_timeout_ms"), QLatin1String("settings.visibility_timeout_ms") },
        { QLatin1String("webhook_timeout_ms"), QLatin1String("settings.timeout_ms") },
        { QLatin1String("delivery_delay"), QLatin1String("settings.delivery_delay") },
        { QLatin1String("message_retention_period"), QLatin1String("settings.message_retention_period") },
    } };
    const qsizetype space = message.indexOf(QLatin1Char(' '));
    const QStringView first = QStringView(message).left(space < 0 ? message.size() : space);
    for (const auto &[ours, theirs] : names) {
        if (first == ours)
            return theirs + message.mid(first.size());
    }
    return message;
}

// Applies the queue-level settings of a create, update or replace request.
bool applyQueueSettings(const QJsonObject &body, QueueSettings *settings, CloudflareError *error)
{
    const QJsonValue value = body.value(QLatin1String("settings"));
    if (value.isUndefined() || value.isNull())
        return true;
    if (!value.isObject()) {
        *error = invalid(QStringLiteral("settings must be an object"));
        return false;
    }
    const QJsonObject json = value.toObject();
    for (auto it = json.begin(); it != json.end(); ++it) {
        static const QStringList known { QStringLiteral("delivery_delay"), QStringLiteral("delivery_paused"),
            QStringLiteral("message_retention_period") };
        if (!known.contains(it.key())) {
            *error = invalid(QStringLiteral("settings.%1 is not a queue setting (known: %2)")
                                 .arg(it.key(), known.join(QLatin1String(", "))));
            return false;
        }
    }
    std::optional<int> delay;
    std::optional<qint64> retention;
    if (!cloudflareDelay(
            json, QStringLiteral("delivery_delay"), QStringLiteral("settings.delivery_delay"), &delay, error)
        || !cloudflareInt(json, QStringLiteral("message_retention_period"),
            QStringLiteral("settings.message_retention_period"), 60, 1'209'600, &retention, error))
        return false;
    const QJsonValue paused = json.value(QLatin1String("delivery_paused"));
    if (!paused.isUndefined() && !paused.isNull() && !paused.isBool()) {
        *error = invalid(QStringLiteral("settings.delivery_paused must be a boolean"));
        return false;
    }
    if (delay)
        settings->deliveryDelaySeconds = *delay;
    if (retention)
        settings->retentionSeconds = int(*retention);
    if (paused.isBool())
        settings->paused = paused.toBool();
    return true;
}

// The body's queue_name, when it names a different queue: renaming is not supported.
bool checkSameName(const QJsonObject &body, const QueueRecord &queue, CloudflareError *error)
{
    const QJsonValue name = body.value(QLatin1String("queue_name"));
    if (name.isUndefined() || name.isNull() || name == QJsonValue(queue.name))
        return true;
    *error = name.isString()
        ? invalid(QStringLiteral("queue_name cannot be changed (QueueDeck does not rename queues)"))
        : invalid(QStringLiteral("queue_name must be a string"));
    return false;
}

} // namespace

CloudflareApi::CloudflareApi(Broker *broker, ApiReader *reader)
    : m_broker(broker)
    , m_reader(reader)
{
}

std::optional<QJsonObject> cloudflareBody(const HttpRequest &request, CloudflareError *error)
{
    if (request.body.trimmed().isEmpty() || request.body.trimmed() == "null")
        return QJsonObject {};
    QJsonParseError parse;
    const QJsonDocument doc = QJsonDocument::fromJson(request.body, &parse);
    if (parse.error != QJsonParseError::NoError) {
        *error = CloudflareError { 400, CloudflareApi::BodyMalformed,
            QStringLiteral("the request body is not valid JSON: %1 at offset %2")
                .arg(parse.errorString())
                .arg(parse.offset) };
        return std::nullopt;
    }
    if (!doc.isObject()) {
        *error = invalid(QStringLiteral("the request body must be a JSON object"));
        return std::nullopt;
    }
    return doc.object();
}

bool cloudflareInt(const QJsonObject &object, const QString &key, const QString &name, qint64 min, qint64 max,
    std::optional<qint64> *out, CloudflareError *error, int code)
{
    const QJsonValue v = object.value(key);
    if (v.isUndefined() || v.isNull())
        return true;
    const double d = v.toDouble();
    const bool integral = v.isDouble() && d >= -9.0e15 && d <= 9.0e15 && d == double(qint64(d));
    if (!integral) {
        *error = CloudflareError { 400, code, QStringLiteral("%1 must be an integer").arg(name) };
        return false;
    }
    const auto value = qint64(d);
    if (value < min || value > max) {
        *error = CloudflareError { 400, code,
            QStringLiteral("%1 must be between %2 and %3 (got %4)").arg(name).arg(min).arg(max).arg(value) };
        return false;
    }
    *out = value;
    return true;
}

QString CloudflareApi::queueId(const QueueRecord &queue)
{
    return QStringLiteral("%1%2")
        .arg(quint64(queue.id), 16, 16, QLatin1Char('0'))
        .arg(quint64(queue.createdMs), 16, 16, QLatin1Char('0'));
}

QString CloudflareApi::consumerId(const QueueRecord &queue)
{
    const QByteArray seed = "consumer:" + queueId(queue).toLatin1();
    return QString::fromLatin1(QCryptographicHash::hash(seed, QCryptographicHash::Sha256).toHex().left(32));
}

HttpResponse CloudflareApi::success(const QJsonValue &result, const QJsonObject &extra)
{
    QJsonObject envelope { { QStringLiteral("success"), true }, { QStringLiteral("errors"), QJsonArray {} },
        { QStringLiteral("messages"), QJsonArray {} }, { QStringLiteral("result"), result } };
    for (auto it = extra.begin(); it != extra.end(); ++it)
        envelope.insert(it.key(), it.value());
    return HttpResponse::json(200, QJsonDocument(envelope).toJson(QJsonDocument::Compact));
}

HttpResponse CloudflareApi::failure(const CloudflareError &error)
{
    const QJsonObject envelope {
        { QStringLiteral("success"), false },
        { QStringLiteral("errors"),
            QJsonArray { QJsonObject {
                { QStringLiteral("code"), error.code }, { QStringLiteral("message"), error.message } } } },
        { QStringLiteral("messages"), QJsonArray {} },
        { QStringLiteral("result"), QJsonValue::Null },
    };
    HttpResponse response
        = HttpResponse::json(error.status, QJsonDocument(envelope).toJson(QJsonDocument::Compact));
    // Cloudflare's clients retry a 409 as a lock timeout; ours are final (a name is taken,
    // delivery is paused) and a retry would only repeat them.
    if (error.status == 409)
        response.headers.append({ QByteArrayLiteral("x-should-retry"), QByteArrayLiteral("false") });
    return response;
}

CloudflareError CloudflareApi::fromBroker(const Error &error)
{
    switch (error.code) {
    case ErrorCode::NotFound:
        return { 404, QueueNotFound, error.message };
    case ErrorCode::TooLarge:
        return { 413, MessageTooLarge, error.message };
    case ErrorCode::BatchTooLarge:
        return { 413, BatchTooLarge, error.message };
    case ErrorCode::TooMany:
        return { 413, BatchTooManyMessages, error.message };
    case ErrorCode::Conflict:
        return { 409, QueueNameTaken, error.message };
    case ErrorCode::Paused:
        return { 409, QueueDeliveryPaused, QStringLiteral("queue_delivery_paused: ") + error.message };
    case ErrorCode::Storage:
    case ErrorCode::Unavailable:
        return { httpStatusOf(error), Internal, error.message };
    case ErrorCode::Invalid:
    case ErrorCode::None:
        break;
    }
    return invalid(inRestTerms(error.message));
}

void CloudflareApi::handle(
    const HttpRequest &request, const HttpResponder &responder, const QStringList &segments)
{
    const auto noRoute = [&] {
        responder.respond(failure({ 404, NoRoute,
            QStringLiteral("No route for the URI: %1 %2")
                .arg(QString::fromLatin1(request.method), QString::fromUtf8(request.path)) }));
    };
    // Answers 405 unless the method is one of `allowed`.
    const auto allow = [&](const QByteArrayList &names) {
        if (names.contains(request.method))
            return true;
        HttpResponse r = failure({ 405, MethodNotAllowed,
            QStringLiteral("Method %1 not allowed here; use %2")
                .arg(QString::fromLatin1(request.method), QString::fromLatin1(names.join(", "))) });
        r.headers.append({ QByteArrayLiteral("Allow"), names.join(", ") });
        responder.respond(r);
        return false;
    };

    const qsizetype n = segments.size();
    if (n == 0 || segments[0] != QLatin1String("queues") || n > 4) {
        noRoute();
        return;
    }
    if (n == 1) {
        if (!allow({ "GET", "POST" }))
            return;
        if (request.method == "GET")
            listQueues(request, responder);
        else
            createQueue(request, responder);
        return;
    }

    // Which methods the route takes, decided before the queue is looked up.
    const QString sub = segments.value(2);
    const QString leaf = segments.value(3);
    QByteArrayList methods;
    if (n == 2)
        methods = { "GET", "PATCH", "PUT", "DELETE" };
    else if (sub == QLatin1String("messages")
        && (n == 3
            || (n == 4
                && (leaf == QLatin1String("batch") || leaf == QLatin1String("pull")
                    || leaf == QLatin1String("ack") || leaf == QLatin1String("peek")
                    || leaf == QLatin1String("purge")))))
        methods = { "POST" };
    else if (n == 3 && (sub == QLatin1String("purge") || sub == QLatin1String("consumers")))
        methods = { "GET", "POST" };
    else if (n == 3 && sub == QLatin1String("metrics"))
        methods = { "GET" };
    else if (n == 4 && sub == QLatin1String("consumers"))
        methods = { "GET", "PUT", "DELETE" };
    if (methods.isEmpty()) {
        noRoute();
        return;
    }
    if (!allow(methods))
        return;
    const std::optional<QueueRecord> queue = resolve(segments[1]);
    if (!queue) {
        responder.respond(failure(queueNotFound(segments[1])));
        return;
    }
    const QByteArray &method = request.method;
    if (n == 2) {
        if (method == "GET")
            responder.respond(success(queueJson(*queue)));
        else if (method == "DELETE")
            deleteQueue(responder, *queue);
        else
            updateQueue(request, responder, *queue, method == "PUT");
    } else if (n == 3 && sub == QLatin1String("messages")) {
        push(request, responder, *queue);
    } else if (n == 3 && sub == QLatin1String("purge")) {
        if (method == "GET")
            purgeStatus(responder, *queue);
        else
            purge(request, responder, *queue);
    } else if (n == 3 && sub == QLatin1String("metrics")) {
        metrics(responder, *queue);
    } else if (n == 3) {
        if (method == "GET")
            listConsumers(responder, *queue);
        else
            setConsumer(request, responder, *queue, true);
    } else if (sub == QLatin1String("messages")) {
        if (leaf == QLatin1String("batch"))
            pushBatch(request, responder, *queue);
        else if (leaf == QLatin1String("pull"))
            pull(request, responder, *queue);
        else if (leaf == QLatin1String("peek"))
            peek(request, responder, *queue);
        else if (leaf == QLatin1String("purge"))
            purgeMessages(request, responder, *queue);
        else
            ack(request, responder, *queue);
    } else if (method == "GET") {
        getConsumer(responder, *queue, leaf);
    } else if (method == "DELETE") {
        deleteConsumer(responder, *queue, leaf);
    } else if (leaf != consumerId(*queue)) {
        responder.respond(failure(noConsumer(*queue, leaf)));
    } else {
        setConsumer(request, responder, *queue, false);
    }
}

std::optional<QueueRecord> CloudflareApi::resolve(const QString &queueIdOrName) const
{
    // A queue id first, as Cloudflare's clients send; then the name, for people with curl.
    static const QRegularExpression hex32(QStringLiteral("^[0-9a-f]{32}$"));
    if (hex32.match(queueIdOrName).hasMatch()) {
        bool ok = false;
        const qint64 id = qint64(queueIdOrName.left(16).toULongLong(&ok, 16));
        if (ok) {
            if (auto q = m_broker->queueById(id); q && queueId(*q) == queueIdOrName)
                return q;
        }
    }
    return m_broker->queue(queueIdOrName);
}

QJsonObject CloudflareApi::queueJson(const QueueRecord &queue) const
{
    const QueueSettings &s = queue.settings;
    QJsonArray consumers;
    if (s.consumerType != ConsumerType::None)
        consumers.append(consumerJson(queue));
    return QJsonObject {
        { QStringLiteral("queue_id"), queueId(queue) },
        { QStringLiteral("queue_name"), queue.name },
        { QStringLiteral("created_on"), isoTimeUtc(queue.createdMs) },
        { QStringLiteral("modified_on"), isoTimeUtc(queue.modifiedMs) },
        { QStringLiteral("producers"), QJsonArray {} },
        { QStringLiteral("producers_total_count"), 0 },
        { QStringLiteral("consumers"), consumers },
        { QStringLiteral("consumers_total_count"), consumers.size() },
        { QStringLiteral("settings"),
            QJsonObject { { QStringLiteral("delivery_delay"), s.deliveryDelaySeconds },
                { QStringLiteral("delivery_paused"), s.paused },
                { QStringLiteral("message_retention_period"), s.retentionSeconds } } },
    };
}

void CloudflareApi::answerWhenDurable(const HttpResponder &responder, const QJsonValue &result)
{
    m_broker->whenDurable([responder, result](const Error &commitError) {
        if (!answeredError(responder, commitError))
            responder.respond(success(result));
    });
}

void CloudflareApi::listQueues(const HttpRequest &request, const HttpResponder &responder)
{
    // Cloudflare's clients read a single page, so without per_page every queue comes at once.
    const QStringList names = request.query.allQueryItemValues(QStringLiteral("name"), QUrl::FullyDecoded);
    std::vector<QueueRecord> queues = m_broker->queues();
    if (!names.isEmpty())
        std::erase_if(queues, [&](const QueueRecord &q) { return !names.contains(q.name); });
    const auto readPositive = [&](const QString &key, qint64 fallback, qint64 *out) {
        if (!request.query.hasQueryItem(key)) {
            *out = fallback;
            return true;
        }
        bool ok = false;
        *out = request.query.queryItemValue(key).toLongLong(&ok);
        if (ok && *out >= 1)
            return true;
        responder.respond(failure(invalid(QStringLiteral("%1 must be a positive integer").arg(key))));
        return false;
    };
    const auto total = qint64(queues.size());
    qint64 page = 1;
    qint64 perPage = 1;
    if (!readPositive(QStringLiteral("page"), 1, &page)
        || !readPositive(QStringLiteral("per_page"), std::max<qint64>(total, 1), &perPage))
        return;
    QJsonArray result;
    const qint64 first = std::min(total, (page - 1) * perPage);
    const qint64 last = std::min(total, first + perPage);
    for (qint64 i = first; i < last; ++i)
        result.append(queueJson(queues[std::size_t(i)]));
    const QJsonObject info { { QStringLiteral("page"), page }, { QStringLiteral("per_page"), perPage },
        { QStringLiteral("count"), result.size() }, { QStringLiteral("total_count"), total },
        { QStringLiteral("total_pages"), (total + perPage - 1) / perPage } };
    responder.respond(success(result, QJsonObject { { QStringLiteral("result_info"), info } }));
}

void CloudflareApi::createQueue(const HttpRequest &request, const HttpResponder &responder)
{
    const auto body = bodyOrAnswer(request, responder);
    if (!body)
        return;
    const QJsonValue name = body->value(QLatin1String("queue_name"));
    if (!name.isString() || name.toString().isEmpty()) {
        responder.respond(
            failure(invalid(name.isUndefined() ? QStringLiteral("queue_name is required")
                                               : QStringLiteral("queue_name must be a non-empty string"))));
        return;
    }
    // Like Cloudflare, a new queue has no consumer until one is attached.
    QueueSettings settings;
    settings.consumerType = ConsumerType::None;
    CloudflareError error;
    if (!applyQueueSettings(*body, &settings, &error)) {
        responder.respond(failure(error));
        return;
    }
    QueueRecord record;
    if (const Error e = m_broker->createQueue(name.toString(), settings, &record); e.isError()) {
        CloudflareError cf = fromBroker(e);
        if (e.code == ErrorCode::Conflict)
            cf.message = QStringLiteral(
                "Queue name '%1' is already taken. Please use a different name and try again.")
                             .arg(name.toString());
        responder.respond(failure(cf));
        return;
    }
    answerWhenDurable(responder, queueJson(record));
}

void CloudflareApi::updateQueue(
    const HttpRequest &request, const HttpResponder &responder, const QueueRecord &queue, bool replace)
{
    const auto body = bodyOrAnswer(request, responder);
    if (!body)
        return;
    QueueSettings settings = queue.settings;
    if (replace) {
        // PUT overwrites the queue's configuration: what is not given goes back to its default.
        const QueueSettings defaults;
        settings.deliveryDelaySeconds = defaults.deliveryDelaySeconds;
        settings.paused = defaults.paused;
        settings.retentionSeconds = defaults.retentionSeconds;
    }
    CloudflareError error;
    if (!checkSameName(*body, queue, &error) || !applyQueueSettings(*body, &settings, &error)) {
        responder.respond(failure(error));
        return;
    }
    QueueRecord record;
    if (answeredError(responder, m_broker->updateQueue(queue.name, settings, &record)))
        return;
    answerWhenDurable(responder, queueJson(record));
}

void CloudflareApi::deleteQueue(const HttpResponder &responder, const QueueRecord &queue)
{
    if (answeredError(responder, m_broker->deleteQueue(queue.name)))
        return;
    m_purgeStartedMs.remove(queue.id);
    answerWhenDurable(responder, QJsonValue::Null);
}

void CloudflareApi::purge(
    const HttpRequest &request, const HttpResponder &responder, const QueueRecord &queue)
{
    const auto body = bodyOrAnswer(request, responder);
    if (!body)
        return;
    // Cloudflare asks for the confirmation in the body; so do we.
    if (body->value(QLatin1String("delete_messages_permanently")) != QJsonValue(true)) {
        responder.respond(
            failure(invalid(QStringLiteral("delete_messages_permanently must be true to purge a queue"))));
        return;
    }
    if (answeredError(responder, m_broker->purge(queue.name)))
        return;
    m_purgeStartedMs.insert(queue.id, m_broker->clock()->nowMs());
    answerWhenDurable(responder, queueJson(*m_broker->queue(queue.name)));
}

void CloudflareApi::purgeStatus(const HttpResponder &responder, const QueueRecord &queue)
{
    // A purge here is done when its call returns, so the last one is always complete.
    const auto it = m_purgeStartedMs.constFind(queue.id);
    if (it == m_purgeStartedMs.constEnd()) {
        responder.respond(success(QJsonObject {}));
        return;
    }
    responder.respond(success(QJsonObject { { QStringLiteral("started_at"), isoTimeUtc(*it) },
        { QStringLiteral("completed"), QStringLiteral("true") } }));
}

void CloudflareApi::metrics(const HttpResponder &responder, const QueueRecord &queue)
{
    responder.respond(success(backlogMetrics(queue)));
}

} // namespace qd
