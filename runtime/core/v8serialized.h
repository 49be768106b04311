#pragma once

#include <QByteArray>
#include <QJsonValue>
#include <QString>

#include <optional>

namespace qd {

// A body of content type v8 (V8's structured-clone serialization, what a Worker's
// `env.QUEUE.send(obj)` writes) as JSON, so people can read it.
struct V8Decoded {
    // Empty when the bytes cannot be shown as JSON; `note` then says why.
    std::optional<QJsonValue> value;
    // With a value: what JSON could not keep ("undefined is shown as null"), or empty.
    QString note;

    bool ok() const { return value.has_value(); }
};

// Reads format versions 13 to 15, with the 0xFF header or without it. Plain objects,
// arrays, strings, numbers, booleans, null, undefined, Dates and boxed primitives decode;
// anything JSON has no form for (Map, Set, BigInt, ArrayBuffer, host objects, RegExp,
// errors, cycles) and any malformed input fail with a note. Never reads past the end.
V8Decoded decodeV8Serialized(const QByteArray &bytes);

} // namespace qd
