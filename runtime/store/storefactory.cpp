#include "pgstore.h"
#include "queuestore.h"
#include "sqlitestore.h"

#include <QUrl>

#include <set>

namespace qd {

bool isPostgresSpec(const QString &spec)
{
    return spec.startsWith(QLatin1String("postgresql://")) || spec.startsWith(QLatin1String("postgres://"));
}

std::unique_ptr<QueueStore> makeStore(const QString &spec)
{
    if (isPostgresSpec(spec))
        return std::make_unique<PgStore>(spec);
    return std::make_unique<SqliteStore>(spec);
}

QString displayStoreSpec(const QString &spec)
{
    if (!isPostgresSpec(spec))
        return spec;
    QUrl url(spec);
    url.setPassword({});
    return url.toString();
}

void addStateCount(
    QueueCounts &c, MessageState state, qint64 visible, qint64 n, qint64 bytes, qint64 oldestMs)
{
    switch (state) {
    case MessageState::Pending:
        c.ready += visible;
        c.delayed += n - visible;
        c.backlogBytes += bytes;
        if (c.oldestTimestampMs == 0 || oldestMs < c.oldestTimestampMs)
            c.oldestTimestampMs = oldestMs;
        break;
    case MessageState::InFlight:
        c.inFlight += n;
        break;
    case MessageState::Acked:
        c.acked += n;
        break;
    case MessageState::Failed:
        c.failed += n;
        break;
    }
}

QString compareTotals(const StateTotals &kept, const StateTotals &counted)
{
    std::set<std::pair<qint64, int>> keys;
    for (const auto &[key, value] : kept)
        keys.insert(key);
    for (const auto &[key, value] : counted)
        keys.insert(key);
    for (const auto &key : keys) {
        const auto k = kept.find(key);
        const auto c = counted.find(key);
        const std::pair<qint64, qint64> keptValue
            = k == kept.end() ? std::pair<qint64, qint64> {} : k->second;
        const std::pair<qint64, qint64> countedValue
            = c == counted.end() ? std::pair<qint64, qint64> {} : c->second;
        if (keptValue != countedValue)
            return QStringLiteral(
                "queue %1, state %2: totals say %3 messages of %4 bytes, the messages are %5 of %6")
                .arg(key.first)
                .arg(key.second)
                .arg(keptValue.first)
                .arg(keptValue.second)
                .arg(countedValue.first)
                .arg(countedValue.second);
    }
    return {};
}

QString likePattern(const QString &text)
{
    QString escaped = text;
    escaped.replace(QLatin1Char('\\'), QLatin1String("\\\\"));
    escaped.replace(QLatin1Char('%'), QLatin1String("\\%"));
    escaped.replace(QLatin1Char('_'), QLatin1String("\\_"));
    return QLatin1Char('%') + escaped + QLatin1Char('%');
}

} // namespace qd
