// Both stores keep the same tables with the same columns, so a migration written for one and
// forgotten for the other fails here. It opens a SQLite store and a PostgreSQL one (in a
// fresh schema of QUEUEDECK_TEST_STORE), which is why it is registered PG_ONLY.
#include "queuestore.h"

#include "../testpg.h"
#include "../teststore.h"

#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>

#include <sqlite3.h>

#include <map>
#include <set>

using namespace qd;

namespace {

using Columns = std::map<QString, std::set<QString>>; // table → its column names

// Where the dialects differ on purpose, each for a reason of its own: PostgreSQL keeps its
// schema version in a table (SQLite in PRAGMA user_version), keeps userId and imageUrl in
// columns of their own to index and sort them (SQLite reads them from the body with
// json_extract), stripes its totals by connection so nodes never wait on each other, and
// keeps the searched text in a table of its own for its trigram indexes. Its `messages` is a
// view over two tables, a message's state apart from its body, so that a claim or an ack
// rewrites a short row and few indexes (docs/architecture.md, "The message tables").
const std::set<std::pair<QString, QString>> kPostgresOnly = {
    { QStringLiteral("message_state"), QString() },
    { QStringLiteral("message_bodies"), QString() },
    { QStringLiteral("qd_schema"), QString() },
    { QStringLiteral("messages"), QStringLiteral("user_id") },
    { QStringLiteral("messages"), QStringLiteral("image_url") },
    { QStringLiteral("queue_totals"), QStringLiteral("stripe") },
    { QStringLiteral("message_search"), QString() },
};

// SQLite's free-text index is a virtual table with shadow tables of its own and a mark of how
// far it has got; PostgreSQL keeps its trigram indexes on message_search, kept as it writes
// (docs/architecture.md, "Search").
const std::set<QString> kSqliteOnly = { QStringLiteral("message_text"), QStringLiteral("message_text_config"),
    QStringLiteral("message_text_data"), QStringLiteral("message_text_idx"),
    QStringLiteral("search_indexed") };

Columns withoutPostgresOnly(Columns columns)
{
    for (const auto &[table, column] : kPostgresOnly) {
        if (column.isEmpty())
            columns.erase(table);
        else if (columns.count(table))
            columns[table].erase(column);
    }
    return columns;
}

// The tables and columns of a SQLite file, read with SQLite itself.
Columns sqliteColumns(const QString &path)
{
    Columns out;
    sqlite3 *db = nullptr;
    sqlite3_stmt *s = nullptr;
    if (sqlite3_open_v2(path.toUtf8().constData(), &db, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK
        && sqlite3_prepare_v2(db,
               "SELECT m.name, p.name FROM sqlite_schema AS m, pragma_table_info(m.name) AS p "
               "WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%'",
               -1, &s, nullptr)
            == SQLITE_OK) {
        while (sqlite3_step(s) == SQLITE_ROW) {
            out[QString::fromUtf8(reinterpret_cast<const char *>(sqlite3_column_text(s, 0)))].insert(
                QString::fromUtf8(reinterpret_cast<const char *>(sqlite3_column_text(s, 1))));
        }
    }
    sqlite3_finalize(s);
    sqlite3_close(db);
    return out;
}

// The tables and columns of the PostgreSQL store at `spec`, read from the database's own
// catalogue over a connection of the test's.
Columns postgresColumns(const QString &spec)
{
    Columns out;
    const QString name = QStringLiteral("tst_storeschema");
    {
        const QString schema = qdtest::addTestPgConnection(spec, name);
        QSqlDatabase db = QSqlDatabase::database(name, false);
        if (!db.open())
            qFatal(
                "cannot open %s: %s", qPrintable(displayStoreSpec(spec)), qPrintable(db.lastError().text()));
        QSqlQuery q(db);
        q.prepare(QStringLiteral("SELECT table_name, column_name FROM information_schema.columns "
                                 "WHERE table_schema = ?"));
        q.addBindValue(schema);
        if (!q.exec())
            qFatal("cannot read the catalogue: %s", qPrintable(q.lastError().text()));
        while (q.next())
            out[q.value(0).toString()].insert(q.value(1).toString());
    }
    QSqlDatabase::removeDatabase(name);
    return out;
}

QString describe(const Columns &columns)
{
    QStringList tables;
    for (const auto &[table, names] : columns)
        tables.append(table + QLatin1Char('(')
            + QStringList(names.begin(), names.end()).join(QLatin1Char(',')) + QLatin1Char(')'));
    return tables.join(QLatin1Char(' '));
}

} // namespace

class TstStoreSchema : public QObject {
    Q_OBJECT

private slots:
    void bothStoresHaveTheSameTablesAndColumns()
    {
        QTemporaryDir dir;
        const QString sqlitePath = dir.filePath(QStringLiteral("queuedeck.db"));
        const QString pgSpec = qdtest::chooseStoreSpec(dir.filePath(QStringLiteral("unused.db")));
        QVERIFY2(isPostgresSpec(pgSpec), "QUEUEDECK_TEST_STORE names no PostgreSQL database");
        for (const QString &spec : { sqlitePath, pgSpec }) {
            const std::unique_ptr<QueueStore> store = makeStore(spec);
            QString error;
            QVERIFY2(store->open(&error), qPrintable(error));
        }

        Columns sqlite = sqliteColumns(sqlitePath);
        for (const QString &table : kSqliteOnly)
            QVERIFY2(sqlite.erase(table) == 1, qPrintable(table));
        const Columns postgres = postgresColumns(pgSpec);
        // Both read something, and PostgreSQL's own extras are there as the list says.
        QVERIFY(sqlite.count(QStringLiteral("messages")));
        for (const auto &[table, column] : kPostgresOnly) {
            QVERIFY2(postgres.count(table), qPrintable(table));
            if (!column.isEmpty())
                QVERIFY2(postgres.at(table).count(column), qPrintable(table + QLatin1Char('.') + column));
        }

        const Columns shared = withoutPostgresOnly(postgres);
        for (const auto &[table, names] : sqlite) {
            QVERIFY2(shared.count(table), qPrintable(QStringLiteral("only SQLite has the table ") + table));
            for (const QString &column : names)
                QVERIFY2(shared.at(table).count(column),
                    qPrintable(
                        QStringLiteral("only SQLite has the column ") + table + QLatin1Char('.') + column));
        }
        for (const auto &[table, names] : shared) {
            QVERIFY2(
                sqlite.count(table), qPrintable(QStringLiteral("only PostgreSQL has the table ") + table));
            for (const QString &column : names)
                QVERIFY2(sqlite.at(table).count(column),
                    qPrintable(QStringLiteral("only PostgreSQL has the column ") + table + QLatin1Char('.')
                        + column));
        }
        QCOMPARE(describe(sqlite), describe(shared));
    }
};

QTEST_GUILESS_MAIN(TstStoreSchema)
#include "tst_storeschema.moc"
