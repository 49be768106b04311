// End-to-end throughput of one or more headless runtimes sharing a store, through their
// HTTP endpoints: send -> batch -> webhook -> ack. Two roles, run as separate processes by
// bench/cluster.sh:
//
//   bench_cluster receive [--port P]
//       The webhook consumer: answers every batch with an empty 200 (ack all) and counts
//       what it was sent. Prints "RECEIVER http://127.0.0.1:P/hook"; GET /stats answers its
//       counts as JSON.
//
//   bench_cluster send --nodes URL[,URL…] --queue Q --messages M --receiver URL --db SPEC …
//       The producer and the clock: M messages in batch sends of --per-request messages
//       (POST /client/v4/accounts/bench/queues/Q/messages/batch) over --connections
//       keep-alive connections spread round-robin over the nodes, each connection sending
//       its next request when the last one was answered. The clock runs from the first send
//       until the store holds M acked messages (the receiver's count is watched first, then
//       the store is read on a connection of its own). Then it checks that every message
//       was acked exactly once and prints a RESULT line.
//
// The store is read with Qt SQL: SPEC is the runtime's postgresql://…?schema=NAME or the
// path of a SQLite file.

#include "benchsupport.h"

#include "httpserver.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QDateTime>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QHash>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSet>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QTcpSocket>
#include <QTimer>
#include <QUrl>
#include <QUrlQuery>

#include <unistd.h>

#include <cstdio>
#include <deque>
#include <functional>
#include <map>
#include <memory>

using namespace qd;
using namespace qdbench;

namespace {

// ---------------------------------------------------------------------------------------
// Receiver

int runReceiver(quint16 port)
{
    HttpServer server;
    QSet<QString> ids;
    QSet<QString> bodies; // the imageUrl of each message: every sent message, by content
    qint64 deliveries = 0;
    qint64 batches = 0;
    qint64 redelivered = 0; // delivered with attempts > 1
    qint64 firstMs = 0;
    qint64 lastMs = 0;
    server.setHandler([&](const HttpRequest &request, const HttpResponder &responder) {
        if (request.method == "GET" && request.path == "/stats") {
            const QJsonObject stats { { QStringLiteral("batches"), batches },
                { QStringLiteral("deliveries"), deliveries }, { QStringLiteral("unique_ids"), ids.size() },
                { QStringLiteral("unique_bodies"), bodies.size() },
                { QStringLiteral("duplicates"), deliveries - ids.size() },
                { QStringLiteral("redelivered"), redelivered }, { QStringLiteral("first_ms"), firstMs },
                { QStringLiteral("last_ms"), lastMs }, { QStringLiteral("cpu_s"), processCpuSeconds() } };
            responder.respond(HttpResponse::json(200, QJsonDocument(stats).toJson(QJsonDocument::Compact)));
            return;
        }
        const QJsonArray messages
            = QJsonDocument::fromJson(request.body).object().value(QLatin1String("messages")).toArray();
        for (const QJsonValue &v : messages) {
            const QJsonObject m = v.toObject();
            ids.insert(m.value(QLatin1String("id")).toString());
            bodies.insert(
                m.value(QLatin1String("body")).toObject().value(QLatin1String("imageUrl")).toString());
            if (m.value(QLatin1String("attempts")).toInt() > 1)
                ++redelivered;
            ++deliveries;
        }
        ++batches;
        lastMs = QDateTime::currentMSecsSinceEpoch();
        if (firstMs == 0)
            firstMs = lastMs;
        responder.respond(HttpResponse::json(200, {})); // a 2xx with no body acks all
    });
    QString error;
    if (!server.listen(QHostAddress::LocalHost, port, &error)) {
        std::fprintf(stderr, "bench_cluster: %s\n", qPrintable(error));
        return 1;
    }
    std::printf("RECEIVER http://127.0.0.1:%d/hook\n", int(server.port()));
    std::fflush(stdout);
    return QCoreApplication::exec();
}

// ---------------------------------------------------------------------------------------
// A minimal keep-alive HTTP/1.1 client: one request at a time, answers read by
// Content-Length. Lighter than QNetworkAccessManager, which also holds at most six
// connections per host.

class Client : public QObject {
public:
    using Done = std::function<void(int status, const QByteArray &body)>;

    explicit Client(const QUrl &base)
        : m_host(base.host())
        , m_port(quint16(base.port(80)))
    {
        QObject::connect(&m_socket, &QTcpSocket::readyRead, this, [this] { read(); });
        QObject::connect(&m_socket, &QTcpSocket::disconnected, this, [this] {
            // A request cut off is sent again on a new connection (a batch send that was
            // not answered was not stored, or is stored and sent twice: counted, then
            // visible as a surplus in the store).
            if (m_done) {
                ++m_resent;
                QTimer::singleShot(10, this, [this] { send(); });
            }
        });
    }

    void request(const QByteArray &method, const QByteArray &path, const QByteArray &body, Done done)
    {
        m_method = method;
        m_path = path;
        m_body = body;
        m_done = std::move(done);
        send();
    }

    qint64 resent() const { return m_resent; }

private:
    void send()
    {
        if (m_socket.state() == QAbstractSocket::UnconnectedState) {
            m_buffer.clear();
            m_socket.connectToHost(m_host, m_port);
        }
        QByteArray head = m_method + ' ' + m_path + " HTTP/1.1\r\nHost: " + m_host.toLatin1() + ':'
            + QByteArray::number(m_port) + "\r\nContent-Type: application/json\r\nContent-Length: "
            + QByteArray::number(m_body.size()) + "\r\n\r\n";
        m_socket.write(head + m_body);
    }

    void read()
    {
        m_buffer += m_socket.readAll();
        while (m_done) {
            const qsizetype headEnd = m_buffer.indexOf("\r\n\r\n");
            if (headEnd < 0)
                return;
            const QList<QByteArray> lines = m_buffer.left(headEnd).split('\n');
            const int status = lines.value(0).split(' ').value(1).toInt();
            qsizetype length = 0;
            for (const QByteArray &line : lines) {
                const qsizetype colon = line.indexOf(':');
                if (colon > 0 && line.left(colon).trimmed().toLower() == "content-length")
                    length = line.mid(colon + 1).trimmed().toLongLong();
            }
            if (m_buffer.size() < headEnd + 4 + length)
                return;
            const QByteArray body = m_buffer.mid(headEnd + 4, length);
            m_buffer.remove(0, headEnd + 4 + length);
            Done done = std::exchange(m_done, {});
            done(status, body);
        }
    }

    QTcpSocket m_socket;
    QString m_host;
    quint16 m_port;
    QByteArray m_buffer;
    QByteArray m_method;
    QByteArray m_path;
    QByteArray m_body;
    Done m_done;
    qint64 m_resent = 0;
};

// ---------------------------------------------------------------------------------------
// CPU time of the processes in the run, from /proc, in clock ticks.

qint64 ticksOf(qint64 pid, qint64 *parent = nullptr)
{
    QFile f(QStringLiteral("/proc/%1/stat").arg(pid));
    if (!f.open(QIODevice::ReadOnly))
        return 0;
    const QByteArray text = f.readAll();
    // The command may hold spaces and parentheses: the fields start after the last ')'.
    const QList<QByteArray> fields = text.mid(text.lastIndexOf(')') + 2).split(' ');
    if (parent)
        *parent = fields.value(1).toLongLong(); // field 4, ppid
    return fields.value(11).toLongLong() + fields.value(12).toLongLong(); // utime + stime
}

// Every PostgreSQL process: the postmaster and its children, by pid.
std::map<qint64, qint64> postgresTicks(qint64 postmaster)
{
    std::map<qint64, qint64> out;
    if (postmaster <= 0)
        return out;
    out[postmaster] = ticksOf(postmaster);
    const QStringList entries = QDir(QStringLiteral("/proc")).entryList(QDir::Dirs);
    for (const QString &e : entries) {
        bool ok = false;
        const qint64 pid = e.toLongLong(&ok);
        if (!ok)
            continue;
        qint64 parent = 0;
        const qint64 ticks = ticksOf(pid, &parent);
        if (parent == postmaster)
            out[pid] = ticks;
    }
    return out;
}

qint64 machineBusyTicks()
{
    QFile f(QStringLiteral("/proc/stat"));
    if (!f.open(QIODevice::ReadOnly))
        return 0;
    const QList<QByteArray> cpu = f.readLine().simplified().split(' ');
    // user nice system irq softirq (not idle, iowait, steal)
    return cpu.value(1).toLongLong() + cpu.value(2).toLongLong() + cpu.value(3).toLongLong()
        + cpu.value(6).toLongLong() + cpu.value(7).toLongLong();
}

struct CpuSnapshot {
    QList<qint64> nodes;
    qint64 receiver = 0;
    std::map<qint64, qint64> postgres;
    double self = 0;
    qint64 machine = 0;
};

// ---------------------------------------------------------------------------------------
// Sender

struct SendOptions {
    QList<QUrl> nodes;
    QString queue;
    qint64 messages = 100'000;
    int perRequest = 100;
    int connections = 12;
    QUrl receiver;
    QString db;
    int stallSeconds = 60;
    QList<qint64> nodePids;
    qint64 receiverPid = 0;
    qint64 postgresPid = 0;
};

class Sender : public QObject {
public:
    explicit Sender(SendOptions options)
        : m_o(std::move(options))
        , m_chunks((m_o.messages + m_o.perRequest - 1) / m_o.perRequest)
    {
        m_path = "/client/v4/accounts/bench/queues/" + QUrl::toPercentEncoding(m_o.queue) + "/messages/batch";
        m_statsClient = std::make_unique<Client>(m_o.receiver);
        m_perNode.resize(m_o.nodes.size());
    }

    bool openStore(QString *error)
    {
        const bool pg = m_o.db.startsWith(QLatin1String("postgres"));
        m_pg = pg;
        QSqlDatabase db = QSqlDatabase::addDatabase(pg ? QStringLiteral("QPSQL") : QStringLiteral("QSQLITE"));
        if (pg) {
            const QUrl url(m_o.db);
            db.setHostName(url.host());
            db.setPort(url.port(5432));
            db.setDatabaseName(url.path().mid(1));
            db.setUserName(url.userName());
            db.setPassword(url.password());
        } else {
            db.setDatabaseName(m_o.db);
            db.setConnectOptions(QStringLiteral("QSQLITE_OPEN_READONLY;QSQLITE_BUSY_TIMEOUT=5000"));
        }
        if (!db.open()) {
            *error = db.lastError().text();
            return false;
        }
        if (pg) {
            const QString schema = QUrlQuery(QUrl(m_o.db)).queryItemValue(QStringLiteral("schema"));
            QSqlQuery q(db);
            if (!q.exec(QStringLiteral("SET search_path TO ")
                    + (schema.isEmpty() ? QStringLiteral("public") : schema))) {
                *error = q.lastError().text();
                return false;
            }
        }
        const auto id = scalar(QStringLiteral("SELECT id FROM queues WHERE name = '%1'").arg(m_o.queue));
        if (!id) {
            *error = QStringLiteral("no queue %1 in the store").arg(m_o.queue);
            return false;
        }
        m_queueId = *id;
        return true;
    }

    void start()
    {
        m_before = cpuSnapshot();
        m_clock.start();
        for (int i = 0; i < m_o.connections; ++i) {
            const int node = i % int(m_o.nodes.size());
            m_clients.push_back(std::make_unique<Client>(m_o.nodes[node]));
            sendNext(m_clients.back().get(), node);
        }
        m_progressMs = 0;
        m_watchdog.setInterval(1000);
        QObject::connect(&m_watchdog, &QTimer::timeout, this, [this] { checkStall(); });
        m_watchdog.start();
    }

private:
    std::optional<qint64> scalar(const QString &sql)
    {
        QSqlQuery q(QSqlDatabase::database());
        if (!q.exec(sql) || !q.next()) {
            std::fprintf(
                stderr, "bench_cluster: %s: %s\n", qPrintable(sql), qPrintable(q.lastError().text()));
            return std::nullopt;
        }
        return q.value(0).toLongLong();
    }

    QByteArray chunkBody(qint64 chunk) const
    {
        QByteArray body = "{\"messages\":[";
        const qint64 first = chunk * m_o.perRequest;
        const qint64 last = std::min(m_o.messages, first + m_o.perRequest);
        for (qint64 n = first; n < last; ++n) {
            if (n > first)
                body += ',';
            body += "{\"content_type\":\"json\",\"body\":" + sampleBody(n) + '}';
        }
        return body + "]}";
    }

    void sendNext(Client *client, int node)
    {
        if (m_nextChunk >= m_chunks)
            return;
        const qint64 chunk = m_nextChunk++;
        sendChunk(client, node, chunk);
    }

    void sendChunk(Client *client, int node, qint64 chunk)
    {
        client->request("POST", m_path, chunkBody(chunk),
            [this, client, node, chunk](int status, const QByteArray &body) {
                if (status != 200 || !body.contains("\"success\":true")) {
                    // 503 while the database is away: nothing was stored, send again.
                    ++m_refused;
                    if (m_refused <= 5)
                        std::fprintf(stderr, "bench_cluster: send answered %d: %s\n", status,
                            body.left(300).constData());
                    QTimer::singleShot(
                        100, this, [this, client, node, chunk] { sendChunk(client, node, chunk); });
                    return;
                }
                m_perNode[node] += std::min<qint64>(m_o.perRequest, m_o.messages - chunk * m_o.perRequest);
                m_progressMs = m_clock.elapsed();
                if (++m_doneChunks == m_chunks) {
                    m_sentMs = m_clock.elapsed();
                    pollReceiver();
                    return;
                }
                sendNext(client, node);
            });
    }

    void pollReceiver()
    {
        m_statsClient->request("GET", "/stats", {}, [this](int, const QByteArray &body) {
            m_receiverStats = QJsonDocument::fromJson(body).object();
            const qint64 unique = m_receiverStats.value(QLatin1String("unique_ids")).toInteger();
            if (unique != m_lastUnique) {
                m_lastUnique = unique;
                m_progressMs = m_clock.elapsed();
            }
            if (unique >= m_o.messages)
                pollStore();
            else
                QTimer::singleShot(10, this, [this] { pollReceiver(); });
        });
    }

    void pollStore()
    {
        const qint64 acked = scalar(
            QStringLiteral("SELECT count(*) FROM messages WHERE queue_id = %1 AND state = 2").arg(m_queueId))
                                 .value_or(-1);
        if (acked != m_lastAcked) {
            m_lastAcked = acked;
            m_progressMs = m_clock.elapsed();
        }
        if (acked >= m_o.messages) {
            m_doneMs = m_clock.elapsed();
            m_after = cpuSnapshot();
            m_watchdog.stop();
            // Anything late (a duplicate delivery, a second ack) has a moment to show.
            QTimer::singleShot(1000, this, [this] { finish(); });
            return;
        }
        QTimer::singleShot(5, this, [this] { pollStore(); });
    }

    void checkStall()
    {
        if (m_clock.elapsed() - m_progressMs < qint64(m_o.stallSeconds) * 1000)
            return;
        std::printf("STALL: no progress for %d s: %lld of %lld messages answered by the nodes, receiver has "
                    "%lld unique ids, the store %lld acked\n",
            m_o.stallSeconds, (long long)(m_doneChunks * m_o.perRequest), (long long)m_o.messages,
            (long long)m_lastUnique, (long long)m_lastAcked);
        m_watchdog.stop();
        m_stalled = true;
        finish();
    }

    CpuSnapshot cpuSnapshot() const
    {
        CpuSnapshot s;
        for (qint64 pid : m_o.nodePids)
            s.nodes.append(ticksOf(pid));
        s.receiver = m_o.receiverPid > 0 ? ticksOf(m_o.receiverPid) : 0;
        s.postgres = postgresTicks(m_o.postgresPid);
        s.self = processCpuSeconds();
        s.machine = machineBusyTicks();
        return s;
    }

    void finish()
    {
        // The receiver once more, after the grace period.
        m_statsClient->request("GET", "/stats", {}, [this](int, const QByteArray &body) {
            m_receiverStats = QJsonDocument::fromJson(body).object();
            report();
            QCoreApplication::exit(m_ok ? 0 : (m_stalled ? 3 : 2));
        });
    }

    void report()
    {
        const QString q = QString::number(m_queueId);
        const auto count = [&](const QString &where) {
            return scalar(
                QStringLiteral("SELECT count(*) FROM messages WHERE queue_id = %1 AND %2").arg(q, where))
                .value_or(-1);
        };
        const qint64 total = count(QStringLiteral("1 = 1"));
        const qint64 acked = count(QStringLiteral("state = 2"));
        const qint64 notAcked = total - acked;
        const qint64 distinctIds
            = scalar(QStringLiteral("SELECT count(DISTINCT id) FROM messages WHERE queue_id = %1").arg(q))
                  .value_or(-1);
        const qint64 retried = count(QStringLiteral("attempts > 1"));
        const qint64 ackAttempts = scalar(
            QStringLiteral("SELECT count(*) FROM attempts WHERE queue_id = %1 AND outcome = 'acked'").arg(q))
                                       .value_or(-1);
        const qint64 otherAttempts = scalar(
            QStringLiteral("SELECT count(*) FROM attempts WHERE queue_id = %1 AND outcome <> 'acked'").arg(q))
                                         .value_or(-1);
        const qint64 batches
            = scalar(QStringLiteral("SELECT count(*) FROM batches WHERE queue_id = %1").arg(q)).value_or(-1);
        const qint64 bySize = scalar(
            QStringLiteral("SELECT count(*) FROM batches WHERE queue_id = %1 AND cut_reason = 'size'").arg(q))
                                  .value_or(-1);
        const qint64 openBatches = scalar(
            QStringLiteral("SELECT count(*) FROM batches WHERE queue_id = %1 AND ended_ms = 0").arg(q))
                                       .value_or(-1);
        QJsonArray batchesPerNode;
        if (m_pg) {
            QSqlQuery rows(QSqlDatabase::database());
            rows.exec(
                QStringLiteral("SELECT node_id, count(*) FROM batches WHERE queue_id = %1 GROUP BY node_id "
                               "ORDER BY node_id")
                    .arg(q));
            while (rows.next())
                batchesPerNode.append(rows.value(1).toLongLong());
        }

        const qint64 deliveries = m_receiverStats.value(QLatin1String("deliveries")).toInteger();
        const qint64 uniqueIds = m_receiverStats.value(QLatin1String("unique_ids")).toInteger();
        const qint64 uniqueBodies = m_receiverStats.value(QLatin1String("unique_bodies")).toInteger();
        const qint64 duplicates = m_receiverStats.value(QLatin1String("duplicates")).toInteger();
        m_ok = !m_stalled && total == m_o.messages && acked == m_o.messages && distinctIds == m_o.messages
            && ackAttempts == m_o.messages && otherAttempts == 0 && uniqueIds == m_o.messages
            && uniqueBodies == m_o.messages && duplicates == 0 && openBatches == 0;

        const double seconds = double(m_doneMs) / 1000.0;
        const double hz = double(sysconf(_SC_CLK_TCK));
        const auto cores = [&](double cpuSeconds) { return seconds > 0 ? cpuSeconds / seconds : 0.0; };
        double nodesCpu = 0;
        for (qsizetype i = 0; i < m_after.nodes.size() && i < m_before.nodes.size(); ++i)
            nodesCpu += double(m_after.nodes[i] - m_before.nodes[i]) / hz;
        double pgCpu = 0;
        for (const auto &[pid, ticks] : m_after.postgres) {
            const auto it = m_before.postgres.find(pid);
            pgCpu += double(ticks - (it == m_before.postgres.end() ? 0 : it->second)) / hz;
        }
        const double receiverCpu = double(m_after.receiver - m_before.receiver) / hz;
        const double selfCpu = m_after.self - m_before.self;
        const double machineCpu = double(m_after.machine - m_before.machine) / hz;
        const double otherCpu = machineCpu - nodesCpu - pgCpu - receiverCpu - selfCpu;

        QJsonArray perNode;
        for (qint64 n : m_perNode)
            perNode.append(n);
        QJsonObject result { { QStringLiteral("bench"), QStringLiteral("cluster") },
            { QStringLiteral("store"), m_pg ? QStringLiteral("postgresql") : QStringLiteral("sqlite") },
            { QStringLiteral("nodes"), m_o.nodes.size() }, { QStringLiteral("messages"), m_o.messages },
            { QStringLiteral("per_request"), m_o.perRequest },
            { QStringLiteral("connections"), m_o.connections }, { QStringLiteral("ok"), m_ok },
            { QStringLiteral("stalled"), m_stalled }, { QStringLiteral("seconds"), seconds },
            { QStringLiteral("messages_per_s"), seconds > 0 ? double(m_o.messages) / seconds : 0.0 },
            { QStringLiteral("sends_done_s"), double(m_sentMs) / 1000.0 },
            { QStringLiteral("sent_per_node"), perNode }, { QStringLiteral("refused_sends"), m_refused },
            { QStringLiteral("db_messages"), total }, { QStringLiteral("db_acked"), acked },
            { QStringLiteral("db_not_acked"), notAcked }, { QStringLiteral("db_distinct_ids"), distinctIds },
            { QStringLiteral("db_attempts_gt_1"), retried },
            { QStringLiteral("db_ack_attempts"), ackAttempts },
            { QStringLiteral("db_other_attempts"), otherAttempts }, { QStringLiteral("batches"), batches },
            { QStringLiteral("batches_by_size"), bySize }, { QStringLiteral("batches_open"), openBatches },
            { QStringLiteral("batches_per_node"), batchesPerNode },
            { QStringLiteral("receiver_batches"), m_receiverStats.value(QLatin1String("batches")) },
            { QStringLiteral("receiver_deliveries"), deliveries },
            { QStringLiteral("receiver_unique_ids"), uniqueIds },
            { QStringLiteral("receiver_unique_bodies"), uniqueBodies },
            { QStringLiteral("receiver_duplicates"), duplicates },
            { QStringLiteral("receiver_redelivered"), m_receiverStats.value(QLatin1String("redelivered")) },
            { QStringLiteral("cpu_nodes"), cores(nodesCpu) },
            { QStringLiteral("cpu_postgres"), cores(pgCpu) },
            { QStringLiteral("cpu_producer"), cores(selfCpu) },
            { QStringLiteral("cpu_receiver"), cores(receiverCpu) },
            { QStringLiteral("cpu_other"), cores(otherCpu) },
            { QStringLiteral("cpu_machine"), cores(machineCpu) } };

        printRow(QStringLiteral("nodes / store"),
            QStringLiteral("%1 / %2")
                .arg(m_o.nodes.size())
                .arg(result.value(QLatin1String("store")).toString()));
        printRow(QStringLiteral("wall, first send to last ack committed"),
            QStringLiteral("%1 s").arg(seconds, 0, 'f', 2));
        printRow(QStringLiteral("messages/s"), QString::number(qRound64(double(m_o.messages) / seconds)));
        printRow(QStringLiteral("all sends answered after"),
            QStringLiteral("%1 s").arg(double(m_sentMs) / 1000.0, 0, 'f', 2));
        printRow(QStringLiteral("store: messages / acked / distinct ids"),
            QStringLiteral("%1 / %2 / %3").arg(total).arg(acked).arg(distinctIds));
        printRow(QStringLiteral("store: ack attempts / other attempts"),
            QStringLiteral("%1 / %2").arg(ackAttempts).arg(otherAttempts));
        printRow(QStringLiteral("batches (cut by size) / still open"),
            QStringLiteral("%1 (%2) / %3").arg(batches).arg(bySize).arg(openBatches));
        printRow(QStringLiteral("receiver: deliveries / unique ids / duplicates"),
            QStringLiteral("%1 / %2 / %3").arg(deliveries).arg(uniqueIds).arg(duplicates));
        printRow(QStringLiteral("cores: nodes / postgres / producer / receiver / other"),
            QStringLiteral("%1 / %2 / %3 / %4 / %5")
                .arg(cores(nodesCpu), 0, 'f', 2)
                .arg(cores(pgCpu), 0, 'f', 2)
                .arg(cores(selfCpu), 0, 'f', 2)
                .arg(cores(receiverCpu), 0, 'f', 2)
                .arg(cores(otherCpu), 0, 'f', 2));
        printRow(QStringLiteral("every message acked exactly once"),
            m_ok ? QStringLiteral("yes") : QStringLiteral("NO"));
        printResult(result);
    }

    SendOptions m_o;
    qint64 m_chunks;
    QByteArray m_path;
    bool m_pg = false;
    qint64 m_queueId = 0;
    std::vector<std::unique_ptr<Client>> m_clients;
    std::unique_ptr<Client> m_statsClient;
    std::vector<qint64> m_perNode;
    qint64 m_nextChunk = 0;
    qint64 m_doneChunks = 0;
    qint64 m_refused = 0;
    QElapsedTimer m_clock;
    QTimer m_watchdog;
    qint64 m_progressMs = 0;
    qint64 m_sentMs = 0;
    qint64 m_doneMs = 0;
    qint64 m_lastUnique = -1;
    qint64 m_lastAcked = -1;
    bool m_stalled = false;
    bool m_ok = false;
    QJsonObject m_receiverStats;
    CpuSnapshot m_before;
    CpuSnapshot m_after;
};

QList<qint64> pidList(const QString &text)
{
    QList<qint64> out;
    for (const QString &p : text.split(QLatin1Char(','), Qt::SkipEmptyParts))
        out.append(p.toLongLong());
    return out;
}

} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral("Cluster end-to-end benchmark: receive | send"));
    parser.addHelpOption();
    parser.addPositionalArgument(QStringLiteral("role"), QStringLiteral("receive or send"));
    const QCommandLineOption port(QStringLiteral("port"), QStringLiteral("Receiver port (0: any)."),
        QStringLiteral("PORT"), QStringLiteral("0"));
    const QCommandLineOption nodes(
        QStringLiteral("nodes"), QStringLiteral("Node endpoints, comma-separated."), QStringLiteral("URLS"));
    const QCommandLineOption queue(QStringLiteral("queue"), QStringLiteral("Queue name."),
        QStringLiteral("NAME"), QStringLiteral("bench"));
    const QCommandLineOption messages(QStringLiteral("messages"), QStringLiteral("Messages to send."),
        QStringLiteral("N"), QStringLiteral("100000"));
    const QCommandLineOption perRequest(QStringLiteral("per-request"),
        QStringLiteral("Messages per batch send."), QStringLiteral("N"), QStringLiteral("100"));
    const QCommandLineOption connections(QStringLiteral("connections"),
        QStringLiteral("Producer connections, spread over the nodes."), QStringLiteral("N"),
        QStringLiteral("12"));
    const QCommandLineOption receiver(
        QStringLiteral("receiver"), QStringLiteral("The receiver's base URL."), QStringLiteral("URL"));
    const QCommandLineOption db(QStringLiteral("db"),
        QStringLiteral("The store: postgresql://…?schema=NAME or a SQLite file."), QStringLiteral("SPEC"));
    const QCommandLineOption stall(QStringLiteral("stall-seconds"),
        QStringLiteral("Give up after this long without progress."), QStringLiteral("S"),
        QStringLiteral("60"));
    const QCommandLineOption nodePids(
        QStringLiteral("node-pids"), QStringLiteral("Node pids, for CPU figures."), QStringLiteral("PIDS"));
    const QCommandLineOption receiverPid(
        QStringLiteral("receiver-pid"), QStringLiteral("Receiver pid."), QStringLiteral("PID"));
    const QCommandLineOption postgresPid(
        QStringLiteral("postgres-pid"), QStringLiteral("The postmaster's pid."), QStringLiteral("PID"));
    parser.addOptions({ port, nodes, queue, messages, perRequest, connections, receiver, db, stall, nodePids,
        receiverPid, postgresPid });
    parser.process(app);

    const QString role = parser.positionalArguments().value(0);
    if (role == QLatin1String("receive"))
        return runReceiver(quint16(parser.value(port).toUInt()));
    if (role != QLatin1String("send"))
        parser.showHelp(2);

    SendOptions o;
    for (const QString &u : parser.value(nodes).split(QLatin1Char(','), Qt::SkipEmptyParts))
        o.nodes.append(QUrl(u));
    o.queue = parser.value(queue);
    o.messages = parser.value(messages).toLongLong();
    o.perRequest = std::clamp(parser.value(perRequest).toInt(), 1, 100);
    o.connections = std::max(1, parser.value(connections).toInt());
    o.receiver = QUrl(parser.value(receiver));
    o.db = parser.value(db);
    o.stallSeconds = std::max(1, parser.value(stall).toInt());
    o.nodePids = pidList(parser.value(nodePids));
    o.receiverPid = parser.value(receiverPid).toLongLong();
    o.postgresPid = parser.value(postgresPid).toLongLong();
    if (o.nodes.isEmpty() || o.messages <= 0 || !o.receiver.isValid() || o.db.isEmpty()) {
        std::fprintf(stderr, "bench_cluster send: --nodes, --messages, --receiver and --db are required\n");
        return 2;
    }
    Sender sender(o);
    QString error;
    if (!sender.openStore(&error)) {
        std::fprintf(
            stderr, "bench_cluster: cannot read the store %s: %s\n", qPrintable(o.db), qPrintable(error));
        return 1;
    }
    sender.start();
    return QCoreApplication::exec();
}
