#include "imagesniff.h"

namespace qd {

namespace {

// Magic numbers may hold NUL bytes, so their length comes from the literal, not strlen.
template <qsizetype N> bool startsWith(const QByteArray &data, const char (&magic)[N], qsizetype offset = 0)
{
    const QByteArrayView m(magic, N - 1);
    return data.size() >= offset + m.size() && QByteArrayView(data).sliced(offset, m.size()) == m;
}

SniffedImage image(const char *mime, const char *format)
{
    return SniffedImage { QLatin1String(mime), QLatin1String(format) };
}

} // namespace

SniffedImage sniffImage(const QByteArray &head)
{
    if (startsWith(head, "\x89PNG\r\n\x1a\n"))
        return image("image/png", "png");
    if (head.size() >= 3 && uchar(head[0]) == 0xff && uchar(head[1]) == 0xd8 && uchar(head[2]) == 0xff)
        return image("image/jpeg", "jpeg");
    if (startsWith(head, "GIF87a") || startsWith(head, "GIF89a"))
        return image("image/gif", "gif");
    if (startsWith(head, "RIFF") && startsWith(head, "WEBP", 8))
        return image("image/webp", "webp");
    if (startsWith(head, "BM") && head.size() >= 26)
        return image("image/bmp", "bmp");
    if (startsWith(head, "II*\0") || startsWith(head, "MM\0*"))
        return image("image/tiff", "tiff");
    if (startsWith(head, "\0\0\1\0") && head.size() >= 6 && (head[4] != 0 || head[5] != 0))
        return image("image/vnd.microsoft.icon", "ico");
    if (startsWith(head, "icns"))
        return image("image/icns", "icns");
    if (startsWith(head, "ftyp", 4)) {
        const QByteArray brand = head.mid(8, 4);
        if (brand == "avif" || brand == "avis")
            return image("image/avif", "avif");
        if (brand == "heic" || brand == "heix" || brand == "mif1" || brand == "msf1")
            return image("image/heif", "heif");
    }
    if (startsWith(head, "\0\0\0\x0cjP  \r\n\x87\n") || startsWith(head, "\xff\x4f\xff\x51"))
        return image("image/jp2", "jp2");
    // Netpbm: P1..P6 followed by white space.
    if (head.size() >= 3 && head[0] == 'P' && head[1] >= '1' && head[1] <= '6'
        && QByteArrayView(" \t\r\n").contains(head[2]))
        return image("image/x-portable-anymap",
            head[1] == '1' || head[1] == '4'       ? "pbm"
                : head[1] == '2' || head[1] == '5' ? "pgm"
                                                   : "ppm");
    return {};
}

QString mediaType(const QByteArray &contentTypeHeader)
{
    const qsizetype semicolon = contentTypeHeader.indexOf(';');
    const QByteArray type
        = (semicolon < 0 ? contentTypeHeader : contentTypeHeader.left(semicolon)).trimmed().toLower();
    return QString::fromLatin1(type);
}

} // namespace qd
