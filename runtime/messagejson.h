#pragma once

#include "message.h"
#include "queuestore.h"

#include <QJsonObject>
#include <QJsonValue>

namespace qd {

class Broker;

// A message body as JSON: the value itself for json, a string for text, base64 for bytes.
QJsonValue messageBodyJson(const Message &m);
// The state a person sees: ready, delayed, inflight, acked, failed.
QString messageStateName(const Message &m, qint64 nowMs);
QJsonObject messageJson(const Message &m, const Broker &broker, bool withBody = true);
QJsonObject attemptJson(const AttemptRecord &a);
QJsonObject batchJson(const BatchRecord &b, const Broker &broker);

} // namespace qd
