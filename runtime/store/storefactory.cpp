#include "pgstore.h"
#include "queuestore.h"
#include "sqlitestore.h"

#include <QUrl>

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

QString likePattern(const QString &text)
{
    QString escaped = text;
    escaped.replace(QLatin1Char('\\'), QLatin1String("\\\\"));
    escaped.replace(QLatin1Char('%'), QLatin1String("\\%"));
    escaped.replace(QLatin1Char('_'), QLatin1String("\\_"));
    return QLatin1Char('%') + escaped + QLatin1Char('%');
}

} // namespace qd
