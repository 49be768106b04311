#pragma once

#include "httpserver.h"
#include "queuestore.h"

#include <QObject>
#include <QStringList>

namespace qd {

class ApiReader;
class Broker;

// QueueDeck's own calls under /api/ for what Cloudflare's API has no call for: browse and
// search messages, one message with its attempts, recent batches, failure groups, and
// retry / redrive / delete. The same broker functions serve these and the window. Reads run
// on the ApiReader's connections; the runtime thread only checks their parameters.
class OwnApi final : public QObject {
    Q_OBJECT
public:
    OwnApi(Broker *broker, ApiReader *reader, QObject *parent = nullptr);

    // `segments`: the decoded path segments after /api/.
    void handle(const HttpRequest &request, const HttpResponder &responder, const QStringList &segments);

private:
    void listMessages(const HttpRequest &request, const HttpResponder &responder);
    void getMessage(const QString &id, const HttpResponder &responder);
    void listBatches(const HttpRequest &request, const HttpResponder &responder);
    void getBatch(const QString &id, const HttpResponder &responder);
    void failureGroups(const HttpRequest &request, const HttpResponder &responder);
    void audit(const HttpResponder &responder);
    void retry(const HttpRequest &request, const HttpResponder &responder);
    void redrive(const HttpRequest &request, const HttpResponder &responder);
    void remove(const QStringList &ids, const HttpResponder &responder);
    bool filterFrom(const QJsonObject &params, MessageFilter *filter, QString *error) const;

    Broker *m_broker;
    ApiReader *m_reader;
};

} // namespace qd
