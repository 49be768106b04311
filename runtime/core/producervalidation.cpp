#include "producervalidation.h"

#include <QJsonDocument>
#include <QJsonParseError>
#include <QUrl>

namespace qd {

QString validateImageUrl(const QString &url, const QString &blobBase)
{
    if (!blobBase.isEmpty() && url.startsWith(blobBase))
        return {};
    const QUrl parsed(url, QUrl::StrictMode);
    if (!parsed.isValid() || parsed.isRelative())
        return QStringLiteral("imageUrl must be an absolute http or https URL");
    const QString scheme = parsed.scheme().toLower();
    if (scheme != QLatin1String("http") && scheme != QLatin1String("https"))
        return QStringLiteral("imageUrl must use http or https (got %1)").arg(scheme);
    if (parsed.host().isEmpty())
        return QStringLiteral("imageUrl must name a host");
    return {};
}

JobValidation validateImageJob(const QByteArray &body, const QString &blobBase)
{
    JobValidation out;
    QJsonParseError parseError;
    const QJsonDocument doc = QJsonDocument::fromJson(body, &parseError);
    if (parseError.error != QJsonParseError::NoError) {
        out.error = QStringLiteral("malformed JSON at offset %1: %2")
                        .arg(parseError.offset)
                        .arg(parseError.errorString());
        return out;
    }
    if (!doc.isObject()) {
        out.error = QStringLiteral("the body must be a JSON object with imageUrl and userId");
        return out;
    }
    const QJsonObject o = doc.object();
    for (const char *field : { "imageUrl", "userId" }) {
        const QJsonValue v = o.value(QLatin1String(field));
        if (v.isUndefined() || v.isNull()) {
            out.error = QStringLiteral("%1 is required").arg(QLatin1String(field));
            return out;
        }
        if (!v.isString()) {
            out.error = QStringLiteral("%1 must be a string").arg(QLatin1String(field));
            return out;
        }
        if (v.toString().trimmed().isEmpty()) {
            out.error = QStringLiteral("%1 must not be empty").arg(QLatin1String(field));
            return out;
        }
    }
    out.job.imageUrl = o.value(QLatin1String("imageUrl")).toString();
    out.job.userId = o.value(QLatin1String("userId")).toString();
    out.error = validateImageUrl(out.job.imageUrl, blobBase);
    return out;
}

} // namespace qd
