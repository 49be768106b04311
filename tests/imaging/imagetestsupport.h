#pragma once

// Real images made by the tests, and a real HTTP server on a loopback port that serves
// them (plus the broken and hostile answers the image consumer must survive).

#include "httpserver.h"

#include <QBuffer>
#include <QHash>
#include <QImage>
#include <QImageWriter>
#include <QPainter>
#include <QTimer>
#include <QtEndian>

#include <functional>

namespace qdtest {

// A picture with some structure, so that encoders have real work and sizes are exact.
inline QImage picture(int width, int height, int seed = 0)
{
    QImage image(width, height, QImage::Format_RGB32);
    for (int y = 0; y < height; ++y) {
        auto *line = reinterpret_cast<QRgb *>(image.scanLine(y));
        for (int x = 0; x < width; ++x)
            line[x] = qRgb((x * 255 / std::max(1, width - 1) + seed) & 255,
                (y * 255 / std::max(1, height - 1)) & 255, (x ^ y ^ seed) & 255);
    }
    return image;
}

inline QByteArray encode(const QImage &image, const char *format, int quality = -1)
{
    QByteArray bytes;
    QBuffer buffer(&bytes);
    buffer.open(QIODevice::WriteOnly);
    QImageWriter writer(&buffer, format);
    writer.setQuality(quality);
    if (!writer.write(image))
        qWarning("cannot encode %s: %s", format, qPrintable(writer.errorString()));
    return bytes;
}

// Qt reads GIF but cannot write it, so the test writes one by hand: 128 colours, and
// LZW codes kept 8 bits wide by a clear code every 100 pixels, so each code is one byte.
inline QByteArray gif(int width, int height)
{
    const auto le16 = [](int v) {
        QByteArray two(2, '\0');
        qToLittleEndian<quint16>(quint16(v), two.data());
        return two;
    };
    QByteArray out("GIF89a");
    out += le16(width) + le16(height);
    out += char(0xe6); // global colour table of 128 entries
    out += QByteArray(2, '\0');
    for (int i = 0; i < 128; ++i)
        out += char(i * 2) + QByteArray(1, char(255 - i * 2)) + char((i * 37) & 255);
    out += char(0x2c);
    out += le16(0) + le16(0) + le16(width) + le16(height);
    out += char(0);
    out += char(7); // minimum code size: codes 0..127 are colours, 128 clear, 129 end
    QByteArray codes;
    for (int i = 0; i < width * height; ++i) {
        if (i % 100 == 0)
            codes += char(128);
        codes += char(((i % width) + (i / width)) % 128);
    }
    codes += char(129);
    for (qsizetype at = 0; at < codes.size(); at += 255) {
        const QByteArray block = codes.mid(at, 255);
        out += char(block.size());
        out += block;
    }
    out += char(0);
    out += char(0x3b);
    return out;
}

// A GIF whose logical screen claims width×height but whose one image is a single pixel:
// every byte of it valid, and small, yet decoding it means allocating the whole screen.
inline QByteArray gifScreenBomb(quint16 width, quint16 height)
{
    QByteArray out("GIF89a");
    QByteArray le(4, '\0');
    qToLittleEndian<quint16>(width, le.data());
    qToLittleEndian<quint16>(height, le.data() + 2);
    out += le;
    out += QByteArray("\x80\0\0", 3); // a global colour table of 2 entries
    out += QByteArray("\0\0\0\xff\xff\xff", 6);
    out += QByteArray("\x2c\0\0\0\0\x01\0\x01\0\0", 10); // image descriptor: 1×1 at 0,0
    // LZW, minimum code size 2: clear (4), colour 0, end (5) in 3-bit codes.
    out += QByteArray("\x02\x02\x44\x01\0", 5);
    out += char(0x3b);
    return out;
}

inline bool canWrite(const char *format)
{
    return QImageWriter::supportedImageFormats().contains(QByteArray(format));
}

inline quint32 crc32(const QByteArray &data)
{
    quint32 crc = 0xffffffffu;
    for (const char c : data) {
        crc ^= uchar(c);
        for (int k = 0; k < 8; ++k)
            crc = (crc >> 1) ^ (0xedb88320u & (0u - (crc & 1u)));
    }
    return ~crc;
}

inline QByteArray pngChunk(const char *type, const QByteArray &data)
{
    QByteArray out(4, '\0');
    qToBigEndian<quint32>(quint32(data.size()), out.data());
    const QByteArray typed = QByteArray(type) + data;
    out += typed;
    QByteArray crc(4, '\0');
    qToBigEndian<quint32>(crc32(typed), crc.data());
    return out + crc;
}

// A valid PNG header claiming width×height RGBA pixels, with only a token of pixel data:
// what a decompression bomb looks like before decoding.
inline QByteArray hugePngHeader(quint32 width, quint32 height)
{
    QByteArray ihdr(13, '\0');
    qToBigEndian<quint32>(width, ihdr.data());
    qToBigEndian<quint32>(height, ihdr.data() + 4);
    ihdr[8] = 8; // bit depth
    ihdr[9] = 6; // RGBA
    const QByteArray idat = qCompress(QByteArray(4096, '\0')).mid(4); // a zlib stream
    return QByteArray("\x89PNG\r\n\x1a\n", 8) + pngChunk("IHDR", ihdr) + pngChunk("IDAT", idat)
        + pngChunk("IEND", {});
}

// A JPEG carrying an EXIF orientation tag (1..8), as cameras write them.
inline QByteArray jpegWithOrientation(const QByteArray &jpeg, quint16 orientation)
{
    QByteArray tiff("MM\0\x2a\0\0\0\x08", 8);
    tiff += QByteArray("\0\x01", 2); // one entry
    tiff += QByteArray("\x01\x12\0\x03\0\0\0\x01", 8); // Orientation, SHORT, 1 value
    tiff += char(orientation >> 8);
    tiff += char(orientation & 0xff);
    tiff += QByteArray("\0\0", 2);
    tiff += QByteArray("\0\0\0\0", 4); // no next IFD
    const QByteArray payload = QByteArray("Exif\0\0", 6) + tiff;
    QByteArray segment("\xff\xe1", 2);
    segment += char((payload.size() + 2) >> 8);
    segment += char((payload.size() + 2) & 0xff);
    segment += payload;
    return jpeg.left(2) + segment + jpeg.mid(2);
}

// Serves fixed answers by path, answers late, redirects, and can hold requests back
// until enough of them are waiting at once (to prove they were sent concurrently).
class ImageServer {
public:
    struct Route {
        int status = 200;
        QByteArray contentType;
        QByteArray body;
        QByteArray location;
        int delayMs = 0;
    };

    ImageServer()
    {
        m_server.setHandler([this](const qd::HttpRequest &request, const qd::HttpResponder &responder) {
            handle(request, responder);
        });
        QString error;
        if (!m_server.listen(QHostAddress::LocalHost, 0, &error))
            qFatal("%s", qPrintable(error));
    }

    QString url(const QString &path) const
    {
        return QStringLiteral("http://127.0.0.1:%1%2").arg(m_server.port()).arg(path);
    }
    quint16 port() const { return m_server.port(); }
    void serve(const QByteArray &path, Route route) { m_routes.insert(path, std::move(route)); }
    void serveImage(const QByteArray &path, const QByteArray &bytes, const QByteArray &type)
    {
        serve(path, Route { 200, type, bytes, {}, 0 });
    }
    // Requests under /gate/ are answered only once `count` of them are waiting together.
    void gate(int count, const QByteArray &body, const QByteArray &type)
    {
        m_gateCount = count;
        m_gateRoute = Route { 200, type, body, {}, 0 };
    }
    int requests(const QByteArray &path) const { return m_hits.value(path); }
    // The Host header the last request for `path` came with.
    QByteArray hostHeader(const QByteArray &path) const { return m_hosts.value(path); }

private:
    void handle(const qd::HttpRequest &request, const qd::HttpResponder &responder)
    {
        m_hits[request.path] += 1;
        m_hosts[request.path] = request.header("host");
        if (request.path.startsWith("/redirect/")) {
            // /redirect/N sends N more redirects, then the PNG at /img.png.
            const int n = request.path.mid(10).toInt();
            qd::HttpResponse r;
            r.status = 302;
            r.headers.append({ QByteArrayLiteral("Location"),
                n > 0 ? QByteArray("/redirect/" + QByteArray::number(n - 1))
                      : QByteArrayLiteral("/img.png") });
            responder.respond(r);
            return;
        }
        if (request.path.startsWith("/gate/")) {
            m_waiting.append(responder);
            if (m_waiting.size() >= m_gateCount) {
                for (const qd::HttpResponder &w : std::exchange(m_waiting, {}))
                    w.respond(response(m_gateRoute));
            }
            return;
        }
        const auto it = m_routes.constFind(request.path);
        if (it == m_routes.constEnd()) {
            qd::HttpResponse r;
            r.status = 404;
            r.headers.append({ QByteArrayLiteral("Content-Type"), QByteArrayLiteral("text/html") });
            r.body = "<html><body>not here</body></html>";
            responder.respond(r);
            return;
        }
        if (it->delayMs > 0) {
            const qd::HttpResponse r = response(*it);
            QTimer::singleShot(it->delayMs, &m_server, [responder, r] { responder.respond(r); });
            return;
        }
        responder.respond(response(*it));
    }

    static qd::HttpResponse response(const Route &route)
    {
        qd::HttpResponse r;
        r.status = route.status;
        if (!route.contentType.isEmpty())
            r.headers.append({ QByteArrayLiteral("Content-Type"), route.contentType });
        if (!route.location.isEmpty())
            r.headers.append({ QByteArrayLiteral("Location"), route.location });
        r.body = route.body;
        return r;
    }

    qd::HttpServer m_server;
    QHash<QByteArray, Route> m_routes;
    QHash<QByteArray, int> m_hits;
    QHash<QByteArray, QByteArray> m_hosts;
    QList<qd::HttpResponder> m_waiting;
    int m_gateCount = 1;
    Route m_gateRoute;
};

} // namespace qdtest
