#pragma once

#include <QByteArray>
#include <QJsonValue>
#include <QString>
#include <QtGlobal>

#include <optional>
#include <vector>

namespace qd {

enum class ContentType { Json, Text, Bytes, V8 };

QString contentTypeName(ContentType type);
bool contentTypeFromName(const QString &name, ContentType *type);

// Stored states. "ready" and "delayed" are both Pending; which one depends on visibleAtMs.
enum class MessageState { Pending = 0, InFlight = 1, Acked = 2, Failed = 3 };

// The states a person sees and filters by. Their names (message.cpp) are the API's, the
// display's and the search syntax's.
enum class StateFilter { Any, Ready, Delayed, InFlight, Acked, Failed };
QString stateFilterName(StateFilter f);
bool stateFilterFromName(const QString &name, StateFilter *f);

// What became of one delivery attempt. Its name (message.cpp) is what the stores keep, the
// API answers and the views show; "dead_lettered" also names the messages waiting in a
// dead-letter queue, in filters.
enum class AttemptOutcome { Acked, Retried, DeadLettered, Failed, LeaseExpired, Interrupted };
QString attemptOutcomeName(AttemptOutcome outcome);
bool attemptOutcomeFromName(const QString &name, AttemptOutcome *outcome);

struct Message {
    qint64 seq = 0; // store row number; 0 before it is stored
    QString id; // 32 lowercase hex
    qint64 queueId = 0;
    QByteArray body;
    ContentType contentType = ContentType::Json;
    qint64 timestampMs = 0; // when it was sent; kept through DLQ moves and retries
    qint64 visibleAtMs = 0;
    int attempts = 0; // deliveries so far in this queue
    MessageState state = MessageState::Pending;
    QString leaseId;
    qint64 leaseExpiresMs = 0;
    qint64 batchId = 0; // the batch it is in flight in, or rode in last
    qint64 sourceQueueId = 0; // for dead-lettered messages: where they failed
    QString lastError;
    qint64 updatedMs = 0;
};

// What a producer hands over for one message.
struct SendItem {
    QByteArray body;
    ContentType contentType = ContentType::Json;
    std::optional<int> delaySeconds;
};

// Limits from docs/semantics.md ("Messages").
inline constexpr qsizetype kMaxMessageBytes = 128'000;
inline constexpr int kMaxBatchMessages = 100;
inline constexpr qsizetype kMaxBatchBytes = 256'000;
inline constexpr int kMaxDelaySeconds = 86'400;

QString newMessageId();

// A message body as JSON: the value itself for json, a string for text, base64 for bytes.
QJsonValue messageBodyJson(const Message &m);
// The state a person sees (ready, delayed, inflight, acked, failed) and its name.
StateFilter visibleState(const Message &m, qint64 nowMs);
QString messageStateName(const Message &m, qint64 nowMs);

// What an image job's JSON body names: its "userId" and "imageUrl" strings; empty for other
// bodies and for fields that are not strings.
struct ImageJobFields {
    QString userId;
    QString imageUrl;
};
ImageJobFields imageJobFields(const Message &m);

} // namespace qd
