#include "sqlitestore.h"

#include <QCryptographicHash>
#include <QFile>
#include <QTemporaryDir>
#include <QTest>

#include <sqlite3.h>

using namespace qd;

namespace {

constexpr qint64 kApplicationId = 0x51446b31;

QByteArray fileHash(const QString &path)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return {};
    return QCryptographicHash::hash(f.readAll(), QCryptographicHash::Sha256);
}

// Runs SQL on a file with SQLite itself, as another program would.
bool runSql(const QString &path, const char *sql)
{
    sqlite3 *db = nullptr;
    bool ok = sqlite3_open(path.toUtf8().constData(), &db) == SQLITE_OK
        && sqlite3_exec(db, sql, nullptr, nullptr, nullptr) == SQLITE_OK;
    sqlite3_close(db);
    return ok;
}

qint64 pragmaOf(const QString &path, const char *pragma)
{
    sqlite3 *db = nullptr;
    sqlite3_stmt *s = nullptr;
    qint64 out = -1;
    if (sqlite3_open_v2(path.toUtf8().constData(), &db, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK
        && sqlite3_prepare_v2(db, pragma, -1, &s, nullptr) == SQLITE_OK && sqlite3_step(s) == SQLITE_ROW)
        out = sqlite3_column_int64(s, 0);
    sqlite3_finalize(s);
    sqlite3_close(db);
    return out;
}

} // namespace

// What the SQLite store opens: its own files, new or from before the mark; never someone
// else's database, which it leaves exactly as it found it; never a damaged file.
class TstStoreOpen : public QObject {
    Q_OBJECT

private slots:
    void newStoreIsMarked()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("queuedeck.db"));
        {
            SqliteStore store(path);
            QString error;
            QVERIFY2(store.open(&error), qPrintable(error));
        }
        QCOMPARE(pragmaOf(path, "PRAGMA application_id"), kApplicationId);
        QCOMPARE(pragmaOf(path, "PRAGMA user_version"), qint64(SqliteStore::kSchemaVersion));
    }

    void foreignDatabaseIsLeftUntouched_data()
    {
        QTest::addColumn<QByteArray>("sql");
        QTest::addColumn<QString>("mentions");
        QTest::newRow("another program's tables") << QByteArray(
            "CREATE TABLE notes(id INTEGER PRIMARY KEY, text TEXT); INSERT INTO notes(text) "
            "VALUES('keep me')") << QStringLiteral("not a QueueDeck store (application id 0, tables: notes)");
        QTest::newRow("its own messages table")
            << QByteArray("CREATE TABLE messages(id TEXT, body TEXT); INSERT INTO messages VALUES('a', 'b')")
            << QStringLiteral("tables: messages");
        QTest::newRow("another application's mark")
            << QByteArray("PRAGMA application_id = 42; CREATE TABLE queues(x)")
            << QStringLiteral("application id 42");
        QTest::newRow("QueueDeck's tables under another mark") << QByteArray(
            "PRAGMA application_id = 7; PRAGMA user_version = 1; CREATE TABLE queues(x); "
            "CREATE TABLE messages(x); CREATE TABLE batches(x); CREATE TABLE attempts(x); "
            "CREATE TABLE audit(x)") << QStringLiteral("application id 7");
    }
    void foreignDatabaseIsLeftUntouched()
    {
        QFETCH(QByteArray, sql);
        QFETCH(QString, mentions);
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("data.db"));
        QVERIFY(runSql(path, sql.constData()));
        const QByteArray before = fileHash(path);
        SqliteStore store(path);
        QString error;
        QVERIFY(!store.open(&error));
        QVERIFY2(error.contains(mentions), qPrintable(error));
        QVERIFY2(error.contains(path), qPrintable(error));
        QVERIFY2(error.contains(QLatin1String("--data-dir")), qPrintable(error));
        QCOMPARE(fileHash(path), before);
        // Still in its rollback-journal mode, with no WAL beside it.
        QCOMPARE(pragmaOf(path, "PRAGMA application_id") == kApplicationId, false);
        QVERIFY(!QFile::exists(path + QStringLiteral("-wal")));
        sqlite3 *db = nullptr;
        QCOMPARE(sqlite3_open(path.toUtf8().constData(), &db), SQLITE_OK);
        sqlite3_stmt *s = nullptr;
        QCOMPARE(sqlite3_prepare_v2(db, "PRAGMA journal_mode", -1, &s, nullptr), SQLITE_OK);
        QCOMPARE(sqlite3_step(s), SQLITE_ROW);
        QCOMPARE(QByteArray(reinterpret_cast<const char *>(sqlite3_column_text(s, 0))), QByteArray("delete"));
        sqlite3_finalize(s);
        sqlite3_close(db);
    }

    void fileThatIsNotADatabase()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("notes.txt"));
        QFile f(path);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(QByteArray("shopping list: milk, eggs, bread\n").repeated(200));
        f.close();
        const QByteArray before = fileHash(path);
        SqliteStore store(path);
        QString error;
        QVERIFY(!store.open(&error));
        QVERIFY2(error.contains(QLatin1String("is not a SQLite database")), qPrintable(error));
        QCOMPARE(fileHash(path), before);
    }

    // A store made before stores were marked has QueueDeck's tables and no mark: it is ours.
    void unmarkedQueueDeckStoreIsAdopted()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("queuedeck.db"));
        {
            SqliteStore store(path);
            QString error;
            QVERIFY2(store.open(&error), qPrintable(error));
            QCOMPARE(store.insertQueue(QStringLiteral("kept"), QueueSettings {}, 1), qint64(1));
            QVERIFY(store.commit(&error));
        }
        QVERIFY(runSql(path, "PRAGMA application_id = 0"));
        QCOMPARE(pragmaOf(path, "PRAGMA application_id"), qint64(0));
        SqliteStore store(path);
        QString error;
        QVERIFY2(store.open(&error), qPrintable(error));
        QCOMPARE(int(store.loadQueues().size()), 1);
        QCOMPARE(pragmaOf(path, "PRAGMA application_id"), kApplicationId);
    }

    void damagedStoreIsRefused()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("queuedeck.db"));
        {
            SqliteStore store(path);
            QString error;
            QVERIFY2(store.open(&error), qPrintable(error));
            store.insertQueue(QStringLiteral("q"), QueueSettings {}, 1);
            std::vector<Message> messages(2000);
            for (int i = 0; i < 2000; ++i) {
                messages[i].id = QStringLiteral("%1").arg(i, 32, 16, QLatin1Char('0'));
                messages[i].queueId = 1;
                messages[i].body = QByteArray(200, 'x');
            }
            store.insertMessages(messages);
            QVERIFY(store.commit(&error));
        }
        QVERIFY(runSql(path, "PRAGMA wal_checkpoint(TRUNCATE)"));
        // Scribble over the middle of the file, past the header and the schema page.
        QFile f(path);
        QVERIFY(f.open(QIODevice::ReadWrite));
        const qint64 size = f.size();
        QVERIFY(size > 64 * 1024);
        QVERIFY(f.seek(size / 2 - (size / 2) % 4096));
        f.write(QByteArray(4096 * 4, '\xA5'));
        f.close();
        SqliteStore store(path);
        QString error;
        QVERIFY(!store.open(&error));
        QVERIFY2(error.contains(QLatin1String("is damaged")), qPrintable(error));
        QVERIFY2(error.contains(QLatin1String("backup")), qPrintable(error));
    }
};

QTEST_GUILESS_MAIN(TstStoreOpen)
#include "tst_storeopen.moc"
