// SqliteStore's search index upkeep: message_text, a trigram FTS5 index of each message's body
// and last error, covers the messages up to search_indexed.seq (docs/architecture.md,
// "Search"). The indexer adds the newer ones in chunks when no send waits; the store's
// writes keep the entries of covered rows as those rows change.
#include "sqlitestore.h"

#include "sqlitestatement.h"

#include <sqlite3.h>

namespace qd {

qint64 SqliteStore::searchIndexedTo()
{
    return stmt("SELECT seq FROM search_indexed").scalar().value_or(0);
}

void SqliteStore::indexText(qint64 seq)
{
    stmt("INSERT INTO message_text(rowid, body_text, error_text) SELECT seq, body, last_error FROM messages "
         "WHERE seq = ?1")
        .bind(1, seq)
        .run();
}

// An entry of a contentless index is removed with the values it was made from: the row's own.
void SqliteStore::unindexText(qint64 seq)
{
    stmt("INSERT INTO message_text(message_text, rowid, body_text, error_text) SELECT 'delete', seq, body, "
         "last_error FROM messages WHERE seq = ?1")
        .bind(1, seq)
        .run();
}

int SqliteStore::indexSearchText(int maxRows)
{
    const qint64 from = searchIndexedTo();
    const std::optional<qint64> to
        = stmt("SELECT max(seq) FROM (SELECT seq FROM messages WHERE seq > ?1 ORDER BY seq LIMIT ?2)")
              .bind(1, from)
              .bind(2, qint64(maxRows))
              .scalar();
    if (!to)
        return 0;
    begin();
    stmt("INSERT INTO message_text(rowid, body_text, error_text) SELECT seq, body, last_error FROM messages "
         "WHERE seq > ?1 AND seq <= ?2")
        .bind(1, from)
        .bind(2, *to)
        .run();
    const int indexed = sqlite3_changes(m_db);
    stmt("UPDATE search_indexed SET seq = ?1").bind(1, *to).run();
    return indexed;
}

} // namespace qd
