#pragma once

#include "accesspolicy.h"
#include "apireader.h"
#include "cloudflareapi.h"
#include "httpserver.h"
#include "latencyhistogram.h"
#include "ownapi.h"

#include <QObject>

namespace qd {

class Broker;
class UploadsApi;

// Routes HTTP requests to the broker: the seed producer (POST /), health, and (in their
// own files) the Cloudflare-compatible API and QueueDeck's own API.
class HttpApi final : public QObject {
    Q_OBJECT
public:
    HttpApi(Broker *broker, QString defaultQueue, const QString &token, QObject *parent = nullptr);

    bool listen(const QHostAddress &address, quint16 port, QString *error);
    quint16 port() const { return m_server.port(); }
    QString baseUrl() const { return m_baseUrl; }
    HttpServer &server() { return m_server; }
    // Serves /uploads, /blobs/ and /api/results once set; a child of this object.
    void setUploads(UploadsApi *uploads) { m_uploads = uploads; }

    // Serves /api/<segment>/... with `handler` (given the segments after it): the API of a
    // layer above this one, such as /api/workers.
    using ApiExtension = std::function<void(const HttpRequest &, const HttpResponder &, const QStringList &)>;
    void addApi(const QString &segment, ApiExtension handler) { m_extensions[segment] = std::move(handler); }

    // Runs the read-only calls off this thread; the results API reads through it too.
    ApiReader &reader() { return m_reader; }

    // Who may call: the token given at construction, and the names and origins allowed.
    AccessPolicy &access() { return m_access; }

    // Answers one parsed request: the server calls these, and so does the request fuzzer.
    void handle(const HttpRequest &request, const HttpResponder &responder);
    qint64 bodyLimit(const HttpRequest &request) const;
    // Refuses a request from its head (before its body is read): one the access policy
    // refuses, or one no endpoint serves.
    std::optional<HttpResponse> checkHead(const HttpRequest &head) const;

private:
    void produce(const HttpRequest &request, const HttpResponder &responder);
    bool isServed(const QByteArray &path) const;

    Broker *m_broker;
    ApiReader m_reader; // before the APIs that read through it
    CloudflareApi m_cloudflare;
    OwnApi m_own;
    LatencyHistograms m_latencies; // for /metrics
    HttpServer m_server;
    QString m_defaultQueue;
    AccessPolicy m_access;
    UploadsApi *m_uploads = nullptr;
    QHash<QString, ApiExtension> m_extensions;
    QString m_baseUrl;
};

QByteArray jsonError(const QString &message);
// Splits a percent-encoded path into decoded segments: "/a/my%2F%20q" → ["a", "my/ q"].
QStringList splitPath(const QByteArray &path);

} // namespace qd
