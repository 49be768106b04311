#include "commitsync.h"

#include <QMetaObject>

#include <pthread.h>

namespace qd {

CommitSync::~CommitSync()
{
    stop();
}

void CommitSync::startThread()
{
    m_receiver = std::make_unique<QObject>();
    m_thread = std::thread([this] { run(); });
}

void CommitSync::committed()
{
    {
        const std::lock_guard lock(m_mutex);
        ++m_requested;
    }
    m_wake.notify_one();
}

void CommitSync::whenSynced(Done done)
{
    quint64 generation = 0;
    {
        const std::lock_guard lock(m_mutex);
        generation = m_requested;
    }
    m_waiting.emplace_back(generation, std::move(done));
    deliver();
}

void CommitSync::run()
{
    // Named like the runtime's other threads, so that top, perf and bench/scale.sh tell its
    // CPU time apart from the runtime thread's (at most 15 characters).
    pthread_setname_np(pthread_self(), "queuedeck-sync");
    std::unique_lock lock(m_mutex);
    for (;;) {
        m_wake.wait(lock, [this] { return m_stopping || m_requested > m_synced; });
        if (m_requested == m_synced && m_stopping)
            break;
        const quint64 target = m_requested;
        lock.unlock();
        const QString error = syncOnce();
        lock.lock();
        if (!error.isEmpty() && m_error.isEmpty())
            m_error = error;
        m_synced = target;
        m_done.notify_all();
        QMetaObject::invokeMethod(
            m_receiver.get(), [this] { deliver(); }, Qt::QueuedConnection);
    }
    lock.unlock();
    threadEnding();
}

void CommitSync::deliver()
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
        if (!m_failed.isEmpty() && m_down)
            *m_down = true;
        done(m_failed);
    }
}

void CommitSync::waitAll()
{
    {
        std::unique_lock lock(m_mutex);
        m_done.wait(lock, [this] { return m_synced >= m_requested || !m_thread.joinable(); });
    }
    deliver();
}

QString CommitSync::syncNow()
{
    // A failed sync taints every later one (SQLite: the kernel may have dropped the pages it
    // could not write) until one made on purpose, after a probe write, goes through.
    waitAll();
    m_failed.clear();
    committed();
    QString failure;
    whenSynced([&failure](const QString &error) { failure = error; });
    waitAll();
    return failure;
}

void CommitSync::stop()
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
    m_receiver.reset();
}

} // namespace qd
