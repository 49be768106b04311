#pragma once

#include <QByteArray>
#include <QHash>
#include <QHostAddress>
#include <QList>
#include <QObject>
#include <QPointer>
#include <QSet>
#include <QUrlQuery>

#include <functional>
#include <optional>

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
    QHostAddress local; // the address the connection arrived on
    quint16 localPort = 0;
    bool http10 = false;

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
    // A client that sends requests but does not read the answers: past this many unsent
    // bytes its connection is not read (so TCP stops it sending) until they drain.
    qint64 maxUnsentBytes = qint64(1024) * 1024;
    // Bodies being received at once, counted by their Content-Length over all connections;
    // a request past it is answered 503. Never less than maxBodyBytes, so the largest fits.
    qint64 maxBodyBytesInFlight = 256LL * 1024 * 1024;
    int maxConnections = 1024;
    int maxConnectionsPerAddress = 256;
    // Of a refused request's body, what is read and dropped so the client sees the answer
    // rather than a reset; past it the connection is closed.
    qint64 maxDiscardBytes = qint64(1024) * 1024;
};

// A small HTTP/1.1 server over QTcpServer: keep-alive, pipelined requests answered in
// order, bodies by Content-Length, answers that may come later (after a commit), a
// deadline for slow clients. Everything that refuses a request (the head check, the body
// limit, the server's budget for bodies) decides from the head, before any body byte is
// read; and no client can make it hold more than a bounded amount for it (see HttpLimits).
class HttpServer final : public QObject {
    Q_OBJECT
public:
    using Handler = std::function<void(const HttpRequest &, const HttpResponder &)>;
    // Decides the body limit of a request from its headers; over it the answer is 413.
    using BodyLimit = std::function<qint64(const HttpRequest &)>;
    // Looks at a request's head (its body empty, not yet read) and may refuse it: the
    // answer is sent and the connection closed.
    using HeadCheck = std::function<std::optional<HttpResponse>(const HttpRequest &)>;

    explicit HttpServer(QObject *parent = nullptr);
    ~HttpServer() override;

    void setHandler(Handler handler) { m_handler = std::move(handler); }
    void setBodyLimit(BodyLimit limit) { m_bodyLimit = std::move(limit); }
    void setHeadCheck(HeadCheck check) { m_headCheck = std::move(check); }
    void setLimits(const HttpLimits &limits) { m_limits = limits; }
    const HttpLimits &limits() const { return m_limits; }

    bool listen(const QHostAddress &address, quint16 port, QString *error);
    quint16 port() const;
    void close();

    int connectionCount() const { return int(m_connections.size()); }
    // What the server holds for its clients: requests read and not yet handed on, and
    // answers not yet sent (in Qt's buffers and its own).
    qint64 bufferedBytes() const;
    // Connections not read from for now, because their client does not read its answers.
    int stalledConnections() const;
    // Connections with a request under way: being received, handled or answered.
    int busyConnections() const;

private:
    friend class HttpConnection;
    void onNewConnection();
    void removeConnection(HttpConnection *connection, const QHostAddress &peer);
    bool reserveBody(qint64 bytes);
    void releaseBody(qint64 bytes);

    QTcpServer *m_server;
    Handler m_handler;
    BodyLimit m_bodyLimit;
    HeadCheck m_headCheck;
    HttpLimits m_limits;
    QSet<HttpConnection *> m_connections; // owned as children
    QHash<QHostAddress, int> m_connectionsPerAddress;
    qint64 m_bodyBytesInFlight = 0;
};

QByteArray httpStatusText(int status);

struct RequestHead {
    HttpRequest request;
    qint64 bodyLength = 0;
    bool keepAlive = true;
    int errorStatus = 400;
};
// Parses a request line and headers (without the blank line), strictly by RFC 9112: lines
// end in CRLF, no folding, no space before a header's colon, Content-Length all digits.
// Returns an error text, with the status to answer in head->errorStatus, or an empty text
// when the head is good.
QByteArray parseRequestHead(const QByteArray &text, RequestHead *head);

} // namespace qd
