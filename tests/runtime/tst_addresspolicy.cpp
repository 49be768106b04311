#include "addresspolicy.h"

#include <QTest>

using namespace qd;

Q_DECLARE_METATYPE(qd::AddressKind)

// The address policy on its own, on QHostAddress values: no lookup, no connection, no
// packet. Every spelling here is one a resolver or a URL's host could hand over.
class TstAddressPolicy : public QObject {
    Q_OBJECT

private slots:
    void classifies_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<AddressKind>("kind");
        const auto row = [](const char *text, AddressKind kind) {
            QTest::newRow(text) << QString::fromLatin1(text) << kind;
        };
        using K = AddressKind;
        row("8.8.8.8", K::Public);
        row("1.1.1.1", K::Public);
        row("2606:4700:4700::1111", K::Public);
        row("127.0.0.1", K::Loopback);
        row("127.255.255.254", K::Loopback);
        row("::1", K::Loopback);
        row("0:0:0:0:0:0:0:1", K::Loopback);
        row("::ffff:127.0.0.1", K::Loopback);
        row("::ffff:7f00:1", K::Loopback);
        row("10.0.0.5", K::Private);
        row("10.255.255.255", K::Private);
        row("172.16.0.1", K::Private);
        row("172.31.255.255", K::Private);
        row("172.15.255.255", K::Public);
        row("172.32.0.1", K::Public);
        row("192.168.1.1", K::Private);
        row("100.64.0.1", K::Private);
        row("100.127.255.255", K::Private);
        row("100.63.255.255", K::Public);
        row("100.128.0.1", K::Public);
        row("198.18.0.1", K::Private);
        row("fc00::1", K::Private);
        row("fd12:3456:789a::1", K::Private);
        row("FD12:3456:789A::1", K::Private);
        row("fec0::1", K::Private);
        row("::ffff:10.0.0.5", K::Private);
        row("::ffff:a00:5", K::Private);
        row("::ffff:192.168.0.1", K::Private);
        row("::10.0.0.5", K::Private);
        row("64:ff9b::10.0.0.5", K::Private);
        row("2002:c0a8:101::1", K::Private); // 6to4 of 192.168.1.1
        row("169.254.0.1", K::LinkLocal);
        row("169.254.255.255", K::LinkLocal);
        row("fe80::1", K::LinkLocal);
        row("fe80::1%1", K::LinkLocal);
        row("febf:ffff::1", K::LinkLocal);
        row("::ffff:169.254.1.1", K::LinkLocal);
        row("169.254.169.254", K::CloudMetadata);
        row("169.254.170.2", K::CloudMetadata);
        row("100.100.100.200", K::CloudMetadata);
        row("192.0.0.192", K::CloudMetadata);
        row("168.63.129.16", K::CloudMetadata);
        row("fd00:ec2::254", K::CloudMetadata);
        row("fd00:0ec2:0000:0000:0000:0000:0000:0254", K::CloudMetadata);
        row("fd20:ce::254", K::CloudMetadata);
        row("::ffff:169.254.169.254", K::CloudMetadata);
        row("::ffff:a9fe:a9fe", K::CloudMetadata);
        row("0:0:0:0:0:ffff:a9fe:a9fe", K::CloudMetadata);
        row("::ffff:0:a9fe:a9fe", K::CloudMetadata); // IPv4-translated
        row("::169.254.169.254", K::CloudMetadata); // IPv4-compatible
        row("64:ff9b::169.254.169.254", K::CloudMetadata); // NAT64
        row("2002:a9fe:a9fe::1", K::CloudMetadata); // 6to4
        row("::ffff:100.100.100.200", K::CloudMetadata);
        row("0.0.0.0", K::Unspecified);
        row("0.1.2.3", K::Unspecified);
        row("::", K::Unspecified);
        row("::ffff:0.0.0.0", K::Unspecified);
        row("224.0.0.1", K::Multicast);
        row("239.255.255.250", K::Multicast);
        row("ff02::1", K::Multicast);
        row("255.255.255.255", K::Broadcast);
        row("240.0.0.1", K::Reserved);
        row("192.0.2.1", K::Reserved);
        row("2001:db8::1", K::Reserved);
    }
    void classifies()
    {
        QFETCH(QString, text);
        QFETCH(AddressKind, kind);
        const QHostAddress address(text);
        QVERIFY2(!address.isNull(), qPrintable(text));
        QCOMPARE(classifyAddress(address), kind);
    }

    // Spellings inet_aton accepts, which Qt parses too (and QUrl normalises a host to): the
    // policy sees the address they make, never the text.
    void oddSpellings_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<QString>("address");
        QTest::newRow("short") << QStringLiteral("127.1") << QStringLiteral("127.0.0.1");
        QTest::newRow("short hex") << QStringLiteral("0x7f.1") << QStringLiteral("127.0.0.1");
        QTest::newRow("octal number") << QStringLiteral("017700000001") << QStringLiteral("127.0.0.1");
        QTest::newRow("decimal") << QStringLiteral("2852039166") << QStringLiteral("169.254.169.254");
        QTest::newRow("hex") << QStringLiteral("0xa9fea9fe") << QStringLiteral("169.254.169.254");
        QTest::newRow("octal") << QStringLiteral("0251.0376.0251.0376") << QStringLiteral("169.254.169.254");
        QTest::newRow("hex parts") << QStringLiteral("0xa9.0xfe.0xa9.0xfe")
                                   << QStringLiteral("169.254.169.254");
        QTest::newRow("two parts") << QStringLiteral("169.16689662") << QStringLiteral("169.254.169.254");
        QTest::newRow("mapped, upper case")
            << QStringLiteral("::FFFF:A9FE:A9FE") << QStringLiteral("::ffff:169.254.169.254");
        QTest::newRow("mapped, long")
            << QStringLiteral("0000:0000:0000:0000:0000:ffff:0a00:0005") << QStringLiteral("::ffff:10.0.0.5");
    }
    void oddSpellings()
    {
        QFETCH(QString, text);
        QFETCH(QString, address);
        const QHostAddress parsed(text);
        QVERIFY2(!parsed.isNull(), qPrintable(text));
        QCOMPARE(parsed, QHostAddress(address));
        QCOMPARE(classifyAddress(parsed), classifyAddress(QHostAddress(address)));
        QVERIFY(classifyAddress(parsed) != AddressKind::Public);
    }

    void refuses_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<bool>("allowPrivate");
        QTest::addColumn<bool>("allowLoopback");
        QTest::addColumn<QString>("refusal");
        QTest::newRow("public") << QStringLiteral("93.184.216.34") << false << true << QString();
        QTest::newRow("loopback by default") << QStringLiteral("127.0.0.1") << false << true << QString();
        QTest::newRow("loopback turned off")
            << QStringLiteral("127.0.0.1") << false << false
            << QStringLiteral("127.0.0.1 is a loopback address (loopback URLs are turned off)");
        QTest::newRow("mapped loopback turned off")
            << QStringLiteral("::ffff:127.0.0.1") << true << false
            << QStringLiteral("::ffff:127.0.0.1 is a loopback address (loopback URLs are turned off)");
        QTest::newRow("private")
            << QStringLiteral("10.0.0.5") << false << true
            << QStringLiteral("10.0.0.5 is a private address (allow those with --allow-private-urls)");
        QTest::newRow("private allowed") << QStringLiteral("10.0.0.5") << true << true << QString();
        QTest::newRow("mapped private")
            << QStringLiteral("::ffff:192.168.0.1") << false << true
            << QStringLiteral(
                   "::ffff:192.168.0.1 is a private address (allow those with --allow-private-urls)");
        QTest::newRow("mapped private allowed")
            << QStringLiteral("::ffff:192.168.0.1") << true << true << QString();
        QTest::newRow("unique local allowed") << QStringLiteral("fd12::1") << true << true << QString();
        QTest::newRow("link-local even when private is allowed") << QStringLiteral(
            "169.254.1.1") << true << true << QStringLiteral("169.254.1.1 is a link-local address");
        QTest::newRow("ipv6 link-local")
            << QStringLiteral("fe80::1") << true << true << QStringLiteral("fe80::1 is a link-local address");
        QTest::newRow("metadata even when private is allowed")
            << QStringLiteral("169.254.169.254") << true << true
            << QStringLiteral("169.254.169.254 is a cloud metadata address");
        QTest::newRow("alibaba metadata inside carrier-grade NAT")
            << QStringLiteral("100.100.100.200") << true << true
            << QStringLiteral("100.100.100.200 is a cloud metadata address");
        QTest::newRow("aws ipv6 metadata inside unique local") << QStringLiteral(
            "fd00:ec2::254") << true << true << QStringLiteral("fd00:ec2::254 is a cloud metadata address");
        QTest::newRow("unspecified") << QStringLiteral("0.0.0.0") << true << true
                                     << QStringLiteral("0.0.0.0 is an unspecified address");
        QTest::newRow("multicast") << QStringLiteral("ff02::1") << true << true
                                   << QStringLiteral("ff02::1 is a multicast address");
        QTest::newRow("broadcast") << QStringLiteral("255.255.255.255") << true << true
                                   << QStringLiteral("255.255.255.255 is a broadcast address");
        QTest::newRow("reserved") << QStringLiteral("240.0.0.1") << true << true
                                  << QStringLiteral("240.0.0.1 is a reserved address");
    }
    void refuses()
    {
        QFETCH(QString, text);
        QFETCH(bool, allowPrivate);
        QFETCH(bool, allowLoopback);
        QFETCH(QString, refusal);
        AddressPolicy policy;
        policy.setAllowPrivate(allowPrivate);
        policy.setAllowLoopback(allowLoopback);
        QCOMPARE(policy.refusal(QHostAddress(text)), refusal);
        QCOMPARE(policy.allows(QHostAddress(text)), refusal.isEmpty());
    }

    void defaults()
    {
        const AddressPolicy policy;
        QVERIFY(!policy.allowPrivate());
        QVERIFY(policy.allowLoopback());
        QVERIFY(policy.allows(QHostAddress(QHostAddress::LocalHost)));
        QVERIFY(policy.allows(QHostAddress(QHostAddress::LocalHostIPv6)));
        QVERIFY(!policy.allows(QHostAddress(QStringLiteral("192.168.1.1"))));
        QVERIFY(!policy.allows(QHostAddress(QHostAddress::AnyIPv4)));
        QVERIFY(!policy.allows(QHostAddress(QHostAddress::Any)));
        QVERIFY(!policy.allows(QHostAddress()));
    }
};

QTEST_GUILESS_MAIN(TstAddressPolicy)
#include "tst_addresspolicy.moc"
