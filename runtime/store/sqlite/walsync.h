#pragma once

#include <QObject>
#include <QString>

#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>

struct sqlite3;
struct sqlite3_file;

namespace qd {

// Makes a SQLite store's commits durable off the thread that commits them (group commit off
// the event loop, docs/architecture.md "Commits"). The writer connection runs with
// synchronous=OFF, so COMMIT only hands the WAL frames to the kernel; this thread then syncs
// the WAL file through SQLite's own file object (so a test VFS sees the sync) and reports
// back on the committing thread. Syncs coalesce: one sync covers every commit made before it
// started. Checkpoints run here too, on a connection of this thread's own with
// synchronous=FULL, because the writer's connection may not sync the database file.
class WalSync final {
public:
    using Done = std::function<void(const QString &error)>;

    WalSync() = default;
    ~WalSync();
    WalSync(const WalSync &) = delete;
    WalSync &operator=(const WalSync &) = delete;

    // `writer` is the committing connection, in WAL mode, after its first write.
    bool start(sqlite3 *writer, const QString &path, QString *error);
    // Committing thread: everything committed so far is to be synced.
    void committed();
    // Committing thread: runs `done` there once everything committed before this call is on
    // disk, with the error that kept it off; at once when nothing is waiting.
    void whenSynced(Done done);
    // Committing thread: waits for every sync asked for so far and runs what they owe.
    void waitAll();
    // Committing thread: syncs now and waits; the error, or empty.
    QString syncNow();
    // Committing thread: a sync failed, and none has been made on purpose since (syncNow()).
    bool failed() const { return !m_failed.isEmpty(); }
    // Stops the thread after a last sync and checkpoint.
    void stop();

private:
    void run();
    void deliver();

    sqlite3_file *m_wal = nullptr;
    sqlite3 *m_checkpointer = nullptr;
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
};

} // namespace qd
