#pragma once

#include <QString>

namespace qd {

// What kind of thing went wrong, so callers answer in their own terms (an HTTP status, a
// Cloudflare error code) without reading the words. TooLarge: one message or file is over its
// limit; BatchTooLarge: a send's messages together are; TooMany: a send has too many messages.
// Unavailable: a shared store's database cannot be reached just now; try again shortly.
enum class ErrorCode {
    None,
    NotFound,
    Invalid,
    TooLarge,
    BatchTooLarge,
    TooMany,
    Conflict,
    Paused,
    Storage,
    Unavailable
};

// What went wrong with a request, in words a person can act on; ok() when nothing did.
struct Error {
    ErrorCode code = ErrorCode::None;
    QString message;

    bool ok() const { return code == ErrorCode::None; }
    bool isError() const { return code != ErrorCode::None; }
    static Error make(ErrorCode code, QString message) { return Error { code, std::move(message) }; }
};

// The HTTP status every route answers an error with. A store that cannot take a write just
// now (disk full, database away) is 503 everywhere, which the server sends with Retry-After.
int httpStatusOf(const Error &error);

} // namespace qd
