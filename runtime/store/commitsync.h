#pragma once

#include <QObject>
#include <QString>

#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>

namespace qd {

// Group commit off the event loop (docs/architecture.md, "Commits"): the committing thread
// commits without waiting for the disk, and this class's thread makes those commits durable
// and reports back on the committing thread. Syncs coalesce: one covers every commit made
// before it started, so while one runs the next group gathers. How a sync is made is the
// store's (WalSync for SQLite, PgSync for PostgreSQL): syncOnce() runs on the thread.
//
// A failed sync taints every later callback (the store is then to be opened again) until one
// made on purpose with syncNow() goes through.
class CommitSync {
public:
    using Done = std::function<void(const QString &error)>;

    CommitSync() = default;
    virtual ~CommitSync();
    CommitSync(const CommitSync &) = delete;
    CommitSync &operator=(const CommitSync &) = delete;

    // Committing thread: everything committed so far is to be synced.
    void committed();
    // Committing thread: runs `done` there once everything committed before this call is on
    // disk, with the error that kept it off; at once when nothing is waiting.
    void whenSynced(Done done);
    // Committing thread: waits for every sync asked for so far and runs what they owe.
    void waitAll();
    // Committing thread: syncs now and waits; the error, or empty.
    QString syncNow();
    // The store's flag that it takes no writes: set when a failed sync is handed on, as after
    // a failed commit, so that nothing more is taken until the store is opened again.
    void setDownFlag(bool *down) { m_down = down; }
    // Stops the thread after a last sync of what was committed. A subclass calls it in its
    // destructor, before what syncOnce() uses is gone.
    void stop();

protected:
    // Starts the thread; called from the committing thread.
    void startThread();
    // On the thread: makes every commit made so far durable; the error, or empty.
    virtual QString syncOnce() = 0;
    // On the thread, just before it ends.
    virtual void threadEnding() { }

private:
    void run();
    void deliver();

    std::thread m_thread;
    std::mutex m_mutex;
    std::condition_variable m_wake;
    std::condition_variable m_done;
    quint64 m_requested = 0; // generations: one per committed()
    quint64 m_synced = 0;
    QString m_error; // the first sync that failed, until deliver() hands it on
    bool m_stopping = false;
    // Committing thread only.
    std::deque<std::pair<quint64, Done>> m_waiting;
    QString m_failed; // the failed sync's error, handed to every callback from then on
    std::unique_ptr<QObject> m_receiver; // lives on the committing thread
    bool *m_down = nullptr;
};

} // namespace qd
