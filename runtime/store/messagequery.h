#pragma once

#include "clock.h"
#include "failuregroups.h"
#include "queuestore.h"

#include <QHash>
#include <QList>
#include <QMetaType>
#include <QObject>
#include <QThread>

#include <memory>
#include <mutex>
#include <optional>
#include <unordered_map>

namespace qd {

class SqliteStore;

struct QueueRef {
    qint64 id = 0;
    QString name;
    QString deadLetterQueue;
    bool operator==(const QueueRef &) const = default;
};

// One row of a message table: what its columns show, without the body.
struct MessageRow {
    qint64 seq = 0;
    QString id;
    qint64 queueId = 0;
    QString queue;
    StateFilter state = StateFilter::Any;
    QString sourceQueue; // set for a dead-lettered message: where it failed
    int attempts = 0;
    QString userId; // from a JSON body's userId / imageUrl, when it has them
    QString url;
    qint64 timestampMs = 0;
    qint64 updatedMs = 0;
    qint64 visibleAtMs = 0;
    QString lastError;
    ContentType contentType = ContentType::Json;
    qint64 bytes = 0;
    bool operator==(const MessageRow &) const = default;
};

// A window of rows in a filter's order, read in one snapshot. With anchors (the seqs of rows
// a view showed, from anchorRow on), it also says where the first one still matching sits
// now, so the view can tell rows that came and went before it from rows that changed.
struct WindowRequest {
    MessageFilter filter;
    qint64 offset = 0;
    int limit = 200;
    bool withCount = false;
    QList<qint64> anchors;
    qint64 anchorRow = 0;
};

struct WindowResult {
    qint64 count = -1; // -1 when not asked for
    // The rows came first and the count follows in a second result for the same ticket;
    // until then `count` only says how many rows there are at least.
    bool partial = false;
    qint64 offset = 0; // of rows[0]
    QList<MessageRow> rows;
    int anchorIndex = -1; // which anchor was found, -1 for none
    qint64 anchorNowAt = -1;
    qint64 elapsedMs = 0;
};

struct AttemptView {
    AttemptRecord attempt;
    std::optional<BatchRecord> batch;
    QList<AttemptRecord> batchMembers; // every message of that batch, with its outcome
};

struct MessageDetail {
    bool found = false;
    Message message;
    QString queue;
    QString sourceQueue;
    StateFilter state = StateFilter::Any;
    QList<AttemptView> attempts; // newest first
    std::optional<ImageResult> result;
    QList<AuditEntry> history; // operator actions that named it, newest first
};

// Reads the store for views, off the GUI thread: its own read-only connection on its own
// thread (WAL lets it read while the runtime writes), so neither the GUI nor the broker
// waits for a query. Requests are queued in order; answers come back as signals carrying
// values and the caller's ticket, emitted on the MessageQuery's own thread. A client's
// requests older than its current generation are dropped unread, so typing a filter does
// not queue up stale scans.
class MessageQuery final : public QObject {
    Q_OBJECT
public:
    explicit MessageQuery(const QString &storePath, const Clock *clock = nullptr, QObject *parent = nullptr);
    ~MessageQuery() override;

    int newClient();
    void setGeneration(int client, quint64 generation);

    void requestWindow(int client, quint64 generation, quint64 ticket, const WindowRequest &request);
    void requestCount(quint64 ticket, const MessageFilter &filter);
    // The seqs and ids of rows [first, last] of each range, in the filter's order.
    void requestRows(
        quint64 ticket, const MessageFilter &filter, const QList<std::pair<qint64, qint64>> &ranges);
    void requestDetail(quint64 ticket, const QString &id);
    // Over failed and dead-lettered messages; of the filter, only queue, state, time range,
    // error and free text (matched in errors and ids) apply.
    void requestFailureGroups(int client, quint64 generation, quint64 ticket, const MessageFilter &filter);
    // Writes JSON Lines, one message with its body a line: `seqs` when given, else the filter.
    void requestExport(
        quint64 ticket, const MessageFilter &filter, const QList<qint64> &seqs, const QString &path);
    void reloadQueues();

    // The queues as last read; GUI thread.
    QList<QueueRef> queues() const { return m_queues; }
    std::optional<qint64> queueId(const QString &name) const;
    QString openError() const;

signals:
    void windowReady(quint64 ticket, const qd::WindowResult &result);
    void countReady(quint64 ticket, qint64 count);
    void rowsReady(quint64 ticket, const QList<qint64> &seqs, const QStringList &ids);
    void detailReady(quint64 ticket, const qd::MessageDetail &detail);
    void failureGroupsReady(quint64 ticket, const QList<qd::FailureGroup> &groups);
    void exportFinished(quint64 ticket, qint64 written, const QString &error);
    void queuesChanged();

private:
    // Runs `work` on the reader thread unless the client moved past `generation` meanwhile.
    void post(int client, quint64 generation, std::function<void()> work);
    bool current(int client, quint64 generation) const;
    void deliver(std::function<void()> answer);
    // Reader thread only.
    qint64 nowMs() const;
    void refreshQueues();
    MessageRow rowOf(const Message &m, qint64 now) const;
    QString queueName(qint64 id) const;

    QThread m_thread;
    QObject *m_context = nullptr; // lives on m_thread
    const Clock *m_clock;
    SystemClock m_systemClock;
    std::unique_ptr<QueueStore> m_store; // reader thread only
    QString m_openError;
    mutable std::mutex m_mutex; // guards m_generations and m_openError
    std::unordered_map<int, quint64> m_generations;
    int m_nextClient = 1;
    QHash<qint64, QueueRef> m_readerQueues; // reader thread only
    QList<QueueRef> m_queues; // GUI thread copy
    QHash<QString, QString> m_signatures; // reader thread: error text -> signature
};

} // namespace qd

Q_DECLARE_METATYPE(qd::WindowResult)
Q_DECLARE_METATYPE(qd::MessageDetail)
Q_DECLARE_METATYPE(qd::FailureGroup)
Q_DECLARE_METATYPE(qd::QueueRef)
