#include "errorsignature.h"

#include <QTest>

class TstErrorSignature : public QObject {
    Q_OBJECT
private slots:
    void signature_data()
    {
        QTest::addColumn<QString>("a");
        QTest::addColumn<QString>("b");
        QTest::addColumn<bool>("same");
        QTest::newRow("urls") << QStringLiteral("HTTP 404 Not Found from https://cdn.example.com/a/1.png")
                              << QStringLiteral("HTTP 404 Not Found from https://img.example.org/b/2.png")
                              << true;
        QTest::newRow("status codes differ")
            << QStringLiteral("HTTP 404 Not Found from https://x/1")
            << QStringLiteral("HTTP 500 Internal Server Error from https://x/1") << false;
        QTest::newRow("numbers") << QStringLiteral("timed out after 30 s")
                                 << QStringLiteral("timed out after 12 s") << true;
        QTest::newRow("ids") << QStringLiteral("message 0f3a9c2be41d4a7e8b1c0d2e3f4a5b6c failed")
                             << QStringLiteral("message 9a8b7c6d5e4f30211f2e3d4c5b6a7980 failed") << true;
        QTest::newRow("dimensions") << QStringLiteral("image too large: 40000x40000 exceeds the limit")
                                    << QStringLiteral("image too large: 50000x20000 exceeds the limit")
                                    << true;
        QTest::newRow("different words")
            << QStringLiteral("not an image (text/html)") << QStringLiteral("timed out after 30 s") << false;
        QTest::newRow("whitespace") << QStringLiteral("  connection   refused ")
                                    << QStringLiteral("connection refused") << true;
    }
    void signature()
    {
        QFETCH(QString, a);
        QFETCH(QString, b);
        QFETCH(bool, same);
        QCOMPARE(qd::errorSignature(a) == qd::errorSignature(b), same);
    }
    void keepsTheStatus()
    {
        QCOMPARE(qd::errorSignature(QStringLiteral("HTTP 404 Not Found from https://a.b/c.png")),
            QStringLiteral("HTTP 404 Not Found from <url>"));
    }
};

QTEST_GUILESS_MAIN(TstErrorSignature)
#include "tst_errorsignature.moc"
