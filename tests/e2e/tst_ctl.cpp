#include "ctl.h"
#include "headlessprocess.h"
#include "metricsformat.h"

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QSettings>
#include <QSignalSpy>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QTest>

#include <memory>

using namespace qd::ctl;
using qd::formatAge;

namespace {

const QString kToken = QStringLiteral("ctl-test-token");

struct Run {
    int exitCode = -1;
    QString out;
    QString err;
};

// A loopback port nobody listens on: bound, then closed.
quint16 closedPort()
{
    QTcpServer server;
    if (!server.listen(QHostAddress::LocalHost, 0))
        qFatal("cannot bind a loopback port");
    const quint16 port = server.serverPort();
    server.close();
    return port;
}

QJsonObject parseObject(const QString &text)
{
    QJsonParseError error;
    const QJsonDocument doc = QJsonDocument::fromJson(text.toUtf8(), &error);
    if (error.error != QJsonParseError::NoError || !doc.isObject())
        qWarning("not a JSON object (%s): %s", qPrintable(error.errorString()), qPrintable(text));
    return doc.object();
}

} // namespace

// `queuedeck ctl` as an operator runs it: the real binary in its own process, against a real
// headless runtime (started with a token) on a loopback port. The plain functions behind it
// (arguments, tables, exit codes, which failures are new) are driven directly first.
class TstCtl : public QObject {
    Q_OBJECT

    QTemporaryDir m_dir;
    std::unique_ptr<HeadlessProcess> m_runtime;
    QString m_endpoint; // "http://127.0.0.1:PORT", as ctl writes it
    quint16 m_deadWebhookPort = 0;
    QNetworkAccessManager m_network;

    QProcessEnvironment environment() const
    {
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(QStringLiteral("QUEUEDECK_ENDPOINT"), m_endpoint);
        env.insert(QStringLiteral("QUEUEDECK_TOKEN"), kToken);
        // Never the config file of whoever runs the tests.
        env.insert(QStringLiteral("XDG_CONFIG_HOME"), m_dir.filePath(QStringLiteral("xdg")));
        env.remove(QStringLiteral("QUEUEDECK_CTL_CONFIG"));
        return env;
    }

    Run ctl(const QStringList &arguments, const QProcessEnvironment &env, const QByteArray &input = {})
    {
        QProcess p;
        p.setProcessEnvironment(env);
        p.start(QStringLiteral(QUEUEDECK_BINARY), QStringList { QStringLiteral("ctl") } + arguments);
        if (!p.waitForStarted(10000))
            qFatal("queuedeck ctl did not start");
        p.write(input);
        p.closeWriteChannel();
        if (!p.waitForFinished(60000))
            qFatal("queuedeck ctl %s did not finish", qPrintable(arguments.join(u' ')));
        Run r { p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1,
            QString::fromUtf8(p.readAllStandardOutput()), QString::fromUtf8(p.readAllStandardError()) };
        return r;
    }
    Run ctl(const QStringList &arguments, const QByteArray &input = {})
    {
        return ctl(arguments, environment(), input);
    }

    // Setup and checks go straight to the API, so that what is tested is only ctl.
    QJsonObject api(const QByteArray &method, const QString &path, const QJsonObject &body = {})
    {
        QNetworkRequest r { QUrl(m_endpoint + path) };
        r.setRawHeader("Authorization", "Bearer " + kToken.toUtf8());
        r.setHeader(QNetworkRequest::ContentTypeHeader, QByteArrayLiteral("application/json"));
        QNetworkReply *reply = m_network.sendCustomRequest(
            r, method, method == "GET" ? QByteArray() : QJsonDocument(body).toJson(QJsonDocument::Compact));
        QSignalSpy done(reply, &QNetworkReply::finished);
        if (!done.wait(20000))
            qFatal("no answer to %s %s", method.constData(), qPrintable(path));
        reply->deleteLater();
        const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
        const QByteArray bytes = reply->readAll();
        if (status < 200 || status >= 300)
            qFatal("%s %s: HTTP %d %s", method.constData(), qPrintable(path), status, bytes.constData());
        return QJsonDocument::fromJson(bytes).object();
    }

    QJsonObject queueCounts(const QString &name)
    {
        for (const QJsonValue &q :
            api("GET", QStringLiteral("/api/queues")).value(QLatin1String("queues")).toArray()) {
            if (q.toObject().value(QLatin1String("name")).toString() == name)
                return q.toObject();
        }
        return {};
    }
    qint64 count(const QString &queue, const char *state)
    {
        return queueCounts(queue).value(QLatin1String(state)).toInteger();
    }

    void createQueue(const QString &name, const QJsonObject &consumer = {})
    {
        api("POST", QStringLiteral("/client/v4/accounts/test/queues"),
            QJsonObject { { QStringLiteral("queue_name"), name } });
        if (!consumer.isEmpty())
            api("POST", QStringLiteral("/client/v4/accounts/test/queues/%1/consumers").arg(name), consumer);
    }

    // A webhook consumer whose every batch fails at once: nothing listens at its address.
    QJsonObject failingConsumer(const QString &deadLetterQueue = {}) const
    {
        QJsonObject c { { QStringLiteral("type"), QStringLiteral("webhook") },
            { QStringLiteral("settings"),
                QJsonObject {
                    { QStringLiteral("url"), QStringLiteral("http://127.0.0.1:%1/").arg(m_deadWebhookPort) },
                    { QStringLiteral("batch_size"), 10 }, { QStringLiteral("max_retries"), 0 },
                    { QStringLiteral("max_wait_time_ms"), 0 }, { QStringLiteral("retry_delay"), 0 } } } };
        if (!deadLetterQueue.isEmpty())
            c.insert(QStringLiteral("dead_letter_queue"), deadLetterQueue);
        return c;
    }

    // Sends straight to the API; returns nothing: ids are learnt by listing.
    void sendRaw(const QString &queue, const QJsonValue &body)
    {
        api("POST", QStringLiteral("/client/v4/accounts/test/queues/%1/messages").arg(queue),
            QJsonObject { { QStringLiteral("body"), body } });
    }

    QJsonArray list(const QString &query)
    {
        return api("GET", QStringLiteral("/api/messages?") + query)
            .value(QLatin1String("messages"))
            .toArray();
    }

    // Deliveries so far: an operator's retry starts the attempt count again, the history stays.
    qsizetype history(const QString &id)
    {
        return api("GET", QStringLiteral("/api/messages/") + id)
            .value(QLatin1String("attempts_history"))
            .toArray()
            .size();
    }

    QStringList ids(const QJsonArray &messages)
    {
        QStringList out;
        for (const QJsonValue &m : messages)
            out.append(m.toObject().value(QLatin1String("id")).toString());
        return out;
    }

private slots:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        m_deadWebhookPort = closedPort();
        m_runtime = std::make_unique<HeadlessProcess>(
            m_dir.filePath(QStringLiteral("data")), QStringList { QStringLiteral("--token"), kToken });
        const QString url = m_runtime->start();
        QVERIFY(!url.isEmpty());
        m_endpoint = url.chopped(1);
        // inbox keeps what it gets (no consumer); fails fails everything; dl dead-letters it.
        createQueue(QStringLiteral("inbox"));
        createQueue(QStringLiteral("fails"), failingConsumer());
        createQueue(QStringLiteral("dl-dlq"));
        createQueue(QStringLiteral("dl"), failingConsumer(QStringLiteral("dl-dlq")));
    }

    // ---- the plain functions ----

    void table()
    {
        const QString text = formatTable({ { QStringLiteral("NAME"), false }, { QStringLiteral("N"), true },
                                             { QStringLiteral("NOTE"), false, 6 } },
            { { QStringLiteral("a"), QStringLiteral("5"), QString() },
                { QStringLiteral("longer"), QStringLiteral("1234"), QStringLiteral("abcdefghij") } });
        QCOMPARE(text,
            QStringLiteral("NAME       N  NOTE\n"
                           "a          5\n"
                           "longer  1234  abcde…\n"));
    }

    void ages_data()
    {
        QTest::addColumn<qint64>("ms");
        QTest::addColumn<QString>("text");
        QTest::newRow("none") << qint64(-1) << QStringLiteral("-");
        QTest::newRow("ms") << qint64(850) << QStringLiteral("850ms");
        QTest::newRow("s") << qint64(42'999) << QStringLiteral("42s");
        QTest::newRow("m") << qint64(5 * 60'000 + 10) << QStringLiteral("5m");
        QTest::newRow("h") << qint64(3 * 3'600'000) << QStringLiteral("3h");
        QTest::newRow("d") << qint64(2 * 86'400'000 + 5) << QStringLiteral("2d");
    }
    void ages()
    {
        QFETCH(qint64, ms);
        QFETCH(QString, text);
        QCOMPARE(formatAge(ms), text);
    }

    void exitCodes_data()
    {
        QTest::addColumn<int>("status");
        QTest::addColumn<int>("code");
        QTest::newRow("200") << 200 << int(Ok);
        QTest::newRow("202") << 202 << int(Ok);
        QTest::newRow("400") << 400 << int(Rejected);
        QTest::newRow("401") << 401 << int(Refused);
        QTest::newRow("403") << 403 << int(Refused);
        QTest::newRow("404") << 404 << int(NotFound);
        QTest::newRow("409") << 409 << int(Rejected);
        QTest::newRow("500") << 500 << int(ServerError);
        QTest::newRow("503") << 503 << int(ServerError);
    }
    void exitCodes()
    {
        QFETCH(int, status);
        QFETCH(int, code);
        QCOMPARE(int(exitCodeForStatus(status)), code);
    }

    void errorMessages()
    {
        QCOMPARE(errorMessage(parseObject(QStringLiteral("{\"error\":\"queue \\\"x\\\" not found\"}"))),
            QStringLiteral("queue \"x\" not found"));
        QCOMPARE(
            errorMessage(parseObject(QStringLiteral("{\"success\":false,\"errors\":[{\"code\":10104,"
                                                    "\"message\":\"a\"},{\"code\":1,\"message\":\"b\"}]}"))),
            QStringLiteral("a; b"));
        QCOMPARE(errorMessage(QJsonObject {}), QString());
    }

    void endpoints_data()
    {
        QTest::addColumn<QString>("given");
        QTest::addColumn<QString>("normalized");
        QTest::newRow("plain") << QStringLiteral("http://127.0.0.1:8787")
                               << QStringLiteral("http://127.0.0.1:8787");
        QTest::newRow("slash") << QStringLiteral("http://127.0.0.1:8787/")
                               << QStringLiteral("http://127.0.0.1:8787");
        QTest::newRow("no scheme") << QStringLiteral("queue.example:9000")
                                   << QStringLiteral("http://queue.example:9000");
        QTest::newRow("https") << QStringLiteral("https://q.example/") << QStringLiteral("https://q.example");
        QTest::newRow("ftp") << QStringLiteral("ftp://q.example/") << QString();
        QTest::newRow("query") << QStringLiteral("http://q.example/?a=b") << QString();
        QTest::newRow("empty host") << QStringLiteral("http://") << QString();
    }
    void endpoints()
    {
        QFETCH(QString, given);
        QFETCH(QString, normalized);
        QCOMPARE(normalizeEndpoint(given), normalized);
    }

    // Flags over the environment over the file over the default, endpoint and token each.
    void precedence_data()
    {
        QTest::addColumn<QStringList>("flags");
        QTest::addColumn<QStringList>("env");
        QTest::addColumn<bool>("withFile");
        QTest::addColumn<QString>("endpoint");
        QTest::addColumn<QString>("token");
        const QStringList flags { QStringLiteral("--endpoint"), QStringLiteral("http://flag:1"),
            QStringLiteral("--token"), QStringLiteral("flag-token") };
        const QStringList env { QStringLiteral("QUEUEDECK_ENDPOINT=http://env:2"),
            QStringLiteral("QUEUEDECK_TOKEN=env-token") };
        QTest::newRow("default") << QStringList() << QStringList() << false
                                 << QStringLiteral("http://127.0.0.1:8787") << QString();
        QTest::newRow("file") << QStringList() << QStringList() << true << QStringLiteral("http://file:3")
                              << QStringLiteral("file-token");
        QTest::newRow("env over file")
            << QStringList() << env << true << QStringLiteral("http://env:2") << QStringLiteral("env-token");
        QTest::newRow("flags over env")
            << flags << env << true << QStringLiteral("http://flag:1") << QStringLiteral("flag-token");
        QTest::newRow("each on its own")
            << QStringList { QStringLiteral("--token"), QStringLiteral("flag-token") }
            << QStringList { QStringLiteral("QUEUEDECK_ENDPOINT=http://env:2") } << true
            << QStringLiteral("http://env:2") << QStringLiteral("flag-token");
    }
    void precedence()
    {
        QFETCH(QStringList, flags);
        QFETCH(QStringList, env);
        QFETCH(bool, withFile);
        QFETCH(QString, endpoint);
        QFETCH(QString, token);
        QTemporaryDir dir;
        const QString file = dir.filePath(QStringLiteral("ctl.conf"));
        if (withFile) {
            QSettings settings(file, QSettings::IniFormat);
            settings.setValue(QStringLiteral("endpoint"), QStringLiteral("http://file:3/"));
            settings.setValue(QStringLiteral("token"), QStringLiteral("file-token"));
        }
        QProcessEnvironment environment;
        for (const QString &kv : env)
            environment.insert(kv.section(QLatin1Char('='), 0, 0), kv.section(QLatin1Char('='), 1));
        const Options o = parseArguments(QStringList { QStringLiteral("queues") } + flags, environment, file);
        QCOMPARE(o.error, QString());
        QCOMPARE(o.endpoint, endpoint);
        QCOMPARE(o.token, token);
        QCOMPARE(o.configFile, withFile ? file : QString());
    }

    void badArguments_data()
    {
        QTest::addColumn<QStringList>("arguments");
        QTest::addColumn<QString>("error");
        QTest::newRow("no command") << QStringList() << QStringLiteral("a command is needed");
        QTest::newRow("unknown command") << QStringList { QStringLiteral("frobnicate") }
                                         << QStringLiteral("unknown command \"frobnicate\"");
        QTest::newRow("unknown option") << QStringList { QStringLiteral("queues"),
            QStringLiteral("--colour") } << QStringLiteral("colour");
        QTest::newRow("send without body") << QStringList { QStringLiteral("send"), QStringLiteral("q") }
                                           << QStringLiteral("usage: queuedeck ctl send QUEUE BODY");
        QTest::newRow("bad state") << QStringList { QStringLiteral("messages"), QStringLiteral("--state"),
            QStringLiteral("sleeping") }
                                   << QStringLiteral("--state: one of");
        QTest::newRow("bad limit") << QStringList { QStringLiteral("messages"), QStringLiteral("--limit"),
            QStringLiteral("0") } << QStringLiteral("--limit: a whole number from 1 to 1000, got 0");
        QTest::newRow("retry nothing")
            << QStringList { QStringLiteral("retry") } << QStringLiteral("retry what?");
        QTest::newRow("retry both") << QStringList { QStringLiteral("retry"), QStringLiteral("abc"),
            QStringLiteral("--all") }
                                    << QStringLiteral("not both");
        QTest::newRow("purge two") << QStringList { QStringLiteral("purge"), QStringLiteral("a"),
            QStringLiteral("b") } << QStringLiteral("usage: queuedeck ctl purge QUEUE");
        QTest::newRow("bad endpoint") << QStringList { QStringLiteral("queues"), QStringLiteral("--endpoint"),
            QStringLiteral("ftp://x") }
                                      << QStringLiteral("not an http(s) URL");
        QTest::newRow("missing config") << QStringList { QStringLiteral("queues"), QStringLiteral("--config"),
            QStringLiteral("/nonexistent/ctl.conf") }
                                        << QStringLiteral("does not exist");
        QTest::newRow("content type") << QStringList { QStringLiteral("send"), QStringLiteral("q"),
            QStringLiteral("x"), QStringLiteral("--content-type"), QStringLiteral("xml") }
                                      << QStringLiteral("--content-type: json or text");
    }
    void badArguments()
    {
        QFETCH(QStringList, arguments);
        QFETCH(QString, error);
        const Options o = parseArguments(arguments, QProcessEnvironment(), QString());
        QVERIFY2(o.error.contains(error), qPrintable(o.error));
    }

    void newFailuresOnce()
    {
        const auto m = [](const char *id, qint64 updated) {
            return QJsonObject { { QStringLiteral("id"), QLatin1String(id) },
                { QStringLiteral("updated_ms"), updated } };
        };
        QHash<QString, qint64> seen;
        qint64 watermark = 0;
        // What was there at the start: taken in, reported by nobody.
        QCOMPARE(
            newFailures(QJsonArray { m("b", 1'000'000), m("a", 990'000) }, &seen, &watermark, 5000).size(),
            2);
        QCOMPARE(watermark, 1'000'000);
        // Newest first in, oldest first out; what was reported is not again.
        QList<QJsonObject> fresh = newFailures(
            QJsonArray { m("d", 1'000'300), m("c", 1'000'200), m("b", 1'000'000) }, &seen, &watermark, 5000);
        QCOMPARE(fresh.size(), 2);
        QCOMPARE(fresh[0].value(QLatin1String("id")).toString(), QStringLiteral("c"));
        QCOMPARE(fresh[1].value(QLatin1String("id")).toString(), QStringLiteral("d"));
        // "b" failing again is news; a failure older than the look-back never is ("a" was there before).
        fresh = newFailures(
            QJsonArray { m("b", 1'000'400), m("d", 1'000'300), m("a", 990'000) }, &seen, &watermark, 5000);
        QCOMPARE(fresh.size(), 1);
        QCOMPARE(fresh[0].value(QLatin1String("id")).toString(), QStringLiteral("b"));
        // A node whose clock is a little behind: still within the look-back, still reported.
        fresh = newFailures(QJsonArray { m("e", 999'000) }, &seen, &watermark, 5000);
        QCOMPARE(fresh.size(), 1);
        QCOMPARE(watermark, 1'000'400);
        // What is older than the look-back is forgotten.
        QVERIFY(!seen.contains(QStringLiteral("a@990000")));
    }

    // ---- the real binary against the real runtime ----

    void help()
    {
        const Run r = ctl({ QStringLiteral("--help") });
        QCOMPARE(r.exitCode, 0);
        QVERIFY(r.out.contains(QLatin1String("Exit codes")));
        const Run bad = ctl({ QStringLiteral("frobnicate") });
        QCOMPARE(bad.exitCode, int(Usage));
        QVERIFY2(bad.err.contains(QLatin1String("unknown command \"frobnicate\"")), qPrintable(bad.err));
    }

    void queues()
    {
        sendRaw(QStringLiteral("inbox"), QJsonObject { { QStringLiteral("n"), 1 } });
        const qint64 ready = count(QStringLiteral("inbox"), "ready");
        const Run human = ctl({ QStringLiteral("queues") });
        QCOMPARE(human.exitCode, 0);
        QVERIFY2(human.out.startsWith(QLatin1String("QUEUE ")), qPrintable(human.out));
        const QStringList lines = human.out.split(QLatin1Char('\n'), Qt::SkipEmptyParts);
        const auto row = std::find_if(lines.begin(), lines.end(),
            [](const QString &l) { return l.startsWith(QLatin1String("inbox ")); });
        QVERIFY2(row != lines.end(), qPrintable(human.out));
        QCOMPARE(row->split(QLatin1Char(' '), Qt::SkipEmptyParts).value(1), QString::number(ready));
        QVERIFY(row->contains(QLatin1String("active")));
        QVERIFY(human.out.contains(QLatin1String("dl-dlq")));

        const Run json = ctl({ QStringLiteral("queues"), QStringLiteral("--json") });
        QCOMPARE(json.exitCode, 0);
        QStringList names;
        for (const QJsonValue &q : parseObject(json.out).value(QLatin1String("queues")).toArray()) {
            names.append(q.toObject().value(QLatin1String("name")).toString());
            if (names.last() == QLatin1String("inbox"))
                QCOMPARE(q.toObject().value(QLatin1String("ready")).toInteger(), ready);
        }
        names.sort();
        QCOMPARE(names,
            (QStringList { QStringLiteral("dl"), QStringLiteral("dl-dlq"), QStringLiteral("fails"),
                QStringLiteral("images"), QStringLiteral("inbox") }));
    }

    void send()
    {
        const qint64 before = count(QStringLiteral("inbox"), "ready");
        const Run human = ctl({ QStringLiteral("send"), QStringLiteral("inbox"),
            QStringLiteral("{\"imageUrl\":\"https://example.com/a.png\",\"userId\":\"ctl-send\"}") });
        QCOMPARE(human.exitCode, 0);
        QVERIFY2(human.out.startsWith(QLatin1String("sent 1 message to inbox")), qPrintable(human.out));
        const Run json = ctl({ QStringLiteral("send"), QStringLiteral("inbox"), QStringLiteral("plain words"),
            QStringLiteral("--json") });
        QCOMPARE(json.exitCode, 0);
        const QJsonObject answer = parseObject(json.out);
        QCOMPARE(answer.value(QLatin1String("queue")).toString(), QStringLiteral("inbox"));
        QCOMPARE(answer.value(QLatin1String("sent")).toInt(), 1);
        QCOMPARE(answer.value(QLatin1String("metrics"))
                     .toObject()
                     .value(QLatin1String("backlog_count"))
                     .toInteger(),
            before + 2);
        const Run stdinBody = ctl({ QStringLiteral("send"), QStringLiteral("inbox"), QStringLiteral("-"),
                                      QStringLiteral("--content-type"), QStringLiteral("text") },
            QByteArray("from stdin"));
        QCOMPARE(stdinBody.exitCode, 0);
        QCOMPARE(count(QStringLiteral("inbox"), "ready"), before + 3);
        // What went in, as the runtime holds it: JSON as JSON, text as text.
        const QJsonArray sent = list(QStringLiteral("queue=inbox&sort=seq&order=desc&limit=3"));
        QCOMPARE(sent[2]
                     .toObject()
                     .value(QLatin1String("body"))
                     .toObject()
                     .value(QLatin1String("userId"))
                     .toString(),
            QStringLiteral("ctl-send"));
        QCOMPARE(sent[1].toObject().value(QLatin1String("body")).toString(), QStringLiteral("plain words"));
        QCOMPARE(sent[1].toObject().value(QLatin1String("content_type")).toString(), QStringLiteral("text"));
        QCOMPARE(sent[0].toObject().value(QLatin1String("body")).toString(), QStringLiteral("from stdin"));

        const Run unknown = ctl({ QStringLiteral("send"), QStringLiteral("nope"), QStringLiteral("{}") });
        QCOMPARE(unknown.exitCode, int(NotFound));
        QVERIFY2(unknown.err.contains(QLatin1String("queue \"nope\" not found")), qPrintable(unknown.err));
        QVERIFY(unknown.out.isEmpty());
    }

    void messages()
    {
        sendRaw(QStringLiteral("fails"), QStringLiteral("needle-messages one"));
        sendRaw(QStringLiteral("fails"), QStringLiteral("needle-messages two"));
        sendRaw(QStringLiteral("fails"), QStringLiteral("hay"));
        QTRY_COMPARE_WITH_TIMEOUT(
            list(QStringLiteral("queue=fails&state=failed&q=needle-messages")).size(), 2, 20000);
        const QStringList expected = ids(list(QStringLiteral("queue=fails&state=failed&q=needle-messages")));

        const Run json = ctl({ QStringLiteral("messages"), QStringLiteral("fails"), QStringLiteral("--state"),
            QStringLiteral("failed"), QStringLiteral("--search"), QStringLiteral("needle-messages"),
            QStringLiteral("--json") });
        QCOMPARE(json.exitCode, 0);
        const QJsonObject answer = parseObject(json.out);
        QCOMPARE(answer.value(QLatin1String("total")).toInteger(), 2);
        QCOMPARE(ids(answer.value(QLatin1String("messages")).toArray()), expected);
        for (const QJsonValue &m : answer.value(QLatin1String("messages")).toArray())
            QCOMPARE(m.toObject().value(QLatin1String("state")).toString(), QStringLiteral("failed"));

        const Run human
            = ctl({ QStringLiteral("messages"), QStringLiteral("fails"), QStringLiteral("--state"),
                QStringLiteral("failed"), QStringLiteral("--search"), QStringLiteral("needle-messages") });
        QCOMPARE(human.exitCode, 0);
        QVERIFY2(human.out.startsWith(QLatin1String("ID ")), qPrintable(human.out));
        for (const QString &id : expected)
            QVERIFY2(human.out.contains(id), qPrintable(human.out));
        QVERIFY2(human.out.contains(QStringLiteral("1–2 of 2")), qPrintable(human.out));
        // The webhook's refused connection is the error a person sees.
        QVERIFY2(human.out.contains(QLatin1String("failed")), qPrintable(human.out));

        const Run limited = ctl({ QStringLiteral("messages"), QStringLiteral("fails"),
            QStringLiteral("--limit"), QStringLiteral("1"), QStringLiteral("--json") });
        QCOMPARE(parseObject(limited.out).value(QLatin1String("messages")).toArray().size(), 1);

        const Run unknown = ctl({ QStringLiteral("messages"), QStringLiteral("nope") });
        QCOMPARE(unknown.exitCode, int(NotFound));
        QVERIFY2(unknown.err.contains(QLatin1String("queue \"nope\" not found")), qPrintable(unknown.err));
        const Run badState
            = ctl({ QStringLiteral("messages"), QStringLiteral("--state"), QStringLiteral("sleeping") });
        QCOMPARE(badState.exitCode, int(Usage));
    }

    void retry()
    {
        for (int i = 0; i < 3; ++i)
            sendRaw(QStringLiteral("fails"), QStringLiteral("needle-retry %1").arg(i));
        const QString query = QStringLiteral("queue=fails&state=failed&q=needle-retry");
        QTRY_COMPARE_WITH_TIMEOUT(list(query).size(), 3, 20000);
        const QStringList failed = ids(list(query));

        // By id: one message, one more attempt (and, with the webhook still down, one more failure).
        const Run one = ctl({ QStringLiteral("retry"), failed[0] });
        QCOMPARE(one.exitCode, 0);
        QVERIFY2(one.out.startsWith(QLatin1String("retried 1 of 1 messages")), qPrintable(one.out));
        QTRY_COMPARE_WITH_TIMEOUT(history(failed[0]), 2, 20000);
        QTRY_COMPARE_WITH_TIMEOUT(list(query).size(), 3, 20000);

        // By filter: every match once, as the set was when the retry started.
        const Run bulk = ctl({ QStringLiteral("retry"), QStringLiteral("--queue"), QStringLiteral("fails"),
            QStringLiteral("--search"), QStringLiteral("needle-retry"), QStringLiteral("--json") });
        QCOMPARE(bulk.exitCode, 0);
        const QJsonObject answer = parseObject(bulk.out);
        QCOMPARE(answer.value(QLatin1String("matched")).toInteger(), 3);
        QCOMPARE(answer.value(QLatin1String("processed")).toInteger(), 3);
        QCOMPARE(answer.value(QLatin1String("cancelled")).toBool(), false);
        QTRY_COMPARE_WITH_TIMEOUT(history(failed[2]), 2, 20000);
        QTRY_COMPARE_WITH_TIMEOUT(list(query).size(), 3, 20000);
        QCOMPARE(history(failed[0]), 3);

        const Run unknown
            = ctl({ QStringLiteral("retry"), QStringLiteral("--queue"), QStringLiteral("nope") });
        QCOMPARE(unknown.exitCode, int(NotFound));
        QVERIFY2(unknown.err.contains(QLatin1String("queue \"nope\" not found")), qPrintable(unknown.err));
    }

    void redrive()
    {
        sendRaw(QStringLiteral("dl"), QStringLiteral("needle-redrive a"));
        sendRaw(QStringLiteral("dl"), QStringLiteral("needle-redrive b"));
        const QString query = QStringLiteral("queue=dl-dlq&state=dead_lettered&q=needle-redrive");
        QTRY_COMPARE_WITH_TIMEOUT(list(query).size(), 2, 20000);
        const qint64 waiting = count(QStringLiteral("dl-dlq"), "ready");
        const Run r = ctl({ QStringLiteral("redrive"), QStringLiteral("dl-dlq"), QStringLiteral("--json") });
        QCOMPARE(r.exitCode, 0);
        const QJsonObject answer = parseObject(r.out);
        QCOMPARE(answer.value(QLatin1String("queue")).toString(), QStringLiteral("dl-dlq"));
        QCOMPARE(answer.value(QLatin1String("moved")).toInteger(), waiting);
        // Back in dl, they fail again and come back to the dead-letter queue with one more attempt.
        QTRY_COMPARE_WITH_TIMEOUT(list(query).size(), 2, 20000);
        for (const QJsonValue &m : list(query))
            QTRY_COMPARE_WITH_TIMEOUT(history(m.toObject().value(QLatin1String("id")).toString()), 2, 20000);

        const Run human = ctl({ QStringLiteral("redrive"), QStringLiteral("dl-dlq") });
        QCOMPARE(human.exitCode, 0);
        QVERIFY2(human.out.startsWith(QLatin1String("moved ")), qPrintable(human.out));
        const Run unknown = ctl({ QStringLiteral("redrive"), QStringLiteral("nope") });
        QCOMPARE(unknown.exitCode, int(NotFound));
        QVERIFY2(unknown.err.contains(QLatin1String("not found")), qPrintable(unknown.err));
    }

    void purge()
    {
        createQueue(QStringLiteral("purge-me"));
        for (int i = 0; i < 3; ++i)
            sendRaw(QStringLiteral("purge-me"), i);
        QCOMPARE(count(QStringLiteral("purge-me"), "ready"), 3);

        // The wrong name typed: nothing goes.
        const Run wrong = ctl({ QStringLiteral("purge"), QStringLiteral("purge-me") }, QByteArray("purge\n"));
        QCOMPARE(wrong.exitCode, int(NotDone));
        QVERIFY2(wrong.err.contains(QLatin1String("3 messages of purge-me")), qPrintable(wrong.err));
        QVERIFY2(wrong.err.contains(QLatin1String("not purged")), qPrintable(wrong.err));
        QCOMPARE(count(QStringLiteral("purge-me"), "ready"), 3);
        // No answer at all (stdin closed) is no either.
        QCOMPARE(ctl({ QStringLiteral("purge"), QStringLiteral("purge-me") }).exitCode, int(NotDone));
        QCOMPARE(count(QStringLiteral("purge-me"), "ready"), 3);

        const Run typed
            = ctl({ QStringLiteral("purge"), QStringLiteral("purge-me") }, QByteArray("purge-me\n"));
        QCOMPARE(typed.exitCode, 0);
        QCOMPARE(typed.out, QStringLiteral("purged purge-me\n"));
        QCOMPARE(count(QStringLiteral("purge-me"), "ready"), 0);

        sendRaw(QStringLiteral("purge-me"), 4);
        const Run yes = ctl({ QStringLiteral("purge"), QStringLiteral("purge-me"), QStringLiteral("--yes"),
            QStringLiteral("--json") });
        QCOMPARE(yes.exitCode, 0);
        QCOMPARE(parseObject(yes.out).value(QLatin1String("purged")).toBool(), true);
        QCOMPARE(count(QStringLiteral("purge-me"), "ready"), 0);

        for (const bool confirmed : { false, true }) {
            QStringList arguments { QStringLiteral("purge"), QStringLiteral("nope") };
            if (confirmed)
                arguments.append(QStringLiteral("--yes"));
            const Run unknown = ctl(arguments, QByteArray("nope\n"));
            QCOMPARE(unknown.exitCode, int(NotFound));
            QVERIFY2(
                unknown.err.contains(QLatin1String("queue \"nope\" not found")), qPrintable(unknown.err));
        }
    }

    void pauseAndResume()
    {
        const auto paused = [this] {
            return queueCounts(QStringLiteral("inbox"))
                .value(QLatin1String("settings"))
                .toObject()
                .value(QLatin1String("delivery_paused"))
                .toBool();
        };
        QVERIFY(!paused());
        const Run pause = ctl({ QStringLiteral("pause"), QStringLiteral("inbox") });
        QCOMPARE(pause.exitCode, 0);
        QVERIFY2(pause.out.startsWith(QLatin1String("paused inbox")), qPrintable(pause.out));
        QVERIFY(paused());
        const Run table = ctl({ QStringLiteral("queues") });
        QVERIFY2(table.out.contains(QRegularExpression(QStringLiteral("\\ninbox .* paused\\n"))),
            qPrintable(table.out));

        const Run resume
            = ctl({ QStringLiteral("resume"), QStringLiteral("inbox"), QStringLiteral("--json") });
        QCOMPARE(resume.exitCode, 0);
        QCOMPARE(parseObject(resume.out),
            (QJsonObject {
                { QStringLiteral("queue"), QStringLiteral("inbox") }, { QStringLiteral("paused"), false } }));
        QVERIFY(!paused());

        const Run unknown = ctl({ QStringLiteral("pause"), QStringLiteral("nope") });
        QCOMPARE(unknown.exitCode, int(NotFound));
        QVERIFY2(unknown.err.contains(QLatin1String("queue \"nope\" not found")), qPrintable(unknown.err));
    }

    // New failures only, each once, as they happen, in both queues and dead-letter queues.
    void tail()
    {
        // A failure from before the tail starts.
        sendRaw(QStringLiteral("fails"), QStringLiteral("needle-tail old"));
        QTRY_COMPARE_WITH_TIMEOUT(
            list(QStringLiteral("queue=fails&state=failed&q=needle-tail")).size(), 1, 20000);

        QProcess p;
        p.setProcessEnvironment(environment());
        p.start(QStringLiteral(QUEUEDECK_BINARY),
            { QStringLiteral("ctl"), QStringLiteral("tail"), QStringLiteral("--json"),
                QStringLiteral("--count"), QStringLiteral("2"), QStringLiteral("--timeout"),
                QStringLiteral("60"), QStringLiteral("--interval"), QStringLiteral("100") });
        QVERIFY(p.waitForStarted());
        // It says when it has read what already failed; only then is a failure news.
        QByteArray said;
        QTRY_VERIFY_WITH_TIMEOUT((said += p.readAllStandardError()).contains("following"), 20000);
        sendRaw(QStringLiteral("fails"), QStringLiteral("needle-tail new"));
        sendRaw(QStringLiteral("dl"), QStringLiteral("needle-tail dead"));
        QTRY_COMPARE_WITH_TIMEOUT(p.state(), QProcess::NotRunning, 30000);
        QCOMPARE(p.exitCode(), 0);
        const QStringList lines
            = QString::fromUtf8(p.readAllStandardOutput()).split(QLatin1Char('\n'), Qt::SkipEmptyParts);
        QCOMPARE(lines.size(), 2);
        QStringList bodies;
        for (const QString &line : lines) {
            const QJsonObject m = parseObject(line);
            bodies.append(m.value(QLatin1String("body")).toString());
            if (bodies.last() == QLatin1String("needle-tail dead")) {
                QCOMPARE(m.value(QLatin1String("queue")).toString(), QStringLiteral("dl-dlq"));
                QCOMPARE(m.value(QLatin1String("source_queue")).toString(), QStringLiteral("dl"));
            } else {
                QCOMPARE(m.value(QLatin1String("state")).toString(), QStringLiteral("failed"));
            }
        }
        bodies.sort();
        QCOMPARE(
            bodies, (QStringList { QStringLiteral("needle-tail dead"), QStringLiteral("needle-tail new") }));

        // For people, one line a failure; one queue only; a retried message failing again is news.
        const QString again
            = ids(list(QStringLiteral("queue=fails&state=failed&q=needle-tail%20old"))).value(0);
        QVERIFY(!again.isEmpty());
        QProcess human;
        human.setProcessEnvironment(environment());
        human.start(QStringLiteral(QUEUEDECK_BINARY),
            { QStringLiteral("ctl"), QStringLiteral("tail"), QStringLiteral("fails"),
                QStringLiteral("--count"), QStringLiteral("1"), QStringLiteral("--timeout"),
                QStringLiteral("60"), QStringLiteral("--interval"), QStringLiteral("100") });
        QVERIFY(human.waitForStarted());
        said.clear();
        QTRY_VERIFY_WITH_TIMEOUT((said += human.readAllStandardError()).contains("following"), 20000);
        sendRaw(QStringLiteral("dl"), QStringLiteral("needle-tail elsewhere"));
        QTRY_COMPARE_WITH_TIMEOUT(
            list(QStringLiteral("queue=dl-dlq&q=needle-tail%20elsewhere")).size(), 1, 20000);
        api("POST", QStringLiteral("/api/retry"),
            QJsonObject { { QStringLiteral("ids"), QJsonArray { again } } });
        QTRY_COMPARE_WITH_TIMEOUT(human.state(), QProcess::NotRunning, 30000);
        QCOMPARE(human.exitCode(), 0);
        const QString line = QString::fromUtf8(human.readAllStandardOutput());
        QVERIFY2(line.count(QLatin1Char('\n')) == 1, qPrintable(line));
        QVERIFY2(line.contains(again), qPrintable(line));
        QVERIFY2(line.contains(QLatin1String("fails failed")), qPrintable(line));

        // Nothing new before --timeout: --count not reached is "not done".
        const Run quiet = ctl({ QStringLiteral("tail"), QStringLiteral("inbox"), QStringLiteral("--count"),
            QStringLiteral("1"), QStringLiteral("--timeout"), QStringLiteral("1"),
            QStringLiteral("--interval"), QStringLiteral("100") });
        QCOMPARE(quiet.exitCode, int(NotDone));
        QVERIFY(quiet.out.isEmpty());
        const Run unknown = ctl({ QStringLiteral("tail"), QStringLiteral("nope"), QStringLiteral("--timeout"),
            QStringLiteral("1") });
        QCOMPARE(unknown.exitCode, int(NotFound));
        QVERIFY2(unknown.err.contains(QLatin1String("queue \"nope\" not found")), qPrintable(unknown.err));
    }

    void badToken()
    {
        QProcessEnvironment env = environment();
        env.insert(QStringLiteral("QUEUEDECK_TOKEN"), QStringLiteral("wrong"));
        const Run wrong = ctl({ QStringLiteral("queues") }, env);
        QCOMPARE(wrong.exitCode, int(Refused));
        QVERIFY2(wrong.err.contains(QLatin1String("refused the request (HTTP 403")), qPrintable(wrong.err));
        QVERIFY2(wrong.err.contains(QLatin1String("check the token")), qPrintable(wrong.err));
        QVERIFY(!wrong.err.contains(QLatin1String("wrong"))); // the token is never printed
        QVERIFY(wrong.out.isEmpty());

        env.remove(QStringLiteral("QUEUEDECK_TOKEN"));
        const Run none = ctl({ QStringLiteral("send"), QStringLiteral("inbox"), QStringLiteral("{}") }, env);
        QCOMPARE(none.exitCode, int(Refused));
        QVERIFY2(none.err.contains(QLatin1String("it needs a token")), qPrintable(none.err));
        // The flag wins over the environment.
        env.insert(QStringLiteral("QUEUEDECK_TOKEN"), QStringLiteral("wrong"));
        QCOMPARE(ctl({ QStringLiteral("queues"), QStringLiteral("--token"), kToken }, env).exitCode, 0);
    }

    void unreachable()
    {
        const QString dead = QStringLiteral("http://127.0.0.1:%1").arg(closedPort());
        for (const QString &command : { QStringLiteral("queues"), QStringLiteral("tail") }) {
            const Run r = ctl({ command, QStringLiteral("--endpoint"), dead, QStringLiteral("--timeout"),
                QStringLiteral("1") });
            QCOMPARE(r.exitCode, int(Unreachable));
            QVERIFY2(r.err.contains(QStringLiteral("cannot reach the runtime at %1").arg(dead)),
                qPrintable(r.err));
            QVERIFY2(r.err.contains(QLatin1String("refused")), qPrintable(r.err));
        }
    }

    // Something else answers at the endpoint (a web server, a proxy's error page).
    void notARuntime()
    {
        QTcpServer server;
        QVERIFY(server.listen(QHostAddress::LocalHost, 0));
        connect(&server, &QTcpServer::newConnection, &server, [&server] {
            QTcpSocket *socket = server.nextPendingConnection();
            connect(socket, &QTcpSocket::readyRead, socket, [socket] {
                socket->readAll();
                socket->write("HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 13\r\n"
                              "Connection: close\r\n\r\n<html></html>");
                socket->disconnectFromHost();
            });
        });
        QProcess p;
        p.setProcessEnvironment(environment());
        p.start(QStringLiteral(QUEUEDECK_BINARY),
            { QStringLiteral("ctl"), QStringLiteral("queues"), QStringLiteral("--endpoint"),
                QStringLiteral("http://127.0.0.1:%1").arg(server.serverPort()) });
        QVERIFY(p.waitForStarted());
        // The answer comes from this process's event loop, so no blocking wait here.
        QTRY_COMPARE_WITH_TIMEOUT(p.state(), QProcess::NotRunning, 30000);
        QCOMPARE(p.exitCode(), int(ServerError));
        const QString err = QString::fromUtf8(p.readAllStandardError());
        QVERIFY2(err.contains(QLatin1String("did not answer like a QueueDeck runtime (HTTP 200)")),
            qPrintable(err));
    }

    // Endpoint and token from a config file; the environment and the flags over it.
    void configFile()
    {
        const QString file = m_dir.filePath(QStringLiteral("ctl.conf"));
        {
            QSettings settings(file, QSettings::IniFormat);
            settings.setValue(QStringLiteral("endpoint"), QString(m_endpoint + QLatin1Char('/')));
            settings.setValue(QStringLiteral("token"), kToken);
        }
        QProcessEnvironment env = environment();
        env.remove(QStringLiteral("QUEUEDECK_ENDPOINT"));
        env.remove(QStringLiteral("QUEUEDECK_TOKEN"));
        QCOMPARE(ctl({ QStringLiteral("queues"), QStringLiteral("--config"), file }, env).exitCode, 0);
        env.insert(QStringLiteral("QUEUEDECK_CTL_CONFIG"), file);
        QCOMPARE(ctl({ QStringLiteral("queues") }, env).exitCode, 0);
        // The default place, under XDG_CONFIG_HOME.
        env.remove(QStringLiteral("QUEUEDECK_CTL_CONFIG"));
        QDir().mkpath(m_dir.filePath(QStringLiteral("xdg/queuedeck")));
        QVERIFY(QFile::copy(file, m_dir.filePath(QStringLiteral("xdg/queuedeck/ctl.conf"))));
        QCOMPARE(ctl({ QStringLiteral("queues") }, env).exitCode, 0);

        const QString dead = QStringLiteral("http://127.0.0.1:%1").arg(closedPort());
        env.insert(QStringLiteral("QUEUEDECK_ENDPOINT"), dead);
        const Run overridden = ctl({ QStringLiteral("queues") }, env);
        QCOMPARE(overridden.exitCode, int(Unreachable));
        QVERIFY2(overridden.err.contains(dead), qPrintable(overridden.err));
        QCOMPARE(
            ctl({ QStringLiteral("queues"), QStringLiteral("--endpoint"), m_endpoint }, env).exitCode, 0);
        QVERIFY(QFile::remove(m_dir.filePath(QStringLiteral("xdg/queuedeck/ctl.conf"))));
    }
};

QTEST_GUILESS_MAIN(TstCtl)
#include "tst_ctl.moc"
