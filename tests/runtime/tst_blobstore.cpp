#include "blobstore.h"
#include "imagesniff.h"
#include "multipart.h"

#include <QCryptographicHash>
#include <QDir>
#include <QFile>
#include <QTemporaryDir>
#include <QTest>

using namespace qd;

// The pieces under POST /uploads that need no event loop: the content-addressed blob
// store on a real directory, the multipart parser and the image sniffer.
class TstBlobStore : public QObject {
    Q_OBJECT

private slots:
    void storesByHashAndDeduplicates()
    {
        QTemporaryDir dir;
        BlobStore blobs(dir.filePath(QStringLiteral("blobs")));
        QString error;
        QVERIFY(blobs.open(&error));
        const QByteArray data("\x89PNG\r\n\x1a\n and the rest", 22);
        QString name;
        bool created = false;
        QVERIFY(blobs.put(data, &name, &created).ok());
        QVERIFY(created);
        QCOMPARE(
            name, QString::fromLatin1(QCryptographicHash::hash(data, QCryptographicHash::Sha256).toHex()));
        QCOMPARE(blobs.get(name), std::optional<QByteArray>(data));
        const QDateTime written = QFileInfo(blobs.pathFor(name)).lastModified();

        QString again;
        QVERIFY(blobs.put(data, &again, &created).ok());
        QCOMPARE(again, name);
        QVERIFY(!created);
        QCOMPARE(QFileInfo(blobs.pathFor(name)).lastModified(), written);
        QCOMPARE(QDir(blobs.directory()).entryList(QDir::Files | QDir::Hidden), QStringList { name });
    }

    void refusesOverTheLimit()
    {
        QTemporaryDir dir;
        BlobStore blobs(dir.path(), 10);
        QString error;
        QVERIFY(blobs.open(&error));
        QString name;
        QVERIFY(blobs.put(QByteArray(10, 'x'), &name).ok());
        const Error e = blobs.put(QByteArray(11, 'y'), &name);
        QCOMPARE(e.code, ErrorCode::TooLarge);
        QCOMPARE(e.message, QStringLiteral("the file is 11 bytes; the limit is 10 bytes"));
        QCOMPARE(QDir(dir.path()).entryList(QDir::Files | QDir::Hidden).size(), 1);
    }

    void removesLeftoversOfACrash()
    {
        QTemporaryDir dir;
        QFile leftover(dir.filePath(QStringLiteral(".incoming-123")));
        QVERIFY(leftover.open(QIODevice::WriteOnly));
        leftover.write("half a file");
        leftover.close();
        BlobStore blobs(dir.path());
        QString error;
        QVERIFY(blobs.open(&error));
        QVERIFY(!QFile::exists(leftover.fileName()));
    }

    void namesAreHashesNeverPaths_data()
    {
        QTest::addColumn<QString>("name");
        QTest::addColumn<bool>("valid");
        QTest::newRow("hash") << QString(64, QLatin1Char('a')) << true;
        QTest::newRow("digits") << QStringLiteral("0123456789abcdef").repeated(4) << true;
        QTest::newRow("short") << QString(63, QLatin1Char('a')) << false;
        QTest::newRow("long") << QString(65, QLatin1Char('a')) << false;
        QTest::newRow("upper") << QString(64, QLatin1Char('A')) << false;
        QTest::newRow("not hex") << QString(64, QLatin1Char('g')) << false;
        QTest::newRow("dot dot") << QStringLiteral("../") + QString(61, QLatin1Char('a')) << false;
        QTest::newRow("slash") << QStringLiteral("/etc/passwd") << false;
        QTest::newRow("empty") << QString() << false;
    }
    void namesAreHashesNeverPaths()
    {
        QFETCH(QString, name);
        QFETCH(bool, valid);
        BlobStore blobs(QStringLiteral("/tmp/blobs"));
        QCOMPARE(BlobStore::isBlobName(name), valid);
        QCOMPARE(blobs.pathFor(name).isEmpty(), !valid);
        if (!valid)
            QVERIFY(!blobs.get(name));
    }

    void sniffsImages_data()
    {
        QTest::addColumn<QByteArray>("head");
        QTest::addColumn<QString>("mime");
        QTest::newRow("png") << QByteArray("\x89PNG\r\n\x1a\n\0\0\0\rIHDR", 16)
                             << QStringLiteral("image/png");
        QTest::newRow("jpeg") << QByteArray("\xff\xd8\xff\xe0\0\x10JFIF", 10) << QStringLiteral("image/jpeg");
        QTest::newRow("gif") << QByteArray("GIF89a\x01\0\x01\0", 10) << QStringLiteral("image/gif");
        QTest::newRow("webp") << QByteArray("RIFF\x10\0\0\0WEBPVP8 ", 16) << QStringLiteral("image/webp");
        QTest::newRow("tiff") << QByteArray("II*\0\x08\0\0\0", 8) << QStringLiteral("image/tiff");
        QTest::newRow("html") << QByteArray("<!doctype html>") << QString();
        QTest::newRow("riff wave") << QByteArray("RIFF\x10\0\0\0WAVEfmt ", 16) << QString();
        QTest::newRow("empty") << QByteArray() << QString();
        QTest::newRow("nul bytes") << QByteArray(16, '\0') << QString();
    }
    void sniffsImages()
    {
        QFETCH(QByteArray, head);
        QFETCH(QString, mime);
        QCOMPARE(sniffImage(head).mime, mime);
    }

    void parsesMultipart()
    {
        const QByteArray body
            = "preamble\r\n--XyZ\r\n"
              "Content-Disposition: form-data; name=\"userId\"\r\n\r\n"
              "alice\r\n"
              "--XyZ\r\n"
              "Content-Disposition: form-data; name=\"files\"; filename=\"a \\\"b\\\".png\"\r\n"
              "Content-Type: image/png\r\n\r\n"
              "\x89PNG\r\n--Xy-almost\r\n"
              "--XyZ\r\n"
              "Content-Disposition: form-data; name=\"files\"; filename=\"\"\r\n\r\n"
              "\r\n"
              "--XyZ--\r\nepilogue";
        QCOMPARE(multipartBoundary("multipart/form-data; boundary=XyZ"), QByteArray("XyZ"));
        QCOMPARE(
            multipartBoundary("multipart/form-data; charset=utf-8; boundary=\"XyZ\""), QByteArray("XyZ"));
        QCOMPARE(multipartBoundary("text/plain; boundary=XyZ"), QByteArray());
        const MultipartForm form = parseMultipart(body, "XyZ");
        QVERIFY2(form.error.isEmpty(), qPrintable(form.error));
        QCOMPARE(form.parts.size(), 3);
        QCOMPARE(form.parts[0].name, QByteArray("userId"));
        QVERIFY(!form.parts[0].isFile());
        QCOMPARE(form.parts[0].data, QByteArray("alice"));
        QCOMPARE(form.parts[1].filename, QStringLiteral("a \"b\".png"));
        QCOMPARE(form.parts[1].contentType, QByteArray("image/png"));
        QCOMPARE(form.parts[1].data, QByteArray("\x89PNG\r\n--Xy-almost"));
        QVERIFY(form.parts[2].isFile());
        QVERIFY(form.parts[2].filename.isEmpty());
        QVERIFY(form.parts[2].data.isEmpty());
    }

    void refusesBrokenMultipart_data()
    {
        QTest::addColumn<QByteArray>("body");
        QTest::newRow("no boundary") << QByteArray("just bytes");
        QTest::newRow("no closing") << QByteArray(
            "--b\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nvalue");
        QTest::newRow("headers never end") << QByteArray("--b\r\nContent-Disposition: form-data\r\n--b--");
        QTest::newRow("garbage after boundary") << QByteArray("--bXX");
    }
    void refusesBrokenMultipart()
    {
        QFETCH(QByteArray, body);
        const MultipartForm form = parseMultipart(body, "b");
        QVERIFY(!form.error.isEmpty());
        QVERIFY(form.parts.isEmpty());
    }
};

QTEST_GUILESS_MAIN(TstBlobStore)
#include "tst_blobstore.moc"
