#include "blobstore.h"
#include "imagedecoder.h"
#include "imagetestsupport.h"

#include <QImageReader>
#include <QTest>

using namespace qd;
using namespace qdtest;

// The decoder on its own, on real encoded images: what it records and how it refuses.
class TstImageDecoder : public QObject {
    Q_OBJECT

private slots:
    void initTestCase() { applyAllocationLimit(256); }

    void decodesFormats_data()
    {
        QTest::addColumn<QByteArray>("format");
        QTest::addColumn<QString>("mime");
        QTest::newRow("png") << QByteArray("png") << QStringLiteral("image/png");
        QTest::newRow("jpeg") << QByteArray("jpeg") << QStringLiteral("image/jpeg");
        QTest::newRow("gif") << QByteArray("gif") << QStringLiteral("image/gif");
        QTest::newRow("webp") << QByteArray("webp") << QStringLiteral("image/webp");
        QTest::newRow("bmp") << QByteArray("bmp") << QStringLiteral("image/bmp");
        QTest::newRow("tiff") << QByteArray("tiff") << QStringLiteral("image/tiff");
    }
    void decodesFormats()
    {
        QFETCH(QByteArray, format);
        QFETCH(QString, mime);
        // scripts/install-deps.sh installs the plugins: without one the set-up is broken.
        QVERIFY2(format == "gif" || canWrite(format.constData()),
            "no image plugin for this format (Debian: qt6-image-formats-plugins)");
        const QByteArray bytes
            = format == "gif" ? gif(640, 480) : encode(picture(640, 480), format.constData());
        const DecodedImage d = decodeImage(bytes, mime, DecodeOptions {});
        QVERIFY2(d.ok(), qPrintable(d.error));
        QCOMPARE(d.format, QString::fromLatin1(format));
        QCOMPARE(d.mime, mime);
        QCOMPARE(d.width, 640);
        QCOMPARE(d.height, 480);
        QCOMPARE(d.bytes, bytes.size());
        QCOMPARE(d.sha256, BlobStore::hashOf(bytes));
        QCOMPARE(d.orientation, 1);
        QImage thumbnail;
        QVERIFY(thumbnail.loadFromData(d.thumbnailPng, "PNG"));
        QCOMPARE(thumbnail.size(), QSize(256, 192));
        QVERIFY(d.decodeNs > 0);
    }

    void smallImagesKeepTheirSize()
    {
        const DecodedImage d = decodeImage(encode(picture(40, 30), "png"), {}, DecodeOptions {});
        QVERIFY2(d.ok(), qPrintable(d.error));
        QImage thumbnail;
        QVERIFY(thumbnail.loadFromData(d.thumbnailPng, "PNG"));
        QCOMPARE(thumbnail.size(), QSize(40, 30));
    }

    void exifOrientationIsRecordedAndTheThumbnailIsUpright()
    {
        const QByteArray jpeg = jpegWithOrientation(encode(picture(400, 200), "jpeg", 90), 6);
        const DecodedImage d = decodeImage(jpeg, QStringLiteral("image/jpeg"), DecodeOptions {});
        QVERIFY2(d.ok(), qPrintable(d.error));
        QCOMPARE(d.orientation, 6);
        QCOMPARE(d.width, 400); // as stored
        QCOMPARE(d.height, 200);
        QImage thumbnail;
        QVERIFY(thumbnail.loadFromData(d.thumbnailPng, "PNG"));
        QCOMPARE(thumbnail.size(), QSize(128, 256)); // turned by 90°
    }

    void refusesHtml()
    {
        const DecodedImage d = decodeImage("<!DOCTYPE html><html><!-- x --><body>hi</body></html>",
            QStringLiteral("text/html"), DecodeOptions {});
        QCOMPARE(d.error, QStringLiteral("not an image (text/html)"));
    }

    void refusesBytesThatClaimToBeAnImage()
    {
        const DecodedImage d = decodeImage("hello, world", QStringLiteral("image/png"), DecodeOptions {});
        QVERIFY2(d.error.startsWith(QLatin1String("not an image (sent as image/png")), qPrintable(d.error));
    }

    void refusesVectorImages()
    {
        QVERIFY2(QImageReader::supportedImageFormats().contains("svg"), "no SVG plugin (Debian: libqt6svg6)");
        const QByteArray svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"100\" height=\"50\">"
                               "<text x=\"5\" y=\"20\">hi</text></svg>";
        const DecodedImage d = decodeImage(svg, QStringLiteral("image/svg+xml"), DecodeOptions {});
        QCOMPARE(d.error,
            QStringLiteral("vector images (svg) are not supported; send a raster image such as PNG or JPEG"));
    }

    void refusesTruncatedJpeg()
    {
        const QByteArray jpeg = encode(picture(640, 480), "jpeg", 90);
        const DecodedImage d
            = decodeImage(jpeg.left(jpeg.size() / 2), QStringLiteral("image/jpeg"), DecodeOptions {});
        QVERIFY(!d.ok());
        QVERIFY2(d.error.startsWith(QLatin1String("cannot decode the jpeg image")), qPrintable(d.error));
    }

    void refusesTruncatedPng()
    {
        const QByteArray png = encode(picture(640, 480), "png");
        const DecodedImage d
            = decodeImage(png.left(png.size() / 2), QStringLiteral("image/png"), DecodeOptions {});
        QVERIFY(!d.ok());
        QVERIFY2(d.error.startsWith(QLatin1String("cannot decode the png image")), qPrintable(d.error));
    }

    void refusesADecompressionBombFromItsHeader()
    {
        const QByteArray bomb = hugePngHeader(40000, 40000);
        const DecodedImage d = decodeImage(bomb, QStringLiteral("image/png"), DecodeOptions {});
        QCOMPARE(d.error,
            QStringLiteral("image too large: 40000×40000 exceeds the limit of 256 MB of decoded pixels"));
    }

    void refusesAGifWhoseScreenIsTooLarge()
    {
        // The image inside is one pixel; the logical screen it is drawn on is what a decoder allocates.
        const QByteArray bomb = gifScreenBomb(60000, 60000);
        const DecodedImage d = decodeImage(bomb, QStringLiteral("image/gif"), DecodeOptions {});
        QCOMPARE(d.error,
            QStringLiteral("image too large: 60000×60000 exceeds the limit of 256 MB of decoded pixels"));
    }

    void aSmallGifScreenStillDecodes()
    {
        const DecodedImage d
            = decodeImage(gifScreenBomb(300, 200), QStringLiteral("image/gif"), DecodeOptions {});
        QVERIFY2(d.ok(), qPrintable(d.error));
        QCOMPARE(QSize(d.width, d.height), QSize(300, 200));
    }

    void theLimitIsASetting()
    {
        const QByteArray png = encode(picture(1200, 1000), "png");
        DecodeOptions options;
        options.allocationLimitMb = 4; // 1200×1000×4 bytes is 4.6 MB
        const DecodedImage d = decodeImage(png, {}, options);
        QCOMPARE(d.error,
            QStringLiteral("image too large: 1200×1000 exceeds the limit of 4 MB of decoded pixels"));
    }

    void refusesEmptyBodies()
    {
        QCOMPARE(decodeImage({}, QStringLiteral("image/png"), DecodeOptions {}).error,
            QStringLiteral("not an image (the response was empty)"));
    }
};

QTEST_GUILESS_MAIN(TstImageDecoder)
#include "tst_imagedecoder.moc"
