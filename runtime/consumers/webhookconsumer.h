#pragma once

#include "consumer.h"

#include <QObject>

class QNetworkAccessManager;
class QNetworkReply;

namespace qd {

// Delivers each batch as one JSON POST to the queue's settings.url and applies the answer
// by the webhook protocol: 2xx with no body acks all; a JSON body may hold acks, retries,
// ackAll and retryAll; non-2xx, a timeout or a refused connection counts as a throw
// (acks listed in a non-2xx JSON body still hold).
class WebhookConsumer final : public QObject, public Consumer {
    Q_OBJECT
public:
    explicit WebhookConsumer(QObject *parent = nullptr);
    ~WebhookConsumer() override;

    void deliver(const Delivery &delivery, CompletionFn done) override;

    static QByteArray payload(const Delivery &delivery);
    // Reads a consumer's answer into the outcome; `ok` says whether the status was 2xx.
    static void applyAnswer(const QByteArray &answer, bool ok, BatchOutcome &outcome);

private:
    QNetworkAccessManager *m_network;
};

} // namespace qd
