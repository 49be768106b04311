#include "messageformat.h"

#include "statepalette.h"
#include "v8serialized.h"

#include <QDateTime>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLocale>
#include <QRegularExpression>

namespace qd {

QString stateText(StateFilter state, const QString &sourceQueue)
{
    QString text = state == StateFilter::InFlight ? QStringLiteral("in flight") : stateFilterName(state);
    if (!sourceQueue.isEmpty())
        text += QStringLiteral(" · from %1").arg(sourceQueue);
    return text;
}

QColor stateColor(StateFilter state, const QString &sourceQueue)
{
    // Waiting in a dead-letter queue is what dead-lettered means; one that failed there
    // again, or was acked there, reads as that.
    const bool waitsInDlq
        = !sourceQueue.isEmpty() && (state == StateFilter::Ready || state == StateFilter::Delayed);
    if (waitsInDlq)
        return qd::stateColor(MessageStateKind::DeadLettered);
    // Asked at paint time, so a theme chosen in Preferences recolours the rows at once.
    switch (state) {
    case StateFilter::Ready:
        return qd::stateColor(MessageStateKind::Ready);
    case StateFilter::Delayed:
        return qd::stateColor(MessageStateKind::Delayed);
    case StateFilter::InFlight:
        return qd::stateColor(MessageStateKind::InFlight);
    case StateFilter::Acked:
        return qd::stateColor(MessageStateKind::Acked);
    case StateFilter::Failed:
        return qd::stateColor(MessageStateKind::Failed);
    case StateFilter::Any:
        break;
    }
    return {};
}

QColor outcomeColor(AttemptOutcome outcome)
{
    switch (outcome) {
    case AttemptOutcome::Acked:
        return qd::stateColor(MessageStateKind::Acked);
    case AttemptOutcome::Retried:
        return qd::stateColor(MessageStateKind::Retried);
    case AttemptOutcome::DeadLettered:
        return qd::stateColor(MessageStateKind::DeadLettered);
    case AttemptOutcome::Failed:
    case AttemptOutcome::LeaseExpired:
    case AttemptOutcome::Interrupted:
        break;
    }
    return qd::stateColor(MessageStateKind::Failed);
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
