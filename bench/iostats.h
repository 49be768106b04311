#pragma once

#include <QtGlobal>

namespace qdbench {

// What SQLite asked of the file system, per kind of file: counted by a pass-through VFS
// that becomes the process's default, so a benchmark sees every commit's writes and
// fsyncs (and their time) without touching the store under test.
struct FileIo {
    qint64 writes = 0;
    qint64 writeBytes = 0;
    qint64 writeNs = 0;
    qint64 reads = 0;
    qint64 readBytes = 0;
    qint64 syncs = 0;
    qint64 syncNs = 0;
};

struct IoStats {
    FileIo db; // the main database file (written by checkpoints)
    FileIo wal; // the write-ahead log (written by every commit)
    FileIo other;
};

// Registers the counting VFS as the default. Call before any database is opened.
void installIoCounters();
IoStats ioStats();
void resetIoStats();

} // namespace qdbench
