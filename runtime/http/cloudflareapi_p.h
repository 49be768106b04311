#pragma once

// Shared by the files of CloudflareApi only (cloudflareapi*.cpp), not part of its interface.

#include "cloudflareapi.h"

namespace qd {

// A 400 with Cloudflare's "invalid body" code: what most checks of a request answer.
CloudflareError invalid(const QString &message);

} // namespace qd
