#pragma once

#include <QByteArray>
#include <QString>

#include <optional>
#include <string>

struct sqlite3;
struct sqlite3_stmt;

namespace qd {

// The write transaction a store's statements run in. A statement that fails inside it
// dooms it: the failure is kept, later statements do nothing, and the commit rolls back
// and reports the failure, so no caller is told that something was written when it was not.
struct SqliteTransaction {
    bool open = false;
    QString failure; // the first failed statement's error; empty while all went well
};

// A prepared statement of the SQLite store, reset after each use. Binding indexes start at
// 1, columns at 0. Cached statements are prepared once for the connection's life (a bad
// one is a programming error); one-shot ones are for queries that run rarely.
class SqliteStatement {
public:
    enum class Lifetime { Cached, OneShot };
    SqliteStatement(sqlite3 *db, const std::string &sql, Lifetime lifetime = Lifetime::Cached,
        SqliteTransaction *transaction = nullptr);
    ~SqliteStatement();
    SqliteStatement(const SqliteStatement &) = delete;
    SqliteStatement &operator=(const SqliteStatement &) = delete;

    SqliteStatement &bind(int i, qint64 v);
    SqliteStatement &bind(int i, const QString &v); // a null QString binds NULL
    SqliteStatement &bindBlob(int i, const QByteArray &v);
    // Steps once: true while a row is available; resets when the rows are done.
    bool next();
    void run();
    void reset();
    // Steps once and reads column 0 of the first row: nothing when there is no row or NULL.
    std::optional<qint64> scalar();
    qint64 i64(int c) const;
    bool isNull(int c) const;
    QString text(int c) const;
    QByteArray blob(int c) const;

private:
    sqlite3 *m_db;
    sqlite3_stmt *m_stmt = nullptr;
    SqliteTransaction *m_transaction;
};

// The schema by version: migration i takes a store from version i to i + 1.
int sqliteMigrationCount();
const char *sqliteMigration(int index);

} // namespace qd
