#include "error.h"

namespace qd {

int httpStatusOf(const Error &error)
{
    switch (error.code) {
    case ErrorCode::NotFound:
        return 404;
    case ErrorCode::Conflict:
    case ErrorCode::Paused:
        return 409;
    case ErrorCode::TooLarge:
    case ErrorCode::BatchTooLarge:
    case ErrorCode::TooMany:
        return 413;
    case ErrorCode::Storage:
    case ErrorCode::Unavailable:
        return 503;
    case ErrorCode::Invalid:
    case ErrorCode::None:
        break;
    }
    return 400;
}

} // namespace qd
