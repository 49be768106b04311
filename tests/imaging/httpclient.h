#pragma once

// A real HTTP client for the tests: one request at a time, waited for with a signal.

#include <QHttpMultiPart>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QSignalSpy>

namespace qdtest {

struct Reply {
    int status = 0;
    QByteArray body;
    QByteArray contentType;
    QJsonObject json() const { return QJsonDocument::fromJson(body).object(); }
};

class HttpClient {
public:
    Reply send(const QByteArray &method, const QString &url, const QByteArray &body = {},
        const QByteArray &contentType = {})
    {
        QNetworkRequest request { QUrl(url) };
        if (!contentType.isEmpty())
            request.setHeader(QNetworkRequest::ContentTypeHeader, contentType);
        return wait(m_network.sendCustomRequest(request, method, body));
    }
    Reply get(const QString &url) { return send("GET", url); }
    Reply post(const QString &url, const QByteArray &body, const QByteArray &contentType)
    {
        return send("POST", url, body, contentType);
    }
    // Takes ownership of `multipart`.
    Reply post(const QString &url, QHttpMultiPart *multipart)
    {
        QNetworkReply *reply = m_network.post(QNetworkRequest { QUrl(url) }, multipart);
        multipart->setParent(reply);
        return wait(reply);
    }

private:
    static Reply wait(QNetworkReply *reply)
    {
        QSignalSpy finished(reply, &QNetworkReply::finished);
        if (!reply->isFinished())
            finished.wait(10000);
        Reply out { reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt(), reply->readAll(),
            reply->header(QNetworkRequest::ContentTypeHeader).toByteArray() };
        reply->deleteLater();
        return out;
    }

    QNetworkAccessManager m_network;
};

inline QHttpPart filePart(
    const QByteArray &name, const QString &filename, const QByteArray &type, const QByteArray &data)
{
    QHttpPart part;
    part.setHeader(QNetworkRequest::ContentDispositionHeader,
        QByteArray("form-data; name=\"" + name + "\"; filename=\"" + filename.toUtf8() + "\""));
    if (!type.isEmpty())
        part.setHeader(QNetworkRequest::ContentTypeHeader, type);
    part.setBody(data);
    return part;
}

inline QHttpPart fieldPart(const QByteArray &name, const QByteArray &value)
{
    QHttpPart part;
    part.setHeader(QNetworkRequest::ContentDispositionHeader, QByteArray("form-data; name=\"" + name + "\""));
    part.setBody(value);
    return part;
}

} // namespace qdtest
