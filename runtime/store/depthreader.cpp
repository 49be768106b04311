#include "depthreader.h"

#include "queuestore.h"

#include <QElapsedTimer>

namespace qd {

DepthReader::DepthReader(QString storePath, QObject *parent)
    : QObject(parent)
    , m_path(std::move(storePath))
    , m_context(new QObject)
{
    qRegisterMetaType<QHash<qint64, QueueDepth>>();
    m_thread.setObjectName(QStringLiteral("queuedeck-depth"));
    m_context->moveToThread(&m_thread);
    m_thread.start(QThread::LowPriority);
}

DepthReader::~DepthReader()
{
    QMetaObject::invokeMethod(
        m_context,
        [this] {
            m_store.reset();
            delete m_context;
        },
        Qt::BlockingQueuedConnection);
    m_thread.quit();
    m_thread.wait();
}

void DepthReader::read(const QList<qint64> &queueIds, qint64 nowMs)
{
    m_busy.store(true);
    QMetaObject::invokeMethod(
        m_context,
        [this, queueIds, nowMs] {
            QElapsedTimer timer;
            timer.start();
            if (!m_store && !m_openFailed) {
                m_store = makeStore(m_path);
                QString error;
                // A read-only connection, like the API's and the views' readers: it neither
                // migrates nor writes, and on SQLite starts no sync thread of its own.
                if (!m_store->openReader(&error)) {
                    qWarning("QueueDeck: the depth reader cannot open the store: %s", qPrintable(error));
                    m_store.reset();
                    m_openFailed = true;
                }
            }
            QHash<qint64, QueueDepth> depth;
            if (m_store) {
                for (qint64 id : queueIds)
                    depth.insert(id, m_store->depth(id, nowMs));
            }
            m_busy.store(false);
            emit depthRead(depth, timer.elapsed(), m_store != nullptr);
        },
        Qt::QueuedConnection);
}

} // namespace qd
