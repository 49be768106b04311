#include "accesspolicy.h"

#include "httpapi.h"

#include <QUrl>

namespace qd {

namespace {

// Splits a Host value ("name", "name:port", "[v6]:port") into its host and port; the
// port is empty when absent. False when it is not of that shape.
bool splitHostPort(const QByteArray &value, QByteArray *host, QByteArray *port)
{
    qsizetype hostEnd = 0;
    if (value.startsWith('[')) {
        const qsizetype close = value.indexOf(']');
        if (close < 0)
            return false;
        *host = value.mid(1, close - 1);
        hostEnd = close + 1;
    } else {
        hostEnd = value.indexOf(':');
        if (hostEnd < 0)
            hostEnd = value.size();
        *host = value.left(hostEnd);
    }
    const QByteArray rest = value.mid(hostEnd);
    if (!rest.isEmpty() && !rest.startsWith(':'))
        return false;
    *port = rest.mid(1);
    if (host->isEmpty() || (rest.startsWith(':') && port->isEmpty()))
        return false;
    return std::all_of(port->begin(), port->end(), [](char c) { return c >= '0' && c <= '9'; });
}

// Compared in constant time, so the answer's timing says nothing about the token.
bool sameSecret(const QByteArray &a, const QByteArray &b)
{
    if (a.size() != b.size())
        return false;
    unsigned char diff = 0;
    for (qsizetype i = 0; i < a.size(); ++i)
        diff |= static_cast<unsigned char>(a[i] ^ b[i]);
    return diff == 0;
}

HttpResponse forbidden(const QString &message)
{
    return HttpResponse::json(403, jsonError(message));
}

} // namespace

QByteArray normalizeOrigin(const QByteArray &origin)
{
    const QUrl url(QString::fromLatin1(origin), QUrl::StrictMode);
    const QString scheme = url.scheme().toLower();
    if (!url.isValid() || (scheme != QLatin1String("http") && scheme != QLatin1String("https"))
        || url.host().isEmpty() || !url.userInfo().isEmpty()
        || (!url.path().isEmpty() && url.path() != QLatin1String("/")) || url.hasQuery() || url.hasFragment())
        return {};
    QString host = url.host(QUrl::FullyEncoded).toLower();
    if (host.contains(QLatin1Char(':')))
        host = QLatin1Char('[') + host + QLatin1Char(']');
    const int port = url.port(scheme == QLatin1String("http") ? 80 : 443);
    return (scheme + QLatin1String("://") + host + QLatin1Char(':') + QString::number(port)).toLatin1();
}

AccessPolicy::AccessPolicy(const QString &token)
{
    if (!token.isEmpty())
        m_expectedAuth = "Bearer " + token.toUtf8();
}

void AccessPolicy::setAllowedHosts(const QStringList &hosts)
{
    m_allowedHosts.clear();
    for (const QString &h : hosts)
        m_allowedHosts.append(h.trimmed().toLower().toUtf8());
}

void AccessPolicy::setAllowedOrigins(const QStringList &origins)
{
    m_allowedOrigins.clear();
    for (const QString &o : origins) {
        if (const QByteArray n = normalizeOrigin(o.trimmed().toUtf8()); !n.isEmpty())
            m_allowedOrigins.append(n);
    }
}

bool AccessPolicy::isOwnHost(const QByteArray &host, const HttpRequest &head) const
{
    const QByteArray h = host.toLower();
    if (h == "localhost" || h == "127.0.0.1" || h == "::1")
        return true;
    // An address literal naming the very address the connection came in on cannot be a
    // rebound DNS name: that is how clients on other machines reach a --bind address.
    QHostAddress literal;
    return literal.setAddress(QString::fromLatin1(h)) && !head.local.isNull()
        && literal.isEqual(head.local, QHostAddress::ConvertV4MappedToIPv4);
}

bool AccessPolicy::isAcceptedHost(const QByteArray &hostHeader, const HttpRequest &head) const
{
    QByteArray host;
    QByteArray port;
    if (!splitHostPort(hostHeader, &host, &port))
        return false;
    if (m_allowedHosts.contains(host.toLower()))
        return true; // named by the user, on whatever port a proxy in front uses
    return isOwnHost(host, head) && (port.isEmpty() || port.toUInt() == head.localPort);
}

bool AccessPolicy::isAcceptedOrigin(const QByteArray &origin, const HttpRequest &head) const
{
    const QByteArray normalized = normalizeOrigin(origin);
    if (normalized.isEmpty())
        return false; // "null" (sandboxed frames, file: pages) among others
    if (m_allowedOrigins.contains(normalized))
        return true;
    // The server's own origin: http://{a name it answers to}:{its port}.
    const QByteArray prefix = "http://";
    if (!normalized.startsWith(prefix))
        return false;
    QByteArray host;
    QByteArray port;
    if (!splitHostPort(normalized.mid(prefix.size()), &host, &port) || port.toUInt() != head.localPort)
        return false;
    return isOwnHost(host, head) || m_allowedHosts.contains(host);
}

std::optional<HttpResponse> AccessPolicy::check(const HttpRequest &head) const
{
    const QByteArray origin = head.header("origin");
    if (!origin.isEmpty() && !isAcceptedOrigin(origin, head)) {
        return forbidden(QStringLiteral("requests from web pages at %1 are refused; to allow them, start "
                                        "QueueDeck with --allow-origin %1")
                             .arg(QString::fromLatin1(origin)));
    }
    // A browser that sends no Origin (a cross-site GET) still says where the page is from.
    const QByteArray site = head.header("sec-fetch-site");
    if (origin.isEmpty() && (site == "cross-site" || site == "same-site"))
        return forbidden(QStringLiteral("requests from other web sites are refused; call the API from a "
                                        "program, or from a page of an origin allowed with --allow-origin"));
    if (!hasToken()) {
        const QByteArray host = head.header("host");
        // HTTP/1.0 may leave Host out (the parser demands it of HTTP/1.1); browsers never do.
        if (!(host.isEmpty() && head.http10) && !isAcceptedHost(host, head)) {
            return forbidden(
                QStringLiteral("Host %1 is not a name of this server; call it as "
                               "http://127.0.0.1:%2/ or http://localhost:%2/, or start QueueDeck "
                               "with --allow-host NAME to accept another name")
                    .arg(QString::fromLatin1(host))
                    .arg(head.localPort));
        }
        return std::nullopt;
    }
    if (!sameSecret(head.header("authorization"), m_expectedAuth))
        return forbidden(QStringLiteral("a valid Authorization: Bearer token is required"));
    return std::nullopt;
}

} // namespace qd
