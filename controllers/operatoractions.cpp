#include "operatoractions.h"

#include "broker.h"
#include "messageformat.h"
#include "runtime.h"

namespace qd {

OperatorActions::OperatorActions(Runtime *runtime, QObject *parent)
    : QObject(parent)
    , m_runtime(runtime)
{
    Broker *broker = runtime->broker();
    if (!broker)
        return;
    // The broker lives on the runtime thread: these arrive queued.
    connect(broker, &Broker::bulkProgress, this, &OperatorActions::bulkProgress);
    connect(broker, &Broker::bulkFinished, this,
        [this](qint64 operation, qint64 done, qint64 total, bool cancelled) {
            emit bulkFinished(operation, done, total, cancelled);
            emit changed();
        });
}

// Runs `work(broker)` on the runtime thread; what it returns is reported back here.
template <typename Work> void OperatorActions::run(Work work)
{
    if (!m_runtime->ask(this, std::move(work), [this](const Outcome &outcome) { report(outcome); }))
        report({ {}, tr("the runtime is not running") });
}

void OperatorActions::report(const Outcome &outcome)
{
    // Answered before the first chunk's progress, which the broker sends on a later turn.
    if (outcome.bulkOperation != 0)
        emit bulkStarted(outcome.bulkOperation, outcome.bulkTotal);
    emit finished(outcome.summary, outcome.error);
    if (outcome.error.isEmpty())
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
    run([ids, delaySeconds](Broker &b) -> Outcome {
        int retried = 0;
        const Error e = b.retryMessages(ids, delaySeconds, &retried);
        if (e.isError())
            return { {}, e.message };
        return { countText(retried, tr("Retried %1 message"), tr("Retried %1 messages"))
                + delayText(delaySeconds),
            {} };
    });
}

void OperatorActions::retrySeqs(const QList<qint64> &seqs, int delaySeconds)
{
    run([seqs, delaySeconds](Broker &b) -> Outcome {
        qint64 operation = 0;
        const Error e
            = b.startBulkRetrySeqs(std::vector<qint64>(seqs.begin(), seqs.end()), delaySeconds, &operation);
        if (e.isError())
            return { {}, e.message };
        const qint64 total = seqs.size();
        return { countText(total, tr("Retrying %1 message"), tr("Retrying %1 messages"))
                + delayText(delaySeconds),
            {}, operation, total };
    });
}

void OperatorActions::retryMatching(const MessageFilter &filter, int delaySeconds)
{
    run([filter, delaySeconds](Broker &b) -> Outcome {
        MessageFilter f = filter;
        // Only what may be retried: a broad filter never retries acked or waiting messages.
        if (f.state == StateFilter::Any && !f.deadLettered)
            f.failures = true;
        qint64 operation = 0;
        const Error e = b.startBulkRetry(f, delaySeconds, &operation);
        if (e.isError())
            return { {}, e.message };
        // The total comes with the first progress: the broker counted it while fixing the set.
        return { tr("Retrying every matching failed message%1").arg(delayText(delaySeconds)), {}, operation,
            -1 };
    });
}

void OperatorActions::cancelBulk(qint64 operation)
{
    m_runtime->tell([operation](Broker &b) { b.cancelBulk(operation); });
}

void OperatorActions::remove(const QStringList &ids)
{
    // Chunks on separate turns, so a big selection never holds the runtime thread for long.
    for (qsizetype at = 0; at < ids.size(); at += kDeleteChunk) {
        const QStringList chunk = ids.mid(at, kDeleteChunk);
        const bool last = at + kDeleteChunk >= ids.size();
        const qsizetype total = ids.size();
        run([chunk, last, total](Broker &b) -> Outcome {
            int deleted = 0;
            const Error e = b.deleteMessages(chunk, &deleted);
            if (e.isError())
                return { {}, e.message };
            return { last ? countText(total, tr("Deleted %1 message"), tr("Deleted %1 messages")) : QString(),
                {} };
        });
    }
}

void OperatorActions::redrive(const QString &deadLetterQueue)
{
    run([deadLetterQueue](Broker &b) -> Outcome {
        int moved = 0;
        const Error e = b.redrive(deadLetterQueue, &moved);
        if (e.isError())
            return { {}, e.message };
        return { countText(moved, tr("Moved %1 message"), tr("Moved %1 messages"))
                + tr(" from %1 back to their queues").arg(deadLetterQueue),
            {} };
    });
}

void OperatorActions::editAndRetry(
    const QString &id, const QByteArray &body, ContentType type, int delaySeconds)
{
    run([id, body, type, delaySeconds](Broker &b) -> Outcome {
        const Error e = b.editAndRetry(id, body, type, delaySeconds);
        if (e.isError())
            return { {}, e.message };
        return { tr("Edited and resubmitted %1%2").arg(id, delayText(delaySeconds)), {} };
    });
}

} // namespace qd
