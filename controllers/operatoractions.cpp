#include "operatoractions.h"

#include "broker.h"
#include "messageformat.h"

#include <QPointer>

namespace qd {

OperatorActions::OperatorActions(Broker *broker, QObject *parent)
    : QObject(parent)
    , m_broker(broker)
{
    // The broker lives on the runtime thread: these arrive queued.
    connect(m_broker, &Broker::bulkProgress, this, &OperatorActions::bulkProgress);
    connect(m_broker, &Broker::bulkFinished, this,
        [this](qint64 operation, qint64 done, qint64 total, bool cancelled) {
            emit bulkFinished(operation, done, total, cancelled);
            emit changed();
        });
}

// Runs `work(broker)` on the runtime thread; it returns {summary, error}, shown back here.
template <typename Work> void OperatorActions::run(Work work)
{
    QPointer<OperatorActions> self(this);
    Broker *broker = m_broker;
    QMetaObject::invokeMethod(
        broker,
        [self, broker, work] {
            const std::pair<QString, QString> outcome = work(broker);
            if (self)
                QMetaObject::invokeMethod(
                    self,
                    [self, outcome] {
                        if (self)
                            self->report(outcome.first, outcome.second);
                    },
                    Qt::QueuedConnection);
        },
        Qt::QueuedConnection);
}

void OperatorActions::report(const QString &summary, const QString &error)
{
    emit finished(summary, error);
    if (error.isEmpty())
        emit changed();
}

namespace {
QString delayText(int delaySeconds)
{
    if (delaySeconds <= 0)
        return {};
    if (delaySeconds % 3600 == 0)
        return QObject::tr(" in %1 h").arg(delaySeconds / 3600);
    if (delaySeconds % 60 == 0)
        return QObject::tr(" in %1 min").arg(delaySeconds / 60);
    return QObject::tr(" in %1 s").arg(delaySeconds);
}
} // namespace

void OperatorActions::retry(const QStringList &ids, int delaySeconds)
{
    run([ids, delaySeconds](Broker *b) -> std::pair<QString, QString> {
        int retried = 0;
        const Error e = b->retryMessages(ids, delaySeconds, &retried);
        if (e)
            return { {}, e.message };
        return { countText(retried, tr("Retried %1 message"), tr("Retried %1 messages"))
                + delayText(delaySeconds),
            {} };
    });
}

void OperatorActions::retrySeqs(const QList<qint64> &seqs, int delaySeconds)
{
    QPointer<OperatorActions> self(this);
    run([self, seqs, delaySeconds](Broker *b) -> std::pair<QString, QString> {
        qint64 operation = 0;
        const Error e
            = b->startBulkRetrySeqs(std::vector<qint64>(seqs.begin(), seqs.end()), delaySeconds, &operation);
        if (e)
            return { {}, e.message };
        // Queued before the first chunk's progress, which the broker runs on a later turn.
        const qint64 total = seqs.size();
        QMetaObject::invokeMethod(
            self,
            [self, operation, total] {
                if (self)
                    emit self->bulkStarted(operation, total);
            },
            Qt::QueuedConnection);
        return { countText(total, tr("Retrying %1 message"), tr("Retrying %1 messages"))
                + delayText(delaySeconds),
            {} };
    });
}

void OperatorActions::retryMatching(const MessageFilter &filter, int delaySeconds)
{
    QPointer<OperatorActions> self(this);
    run([self, filter, delaySeconds](Broker *b) -> std::pair<QString, QString> {
        MessageFilter f = filter;
        // Only what may be retried: a broad filter never retries acked or waiting messages.
        if (f.state == StateFilter::Any && !f.deadLettered)
            f.failures = true;
        qint64 operation = 0;
        const Error e = b->startBulkRetry(f, delaySeconds, &operation);
        if (e)
            return { {}, e.message };
        // The total comes with the first progress: the broker counted it while fixing the set.
        QMetaObject::invokeMethod(
            self,
            [self, operation] {
                if (self)
                    emit self->bulkStarted(operation, -1);
            },
            Qt::QueuedConnection);
        return { tr("Retrying every matching failed message%1").arg(delayText(delaySeconds)), {} };
    });
}

void OperatorActions::cancelBulk(qint64 operation)
{
    Broker *broker = m_broker;
    QMetaObject::invokeMethod(
        broker, [broker, operation] { broker->cancelBulk(operation); }, Qt::QueuedConnection);
}

void OperatorActions::remove(const QStringList &ids)
{
    // Chunks on separate turns, so a big selection never holds the runtime thread for long.
    for (qsizetype at = 0; at < ids.size(); at += kDeleteChunk) {
        const QStringList chunk = ids.mid(at, kDeleteChunk);
        const bool last = at + kDeleteChunk >= ids.size();
        const qsizetype total = ids.size();
        run([chunk, last, total](Broker *b) -> std::pair<QString, QString> {
            int deleted = 0;
            const Error e = b->deleteMessages(chunk, &deleted);
            if (e)
                return { {}, e.message };
            return { last ? countText(total, tr("Deleted %1 message"), tr("Deleted %1 messages")) : QString(),
                {} };
        });
    }
}

void OperatorActions::redrive(const QString &deadLetterQueue)
{
    run([deadLetterQueue](Broker *b) -> std::pair<QString, QString> {
        int moved = 0;
        const Error e = b->redrive(deadLetterQueue, &moved);
        if (e)
            return { {}, e.message };
        return { countText(moved, tr("Moved %1 message"), tr("Moved %1 messages"))
                + tr(" from %1 back to their queues").arg(deadLetterQueue),
            {} };
    });
}

void OperatorActions::editAndRetry(
    const QString &id, const QByteArray &body, ContentType type, int delaySeconds)
{
    run([id, body, type, delaySeconds](Broker *b) -> std::pair<QString, QString> {
        const Error e = b->editAndRetry(id, body, type, delaySeconds);
        if (e)
            return { {}, e.message };
        return { tr("Edited and resubmitted %1%2").arg(id, delayText(delaySeconds)), {} };
    });
}

} // namespace qd
