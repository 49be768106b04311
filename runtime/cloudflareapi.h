#pragma once

#include "httpserver.h"

#include <QStringList>

namespace qd {

class Broker;

// The Cloudflare Queues REST API under /client/v4/accounts/{account_id}/, with
// Cloudflare's envelope, statuses and error codes, so Cloudflare's own clients work.
class CloudflareApi final
{
public:
    explicit CloudflareApi(Broker *broker);

    // `segments`: the percent-decoded path segments after /client/v4/accounts/{account_id}/.
    void handle(const HttpRequest &request, const HttpResponder &responder, const QStringList &segments);

private:
    Broker *m_broker;
};

} // namespace qd
