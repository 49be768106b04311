#include "readerpool.h"

#include <QThread>

#ifdef Q_OS_LINUX
#include <sys/resource.h>
#endif

namespace qd {

ReaderPool::ReaderPool(QString storeSpec, int readers, QObject *parent)
    : QObject(parent)
    , m_spec(std::move(storeSpec))
{
    for (int i = 0; i < std::max(readers, 1); ++i) {
        std::unique_ptr<QThread> thread(QThread::create([this] { serve(); }));
        thread->setObjectName(QStringLiteral("queuedeck-api-reader"));
        thread->start();
        m_threads.push_back(std::move(thread));
    }
}

ReaderPool::~ReaderPool()
{
    {
        const std::lock_guard lock(m_mutex);
        m_stopping = true;
        m_reads.clear();
    }
    m_wake.notify_all();
    for (const auto &thread : m_threads)
        thread->wait();
}

void ReaderPool::run(Read read)
{
    {
        const std::lock_guard lock(m_mutex);
        m_reads.push_back(std::move(read));
    }
    m_wake.notify_one();
}

void ReaderPool::serve()
{
#ifdef Q_OS_LINUX
    // On Linux this lowers this thread alone: when the cores are busy, the thread that
    // accepts and commits sends comes first and a long search waits.
    setpriority(PRIO_PROCESS, 0, 5);
#endif
    // Opened and closed on this thread: a PostgreSQL connection belongs to the thread that
    // made it.
    std::unique_ptr<QueueStore> store;
    QString openError;
    for (;;) {
        Read read;
        {
            std::unique_lock lock(m_mutex);
            m_wake.wait(lock, [this] { return m_stopping || !m_reads.empty(); });
            if (m_stopping)
                break;
            read = std::move(m_reads.front());
            m_reads.pop_front();
        }
        if (!store) {
            store = makeStore(m_spec);
            if (!store->openReader(&openError)) {
                qWarning("QueueDeck: an API reader cannot open the store: %s", qPrintable(openError));
                store.reset();
            }
        }
        if (store)
            store->beginRead();
        Answer answer = read(store.get(), openError);
        if (store)
            store->endRead();
        // A connection that was lost is opened again for the next read.
        if (store && !store->available())
            store.reset();
        if (answer)
            QMetaObject::invokeMethod(this, std::move(answer), Qt::QueuedConnection);
    }
    store.reset();
}

} // namespace qd
