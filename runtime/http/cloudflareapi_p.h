#pragma once

// Shared by the files of CloudflareApi only (cloudflareapi*.cpp), not part of its interface.

#include "cloudflareapi.h"

namespace qd {

// A 400 with Cloudflare's "invalid body" code: what most checks of a request answer.
CloudflareError invalid(const QString &message);

// Reads an optional delay in seconds (absent and null give nullopt) and checks its bounds
// with checkDelay() (sendlimits.h). On a wrong type or a delay out of bounds fills `error`
// with `code` (naming `name`) and returns false.
bool cloudflareDelay(const QJsonObject &object, const QString &key, const QString &name,
    std::optional<int> *out, CloudflareError *error, int code = CloudflareApi::BodyInvalid);

} // namespace qd
