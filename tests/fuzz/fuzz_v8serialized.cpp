// Fuzzes the reader of V8-serialized bodies: any bytes decode or fail with a note, with no
// read past the end, no unbounded recursion and no allocation the input does not pay for.
#include "v8serialized.h"

#include <cstdint>
#include <cstdlib>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const qd::V8Decoded decoded = qd::decodeV8Serialized(
        QByteArray::fromRawData(reinterpret_cast<const char *>(data), qsizetype(size)));
    if (!decoded.ok() && decoded.note.isEmpty())
        std::abort(); // a refusal always says why
    return 0;
}
