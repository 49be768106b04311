// Several `queuedeck --headless` nodes on one PostgreSQL database (QUEUEDECK_TEST_STORE):
// a node killed mid-load loses nothing and the queue's max_concurrency holds across all of
// them; the database restarted mid-run costs producers a 503 with Retry-After, never an
// accepted message.
#include "broker.h"
#include "headlessprocess.h"
#include "httpserver.h"
#include "metricssampler.h"
#include "pgstore.h"

#include "../testpg.h"

#include <QDir>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QRandomGenerator>
#include <QSet>
#include <QSignalSpy>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QTcpServer>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>

#include <functional>
#include <memory>

using namespace qd;

namespace {

constexpr int kConcurrency = 2;

QString freshSchemaSpec(const QString &base)
{
    return base + QStringLiteral("?schema=c_")
        + QString::number(QRandomGenerator::global()->generate64(), 16);
}

// The schema's own tables, read with SQL the runtime does not have an API for.
class Sql {
public:
    explicit Sql(const QString &spec)
        : m_name(QStringLiteral("tst-cluster-%1").arg(QRandomGenerator::global()->generate()))
    {
        m_schema = qdtest::addTestPgConnection(spec, m_name);
    }
    ~Sql()
    {
        QSqlDatabase::database(m_name, false).close();
        QSqlDatabase::removeDatabase(m_name);
    }
    // The first column of every row; empty when the query fails (or the server is down).
    QStringList column(const QString &sql)
    {
        QSqlDatabase db = QSqlDatabase::database(m_name, false);
        if (!db.isOpen() && !db.open())
            return {};
        QSqlQuery q(db);
        if (!q.exec(QStringLiteral("SET search_path TO ") + m_schema) || !q.exec(sql)) {
            db.close();
            return {};
        }
        QStringList out;
        while (q.next())
            out.append(q.value(0).toString());
        return out;
    }

private:
    QString m_name;
    QString m_schema;
};

// A webhook consumer: answers each batch with an all-ack after holdMs, counts deliveries
// per message id, and the most batches it ever had open at once.
class Receiver {
public:
    explicit Receiver(int holdMs)
        : m_holdMs(holdMs)
    {
        m_server.setHandler([this](const HttpRequest &request, const HttpResponder &responder) {
            const QJsonArray messages
                = QJsonDocument::fromJson(request.body).object().value(QLatin1String("messages")).toArray();
            for (const QJsonValue &m : messages)
                deliveries[m.toObject().value(QLatin1String("id")).toString()] += 1;
            maxOpen = std::max(maxOpen, ++open);
            QTimer::singleShot(m_holdMs, &m_server, [this, responder] {
                --open;
                responder.respond(HttpResponse::json(200, {}));
            });
        });
        QString error;
        if (!m_server.listen(QHostAddress::LocalHost, 0, &error))
            qFatal("%s", qPrintable(error));
    }
    QString url() const { return QStringLiteral("http://127.0.0.1:%1/hook").arg(m_server.port()); }

    QHash<QString, int> deliveries;
    int open = 0;
    int maxOpen = 0;

private:
    HttpServer m_server;
    int m_holdMs;
};

// POSTs image jobs to a set of endpoints, `inFlight` at a time, until `total` are sent;
// remembers the ids answered 202 and every other answer.
class Producer {
public:
    Producer(QStringList endpoints, int total, int inFlight)
        : m_endpoints(std::move(endpoints))
        , m_total(total)
    {
        for (int i = 0; i < inFlight; ++i)
            sendOne();
    }
    void drop(const QString &endpoint) { m_endpoints.removeAll(endpoint); }
    bool done() const { return answered == sent && sent >= m_total; }
    std::function<void()> afterEachAnswer;

    QSet<QString> accepted;
    int sent = 0;
    int answered = 0;
    int unavailable = 0; // 503s
    int unavailableWithRetryAfter = 0;
    int otherFailures = 0;

private:
    void sendOne()
    {
        if (sent >= m_total || m_endpoints.isEmpty())
            return;
        const QString endpoint = m_endpoints.at(sent % m_endpoints.size());
        QNetworkRequest request { QUrl(endpoint) };
        request.setHeader(QNetworkRequest::ContentTypeHeader, QByteArrayLiteral("application/json"));
        const QByteArray body
            = QStringLiteral("{\"imageUrl\":\"https://example.com/%1.jpg\",\"userId\":\"cluster\"}")
                  .arg(sent++)
                  .toUtf8();
        QNetworkReply *reply = m_network.post(request, body);
        QObject::connect(reply, &QNetworkReply::finished, &m_network, [this, reply] {
            reply->deleteLater();
            ++answered;
            const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
            if (status == 202) {
                accepted.insert(
                    QJsonDocument::fromJson(reply->readAll()).object().value(QLatin1String("id")).toString());
            } else if (status == 503) {
                ++unavailable;
                if (reply->rawHeader("Retry-After").toInt() > 0)
                    ++unavailableWithRetryAfter;
            } else {
                ++otherFailures;
            }
            if (afterEachAnswer)
                afterEachAnswer();
            sendOne();
        });
    }

    QNetworkAccessManager m_network;
    QStringList m_endpoints;
    int m_total;
};

// The default queue, made ahead with a webhook consumer and a concurrency limit.
bool createQueue(const QString &spec, const QString &webhook, QString *error)
{
    PgStore store(spec);
    if (!store.open(error))
        return false;
    SystemClock clock;
    Broker broker(&store, &clock);
    if (!broker.start(error))
        return false;
    QueueSettings settings;
    settings.consumerType = ConsumerType::Webhook;
    settings.webhookUrl = webhook;
    settings.maxBatchSize = 10;
    settings.maxBatchTimeoutMs = 50;
    settings.maxConcurrency = kConcurrency;
    const Error e = broker.createQueue(QStringLiteral("images"), settings);
    if (e.isError())
        *error = e.message;
    return e.ok();
}

} // namespace

class TstCluster : public QObject {
    Q_OBJECT
private slots:
    void initTestCase()
    {
        m_base = qEnvironmentVariable("QUEUEDECK_TEST_STORE");
        QVERIFY2(isPostgresSpec(m_base), "QUEUEDECK_TEST_STORE must name the test PostgreSQL database");
    }

    // Two runtimes in one process on one database: the charts of the one that does no
    // work show the other's, and counters moving with a re-registered node are not counted
    // twice.
    void chartsCountEveryNodesWork()
    {
        const QString spec = freshSchemaSpec(m_base);
        SystemClock clock;
        PgStore storeA(spec);
        PgStore storeB(spec);
        QString error;
        QVERIFY2(storeA.open(&error) && storeB.open(&error), qPrintable(error));
        Broker a(&storeA, &clock);
        QVERIFY2(a.start(&error), qPrintable(error));
        QueueSettings settings;
        settings.maxBatchSize = 5;
        QVERIFY(a.createQueue(QStringLiteral("q"), settings).ok());
        a.pumpAll(); // committed
        Broker b(&storeB, &clock);
        QVERIFY2(b.start(&error), qPrintable(error));
        QVERIFY(b.queue(QStringLiteral("q")).has_value());
        const qint64 id = b.queue(QStringLiteral("q"))->id;

        class AckAll final : public Consumer {
        public:
            void deliver(const Delivery &, CompletionFn done) override { done(BatchOutcome {}); }
        };
        a.attachConsumer(QStringLiteral("q"), std::make_shared<AckAll>());
        std::vector<SendItem> items;
        for (int i = 0; i < 5; ++i)
            items.push_back(SendItem { QByteArray("\"m\""), ContentType::Json, std::nullopt });
        QVERIFY(a.send(QStringLiteral("q"), items, std::nullopt, {}).ok());

        MetricsSampler sampler(&b, 100);
        qint64 ackedSeen = 0;
        connect(&sampler, &MetricsSampler::sampled, this,
            [&](const QList<MetricsFrame> &frames, const QList<QueueSnapshot> &) {
                for (const MetricsFrame &f : frames) {
                    if (f.queue == QLatin1String("q"))
                        ackedSeen += f.acked;
                }
            });
        sampler.start();
        QTRY_COMPARE(b.clusterCounters()[id].acked, 5);
        QCOMPARE(b.counters(QStringLiteral("q")).acked, 0); // b itself did nothing
        QTRY_COMPARE(ackedSeen, 5);

        // a registers again (as after a lost connection): its counters move with it.
        NodeInfo again;
        again.host = QStringLiteral("test");
        storeA.registerNode(again);
        QVERIFY(storeA.commit(&error));
        // That nothing changes: each sample reads the cluster's counters, and six of them
        // (100 ms apart) span at least two of a's publications (every 250 ms).
        QSignalSpy samples(&sampler, &MetricsSampler::sampled);
        QTRY_VERIFY(samples.count() >= 6);
        QCOMPARE(b.clusterCounters()[id].acked, 5);
        QCOMPARE(ackedSeen, 5);
    }

    // A node too slow to beat its heartbeat timeout: another node takes its batch back and
    // acks it; when the slow node's consumer finally answers, nothing changes, so the
    // message is acked once.
    void lateOutcomeOfATakenBatchChangesNothing()
    {
        const QString spec = freshSchemaSpec(m_base);
        SystemClock clock;
        PgStore storeA(spec);
        PgStore storeB(spec);
        QString error;
        QVERIFY2(storeA.open(&error) && storeB.open(&error), qPrintable(error));
        Broker a(&storeA, &clock);
        QVERIFY2(a.start(&error), qPrintable(error));
        QueueSettings settings;
        settings.maxBatchSize = 1;
        QVERIFY(a.createQueue(QStringLiteral("q"), settings).ok());
        a.pumpAll();
        Broker b(&storeB, &clock);
        QVERIFY2(b.start(&error), qPrintable(error));

        class Held final : public Consumer {
        public:
            void deliver(const Delivery &d, CompletionFn done) override
            {
                delivered.push_back(d);
                pending.push_back(std::move(done));
            }
            std::vector<Delivery> delivered;
            std::vector<CompletionFn> pending;
        };
        auto slow = std::make_shared<Held>();
        a.attachConsumer(QStringLiteral("q"), slow);
        QStringList ids;
        QVERIFY(a.send(QStringLiteral("q"),
                     { SendItem { QByteArray("\"late\""), ContentType::Json, std::nullopt } }, std::nullopt,
                     {}, &ids)
                    .ok());
        QTRY_COMPARE(slow->pending.size(), std::size_t(1));
        a.pumpAll(); // the claim is committed

        // a's heartbeat "runs out": its row goes, as it would after --node-timeout.
        Sql sql(spec);
        QCOMPARE(
            sql.column(QStringLiteral("DELETE FROM nodes WHERE pid = %1 AND id = (SELECT min(id) FROM nodes) "
                                      "RETURNING id")
                           .arg(QCoreApplication::applicationPid()))
                .size(),
            1);
        auto fast = std::make_shared<Held>();
        b.attachConsumer(QStringLiteral("q"), fast);
        QTRY_COMPARE(fast->pending.size(), std::size_t(1)); // delivered again, by b
        QCOMPARE(fast->delivered.front().messages.front().id, ids.front());
        fast->pending.front()(BatchOutcome {});
        b.pumpAll();

        // a's consumer answers at last.
        slow->pending.front()(BatchOutcome {});
        a.pumpAll();
        const QString id = ids.front();
        QCOMPARE(
            sql.column(
                QStringLiteral("SELECT outcome FROM attempts WHERE message_id = '%1' ORDER BY id").arg(id)),
            (QStringList { QStringLiteral("interrupted"), QStringLiteral("acked") }));
        QCOMPARE(sql.column(QStringLiteral("SELECT state FROM messages WHERE id = '%1'").arg(id)),
            QStringList { QStringLiteral("2") });
        QCOMPARE(a.inFlightBatches(QStringLiteral("q")), 0);
    }

    // Three nodes and one producer; the node holding a batch is SIGKILLed mid-load. Every
    // accepted message ends acked exactly once in the store; those delivered twice were in
    // the dead node's batches (an `interrupted` attempt says so); no more than
    // max_concurrency batches were ever open at the consumer, across all nodes.
    void killOneOfThreeNodes_data()
    {
        QTest::addColumn<int>("killAfter");
        for (int run = 1; run <= 10; ++run)
            QTest::addRow("run %d", run) << 60 + run * 20;
    }

    void killOneOfThreeNodes()
    {
        QFETCH(int, killAfter);
        const QString spec = freshSchemaSpec(m_base);
        Receiver receiver(15);
        QString error;
        QVERIFY2(createQueue(spec, receiver.url(), &error), qPrintable(error));

        QTemporaryDir dir;
        std::vector<std::unique_ptr<HeadlessProcess>> nodes;
        QStringList endpoints;
        for (int i = 0; i < 3; ++i) {
            nodes.push_back(std::make_unique<HeadlessProcess>(dir.filePath(QString::number(i)),
                QStringList { QStringLiteral("--store"), spec, QStringLiteral("--node-timeout"),
                    QStringLiteral("2") }));
            endpoints.append(nodes.back()->start());
            QVERIFY(!endpoints.back().isEmpty());
        }

        Sql sql(spec);
        Producer producer(endpoints, 600, 12);
        qint64 killedPid = 0;
        producer.afterEachAnswer = [&] {
            if (killedPid != 0 || producer.accepted.size() < killAfter)
                return;
            // A node with a push batch in flight just now.
            const QStringList pids
                = sql.column(QStringLiteral("SELECT n.pid FROM messages m JOIN nodes n ON n.id = m.node_id "
                                            "WHERE m.state = 1 AND m.lease_expires = 0 LIMIT 1"));
            if (pids.isEmpty())
                return;
            for (std::size_t i = 0; i < nodes.size(); ++i) {
                if (nodes[i]->process().processId() == pids.first().toLongLong()) {
                    killedPid = pids.first().toLongLong();
                    nodes[i]->process().kill(); // SIGKILL, mid-load
                    producer.drop(endpoints.at(int(i)));
                }
            }
        };
        QTRY_VERIFY_WITH_TIMEOUT(killedPid != 0, 30000);
        QTRY_VERIFY_WITH_TIMEOUT(producer.done(), 30000);
        QVERIFY(producer.accepted.size() > killAfter);

        // Every accepted message is acked, the dead node's batches included.
        const auto unacked = [&] {
            return sql.column(QStringLiteral("SELECT count(*) FROM messages WHERE state <> 2")).value(0);
        };
        QTRY_COMPARE_WITH_TIMEOUT(unacked(), QStringLiteral("0"), 30000);
        const QStringList stored = sql.column(QStringLiteral("SELECT id FROM messages"));
        const QSet<QString> storedIds(stored.begin(), stored.end());
        QVERIFY2((producer.accepted - storedIds).isEmpty(), "an accepted message is missing");
        for (const QString &id : std::as_const(producer.accepted))
            QVERIFY2(receiver.deliveries.value(id) >= 1, qPrintable(id + QStringLiteral(" never delivered")));

        // Acked once: one `acked` attempt per message. Delivered again only after a node died.
        QCOMPARE(sql.column(QStringLiteral("SELECT count(*) FROM attempts WHERE outcome = 'acked'")).value(0),
            QString::number(storedIds.size()));
        const QStringList interrupted = sql.column(
            QStringLiteral("SELECT DISTINCT message_id FROM attempts WHERE outcome = 'interrupted'"));
        QVERIFY2(!interrupted.isEmpty(), "the killed node had a batch in flight");
        const QSet<QString> interruptedIds(interrupted.begin(), interrupted.end());
        for (auto it = receiver.deliveries.cbegin(); it != receiver.deliveries.cend(); ++it) {
            if (it.value() > 1)
                QVERIFY2(interruptedIds.contains(it.key()),
                    qPrintable(it.key() + QStringLiteral(" was delivered twice without a node dying")));
        }
        // The dead node's batches were closed by a live one.
        QCOMPARE(
            sql.column(QStringLiteral("SELECT count(*) FROM batches WHERE ended_ms = 0 AND cut_reason <> "
                                      "'pull'"))
                .value(0),
            QStringLiteral("0"));

        // max_concurrency held across the three nodes, and the load reached it.
        QVERIFY2(receiver.maxOpen <= kConcurrency,
            qPrintable(QStringLiteral("%1 batches open at once").arg(receiver.maxOpen)));
        QCOMPARE(receiver.maxOpen, kConcurrency);

        for (auto &node : nodes) {
            if (node->process().state() != QProcess::NotRunning) {
                node->process().terminate();
                QTRY_COMPARE_WITH_TIMEOUT(node->process().state(), QProcess::NotRunning, 10000);
                QCOMPARE(node->process().exitCode(), 0);
            }
        }
    }

    // The database stops mid-run and comes back: producers hear 503 with Retry-After while
    // it is away, the node reconnects by itself, and every accepted message is stored and
    // acked. Runs on a cluster of its own, which this test stops and starts.
    void databaseRestartMidRun()
    {
        QTemporaryDir pgDir(QDir::tempPath() + QStringLiteral("/queuedeck-restart-XXXXXX"));
        QVERIFY(pgDir.isValid());
        // A port the kernel just handed out and took back; another try if something took it.
        const auto freePort = [] {
            QTcpServer probe;
            probe.listen(QHostAddress::LocalHost, 0);
            return QString::number(probe.serverPort());
        };
        QString port;
        const auto pg = [&](const QStringList &args) {
            QProcess p;
            p.start(QStringLiteral("bash"), QStringList { QStringLiteral(QUEUEDECK_PG_SCRIPT) } + args);
            p.waitForFinished(60000);
            if (p.exitCode() != 0)
                qWarning("pg.sh %s: %s", qPrintable(args.join(u' ')), p.readAllStandardError().constData());
            return QString::fromUtf8(p.readAllStandardOutput()).trimmed();
        };
        QString url;
        for (int attempt = 0; attempt < 3 && !isPostgresSpec(url); ++attempt) {
            port = freePort();
            url = pg({ QStringLiteral("start"), pgDir.path(), port });
        }
        QVERIFY2(isPostgresSpec(url), qPrintable(url));
        const QString spec = freshSchemaSpec(url);
        Receiver receiver(5);
        QString error;
        QVERIFY2(createQueue(spec, receiver.url(), &error), qPrintable(error));

        QTemporaryDir dir;
        HeadlessProcess node(dir.path(), { QStringLiteral("--store"), spec });
        const QString endpoint = node.start();
        QVERIFY(!endpoint.isEmpty());

        Producer producer({ endpoint }, 1'000'000, 4);
        QTRY_VERIFY_WITH_TIMEOUT(producer.accepted.size() >= 100, 30000);
        pg({ QStringLiteral("stop"), pgDir.path() });
        QTRY_VERIFY_WITH_TIMEOUT(producer.unavailable >= 20, 30000);
        const int acceptedBefore = int(producer.accepted.size());
        QCOMPARE(pg({ QStringLiteral("start"), pgDir.path(), port }), url);
        QTRY_VERIFY_WITH_TIMEOUT(producer.accepted.size() >= acceptedBefore + 100, 30000);
        QVERIFY(node.process().state() == QProcess::Running);
        QCOMPARE(producer.unavailableWithRetryAfter, producer.unavailable);
        QCOMPARE(producer.otherFailures, 0);

        // Stop producing; everything accepted is stored and acked.
        producer.drop(endpoint);
        QTRY_VERIFY_WITH_TIMEOUT(producer.answered == producer.sent, 30000);
        Sql sql(spec);
        QTRY_COMPARE_WITH_TIMEOUT(
            sql.column(QStringLiteral("SELECT count(*) FROM messages WHERE state <> 2")).value(0),
            QStringLiteral("0"), 30000);
        const QStringList stored = sql.column(QStringLiteral("SELECT id FROM messages"));
        const QSet<QString> storedIds(stored.begin(), stored.end());
        QVERIFY2((producer.accepted - storedIds).isEmpty(), "an accepted message is missing");

        node.process().terminate();
        QTRY_COMPARE_WITH_TIMEOUT(node.process().state(), QProcess::NotRunning, 10000);
        pg({ QStringLiteral("stop"), pgDir.path() });
    }

private:
    QString m_base;
};

QTEST_GUILESS_MAIN(TstCluster)
#include "tst_cluster.moc"
