#include "message.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRandomGenerator>

#include <array>

namespace qd {

namespace {
constexpr std::array<std::pair<ContentType, const char *>, 4> kContentNames { {
    { ContentType::Json, "json" },
    { ContentType::Text, "text" },
    { ContentType::Bytes, "bytes" },
    { ContentType::V8, "v8" },
} };
constexpr std::array<std::pair<StateFilter, const char *>, 6> kStateNames { {
    { StateFilter::Any, "" },
    { StateFilter::Ready, "ready" },
    { StateFilter::Delayed, "delayed" },
    { StateFilter::InFlight, "inflight" },
    { StateFilter::Acked, "acked" },
    { StateFilter::Failed, "failed" },
} };
constexpr std::array<std::pair<AttemptOutcome, const char *>, 6> kOutcomeNames { {
    { AttemptOutcome::Acked, "acked" },
    { AttemptOutcome::Retried, "retried" },
    { AttemptOutcome::DeadLettered, "dead_lettered" },
    { AttemptOutcome::Failed, "failed" },
    { AttemptOutcome::LeaseExpired, "lease_expired" },
    { AttemptOutcome::Interrupted, "interrupted" },
} };

template <typename E, std::size_t N>
QString nameOf(const std::array<std::pair<E, const char *>, N> &table, E value)
{
    for (const auto &[v, name] : table) {
        if (v == value)
            return QLatin1String(name);
    }
    return {};
}

template <typename E, std::size_t N>
bool valueOf(const std::array<std::pair<E, const char *>, N> &table, const QString &name, E *out)
{
    for (const auto &[v, n] : table) {
        if (name == QLatin1String(n)) {
            *out = v;
            return true;
        }
    }
    return false;
}
} // namespace

QString contentTypeName(ContentType type)
{
    return nameOf(kContentNames, type);
}

bool contentTypeFromName(const QString &name, ContentType *type)
{
    return valueOf(kContentNames, name, type);
}

QString stateFilterName(StateFilter f)
{
    return nameOf(kStateNames, f);
}

bool stateFilterFromName(const QString &name, StateFilter *f)
{
    return valueOf(kStateNames, name, f);
}

QString attemptOutcomeName(AttemptOutcome outcome)
{
    return nameOf(kOutcomeNames, outcome);
}

bool attemptOutcomeFromName(const QString &name, AttemptOutcome *outcome)
{
    return valueOf(kOutcomeNames, name, outcome);
}

QString newMessageId()
{
    quint64 words[2];
    QRandomGenerator::global()->fillRange(words, 2);
    const QByteArray raw(reinterpret_cast<const char *>(words), sizeof words);
    return QString::fromLatin1(raw.toHex());
}

QJsonValue messageBodyJson(const Message &m)
{
    switch (m.contentType) {
    case ContentType::Json: {
        // Any JSON value, not only objects: parse it inside an array.
        const QJsonDocument doc = QJsonDocument::fromJson('[' + m.body + ']');
        return doc.isArray() ? doc.array().at(0) : QJsonValue(QString::fromUtf8(m.body));
    }
    case ContentType::Text:
        return QString::fromUtf8(m.body);
    case ContentType::Bytes:
    case ContentType::V8:
        return QString::fromLatin1(m.body.toBase64());
    }
    return {};
}

StateFilter visibleState(const Message &m, qint64 nowMs)
{
    switch (m.state) {
    case MessageState::Pending:
        return m.visibleAtMs <= nowMs ? StateFilter::Ready : StateFilter::Delayed;
    case MessageState::InFlight:
        return StateFilter::InFlight;
    case MessageState::Acked:
        return StateFilter::Acked;
    case MessageState::Failed:
        return StateFilter::Failed;
    }
    return StateFilter::Any;
}

QString messageStateName(const Message &m, qint64 nowMs)
{
    return stateFilterName(visibleState(m, nowMs));
}

ImageJobFields imageJobFields(const Message &m)
{
    if (m.contentType != ContentType::Json)
        return {};
    const QJsonDocument doc = QJsonDocument::fromJson(m.body);
    if (!doc.isObject())
        return {};
    const QJsonObject o = doc.object();
    const auto text = [&](QLatin1String key) {
        const QJsonValue v = o.value(key);
        return v.isString() ? v.toString() : QString();
    };
    return { text(QLatin1String("userId")), text(QLatin1String("imageUrl")) };
}

} // namespace qd
