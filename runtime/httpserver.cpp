#include "httpserver.h"

#include <algorithm>

#include <QTcpServer>
#include <QTcpSocket>
#include <QTimer>

namespace qd {

QByteArray HttpRequest::header(const QByteArray &lowerName) const
{
    for (const auto &[name, value] : headers) {
        if (name == lowerName)
            return value;
    }
    return {};
}

HttpResponse HttpResponse::json(int status, const QByteArray &body)
{
    HttpResponse r;
    r.status = status;
    r.headers.append({ QByteArrayLiteral("Content-Type"), QByteArrayLiteral("application/json") });
    r.body = body;
    return r;
}

QByteArray parseRequestHead(const QByteArray &text, RequestHead *head)
{
    head->errorStatus = 400;
    const QList<QByteArray> lines = text.split('\n');
    const QList<QByteArray> start = lines.value(0).trimmed().split(' ');
    if (start.size() != 3 || start[0].isEmpty() || !start[1].startsWith('/')
        || !start[2].startsWith("HTTP/1."))
        return "malformed request line";
    HttpRequest &r = head->request;
    r = {};
    r.method = start[0];
    r.target = start[1];
    const qsizetype q = r.target.indexOf('?');
    r.path = q < 0 ? r.target : r.target.left(q);
    if (q >= 0)
        r.query = QUrlQuery(QString::fromUtf8(r.target.mid(q + 1)));
    head->keepAlive = start[2] != "HTTP/1.0";
    head->bodyLength = 0;
    bool sawLength = false;
    for (qsizetype i = 1; i < lines.size(); ++i) {
        const QByteArray line = lines[i].trimmed();
        const qsizetype colon = line.indexOf(':');
        if (colon <= 0)
            continue;
        QByteArray name = line.left(colon).trimmed().toLower();
        QByteArray value = line.mid(colon + 1).trimmed();
        if (name == "content-length") {
            bool ok = false;
            const qint64 length = value.toLongLong(&ok);
            // Two different lengths are a smuggling attempt, not a request.
            if (!ok || length < 0 || (sawLength && length != head->bodyLength))
                return "invalid Content-Length";
            head->bodyLength = length;
            sawLength = true;
        } else if (name == "transfer-encoding" && value.toLower() != "identity") {
            head->errorStatus = 411;
            return "chunked bodies are not supported; send a Content-Length";
        } else if (name == "connection") {
            const QByteArray v = value.toLower();
            if (v == "close")
                head->keepAlive = false;
            else if (v == "keep-alive")
                head->keepAlive = true;
        }
        r.headers.append({ std::move(name), std::move(value) });
    }
    return {};
}

QByteArray httpStatusText(int status)
{
    switch (status) {
    case 200:
        return "OK";
    case 201:
        return "Created";
    case 202:
        return "Accepted";
    case 204:
        return "No Content";
    case 400:
        return "Bad Request";
    case 401:
        return "Unauthorized";
    case 403:
        return "Forbidden";
    case 404:
        return "Not Found";
    case 405:
        return "Method Not Allowed";
    case 408:
        return "Request Timeout";
    case 409:
        return "Conflict";
    case 411:
        return "Length Required";
    case 413:
        return "Payload Too Large";
    case 415:
        return "Unsupported Media Type";
    case 431:
        return "Request Header Fields Too Large";
    case 500:
        return "Internal Server Error";
    case 501:
        return "Not Implemented";
    case 503:
        return "Service Unavailable";
    default:
        return "Unknown";
    }
}

// One client connection: parses requests one at a time; while an answer is pending the
// next pipelined request waits in the buffer, so answers go out in order.
class HttpConnection final : public QObject {
public:
    HttpConnection(HttpServer *server, QTcpSocket *socket)
        : QObject(server)
        , m_server(server)
        , m_socket(socket)
    {
        socket->setParent(this);
        m_timer.setSingleShot(true);
        connect(&m_timer, &QTimer::timeout, this, &HttpConnection::onTimeout);
        connect(socket, &QTcpSocket::readyRead, this, &HttpConnection::onReadyRead);
        connect(socket, &QTcpSocket::disconnected, this, &QObject::deleteLater);
        m_timer.start(m_server->limits().idleTimeoutMs);
    }

    void respond(quint64 serial, const HttpResponse &response)
    {
        if (serial != m_serial || !m_awaiting)
            return;
        m_awaiting = false;
        write(response, m_keepAlive);
        if (!m_keepAlive) {
            m_socket->disconnectFromHost();
            return;
        }
        m_timer.start(m_server->limits().idleTimeoutMs);
        if (!m_buffer.isEmpty())
            QMetaObject::invokeMethod(this, &HttpConnection::parse, Qt::QueuedConnection);
    }

private:
    void onReadyRead()
    {
        if (m_discard) {
            // Refused: read what the client still sends, so it sees our answer rather than
            // a reset, then close.
            m_discardRemaining -= m_socket->readAll().size();
            if (m_discardRemaining <= 0)
                m_socket->disconnectFromHost();
            return;
        }
        m_buffer.append(m_socket->readAll());
        if (!m_awaiting)
            parse();
    }

    void onTimeout()
    {
        if (m_discard) {
            m_socket->abort();
            return;
        }
        if (m_awaiting)
            return; // we owe the answer; the client is not slow
        if (!m_buffer.isEmpty() || m_inBody)
            fail(408, "the request did not arrive in time");
        else
            m_socket->disconnectFromHost();
    }

    void fail(int status, const char *message)
    {
        HttpResponse r = HttpResponse::json(status, QByteArray("{\"error\":\"") + message + "\"}");
        write(r, false);
        m_buffer.clear();
        m_discard = true;
        m_socket->disconnectFromHost();
    }

    void write(const HttpResponse &r, bool keepAlive)
    {
        QByteArray out;
        out.reserve(160 + r.body.size());
        out += "HTTP/1.1 " + QByteArray::number(r.status) + ' ' + httpStatusText(r.status) + "\r\n";
        for (const auto &[name, value] : r.headers)
            out += name + ": " + value + "\r\n";
        out += "Content-Length: " + QByteArray::number(r.body.size()) + "\r\n";
        if (!keepAlive)
            out += "Connection: close\r\n";
        out += "\r\n";
        out += r.body;
        m_socket->write(out);
    }

    void parse()
    {
        if (m_discard || m_awaiting)
            return;
        if (!m_inBody) {
            const qsizetype end = m_buffer.indexOf("\r\n\r\n");
            if (end < 0) {
                if (m_buffer.size() > m_server->limits().maxHeaderBytes)
                    fail(431, "request headers are too large");
                else if (!m_buffer.isEmpty() && !m_timer.isActive())
                    m_timer.start(m_server->limits().requestTimeoutMs);
                else if (!m_buffer.isEmpty() && m_timer.remainingTime() > m_server->limits().requestTimeoutMs)
                    m_timer.start(m_server->limits().requestTimeoutMs);
                return;
            }
            if (!parseHead(end))
                return;
            m_buffer.remove(0, end + 4);
            m_inBody = true;
        }
        if (m_buffer.size() < m_bodyLength) {
            if (m_timer.remainingTime() > m_server->limits().requestTimeoutMs || !m_timer.isActive())
                m_timer.start(m_server->limits().requestTimeoutMs);
            return;
        }
        m_request.body = m_buffer.left(m_bodyLength);
        m_buffer.remove(0, m_bodyLength);
        m_inBody = false;
        m_awaiting = true;
        ++m_serial;
        m_timer.stop();
        const HttpRequest request = std::move(m_request);
        m_request = {};
        if (m_server->m_handler)
            m_server->m_handler(request, HttpResponder(this, m_serial));
        else
            respond(m_serial, HttpResponse::json(404, "{\"error\":\"no handler\"}"));
    }

    bool parseHead(qsizetype end)
    {
        RequestHead head;
        const QByteArray error = parseRequestHead(m_buffer.left(end), &head);
        if (!error.isEmpty()) {
            fail(head.errorStatus, error.constData());
            return false;
        }
        m_request = std::move(head.request);
        m_request.peer = m_socket->peerAddress();
        m_bodyLength = head.bodyLength;
        m_keepAlive = head.keepAlive;
        qint64 limit = m_server->limits().maxBodyBytes;
        if (m_server->m_bodyLimit)
            limit = std::min(limit, m_server->m_bodyLimit(m_request));
        if (m_bodyLength > limit) {
            const QByteArray msg = "{\"error\":\"the body is " + QByteArray::number(m_bodyLength)
                + " bytes; the limit is " + QByteArray::number(limit) + " bytes\"}";
            write(HttpResponse::json(413, msg), false);
            m_discard = true;
            m_discardRemaining = m_bodyLength - (m_buffer.size() - end - 4);
            m_buffer.clear();
            if (m_discardRemaining <= 0 || m_discardRemaining > m_server->limits().maxBodyBytes)
                m_socket->disconnectFromHost();
            else
                m_timer.start(m_server->limits().requestTimeoutMs); // then cut off
            return false;
        }
        return true;
    }

    HttpServer *m_server;
    QTcpSocket *m_socket;
    QTimer m_timer;
    QByteArray m_buffer;
    HttpRequest m_request;
    qint64 m_bodyLength = 0;
    quint64 m_serial = 0;
    bool m_inBody = false;
    bool m_awaiting = false;
    bool m_keepAlive = true;
    bool m_discard = false;
    qint64 m_discardRemaining = 0;
};

HttpResponder::HttpResponder(HttpConnection *connection, quint64 serial)
    : m_connection(connection)
    , m_serial(serial)
{
}

void HttpResponder::respond(const HttpResponse &response) const
{
    if (!m_connection)
        return;
    // Every 503 is "not now": say when to come back, so clients' retry logic can.
    const bool hasRetryAfter = std::any_of(response.headers.begin(), response.headers.end(),
        [](const auto &h) { return h.first.compare("retry-after", Qt::CaseInsensitive) == 0; });
    if (response.status == 503 && !hasRetryAfter) {
        HttpResponse withRetry = response;
        withRetry.headers.append({ QByteArrayLiteral("Retry-After"), QByteArrayLiteral("1") });
        m_connection->respond(m_serial, withRetry);
        return;
    }
    m_connection->respond(m_serial, response);
}

bool HttpResponder::isConnected() const
{
    return !m_connection.isNull();
}

HttpServer::HttpServer(QObject *parent)
    : QObject(parent)
    , m_server(new QTcpServer(this))
{
    connect(m_server, &QTcpServer::newConnection, this, &HttpServer::onNewConnection);
}

HttpServer::~HttpServer() = default;

bool HttpServer::listen(const QHostAddress &address, quint16 port, QString *error)
{
    if (!m_server->listen(address, port)) {
        *error = QStringLiteral("cannot listen on %1:%2: %3")
                     .arg(address.toString())
                     .arg(port)
                     .arg(m_server->errorString());
        return false;
    }
    return true;
}

quint16 HttpServer::port() const
{
    return m_server->serverPort();
}

void HttpServer::close()
{
    m_server->close();
}

void HttpServer::onNewConnection()
{
    while (QTcpSocket *socket = m_server->nextPendingConnection()) {
        socket->setSocketOption(QAbstractSocket::LowDelayOption, 1);
        new HttpConnection(this, socket);
    }
}

} // namespace qd
