#pragma once

#include "queuestore.h"

#include <QHash>
#include <QList>
#include <QObject>
#include <QThread>

#include <atomic>
#include <memory>

namespace qd {

// Reads queue depth on its own thread over its own connection to the store (WAL lets it
// read while the broker writes), so a backlog of millions, whose count takes a few hundred
// milliseconds, never holds up the runtime thread and the producers waiting on it.
class DepthReader final : public QObject {
    Q_OBJECT
public:
    explicit DepthReader(QString storePath, QObject *parent = nullptr);
    ~DepthReader() override;

    // A read is under way; a new one would only queue behind it.
    bool busy() const { return m_busy.load(); }
    // Answers with depthRead(), from the reader's thread.
    void read(const QList<qint64> &queueIds, qint64 nowMs);

signals:
    // `ok` is false when the store could not be read at all.
    void depthRead(const QHash<qint64, qd::QueueDepth> &depth, qint64 elapsedMs, bool ok);

private:
    QString m_path;
    QThread m_thread;
    QObject *m_context; // lives on m_thread
    std::unique_ptr<QueueStore> m_store; // reader thread only
    bool m_openFailed = false; // reader thread only
    std::atomic<bool> m_busy { false };
};

} // namespace qd
