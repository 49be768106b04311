// The one written form of a time for machines (the Cloudflare API, logs, CSV exports, ctl).
#include "clock.h"

#include <QDateTime>
#include <QTest>

#include <ctime>

class TstIsoTime : public QObject {
    Q_OBJECT
private slots:
    void utcWithMilliseconds_data()
    {
        QTest::addColumn<qint64>("ms");
        QTest::addColumn<QString>("text");
        QTest::newRow("epoch") << qint64(0) << QStringLiteral("1970-01-01T00:00:00.000Z");
        QTest::newRow("whole second")
            << qint64(1'700'000'000'000) << QStringLiteral("2023-11-14T22:13:20.000Z");
        QTest::newRow("milliseconds")
            << qint64(1'700'000'000'007) << QStringLiteral("2023-11-14T22:13:20.007Z");
        QTest::newRow("before the epoch") << qint64(-1) << QStringLiteral("1969-12-31T23:59:59.999Z");
        QTest::newRow("leap day") << qint64(1'709'164'800'123) << QStringLiteral("2024-02-29T00:00:00.123Z");
    }
    void utcWithMilliseconds()
    {
        QFETCH(qint64, ms);
        QFETCH(QString, text);
        QCOMPARE(qd::isoTimeUtc(ms), text);
    }

    // The machine's own time zone never shows: the text is the same in Tokyo.
    void ignoresTheLocalZone()
    {
        qputenv("TZ", "Asia/Tokyo");
        tzset();
        QCOMPARE(qd::isoTimeUtc(1'700'000'000'250), QStringLiteral("2023-11-14T22:13:20.250Z"));
        // It reads back as the same moment.
        const QDateTime back = QDateTime::fromString(qd::isoTimeUtc(1'700'000'000'250), Qt::ISODateWithMs);
        QCOMPARE(back.toMSecsSinceEpoch(), qint64(1'700'000'000'250));
        QCOMPARE(back.timeSpec(), Qt::UTC);
    }
};

QTEST_GUILESS_MAIN(TstIsoTime)
#include "tst_isotime.moc"
