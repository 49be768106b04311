#pragma once

#include "message.h"
#include "queuestore.h"

#include <QJsonObject>
#include <QJsonValue>

namespace qd {

class Broker;

QJsonObject messageJson(const Message &m, const Broker &broker, bool withBody = true);
QJsonObject attemptJson(const AttemptRecord &a);
QJsonObject batchJson(const BatchRecord &b, const Broker &broker);

} // namespace qd
