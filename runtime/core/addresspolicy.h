#pragma once

#include <QHostAddress>
#include <QString>

namespace qd {

// What an IP address reaches, as far as fetching a URL from it goes. An IPv6 address that
// carries an IPv4 one (IPv4-mapped, IPv4-compatible, NAT64, 6to4) is the kind of the IPv4
// address inside: that is where a connection to it ends up.
enum class AddressKind {
    Public,
    Loopback,
    Private, // RFC 1918, carrier-grade NAT, unique-local and site-local IPv6, benchmarking
    LinkLocal,
    CloudMetadata, // instance metadata and platform endpoints of the big clouds
    Unspecified, // 0.0.0.0/8 and ::, which Linux connects to this host
    Multicast,
    Broadcast,
    Reserved, // documentation, future use and other ranges no image is served from
};

AddressKind classifyAddress(const QHostAddress &address);

// Which addresses the image consumer may connect to. An image URL comes from whoever can
// send a message, so without this the consumer is their proxy into the network it runs
// in: link-local, cloud-metadata, unspecified, multicast, broadcast and reserved
// addresses are refused always, private ranges unless allowed, loopback (which local
// development needs) unless refused.
class AddressPolicy final {
public:
    void setAllowPrivate(bool allow) { m_allowPrivate = allow; }
    void setAllowLoopback(bool allow) { m_allowLoopback = allow; }
    bool allowPrivate() const { return m_allowPrivate; }
    bool allowLoopback() const { return m_allowLoopback; }

    // Empty when `address` may be contacted; otherwise why not, as a person reads it:
    // "169.254.169.254 is a cloud metadata address".
    QString refusal(const QHostAddress &address) const;
    bool allows(const QHostAddress &address) const { return refusal(address).isEmpty(); }

private:
    bool m_allowPrivate = false;
    bool m_allowLoopback = true;
};

} // namespace qd
