#pragma once

// POST / from a test, as a producer sends it: the image job body, the request, its status.

#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QNetworkRequest>

namespace qdtest {

// The job `i`: {"imageUrl": "https://example.com/<i>.png", "userId": "u<i>"}.
inline QByteArray imageJob(int i)
{
    return QJsonDocument(
        QJsonObject { { QStringLiteral("imageUrl"), QStringLiteral("https://example.com/%1.png").arg(i) },
            { QStringLiteral("userId"), QStringLiteral("u%1").arg(i) } })
        .toJson(QJsonDocument::Compact);
}

// POST / of `body` as JSON to the server at `baseUrl`.
inline QNetworkReply *postJob(QNetworkAccessManager &network, const QString &baseUrl, const QByteArray &body)
{
    QNetworkRequest r { QUrl(baseUrl + QStringLiteral("/")) };
    r.setHeader(QNetworkRequest::ContentTypeHeader, QByteArrayLiteral("application/json"));
    return network.post(r, body);
}

inline int httpStatus(QNetworkReply *reply)
{
    return reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
}

} // namespace qdtest
