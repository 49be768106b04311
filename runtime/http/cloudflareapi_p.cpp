#include "cloudflareapi_p.h"

#include "sendlimits.h"

#include <limits>

namespace qd {

CloudflareError invalid(const QString &message)
{
    return CloudflareError { 400, CloudflareApi::BodyInvalid, message };
}

std::optional<QJsonObject> bodyOrAnswer(const HttpRequest &request, const HttpResponder &responder)
{
    CloudflareError error;
    auto body = cloudflareBody(request, &error);
    if (!body)
        responder.respond(CloudflareApi::failure(error));
    return body;
}

bool answeredError(const HttpResponder &responder, const Error &error)
{
    if (error.ok())
        return false;
    responder.respond(CloudflareApi::failure(CloudflareApi::fromBroker(error)));
    return true;
}

CloudflareError noConsumer(const QueueRecord &queue, const QString &consumer)
{
    return CloudflareError { 404, CloudflareApi::NoRoute,
        QStringLiteral("queue \"%1\" has no consumer %2").arg(queue.name, consumer) };
}

bool cloudflareDelay(const QJsonObject &object, const QString &key, const QString &name,
    std::optional<int> *out, CloudflareError *error, int code)
{
    // Any integer here; its bounds are checkDelay's, the same as every other way in.
    std::optional<qint64> seconds;
    if (!cloudflareInt(object, key, name, std::numeric_limits<qint64>::min(),
            std::numeric_limits<qint64>::max(), &seconds, error, code))
        return false;
    if (!seconds)
        return true;
    if (const Error e = checkDelay(*seconds, name); e.isError()) {
        *error = CloudflareError { 400, code, e.message };
        return false;
    }
    *out = int(*seconds);
    return true;
}

} // namespace qd
