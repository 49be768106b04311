// Worker projects run for real: a TypeScript project in a temporary folder, bundled by the
// pinned esbuild, run by the pinned workerd, its sends stored by a real Runtime and its
// batches delivered back to its queue() handler (docs/workers.md).
#include "../imaging/httpclient.h"
#include "../workerproject.h"
#include "httpserver.h"
#include "runtime.h"

#include <QBuffer>
#include <QImage>
#include <QJsonArray>
#include <QTemporaryDir>
#include <QTest>

#include <csignal>

using namespace qd;
using qdtest::HttpClient;
using qdtest::writeWorkerProject;
using qdtest::writeWorkerSource;

namespace {

// The Worker under test: what queue() does with a job is in the job.
constexpr const char *kWorkerSource = R"ts(
interface Env {
  JOBS: Queue<Job>;
  PLAIN: Queue<Job>;
  GREETING: string;
}
type Job = { mode: string; n: number; delay?: number; slowOnFirst?: boolean };

export default {
  async fetch(request: Request, env: Env): Promise<Response> {
    const path = new URL(request.url).pathname;
    if (path === "/batch") {
      const jobs: Job[] = await request.json();
      await env.JOBS.sendBatch(jobs.map((job) => ({ body: job, delaySeconds: job.delay })));
      return new Response("queued batch", { status: 202 });
    }
    if (path === "/v8") {
      // Structured clone: a Date survives, which JSON would not keep.
      await env.JOBS.send({ mode: "ack", n: 80, when: new Date(86400000), tags: ["a", 2] }, { contentType: "v8" });
      return new Response("queued v8", { status: 202 });
    }
    if (path === "/text") {
      console.error("sending a text body");
      await env.JOBS.send("plain words", { contentType: "text" });
      return new Response("queued text", { status: 202 });
    }
    const job: Job = await request.json();
    console.log(`fetch ${env.GREETING} ${job.n}`);
    await (path === "/plain" ? env.PLAIN : env.JOBS).send(job, { delaySeconds: job.delay });
    return new Response("queued", { status: 202 });
  },

  async queue(batch: MessageBatch<Job | string>, env: Env): Promise<void> {
    console.log(`queue() got ${batch.messages.length} from ${batch.queue}`);
    for (const message of batch.messages) {
      const job = message.body;
      if (typeof job === "string") {
        if (job !== "plain words") throw new Error(`text body arrived as ${job}`);
        message.ack();
        continue;
      }
      console.log(`job ${job.n} attempt ${message.attempts}`);
      if (job.n === 80 && !((job as any).when instanceof Date && (job as any).when.getTime() === 86400000))
        throw new Error("the v8 body did not arrive as it was sent");
      if (job.slowOnFirst && message.attempts === 1) await new Promise((r) => setTimeout(r, 60000));
      switch (job.mode) {
        case "ack": message.ack(); break;
        case "retry": message.retry(); break;
        case "retryLater": message.retry({ delaySeconds: 40 }); break;
        case "retryAll": batch.retryAll(); break;
        case "throw": throw new Error(`job ${job.n} failed`);
        default: break; // no verdict: acked when queue() returns
      }
    }
  },
};
)ts";

constexpr const char *kWrangler = R"(name = "jobs-worker"
main = "src/index.ts"
compatibility_date = "2024-09-23"

[vars]
GREETING = "hello"

[[queues.producers]]
binding = "JOBS"
queue = "jobs"

[[queues.producers]]
binding = "PLAIN"
queue = "plain"

[[queues.consumers]]
queue = "jobs"
max_batch_size = 10
max_batch_timeout = 1
max_retries = 2
dead_letter_queue = "jobs-dlq"

[[queues.consumers]]
queue = "plain"
max_batch_timeout = 1
max_retries = 1
)";

} // namespace

class TstWorkers : public QObject {
    Q_OBJECT

    QTemporaryDir m_data;
    QTemporaryDir m_project;
    std::unique_ptr<Runtime> m_runtime;
    HttpClient m_http;

    QString api(const QString &path) const { return m_runtime->endpoint() + path; }
    WorkerInfo worker(const QString &name) const
    {
        for (const WorkerInfo &w : m_runtime->workerList()) {
            if (w.name == name)
                return w;
        }
        return {};
    }
    QJsonArray messages(const QString &queue)
    {
        return m_http.get(api(QStringLiteral("api/messages?limit=1000&queue=") + queue))
            .json()
            .value(QLatin1String("messages"))
            .toArray();
    }
    // The message of `queue` whose body has this n.
    QJsonObject job(const QString &queue, int n)
    {
        for (const QJsonValue &m : messages(queue)) {
            const QJsonObject o = m.toObject();
            // v8 bodies are base64 in `body`, and readable in `body_decoded`.
            const QJsonValue body
                = o.value(QLatin1String(o.contains(QLatin1String("body_decoded")) ? "body_decoded" : "body"));
            if (body.toObject().value(QLatin1String("n")).toInt() == n)
                return o;
        }
        return {};
    }
    QString stateOf(const QString &queue, int n)
    {
        return job(queue, n).value(QLatin1String("state")).toString();
    }
    QJsonArray history(const QJsonObject &message)
    {
        return m_http
            .get(api(QStringLiteral("api/messages/") + message.value(QLatin1String("id")).toString()))
            .json()
            .value(QLatin1String("attempts_history"))
            .toArray();
    }
    int post(const QString &path, const QByteArray &body)
    {
        return m_http.post(worker(QStringLiteral("jobs-worker")).url + path, body, "application/json").status;
    }

private slots:
    void initTestCase()
    {
        QVERIFY(m_data.isValid() && m_project.isValid());
        writeWorkerProject(m_project.path(), kWrangler, kWorkerSource);
        QString error;
        m_runtime = qdtest::startWorkerRuntime(m_data.path(), m_project.path(), &error);
        QVERIFY2(m_runtime, qPrintable(error));
        QTRY_COMPARE_WITH_TIMEOUT(worker(QStringLiteral("jobs-worker")).state, WorkerState::Running, 30000);
    }

    void cleanupTestCase() { m_runtime.reset(); }

    void theProjectIsListedWithItsQueues()
    {
        const QJsonObject listed = m_http.get(api(QStringLiteral("api/workers")))
                                       .json()
                                       .value(QLatin1String("workers"))
                                       .toArray()
                                       .at(0)
                                       .toObject();
        QCOMPARE(listed.value(QLatin1String("name")).toString(), QStringLiteral("jobs-worker"));
        QCOMPARE(listed.value(QLatin1String("state")).toString(), QStringLiteral("running"));
        QVERIFY(listed.value(QLatin1String("url")).toString().startsWith(QLatin1String("http://127.0.0.1:")));
        QCOMPARE(listed.value(QLatin1String("config")).toString(),
            m_project.filePath(QStringLiteral("wrangler.toml")));
        QCOMPARE(listed.value(QLatin1String("consumes")).toArray(),
            (QJsonArray { QStringLiteral("jobs"), QStringLiteral("plain") }));
        // Its queues exist with the file's settings, as a wrangler import makes them.
        const QJsonObject queues = m_http.get(api(QStringLiteral("api/queues"))).json();
        QVERIFY2(
            QJsonDocument(queues).toJson().contains("jobs-dlq"), QJsonDocument(queues).toJson().constData());
    }

    void sendsAreStoredAndBatchesAcked()
    {
        for (int n = 1; n <= 3; ++n)
            QCOMPARE(
                post(QStringLiteral("/"), QStringLiteral(R"({"mode":"ack","n":%1})").arg(n).toUtf8()), 202);
        // The Worker's send() resolved, so the messages are in the store now.
        for (int n = 1; n <= 3; ++n)
            QVERIFY(!job(QStringLiteral("jobs"), n).isEmpty());
        for (int n = 1; n <= 3; ++n)
            QTRY_COMPARE_WITH_TIMEOUT(stateOf(QStringLiteral("jobs"), n), QStringLiteral("acked"), 15000);
        const QJsonObject first = job(QStringLiteral("jobs"), 1);
        QCOMPARE(first.value(QLatin1String("attempts")).toInt(), 1);
        QCOMPARE(first.value(QLatin1String("content_type")).toString(), QStringLiteral("json"));
        // What queue() printed is kept with the attempt.
        const QJsonArray attempts = history(first);
        QCOMPARE(attempts.size(), 1);
        const QStringList logs
            = attempts.at(0).toObject().value(QLatin1String("logs")).toVariant().toStringList();
        QVERIFY2(logs.contains(QStringLiteral("job 1 attempt 1")), qPrintable(logs.join(QLatin1Char('|'))));
        QVERIFY2(
            logs.first().startsWith(QLatin1String("queue() got ")), qPrintable(logs.join(QLatin1Char('|'))));
    }

    void theLogKeepsWhatWasPrintedInOrder()
    {
        // What a window opened later shows first: numbered lines, oldest first.
        const QList<WorkerLogLine> recent = m_runtime->recentWorkerLog();
        QVERIFY(!recent.isEmpty());
        for (qsizetype i = 1; i < recent.size(); ++i)
            QCOMPARE(recent[i].seq, recent[i - 1].seq + 1);
        const auto serving = std::find_if(recent.begin(), recent.end(),
            [](const WorkerLogLine &l) { return l.text.startsWith(QLatin1String("serving fetch() at ")); });
        QVERIFY(serving != recent.end());
        QCOMPARE(serving->worker, QStringLiteral("jobs-worker"));
        // console.log is a plain line, console.error an error line.
        const auto printed = std::find_if(recent.begin(), recent.end(),
            [](const WorkerLogLine &l) { return l.text == QLatin1String("fetch hello 1"); });
        QVERIFY(printed != recent.end());
        QVERIFY(!printed->error);
        QCOMPARE(post(QStringLiteral("/text"), "{}"), 202);
        QTRY_VERIFY_WITH_TIMEOUT(
            [&] {
                const QList<WorkerLogLine> now = m_runtime->recentWorkerLog();
                return std::any_of(now.begin(), now.end(), [](const WorkerLogLine &l) {
                    return l.text == QLatin1String("sending a text body") && l.error;
                });
            }(),
            10000);
    }

    void textBodiesKeepTheirType()
    {
        QCOMPARE(post(QStringLiteral("/text"), "{}"), 202);
        QJsonObject text;
        QTRY_VERIFY_WITH_TIMEOUT(
            [&] {
                for (const QJsonValue &m : messages(QStringLiteral("jobs"))) {
                    if (m.toObject().value(QLatin1String("content_type")).toString() == QLatin1String("text"))
                        text = m.toObject();
                }
                return text.value(QLatin1String("state")).toString() == QLatin1String("acked");
            }(),
            15000);
        QCOMPARE(text.value(QLatin1String("body")).toString(), QStringLiteral("plain words"));
    }

    void v8BodiesAreStoredReadableAndDeliveredIntact()
    {
        QCOMPARE(post(QStringLiteral("/v8"), "{}"), 202);
        const QJsonObject stored = job(QStringLiteral("jobs"), 80);
        QCOMPARE(stored.value(QLatin1String("content_type")).toString(), QStringLiteral("v8"));
        QCOMPARE(
            stored.value(QLatin1String("body_decoded")).toObject().value(QLatin1String("when")).toString(),
            QStringLiteral("1970-01-02T00:00:00.000Z"));
        QCOMPARE(
            stored.value(QLatin1String("body_decoded")).toObject().value(QLatin1String("tags")).toArray(),
            (QJsonArray { QStringLiteral("a"), 2 }));
        // queue() throws unless the Date arrived as a Date.
        QTRY_COMPARE_WITH_TIMEOUT(stateOf(QStringLiteral("jobs"), 80), QStringLiteral("acked"), 15000);
        QCOMPARE(job(QStringLiteral("jobs"), 80).value(QLatin1String("attempts")).toInt(), 1);
    }

    void retriesEndInTheDeadLetterQueue()
    {
        QCOMPARE(post(QStringLiteral("/"), R"({"mode":"retry","n":10})"), 202);
        QTRY_COMPARE_WITH_TIMEOUT(stateOf(QStringLiteral("jobs-dlq"), 10), QStringLiteral("ready"), 20000);
        const QJsonArray attempts = history(job(QStringLiteral("jobs-dlq"), 10));
        QCOMPARE(attempts.size(), 3); // max_retries = 2
        QCOMPARE(attempts.at(0).toObject().value(QLatin1String("outcome")).toString(),
            QStringLiteral("dead_lettered"));
        QCOMPARE(attempts.at(2).toObject().value(QLatin1String("error")).toString(),
            QStringLiteral("retry() called by the Worker"));
    }

    void retriesEndFailedWithoutADeadLetterQueue()
    {
        QCOMPARE(post(QStringLiteral("/plain"), R"({"mode":"retry","n":20})"), 202);
        QTRY_COMPARE_WITH_TIMEOUT(stateOf(QStringLiteral("plain"), 20), QStringLiteral("failed"), 20000);
        QCOMPARE(history(job(QStringLiteral("plain"), 20)).size(), 2); // max_retries = 1
    }

    void aThrowRetriesWhatWasNotAcked()
    {
        // One sendBatch, so one batch: two acks, then a throw, then one never reached.
        QCOMPARE(
            post(QStringLiteral("/batch"),
                R"([{"mode":"ack","n":31},{"mode":"ack","n":32},{"mode":"throw","n":33},{"mode":"ack","n":34}])"),
            202);
        QTRY_COMPARE_WITH_TIMEOUT(stateOf(QStringLiteral("jobs-dlq"), 33), QStringLiteral("ready"), 20000);
        QTRY_COMPARE_WITH_TIMEOUT(stateOf(QStringLiteral("jobs-dlq"), 34), QStringLiteral("ready"), 20000);
        QCOMPARE(stateOf(QStringLiteral("jobs"), 31), QStringLiteral("acked"));
        QCOMPARE(stateOf(QStringLiteral("jobs"), 32), QStringLiteral("acked"));
        const QJsonObject thrown = history(job(QStringLiteral("jobs-dlq"), 33)).last().toObject();
        QCOMPARE(thrown.value(QLatin1String("error")).toString(), QStringLiteral("Error: job 33 failed"));
        // The exception's stack is among the attempt's log lines.
        const QStringList logs = thrown.value(QLatin1String("logs")).toVariant().toStringList();
        QVERIFY2(logs.last().startsWith(QLatin1String("Error: job 33 failed\n    at ")),
            qPrintable(logs.join(QLatin1Char('|'))));
    }

    void retryAllRetriesEveryMessage()
    {
        QCOMPARE(
            post(QStringLiteral("/batch"), R"([{"mode":"none","n":41},{"mode":"retryAll","n":42}])"), 202);
        QTRY_COMPARE_WITH_TIMEOUT(stateOf(QStringLiteral("jobs-dlq"), 41), QStringLiteral("ready"), 20000);
        QTRY_COMPARE_WITH_TIMEOUT(stateOf(QStringLiteral("jobs-dlq"), 42), QStringLiteral("ready"), 20000);
    }

    void retryWithADelayAndDelayedSends()
    {
        QCOMPARE(post(QStringLiteral("/"), R"({"mode":"retryLater","n":50})"), 202);
        QTRY_COMPARE_WITH_TIMEOUT(stateOf(QStringLiteral("jobs"), 50), QStringLiteral("delayed"), 15000);
        const QJsonObject retried = job(QStringLiteral("jobs"), 50);
        QCOMPARE(retried.value(QLatin1String("attempts")).toInt(), 1);
        const qint64 wait = retried.value(QLatin1String("visible_at_ms")).toInteger()
            - retried.value(QLatin1String("updated_ms")).toInteger();
        QVERIFY2(wait >= 39'000 && wait <= 41'000, qPrintable(QString::number(wait)));

        QCOMPARE(
            post(QStringLiteral("/batch"), R"([{"mode":"ack","n":51,"delay":120},{"mode":"ack","n":52}])"),
            202);
        QCOMPARE(stateOf(QStringLiteral("jobs"), 51), QStringLiteral("delayed"));
        const QJsonObject delayed = job(QStringLiteral("jobs"), 51);
        QVERIFY(delayed.value(QLatin1String("visible_at_ms")).toInteger()
                - delayed.value(QLatin1String("timestamp_ms")).toInteger()
            >= 119'000);
        QTRY_COMPARE_WITH_TIMEOUT(stateOf(QStringLiteral("jobs"), 52), QStringLiteral("acked"), 15000);
        QCOMPARE(stateOf(QStringLiteral("jobs"), 51), QStringLiteral("delayed"));
    }

    void killingWorkerdMidBatchLosesNothing()
    {
        QCOMPARE(post(QStringLiteral("/"), R"({"mode":"ack","n":60,"slowOnFirst":true})"), 202);
        QTRY_COMPARE_WITH_TIMEOUT(stateOf(QStringLiteral("jobs"), 60), QStringLiteral("inflight"), 15000);
        const WorkerInfo before = worker(QStringLiteral("jobs-worker"));
        QVERIFY(before.pid > 0);
        QCOMPARE(::kill(pid_t(before.pid), SIGKILL), 0);
        // Restarted with back-off, and the batch delivered again.
        QTRY_VERIFY_WITH_TIMEOUT(
            worker(QStringLiteral("jobs-worker")).restarts == before.restarts + 1, 15000);
        QTRY_COMPARE_WITH_TIMEOUT(worker(QStringLiteral("jobs-worker")).state, WorkerState::Running, 15000);
        QTRY_COMPARE_WITH_TIMEOUT(stateOf(QStringLiteral("jobs"), 60), QStringLiteral("acked"), 20000);
        const QJsonArray attempts = history(job(QStringLiteral("jobs"), 60));
        QCOMPARE(attempts.size(), 2);
        QVERIFY2(attempts.at(1)
                     .toObject()
                     .value(QLatin1String("error"))
                     .toString()
                     .contains(QLatin1String("stopped")),
            qPrintable(attempts.at(1).toObject().value(QLatin1String("error")).toString()));
    }

    void aSaveReloadsTheWorker()
    {
        QString source = QString::fromUtf8(kWorkerSource);
        source.replace(QStringLiteral("\"queued\""), QStringLiteral("\"queued by v2\""));
        writeWorkerSource(m_project.path(), source.toUtf8());
        QTRY_COMPARE_WITH_TIMEOUT(m_http
                                      .post(worker(QStringLiteral("jobs-worker")).url,
                                          R"({"mode":"ack","n":70})", "application/json")
                                      .body,
            QByteArray("queued by v2"), 15000);
        QTRY_COMPARE_WITH_TIMEOUT(stateOf(QStringLiteral("jobs"), 70), QStringLiteral("acked"), 15000);
    }

    void theImageWorkerExampleRecordsMetadata()
    {
        // A real PNG on a loopback server of the test's own.
        QImage image(37, 21, QImage::Format_RGB32);
        image.fill(Qt::darkCyan);
        QByteArray png;
        QBuffer buffer(&png);
        QVERIFY(buffer.open(QIODevice::WriteOnly) && image.save(&buffer, "PNG"));
        HttpServer images;
        images.setHandler([png](const HttpRequest &request, const HttpResponder &responder) {
            HttpResponse r;
            r.status = request.path == "/cat.png" ? 200 : 404;
            r.body = r.status == 200 ? png : QByteArray("no such image");
            responder.respond(r);
        });
        QString error;
        QVERIFY2(images.listen(QHostAddress::LocalHost, 0, &error), qPrintable(error));
        const QString base = QStringLiteral("http://127.0.0.1:%1/").arg(images.port());

        m_runtime->loadWorker(QStringLiteral(QUEUEDECK_EXAMPLES "/image-worker"));
        QTRY_COMPARE_WITH_TIMEOUT(worker(QStringLiteral("image-worker")).state, WorkerState::Running, 30000);
        const QString url = worker(QStringLiteral("image-worker")).url;
        QCOMPARE(m_http.post(url, R"({"userId":"u1"})", "application/json").status, 400);
        QCOMPARE(
            m_http
                .post(url, QStringLiteral(R"({"imageUrl":"%1cat.png","userId":"u1"})").arg(base).toUtf8(),
                    "application/json")
                .status,
            202);
        QCOMPARE(
            m_http
                .post(url, QStringLiteral(R"({"imageUrl":"%1dog.png","userId":"u2"})").arg(base).toUtf8(),
                    "application/json")
                .status,
            202);
        QJsonObject result;
        QTRY_VERIFY_WITH_TIMEOUT(
            [&] {
                const QJsonArray results = messages(QStringLiteral("image-results"));
                result = results.isEmpty() ? QJsonObject()
                                           : results.at(0).toObject().value(QLatin1String("body")).toObject();
                return !result.isEmpty();
            }(),
            20000);
        QCOMPARE(result.value(QLatin1String("format")).toString(), QStringLiteral("png"));
        QCOMPARE(result.value(QLatin1String("width")).toInt(), 37);
        QCOMPARE(result.value(QLatin1String("height")).toInt(), 21);
        QCOMPARE(result.value(QLatin1String("bytes")).toInt(), png.size());
        QCOMPARE(result.value(QLatin1String("userId")).toString(), QStringLiteral("u1"));
        // The missing image is retried, with why in its history.
        QJsonObject dog;
        QTRY_VERIFY_WITH_TIMEOUT(
            [&] {
                for (const QJsonValue &m : messages(QStringLiteral("image-jobs"))) {
                    if (m.toObject().value(QLatin1String("body")).toObject().value(QLatin1String("userId"))
                        == QLatin1String("u2"))
                        dog = m.toObject();
                }
                return dog.value(QLatin1String("attempts")).toInt() >= 1
                    && dog.value(QLatin1String("state")) == QLatin1String("delayed");
            }(),
            20000);
        QVERIFY2(dog.value(QLatin1String("last_error")).toString()
                == QLatin1String("retry() called by the Worker"),
            qPrintable(dog.value(QLatin1String("last_error")).toString()));
        const QStringList logs
            = history(dog).at(0).toObject().value(QLatin1String("logs")).toVariant().toStringList();
        QVERIFY2(logs.join(QLatin1Char('\n')).contains(QLatin1String("dog.png answered HTTP 404")),
            qPrintable(logs.join(QLatin1Char('|'))));
    }

    void brokenProjectsSayWhyAndChangeNothing_data()
    {
        QTest::addColumn<QByteArray>("wrangler");
        QTest::addColumn<QByteArray>("source");
        QTest::addColumn<QString>("expected");
        const QByteArray good = "export default { async fetch() { return new Response('ok'); } };\n";
        QTest::newRow("config syntax")
            << QByteArray("name = \"broken\"\nmain = [\n") << good << QStringLiteral("wrangler.toml: line ");
        QTest::newRow("main missing") << QByteArray("name = \"broken\"\nmain = \"src/nowhere.ts\"\n") << good
                                      << QStringLiteral("main = \"src/nowhere.ts\" does not exist");
        QTest::newRow("does not bundle")
            << QByteArray("name = \"broken\"\nmain = \"src/index.ts\"\n") << QByteArray("let x: number = ;\n")
            << QStringLiteral("src/index.ts:1:");
        QTest::newRow("throws at start-up")
            << QByteArray("name = \"broken\"\nmain = \"src/index.ts\"\ncompatibility_date = \"2024-09-23\"\n")
            << QByteArray("throw new Error('missing setting FOO');\nexport default {};\n")
            << QStringLiteral("missing setting FOO");
    }

    void brokenProjectsSayWhyAndChangeNothing()
    {
        QFETCH(QByteArray, wrangler);
        QFETCH(QByteArray, source);
        QFETCH(QString, expected);
        QTemporaryDir project;
        writeWorkerProject(project.path(), wrangler, source);
        const int queuesBefore = m_http.get(api(QStringLiteral("api/queues")))
                                     .json()
                                     .value(QLatin1String("queues"))
                                     .toArray()
                                     .size();
        m_runtime->loadWorker(project.path());
        const auto broken = [&] {
            for (const WorkerInfo &w : m_runtime->workerList()) {
                if (w.path == project.path())
                    return w;
            }
            return WorkerInfo {};
        };
        QTRY_COMPARE_WITH_TIMEOUT(broken().state, WorkerState::Error, 20000);
        QVERIFY2(broken().error.contains(expected), qPrintable(broken().error));
        // The runtime serves on, the other Worker too, and no queue was made.
        QCOMPARE(m_http.get(api(QStringLiteral("healthz"))).status, 200);
        QCOMPARE(worker(QStringLiteral("jobs-worker")).state, WorkerState::Running);
        QCOMPARE(m_http.get(api(QStringLiteral("api/queues")))
                     .json()
                     .value(QLatin1String("queues"))
                     .toArray()
                     .size(),
            queuesBefore);
    }

    void aMissingWorkerdIsReported()
    {
        QTemporaryDir data;
        qputenv("QUEUEDECK_WORKERD", "/nonexistent/workerd");
        QString error;
        const auto runtime = qdtest::startWorkerRuntime(data.path(), m_project.path(), &error);
        qunsetenv("QUEUEDECK_WORKERD");
        QVERIFY2(runtime, qPrintable(error));
        QTRY_COMPARE_WITH_TIMEOUT(runtime->workerList().value(0).state, WorkerState::Error, 20000);
        QVERIFY2(runtime->workerList().at(0).error.contains(QLatin1String("workerd is not installed")),
            qPrintable(runtime->workerList().at(0).error));
        QCOMPARE(m_http.get(runtime->endpoint() + QStringLiteral("healthz")).status, 200);
    }
};

QTEST_GUILESS_MAIN(TstWorkers)
#include "tst_workers.moc"
