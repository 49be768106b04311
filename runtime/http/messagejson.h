#pragma once

#include "apireader.h"
#include "message.h"
#include "queuestore.h"

#include <QJsonObject>
#include <QJsonValue>

namespace qd {

QJsonObject messageJson(const Message &m, const ReadContext &context, bool withBody = true);
QJsonObject attemptJson(const AttemptRecord &a);
QJsonObject batchJson(const BatchRecord &b, const ReadContext &context);

} // namespace qd
