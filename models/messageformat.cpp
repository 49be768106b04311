#include "messageformat.h"

#include "statepalette.h"
#include "v8serialized.h"

#include <QDateTime>
#include <QHash>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLocale>
#include <QRegularExpression>

namespace qd {

QString stateText(const QString &state, const QString &sourceQueue)
{
    QString text = state == QLatin1String("inflight") ? QStringLiteral("in flight") : state;
    if (!sourceQueue.isEmpty())
        text += QStringLiteral(" · from %1").arg(sourceQueue);
    return text;
}

QColor stateColor(const QString &state, const QString &sourceQueue)
{
    static const QHash<QString, MessageStateKind> kinds {
        { QStringLiteral("ready"), MessageStateKind::Ready },
        { QStringLiteral("delayed"), MessageStateKind::Delayed },
        { QStringLiteral("inflight"), MessageStateKind::InFlight },
        { QStringLiteral("acked"), MessageStateKind::Acked },
        { QStringLiteral("retried"), MessageStateKind::Retried },
        { QStringLiteral("failed"), MessageStateKind::Failed },
        { QStringLiteral("dead_lettered"), MessageStateKind::DeadLettered },
    };
    // Waiting in a dead-letter queue is what dead-lettered means; one that failed there
    // again, or was acked there, reads as that.
    const bool waitsInDlq
        = !sourceQueue.isEmpty() && (state == QLatin1String("ready") || state == QLatin1String("delayed"));
    const auto kind = kinds.constFind(waitsInDlq ? QStringLiteral("dead_lettered") : state);
    if (kind == kinds.cend())
        return {};
    // Asked at paint time, so a theme chosen in Preferences recolours the rows at once.
    return qd::stateColor(*kind);
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

namespace {
QString prettyJson(const QJsonValue &v)
{
    if (v.isObject())
        return QString::fromUtf8(QJsonDocument(v.toObject()).toJson(QJsonDocument::Indented));
    if (v.isArray())
        return QString::fromUtf8(QJsonDocument(v.toArray()).toJson(QJsonDocument::Indented));
    // A lone scalar: QJsonDocument holds only objects and arrays, so write it in one and unwrap it.
    const QByteArray wrapped = QJsonDocument(QJsonArray { v }).toJson(QJsonDocument::Compact);
    return QString::fromUtf8(wrapped.mid(1, wrapped.size() - 2));
}
} // namespace

BodyView formatBody(const QByteArray &body, ContentType type)
{
    if (type == ContentType::V8) {
        const V8Decoded decoded = decodeV8Serialized(body);
        if (decoded.value)
            return { QStringLiteral("V8 structured clone, decoded"), prettyJson(*decoded.value),
                decoded.note };
        return { QStringLiteral("V8 structured clone, base64"), QString::fromLatin1(body.toBase64()),
            decoded.note };
    }
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
