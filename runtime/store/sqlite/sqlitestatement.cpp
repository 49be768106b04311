#include "sqlitestatement.h"

#include "sqlitestore.h"

#include <sqlite3.h>

#include <iterator>

namespace qd {

SqliteStatement::SqliteStatement(
    sqlite3 *db, const std::string &sql, Lifetime lifetime, SqliteTransaction *transaction)
    : m_db(db)
    , m_transaction(transaction)
{
    const unsigned flags = lifetime == Lifetime::Cached ? SQLITE_PREPARE_PERSISTENT : 0;
    if (sqlite3_prepare_v3(db, sql.c_str(), int(sql.size()), flags, &m_stmt, nullptr) == SQLITE_OK)
        return;
    if (lifetime == Lifetime::Cached)
        qFatal("SQL prepare failed: %s in %s", sqlite3_errmsg(db), sql.c_str());
    qWarning("SQL prepare failed: %s in %s", sqlite3_errmsg(db), sql.c_str());
    if (m_transaction && m_transaction->open && m_transaction->failure.isEmpty())
        m_transaction->failure = QString::fromUtf8(sqlite3_errmsg(db));
    m_stmt = nullptr;
}

SqliteStatement::~SqliteStatement()
{
    sqlite3_finalize(m_stmt);
}

SqliteStatement &SqliteStatement::bind(int i, qint64 v)
{
    sqlite3_bind_int64(m_stmt, i, v);
    return *this;
}

SqliteStatement &SqliteStatement::bind(int i, const QString &v)
{
    if (v.isNull()) {
        sqlite3_bind_null(m_stmt, i);
    } else {
        const QByteArray utf8 = v.toUtf8();
        sqlite3_bind_text(m_stmt, i, utf8.constData(), int(utf8.size()), SQLITE_TRANSIENT);
    }
    return *this;
}

SqliteStatement &SqliteStatement::bindBlob(int i, const QByteArray &v)
{
    sqlite3_bind_blob(m_stmt, i, v.constData(), int(v.size()), SQLITE_TRANSIENT);
    return *this;
}

bool SqliteStatement::next()
{
    if (!m_stmt)
        return false;
    const bool inTransaction = m_transaction && m_transaction->open;
    // A doomed transaction is rolled back at its commit: what would run now could only run
    // outside it (SQLite may already have rolled it back), so nothing runs.
    if (inTransaction && !m_transaction->failure.isEmpty())
        return false;
    const int rc = sqlite3_step(m_stmt);
    if (rc == SQLITE_ROW)
        return true;
    if (rc != SQLITE_DONE) {
        const QString error = QString::fromUtf8(sqlite3_errmsg(m_db));
        if (inTransaction)
            m_transaction->failure = error;
        qWarning("SQL step failed: %s (%s)", qPrintable(error), sqlite3_sql(m_stmt));
    }
    reset();
    return false;
}

void SqliteStatement::run()
{
    while (next()) { }
}

void SqliteStatement::reset()
{
    sqlite3_reset(m_stmt);
    sqlite3_clear_bindings(m_stmt);
}

std::optional<qint64> SqliteStatement::scalar()
{
    std::optional<qint64> out;
    if (next()) {
        if (!isNull(0))
            out = i64(0);
        reset();
    }
    return out;
}

qint64 SqliteStatement::i64(int c) const
{
    return sqlite3_column_int64(m_stmt, c);
}

bool SqliteStatement::isNull(int c) const
{
    return sqlite3_column_type(m_stmt, c) == SQLITE_NULL;
}

QString SqliteStatement::text(int c) const
{
    const auto *p = reinterpret_cast<const char *>(sqlite3_column_text(m_stmt, c));
    if (!p)
        return {};
    return QString::fromUtf8(p, sqlite3_column_bytes(m_stmt, c));
}

QByteArray SqliteStatement::blob(int c) const
{
    const auto *p = static_cast<const char *>(sqlite3_column_blob(m_stmt, c));
    return QByteArray(p, sqlite3_column_bytes(m_stmt, c));
}

} // namespace qd
