#include "webhookconsumer.h"

#include "message.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QNetworkRequest>

namespace qd {

WebhookConsumer::WebhookConsumer(QObject *parent)
    : QObject(parent)
    , m_network(new QNetworkAccessManager(this))
{
    // Unlike image URLs, which anyone who may send a message chooses, a webhook URL is set
    // by whoever configures the queue (behind the token) and points at their own service,
    // often on a private address: it is not held to the image consumer's AddressPolicy.
    m_network->setRedirectPolicy(QNetworkRequest::NoLessSafeRedirectPolicy);
}

WebhookConsumer::~WebhookConsumer() = default;

QByteArray WebhookConsumer::payload(const Delivery &delivery)
{
    QJsonArray messages;
    for (const Message &m : delivery.messages) {
        messages.append(QJsonObject { { QStringLiteral("id"), m.id },
            { QStringLiteral("timestamp_ms"), m.timestampMs }, { QStringLiteral("attempts"), m.attempts },
            { QStringLiteral("content_type"), contentTypeName(m.contentType) },
            { QStringLiteral("body"), messageBodyJson(m) } });
    }
    return QJsonDocument(QJsonObject { { QStringLiteral("queue"), delivery.queueName },
                             { QStringLiteral("messages"), messages } })
        .toJson(QJsonDocument::Compact);
}

void WebhookConsumer::applyAnswer(const QByteArray &answer, bool ok, BatchOutcome &outcome)
{
    const QJsonObject o = QJsonDocument::fromJson(answer).object();
    for (const QJsonValue id : o.value(QLatin1String("acks")).toArray())
        outcome.ack(id.toString());
    if (ok) {
        for (const QJsonValue r : o.value(QLatin1String("retries")).toArray())
            outcome.retry(r.toObject().value(QLatin1String("id")).toString(),
                answeredDelay(r.toObject(), QLatin1String("delay_seconds")));
        if (o.value(QLatin1String("ackAll")).toBool())
            outcome.ackAll();
        const QJsonValue retryAll = o.value(QLatin1String("retryAll"));
        if (retryAll.isObject())
            outcome.retryAll(answeredDelay(retryAll.toObject(), QLatin1String("delay_seconds")));
        else if (retryAll.toBool())
            outcome.retryAll();
    }
}

void WebhookConsumer::deliver(const Delivery &delivery, CompletionFn done)
{
    QNetworkRequest request { QUrl(delivery.settings.webhookUrl) };
    request.setHeader(QNetworkRequest::ContentTypeHeader, QByteArrayLiteral("application/json"));
    request.setRawHeader("User-Agent", "QueueDeck-webhook");
    request.setTransferTimeout(delivery.settings.webhookTimeoutMs);
    QNetworkReply *reply = m_network->post(request, payload(delivery));
    const int timeoutMs = delivery.settings.webhookTimeoutMs;
    const QString url = delivery.settings.webhookUrl;
    connect(reply, &QNetworkReply::finished, this, [reply, done = std::move(done), timeoutMs, url] {
        reply->deleteLater();
        const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
        const QByteArray answer = reply->readAll();
        BatchOutcome outcome;
        const bool ok = status >= 200 && status < 300 && reply->error() == QNetworkReply::NoError;
        applyAnswer(answer, ok, outcome);
        if (!ok) {
            QString error;
            if (reply->error() == QNetworkReply::OperationCanceledError
                || reply->error() == QNetworkReply::TimeoutError)
                error = QStringLiteral("webhook %1 did not answer within %2 ms").arg(url).arg(timeoutMs);
            else if (status == 0)
                error = QStringLiteral("webhook %1 unreachable: %2").arg(url, reply->errorString());
            else
                error = QStringLiteral("webhook %1 answered HTTP %2: %3")
                            .arg(url)
                            .arg(status)
                            .arg(QString::fromUtf8(answer.left(200)).simplified());
            outcome.fail(error);
        }
        done(outcome);
    });
}

} // namespace qd
