#include "workerconsumer.h"

#include "webhookconsumer.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QNetworkRequest>

namespace qd {

WorkerConsumer::WorkerConsumer(QString workerName, QString secret, QObject *parent)
    : QObject(parent)
    , m_name(std::move(workerName))
    , m_secret(std::move(secret))
    , m_network(new QNetworkAccessManager(this))
{
}

WorkerConsumer::~WorkerConsumer() = default;

void WorkerConsumer::applyResult(const QJsonObject &result, const QString &thrown, BatchOutcome &outcome)
{
    // workerd already resolved the first-call-wins rule per message: a message is in at most
    // one of the two lists.
    for (const QJsonValue id : result.value(QLatin1String("explicitAcks")).toArray())
        outcome.ack(id.toString());
    for (const QJsonValue r : result.value(QLatin1String("retryMessages")).toArray()) {
        const QJsonObject retry = r.toObject();
        outcome.retry(retry.value(QLatin1String("msgId")).toString(),
            answeredDelay(retry, QLatin1String("delaySeconds")),
            QStringLiteral("retry() called by the Worker"));
    }
    if (result.value(QLatin1String("outcome")).toString() != QLatin1String("ok")) {
        outcome.fail(thrown.isEmpty() ? QStringLiteral("queue() did not complete (outcome: %1)")
                                            .arg(result.value(QLatin1String("outcome")).toString())
                                      : thrown);
        return;
    }
    const QJsonObject retryBatch = result.value(QLatin1String("retryBatch")).toObject();
    if (retryBatch.value(QLatin1String("retry")).toBool())
        outcome.retryAll(answeredDelay(retryBatch, QLatin1String("delaySeconds")));
    else if (result.value(QLatin1String("ackAll")).toBool())
        outcome.ackAll();
}

void WorkerConsumer::reportLogs(
    const QStringList &messageIds, const QStringList &lines, const QString &thrown)
{
    const auto it = m_pending.find(messageIds.value(0));
    if (it == m_pending.end())
        return; // a batch that already timed out, or lines from another QueueDeck
    it->lines = lines;
    it->thrown = thrown;
}

void WorkerConsumer::deliver(const Delivery &delivery, CompletionFn done)
{
    if (!m_bridge.isValid() || delivery.messages.empty()) {
        BatchOutcome outcome;
        outcome.fail(QStringLiteral("Worker %1 is not running").arg(m_name));
        done(outcome);
        return;
    }
    const QString key = delivery.messages.front().id;
    m_pending.insert(key, {});
    QNetworkRequest request(m_bridge);
    request.setHeader(QNetworkRequest::ContentTypeHeader, QByteArrayLiteral("application/json"));
    request.setRawHeader("X-QueueDeck-Secret", m_secret.toUtf8());
    request.setTransferTimeout(kTimeoutMs);
    QNetworkReply *reply = m_network->post(request, WebhookConsumer::payload(delivery));
    connect(reply, &QNetworkReply::finished, this, [this, reply, key, done = std::move(done)] {
        reply->deleteLater();
        const Pending pending = m_pending.take(key);
        const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
        const QByteArray answer = reply->readAll();
        BatchOutcome outcome;
        outcome.setLogs(pending.lines);
        if (reply->error() != QNetworkReply::NoError && status == 0) {
            outcome.fail(QStringLiteral("Worker %1 stopped before its queue() handler finished: %2")
                             .arg(m_name, reply->errorString()));
        } else if (status != 200) {
            const QString why
                = QJsonDocument::fromJson(answer).object().value(QLatin1String("error")).toString();
            outcome.fail(QStringLiteral("Worker %1 could not run queue(): %2")
                             .arg(m_name, why.isEmpty() ? QString::fromUtf8(answer.left(300)) : why));
            if (!why.isEmpty())
                outcome.setLogs(pending.lines + QStringList { why });
        } else {
            applyResult(QJsonDocument::fromJson(answer).object(), pending.thrown, outcome);
        }
        done(outcome);
    });
}

} // namespace qd
