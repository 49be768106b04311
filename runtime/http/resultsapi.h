#pragma once

#include "httpserver.h"
#include "queuestore.h"

#include <QJsonObject>

namespace qd {

class ApiReader;

// The image consumer's results as JSON; `baseUrl` makes the thumbnail's address.
QJsonObject resultToJson(
    const ImageResult &result, const QString &queueName, const QString &baseUrl, bool withThumbnail);

// GET /api/results?user=&q=&offset=&limit=, GET /api/results/{message_id} and
// GET /api/results/{message_id}/thumbnail.png. `segments` follow "api", "results". The
// store is read through `reader`, off the runtime thread.
void serveResults(ApiReader *reader, const QString &baseUrl, const HttpRequest &request,
    const HttpResponder &responder, const QStringList &segments);

} // namespace qd
