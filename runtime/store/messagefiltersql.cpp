#include "messagefiltersql.h"

#include <QStringList>

#include <algorithm>

namespace qd {

namespace {

// The placeholders, one number per value whatever the filter uses, so a statement's text
// depends on the filter's shape only.
enum Slot {
    kQueue = 1,
    kNow = 2,
    kId = 3,
    kTextPattern = 4,
    kFrom = 5,
    kTo = 6,
    kLimit = 7,
    kOffset = 8,
    kErrorText = 9,
    kUserId = 10,
    kSeq = 11,
    kErrorPattern = 12,
    kBodyPattern = 13,
    kTextMatch = 14,
};

QString slot(int n)
{
    return QLatin1Char('?') + QString::number(n);
}

// A stored state as the stores keep it: the enum's number.
QString code(MessageState state)
{
    return QString::number(int(state));
}

// A JSON body's field on SQLite, NULL for other bodies; json_valid keeps one bad row from
// failing a query. PostgreSQL keeps userId and imageUrl in columns of their own.
QString sqliteBodyField(const char *name)
{
    return QStringLiteral("(CASE WHEN content_type = 0 AND json_valid(body) THEN json_extract(body, '$.")
        + QLatin1String(name) + QStringLiteral("') END)");
}

// The User sort key: the userId, '' for none, compared byte by byte. Written as the
// messages_by_user index of either store's schema has it.
QString userKey(SqlDialect dialect)
{
    if (dialect == SqlDialect::Postgres)
        return QStringLiteral("coalesce(user_id, '') COLLATE \"C\"");
    return QStringLiteral("coalesce(") + sqliteBodyField("userId") + QStringLiteral(", '')");
}

// `pattern` with ASCII letters in lower case, to be LIKE'd against qd_body_text(body)
// (pgstore_schema.cpp), which lowers a body's.
QString asciiLower(QString pattern)
{
    for (QChar &c : pattern) {
        if (c >= QLatin1Char('A') && c <= QLatin1Char('Z'))
            c = QChar(c.unicode() + ('a' - 'A'));
    }
    return pattern;
}

// `text`'s UTF-8 bytes one character each, as kPgBodyText reads a body. Computed here rather
// than by convert_from() in the query, so the planner sees a constant it can estimate.
QString asLatin1Bytes(const QString &text)
{
    return QString::fromLatin1(text.toUtf8());
}

// The shortest free text the trigram indexes serve; a shorter one is searched row by row.
constexpr qsizetype kTrigram = 3;

// Every message id the runtime makes is 32 lower-case hex digits (newMessageId(),
// orderedMessageId()); only such a text can equal one.
bool couldBeMessageId(const QString &lowered)
{
    return lowered.size() == 32 && std::all_of(lowered.begin(), lowered.end(), [](QChar c) {
        return (c >= QLatin1Char('0') && c <= QLatin1Char('9'))
            || (c >= QLatin1Char('a') && c <= QLatin1Char('f'));
    });
}

// An FTS5 query for the rows of message_text whose body or error holds every trigram of
// `text` that a substring match needs: its trigrams at every third character and the last
// one, each a quoted string. The index keeps no positions (detail=none), so this finds a
// superset of the rows LIKE '%text%' finds, and the query keeps the LIKE to decide.
QString trigramMatch(const QList<uint> &chars)
{
    QStringList terms;
    const qsizetype last = chars.size() - kTrigram;
    for (qsizetype at = 0;; at += kTrigram) {
        at = std::min(at, last);
        QString term
            = QString::fromUcs4(reinterpret_cast<const char32_t *>(chars.constData() + at), kTrigram);
        term.replace(QLatin1Char('"'), QLatin1String("\"\""));
        terms.append(QLatin1Char('"') + term + QLatin1Char('"'));
        if (at == last)
            break;
    }
    return terms.join(QLatin1String(" AND "));
}

} // namespace

MessageFilterSql::MessageFilterSql(SqlDialect dialect, const MessageFilter &filter, qint64 nowMs)
    : m_dialect(dialect)
    , m_filter(filter)
{
    const bool pg = dialect == SqlDialect::Postgres;
    // SQLite's LIKE ignores ASCII case already; PostgreSQL's needs ILIKE for the same.
    const QString like = pg ? QStringLiteral(" ILIKE ") : QStringLiteral(" LIKE ");
    QString &sql = m_from;
    sql = pg ? QStringLiteral(" FROM messages WHERE true") : QStringLiteral(" FROM messages WHERE 1");
    if (filter.queueId) {
        sql += QStringLiteral(" AND queue_id = ") + slot(kQueue);
        m_values[kQueue] = *filter.queueId;
    }
    switch (filter.state) {
    case StateFilter::Any:
        break;
    case StateFilter::Ready:
        sql += QStringLiteral(" AND state = ") + code(MessageState::Pending)
            + QStringLiteral(" AND visible_at <= ") + slot(kNow);
        m_values[kNow] = nowMs;
        break;
    case StateFilter::Delayed:
        sql += QStringLiteral(" AND state = ") + code(MessageState::Pending)
            + QStringLiteral(" AND visible_at > ") + slot(kNow);
        m_values[kNow] = nowMs;
        break;
    case StateFilter::InFlight:
        sql += QStringLiteral(" AND state = ") + code(MessageState::InFlight);
        break;
    case StateFilter::Acked:
        sql += QStringLiteral(" AND state = ") + code(MessageState::Acked);
        break;
    case StateFilter::Failed:
        sql += QStringLiteral(" AND state = ") + code(MessageState::Failed);
        break;
    }
    // Waiting or given up on: where a failed message or one in a dead-letter queue rests.
    const QString resting = QStringLiteral(" AND state IN (") + code(MessageState::Pending)
        + QStringLiteral(", ") + code(MessageState::Failed) + QLatin1Char(')');
    if (filter.deadLettered)
        sql += QStringLiteral(" AND source_queue_id <> 0") + resting;
    if (filter.failures) // written so the planner picks the messages_failures index
        sql += QStringLiteral(" AND (state = ") + code(MessageState::Failed)
            + QStringLiteral(" OR source_queue_id <> 0)") + resting;
    if (!filter.errorText.isEmpty()) {
        sql += QStringLiteral(" AND last_error") + like + slot(kErrorText) + QStringLiteral(" ESCAPE '\\'");
        m_values[kErrorText] = likePattern(filter.errorText);
    }
    if (!filter.userId.isEmpty()) {
        // Compared as the User sort key, whose index then serves the filter too; the same
        // rows, as the value is never empty.
        sql += QStringLiteral(" AND ") + userKey(dialect) + QStringLiteral(" = ") + slot(kUserId);
        m_values[kUserId] = filter.userId;
    }
    if (!filter.errorPattern.isEmpty()) {
        sql += QStringLiteral(" AND last_error") + like + slot(kErrorPattern)
            + QStringLiteral(" ESCAPE '\\'");
        m_values[kErrorPattern] = filter.errorPattern;
    }
    if (filter.fromMs > 0) {
        sql += QStringLiteral(" AND timestamp_ms >= ") + slot(kFrom);
        m_values[kFrom] = filter.fromMs;
    }
    if (filter.toMs > 0) {
        sql += QStringLiteral(" AND timestamp_ms <= ") + slot(kTo);
        m_values[kTo] = filter.toMs;
    }
    if (!filter.text.isEmpty()) {
        const QString lowered = filter.text.toLower();
        m_values[kId] = lowered;
        m_values[kTextPattern] = likePattern(filter.text);
        // The trigram indexes only narrow the rows down; the LIKEs below decide, so a search
        // means the same with the index or without (docs/architecture.md, "Search").
        const QList<uint> chars = filter.text.toUcs4();
        const bool indexed = chars.size() >= kTrigram;
        if (pg) {
            // message_search holds the same text as the message's body and last error, with
            // the trigram indexes (pgstore_schema.cpp, version 10). As a list of seqs, so the
            // planner reaches the messages by seq rather than testing every one against it.
            sql += QStringLiteral(
                " AND seq IN (SELECT seq FROM message_search WHERE body_text LIKE ?13 ESCAPE '\\' "
                "OR error_text ILIKE ?4 ESCAPE '\\' UNION SELECT seq FROM messages WHERE id = ?3)");
            m_values[kBodyPattern] = asLatin1Bytes(asciiLower(likePattern(filter.text)));
        } else {
            const QString matches = QStringLiteral(
                " AND (id = ?3 OR CAST(body AS TEXT) LIKE ?4 ESCAPE '\\' OR last_error LIKE ?4 ESCAPE '\\')");
            if (indexed) {
                // message_text holds the messages up to search_indexed.seq; the ones after it
                // (the newest, not indexed yet) are read row by row (docs/architecture.md,
                // "Search"). An id is looked up on its own, as no body or error need hold it.
                m_values[kTextMatch] = trigramMatch(chars);
                m_indexed = true;
                m_idLike = couldBeMessageId(lowered);
                const QString conditions = sql.mid(sql.indexOf(QLatin1String(" WHERE 1")) + 8);
                // The messages are reached by seq, from the text's index or as the range after
                // its mark, never through another index: without statistics the planner takes
                // a queue's or a state's, which reads every message of the queue or state.
                // NOT INDEXED still lets it look rows up by seq, the table's own key.
                sql.replace(
                    0, int(std::size(" FROM messages")) - 1, QStringLiteral(" FROM messages NOT INDEXED"));
                m_tailFrom = sql + QStringLiteral(" AND seq > (SELECT seq FROM search_indexed)") + matches;
                m_indexedFrom
                    = QStringLiteral(" FROM message_text CROSS JOIN messages ON seq = message_text.rowid "
                                     "WHERE message_text MATCH ?14")
                    + conditions + matches;
                // As a list of seqs, so the planner reads each part through its index.
                sql += QStringLiteral(
                           " AND seq IN (SELECT seq FROM messages WHERE seq > (SELECT seq FROM "
                           "search_indexed) UNION ALL SELECT rowid FROM message_text WHERE message_text "
                           "MATCH ?14")
                    + (m_idLike ? QStringLiteral(" UNION ALL SELECT seq FROM messages WHERE id = ?3)")
                                : QStringLiteral(")"));
            }
            sql += matches;
        }
    }
}

bool MessageFilterSql::inTwoParts() const
{
    return m_indexed && !m_idLike && m_filter.sort == MessageSort::Seq;
}

QString MessageFilterSql::indexedOrderBy() const
{
    return m_filter.descending ? QStringLiteral(" ORDER BY message_text.rowid DESC")
                               : QStringLiteral(" ORDER BY message_text.rowid");
}

// The ORDER BY of listMessages() and the key positionOf() compares; NULLs as '' so that a
// row-value comparison orders them like ORDER BY does. PostgreSQL compares text in the "C"
// collation, byte by byte, as SQLite does.
QString MessageFilterSql::sortKey() const
{
    const bool pg = m_dialect == SqlDialect::Postgres;
    const QString collate = pg ? QStringLiteral(" COLLATE \"C\"") : QString();
    switch (m_filter.sort) {
    case MessageSort::Seq:
        return QStringLiteral("seq");
    case MessageSort::Queue:
        return QStringLiteral("queue_id");
    case MessageSort::State:
        return QStringLiteral("state");
    case MessageSort::Attempts:
        return QStringLiteral("attempts");
    case MessageSort::User:
        return userKey(m_dialect);
    case MessageSort::Url:
        return QStringLiteral("coalesce(") + (pg ? QStringLiteral("image_url") : sqliteBodyField("imageUrl"))
            + QStringLiteral(", '')") + collate;
    case MessageSort::Updated:
        return QStringLiteral("updated_ms");
    case MessageSort::LastError:
        return QStringLiteral("coalesce(last_error, '')") + collate;
    case MessageSort::Id:
        return QStringLiteral("id") + collate;
    }
    return QStringLiteral("seq");
}

QString MessageFilterSql::orderBy() const
{
    const QString dir = m_filter.descending ? QStringLiteral(" DESC") : QString();
    if (m_filter.sort == MessageSort::Seq)
        return QStringLiteral(" ORDER BY seq") + dir;
    return QStringLiteral(" ORDER BY ") + sortKey() + dir + QStringLiteral(", seq") + dir;
}

QString MessageFilterSql::page(int offset, int limit)
{
    m_values[kLimit] = qint64(limit);
    m_values[kOffset] = qint64(offset);
    return QStringLiteral(" LIMIT ?7 OFFSET ?8");
}

QString MessageFilterSql::only(qint64 seq)
{
    m_values[kSeq] = seq;
    return QStringLiteral(" AND seq = ?11");
}

QString MessageFilterSql::before(qint64 seq)
{
    m_values[kSeq] = seq;
    const QString cmp = m_filter.descending ? QStringLiteral(" > ") : QStringLiteral(" < ");
    if (m_filter.sort == MessageSort::Seq)
        return QStringLiteral(" AND seq") + cmp + QStringLiteral("?11");
    const QString key = sortKey();
    return QStringLiteral(" AND (") + key + QStringLiteral(", seq)") + cmp + QStringLiteral("(SELECT ") + key
        + QStringLiteral(", seq FROM messages WHERE seq = ?11)");
}

QString withValues(const QString &sql, const std::map<int, MessageFilterSql::Value> &values,
    const std::function<QString(const QString &)> &quote)
{
    QString out;
    out.reserve(sql.size() + 64);
    for (qsizetype i = 0; i < sql.size(); ++i) {
        qsizetype end = i + 1;
        while (sql.at(i) == QLatin1Char('?') && end < sql.size() && sql.at(end).isDigit())
            ++end;
        if (end == i + 1) {
            out += sql.at(i);
            continue;
        }
        const auto v = values.find(QStringView(sql).mid(i + 1, end - i - 1).toInt());
        if (v != values.end()) {
            if (const auto *n = std::get_if<qint64>(&v->second))
                out += QString::number(*n);
            else
                out += quote(std::get<QString>(v->second));
        }
        i = end - 1;
    }
    return out;
}

} // namespace qd
