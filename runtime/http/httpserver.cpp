#include "httpserver.h"

#include <algorithm>
#include <cstring>

#include <QTcpServer>
#include <QTcpSocket>
#include <QTimer>

#include <sys/socket.h>

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

namespace {

bool isTokenChar(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
        || (c != 0 && std::strchr("!#$%&'*+-.^_`|~", c) != nullptr);
}

bool isToken(const QByteArray &text)
{
    return !text.isEmpty() && std::all_of(text.begin(), text.end(), isTokenChar);
}

// Field values may hold visible characters, spaces, tabs and obs-text; any other control
// character (NUL above all) is refused rather than passed on to handlers.
bool isFieldValue(const QByteArray &value)
{
    return std::none_of(value.begin(), value.end(), [](char c) {
        const auto u = static_cast<unsigned char>(c);
        return (u < 0x20 && c != '\t') || u == 0x7f;
    });
}

// OWS is spaces and tabs only; QByteArray::trimmed() would also eat \v and \f.
QByteArray trimOws(const QByteArray &text)
{
    qsizetype from = 0;
    qsizetype to = text.size();
    while (from < to && (text[from] == ' ' || text[from] == '\t'))
        ++from;
    while (to > from && (text[to - 1] == ' ' || text[to - 1] == '\t'))
        --to;
    return text.mid(from, to - from);
}

// 1*DIGIT, no sign and no spaces; no leading zero either, so one length has one spelling
// (a proxy in front cannot read "052" differently from us). 18 digits never overflow.
bool parseContentLength(const QByteArray &value, qint64 *length)
{
    if (value.isEmpty() || value.size() > 18 || (value.size() > 1 && value[0] == '0'))
        return false;
    qint64 n = 0;
    for (const char c : value) {
        if (c < '0' || c > '9')
            return false;
        n = n * 10 + (c - '0');
    }
    *length = n;
    return true;
}

bool isHttpVersion(const QByteArray &v)
{
    return v.size() == 8 && v.startsWith("HTTP/") && v[5] >= '0' && v[5] <= '9' && v[6] == '.' && v[7] >= '0'
        && v[7] <= '9';
}

} // namespace

QByteArray parseRequestHead(const QByteArray &text, RequestHead *head)
{
    head->errorStatus = 400;
    const QList<QByteArray> lines = text.split('\n');
    // Every line but the last ends in CR: split on LF, each must have had its CR.
    for (qsizetype i = 0; i < lines.size(); ++i) {
        const QByteArray &line = lines[i];
        const bool last = i == lines.size() - 1;
        if (!last && !line.endsWith('\r'))
            return "a line of the request head ends in a bare LF; end lines with CRLF";
        if (line.left(last ? line.size() : line.size() - 1).contains('\r'))
            return "the request head holds a bare CR; end lines with CRLF";
    }
    const auto withoutCr = [&lines](qsizetype i) {
        const QByteArray &line = lines[i];
        return line.endsWith('\r') ? line.chopped(1) : line;
    };
    const QList<QByteArray> start = withoutCr(0).split(' ');
    if (start.size() != 3 || !isToken(start[0]) || !start[1].startsWith('/') || !isHttpVersion(start[2])
        || std::any_of(start[1].begin(), start[1].end(),
            [](char c) { return static_cast<unsigned char>(c) <= 0x20 || c == 0x7f; }))
        return "malformed request line; expected METHOD /path HTTP/1.1";
    if (start[2][5] != '1') {
        head->errorStatus = 505;
        return "only HTTP/1.x is served here";
    }
    HttpRequest &r = head->request;
    r = {};
    r.method = start[0];
    r.target = start[1];
    const qsizetype q = r.target.indexOf('?');
    r.path = q < 0 ? r.target : r.target.left(q);
    if (q >= 0)
        r.query = QUrlQuery(QString::fromUtf8(r.target.mid(q + 1)));
    r.http10 = start[2] == "HTTP/1.0";
    head->keepAlive = !r.http10;
    head->bodyLength = 0;
    bool sawLength = false;
    int hosts = 0;
    for (qsizetype i = 1; i < lines.size(); ++i) {
        const QByteArray line = withoutCr(i);
        if (line.startsWith(' ') || line.startsWith('\t'))
            return "folded header lines are not accepted; send each header on one line";
        const qsizetype colon = line.indexOf(':');
        QByteArray name = line.left(colon);
        if (colon < 0 || !isToken(name))
            return "malformed header line; expected Name: value, with no space before the colon";
        QByteArray value = trimOws(line.mid(colon + 1));
        if (!isFieldValue(value))
            return "a header value holds a control character";
        name = name.toLower();
        if (name == "content-length") {
            qint64 length = 0;
            // Two different lengths are a smuggling attempt, not a request.
            if (!parseContentLength(value, &length) || (sawLength && length != head->bodyLength))
                return "invalid Content-Length; send the body's length in decimal digits";
            head->bodyLength = length;
            sawLength = true;
        } else if (name == "transfer-encoding" && value.toLower() != "identity") {
            head->errorStatus = 411;
            return "chunked bodies are not supported; send a Content-Length";
        } else if (name == "host") {
            ++hosts;
        } else if (name == "connection") {
            for (const QByteArray &option : value.toLower().split(',')) {
                const QByteArray o = trimOws(option);
                if (o == "close")
                    head->keepAlive = false;
                else if (o == "keep-alive")
                    head->keepAlive = true;
            }
        }
        r.headers.append({ std::move(name), std::move(value) });
    }
    // RFC 9112 §3.2: an HTTP/1.1 request without exactly one Host is answered 400.
    if (hosts > 1 || (hosts == 0 && !r.http10))
        return "send exactly one Host header";
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
    case 505:
        return "HTTP Version Not Supported";
    default:
        return "Unknown";
    }
}

namespace {

// Qt stops reading from the kernel when a socket's buffer holds this much; the rest waits
// in TCP, which then slows the client down instead of growing our memory.
constexpr qint64 kSocketBufferBytes = qint64(64) * 1024;

HttpResponse errorResponse(int status, const QByteArray &message)
{
    return HttpResponse::json(status, "{\"error\":\"" + message + "\"}");
}

HttpResponse retryLater(const QByteArray &message)
{
    HttpResponse r = errorResponse(503, message);
    r.headers.append({ QByteArrayLiteral("Retry-After"), QByteArrayLiteral("1") });
    return r;
}

QByteArray serialize(const HttpResponse &r, bool keepAlive)
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
    return out;
}

} // namespace

// One client connection: parses requests one at a time; while an answer is pending the
// next pipelined request waits (in the socket, then in TCP), so answers go out in order.
// What it holds is bounded: at most a head's worth read ahead, the body of the request
// being received (within its limit and the server's budget), and answers up to
// HttpLimits::maxUnsentBytes before it stops reading.
class HttpConnection final : public QObject {
public:
    HttpConnection(HttpServer *server, QTcpSocket *socket)
        : QObject(server)
        , m_server(server)
        , m_socket(socket)
        , m_peer(socket->peerAddress())
    {
        socket->setParent(this);
        socket->setReadBufferSize(kSocketBufferBytes);
        m_timer.setSingleShot(true);
        connect(&m_timer, &QTimer::timeout, this, &HttpConnection::onTimeout);
        connect(socket, &QTcpSocket::readyRead, this, &HttpConnection::pump);
        connect(socket, &QTcpSocket::bytesWritten, this, &HttpConnection::onBytesWritten);
        connect(socket, &QTcpSocket::disconnected, this, &QObject::deleteLater);
        m_timer.start(m_server->limits().idleTimeoutMs);
    }

    ~HttpConnection() override
    {
        releaseBody();
        m_server->removeConnection(this, m_peer);
    }

    bool isStalled() const { return m_stalled; }
    bool isBusy() const { return m_awaiting || m_inBody || bufferedBytes() > 0; }
    qint64 bufferedBytes() const
    {
        return m_buffer.size() + m_request.body.size() + m_socket->bytesAvailable()
            + m_socket->bytesToWrite();
    }

    void respond(quint64 serial, const HttpResponse &response)
    {
        if (serial != m_serial || !m_awaiting)
            return;
        m_awaiting = false;
        releaseBody();
        m_socket->write(serialize(response, m_keepAlive));
        if (!m_keepAlive) {
            m_socket->disconnectFromHost();
            return;
        }
        m_timer.start(m_server->limits().idleTimeoutMs);
        // Called from inside the handler, pump() is still running and goes on by itself;
        // otherwise what waits in the buffers gets no readyRead of its own.
        if (!m_pumping && (!m_buffer.isEmpty() || m_socket->bytesAvailable() > 0))
            QMetaObject::invokeMethod(this, &HttpConnection::pump, Qt::QueuedConnection);
    }

private:
    const HttpLimits &limits() const { return m_server->limits(); }

    // Reads and handles requests for as long as nothing holds them back: an answer owed,
    // a client that does not read its answers, a request not yet whole.
    void pump()
    {
        if (m_discard) {
            discard();
            return;
        }
        if (m_pumping)
            return;
        m_pumping = true;
        while (!m_awaiting && !m_discard && m_socket->state() == QAbstractSocket::ConnectedState) {
            m_stalled = m_socket->bytesToWrite() > limits().maxUnsentBytes;
            if (m_stalled)
                break; // onBytesWritten() resumes
            if (!m_inBody && !readHead())
                break;
            if (!readBody())
                break;
            dispatch();
        }
        m_pumping = false;
    }

    void onBytesWritten()
    {
        if (m_discard) {
            shutdownWrites();
            return;
        }
        if (m_stalled && m_socket->bytesToWrite() <= limits().maxUnsentBytes)
            pump();
    }

    void onTimeout()
    {
        if (m_discard || m_stalled) {
            m_socket->abort(); // a client that neither sends nor reads
            return;
        }
        if (m_awaiting)
            return; // we owe the answer; the client is not slow
        if (!m_buffer.isEmpty() || m_inBody)
            fail(408, "the request did not arrive in time");
        else
            m_socket->disconnectFromHost();
    }

    void restartRequestTimer()
    {
        if (!m_timer.isActive() || m_timer.remainingTime() > limits().requestTimeoutMs)
            m_timer.start(limits().requestTimeoutMs);
    }

    // A request that cannot be parsed: answer, and close once the client has had time to
    // read the answer (see closeAfter()); what it sends meanwhile is dropped.
    void fail(int status, const QByteArray &message)
    {
        closeAfter(errorResponse(status, message), limits().maxDiscardBytes);
    }

    // A well-formed request refused from its head. With nothing of it left to read the
    // connection goes on; otherwise what remains of its body is dropped, up to a bound.
    void refuse(const HttpResponse &response)
    {
        const qint64 bodyInBuffer = std::min<qint64>(m_buffer.size(), m_bodyLength);
        if (m_keepAlive && bodyInBuffer == m_bodyLength) {
            m_socket->write(serialize(response, true));
            m_buffer.remove(0, m_bodyLength);
            m_request = {};
            m_timer.start(limits().idleTimeoutMs);
            if (!m_buffer.isEmpty() || m_socket->bytesAvailable() > 0)
                QMetaObject::invokeMethod(this, &HttpConnection::pump, Qt::QueuedConnection);
            return;
        }
        closeAfter(response, std::min(m_bodyLength - bodyInBuffer, limits().maxDiscardBytes));
    }

    // Sends the last answer, then closes our side for writing (the client reads the answer
    // and an end of stream) and drops at most `discardAtMost` more bytes from the client
    // before closing for good. Closing at once, with the client still sending, would make
    // the kernel answer with a reset that can destroy the answer before it is read.
    void closeAfter(const HttpResponse &response, qint64 discardAtMost)
    {
        m_socket->write(serialize(response, false));
        m_buffer.clear();
        m_discard = true;
        m_discardRemaining = discardAtMost;
        if (m_discardRemaining <= 0) {
            m_socket->disconnectFromHost();
            return;
        }
        m_timer.start(limits().requestTimeoutMs); // then cut off
        shutdownWrites();
        discard();
    }

    void shutdownWrites()
    {
        if (m_writesShut || m_socket->bytesToWrite() > 0)
            return; // onBytesWritten() comes back once the answer is out
        m_writesShut = true;
        ::shutdown(int(m_socket->socketDescriptor()), SHUT_WR);
    }

    void discard()
    {
        while (m_discardRemaining > 0 && m_socket->bytesAvailable() > 0) {
            const qint64 skipped = m_socket->skip(std::min(m_discardRemaining, kSocketBufferBytes));
            if (skipped <= 0)
                break;
            m_discardRemaining -= skipped;
        }
        if (m_discardRemaining <= 0 && m_socket->state() == QAbstractSocket::ConnectedState)
            m_socket->disconnectFromHost();
    }

    // Reads until the buffer holds a whole head, then parses and checks it. False while it
    // is incomplete or once the request has been refused.
    bool readHead()
    {
        const qint64 most = limits().maxHeaderBytes + 4;
        if (m_buffer.size() < most)
            m_buffer += m_socket->read(most - m_buffer.size());
        // RFC 9112 §2.2: empty lines before a request line are ignored.
        while (m_buffer.startsWith("\r\n")) {
            m_buffer.remove(0, 2);
            m_scanned = 0;
        }
        const qsizetype end = m_buffer.indexOf("\r\n\r\n");
        // A bare LF means this head will never end in CRLF CRLF: refuse it now rather
        // than at the timeout.
        const qsizetype scanEnd = end < 0 ? m_buffer.size() : end;
        for (qsizetype i = m_scanned; i < scanEnd; ++i) {
            if (m_buffer[i] == '\n' && (i == 0 || m_buffer[i - 1] != '\r')) {
                fail(400, "a line of the request head ends in a bare LF; end lines with CRLF");
                return false;
            }
        }
        m_scanned = scanEnd;
        if (end < 0 || end > limits().maxHeaderBytes) {
            if (m_buffer.size() > limits().maxHeaderBytes)
                fail(431, "request headers are too large");
            else if (!m_buffer.isEmpty())
                restartRequestTimer();
            return false;
        }
        RequestHead head;
        const QByteArray error = parseRequestHead(m_buffer.left(end), &head);
        m_buffer.remove(0, end + 4);
        m_scanned = 0;
        if (!error.isEmpty()) {
            fail(head.errorStatus, error);
            return false;
        }
        m_request = std::move(head.request);
        m_request.peer = m_peer;
        m_request.local = m_socket->localAddress();
        m_request.localPort = m_socket->localPort();
        m_bodyLength = head.bodyLength;
        m_keepAlive = head.keepAlive;
        if (m_server->m_headCheck) {
            if (const std::optional<HttpResponse> refusal = m_server->m_headCheck(m_request)) {
                refuse(*refusal);
                return false;
            }
        }
        qint64 limit = limits().maxBodyBytes;
        if (m_server->m_bodyLimit)
            limit = std::min(limit, m_server->m_bodyLimit(m_request));
        if (m_bodyLength > limit) {
            refuse(errorResponse(413,
                "the body is " + QByteArray::number(m_bodyLength) + " bytes; the limit is "
                    + QByteArray::number(limit) + " bytes"));
            return false;
        }
        if (!m_server->reserveBody(m_bodyLength)) {
            refuse(retryLater("the server is receiving too many large bodies at once; try again shortly"));
            return false;
        }
        m_reservedBody = m_bodyLength;
        m_inBody = true;
        return true;
    }

    // Reads until the buffer holds the whole body (never more than the body: what follows
    // is the next request, and waits).
    bool readBody()
    {
        if (m_buffer.size() < m_bodyLength)
            m_buffer += m_socket->read(m_bodyLength - m_buffer.size());
        if (m_buffer.size() < m_bodyLength) {
            restartRequestTimer();
            return false;
        }
        return true;
    }

    void dispatch()
    {
        if (m_buffer.size() == m_bodyLength) {
            m_request.body = std::move(m_buffer);
            m_buffer = {};
        } else {
            m_request.body = m_buffer.left(m_bodyLength);
            m_buffer.remove(0, m_bodyLength);
        }
        m_inBody = false;
        m_awaiting = true;
        ++m_serial;
        m_timer.stop();
        const HttpRequest request = std::move(m_request);
        m_request = {};
        if (m_server->m_handler)
            m_server->m_handler(request, HttpResponder(this, m_serial));
        else
            respond(m_serial, errorResponse(404, "no handler"));
    }

    void releaseBody()
    {
        m_server->releaseBody(m_reservedBody);
        m_reservedBody = 0;
    }

    HttpServer *m_server;
    QTcpSocket *m_socket;
    QHostAddress m_peer;
    QTimer m_timer;
    QByteArray m_buffer; // the head being read, or the body; at most a head's worth beyond
    qsizetype m_scanned = 0; // of the head in m_buffer, checked for bare LFs
    HttpRequest m_request;
    qint64 m_bodyLength = 0;
    qint64 m_reservedBody = 0;
    quint64 m_serial = 0;
    bool m_inBody = false;
    bool m_awaiting = false;
    bool m_keepAlive = true;
    bool m_pumping = false;
    bool m_stalled = false;
    bool m_discard = false;
    bool m_writesShut = false;
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

HttpServer::~HttpServer()
{
    // Connections unregister themselves from members that are about to go.
    const QSet<HttpConnection *> connections = std::exchange(m_connections, {});
    qDeleteAll(connections);
}

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

qint64 HttpServer::bufferedBytes() const
{
    qint64 total = 0;
    for (const HttpConnection *c : m_connections)
        total += c->bufferedBytes();
    return total;
}

int HttpServer::stalledConnections() const
{
    return int(std::count_if(
        m_connections.begin(), m_connections.end(), [](const HttpConnection *c) { return c->isStalled(); }));
}

int HttpServer::busyConnections() const
{
    return int(std::count_if(
        m_connections.begin(), m_connections.end(), [](const HttpConnection *c) { return c->isBusy(); }));
}

void HttpServer::onNewConnection()
{
    while (QTcpSocket *socket = m_server->nextPendingConnection()) {
        socket->setSocketOption(QAbstractSocket::LowDelayOption, 1);
        const QHostAddress peer = socket->peerAddress();
        QByteArray refusal;
        if (m_connections.size() >= m_limits.maxConnections)
            refusal = "the server has too many connections; try again shortly";
        else if (m_connectionsPerAddress.value(peer) >= m_limits.maxConnectionsPerAddress)
            refusal = "too many connections from " + peer.toString().toUtf8()
                + "; reuse connections (keep-alive) or try again shortly";
        if (!refusal.isEmpty()) {
            // Answered before its request is read, and not counted: it costs one small write.
            socket->write(serialize(retryLater(refusal), false));
            connect(socket, &QTcpSocket::disconnected, socket, &QObject::deleteLater);
            socket->disconnectFromHost();
            continue;
        }
        m_connections.insert(new HttpConnection(this, socket));
        ++m_connectionsPerAddress[peer];
    }
}

void HttpServer::removeConnection(HttpConnection *connection, const QHostAddress &peer)
{
    if (!m_connections.remove(connection))
        return;
    if (--m_connectionsPerAddress[peer] <= 0)
        m_connectionsPerAddress.remove(peer);
}

bool HttpServer::reserveBody(qint64 bytes)
{
    const qint64 budget = std::max(m_limits.maxBodyBytesInFlight, m_limits.maxBodyBytes);
    if (bytes > 0 && m_bodyBytesInFlight + bytes > budget)
        return false;
    m_bodyBytesInFlight += bytes;
    return true;
}

void HttpServer::releaseBody(qint64 bytes)
{
    m_bodyBytesInFlight -= bytes;
}

} // namespace qd
