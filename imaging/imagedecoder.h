#pragma once

#include <QByteArray>
#include <QImageIOHandler>
#include <QString>

namespace qd {

struct DecodeOptions {
    int allocationLimitMb = 256; // decoded pixels (4 bytes each) may take at most this much
    int thumbnailSize = 256; // longest side of the thumbnail
};

// What decoding one image found; `error` is empty on success and otherwise says, in words
// a person can act on, why the bytes are not a usable image.
struct DecodedImage {
    QString error;
    QString mime;
    QString format;
    int width = 0; // as stored, before the EXIF orientation is applied
    int height = 0;
    int orientation = 1; // EXIF 1..8
    qint64 bytes = 0;
    QString sha256;
    QByteArray thumbnailPng; // upright, longest side at most thumbnailSize
    qint64 decodeNs = 0;

    bool ok() const { return error.isEmpty(); }
};

// Decodes on the calling thread with QImageReader: meant for a worker of a thread pool,
// needs no event loop and no QGuiApplication. `declaredType` is the Content-Type the
// bytes came with (empty if none): bytes declared as something other than an image and
// not recognisably one are refused as "not an image (text/html)" without trying every
// decoder on them.
DecodedImage decodeImage(const QByteArray &data, const QString &declaredType, const DecodeOptions &options);

// QImageReader's allocation limit is process-wide: set it once, before workers decode.
void applyAllocationLimit(int megabytes);

int exifOrientation(QImageIOHandler::Transformations transformation);

} // namespace qd
