#pragma once

#include "httpserver.h"

#include <QByteArrayList>
#include <QStringList>

#include <optional>

namespace qd {

// Who may call the API, decided from a request's head alone:
// - a web page of another origin may not (its Origin, or a cross-site Sec-Fetch-Site
//   without one), with or without a token, unless its origin is allowed;
// - without a token, the Host must name this server (its loopback names, the address the
//   connection arrived on, or an allowed name), so a DNS name rebound to 127.0.0.1 gets
//   nothing; with a token the Host is not checked, since a page cannot know the token;
// - with a token, every request must carry it.
class AccessPolicy final {
public:
    explicit AccessPolicy(const QString &token = {});

    bool hasToken() const { return !m_expectedAuth.isEmpty(); }
    // Names (without a port; any port is accepted with them) also accepted as Host.
    void setAllowedHosts(const QStringList &hosts);
    // Origins (scheme://host[:port]) whose pages may call the API.
    void setAllowedOrigins(const QStringList &origins);

    // The answer refusing the request, or nothing when it may go on.
    std::optional<HttpResponse> check(const HttpRequest &head) const;

private:
    bool isOwnHost(const QByteArray &host, const HttpRequest &head) const;
    bool isAcceptedHost(const QByteArray &hostHeader, const HttpRequest &head) const;
    bool isAcceptedOrigin(const QByteArray &origin, const HttpRequest &head) const;

    QByteArray m_expectedAuth;
    QByteArrayList m_allowedHosts; // lower case
    QByteArrayList m_allowedOrigins; // normalized by normalizeOrigin()
};

// "HTTP://Example.com:8080/" → "http://example.com:8080"; empty when it is not an origin.
QByteArray normalizeOrigin(const QByteArray &origin);

} // namespace qd
