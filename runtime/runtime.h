#pragma once

#include "askruntime.h"
#include "broker.h"
#include "clock.h"
#include "imagepipeline.h"
#include "metricsframe.h"
#include "queuesnapshot.h"
#include "queuestore.h"
#include "workerhost.h"
#include "wranglerconfig.h"

#include <QHostAddress>
#include <QMutex>
#include <QObject>
#include <QThread>
#include <QTimer>

#include <memory>

namespace qd {

class HttpApi;
class MetricsSampler;
class WorkerManager;

struct RuntimeOptions {
    QString dataDir;
    // Where messages live: empty for the SQLite file in dataDir, or a PostgreSQL URL
    // (postgresql://user@host:port/db) shared with other runtimes.
    QString store;
    // With a shared store: how long other nodes wait for this one's heartbeat before they
    // take back the batches it had in flight.
    int nodeTimeoutMs = 10'000;
    QHostAddress bind = QHostAddress::LocalHost;
    quint16 port = 8787;
    QString token;
    // Host names accepted besides the server's own addresses, and web origins whose pages
    // may call the API (see AccessPolicy).
    QStringList allowHosts;
    QStringList allowOrigins;
    // Listen on a non-loopback address without a token anyway (warned about, not refused).
    bool insecureNoToken = false;
    QString defaultQueue = QStringLiteral("images");
    int sampleIntervalMs = 1000;
    // A wrangler.toml / .jsonc imported at start; a file that cannot be parsed stops the start.
    QString configFile;
    // Worker projects to run (folders or wrangler files; docs/workers.md). One that fails
    // shows as that Worker's error; the runtime serves on.
    QStringList workers;
    ImagePipelineSettings images;
    // Builds the consumer of ConsumerType::Image queues; unset, those queues wait.
    ImageConsumerFactory imageConsumerFactory;
};

// Non-empty when the options let anyone who can reach the machine use the API: what to
// warn about in the log and in the window.
QString insecureListenWarning(const RuntimeOptions &options);

// The whole engine on its own thread: store, broker and the HTTP server. The GUI and
// main() talk to it only through queued calls and value snapshots.
class Runtime final : public QObject {
    Q_OBJECT
public:
    explicit Runtime(RuntimeOptions options, QObject *parent = nullptr);
    ~Runtime() override;

    // Starts the thread and everything on it; blocks until it is up or has failed.
    bool start(QString *error);
    void stop();

    QString endpoint() const { return m_endpoint; }
    quint16 port() const { return m_port; }
    const RuntimeOptions &options() const { return m_options; }
    // The broker lives on the runtime thread: the GUI calls into it only through ask(),
    // askLater() and tell().
    Broker *broker() const { return m_broker; }
    bool isRunning() const { return m_broker != nullptr; }
    // Run `work(broker)` on the runtime thread (askruntime.h); `onAnswer` gets its result on the
    // GUI thread if `context` still lives. False, with nothing run, when the runtime is not
    // running.
    template <typename Work, typename OnAnswer> bool ask(QObject *context, Work work, OnAnswer onAnswer);
    // `work(broker, answer)`: the answer may come later, from a commit's callback.
    template <typename Work, typename OnAnswer> bool askLater(QObject *context, Work work, OnAnswer onAnswer);
    template <typename Work> bool tell(Work work);
    // The store's spec (its file, or its PostgreSQL URL), for readers on connections of
    // their own (views); set once started.
    QString storePath() const { return m_storeSpec; }
    bool sharedStore() const { return isPostgresSpec(m_storeSpec); }
    // Lives with the broker: runtime thread only.
    BlobStore *blobs() const;
    // "http://host:port/blobs/": the prefix of this server's blob URLs.
    QString blobBaseUrl() const { return m_endpoint + QStringLiteral("blobs/"); }

    static QString defaultDataDir();

    // What importing options().configFile at start found (warnings, created queues).
    WranglerImportReport startupImport() const { return m_startupImport; }
    // Asynchronous: the answer comes as history() / configImported(), from the runtime thread.
    void requestHistory(qint64 sinceMs);
    void importConfig(const QString &path);
    // Worker projects: load one more (or reload it), reload one by name. The answers come as
    // workers() and workerLog(), from the runtime thread.
    void loadWorker(const QString &path);
    void reloadWorker(const QString &name);
    // A snapshot of the loaded Workers, safe from any thread.
    QList<WorkerInfo> workerList() const;
    // The last lines Workers printed (at most kRecentWorkerLines), numbered, oldest first:
    // what a view that comes later shows first. Safe from any thread.
    QList<WorkerLogLine> recentWorkerLog() const;
    static constexpr int kRecentWorkerLines = 2000;

signals:
    // Once a second, from the runtime thread: every queue's counts.
    void snapshot(const QList<qd::QueueSnapshot> &queues);
    // Once a sampler tick: a frame per queue and one for all queues (empty name).
    void metrics(const QList<qd::MetricsFrame> &frames);
    // When a minute ends: its rollups, as stored.
    void rollups(const QList<qd::MetricsFrame> &rollups);
    // Answers requestHistory(): stored rollups and recent operator actions, oldest first.
    void history(const QList<qd::MetricsFrame> &rollups, const QList<qd::AuditEntry> &audit);
    void auditAppended(const qd::AuditEntry &entry);
    // Once a sampler tick: every runtime serving this store (with a local store, this one).
    void nodes(const QList<qd::NodeInfo> &nodes);
    void configImported(const qd::WranglerImportReport &report);
    // Whenever a Worker changes state, and each line a Worker prints.
    void workers(const QList<qd::WorkerInfo> &workers);
    void workerLog(const qd::WorkerLogLine &line);

private:
    RuntimeOptions m_options;
    QThread m_thread;
    QObject *m_context = nullptr; // lives on m_thread: the target of calls made there
    SystemClock m_clock;
    QString m_storeSpec;
    std::unique_ptr<QueueStore> m_store;
    std::unique_ptr<BlobStore> m_blobs;
    Broker *m_broker = nullptr;
    HttpApi *m_http = nullptr;
    MetricsSampler *m_sampler = nullptr;
    WorkerManager *m_workers = nullptr;
    // The runtime thread writes the three below as the Workers report; any thread reads them.
    mutable QMutex m_workersAndLogMutex;
    QList<WorkerInfo> m_workerList;
    QList<WorkerLogLine> m_recentWorkerLog;
    qint64 m_workerLogSeq = 0;
    WranglerImportReport m_startupImport;
    QString m_endpoint;
    quint16 m_port = 0;
};

template <typename Work, typename OnAnswer> bool Runtime::ask(QObject *context, Work work, OnAnswer onAnswer)
{
    Broker *broker = m_broker;
    if (!broker)
        return false;
    askRuntime(
        broker, context, [broker, work = std::move(work)]() mutable { return work(*broker); },
        std::move(onAnswer));
    return true;
}

template <typename Work, typename OnAnswer>
bool Runtime::askLater(QObject *context, Work work, OnAnswer onAnswer)
{
    Broker *broker = m_broker;
    if (!broker)
        return false;
    askRuntimeLater(
        broker, context, [broker, work = std::move(work)](auto &answer) mutable { work(*broker, answer); },
        std::move(onAnswer));
    return true;
}

template <typename Work> bool Runtime::tell(Work work)
{
    Broker *broker = m_broker;
    if (!broker)
        return false;
    tellRuntime(broker, [broker, work = std::move(work)]() mutable { work(*broker); });
    return true;
}

} // namespace qd
