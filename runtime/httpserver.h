#pragma once

#include <QByteArray>
#include <QHostAddress>
#include <QList>
#include <QObject>
#include <QPointer>
#include <QUrlQuery>

#include <functional>

class QTcpServer;

namespace qd {

class HttpConnection;

struct HttpRequest {
    QByteArray method;
    QByteArray target; // as sent: path and query, percent-encoded
    QByteArray path; // percent-encoded path, without the query
    QUrlQuery query;
    QList<std::pair<QByteArray, QByteArray>> headers; // names lower-cased
    QByteArray body;
    QHostAddress peer;

    QByteArray header(const QByteArray &lowerName) const;
};

struct HttpResponse {
    int status = 200;
    QList<std::pair<QByteArray, QByteArray>> headers;
    QByteArray body;

    static HttpResponse json(int status, const QByteArray &body);
};

// Answers one request, now or later, on the server's thread. Copies share the request;
// only the first respond() counts; a responder whose connection closed does nothing.
class HttpResponder {
public:
    HttpResponder() = default;
    HttpResponder(HttpConnection *connection, quint64 serial);
    void respond(const HttpResponse &response) const;
    bool isConnected() const;

private:
    QPointer<HttpConnection> m_connection;
    quint64 m_serial = 0;
};

struct HttpLimits {
    int maxHeaderBytes = 16 * 1024;
    qint64 maxBodyBytes = 32LL * 1024 * 1024;
    int requestTimeoutMs = 10'000; // a request must arrive whole within this
    int idleTimeoutMs = 60'000; // keep-alive connections with nothing to do
};

// A small HTTP/1.1 server over QTcpServer: keep-alive, pipelined requests answered in
// order, bodies by Content-Length, answers that may come later (after a commit), a
// body limit checked as soon as the headers are read, and a deadline for slow clients.
class HttpServer final : public QObject {
    Q_OBJECT
public:
    using Handler = std::function<void(const HttpRequest &, const HttpResponder &)>;
    // Decides the body limit of a request from its headers; over it the answer is 413.
    using BodyLimit = std::function<qint64(const HttpRequest &)>;

    explicit HttpServer(QObject *parent = nullptr);
    ~HttpServer() override;

    void setHandler(Handler handler) { m_handler = std::move(handler); }
    void setBodyLimit(BodyLimit limit) { m_bodyLimit = std::move(limit); }
    void setLimits(const HttpLimits &limits) { m_limits = limits; }
    const HttpLimits &limits() const { return m_limits; }

    bool listen(const QHostAddress &address, quint16 port, QString *error);
    quint16 port() const;
    void close();

private:
    friend class HttpConnection;
    void onNewConnection();

    QTcpServer *m_server;
    Handler m_handler;
    BodyLimit m_bodyLimit;
    HttpLimits m_limits;
};

QByteArray httpStatusText(int status);

struct RequestHead {
    HttpRequest request;
    qint64 bodyLength = 0;
    bool keepAlive = true;
    int errorStatus = 400;
};
// Parses a request line and headers (without the blank line). Returns an error text, with
// the status to answer in head->errorStatus, or an empty text when the head is good.
QByteArray parseRequestHead(const QByteArray &text, RequestHead *head);

} // namespace qd
