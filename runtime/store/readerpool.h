#pragma once

#include "queuestore.h"

#include <QObject>
#include <QString>

#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <vector>

class QThread;

namespace qd {

// Read-only connections to the store, each on a thread of its own, for reads that must not
// hold up the thread that writes: SQLite's WAL (and PostgreSQL's separate sessions) let them
// read while the writer commits. Reads wait in one queue, in order, for the next free reader;
// a slow one holds up only the reads queued behind it.
class ReaderPool final : public QObject {
    Q_OBJECT
public:
    // What a read hands back: run on the pool's thread once the read is done.
    using Answer = std::function<void()>;
    // Runs on a reader's thread inside one snapshot of its connection; `store` is null when
    // that reader could not open the store, and `openError` says why.
    using Read = std::function<Answer(QueueStore *store, const QString &openError)>;

    // `storeSpec` as makeStore() takes it. Readers open their connections at their first read.
    explicit ReaderPool(QString storeSpec, int readers = 2, QObject *parent = nullptr);
    ~ReaderPool() override;

    void run(Read read);
    int size() const { return int(m_threads.size()); }

private:
    void serve();

    QString m_spec;
    std::vector<std::unique_ptr<QThread>> m_threads;
    std::mutex m_mutex; // guards m_reads and m_stopping
    std::condition_variable m_wake;
    std::deque<Read> m_reads;
    bool m_stopping = false;
};

} // namespace qd
