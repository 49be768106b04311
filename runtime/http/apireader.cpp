#include "apireader.h"

#include "broker.h"
#include "readerpool.h"

#include <QPointer>

namespace qd {

std::optional<QueueRecord> ReadContext::queueById(qint64 id) const
{
    for (const QueueRecord &q : queues) {
        if (q.id == id)
            return q;
    }
    return std::nullopt;
}

ApiReader::ApiReader(Broker *broker, QObject *parent)
    : QObject(parent)
    , m_broker(broker)
{
    if (const QString spec = broker->store()->spec(); !spec.isEmpty())
        m_pool = new ReaderPool(spec, kReaders, this);
}

ReadContext ApiReader::context() const
{
    return ReadContext { m_broker->clock()->nowMs(), m_broker->queues() };
}

void ApiReader::answer(const HttpResponder &responder, Read read)
{
    if (!m_pool) {
        responder.respond(read(*m_broker->store(), context()));
        return;
    }
    // After the commit of what is written so far: a reader's connection sees only what is
    // committed, and a client that was told a change is done must see it in its next read.
    // A failed commit does not stop the read: it shows what the store holds.
    m_broker->whenDurable(
        [self = QPointer<ApiReader>(this), responder, read = std::move(read)](const Error &) {
            if (!self || !responder.isConnected())
                return;
            self->m_pool->run([self, responder, read, context = self->context()](
                                  QueueStore *store, const QString &) -> ReaderPool::Answer {
                if (!store) {
                    // No reader could open the store: read on the runtime thread, as a last resort.
                    return [self, responder, read] {
                        if (self)
                            responder.respond(read(*self->m_broker->store(), self->context()));
                    };
                }
                HttpResponse response = read(*store, context);
                return [responder, response = std::move(response)] { responder.respond(response); };
            });
        });
}

} // namespace qd
