#pragma once

#include <QString>

namespace qd {

// Unavailable: a shared store's database cannot be reached just now; try again shortly.
enum class ErrorCode { None, NotFound, Invalid, TooLarge, TooMany, Conflict, Paused, Storage, Unavailable };

// What went wrong with a request, in words a person can act on. Empty when nothing did.
struct Error {
    ErrorCode code = ErrorCode::None;
    QString message;

    explicit operator bool() const { return code != ErrorCode::None; }
    static Error make(ErrorCode code, QString message) { return Error { code, std::move(message) }; }
};

// The HTTP status every route answers an error with. A store that cannot take a write just
// now (disk full, database away) is 503 everywhere, which the server sends with Retry-After.
int httpStatusOf(const Error &error);

} // namespace qd
