#include "walsync.h"

#include <QMetaObject>

#include <sqlite3.h>

#include <pthread.h>

#include <chrono>

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
    m_receiver = std::make_unique<QObject>();
    m_thread = std::thread([this] { run(); });
    return true;
}

void WalSync::committed()
{
    {
        const std::lock_guard lock(m_mutex);
        ++m_requested;
    }
    m_wake.notify_one();
}

void WalSync::whenSynced(Done done)
{
    quint64 generation = 0;
    {
        const std::lock_guard lock(m_mutex);
        generation = m_requested;
    }
    m_waiting.emplace_back(generation, std::move(done));
    deliver();
}

void WalSync::run()
{
    // Named like the runtime's other threads, so that top, perf and bench/scale.sh tell its
    // CPU time apart from the runtime thread's (at most 15 characters).
    pthread_setname_np(pthread_self(), "queuedeck-sync");
    auto lastCheckpoint = std::chrono::steady_clock::now();
    std::unique_lock lock(m_mutex);
    for (;;) {
        m_wake.wait(lock, [this] { return m_stopping || m_requested > m_synced; });
        if (m_requested == m_synced && m_stopping)
            break;
        const quint64 target = m_requested;
        lock.unlock();
        const int rc = m_wal->pMethods->xSync(m_wal, SQLITE_SYNC_NORMAL);
        const auto now = std::chrono::steady_clock::now();
        if (rc == SQLITE_OK && now - lastCheckpoint >= kCheckpointEvery) {
            lastCheckpoint = now;
            sqlite3_wal_checkpoint_v2(m_checkpointer, "main", SQLITE_CHECKPOINT_PASSIVE, nullptr, nullptr);
        }
        lock.lock();
        if (rc != SQLITE_OK && m_error.isEmpty())
            m_error = QStringLiteral("the disk did not take the write-ahead log (%1)")
                          .arg(QString::fromUtf8(sqlite3_errstr(rc)));
        m_synced = target;
        m_done.notify_all();
        QMetaObject::invokeMethod(
            m_receiver.get(), [this] { deliver(); }, Qt::QueuedConnection);
    }
}

void WalSync::deliver()
{
    quint64 synced = 0;
    {
        const std::lock_guard lock(m_mutex);
        synced = m_synced;
        if (!m_error.isEmpty())
            m_failed = std::exchange(m_error, {});
    }
    while (!m_waiting.empty() && m_waiting.front().first <= synced) {
        Done done = std::move(m_waiting.front().second);
        m_waiting.pop_front();
        done(m_failed);
    }
}

void WalSync::waitAll()
{
    {
        std::unique_lock lock(m_mutex);
        m_done.wait(lock, [this] { return m_synced >= m_requested || !m_thread.joinable(); });
    }
    deliver();
}

QString WalSync::syncNow()
{
    // A failed sync taints every later one (the kernel may have dropped the pages it could
    // not write) until one made on purpose, after a probe write, goes through.
    waitAll();
    m_failed.clear();
    committed();
    QString failure;
    whenSynced([&failure](const QString &error) { failure = error; });
    waitAll();
    return failure;
}

void WalSync::stop()
{
    if (!m_thread.joinable())
        return;
    {
        const std::lock_guard lock(m_mutex);
        m_stopping = true;
    }
    m_wake.notify_one();
    m_thread.join();
    deliver();
    // The last checkpoint, synced: the writer may close without one of its own.
    sqlite3_wal_checkpoint_v2(m_checkpointer, "main", SQLITE_CHECKPOINT_PASSIVE, nullptr, nullptr);
    sqlite3_close_v2(m_checkpointer);
    m_checkpointer = nullptr;
    m_receiver.reset();
}

} // namespace qd
