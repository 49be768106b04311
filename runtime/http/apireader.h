#pragma once

#include "httpserver.h"
#include "queuestore.h"

#include <QObject>

#include <functional>
#include <optional>
#include <vector>

namespace qd {

class Broker;
class ReaderPool;

// What a read needs of the runtime thread's state, copied when the read is handed on: the
// time by the broker's clock and the queues, whose names answers carry.
struct ReadContext {
    qint64 nowMs = 0;
    std::vector<QueueRecord> queues;

    std::optional<QueueRecord> queueById(qint64 id) const;
};

// Runs the API's read-only calls on reader connections of their own (a ReaderPool), and
// sends each answer when it is ready, so a long search or listing never holds up the
// runtime thread, which only parses, routes and writes. A read starts once everything
// written before it came is committed: it sees every change the API has answered.
class ApiReader final : public QObject {
    Q_OBJECT
public:
    // Runs on a reader thread: only the store and the context may be used there.
    using Read = std::function<HttpResponse(QueueStore &store, const ReadContext &context)>;

    explicit ApiReader(Broker *broker, QObject *parent = nullptr);

    void answer(const HttpResponder &responder, Read read);
    // Null when the store names nothing to open readers on; reads then run on this thread.
    ReaderPool *pool() const { return m_pool; }

    static constexpr int kReaders = 2;

private:
    ReadContext context() const;

    Broker *m_broker;
    ReaderPool *m_pool = nullptr; // a child
};

} // namespace qd
