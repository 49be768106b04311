#include "messagesearch.h"

namespace qd {

namespace {

struct Token {
    QString key; // empty for free text
    QString value;
    QString raw;
};

// Reads a value at `i`: "quoted" (backslash escapes the next character) or up to a space.
QString readValue(const QString &s, qsizetype &i)
{
    QString out;
    if (i < s.size() && s[i] == QLatin1Char('"')) {
        ++i;
        while (i < s.size() && s[i] != QLatin1Char('"')) {
            if (s[i] == QLatin1Char('\\') && i + 1 < s.size())
                ++i;
            out += s[i++];
        }
        if (i < s.size())
            ++i; // the closing quote; a missing one ends at the end of the input
        return out;
    }
    while (i < s.size() && !s[i].isSpace())
        out += s[i++];
    return out;
}

std::vector<Token> tokenize(const QString &s)
{
    std::vector<Token> out;
    qsizetype i = 0;
    while (i < s.size()) {
        if (s[i].isSpace()) {
            ++i;
            continue;
        }
        const qsizetype start = i;
        Token t;
        if (s[i] != QLatin1Char('"')) {
            qsizetype j = i;
            while (j < s.size() && (s[j].isLetter() || s[j] == QLatin1Char('_')))
                ++j;
            if (j > i && j < s.size() && s[j] == QLatin1Char(':')) {
                t.key = s.mid(i, j - i).toLower();
                i = j + 1;
            }
        }
        t.value = readValue(s, i);
        t.raw = s.mid(start, i - start);
        out.push_back(std::move(t));
    }
    return out;
}

std::optional<qint64> durationMs(const QString &v)
{
    if (v.size() < 2)
        return std::nullopt;
    bool ok = false;
    const qint64 n = v.left(v.size() - 1).toLongLong(&ok);
    if (!ok || n <= 0)
        return std::nullopt;
    switch (v.back().toLower().unicode()) {
    case 's':
        return n * 1000;
    case 'm':
        return n * 60'000;
    case 'h':
        return n * 3'600'000;
    case 'd':
        return n * 86'400'000;
    default:
        return std::nullopt;
    }
}

} // namespace

MessageSearch MessageSearch::parse(const QString &input)
{
    MessageSearch out;
    QStringList words;
    for (const Token &t : tokenize(input)) {
        if (t.key.isEmpty()) {
            if (!t.value.isEmpty())
                words.append(t.value);
        } else if (t.value.isEmpty()) {
            out.problems.append(QStringLiteral("%1: needs a value").arg(t.key));
        } else if (t.key == QLatin1String("queue")) {
            out.queue = t.value;
        } else if (t.key == QLatin1String("state")) {
            const QString v = t.value.toLower();
            StateFilter f = StateFilter::Any;
            if (v == attemptOutcomeName(AttemptOutcome::DeadLettered) || v == QLatin1String("dlq")
                || v == QLatin1String("dead")) {
                out.deadLettered = true;
            } else if (v == QLatin1String("in_flight") || v == QLatin1String("in-flight")) {
                out.state = StateFilter::InFlight;
            } else if (stateFilterFromName(v, &f) && f != StateFilter::Any) {
                out.state = f;
            } else {
                out.problems.append(
                    QStringLiteral("state:%1 is not a state (ready, delayed, inflight, acked, failed, "
                                   "dead_lettered)")
                        .arg(t.value));
            }
        } else if (t.key == QLatin1String("error") || t.key == QLatin1String("err")) {
            out.errorText = t.value;
        } else if (t.key == QLatin1String("user")) {
            out.userId = t.value;
        } else if (t.key == QLatin1String("since")) {
            if (const auto ms = durationMs(t.value))
                out.sinceMs = *ms;
            else
                out.problems.append(
                    QStringLiteral("since:%1 is not a duration like 15m, 2h or 7d").arg(t.value));
        } else {
            // Someone searching for "https://x" or "a:b" means the text; only a word that
            // looks like a mistyped key is worth a remark.
            if (!t.value.startsWith(QLatin1String("//")))
                out.problems.append(
                    QStringLiteral("%1: is not a filter (queue, state, error, user, since)").arg(t.key));
            words.append(t.raw);
        }
    }
    out.text = words.join(QLatin1Char(' '));
    return out;
}

bool MessageSearch::isEmpty() const
{
    return queue.isEmpty() && !state && !deadLettered && errorText.isEmpty() && userId.isEmpty()
        && text.isEmpty() && sinceMs == 0;
}

bool MessageSearch::applyTo(MessageFilter *filter,
    const std::function<std::optional<qint64>(const QString &)> &queueId, qint64 nowMs, QString *error) const
{
    if (!queue.isEmpty()) {
        const auto id = queueId(queue);
        if (!id) {
            *error = QStringLiteral("no queue is called \"%1\"").arg(queue);
            return false;
        }
        filter->queueId = id;
    }
    if (state)
        filter->state = *state;
    if (deadLettered)
        filter->deadLettered = true;
    if (!errorText.isEmpty())
        filter->errorText = errorText;
    if (!userId.isEmpty())
        filter->userId = userId;
    if (!text.isEmpty())
        filter->text = text;
    if (sinceMs > 0)
        filter->fromMs = std::max(filter->fromMs, nowMs - sinceMs);
    return true;
}

QString errorSignaturePattern(const QString &signature)
{
    static const QString placeholders[] = { QStringLiteral("<url>"), QStringLiteral("<id>"),
        QStringLiteral("<n>"), QStringLiteral("\"\u2026\"") };
    QString out = QStringLiteral("%"); // signatures are trimmed
    qsizetype i = 0;
    const auto wildcard = [&out] {
        if (!out.endsWith(QLatin1Char('%')))
            out += QLatin1Char('%');
    };
    while (i < signature.size()) {
        bool matched = false;
        for (const QString &p : placeholders) {
            if (QStringView(signature).mid(i).startsWith(p)) {
                wildcard();
                i += p.size();
                matched = true;
                break;
            }
        }
        if (matched)
            continue;
        const QChar c = signature.at(i++);
        if (c.isSpace()) {
            wildcard();
        } else {
            if (c == QLatin1Char('%') || c == QLatin1Char('_') || c == QLatin1Char('\\'))
                out += QLatin1Char('\\');
            out += c;
        }
    }
    wildcard();
    return out;
}

} // namespace qd
