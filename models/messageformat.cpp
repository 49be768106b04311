#include "messageformat.h"

#include "statepalette.h"
#include "v8serialized.h"

#include <QDateTime>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLocale>
#include <QRegularExpression>

#include <array>
#include <optional>

namespace qd {

QString stateText(StateFilter state, const QString &sourceQueue)
{
    QString text = state == StateFilter::InFlight ? QStringLiteral("in flight") : stateFilterName(state);
    if (!sourceQueue.isEmpty())
        text += QStringLiteral(" · from %1").arg(sourceQueue);
    return text;
}

namespace {
// The palette's kind for each state a message can be in, and for the outcomes that have a
// colour of their own.
constexpr std::array<std::pair<StateFilter, MessageStateKind>, 5> kStateKinds { {
    { StateFilter::Ready, MessageStateKind::Ready },
    { StateFilter::Delayed, MessageStateKind::Delayed },
    { StateFilter::InFlight, MessageStateKind::InFlight },
    { StateFilter::Acked, MessageStateKind::Acked },
    { StateFilter::Failed, MessageStateKind::Failed },
} };
constexpr std::array<std::pair<AttemptOutcome, MessageStateKind>, 3> kOutcomeKinds { {
    { AttemptOutcome::Acked, MessageStateKind::Acked },
    { AttemptOutcome::Retried, MessageStateKind::Retried },
    { AttemptOutcome::DeadLettered, MessageStateKind::DeadLettered },
} };

template <typename E, std::size_t N>
std::optional<MessageStateKind> kindOf(const std::array<std::pair<E, MessageStateKind>, N> &table, E value)
{
    for (const auto &[v, kind] : table) {
        if (v == value)
            return kind;
    }
    return std::nullopt;
}
} // namespace

QColor stateColor(StateFilter state, const QString &sourceQueue)
{
    // Waiting in a dead-letter queue is what dead-lettered means; one that failed there
    // again, or was acked there, reads as that.
    const bool waitsInDlq
        = !sourceQueue.isEmpty() && (state == StateFilter::Ready || state == StateFilter::Delayed);
    const auto kind = waitsInDlq ? MessageStateKind::DeadLettered : kindOf(kStateKinds, state);
    // Asked at paint time, so a theme chosen in Preferences recolours the rows at once.
    return kind ? qd::stateColor(*kind) : QColor();
}

QColor outcomeColor(AttemptOutcome outcome)
{
    return qd::stateColor(kindOf(kOutcomeKinds, outcome).value_or(MessageStateKind::Failed));
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
