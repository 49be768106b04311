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

QString likePattern(const QString &text)
{
    QString escaped = text;
    escaped.replace(QLatin1Char('\\'), QLatin1String("\\\\"));
    escaped.replace(QLatin1Char('%'), QLatin1String("\\%"));
    escaped.replace(QLatin1Char('_'), QLatin1String("\\_"));
    return QLatin1Char('%') + escaped + QLatin1Char('%');
}

} // namespace qd
