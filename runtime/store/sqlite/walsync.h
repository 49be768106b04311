#pragma once

#include "commitsync.h"

#include <chrono>

struct sqlite3;
struct sqlite3_file;

namespace qd {

// Makes a SQLite store's commits durable off the thread that commits them (CommitSync). The
// writer connection runs with synchronous=OFF, so COMMIT only hands the WAL frames to the
// kernel; this thread then syncs the WAL file through SQLite's own file object (so a test VFS
// sees the sync). Checkpoints run here too, on a connection of this thread's own with
// synchronous=FULL, because the writer's connection may not sync the database file.
class WalSync final : public CommitSync {
public:
    WalSync() = default;
    ~WalSync() override;
    WalSync(const WalSync &) = delete;
    WalSync &operator=(const WalSync &) = delete;

    // `writer` is the committing connection, in WAL mode, after its first write.
    bool start(sqlite3 *writer, const QString &path, QString *error);

protected:
    QString syncOnce() override;
    // The last checkpoint, synced (the writer may close without one of its own), and its
    // connection closed.
    void threadEnding() override;

private:
    sqlite3_file *m_wal = nullptr;
    sqlite3 *m_checkpointer = nullptr;
    std::chrono::steady_clock::time_point m_lastCheckpoint;
};

} // namespace qd
