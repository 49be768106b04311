#include "cloudflareapi.h"

#include "broker.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

namespace qd {

CloudflareApi::CloudflareApi(Broker *broker)
    : m_broker(broker)
{
}

void CloudflareApi::handle(const HttpRequest &request, const HttpResponder &responder, const QStringList &segments)
{
    Q_UNUSED(request);
    Q_UNUSED(segments);
    const QJsonObject envelope { { QStringLiteral("success"), false },
                                 { QStringLiteral("errors"),
                                   QJsonArray { QJsonObject { { QStringLiteral("code"), 7003 },
                                                              { QStringLiteral("message"), QStringLiteral("No route for that URI") } } } },
                                 { QStringLiteral("messages"), QJsonArray {} },
                                 { QStringLiteral("result"), QJsonValue::Null } };
    responder.respond(HttpResponse::json(404, QJsonDocument(envelope).toJson(QJsonDocument::Compact)));
}

} // namespace qd
