#include "pgsync.h"

#include "pgstore.h"

namespace qd {

PgSync::PgSync(QString spec)
    : m_spec(std::move(spec))
{
}

PgSync::~PgSync()
{
    stop();
}

QString PgSync::start()
{
    startThread();
    return syncNow();
}

QString PgSync::syncOnce()
{
    QString error;
    if (!m_flusher) {
        m_flusher = std::make_unique<PgStore>(m_spec);
        if (!m_flusher->openFlusher(&error)) {
            m_flusher.reset();
            return error;
        }
    }
    error = m_flusher->flushCommitted();
    if (!error.isEmpty())
        m_flusher.reset(); // the next sync connects again
    return error;
}

void PgSync::threadEnding()
{
    m_flusher.reset();
}

} // namespace qd
