#include "walsync.h"

#include <sqlite3.h>

namespace qd {

namespace {
// A checkpoint at most this often: each copies what the WAL gained since the last one.
constexpr auto kCheckpointEvery = std::chrono::milliseconds(200);
} // namespace

WalSync::~WalSync()
{
    stop();
}

bool WalSync::start(sqlite3 *writer, const QString &path, QString *error)
{
    if (sqlite3_file_control(writer, "main", SQLITE_FCNTL_JOURNAL_POINTER, &m_wal) != SQLITE_OK || !m_wal
        || !m_wal->pMethods) {
        *error = QStringLiteral("cannot reach the write-ahead log of %1").arg(path);
        return false;
    }
    const QByteArray file = path.toUtf8();
    if (sqlite3_open_v2(
            file.constData(), &m_checkpointer, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, nullptr)
            != SQLITE_OK
        || sqlite3_exec(m_checkpointer, "PRAGMA synchronous=FULL", nullptr, nullptr, nullptr) != SQLITE_OK) {
        *error = QStringLiteral("cannot open %1 for checkpoints: %2")
                     .arg(path, QString::fromUtf8(sqlite3_errmsg(m_checkpointer)));
        sqlite3_close_v2(m_checkpointer);
        m_checkpointer = nullptr;
        return false;
    }
    m_lastCheckpoint = std::chrono::steady_clock::now();
    startThread();
    return true;
}

QString WalSync::syncOnce()
{
    const int rc = m_wal->pMethods->xSync(m_wal, SQLITE_SYNC_NORMAL);
    if (rc != SQLITE_OK)
        return QStringLiteral("the disk did not take the write-ahead log (%1)")
            .arg(QString::fromUtf8(sqlite3_errstr(rc)));
    const auto now = std::chrono::steady_clock::now();
    if (now - m_lastCheckpoint >= kCheckpointEvery) {
        m_lastCheckpoint = now;
        sqlite3_wal_checkpoint_v2(m_checkpointer, "main", SQLITE_CHECKPOINT_PASSIVE, nullptr, nullptr);
    }
    return {};
}

void WalSync::threadEnding()
{
    sqlite3_wal_checkpoint_v2(m_checkpointer, "main", SQLITE_CHECKPOINT_PASSIVE, nullptr, nullptr);
    sqlite3_close_v2(m_checkpointer);
    m_checkpointer = nullptr;
}

} // namespace qd
