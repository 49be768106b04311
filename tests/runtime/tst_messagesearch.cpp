#include "errorsignature.h"
#include "messagesearch.h"

#include <QTest>

using namespace qd;

// The search box's little language, parsed without a store.
class TstMessageSearch : public QObject {
    Q_OBJECT
private slots:
    void parse_data()
    {
        QTest::addColumn<QString>("input");
        QTest::addColumn<QString>("queue");
        QTest::addColumn<int>("state"); // -1 = none
        QTest::addColumn<bool>("deadLettered");
        QTest::addColumn<QString>("error");
        QTest::addColumn<QString>("user");
        QTest::addColumn<QString>("text");
        QTest::addColumn<qint64>("sinceMs");
        QTest::addColumn<int>("problems");

        QTest::newRow("empty") << QString() << QString() << -1 << false << QString() << QString() << QString()
                               << qint64(0) << 0;
        QTest::newRow("example") << QStringLiteral("state:failed error:\"timeout\" user:alice") << QString()
                                 << int(StateFilter::Failed) << false << QStringLiteral("timeout")
                                 << QStringLiteral("alice") << QString() << qint64(0) << 0;
        QTest::newRow("free text around keys")
            << QStringLiteral("broken  state:ready image.png") << QString() << int(StateFilter::Ready)
            << false << QString() << QString() << QStringLiteral("broken image.png") << qint64(0) << 0;
        QTest::newRow("quoted phrase and escape")
            << QStringLiteral("\"connection \\\"reset\\\"\" error:\"HTTP 404 from\"") << QString() << -1
            << false << QStringLiteral("HTTP 404 from") << QString() << QStringLiteral("connection \"reset\"")
            << qint64(0) << 0;
        QTest::newRow("queue with spaces")
            << QStringLiteral("queue:\"my/ Queue\"") << QStringLiteral("my/ Queue") << -1 << false
            << QString() << QString() << QString() << qint64(0) << 0;
        QTest::newRow("keys ignore case")
            << QStringLiteral("STATE:Acked User:Bob") << QString() << int(StateFilter::Acked) << false
            << QString() << QStringLiteral("Bob") << QString() << qint64(0) << 0;
        QTest::newRow("in flight spellings")
            << QStringLiteral("state:in-flight") << QString() << int(StateFilter::InFlight) << false
            << QString() << QString() << QString() << qint64(0) << 0;
        QTest::newRow("dead lettered") << QStringLiteral("state:dlq") << QString() << -1 << true << QString()
                                       << QString() << QString() << qint64(0) << 0;
        QTest::newRow("since") << QStringLiteral("since:15m err:x") << QString() << -1 << false
                               << QStringLiteral("x") << QString() << QString() << qint64(15 * 60'000) << 0;
        QTest::newRow("since days") << QStringLiteral("since:7d") << QString() << -1 << false << QString()
                                    << QString() << QString() << qint64(7 * 86'400'000LL) << 0;
        QTest::newRow("bad since") << QStringLiteral("since:soon") << QString() << -1 << false << QString()
                                   << QString() << QString() << qint64(0) << 1;
        QTest::newRow("bad state") << QStringLiteral("state:happy") << QString() << -1 << false << QString()
                                   << QString() << QString() << qint64(0) << 1;
        QTest::newRow("empty value") << QStringLiteral("user:") << QString() << -1 << false << QString()
                                     << QString() << QString() << qint64(0) << 1;
        QTest::newRow("unknown key stays text")
            << QStringLiteral("colour:red") << QString() << -1 << false << QString() << QString()
            << QStringLiteral("colour:red") << qint64(0) << 1;
        QTest::newRow("url is text") << QStringLiteral("https://example.com/a.png") << QString() << -1
                                     << false << QString() << QString()
                                     << QStringLiteral("https://example.com/a.png") << qint64(0) << 0;
        QTest::newRow("unterminated quote")
            << QStringLiteral("error:\"time out") << QString() << -1 << false << QStringLiteral("time out")
            << QString() << QString() << qint64(0) << 0;
    }

    void parse()
    {
        QFETCH(QString, input);
        const MessageSearch s = MessageSearch::parse(input);
        QTEST(s.queue, "queue");
        QFETCH(int, state);
        QCOMPARE(s.state.has_value(), state >= 0);
        if (state >= 0)
            QCOMPARE(int(*s.state), state);
        QTEST(s.deadLettered, "deadLettered");
        QTEST(s.errorText, "error");
        QTEST(s.userId, "user");
        QTEST(s.text, "text");
        QTEST(s.sinceMs, "sinceMs");
        QTEST(int(s.problems.size()), "problems");
        // Only what was understood filters: a search of nothing but mistakes filters nothing.
        QCOMPARE(s.isEmpty(),
            s.text.isEmpty() && s.queue.isEmpty() && !s.state && !s.deadLettered && s.errorText.isEmpty()
                && s.userId.isEmpty() && s.sinceMs == 0);
    }

    void applyTo()
    {
        const auto ids = [](const QString &name) -> std::optional<qint64> {
            if (name == QLatin1String("images"))
                return 7;
            return std::nullopt;
        };
        MessageFilter f;
        QString error;
        QVERIFY(
            MessageSearch::parse(QStringLiteral("queue:images state:failed error:oops user:al since:1h x"))
                .applyTo(&f, ids, 10'000'000, &error));
        QCOMPARE(f.queueId, std::optional<qint64>(7));
        QCOMPARE(f.state, StateFilter::Failed);
        QCOMPARE(f.errorText, QStringLiteral("oops"));
        QCOMPARE(f.userId, QStringLiteral("al"));
        QCOMPARE(f.text, QStringLiteral("x"));
        QCOMPARE(f.fromMs, 10'000'000 - 3'600'000);

        MessageFilter g;
        QVERIFY(!MessageSearch::parse(QStringLiteral("queue:nope")).applyTo(&g, ids, 0, &error));
        QVERIFY(error.contains(QLatin1String("nope")));
    }

    void signaturePatterns_data()
    {
        QTest::addColumn<QString>("error");
        QTest::addColumn<QString>("pattern");
        QTest::newRow("url") << QStringLiteral("HTTP 404 from https://img.test/1.png")
                             << QStringLiteral("%HTTP%404%from%");
        QTest::newRow("numbers and quotes")
            << QStringLiteral("decode failed: \"bad 100%\" at 12") << QStringLiteral("%decode%failed:%at%");
        QTest::newRow("like characters") << QStringLiteral("a_b 50\\ c") << QStringLiteral("%a\\_b%\\\\%c%");
        QTest::newRow("empty") << QString() << QStringLiteral("%");
    }

    void signaturePatterns()
    {
        QFETCH(QString, error);
        QTEST(errorSignaturePattern(errorSignature(error)), "pattern");
    }
};

QTEST_GUILESS_MAIN(TstMessageSearch)
#include "tst_messagesearch.moc"
