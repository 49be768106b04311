#pragma once

#include <QByteArray>
#include <QString>

namespace qd {

// What the first bytes of a file say it is. Pure logic over magic numbers, so the
// runtime (which may not link Qt Gui) can refuse what is not an image and serve blobs
// with the right type; decoding proper is the image consumer's job.
struct SniffedImage {
    QString mime; // e.g. "image/png"; empty when the bytes are no known image format
    QString format; // QImageReader's name for it, e.g. "png", "jpeg"

    bool isImage() const { return !mime.isEmpty(); }
};

SniffedImage sniffImage(const QByteArray &head);

// "image/png" from "image/png; charset=binary", lower-cased; empty when absent.
QString mediaType(const QByteArray &contentTypeHeader);

} // namespace qd
