#pragma once

#include "httpserver.h"
#include "queuestore.h"

#include <QHash>
#include <QJsonObject>
#include <QStringList>

#include <optional>

namespace qd {

class ApiReader;
class Broker;
struct Error;

// What Cloudflare answers when a call fails: the HTTP status and one entry of `errors`.
struct CloudflareError {
    int status = 400;
    int code = 0;
    QString message;
};

// The Cloudflare Queues REST API under /client/v4/accounts/{account_id}/, with
// Cloudflare's envelope, statuses and error codes, so Cloudflare's own clients work.
// Every change is answered only once it is committed to the store; peeks read on the
// ApiReader's connections.
class CloudflareApi final {
public:
    CloudflareApi(Broker *broker, ApiReader *reader);

    // `segments`: the percent-decoded path segments after /client/v4/accounts/{account_id}/.
    void handle(const HttpRequest &request, const HttpResponder &responder, const QStringList &segments);

    // Cloudflare names queues and consumers by 32-hex ids. Ours are derived from the queue's
    // row id and creation time, so they are stable across restarts and never point at a
    // later queue that reuses a deleted one's row id.
    static QString queueId(const QueueRecord &queue);
    static QString consumerId(const QueueRecord &queue);

    // Cloudflare's error codes (developers.cloudflare.com/queues/reference/error-codes).
    enum Code {
        NoRoute = 7003,
        QueueNotFound = 10104,
        BatchDelayInvalid = 10202,
        MessageMetadataInvalid = 10203,
        MessageTooLarge = 10204,
        BatchTooLarge = 10205,
        BatchTooManyMessages = 10206,
        BodyInvalid = 10207,
        BodyMalformed = 10208,
        QueueDeliveryPaused = 10252,
        MethodNotAllowed = 10405,
        ConsumerExists = 11004,
        QueueNameTaken = 11009,
        Internal = 15000,
    };

    static HttpResponse success(const QJsonValue &result, const QJsonObject &extra = {});
    static HttpResponse failure(const CloudflareError &error);
    static CloudflareError fromBroker(const Error &error);

private:
    // Queues (cloudflareapi.cpp)
    void listQueues(const HttpRequest &request, const HttpResponder &responder);
    void createQueue(const HttpRequest &request, const HttpResponder &responder);
    void updateQueue(
        const HttpRequest &request, const HttpResponder &responder, const QueueRecord &queue, bool replace);
    void deleteQueue(const HttpResponder &responder, const QueueRecord &queue);
    void purge(const HttpRequest &request, const HttpResponder &responder, const QueueRecord &queue);
    void purgeStatus(const HttpResponder &responder, const QueueRecord &queue);
    void metrics(const HttpResponder &responder, const QueueRecord &queue);

    // Consumers (cloudflareapi_consumers.cpp)
    void listConsumers(const HttpResponder &responder, const QueueRecord &queue);
    void setConsumer(
        const HttpRequest &request, const HttpResponder &responder, const QueueRecord &queue, bool create);
    void getConsumer(const HttpResponder &responder, const QueueRecord &queue, const QString &consumer);
    void deleteConsumer(const HttpResponder &responder, const QueueRecord &queue, const QString &consumer);

    // Messages (cloudflareapi_messages.cpp)
    void push(const HttpRequest &request, const HttpResponder &responder, const QueueRecord &queue);
    void pushBatch(const HttpRequest &request, const HttpResponder &responder, const QueueRecord &queue);
    void send(const HttpResponder &responder, const QueueRecord &queue, std::vector<SendItem> items,
        std::optional<int> batchDelaySeconds);
    void pull(const HttpRequest &request, const HttpResponder &responder, const QueueRecord &queue);
    void ack(const HttpRequest &request, const HttpResponder &responder, const QueueRecord &queue);
    void peek(const HttpRequest &request, const HttpResponder &responder, const QueueRecord &queue);
    void purgeMessages(const HttpRequest &request, const HttpResponder &responder, const QueueRecord &queue);
    QJsonObject backlogMetrics(const QueueRecord &queue) const;

    std::optional<QueueRecord> resolve(const QString &queueIdOrName) const;
    QJsonObject queueJson(const QueueRecord &queue) const;
    QJsonObject consumerJson(const QueueRecord &queue) const;
    // Answers `result` once everything written so far is on disk.
    void answerWhenDurable(const HttpResponder &responder, const QJsonValue &result);

    Broker *m_broker;
    ApiReader *m_reader;
    QHash<qint64, qint64> m_purgeStartedMs; // by queue row id, for the purge status call
};

// Reads a request body as a JSON object. An empty body is an empty object (Cloudflare's
// clients send none for calls whose fields are all optional).
std::optional<QJsonObject> cloudflareBody(const HttpRequest &request, CloudflareError *error);

// Reads an optional integer field; absent and null give nullopt. On a wrong type or a value
// outside [min, max] fills `error` (naming `name`) and returns false.
bool cloudflareInt(const QJsonObject &object, const QString &key, const QString &name, qint64 min, qint64 max,
    std::optional<qint64> *out, CloudflareError *error, int code = CloudflareApi::BodyInvalid);

} // namespace qd
