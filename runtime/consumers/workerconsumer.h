#pragma once

#include "consumer.h"

#include <QHash>
#include <QJsonObject>
#include <QObject>
#include <QUrl>

class QNetworkAccessManager;

namespace qd {

// Delivers a queue's batches to a Worker project's queue() handler, through the bridge
// Worker that QueueDeck runs beside it in workerd (docs/workers.md, "Delivery"). The
// bridge answers with workerd's own account of the invocation; applyResult() turns it into
// a BatchOutcome by Cloudflare's rules. What the handler printed arrives separately, from
// the Worker itself, before the bridge answers (reportLogs()).
class WorkerConsumer final : public QObject, public Consumer {
    Q_OBJECT
public:
    WorkerConsumer(QString workerName, QString secret, QObject *parent = nullptr);
    ~WorkerConsumer() override;

    // Where the bridge listens; batches delivered while it is unset (the Worker is not
    // running) fail at once, so they are delivered again later.
    void setBridge(const QUrl &url) { m_bridge = url; }
    void deliver(const Delivery &delivery, CompletionFn done) override;

    // The console lines of the queue() invocation that had these messages, and the error it
    // threw ("Error: boom"; empty when it returned).
    void reportLogs(const QStringList &messageIds, const QStringList &lines, const QString &thrown);
    int inFlight() const { return int(m_pending.size()); }

    // A Cloudflare-style account of a queue() call ({outcome, ackAll, retryBatch,
    // explicitAcks, retryMessages}) as outcome calls. `thrown` names the error when the
    // outcome is not "ok".
    static void applyResult(const QJsonObject &result, const QString &thrown, BatchOutcome &outcome);

    // How long a queue() call may run before its batch is retried: Cloudflare's wall-clock
    // limit for a consumer invocation.
    static constexpr int kTimeoutMs = 15 * 60 * 1000;

private:
    struct Pending {
        QStringList lines;
        QString thrown;
    };

    QString m_name;
    QString m_secret;
    QUrl m_bridge;
    QNetworkAccessManager *m_network;
    QHash<QString, Pending> m_pending; // by the first message id of the batch
};

} // namespace qd
