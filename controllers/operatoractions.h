#pragma once

#include "queuestore.h"

#include <QObject>
#include <QStringList>

namespace qd {

class Runtime;

// An operator's actions on messages, run on the runtime thread by the broker (the same
// functions /api calls); answers come back on the GUI thread as signals. Nothing here waits.
class OperatorActions final : public QObject {
    Q_OBJECT
public:
    explicit OperatorActions(Runtime *runtime, QObject *parent = nullptr);

    void retry(const QStringList &ids, int delaySeconds);
    // Bulk retries: chunked in the runtime, with progress, over the set as it is now.
    void retrySeqs(const QList<qint64> &seqs, int delaySeconds);
    void retryMatching(const MessageFilter &filter, int delaySeconds);
    void cancelBulk(qint64 operation);
    void remove(const QStringList &ids);
    void redrive(const QString &deadLetterQueue);
    void editAndRetry(const QString &id, const QByteArray &body, ContentType type, int delaySeconds);

    static constexpr int kDeleteChunk = 500;

signals:
    // One line for a status bar: what happened, or why not.
    void finished(const QString &summary, const QString &error);
    void bulkStarted(qint64 operation, qint64 total);
    void bulkProgress(qint64 operation, qint64 done, qint64 total);
    void bulkFinished(qint64 operation, qint64 done, qint64 total, bool cancelled);
    // Something was written: views may refresh now instead of at their next tick.
    void changed();

private:
    // What a piece of work on the runtime thread hands back: a status line, and for a bulk
    // retry the operation it started.
    struct Outcome {
        QString summary;
        QString error;
        qint64 bulkOperation = 0;
        qint64 bulkTotal = -1;
    };
    template <typename Work> void run(Work work);
    void report(const Outcome &outcome);

    Runtime *m_runtime;
};

} // namespace qd
