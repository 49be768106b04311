// SqliteStore as the message views' reader: their filtered pages, counts, seqs and positions,
// with the filter's SQL from MessageFilterSql, bound to statements kept per shape of filter.
#include "sqlitestore.h"

#include "messagefiltersql.h"
#include "sqlitestatement.h"

#include <variant>

namespace qd {

SqliteStatement &SqliteStore::filtered(
    const QString &select, const MessageFilterSql &filter, const QString &tail)
{
    auto &s = stmt((select + filter.from() + tail).toUtf8().constData());
    for (const auto &[slot, value] : filter.values())
        std::visit([&s, slot = slot](const auto &v) { s.bind(slot, v); }, value);
    return s;
}

std::vector<Message> SqliteStore::listMessages(
    const MessageFilter &filter, qint64 nowMs, int offset, int limit)
{
    static const QString select = QStringLiteral("SELECT ") + QLatin1String(kMessageColumns);
    MessageFilterSql sql(SqlDialect::Sqlite, filter, nowMs);
    const QString tail = sql.orderBy() + sql.page(offset, limit);
    return readMessages(filtered(select, sql, tail));
}

qint64 SqliteStore::countMessages(const MessageFilter &filter, qint64 nowMs)
{
    return filtered(
        QStringLiteral("SELECT count(*)"), MessageFilterSql(SqlDialect::Sqlite, filter, nowMs), {})
        .scalar()
        .value_or(0);
}

std::vector<qint64> SqliteStore::selectSeqs(const MessageFilter &filter, qint64 nowMs)
{
    auto &s = filtered(QStringLiteral("SELECT seq"), MessageFilterSql(SqlDialect::Sqlite, filter, nowMs),
        QStringLiteral(" ORDER BY seq"));
    std::vector<qint64> out;
    while (s.next())
        out.push_back(s.i64(0));
    return out;
}

qint64 SqliteStore::positionOf(const MessageFilter &filter, qint64 nowMs, qint64 seq)
{
    MessageFilterSql sql(SqlDialect::Sqlite, filter, nowMs);
    if (filtered(QStringLiteral("SELECT count(*)"), sql, sql.only(seq)).scalar().value_or(0) == 0)
        return -1;
    return filtered(QStringLiteral("SELECT count(*)"), sql, sql.before(seq)).scalar().value_or(0);
}

} // namespace qd
