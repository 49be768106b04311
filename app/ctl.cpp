#include "ctl.h"

#include "clock.h"
#include "metricsformat.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QDateTime>
#include <QDir>
#include <QEventLoop>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QSettings>
#include <QStandardPaths>
#include <QTextStream>
#include <QTimer>
#include <QUrl>

#include <algorithm>
#include <cstdio>

namespace qd::ctl {

namespace {

// Any account id will do: the runtime serves one account.
const QString kQueuesPath = QStringLiteral("/client/v4/accounts/queuedeck/queues/");
constexpr int kRequestTimeoutMs = 30'000;
// A bulk retry answers when its last chunk is done: a million failures take a while.
constexpr int kBulkTimeoutMs = 600'000;
// How far back `tail` looks for failures it has not reported, against small clock skew
// between the nodes of a cluster.
constexpr qint64 kTailLookbackMs = 5'000;
constexpr int kTailPage = 100;
constexpr int kTailMaxPages = 10;

const char kUsage[] = R"(Usage: queuedeck ctl COMMAND [ARGUMENTS] [OPTIONS]

Operate a running QueueDeck runtime over its HTTP API.

Commands:
  queues                        every queue with its counts
  send QUEUE BODY               send one message (BODY "-" reads standard input)
  messages [QUEUE]              list messages (--state, --search, --limit, --offset)
  retry ID...                   retry failed or dead-lettered messages by id
  retry --queue Q | --state S | --search T | --all
                                retry every failure matching a filter, as it was when the
                                retry started (a message that fails again is not retried twice)
  redrive DLQ                   move a dead-letter queue's messages back to their queues
  purge QUEUE                   delete a queue's waiting and failed messages (asks for the
                                queue's name to be typed, unless --yes)
  pause QUEUE, resume QUEUE     stop or restart delivery to the queue's consumer
  tail [QUEUE]                  print each new failure as it happens (--count, --timeout)

Options:
  --endpoint URL      the runtime (QUEUEDECK_ENDPOINT; default http://127.0.0.1:8787)
  --token TOKEN       its --token (QUEUEDECK_TOKEN)
  --config FILE       an INI file with endpoint= and token= (QUEUEDECK_CTL_CONFIG;
                      default ~/.config/queuedeck/ctl.conf)
  --json              JSON for scripts instead of tables (tail: one JSON object a line)
  --state STATE       ready, delayed, inflight, acked, failed, dead_lettered
  --search TEXT       text in the body, the last error or the id
  --queue QUEUE       retry, tail: only this queue
  --limit N           messages: how many (default 50, at most 1000)
  --offset N          messages: how many to skip
  --delay SECONDS     send, retry: deliver after this long
  --content-type T    send: json or text (default json when BODY is JSON, else text)
  --yes               purge without asking
  --all               retry: every failure of every queue
  --count N           tail: stop after N failures
  --timeout SECONDS   tail: stop after this long
  --interval MS       tail: time between polls (default 1000)

Exit codes: 0 done, 1 usage, 2 runtime unreachable, 3 token refused, 4 not found,
5 runtime error, 6 request rejected, 7 not done (purge not confirmed, tail --count
not reached before --timeout).
)";

void out(const QString &text)
{
    const QByteArray bytes = text.toUtf8();
    std::fwrite(bytes.constData(), 1, std::size_t(bytes.size()), stdout);
    std::fflush(stdout); // tail's lines must not wait in a buffer for the next SIGINT
}

void err(const QString &text)
{
    const QByteArray bytes = (QStringLiteral("queuedeck ctl: ") + text + QLatin1Char('\n')).toUtf8();
    std::fwrite(bytes.constData(), 1, std::size_t(bytes.size()), stderr);
    std::fflush(stderr);
}

QString jsonLine(const QJsonObject &o)
{
    return QString::fromUtf8(QJsonDocument(o).toJson(QJsonDocument::Compact)) + QLatin1Char('\n');
}

QString encoded(const QString &segment)
{
    return QString::fromLatin1(QUrl::toPercentEncoding(segment));
}

QString cut(const QString &text, int maxWidth)
{
    QString line = text;
    line.replace(QLatin1Char('\n'), QLatin1Char(' '));
    if (maxWidth <= 0 || line.size() <= maxWidth)
        return line;
    return line.left(maxWidth - 1) + QChar(0x2026);
}

struct Reply {
    int status = 0; // 0: no HTTP answer
    QString networkError;
    QJsonObject json;
    bool isJson = false;
};

// One runtime, one request at a time: a command line waits for each answer anyway.
class Client final {
public:
    explicit Client(const Options &options)
        : m_options(options)
    {
    }

    Reply call(const QByteArray &method, const QString &encodedPath, const QString &encodedQuery = {},
        const QJsonObject &body = {}, int timeoutMs = kRequestTimeoutMs)
    {
        QUrl url(m_options.endpoint + encodedPath, QUrl::StrictMode);
        if (!encodedQuery.isEmpty())
            url.setQuery(encodedQuery, QUrl::StrictMode);
        QNetworkRequest request(url);
        request.setTransferTimeout(timeoutMs);
        request.setHeader(QNetworkRequest::UserAgentHeader, QByteArrayLiteral("queuedeck-ctl"));
        if (!m_options.token.isEmpty())
            request.setRawHeader("Authorization", "Bearer " + m_options.token.toUtf8());
        QByteArray payload;
        if (method != "GET") {
            request.setHeader(QNetworkRequest::ContentTypeHeader, QByteArrayLiteral("application/json"));
            payload = QJsonDocument(body).toJson(QJsonDocument::Compact);
        }
        QNetworkReply *reply = m_network.sendCustomRequest(request, method, payload);
        QEventLoop loop;
        QObject::connect(reply, &QNetworkReply::finished, &loop, &QEventLoop::quit);
        loop.exec();
        Reply r;
        r.status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
        if (r.status == 0)
            r.networkError = reply->errorString();
        QJsonParseError parse;
        const QJsonDocument doc = QJsonDocument::fromJson(reply->readAll(), &parse);
        r.isJson = parse.error == QJsonParseError::NoError && doc.isObject();
        r.json = doc.object();
        reply->deleteLater();
        return r;
    }

    // Says on stderr why a call did not work, and returns the exit code for it; Ok when it did.
    ExitCode check(const Reply &r) const
    {
        if (r.status == 0) {
            err(QStringLiteral("cannot reach the runtime at %1: %2 (is it running? the endpoint comes from "
                               "--endpoint, QUEUEDECK_ENDPOINT or the config file)")
                    .arg(m_options.endpoint, r.networkError));
            return Unreachable;
        }
        const ExitCode code = exitCodeForStatus(r.status);
        const bool cloudflareFailure
            = r.isJson && r.json.value(QLatin1String("success")) == QJsonValue(false);
        if (code == Ok && r.isJson && !cloudflareFailure)
            return Ok;
        const QString said = r.isJson ? errorMessage(r.json) : QString();
        if (code == Refused) {
            err(QStringLiteral("the runtime at %1 refused the request (HTTP %2: %3); %4")
                    .arg(m_options.endpoint)
                    .arg(r.status)
                    .arg(said.isEmpty() ? QStringLiteral("forbidden") : said,
                        m_options.token.isEmpty() ? QStringLiteral(
                            "it needs a token: --token, QUEUEDECK_TOKEN or token= in the config file")
                                                  : QStringLiteral("check the token")));
        } else if (code == Ok || !r.isJson) {
            err(QStringLiteral("%1 did not answer like a QueueDeck runtime (HTTP %2)")
                    .arg(m_options.endpoint)
                    .arg(r.status));
            return ServerError;
        } else {
            err(said.isEmpty() ? QStringLiteral("the runtime answered HTTP %1").arg(r.status) : said);
        }
        return code;
    }

    // The Cloudflare API's envelope around its result.
    static QJsonValue result(const Reply &r) { return r.json.value(QLatin1String("result")); }

    const Options &options() const { return m_options; }

private:
    const Options &m_options;
    QNetworkAccessManager m_network;
};

QJsonObject findQueue(const QJsonObject &queuesAnswer, const QString &name)
{
    for (const QJsonValue q : queuesAnswer.value(QLatin1String("queues")).toArray()) {
        if (q.toObject().value(QLatin1String("name")).toString() == name)
            return q.toObject();
    }
    return {};
}

int queues(Client &client)
{
    const Reply r = client.call("GET", QStringLiteral("/api/queues"));
    if (const ExitCode code = client.check(r))
        return code;
    out(client.options().json ? jsonLine(r.json) : queuesTable(r.json, QDateTime::currentMSecsSinceEpoch()));
    return Ok;
}

int send(Client &client)
{
    const Options &o = client.options();
    const QString queue = o.arguments.value(0);
    QString text = o.arguments.value(1);
    if (text == QLatin1String("-"))
        text = QTextStream(stdin).readAll();
    QJsonObject message;
    // A JSON body travels as the JSON value itself; parse it inside an array so any value fits.
    const QJsonDocument parsed = QJsonDocument::fromJson(QStringLiteral("[%1]").arg(text).toUtf8());
    const bool isJson = parsed.isArray() && parsed.array().size() == 1;
    QString type = o.contentType;
    if (type.isEmpty())
        type = isJson ? QStringLiteral("json") : QStringLiteral("text");
    if (type == QLatin1String("json") && !isJson) {
        err(QStringLiteral("the body is not JSON; give --content-type text to send it as text"));
        return Usage;
    }
    message.insert(QStringLiteral("content_type"), type);
    message.insert(QStringLiteral("body"), type == QLatin1String("json") ? parsed.array().at(0) : text);
    if (o.delaySeconds >= 0)
        message.insert(QStringLiteral("delay_seconds"), o.delaySeconds);
    const Reply r
        = client.call("POST", kQueuesPath + encoded(queue) + QStringLiteral("/messages"), {}, message);
    if (const ExitCode code = client.check(r))
        return code;
    const QJsonObject metrics = Client::result(r)
                                    .toObject()
                                    .value(QLatin1String("metadata"))
                                    .toObject()
                                    .value(QLatin1String("metrics"))
                                    .toObject();
    if (o.json) {
        out(jsonLine(QJsonObject { { QStringLiteral("queue"), queue }, { QStringLiteral("sent"), 1 },
            { QStringLiteral("metrics"), metrics } }));
    } else {
        out(QStringLiteral("sent 1 message to %1 (backlog %2)\n")
                .arg(queue)
                .arg(metrics.value(QLatin1String("backlog_count")).toInteger()));
    }
    return Ok;
}

QString filterQuery(const QString &queue, const QString &state, const QString &search)
{
    QStringList items;
    if (!queue.isEmpty())
        items.append(QStringLiteral("queue=") + encoded(queue));
    if (!state.isEmpty())
        items.append(QStringLiteral("state=") + encoded(state));
    if (!search.isEmpty())
        items.append(QStringLiteral("q=") + encoded(search));
    return items.join(QLatin1Char('&'));
}

int messages(Client &client)
{
    const Options &o = client.options();
    QString query = filterQuery(o.arguments.value(0), o.state, o.search);
    if (!query.isEmpty())
        query += QLatin1Char('&');
    query += QStringLiteral("limit=%1&offset=%2").arg(o.limit).arg(o.offset);
    const Reply r = client.call("GET", QStringLiteral("/api/messages"), query);
    if (const ExitCode code = client.check(r))
        return code;
    out(o.json ? jsonLine(r.json) : messagesTable(r.json));
    return Ok;
}

int retry(Client &client)
{
    const Options &o = client.options();
    QJsonObject body;
    if (o.delaySeconds >= 0)
        body.insert(QStringLiteral("delay_seconds"), o.delaySeconds);
    if (!o.arguments.isEmpty()) {
        body.insert(QStringLiteral("ids"), QJsonArray::fromStringList(o.arguments));
        const Reply r = client.call("POST", QStringLiteral("/api/retry"), {}, body);
        if (const ExitCode code = client.check(r))
            return code;
        const qint64 retried = r.json.value(QLatin1String("retried")).toInteger();
        out(o.json ? jsonLine(r.json)
                   : QStringLiteral("retried %1 of %2 messages%3\n")
                         .arg(retried)
                         .arg(o.arguments.size())
                         .arg(retried < o.arguments.size() ? QStringLiteral(" (the others were not failed)")
                                                           : QString()));
        return Ok;
    }
    QJsonObject filter;
    if (!o.queue.isEmpty())
        filter.insert(QStringLiteral("queue"), o.queue);
    if (!o.state.isEmpty())
        filter.insert(QStringLiteral("state"), o.state);
    if (!o.search.isEmpty())
        filter.insert(QStringLiteral("q"), o.search);
    body.insert(QStringLiteral("filter"), filter);
    const Reply r = client.call("POST", QStringLiteral("/api/retry"), {}, body, kBulkTimeoutMs);
    if (const ExitCode code = client.check(r))
        return code;
    if (o.json) {
        out(jsonLine(r.json));
    } else {
        out(QStringLiteral("retried %1 of %2 matching messages%3\n")
                .arg(r.json.value(QLatin1String("processed")).toInteger())
                .arg(r.json.value(QLatin1String("matched")).toInteger())
                .arg(r.json.value(QLatin1String("cancelled")).toBool() ? QStringLiteral(" (cancelled)")
                                                                       : QString()));
    }
    return Ok;
}

int redrive(Client &client)
{
    const Options &o = client.options();
    const QString queue = o.arguments.value(0);
    const Reply r = client.call(
        "POST", QStringLiteral("/api/redrive"), {}, QJsonObject { { QStringLiteral("queue"), queue } });
    if (const ExitCode code = client.check(r))
        return code;
    const qint64 moved = r.json.value(QLatin1String("moved")).toInteger();
    out(o.json
            ? jsonLine(QJsonObject { { QStringLiteral("queue"), queue }, { QStringLiteral("moved"), moved } })
            : QStringLiteral("moved %1 messages from %2 back to their queues\n").arg(moved).arg(queue));
    return Ok;
}

int purge(Client &client)
{
    const Options &o = client.options();
    const QString queue = o.arguments.value(0);
    if (!o.yes) {
        // Say what goes before asking: the runtime's counts as they are now.
        const Reply r = client.call("GET", QStringLiteral("/api/queues"));
        if (const ExitCode code = client.check(r))
            return code;
        const QJsonObject q = findQueue(r.json, queue);
        if (q.isEmpty()) {
            err(QStringLiteral("queue \"%1\" not found").arg(queue));
            return NotFound;
        }
        const qint64 ready = q.value(QLatin1String("ready")).toInteger();
        const qint64 delayed = q.value(QLatin1String("delayed")).toInteger();
        const qint64 failed = q.value(QLatin1String("failed")).toInteger();
        const QByteArray prompt
            = QStringLiteral("Purging deletes the %1 messages of %2 that are waiting or failed (%3 ready, %4 "
                             "delayed, %5 failed); it cannot be undone.\nType the queue's name to purge it: ")
                  .arg(ready + delayed + failed)
                  .arg(queue)
                  .arg(ready)
                  .arg(delayed)
                  .arg(failed)
                  .toUtf8();
        std::fwrite(prompt.constData(), 1, std::size_t(prompt.size()), stderr);
        std::fflush(stderr);
        QTextStream in(stdin);
        const QString typed = in.readLine().trimmed();
        if (typed != queue) {
            err(QStringLiteral("not purged: the name typed was not \"%1\"").arg(queue));
            return NotDone;
        }
    }
    const Reply r = client.call("POST", kQueuesPath + encoded(queue) + QStringLiteral("/purge"), {},
        QJsonObject { { QStringLiteral("delete_messages_permanently"), true } });
    if (const ExitCode code = client.check(r))
        return code;
    out(o.json
            ? jsonLine(QJsonObject { { QStringLiteral("queue"), queue }, { QStringLiteral("purged"), true } })
            : QStringLiteral("purged %1\n").arg(queue));
    return Ok;
}

int pause(Client &client, bool paused)
{
    const Options &o = client.options();
    const QString queue = o.arguments.value(0);
    const QJsonObject body { { QStringLiteral("settings"),
        QJsonObject { { QStringLiteral("delivery_paused"), paused } } } };
    const Reply r = client.call("PATCH", kQueuesPath + encoded(queue), {}, body);
    if (const ExitCode code = client.check(r))
        return code;
    const bool now = Client::result(r)
                         .toObject()
                         .value(QLatin1String("settings"))
                         .toObject()
                         .value(QLatin1String("delivery_paused"))
                         .toBool();
    if (o.json)
        out(jsonLine(QJsonObject { { QStringLiteral("queue"), queue }, { QStringLiteral("paused"), now } }));
    else
        out(now ? QStringLiteral("paused %1: messages wait until `queuedeck ctl resume %1`\n").arg(queue)
                : QStringLiteral("resumed %1\n").arg(queue));
    return Ok;
}

// The newest failures of one state, newest first; dead-lettered ones live in their DLQ, so
// for one queue they are asked for everywhere and kept when they came from it.
ExitCode pollFailures(Client &client, const QString &state, int offset, QJsonArray *into, int *received)
{
    const Options &o = client.options();
    const bool dead = state == QLatin1String("dead_lettered");
    const QString query = filterQuery(dead ? QString() : o.queue, state, o.search)
        + QStringLiteral("&sort=updated&order=desc&limit=%1&offset=%2").arg(kTailPage).arg(offset);
    const Reply r = client.call("GET", QStringLiteral("/api/messages"), query);
    if (const ExitCode code = client.check(r))
        return code;
    const QJsonArray page = r.json.value(QLatin1String("messages")).toArray();
    *received = int(page.size());
    for (const QJsonValue v : page) {
        const QJsonObject m = v.toObject();
        if (!dead || o.queue.isEmpty() || m.value(QLatin1String("queue")).toString() == o.queue
            || m.value(QLatin1String("source_queue")).toString() == o.queue)
            into->append(m);
    }
    return Ok;
}

// Reads the newest failures until a page holds one already seen (or runs short), so a burst
// of more than a page between two polls is still reported whole.
ExitCode poll(Client &client, QHash<QString, qint64> *seen, qint64 *watermark, QList<QJsonObject> *fresh)
{
    QJsonArray all;
    for (const QString &state : { QStringLiteral("failed"), QStringLiteral("dead_lettered") }) {
        for (int page = 0; page < kTailMaxPages; ++page) {
            QJsonArray chunk;
            int received = 0;
            if (const ExitCode code = pollFailures(client, state, page * kTailPage, &chunk, &received))
                return code;
            for (const QJsonValue m : chunk)
                all.append(m);
            const bool anySeen = std::any_of(chunk.begin(), chunk.end(), [&](const QJsonValue &v) {
                const QJsonObject m = v.toObject();
                return m.value(QLatin1String("updated_ms")).toInteger() < *watermark - kTailLookbackMs
                    || seen->contains(m.value(QLatin1String("id")).toString() + QLatin1Char('@')
                        + QString::number(m.value(QLatin1String("updated_ms")).toInteger()));
            });
            if (received < kTailPage || anySeen)
                break;
        }
    }
    QList<QJsonValue> sorted(all.begin(), all.end());
    std::stable_sort(sorted.begin(), sorted.end(), [](const QJsonValue &a, const QJsonValue &b) {
        return a.toObject().value(QLatin1String("updated_ms")).toInteger()
            > b.toObject().value(QLatin1String("updated_ms")).toInteger();
    });
    QJsonArray newestFirst;
    for (const QJsonValue &v : sorted)
        newestFirst.append(v);
    *fresh = newFailures(newestFirst, seen, watermark, kTailLookbackMs);
    return Ok;
}

int tail(Client &client)
{
    const Options &o = client.options();
    QHash<QString, qint64> seen;
    qint64 watermark = 0;
    QList<QJsonObject> fresh;
    // What has failed before the tail started is not news.
    if (const ExitCode code = poll(client, &seen, &watermark, &fresh))
        return code;
    err(QStringLiteral("following new failures%1 at %2 (Ctrl+C stops)")
            .arg(o.queue.isEmpty() ? QString() : QStringLiteral(" of ") + o.queue, o.endpoint));
    int printed = 0;
    QEventLoop loop;
    QTimer deadline;
    bool timedOut = false;
    if (o.timeoutMs > 0) {
        deadline.setSingleShot(true);
        QObject::connect(&deadline, &QTimer::timeout, &loop, [&] {
            timedOut = true;
            loop.quit();
        });
        deadline.start(o.timeoutMs);
    }
    QTimer tick;
    tick.setSingleShot(true);
    QObject::connect(&tick, &QTimer::timeout, &loop, &QEventLoop::quit);
    while (true) {
        tick.start(o.intervalMs);
        loop.exec();
        if (timedOut)
            break;
        if (const ExitCode code = poll(client, &seen, &watermark, &fresh))
            return code;
        for (const QJsonObject &m : std::as_const(fresh)) {
            out(o.json ? jsonLine(m) : failureLine(m));
            if (o.count > 0 && ++printed >= o.count)
                return Ok;
        }
    }
    return o.count > 0 ? NotDone : Ok;
}

} // namespace

QString defaultConfigFile()
{
    return QStandardPaths::writableLocation(QStandardPaths::GenericConfigLocation)
        + QStringLiteral("/queuedeck/ctl.conf");
}

QString normalizeEndpoint(const QString &endpoint)
{
    QString text = endpoint.trimmed();
    if (!text.contains(QLatin1String("://")))
        text.prepend(QStringLiteral("http://"));
    const QUrl url(text, QUrl::StrictMode);
    if (!url.isValid() || url.host().isEmpty()
        || (url.scheme() != QLatin1String("http") && url.scheme() != QLatin1String("https")) || url.hasQuery()
        || url.hasFragment())
        return {};
    while (text.endsWith(QLatin1Char('/')))
        text.chop(1);
    return text;
}

Options parseArguments(
    const QStringList &arguments, const QProcessEnvironment &environment, const QString &defaultConfig)
{
    Options o;
    QCommandLineParser parser;
    parser.setSingleDashWordOptionMode(QCommandLineParser::ParseAsLongOptions);
    const QCommandLineOption help({ QStringLiteral("h"), QStringLiteral("help") }, {});
    const QCommandLineOption endpoint(QStringLiteral("endpoint"), {}, QStringLiteral("URL"));
    const QCommandLineOption token(QStringLiteral("token"), {}, QStringLiteral("TOKEN"));
    const QCommandLineOption config(QStringLiteral("config"), {}, QStringLiteral("FILE"));
    const QCommandLineOption json(QStringLiteral("json"), {});
    const QCommandLineOption yes(QStringLiteral("yes"), {});
    const QCommandLineOption all(QStringLiteral("all"), {});
    const QCommandLineOption queue(QStringLiteral("queue"), {}, QStringLiteral("QUEUE"));
    const QCommandLineOption state(QStringLiteral("state"), {}, QStringLiteral("STATE"));
    const QCommandLineOption search(QStringLiteral("search"), {}, QStringLiteral("TEXT"));
    const QCommandLineOption limit(QStringLiteral("limit"), {}, QStringLiteral("N"), QStringLiteral("50"));
    const QCommandLineOption offset(QStringLiteral("offset"), {}, QStringLiteral("N"), QStringLiteral("0"));
    const QCommandLineOption delay(QStringLiteral("delay"), {}, QStringLiteral("SECONDS"));
    const QCommandLineOption contentType(QStringLiteral("content-type"), {}, QStringLiteral("TYPE"));
    const QCommandLineOption count(QStringLiteral("count"), {}, QStringLiteral("N"), QStringLiteral("0"));
    const QCommandLineOption timeout(
        QStringLiteral("timeout"), {}, QStringLiteral("SECONDS"), QStringLiteral("0"));
    const QCommandLineOption interval(
        QStringLiteral("interval"), {}, QStringLiteral("MS"), QStringLiteral("1000"));
    parser.addOptions({ help, endpoint, token, config, json, yes, all, queue, state, search, limit, offset,
        delay, contentType, count, timeout, interval });
    parser.addPositionalArgument(QStringLiteral("command"), {});
    // QCommandLineParser reads the program name first.
    if (!parser.parse(QStringList { QStringLiteral("queuedeck-ctl") } + arguments)) {
        o.error = parser.errorText();
        return o;
    }
    o.help = parser.isSet(help);
    const QStringList positional = parser.positionalArguments();
    o.command = positional.value(0);
    o.arguments = positional.mid(1);
    o.json = parser.isSet(json);
    o.yes = parser.isSet(yes);
    o.all = parser.isSet(all);
    o.queue = parser.value(queue);
    o.state = parser.value(state);
    o.search = parser.value(search);
    o.contentType = parser.value(contentType);
    if (o.help)
        return o;

    // Flags, then the environment, then the file, then the default; each setting on its own.
    o.configFile = parser.isSet(config) ? parser.value(config)
                                        : environment.value(QStringLiteral("QUEUEDECK_CTL_CONFIG"));
    const bool configNamed = !o.configFile.isEmpty();
    if (!configNamed)
        o.configFile = defaultConfig;
    QString fileEndpoint;
    QString fileToken;
    if (!o.configFile.isEmpty()) {
        if (QFileInfo::exists(o.configFile)) {
            QSettings file(o.configFile, QSettings::IniFormat);
            if (file.status() != QSettings::NoError) {
                o.error = QStringLiteral("cannot read the config file %1").arg(o.configFile);
                return o;
            }
            fileEndpoint = file.value(QStringLiteral("endpoint")).toString();
            fileToken = file.value(QStringLiteral("token")).toString();
        } else if (configNamed) {
            o.error = QStringLiteral("the config file %1 does not exist").arg(o.configFile);
            return o;
        } else {
            o.configFile.clear();
        }
    }
    QString rawEndpoint = parser.value(endpoint);
    if (rawEndpoint.isEmpty())
        rawEndpoint = environment.value(QStringLiteral("QUEUEDECK_ENDPOINT"));
    if (rawEndpoint.isEmpty())
        rawEndpoint = fileEndpoint;
    if (rawEndpoint.isEmpty())
        rawEndpoint = QLatin1String(kDefaultEndpoint);
    o.endpoint = normalizeEndpoint(rawEndpoint);
    if (o.endpoint.isEmpty()) {
        o.error = QStringLiteral("the endpoint is not an http(s) URL: %1").arg(rawEndpoint);
        return o;
    }
    o.token
        = parser.isSet(token) ? parser.value(token) : environment.value(QStringLiteral("QUEUEDECK_TOKEN"));
    if (o.token.isEmpty())
        o.token = fileToken;

    const auto number = [&](const QCommandLineOption &option, qint64 min, qint64 max, qint64 *value) {
        bool ok = false;
        *value = parser.value(option).toLongLong(&ok);
        if (!ok || *value < min || *value > max) {
            o.error = QStringLiteral("--%1: a whole number from %2 to %3, got %4")
                          .arg(option.names().constFirst())
                          .arg(min)
                          .arg(max)
                          .arg(parser.value(option));
            return false;
        }
        return true;
    };
    qint64 n = 0;
    if (!number(limit, 1, 1000, &n))
        return o;
    o.limit = int(n);
    if (!number(offset, 0, qint64(1) << 40, &o.offset))
        return o;
    if (parser.isSet(delay)) {
        if (!number(delay, 0, 86'400, &n))
            return o;
        o.delaySeconds = int(n);
    }
    if (!number(count, 0, 1'000'000'000, &n))
        return o;
    o.count = int(n);
    if (!number(timeout, 0, qint64(86'400) * 365, &n))
        return o;
    o.timeoutMs = int(std::min<qint64>(n * 1000, std::numeric_limits<int>::max()));
    if (!number(interval, 50, 3'600'000, &n))
        return o;
    o.intervalMs = int(n);
    if (!o.contentType.isEmpty() && o.contentType != QLatin1String("json")
        && o.contentType != QLatin1String("text")) {
        o.error = QStringLiteral("--content-type: json or text, got %1").arg(o.contentType);
        return o;
    }
    static const QStringList states { QStringLiteral("ready"), QStringLiteral("delayed"),
        QStringLiteral("inflight"), QStringLiteral("acked"), QStringLiteral("failed"),
        QStringLiteral("dead_lettered") };
    if (!o.state.isEmpty() && !states.contains(o.state)) {
        o.error = QStringLiteral("--state: one of %1, got %2").arg(states.join(QLatin1String(", ")), o.state);
        return o;
    }

    // What each command takes.
    const auto wants = [&](qsizetype min, qsizetype max, const QString &what) {
        if (o.arguments.size() < min || o.arguments.size() > max) {
            o.error = QStringLiteral("usage: queuedeck ctl %1 %2").arg(o.command, what);
            return false;
        }
        return true;
    };
    if (o.command.isEmpty()) {
        o.error = QStringLiteral("a command is needed: queues, send, messages, retry, redrive, purge, pause, "
                                 "resume or tail");
    } else if (o.command == QLatin1String("queues")) {
        wants(0, 0, {});
    } else if (o.command == QLatin1String("send")) {
        wants(2, 2, QStringLiteral("QUEUE BODY"));
    } else if (o.command == QLatin1String("messages")) {
        wants(0, 1, QStringLiteral("[QUEUE] [--state STATE] [--search TEXT]"));
    } else if (o.command == QLatin1String("retry")) {
        const bool filtered = !o.queue.isEmpty() || !o.state.isEmpty() || !o.search.isEmpty() || o.all;
        if (o.arguments.isEmpty() && !filtered)
            o.error
                = QStringLiteral("retry what? give message ids, or a filter (--queue, --state, --search), "
                                 "or --all for every failure");
        else if (!o.arguments.isEmpty() && filtered)
            o.error = QStringLiteral("retry takes message ids or a filter, not both");
    } else if (o.command == QLatin1String("redrive")) {
        wants(1, 1, QStringLiteral("DEAD_LETTER_QUEUE"));
    } else if (o.command == QLatin1String("purge") || o.command == QLatin1String("pause")
        || o.command == QLatin1String("resume")) {
        wants(1, 1, QStringLiteral("QUEUE"));
    } else if (o.command == QLatin1String("tail")) {
        if (wants(0, 1, QStringLiteral("[QUEUE] [--count N] [--timeout SECONDS]")) && !o.arguments.isEmpty())
            o.queue = o.arguments.constFirst();
    } else {
        o.error = QStringLiteral("unknown command \"%1\"").arg(o.command);
    }
    return o;
}

QString formatTable(const QList<Column> &columns, const QList<QStringList> &rows)
{
    QList<QStringList> cells;
    QStringList header;
    for (const Column &c : columns)
        header.append(c.title);
    cells.append(header);
    for (const QStringList &row : rows) {
        QStringList line;
        for (qsizetype i = 0; i < columns.size(); ++i)
            line.append(cut(row.value(i), columns[i].maxWidth));
        cells.append(line);
    }
    QList<qsizetype> widths(columns.size(), 0);
    for (const QStringList &line : std::as_const(cells)) {
        for (qsizetype i = 0; i < line.size(); ++i)
            widths[i] = std::max(widths[i], line[i].size());
    }
    QString text;
    for (const QStringList &line : std::as_const(cells)) {
        QString row;
        for (qsizetype i = 0; i < line.size(); ++i) {
            if (i > 0)
                row += QLatin1String("  ");
            row += columns[i].rightAligned ? line[i].rightJustified(widths[i])
                                           : line[i].leftJustified(widths[i]);
        }
        while (row.endsWith(QLatin1Char(' ')))
            row.chop(1);
        text += row + QLatin1Char('\n');
    }
    return text;
}

ExitCode exitCodeForStatus(int status)
{
    if (status >= 200 && status < 300)
        return Ok;
    if (status == 401 || status == 403)
        return Refused;
    if (status == 404)
        return NotFound;
    if (status >= 400 && status < 500)
        return Rejected;
    return ServerError;
}

QString errorMessage(const QJsonObject &answer)
{
    QString own = answer.value(QLatin1String("error")).toString();
    if (!own.isEmpty())
        return own;
    QStringList messages;
    for (const QJsonValue e : answer.value(QLatin1String("errors")).toArray()) {
        const QString m = e.toObject().value(QLatin1String("message")).toString();
        if (!m.isEmpty())
            messages.append(m);
    }
    return messages.join(QLatin1String("; "));
}

QString queuesTable(const QJsonObject &answer, qint64 nowMs)
{
    const QList<Column> columns { { QStringLiteral("QUEUE"), false, 40 }, { QStringLiteral("READY"), true },
        { QStringLiteral("DELAYED"), true }, { QStringLiteral("INFLIGHT"), true },
        { QStringLiteral("FAILED"), true }, { QStringLiteral("ACKED"), true },
        { QStringLiteral("OLDEST"), true }, { QStringLiteral("CONSUMER"), false },
        { QStringLiteral("DLQ"), false, 30 }, { QStringLiteral("STATUS"), false } };
    QList<QStringList> rows;
    for (const QJsonValue v : answer.value(QLatin1String("queues")).toArray()) {
        const QJsonObject q = v.toObject();
        const QJsonObject s = q.value(QLatin1String("settings")).toObject();
        const qint64 oldest = q.value(QLatin1String("oldest_message_timestamp_ms")).toInteger();
        const auto n
            = [&](const char *key) { return QString::number(q.value(QLatin1String(key)).toInteger()); };
        rows.append({ q.value(QLatin1String("name")).toString(), n("ready"), n("delayed"), n("inflight"),
            n("failed"), n("acked"), oldest > 0 ? formatAge(nowMs - oldest) : QStringLiteral("-"),
            s.value(QLatin1String("consumer_type")).toString(),
            s.value(QLatin1String("dead_letter_queue")).toString(),
            s.value(QLatin1String("delivery_paused")).toBool() ? QStringLiteral("paused")
                                                               : QStringLiteral("active") });
    }
    if (rows.isEmpty())
        return QStringLiteral("no queues\n");
    return formatTable(columns, rows);
}

QString messagesTable(const QJsonObject &answer)
{
    const QList<Column> columns { { QStringLiteral("ID"), false }, { QStringLiteral("QUEUE"), false, 30 },
        { QStringLiteral("STATE"), false }, { QStringLiteral("ATTEMPTS"), true },
        { QStringLiteral("UPDATED"), false }, { QStringLiteral("LAST ERROR"), false, 70 } };
    QList<QStringList> rows;
    const QJsonArray messages = answer.value(QLatin1String("messages")).toArray();
    for (const QJsonValue v : messages) {
        const QJsonObject m = v.toObject();
        QString state = m.value(QLatin1String("state")).toString();
        if (m.contains(QLatin1String("source_queue")))
            state += QStringLiteral(" (from %1)").arg(m.value(QLatin1String("source_queue")).toString());
        rows.append({ m.value(QLatin1String("id")).toString(), m.value(QLatin1String("queue")).toString(),
            state, QString::number(m.value(QLatin1String("attempts")).toInteger()),
            isoTimeUtc(m.value(QLatin1String("updated_ms")).toInteger()),
            m.value(QLatin1String("last_error")).toString() });
    }
    const qint64 total = answer.value(QLatin1String("total")).toInteger();
    const qint64 offset = answer.value(QLatin1String("offset")).toInteger();
    if (messages.isEmpty())
        return QStringLiteral("no messages (%1 match)\n").arg(total);
    return formatTable(columns, rows)
        + QStringLiteral("%1–%2 of %3\n").arg(offset + 1).arg(offset + messages.size()).arg(total);
}

QString failureLine(const QJsonObject &m)
{
    const QString source = m.value(QLatin1String("source_queue")).toString();
    const QString what = source.isEmpty()
        ? QStringLiteral("%1 failed").arg(m.value(QLatin1String("queue")).toString())
        : QStringLiteral("%1 dead-lettered to %2").arg(source, m.value(QLatin1String("queue")).toString());
    return QStringLiteral("%1  %2  %3  attempts %4  %5\n")
        .arg(isoTimeUtc(m.value(QLatin1String("updated_ms")).toInteger()),
            m.value(QLatin1String("id")).toString(), what)
        .arg(m.value(QLatin1String("attempts")).toInteger())
        .arg(cut(m.value(QLatin1String("last_error")).toString(), 0));
}

QList<QJsonObject> newFailures(
    const QJsonArray &page, QHash<QString, qint64> *seen, qint64 *watermark, qint64 lookbackMs)
{
    QList<QJsonObject> fresh;
    qint64 newest = *watermark;
    for (const QJsonValue v : page) {
        const QJsonObject m = v.toObject();
        const qint64 updated = m.value(QLatin1String("updated_ms")).toInteger();
        if (updated < *watermark - lookbackMs)
            continue;
        const QString key
            = m.value(QLatin1String("id")).toString() + QLatin1Char('@') + QString::number(updated);
        if (seen->contains(key))
            continue;
        seen->insert(key, updated);
        fresh.prepend(m);
        newest = std::max(newest, updated);
    }
    *watermark = newest;
    for (auto it = seen->begin(); it != seen->end();) {
        if (it.value() < newest - lookbackMs)
            it = seen->erase(it);
        else
            ++it;
    }
    return fresh;
}

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    QCoreApplication::setOrganizationName(QStringLiteral("QueueDeck"));
    QCoreApplication::setApplicationName(QStringLiteral("QueueDeck"));
    const Options options = parseArguments(
        QCoreApplication::arguments().mid(2), QProcessEnvironment::systemEnvironment(), defaultConfigFile());
    if (options.help) {
        out(QString::fromUtf8(kUsage));
        return Ok;
    }
    if (!options.error.isEmpty()) {
        err(options.error + QStringLiteral(" (queuedeck ctl --help lists the commands)"));
        return Usage;
    }
    Client client(options);
    const QString &c = options.command;
    if (c == QLatin1String("queues"))
        return queues(client);
    if (c == QLatin1String("send"))
        return send(client);
    if (c == QLatin1String("messages"))
        return messages(client);
    if (c == QLatin1String("retry"))
        return retry(client);
    if (c == QLatin1String("redrive"))
        return redrive(client);
    if (c == QLatin1String("purge"))
        return purge(client);
    if (c == QLatin1String("pause") || c == QLatin1String("resume"))
        return pause(client, c == QLatin1String("pause"));
    return tail(client);
}

} // namespace qd::ctl
