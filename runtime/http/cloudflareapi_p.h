#pragma once

// Shared by the files of CloudflareApi only (cloudflareapi*.cpp), not part of its interface.

#include "cloudflareapi.h"
#include "error.h"

namespace qd {

// A 400 with Cloudflare's "invalid body" code: what most checks of a request answer.
CloudflareError invalid(const QString &message);

// The request's body as a JSON object (cloudflareBody), or nothing once the caller has been
// answered why not.
std::optional<QJsonObject> bodyOrAnswer(const HttpRequest &request, const HttpResponder &responder);

// Whether `error` (the broker's, a store's commit, checkSend's) is one; if so it has been
// answered in Cloudflare's terms (CloudflareApi::fromBroker).
bool answeredError(const HttpResponder &responder, const Error &error);

// The 404 for a consumer id the queue does not have.
CloudflareError noConsumer(const QueueRecord &queue, const QString &consumer);

// Reads an optional delay in seconds (absent and null give nullopt) and checks its bounds
// with checkDelay() (sendlimits.h). On a wrong type or a delay out of bounds fills `error`
// with `code` (naming `name`) and returns false.
bool cloudflareDelay(const QJsonObject &object, const QString &key, const QString &name,
    std::optional<int> *out, CloudflareError *error, int code = CloudflareApi::BodyInvalid);

} // namespace qd
