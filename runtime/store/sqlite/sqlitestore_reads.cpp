// SqliteStore as the message views' reader: their filtered pages, counts, seqs and positions,
// with the filter's SQL from MessageFilterSql, bound to statements kept per shape of filter.
#include "sqlitestore.h"

#include "messagefiltersql.h"
#include "sqlitestatement.h"

#include <sqlite3.h>

#include <algorithm>
#include <iterator>
#include <variant>

namespace qd {

namespace {

// The messages' columns for a read that may join message_text, whose rowid is also a column.
QString messageColumns()
{
    return QStringLiteral("SELECT ") + QLatin1String(kMessageColumns);
}

} // namespace

SqliteStatement &SqliteStore::filtered(
    const QString &select, const MessageFilterSql &filter, const QString &tail)
{
    return filteredFrom(select, filter, filter.from(), tail);
}

SqliteStatement &SqliteStore::filteredFrom(
    const QString &select, const MessageFilterSql &filter, const QString &from, const QString &tail)
{
    auto &s = stmt((select + from + tail).toUtf8().constData());
    for (const auto &[slot, value] : filter.values())
        std::visit([&s, slot = slot](const auto &v) { s.bind(slot, v); }, value);
    return s;
}

qint64 SqliteStore::countFrom(const MessageFilterSql &filter, const QString &from, const QString &tail)
{
    return filteredFrom(QStringLiteral("SELECT count(*)"), filter, from, tail).scalar().value_or(0);
}

// Reads that take more than one statement see one snapshot, unless the caller's already do.
class SqliteStore::Snapshot {
public:
    explicit Snapshot(SqliteStore *store)
        : m_store(store)
        , m_own(sqlite3_get_autocommit(store->m_db) != 0)
    {
        if (m_own)
            m_store->exec("BEGIN");
    }
    ~Snapshot()
    {
        if (m_own)
            m_store->exec("COMMIT");
    }
    Snapshot(const Snapshot &) = delete;
    Snapshot &operator=(const Snapshot &) = delete;

private:
    SqliteStore *m_store;
    bool m_own;
};

std::vector<Message> SqliteStore::listMessages(
    const MessageFilter &filter, qint64 nowMs, int offset, int limit)
{
    MessageFilterSql sql(SqlDialect::Sqlite, filter, nowMs);
    if (!sql.inTwoParts()) {
        const QString tail = sql.orderBy() + sql.page(offset, limit);
        return readMessages(filtered(messageColumns(), sql, tail));
    }
    // In seq order the messages not indexed yet all come after the indexed ones: first the
    // part the order starts with, then, if the page reaches past its end, the other.
    const Snapshot snapshot(this);
    const bool descending = filter.descending;
    const QString &firstFrom = descending ? sql.tailFrom() : sql.indexedFrom();
    const QString &secondFrom = descending ? sql.indexedFrom() : sql.tailFrom();
    const QString firstOrder = descending ? sql.orderBy() : sql.indexedOrderBy();
    const QString secondOrder = descending ? sql.indexedOrderBy() : sql.orderBy();
    const QString page = sql.page(offset, limit);
    std::vector<Message> rows
        = readMessages(filteredFrom(messageColumns(), sql, firstFrom, firstOrder + page));
    if (int(rows.size()) == limit)
        return rows;
    const qint64 firstCount = rows.empty() ? countFrom(sql, firstFrom, {}) : offset + qint64(rows.size());
    const QString rest = sql.page(int(std::max<qint64>(0, offset - firstCount)), limit - int(rows.size()));
    std::vector<Message> more
        = readMessages(filteredFrom(messageColumns(), sql, secondFrom, secondOrder + rest));
    std::move(more.begin(), more.end(), std::back_inserter(rows));
    return rows;
}

qint64 SqliteStore::countMessages(const MessageFilter &filter, qint64 nowMs)
{
    const MessageFilterSql sql(SqlDialect::Sqlite, filter, nowMs);
    if (!sql.inTwoParts())
        return countFrom(sql, sql.from(), {});
    const Snapshot snapshot(this);
    return countFrom(sql, sql.tailFrom(), {}) + countFrom(sql, sql.indexedFrom(), {});
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
    const QString before = sql.before(seq);
    if (!sql.inTwoParts())
        return countFrom(sql, sql.from(), before);
    const Snapshot snapshot(this);
    return countFrom(sql, sql.tailFrom(), before) + countFrom(sql, sql.indexedFrom(), before);
}

} // namespace qd
