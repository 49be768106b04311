#pragma once

#include "queuestore.h"

#include <QString>

#include <functional>
#include <map>
#include <variant>

namespace qd {

// The columns every read of whole messages selects, in the order both stores read them.
inline constexpr const char *kMessageColumns
    = "seq, id, queue_id, body, content_type, timestamp_ms, visible_at, "
      "attempts, state, lease_id, lease_expires, "
      "batch_id, source_queue_id, last_error, updated_ms";

// The two SQL dialects the stores speak.
enum class SqlDialect { Sqlite, Postgres };

// A MessageFilter as SQL, built once for both stores: the WHERE clause, the sort keys of
// listMessages() and the comparisons positionOf() counts with. Values never go into the
// text: it names each by a fixed ?N, so SQLite keeps one prepared statement per shape of
// filter and binds values(), and PostgreSQL fills them in as quoted literals (withValues()).
class MessageFilterSql {
public:
    using Value = std::variant<qint64, QString>;

    MessageFilterSql(SqlDialect dialect, const MessageFilter &filter, qint64 nowMs);

    // " FROM messages WHERE …": the rows the filter matches.
    const QString &from() const { return m_from; }
    // " ORDER BY …": listMessages() order, ties by seq.
    QString orderBy() const;
    // " LIMIT … OFFSET …" of one page.
    QString page(int offset, int limit);
    // " AND …" that keeps only the message `seq`.
    QString only(qint64 seq);
    // " AND …" that keeps the rows before the message `seq` in orderBy() order.
    QString before(qint64 seq);

    const std::map<int, Value> &values() const { return m_values; }

    // A SQLite search whose free text the trigram index serves, in seq order, is read in two
    // parts, so its first page is read lazily from the index (docs/architecture.md, "Search"):
    // the messages not indexed yet (tailFrom(), all after the indexed ones in seq) and the
    // indexed ones (indexedFrom(), ordered by indexedOrderBy()). from() is both at once.
    bool inTwoParts() const;
    const QString &tailFrom() const { return m_tailFrom; }
    const QString &indexedFrom() const { return m_indexedFrom; }
    QString indexedOrderBy() const;

private:
    QString sortKey() const;

    SqlDialect m_dialect;
    MessageFilter m_filter;
    bool m_indexed = false; // the free text is looked up in message_text
    bool m_idLike = false; // the free text could be a message id
    QString m_tailFrom;
    QString m_indexedFrom;
    QString m_from;
    std::map<int, Value> m_values;
};

// `sql` with each ?N replaced by quote(value N) for a text or the number itself, in one pass
// over our own SQL text, so a value that holds "?3" is never taken for a placeholder.
QString withValues(const QString &sql, const std::map<int, MessageFilterSql::Value> &values,
    const std::function<QString(const QString &)> &quote);

} // namespace qd
