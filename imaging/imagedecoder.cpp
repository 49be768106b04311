#include "imagedecoder.h"

#include "blobstore.h"
#include "imagesniff.h"

#include <QBuffer>
#include <QElapsedTimer>
#include <QImage>
#include <QImageReader>
#include <QtEndian>

namespace qd {

namespace {

QString tooLarge(const QSize &size, int limitMb)
{
    return QStringLiteral("image too large: %1×%2 exceeds the limit of %3 MB of decoded pixels")
        .arg(size.width())
        .arg(size.height())
        .arg(limitMb);
}

bool exceeds(const QSize &size, int limitMb)
{
    return qint64(size.width()) * qint64(size.height()) * 4 > qint64(limitMb) * 1024 * 1024;
}

// libjpeg fills a cut-off JPEG with grey and calls it a success; a whole one ends with
// the end-of-image marker (possibly followed by a little padding).
bool jpegLooksWhole(const QByteArray &data)
{
    const QByteArrayView tail = QByteArrayView(data).last(std::min<qsizetype>(data.size(), 1024));
    return tail.lastIndexOf(QByteArrayView("\xff\xd9", 2)) >= 0;
}

// Qt's GIF reader draws every frame on the logical screen and allocates that whole, but
// QImageReader::size() reports the first frame when the screen is over ten times larger
// (its scan distrusts such a screen, its decoder does not): a one-pixel frame on a
// 60000×60000 screen would pass the check below and then fail as "Unable to read image
// data". The screen's size is in the header, before any pixel.
QSize gifScreenSize(const QByteArray &data)
{
    if (data.size() < 10)
        return {};
    return QSize(
        qFromLittleEndian<quint16>(data.constData() + 6), qFromLittleEndian<quint16>(data.constData() + 8));
}

QString mimeFor(const QByteArray &data, const QByteArray &format)
{
    const SniffedImage sniffed = sniffImage(data.left(64));
    if (sniffed.isImage())
        return sniffed.mime;
    if (format == "svg" || format == "svgz")
        return QStringLiteral("image/svg+xml");
    return QStringLiteral("image/") + QString::fromLatin1(format);
}

} // namespace

int exifOrientation(QImageIOHandler::Transformations t)
{
    switch (int(t)) {
    case QImageIOHandler::TransformationMirror:
        return 2;
    case QImageIOHandler::TransformationRotate180:
        return 3;
    case QImageIOHandler::TransformationFlip:
        return 4;
    case QImageIOHandler::TransformationFlipAndRotate90:
        return 5;
    case QImageIOHandler::TransformationRotate90:
        return 6;
    case QImageIOHandler::TransformationMirrorAndRotate90:
        return 7;
    case QImageIOHandler::TransformationRotate270:
        return 8;
    default:
        return 1;
    }
}

void applyAllocationLimit(int megabytes)
{
    QImageReader::setAllocationLimit(megabytes);
}

DecodedImage decodeImage(const QByteArray &data, const QString &declaredType, const DecodeOptions &options)
{
    QElapsedTimer timer;
    timer.start();
    DecodedImage out;
    out.bytes = data.size();
    out.sha256 = BlobStore::hashOf(data);
    const auto finish = [&out, &timer]() -> DecodedImage {
        out.decodeNs = timer.nsecsElapsed();
        return out;
    };
    if (data.isEmpty()) {
        out.error = QStringLiteral("not an image (the response was empty)");
        return finish();
    }
    const bool declaredImage = declaredType.isEmpty() || declaredType.startsWith(QLatin1String("image/"))
        || declaredType == QLatin1String("application/octet-stream");
    if (!declaredImage && !sniffImage(data.left(64)).isImage()) {
        out.error = QStringLiteral("not an image (%1)").arg(declaredType);
        return finish();
    }

    QBuffer buffer;
    buffer.setData(data);
    buffer.open(QIODevice::ReadOnly);
    QImageReader reader(&buffer);
    reader.setAutoTransform(true); // the thumbnail is shown upright
    const QByteArray format = reader.format();
    if (format.isEmpty()) {
        out.error = declaredType.isEmpty() || declaredType == QLatin1String("application/octet-stream")
            ? QStringLiteral("not an image (%1 bytes in no known image format)").arg(data.size())
            : QStringLiteral("not an image (sent as %1, but the bytes are no known image format)")
                  .arg(declaredType);
        return finish();
    }
    out.format = QString::fromLatin1(format);
    out.mime = mimeFor(data, format);
    // Rendering a vector image needs fonts, which need a QGuiApplication the headless
    // runtime does not have, and its pixel size is whatever the file asks for.
    if (format == "svg" || format == "svgz") {
        out.error = QStringLiteral(
            "vector images (svg) are not supported; send a raster image such as PNG or JPEG");
        return finish();
    }
    // The header's size is known before a single pixel is decoded: a decompression bomb
    // stops here.
    const QSize stored = reader.size();
    const QSize allocated = format == "gif" ? stored.expandedTo(gifScreenSize(data)) : stored;
    if (allocated.isValid() && exceeds(allocated, options.allocationLimitMb)) {
        out.error = tooLarge(allocated, options.allocationLimitMb);
        return finish();
    }
    out.orientation = exifOrientation(reader.transformation());
    const QImage image = reader.read();
    if (image.isNull()) {
        out.error = allocated.isValid() && exceeds(allocated, QImageReader::allocationLimit())
            ? tooLarge(allocated, QImageReader::allocationLimit())
            : QStringLiteral("cannot decode the %1 image: %2").arg(out.format, reader.errorString());
        return finish();
    }
    if (format == "jpeg" && !jpegLooksWhole(data)) {
        out.error
            = QStringLiteral("cannot decode the jpeg image: the data ends early (truncated after %1 bytes)")
                  .arg(data.size());
        return finish();
    }
    QSize size = stored;
    if (!size.isValid()) {
        size = image.size();
        if (out.orientation >= 5) // the image came out rotated by 90°: the file's sides are swapped
            size.transpose();
    }
    out.width = size.width();
    out.height = size.height();

    const int side = std::max(1, options.thumbnailSize);
    QImage thumbnail = image;
    if (thumbnail.width() > side || thumbnail.height() > side) {
        // A cheap first step keeps smooth scaling of very large images affordable.
        if (thumbnail.width() > 4 * side || thumbnail.height() > 4 * side)
            thumbnail = thumbnail.scaled(4 * side, 4 * side, Qt::KeepAspectRatio, Qt::FastTransformation);
        thumbnail = thumbnail.scaled(side, side, Qt::KeepAspectRatio, Qt::SmoothTransformation);
    }
    QBuffer png(&out.thumbnailPng);
    png.open(QIODevice::WriteOnly);
    // Quality 80 is zlib level 1 for PNG: about five times faster to write than the
    // default level for some 15 % more bytes, and this runs once per image.
    thumbnail.save(&png, "PNG", 80);
    return finish();
}

} // namespace qd
