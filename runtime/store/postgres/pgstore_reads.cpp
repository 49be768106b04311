// PgStore as the message views' reader: their filtered pages, counts, seqs and positions,
// with the filter's SQL from MessageFilterSql, and the snapshots they are read in.
#include "pgstore.h"

#include "messagefiltersql.h"

#include <QSqlDatabase>
#include <QSqlQuery>

namespace qd {

QString PgStore::filled(const MessageFilterSql &filter, const QString &sql) const
{
    return withValues(sql, filter.values(), [this](const QString &text) { return lit(text); });
}

std::vector<Message> PgStore::listMessages(const MessageFilter &filter, qint64 nowMs, int offset, int limit)
{
    MessageFilterSql sql(SqlDialect::Postgres, filter, nowMs);
    const QString tail = sql.orderBy() + sql.page(offset, limit);
    return readMessages(
        filled(sql, QStringLiteral("SELECT ") + QLatin1String(kMessageColumns) + sql.from() + tail));
}

qint64 PgStore::countMessages(const MessageFilter &filter, qint64 nowMs)
{
    const MessageFilterSql sql(SqlDialect::Postgres, filter, nowMs);
    return scalar(filled(sql, QStringLiteral("SELECT count(*)") + sql.from())).value_or(0);
}

std::vector<qint64> PgStore::selectSeqs(const MessageFilter &filter, qint64 nowMs)
{
    flushInserts();
    std::vector<qint64> out;
    const MessageFilterSql sql(SqlDialect::Postgres, filter, nowMs);
    QSqlQuery q(QSqlDatabase::database(m_connection, false));
    if (!run(q, filled(sql, QStringLiteral("SELECT seq") + sql.from() + QStringLiteral(" ORDER BY seq"))))
        return out;
    while (q.next())
        out.push_back(q.value(0).toLongLong());
    return out;
}

qint64 PgStore::positionOf(const MessageFilter &filter, qint64 nowMs, qint64 seq)
{
    MessageFilterSql sql(SqlDialect::Postgres, filter, nowMs);
    const QString member = QStringLiteral("SELECT count(*)") + sql.from() + sql.only(seq);
    if (scalar(filled(sql, member)).value_or(0) == 0)
        return -1;
    const QString before = QStringLiteral("SELECT count(*)") + sql.from() + sql.before(seq);
    return scalar(filled(sql, before)).value_or(0);
}

void PgStore::beginRead()
{
    run(QStringLiteral("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY"));
}

void PgStore::endRead()
{
    run(QStringLiteral("COMMIT"));
}

} // namespace qd
