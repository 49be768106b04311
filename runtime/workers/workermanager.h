#pragma once

#include "httpserver.h"
#include "message.h"
#include "workerhost.h"

#include <QObject>

#include <memory>
#include <vector>

namespace qd {

class Broker;

// The Worker projects this runtime runs (docs/workers.md): one WorkerHost each, and the
// loopback listener their queue bindings and log reports reach QueueDeck on. A send from
// a Worker goes through Broker::send like every other send, and is answered once durable.
// Lives on the runtime thread.
class WorkerManager final : public QObject {
    Q_OBJECT
public:
    WorkerManager(Broker *broker, QString stateRoot, WorkerTools tools, QObject *parent = nullptr);
    ~WorkerManager() override;

    bool listen(QString *error);
    quint16 bindingPort() const { return m_server.port(); }

    // Starts the project at `path` (a folder or its wrangler file); one already loaded from
    // there is reloaded instead. What goes wrong shows as the Worker's state.
    void load(const QString &path);
    bool reload(const QString &name);
    void stopAll();
    QList<WorkerInfo> workers() const;

    // GET /api/workers and POST /api/workers/{name}/reload; `segments` follow "workers".
    void handleApi(const HttpRequest &request, const HttpResponder &responder, const QStringList &segments);
    static QJsonObject workerJson(const WorkerInfo &info);

signals:
    void workersChanged(const QList<qd::WorkerInfo> &workers);
    void logLine(const qd::WorkerLogLine &line);

private:
    void handleBinding(const HttpRequest &request, const HttpResponder &responder);
    void send(const QString &queue, std::vector<SendItem> items, std::optional<int> delay,
        const HttpResponder &responder);
    QJsonObject metricsJson(const QString &queue) const;
    WorkerHost *host(const QString &name) const;

    Broker *m_broker;
    QString m_stateRoot;
    WorkerTools m_tools;
    QString m_secret;
    HttpServer m_server;
    std::vector<std::unique_ptr<WorkerHost>> m_hosts;
};

} // namespace qd
