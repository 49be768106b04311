#include "cloudflareapi_p.h"

#include "sendlimits.h"

#include <limits>

namespace qd {

CloudflareError invalid(const QString &message)
{
    return CloudflareError { 400, CloudflareApi::BodyInvalid, message };
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
