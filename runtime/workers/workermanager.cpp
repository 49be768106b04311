#include "workermanager.h"

#include "broker.h"
#include "error.h"
#include "workerconsumer.h"

#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QPointer>
#include <QRandomGenerator>

namespace qd {

namespace {

QByteArray compact(const QJsonObject &o)
{
    return QJsonDocument(o).toJson(QJsonDocument::Compact);
}

// workerd turns a refused send into the Worker's exception "<cause> (<code>)".
HttpResponse queueError(int status, const QString &message)
{
    HttpResponse r
        = HttpResponse::json(status, compact(QJsonObject { { QStringLiteral("error"), message } }));
    r.headers.append({ QByteArrayLiteral("CF-Queues-Error-Code"), QByteArray::number(status) });
    r.headers.append({ QByteArrayLiteral("CF-Queues-Error-Cause"), message.toUtf8().replace('\n', ' ') });
    return r;
}

QString randomSecret()
{
    QByteArray bytes(24, Qt::Uninitialized);
    QRandomGenerator::system()->fillRange(reinterpret_cast<quint32 *>(bytes.data()), bytes.size() / 4);
    return QString::fromLatin1(bytes.toHex());
}

// A send's content type: X-Msg-Fmt, or v8 (what workerd sends without one).
bool contentTypeOf(const QString &name, ContentType *type)
{
    if (name.isEmpty()) {
        *type = ContentType::V8;
        return true;
    }
    return contentTypeFromName(name, type);
}

} // namespace

WorkerManager::WorkerManager(Broker *broker, QString stateRoot, WorkerTools tools, QObject *parent)
    : QObject(parent)
    , m_broker(broker)
    , m_stateRoot(std::move(stateRoot))
    , m_tools(std::move(tools))
    , m_secret(randomSecret())
{
    qRegisterMetaType<WorkerLogLine>();
    qRegisterMetaType<WorkerInfo>();
    qRegisterMetaType<QList<WorkerInfo>>();
    m_server.setHandler([this](const HttpRequest &request, const HttpResponder &responder) {
        handleBinding(request, responder);
    });
}

WorkerManager::~WorkerManager()
{
    stopAll();
}

bool WorkerManager::listen(QString *error)
{
    return m_server.listen(QHostAddress::LocalHost, 0, error);
}

void WorkerManager::load(const QString &path)
{
    const QString canonical = QFileInfo(path).absoluteFilePath();
    for (const auto &h : m_hosts) {
        if (QFileInfo(h->path()).absoluteFilePath() == canonical) {
            h->reload();
            return;
        }
    }
    auto host = std::make_unique<WorkerHost>(
        canonical, m_tools, m_broker, WorkerHostPort { m_server.port(), m_secret }, m_stateRoot);
    connect(host.get(), &WorkerHost::changed, this, [this] { emit workersChanged(workers()); });
    connect(host.get(), &WorkerHost::logLine, this, &WorkerManager::logLine);
    WorkerHost *started = host.get();
    m_hosts.push_back(std::move(host));
    started->start();
}

bool WorkerManager::reload(const QString &name)
{
    WorkerHost *h = host(name);
    if (h)
        h->reload();
    return h != nullptr;
}

void WorkerManager::stopAll()
{
    for (const auto &h : m_hosts)
        h->stop();
}

QList<WorkerInfo> WorkerManager::workers() const
{
    QList<WorkerInfo> out;
    for (const auto &h : m_hosts)
        out.append(h->info());
    return out;
}

WorkerHost *WorkerManager::host(const QString &name) const
{
    for (const auto &h : m_hosts) {
        if (h->name() == name)
            return h.get();
    }
    return nullptr;
}

QJsonObject WorkerManager::workerJson(const WorkerInfo &info)
{
    QJsonObject o { { QStringLiteral("name"), info.name }, { QStringLiteral("url"), info.url },
        { QStringLiteral("config"), info.configPath }, { QStringLiteral("path"), info.path },
        { QStringLiteral("state"), workerStateName(info.state) },
        { QStringLiteral("produces"), QJsonArray::fromStringList(info.produces) },
        { QStringLiteral("consumes"), QJsonArray::fromStringList(info.consumes) },
        { QStringLiteral("restarts"), info.restarts }, { QStringLiteral("pid"), info.pid } };
    o.insert(QStringLiteral("error"), info.error.isEmpty() ? QJsonValue() : QJsonValue(info.error));
    return o;
}

void WorkerManager::handleApi(
    const HttpRequest &request, const HttpResponder &responder, const QStringList &segments)
{
    if (segments.isEmpty() && request.method == "GET") {
        QJsonArray list;
        for (const WorkerInfo &w : workers())
            list.append(workerJson(w));
        responder.respond(
            HttpResponse::json(200, compact(QJsonObject { { QStringLiteral("workers"), list } })));
        return;
    }
    if (segments.size() == 2 && segments[1] == QLatin1String("reload") && request.method == "POST") {
        WorkerHost *h = host(segments[0]);
        if (!h) {
            responder.respond(HttpResponse::json(404,
                compact(QJsonObject {
                    { QStringLiteral("error"), QStringLiteral("no Worker named %1").arg(segments[0]) } })));
            return;
        }
        h->reload();
        responder.respond(HttpResponse::json(202, compact(workerJson(h->info()))));
        return;
    }
    responder.respond(HttpResponse::json(404,
        compact(QJsonObject { { QStringLiteral("error"),
            QStringLiteral("use GET /api/workers or POST /api/workers/{name}/reload") } })));
}

QJsonObject WorkerManager::metricsJson(const QString &queue) const
{
    const QueueCounts c = m_broker->backlog(queue);
    return QJsonObject { { QStringLiteral("backlogCount"), double(c.ready + c.delayed) },
        { QStringLiteral("backlogBytes"), double(c.backlogBytes) },
        { QStringLiteral("oldestMessageTimestamp"), double(c.oldestTimestampMs) } };
}

void WorkerManager::send(const QString &queue, std::vector<SendItem> items, std::optional<int> delay,
    const HttpResponder &responder)
{
    QPointer<WorkerManager> self(this);
    // The Worker's send() promise settles with this answer, so it must wait for the commit.
    const Error refused
        = m_broker->send(queue, std::move(items), delay, [self, queue, responder](const Error &e) {
              if (e.isError()) {
                  responder.respond(queueError(httpStatusOf(e), e.message));
                  return;
              }
              const QJsonObject metrics = self ? self->metricsJson(queue) : QJsonObject();
              responder.respond(HttpResponse::json(200,
                  compact(QJsonObject { { QStringLiteral("metadata"),
                      QJsonObject { { QStringLiteral("metrics"), metrics } } } })));
          });
    if (refused.isError())
        responder.respond(queueError(httpStatusOf(refused), refused.message));
}

void WorkerManager::handleBinding(const HttpRequest &request, const HttpResponder &responder)
{
    if (m_secret.isEmpty() || request.header("x-queuedeck-secret") != m_secret.toUtf8()) {
        responder.respond(queueError(403, QStringLiteral("not a binding of a Worker this QueueDeck runs")));
        return;
    }
    const QString queue = QString::fromUtf8(request.header("x-queuedeck-queue"));
    std::optional<int> delay;
    if (const QByteArray d = request.header("x-msg-delay-secs"); !d.isEmpty()) {
        bool ok = false;
        delay = d.toInt(&ok);
        if (!ok) {
            responder.respond(queueError(400, QStringLiteral("delaySeconds must be a whole number")));
            return;
        }
    }
    if (request.path == "/message" && request.method == "POST") {
        SendItem item;
        if (!contentTypeOf(QString::fromUtf8(request.header("x-msg-fmt")), &item.contentType)) {
            responder.respond(queueError(400, QStringLiteral("unknown content type")));
            return;
        }
        item.body = request.body;
        item.delaySeconds = delay;
        std::vector<SendItem> items;
        items.push_back(std::move(item));
        send(queue, std::move(items), std::nullopt, responder);
        return;
    }
    if (request.path == "/batch" && request.method == "POST") {
        std::vector<SendItem> items;
        for (const QJsonValue v :
            QJsonDocument::fromJson(request.body).object().value(QLatin1String("messages")).toArray()) {
            const QJsonObject m = v.toObject();
            SendItem item;
            const auto body
                = QByteArray::fromBase64Encoding(m.value(QLatin1String("body")).toString().toLatin1(),
                    QByteArray::AbortOnBase64DecodingErrors);
            if (!body
                || !contentTypeOf(m.value(QLatin1String("contentType")).toString(), &item.contentType)) {
                responder.respond(queueError(400, QStringLiteral("a message of the batch is malformed")));
                return;
            }
            item.body = body.decoded;
            if (m.value(QLatin1String("delaySecs")).isDouble())
                item.delaySeconds = m.value(QLatin1String("delaySecs")).toInt();
            items.push_back(std::move(item));
        }
        send(queue, std::move(items), delay, responder);
        return;
    }
    if (request.path == "/metrics" && request.method == "GET") {
        responder.respond(HttpResponse::json(200, compact(metricsJson(queue))));
        return;
    }
    if (request.path == "/logs" && request.method == "POST") {
        const QJsonObject report = QJsonDocument::fromJson(request.body).object();
        if (WorkerHost *h = host(QString::fromUtf8(request.header("x-queuedeck-worker")));
            h && h->consumer()) {
            QStringList ids, lines;
            for (const QJsonValue id : report.value(QLatin1String("ids")).toArray())
                ids.append(id.toString());
            for (const QJsonValue line : report.value(QLatin1String("lines")).toArray())
                lines.append(line.toString());
            h->consumer()->reportLogs(ids, lines, report.value(QLatin1String("error")).toString());
        }
        responder.respond(HttpResponse::json(200, "{}"));
        return;
    }
    responder.respond(
        queueError(404, QStringLiteral("no such binding call: %1").arg(QString::fromUtf8(request.path))));
}

} // namespace qd
