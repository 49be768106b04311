// The floor under the pipeline: plain SQLite through its C API, with the store's pragmas
// (WAL, synchronous=FULL) and the store's messages table, inserting and then deleting
// rows of the same shape (ids leading with the send time, as the broker makes them) in
// transactions of 1, 10 and 100. A "lifecycle" pass also does, per transaction, what the
// runtime does to a message on its way through (insert, claim, ack, attempt row), as the
// cost of the SQL alone. One more pass uses fully random ids, to show what they cost.

#include "benchsupport.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QDateTime>
#include <QElapsedTimer>
#include <QJsonArray>
#include <QRandomGenerator>
#include <QTemporaryDir>
#include <QtEndian>

#include <sqlite3.h>

#include <cstdio>

using namespace qdbench;

namespace {

const char *const kSchema = R"sql(
    CREATE TABLE messages(
        seq INTEGER PRIMARY KEY,
        id TEXT NOT NULL,
        queue_id INTEGER NOT NULL,
        body BLOB NOT NULL,
        content_type INTEGER NOT NULL,
        timestamp_ms INTEGER NOT NULL,
        visible_at INTEGER NOT NULL,
        attempts INTEGER NOT NULL DEFAULT 0,
        state INTEGER NOT NULL DEFAULT 0,
        lease_id TEXT,
        lease_expires INTEGER NOT NULL DEFAULT 0,
        batch_id INTEGER NOT NULL DEFAULT 0,
        source_queue_id INTEGER NOT NULL DEFAULT 0,
        last_error TEXT,
        updated_ms INTEGER NOT NULL DEFAULT 0);
    CREATE UNIQUE INDEX messages_by_id ON messages(id);
    CREATE INDEX messages_by_queue_state ON messages(queue_id, state, visible_at);
    CREATE TABLE attempts(
        id INTEGER PRIMARY KEY,
        message_seq INTEGER NOT NULL,
        message_id TEXT NOT NULL,
        queue_id INTEGER NOT NULL,
        attempt INTEGER NOT NULL,
        batch_id INTEGER NOT NULL,
        started_ms INTEGER NOT NULL,
        ended_ms INTEGER NOT NULL,
        outcome TEXT NOT NULL,
        error TEXT);
    CREATE INDEX attempts_by_message ON attempts(message_seq);
    CREATE INDEX attempts_by_batch ON attempts(batch_id);
)sql";

class Db {
public:
    explicit Db(const QString &path)
    {
        const int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX;
        if (sqlite3_open_v2(path.toUtf8().constData(), &m_db, flags, nullptr) != SQLITE_OK)
            qFatal("open: %s", sqlite3_errmsg(m_db));
        exec("PRAGMA journal_mode=WAL");
        exec("PRAGMA synchronous=FULL");
        exec("PRAGMA cache_size=-65536");
        exec("PRAGMA temp_store=MEMORY");
        exec(kSchema);
    }
    ~Db()
    {
        for (sqlite3_stmt *s : m_statements)
            sqlite3_finalize(s);
        sqlite3_close_v2(m_db);
    }
    Db(const Db &) = delete;
    Db &operator=(const Db &) = delete;

    void exec(const char *sql)
    {
        char *msg = nullptr;
        if (sqlite3_exec(m_db, sql, nullptr, nullptr, &msg) != SQLITE_OK)
            qFatal("%s: %s", sql, msg);
    }
    sqlite3_stmt *prepare(const char *sql)
    {
        sqlite3_stmt *s = nullptr;
        if (sqlite3_prepare_v3(m_db, sql, -1, SQLITE_PREPARE_PERSISTENT, &s, nullptr) != SQLITE_OK)
            qFatal("prepare %s: %s", sql, sqlite3_errmsg(m_db));
        m_statements.push_back(s);
        return s;
    }
    void step(sqlite3_stmt *s)
    {
        if (sqlite3_step(s) != SQLITE_DONE)
            qFatal("step: %s", sqlite3_errmsg(m_db));
        sqlite3_reset(s);
    }
    qint64 lastRowId() const { return sqlite3_last_insert_rowid(m_db); }

private:
    sqlite3 *m_db = nullptr;
    std::vector<sqlite3_stmt *> m_statements;
};

struct Row {
    QByteArray id;
    QByteArray body;
};

// Ids as the broker makes them (send time in ms, a counter, 64 random bits), or random.
std::vector<Row> makeRows(qint64 n, bool orderedIds)
{
    std::vector<Row> rows;
    rows.resize(std::size_t(n));
    const quint64 now = quint64(QDateTime::currentMSecsSinceEpoch());
    for (qint64 i = 0; i < n; ++i) {
        uchar raw[16];
        if (orderedIds)
            qToBigEndian(((now + quint64(i) / 64) << 16) | (quint64(i) & 0xffffu), raw);
        else
            qToBigEndian(QRandomGenerator::global()->generate64(), raw);
        qToBigEndian(QRandomGenerator::global()->generate64(), raw + 8);
        rows[std::size_t(i)].id = QByteArray(reinterpret_cast<const char *>(raw), sizeof raw).toHex();
        rows[std::size_t(i)].body = sampleBody(i);
    }
    return rows;
}

struct Figures {
    int txSize = 0;
    bool orderedIds = true;
    qint64 rows = 0;
    double insertPerS = 0;
    double deletePerS = 0;
    double cyclePerS = 0; // insert and delete, per row
    double lifecyclePerS = 0; // insert, claim, ack, attempt, per row
};

void insertRow(Db &db, sqlite3_stmt *ins, const Row &r, qint64 now)
{
    sqlite3_bind_text(ins, 1, r.id.constData(), int(r.id.size()), SQLITE_TRANSIENT);
    sqlite3_bind_int64(ins, 2, 1);
    sqlite3_bind_blob(ins, 3, r.body.constData(), int(r.body.size()), SQLITE_TRANSIENT);
    sqlite3_bind_int64(ins, 4, 0);
    sqlite3_bind_int64(ins, 5, now);
    sqlite3_bind_int64(ins, 6, now);
    sqlite3_bind_int64(ins, 7, 0);
    sqlite3_bind_int64(ins, 8, 0);
    sqlite3_bind_int64(ins, 9, 0);
    db.step(ins);
}

const char *const kInsert
    = "INSERT INTO messages(id, queue_id, body, content_type, timestamp_ms, visible_at, "
      "attempts, state, source_queue_id, updated_ms) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?5)";

Figures measure(const QString &dir, int txSize, qint64 n, bool orderedIds)
{
    const std::vector<Row> rows = makeRows(n, orderedIds);
    const QString tag = QString::number(txSize) + (orderedIds ? QString() : QStringLiteral("-random"));
    Figures f;
    f.txSize = txSize;
    f.orderedIds = orderedIds;
    f.rows = n;
    const qint64 now = 1'700'000'000'000;
    {
        Db db(dir + QStringLiteral("/floor-%1.db").arg(tag));
        sqlite3_stmt *ins = db.prepare(kInsert);
        sqlite3_stmt *del = db.prepare("DELETE FROM messages WHERE seq = ?1");
        std::vector<qint64> seqs;
        seqs.reserve(std::size_t(n));
        QElapsedTimer t;
        t.start();
        for (qint64 i = 0; i < n;) {
            db.exec("BEGIN IMMEDIATE");
            for (int k = 0; k < txSize && i < n; ++k, ++i) {
                insertRow(db, ins, rows[std::size_t(i)], now);
                seqs.push_back(db.lastRowId());
            }
            db.exec("COMMIT");
        }
        const double insertS = double(t.nsecsElapsed()) / 1e9;
        t.restart();
        for (std::size_t i = 0; i < seqs.size();) {
            db.exec("BEGIN IMMEDIATE");
            for (int k = 0; k < txSize && i < seqs.size(); ++k, ++i) {
                sqlite3_bind_int64(del, 1, seqs[i]);
                db.step(del);
            }
            db.exec("COMMIT");
        }
        const double deleteS = double(t.nsecsElapsed()) / 1e9;
        f.insertPerS = double(n) / insertS;
        f.deletePerS = double(n) / deleteS;
        f.cyclePerS = double(n) / (insertS + deleteS);
    }
    {
        Db db(dir + QStringLiteral("/lifecycle-%1.db").arg(tag));
        sqlite3_stmt *ins = db.prepare(kInsert);
        sqlite3_stmt *claim
            = db.prepare("UPDATE messages SET state = 1, attempts = 1, batch_id = ?2, lease_id = NULL, "
                         "lease_expires = 0, updated_ms = ?3 WHERE seq = ?1");
        sqlite3_stmt *ack
            = db.prepare("UPDATE messages SET state = 2, queue_id = 1, visible_at = ?3, attempts = 1, "
                         "source_queue_id = 0, last_error = NULL, lease_expires = 0, lease_id = NULL, "
                         "updated_ms = ?3 WHERE seq = ?1");
        sqlite3_stmt *attempt
            = db.prepare("INSERT INTO attempts(message_seq, message_id, queue_id, attempt, batch_id, "
                         "started_ms, ended_ms, outcome, error) VALUES(?1, ?2, 1, 1, ?3, ?4, ?4, "
                         "'acked', NULL)");
        std::vector<qint64> seqs;
        QElapsedTimer t;
        t.start();
        for (qint64 i = 0; i < n;) {
            db.exec("BEGIN IMMEDIATE");
            seqs.clear();
            const qint64 first = i;
            for (int k = 0; k < txSize && i < n; ++k, ++i) {
                insertRow(db, ins, rows[std::size_t(i)], now);
                seqs.push_back(db.lastRowId());
            }
            for (std::size_t k = 0; k < seqs.size(); ++k) {
                const qint64 batch = seqs[k] / 10 + 1;
                sqlite3_bind_int64(claim, 1, seqs[k]);
                sqlite3_bind_int64(claim, 2, batch);
                sqlite3_bind_int64(claim, 3, now);
                db.step(claim);
                sqlite3_bind_int64(ack, 1, seqs[k]);
                sqlite3_bind_int64(ack, 3, now);
                db.step(ack);
                const Row &r = rows[std::size_t(first) + k];
                sqlite3_bind_int64(attempt, 1, seqs[k]);
                sqlite3_bind_text(attempt, 2, r.id.constData(), int(r.id.size()), SQLITE_TRANSIENT);
                sqlite3_bind_int64(attempt, 3, batch);
                sqlite3_bind_int64(attempt, 4, now);
                db.step(attempt);
            }
            db.exec("COMMIT");
        }
        f.lifecyclePerS = double(n) / (double(t.nsecsElapsed()) / 1e9);
    }
    return f;
}

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral("Plain SQLite floor for the QueueDeck pipeline"));
    parser.addHelpOption();
    const QCommandLineOption rowsOpt(QStringLiteral("rows"),
        QStringLiteral("Rows per pass in transactions of 100."), QStringLiteral("n"),
        QStringLiteral("100000"));
    const QCommandLineOption tenOpt(QStringLiteral("rows-10"),
        QStringLiteral("Rows per pass in transactions of 10."), QStringLiteral("n"), QStringLiteral("20000"));
    const QCommandLineOption singleOpt(QStringLiteral("rows-1"),
        QStringLiteral("Rows per pass in transactions of 1."), QStringLiteral("n"), QStringLiteral("500"));
    const QCommandLineOption onlyOpt(QStringLiteral("only-tx100"),
        QStringLiteral("Only the transactions-of-100 pass with ordered ids (a quick "
                       "calibration to pair with a pipeline run)."));
    const QCommandLineOption dirOpt(QStringLiteral("dir"),
        QStringLiteral("Where to make the files (default: temp)."), QStringLiteral("dir"));
    parser.addOptions({ rowsOpt, tenOpt, singleOpt, onlyOpt, dirOpt });
    parser.process(app);
    const qint64 n = std::max(100LL, parser.value(rowsOpt).toLongLong());
    const qint64 ten = std::max(10LL, parser.value(tenOpt).toLongLong());
    const qint64 single = std::max(1LL, parser.value(singleOpt).toLongLong());
    const QString base = parser.value(dirOpt);
    QTemporaryDir tmp(base.isEmpty() ? QString() : base + QStringLiteral("/qd-floor-XXXXXX"));
    if (!tmp.isValid())
        qFatal("cannot create a temporary directory");

    std::printf("bench_sqlite_floor: SQLite %s, WAL, synchronous=FULL, messages table with its indexes\n",
        sqlite3_libversion());
    std::printf("  %-8s %-7s %8s %12s %12s %16s %16s\n", "tx size", "ids", "rows", "insert/s", "delete/s",
        "insert+delete/s", "lifecycle/s");
    QJsonArray results;
    struct Pass {
        int txSize;
        qint64 rows;
        bool orderedIds;
    };
    std::vector<Pass> passes { Pass { 100, n, true } };
    if (!parser.isSet(onlyOpt))
        passes = { Pass { 1, single, true }, Pass { 10, ten, true }, Pass { 100, n, true },
            Pass { 100, n, false } };
    for (const Pass &pass : passes) {
        const Figures f = measure(tmp.path(), pass.txSize, pass.rows, pass.orderedIds);
        std::printf("  %-8d %-7s %8lld %12.0f %12.0f %16.0f %16.0f\n", f.txSize,
            f.orderedIds ? "ordered" : "random", static_cast<long long>(f.rows), f.insertPerS, f.deletePerS,
            f.cyclePerS, f.lifecyclePerS);
        std::fflush(stdout);
        results.append(QJsonObject { { QStringLiteral("tx_size"), f.txSize },
            { QStringLiteral("ids"), f.orderedIds ? QStringLiteral("ordered") : QStringLiteral("random") },
            { QStringLiteral("rows"), f.rows }, { QStringLiteral("insert_per_s"), f.insertPerS },
            { QStringLiteral("delete_per_s"), f.deletePerS },
            { QStringLiteral("insert_delete_per_s"), f.cyclePerS },
            { QStringLiteral("lifecycle_per_s"), f.lifecyclePerS } });
    }
    printResult(QJsonObject { { QStringLiteral("bench"), QStringLiteral("sqlite_floor") },
        { QStringLiteral("sqlite_version"), QLatin1String(sqlite3_libversion()) },
        { QStringLiteral("results"), results } });
    return 0;
}
