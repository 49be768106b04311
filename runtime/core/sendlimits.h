#pragma once

#include "error.h"
#include "message.h"

#include <QString>

#include <functional>
#include <optional>
#include <vector>

namespace qd {

// How a caller names the message at `index` of a send in an error ("message 3" by default;
// the Cloudflare API says "messages[3].body").
using SendMessageName = std::function<QString(std::size_t index)>;

// Whether a send keeps the limits of docs/semantics.md ("Messages"): at least one and at most
// kMaxBatchMessages messages, each body at most kMaxMessageBytes, all bodies together at most
// kMaxBatchBytes, every delay within 0..kMaxDelaySeconds. The one check of them: every way a
// message comes in (POST /, the own /api, uploads, the Cloudflare API) ends in Broker::send,
// which makes it; the Cloudflare API makes it first to answer in its own codes. The code says
// which limit: TooMany, TooLarge (one message), BatchTooLarge, Invalid (empty, a delay).
Error checkSend(const std::vector<SendItem> &items, std::optional<int> batchDelaySeconds,
    const SendMessageName &messageName = {});

// Whether a delay keeps 0..kMaxDelaySeconds; Invalid, naming the field as `field`, when not.
// The one check of a delay's bounds: sends (above), operator retries and acks' retries in the
// broker, and the Cloudflare API's reader, which answers it in its own codes.
Error checkDelay(qint64 seconds, const QString &field = QStringLiteral("delay_seconds"));

} // namespace qd
