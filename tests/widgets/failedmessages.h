#pragma once

// What the tests of the Messages and Failed pages share: failed messages written straight
// into a real runtime's store, and the clicks and lookups they drive the pages with.

#include "messagetablemodel.h"
#include "messagetableview.h"
#include "runtimefixture.h"

#include <QTest>

#include <functional>

namespace qdtest {

// n failed messages in queue `queue` (made here, with no consumer, so retried ones wait),
// written straight into the store on the runtime thread, each pointing at `urlPrefix` + its
// number + ".png". Returns their ids, oldest first.
inline QStringList makeFailedMessages(RuntimeFixture &fx, const QString &queue, int n,
    const std::function<QString(int)> &error, const QByteArray &urlPrefix)
{
    using namespace qd;
    return fx.onBroker([&](Broker &b) {
        if (!b.queue(queue))
            b.createQueue(queue);
        const qint64 queueId = b.queue(queue)->id;
        const qint64 now = b.clock()->nowMs();
        std::vector<Message> messages;
        for (int i = 0; i < n; ++i) {
            Message m;
            m.id = newMessageId();
            m.queueId = queueId;
            m.body = "{\"imageUrl\":\"" + urlPrefix + QByteArray::number(i) + ".png\",\"userId\":\"user"
                + QByteArray::number(i % 5) + "\"}";
            m.timestampMs = m.visibleAtMs = now - n + i;
            messages.push_back(std::move(m));
        }
        b.store()->insertMessages(messages);
        std::vector<MessageUpdate> failed;
        QStringList ids;
        for (int i = 0; i < n; ++i) {
            failed.push_back(MessageUpdate {
                messages[std::size_t(i)].seq, MessageState::Failed, queueId, now, 4, 0, error(i) });
            ids.append(messages[std::size_t(i)].id);
        }
        b.store()->updateMessages(failed, now);
        QString commitError;
        b.store()->commit(&commitError);
        return ids;
    });
}

inline qd::MessageState stateOf(RuntimeFixture &fx, const QString &id)
{
    return fx.onBroker(
        [&](qd::Broker &b) { return b.store()->messageById(id).value_or(qd::Message {}).state; });
}

inline void clickRow(qd::MessageTableView *view, int row, Qt::KeyboardModifiers modifiers = {})
{
    const QRect rect = view->visualRect(view->model()->index(row, qd::MessageTableModel::State));
    QTest::mouseClick(view->viewport(), Qt::LeftButton, modifiers, rect.center());
}

template <typename T> T *child(QWidget *page, const char *name)
{
    T *w = page->findChild<T *>(QLatin1String(name));
    if (!w)
        qWarning("no child %s", name);
    return w;
}

inline bool loaded(const qd::MessageTableModel *model, int first, int last)
{
    for (int row = first; row <= last; ++row) {
        if (!model->isLoaded(row))
            return false;
    }
    return true;
}

} // namespace qdtest
