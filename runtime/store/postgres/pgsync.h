#pragma once

#include "commitsync.h"

#include <memory>

namespace qd {

class PgStore;

// Makes a PostgreSQL store's commits durable off the thread that commits them (CommitSync).
// The writer connection commits with synchronous_commit off, so its COMMIT returns once the
// commit is in the server's log buffer; this thread, on a connection of its own that keeps
// the server's own synchronous_commit, then commits a transaction of its own, which waits for
// the log to be flushed (and replicated, where the server is set up so) up to its record, so
// past every commit the writer made before it (PgStore::flushCommitted).
class PgSync final : public CommitSync {
public:
    explicit PgSync(QString spec);
    ~PgSync() override;
    PgSync(const PgSync &) = delete;
    PgSync &operator=(const PgSync &) = delete;

    // Starts the thread and makes a first sync, so that a connection the server refuses
    // stops the store's start; the error, or empty.
    QString start();

protected:
    QString syncOnce() override;
    void threadEnding() override;

private:
    QString m_spec;
    std::unique_ptr<PgStore> m_flusher; // made, used and closed on the thread; again after a failure
};

} // namespace qd
