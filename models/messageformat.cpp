#include "messageformat.h"

#include <QDateTime>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLocale>
#include <QRegularExpression>

namespace qd {

QString formatTimestamp(qint64 ms)
{
    if (ms <= 0)
        return {};
    return QDateTime::fromMSecsSinceEpoch(ms).toString(QStringLiteral("yyyy-MM-dd HH:mm:ss"));
}

QString durationText(qint64 ms)
{
    if (ms < 1000)
        return QStringLiteral("%1 ms").arg(ms);
    if (ms < 60'000)
        return QStringLiteral("%1 s").arg(double(ms) / 1000.0, 0, 'f', 1);
    return QStringLiteral("%1 min %2 s").arg(ms / 60'000).arg((ms % 60'000) / 1000);
}

QString stateText(const QString &state, const QString &sourceQueue)
{
    QString text = state == QLatin1String("inflight") ? QStringLiteral("in flight") : state;
    if (!sourceQueue.isEmpty())
        text += QStringLiteral(" · from %1").arg(sourceQueue);
    return text;
}

QColor stateColor(const QString &state)
{
    // Mid-tone colours that read on light and dark palettes alike.
    if (state == QLatin1String("failed"))
        return QColor(0xd6, 0x45, 0x45);
    if (state == QLatin1String("acked"))
        return QColor(0x3a, 0x9a, 0x4a);
    if (state == QLatin1String("inflight"))
        return QColor(0x2f, 0x7e, 0xd8);
    if (state == QLatin1String("delayed"))
        return QColor(0x9a, 0x7b, 0x2f);
    return {};
}

QString firstLine(const QString &text)
{
    const qsizetype nl = text.indexOf(QLatin1Char('\n'));
    return nl < 0 ? text : text.left(nl) + QStringLiteral(" …");
}

QString countText(qint64 n, const QString &one, const QString &many)
{
    return (n == 1 ? one : many).arg(QLocale().toString(n));
}

QString readableSignature(const QString &signature)
{
    // A run of placeholders with the dots, colons and slashes between them is one value
    // (an address, a host and port, a path of ids).
    static const QRegularExpression placeholders(QStringLiteral("<(?:n|url|id)>(?:[.:/x-]?<(?:n|url|id)>)*"));
    QString s = signature;
    s.replace(placeholders, QStringLiteral("…"));
    return s;
}

QString hexDump(const QByteArray &bytes, qsizetype maxBytes)
{
    QString out;
    const qsizetype n = std::min(bytes.size(), maxBytes);
    for (qsizetype row = 0; row < n; row += 16) {
        out += QStringLiteral("%1  ").arg(row, 8, 16, QLatin1Char('0'));
        QString ascii;
        for (qsizetype i = row; i < row + 16; ++i) {
            if (i < n) {
                const auto c = uchar(bytes.at(i));
                out += QStringLiteral("%1 ").arg(c, 2, 16, QLatin1Char('0'));
                ascii += (c >= 0x20 && c < 0x7f) ? QLatin1Char(char(c)) : QLatin1Char('.');
            } else {
                out += QLatin1String("   ");
            }
            if (i == row + 7)
                out += QLatin1Char(' ');
        }
        out += QLatin1String(" |") + ascii + QLatin1String("|\n");
    }
    if (bytes.size() > n)
        out += QStringLiteral("… %1 more bytes\n").arg(bytes.size() - n);
    return out;
}

BodyView formatBody(const QByteArray &body, ContentType type)
{
    if (type == ContentType::Json) {
        // Any JSON value, not only objects: parse it inside an array.
        QJsonParseError error;
        const QJsonDocument doc = QJsonDocument::fromJson('[' + body + ']', &error);
        if (error.error == QJsonParseError::NoError && doc.isArray()) {
            const QJsonValue v = doc.array().at(0);
            if (v.isObject())
                return { QStringLiteral("JSON"),
                    QString::fromUtf8(QJsonDocument(v.toObject()).toJson(QJsonDocument::Indented)) };
            if (v.isArray())
                return { QStringLiteral("JSON"),
                    QString::fromUtf8(QJsonDocument(v.toArray()).toJson(QJsonDocument::Indented)) };
            return { QStringLiteral("JSON"), QString::fromUtf8(body) };
        }
    }
    if (type == ContentType::Text || type == ContentType::Json)
        return { QStringLiteral("text"), QString::fromUtf8(body) };
    return { QStringLiteral("bytes"), hexDump(body) };
}

} // namespace qd
