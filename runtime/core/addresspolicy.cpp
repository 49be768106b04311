#include "addresspolicy.h"

#include <array>

namespace qd {

namespace {

constexpr quint32 ip4(quint32 a, quint32 b, quint32 c, quint32 d)
{
    return a << 24 | b << 16 | c << 8 | d;
}

constexpr bool inNet(quint32 address, quint32 net, int bits)
{
    return (address >> (32 - bits)) == (net >> (32 - bits));
}

// Not link-local, most of them, so a range check alone would let them through. Each is
// where a cloud hands out credentials or configuration to the machine asking.
constexpr std::array kMetadata4 {
    ip4(169, 254, 169, 254), // AWS, GCP, Azure, OpenStack, Oracle, DigitalOcean, …
    ip4(169, 254, 170, 2), // AWS ECS task credentials
    ip4(100, 100, 100, 200), // Alibaba Cloud, inside the carrier-grade NAT range
    ip4(192, 0, 0, 192), // Oracle Cloud (older instances)
    ip4(168, 63, 129, 16), // Azure WireServer, a public address
};

AddressKind classify4(quint32 v)
{
    for (const quint32 metadata : kMetadata4) {
        if (v == metadata)
            return AddressKind::CloudMetadata;
    }
    if (inNet(v, ip4(0, 0, 0, 0), 8))
        return AddressKind::Unspecified;
    if (inNet(v, ip4(127, 0, 0, 0), 8))
        return AddressKind::Loopback;
    if (inNet(v, ip4(169, 254, 0, 0), 16))
        return AddressKind::LinkLocal;
    if (inNet(v, ip4(10, 0, 0, 0), 8) || inNet(v, ip4(172, 16, 0, 0), 12) || inNet(v, ip4(192, 168, 0, 0), 16)
        || inNet(v, ip4(100, 64, 0, 0), 10) || inNet(v, ip4(198, 18, 0, 0), 15))
        return AddressKind::Private;
    if (v == ip4(255, 255, 255, 255))
        return AddressKind::Broadcast;
    if (inNet(v, ip4(224, 0, 0, 0), 4))
        return AddressKind::Multicast;
    if (inNet(v, ip4(240, 0, 0, 0), 4) || inNet(v, ip4(192, 0, 0, 0), 24) || inNet(v, ip4(192, 0, 2, 0), 24)
        || inNet(v, ip4(198, 51, 100, 0), 24) || inNet(v, ip4(203, 0, 113, 0), 24))
        return AddressKind::Reserved;
    return AddressKind::Public;
}

quint32 ip4At(const Q_IPV6ADDR &a, int at)
{
    return quint32(a[at]) << 24 | quint32(a[at + 1]) << 16 | quint32(a[at + 2]) << 8 | quint32(a[at + 3]);
}

bool zeroes(const Q_IPV6ADDR &a, int from, int to)
{
    for (int i = from; i < to; ++i) {
        if (a[i] != 0)
            return false;
    }
    return true;
}

AddressKind classify6(const Q_IPV6ADDR &a)
{
    if (zeroes(a, 0, 16))
        return AddressKind::Unspecified;
    if (zeroes(a, 0, 15) && a[15] == 1)
        return AddressKind::Loopback;
    static const QHostAddress metadata[] = {
        QHostAddress(QStringLiteral("fd00:ec2::254")), // AWS
        QHostAddress(QStringLiteral("fd20:ce::254")), // GCP
    };
    for (const QHostAddress &m : metadata) {
        if (QHostAddress(a) == m)
            return AddressKind::CloudMetadata;
    }
    // Forms that carry an IPv4 address and reach it: IPv4-mapped (::ffff:a.b.c.d),
    // IPv4-compatible (::a.b.c.d), IPv4-translated (::ffff:0:a.b.c.d) and NAT64
    // (64:ff9b::a.b.c.d).
    if (zeroes(a, 0, 10) && a[10] == 0xff && a[11] == 0xff)
        return classify4(ip4At(a, 12));
    if (zeroes(a, 0, 12))
        return classify4(ip4At(a, 12));
    if (zeroes(a, 0, 8) && a[8] == 0xff && a[9] == 0xff && a[10] == 0 && a[11] == 0)
        return classify4(ip4At(a, 12));
    if (a[0] == 0 && a[1] == 0x64 && a[2] == 0xff && a[3] == 0x9b && zeroes(a, 4, 12))
        return classify4(ip4At(a, 12));
    // 6to4 (2002:a.b.c.d::/48) is routed towards the IPv4 address it carries.
    if (a[0] == 0x20 && a[1] == 0x02) {
        if (const AddressKind inner = classify4(ip4At(a, 2)); inner != AddressKind::Public)
            return inner;
    }
    if (a[0] == 0xfe && (a[1] & 0xc0) == 0x80)
        return AddressKind::LinkLocal;
    if (a[0] == 0xfe && (a[1] & 0xc0) == 0xc0) // site-local, deprecated but still routed inside sites
        return AddressKind::Private;
    if ((a[0] & 0xfe) == 0xfc)
        return AddressKind::Private;
    if (a[0] == 0xff)
        return AddressKind::Multicast;
    if ((a[0] == 0x20 && a[1] == 0x01 && a[2] == 0x0d && a[3] == 0xb8) // documentation
        || (a[0] == 0x01 && zeroes(a, 1, 8))) // discard-only
        return AddressKind::Reserved;
    return AddressKind::Public;
}

} // namespace

AddressKind classifyAddress(const QHostAddress &address)
{
    switch (address.protocol()) {
    case QAbstractSocket::IPv4Protocol:
        return classify4(address.toIPv4Address());
    case QAbstractSocket::IPv6Protocol:
        return classify6(address.toIPv6Address());
    default: // null, or QHostAddress::Any
        return AddressKind::Unspecified;
    }
}

QString AddressPolicy::refusal(const QHostAddress &address) const
{
    const QString text = address.toString();
    switch (classifyAddress(address)) {
    case AddressKind::Public:
        return {};
    case AddressKind::Loopback:
        return m_allowLoopback
            ? QString()
            : QStringLiteral("%1 is a loopback address (loopback URLs are turned off)").arg(text);
    case AddressKind::Private:
        return m_allowPrivate
            ? QString()
            : QStringLiteral("%1 is a private address (allow those with --allow-private-urls)").arg(text);
    case AddressKind::LinkLocal:
        return QStringLiteral("%1 is a link-local address").arg(text);
    case AddressKind::CloudMetadata:
        return QStringLiteral("%1 is a cloud metadata address").arg(text);
    case AddressKind::Unspecified:
        return QStringLiteral("%1 is an unspecified address").arg(text);
    case AddressKind::Multicast:
        return QStringLiteral("%1 is a multicast address").arg(text);
    case AddressKind::Broadcast:
        return QStringLiteral("%1 is a broadcast address").arg(text);
    case AddressKind::Reserved:
        return QStringLiteral("%1 is a reserved address").arg(text);
    }
    return QStringLiteral("%1 is not an address to fetch from").arg(text);
}

} // namespace qd
