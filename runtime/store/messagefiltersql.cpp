#include "messagefiltersql.h"

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

// A body as SQLite's CAST(body AS TEXT) LIKE sees it, on PostgreSQL: its bytes up to the
// first NUL, one character per byte (LATIN1 maps every byte but NUL), so bodies that are not
// UTF-8 are searched too, and non-ASCII text is compared byte for byte; ASCII letters in
// lower case, as SQLite's LIKE ignores their case only.
constexpr const char *kPgBodyText
    = "translate(convert_from(substring(body FROM 1 FOR coalesce(nullif(position('\\x00'::bytea IN body), 0) "
      "- 1, length(body))), 'LATIN1'), 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz')";

// `pattern` with ASCII letters in lower case, to be LIKE'd against kPgBodyText.
QString asciiLower(QString pattern)
{
    for (QChar &c : pattern) {
        if (c >= QLatin1Char('A') && c <= QLatin1Char('Z'))
            c = QChar(c.unicode() + ('a' - 'A'));
    }
    return pattern;
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
        sql += QStringLiteral(" AND ") + (pg ? QStringLiteral("user_id") : sqliteBodyField("userId"))
            + QStringLiteral(" = ") + slot(kUserId);
        m_values[kUserId] = filter.userId;
    }
    if (!filter.errorPattern.isEmpty()) {
        sql += QStringLiteral(" AND last_error") + like + slot(kErrorPattern)
            + QStringLiteral(" ESCAPE '\\'");
        m_values[kErrorPattern] = filter.errorPattern;
    }
    if (!filter.text.isEmpty()) {
        m_values[kId] = filter.text.toLower();
        m_values[kTextPattern] = likePattern(filter.text);
        if (pg) {
            // The pattern's UTF-8 bytes one character each, like the body's.
            sql += QStringLiteral(" AND (id = ?3 OR ") + QLatin1String(kPgBodyText)
                + QStringLiteral(" LIKE convert_from(convert_to(?13, 'UTF8'), 'LATIN1') ESCAPE '\\' "
                                 "OR last_error ILIKE ?4 ESCAPE '\\')");
            m_values[kBodyPattern] = asciiLower(likePattern(filter.text));
        } else {
            sql += QStringLiteral(
                " AND (id = ?3 OR CAST(body AS TEXT) LIKE ?4 ESCAPE '\\' OR last_error LIKE ?4 ESCAPE '\\')");
        }
    }
    if (filter.fromMs > 0) {
        sql += QStringLiteral(" AND timestamp_ms >= ") + slot(kFrom);
        m_values[kFrom] = filter.fromMs;
    }
    if (filter.toMs > 0) {
        sql += QStringLiteral(" AND timestamp_ms <= ") + slot(kTo);
        m_values[kTo] = filter.toMs;
    }
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
        return QStringLiteral("coalesce(") + (pg ? QStringLiteral("user_id") : sqliteBodyField("userId"))
            + QStringLiteral(", '')") + collate;
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
