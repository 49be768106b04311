#include "runtime.h"

#include "httpapi.h"
#include "metricssampler.h"
#include "uploadsapi.h"
#include "webhookconsumer.h"
#include "workermanager.h"

#include <QDir>
#include <QStandardPaths>

namespace qd {

Runtime::Runtime(RuntimeOptions options, QObject *parent)
    : QObject(parent)
    , m_options(std::move(options))
{
    if (m_options.dataDir.isEmpty())
        m_options.dataDir = defaultDataDir();
    m_thread.setObjectName(QStringLiteral("queuedeck-runtime"));
    qRegisterMetaType<QList<QueueSnapshot>>();
    qRegisterMetaType<QList<MetricsFrame>>();
    qRegisterMetaType<AuditEntry>();
    qRegisterMetaType<QList<AuditEntry>>();
    qRegisterMetaType<WranglerImportReport>();
    qRegisterMetaType<QList<NodeInfo>>();
    qRegisterMetaType<WorkerInfo>();
    qRegisterMetaType<QList<WorkerInfo>>();
    qRegisterMetaType<WorkerLogLine>();
}

Runtime::~Runtime()
{
    stop();
}

QString insecureListenWarning(const RuntimeOptions &options)
{
    if (options.bind.isLoopback() || !options.token.isEmpty())
        return {};
    return QStringLiteral("%1 is not a loopback address and there is no token: anyone who can reach this "
                          "port can queue, read and delete jobs (set --token)")
        .arg(options.bind.toString());
}

QString Runtime::defaultDataDir()
{
    return QStandardPaths::writableLocation(QStandardPaths::AppDataLocation);
}

bool Runtime::start(QString *error)
{
    if (const QString warning = insecureListenWarning(m_options); !warning.isEmpty()) {
        if (!m_options.insecureNoToken) {
            *error = QStringLiteral("--bind %1 is not a loopback address, and without a token anyone who "
                                    "can reach it could use the API: set --token TOKEN, or pass "
                                    "--insecure-no-token to listen without one")
                         .arg(m_options.bind.toString());
            return false;
        }
        qWarning("queuedeck: %s", qPrintable(warning));
    }
    if (!QDir().mkpath(m_options.dataDir)) {
        *error = QStringLiteral("cannot create the data directory %1").arg(m_options.dataDir);
        return false;
    }
    m_context = new QObject;
    m_context->moveToThread(&m_thread);
    m_thread.start();
    bool ok = false;
    QMetaObject::invokeMethod(
        m_context,
        [&] {
            m_storeSpec = m_options.store.isEmpty()
                ? QDir(m_options.dataDir).filePath(QStringLiteral("queuedeck.db"))
                : m_options.store;
            m_store = makeStore(m_storeSpec);
            if (!m_store->open(error))
                return;
            m_blobs = std::make_unique<BlobStore>(
                QDir(m_options.dataDir).filePath(QStringLiteral("blobs")), m_options.images.maxImageBytes);
            if (!m_blobs->open(error))
                return;
            m_broker = new Broker(m_store.get(), &m_clock);
            m_broker->setNodeTimeoutMs(m_options.nodeTimeoutMs);
            m_broker->setConsumerForType(ConsumerType::Webhook, std::make_shared<WebhookConsumer>());
            if (!m_broker->start(error))
                return;
            if (!m_broker->queue(m_options.defaultQueue))
                m_broker->createQueue(m_options.defaultQueue);
            m_http = new HttpApi(m_broker, m_options.defaultQueue, m_options.token);
            m_http->access().setAllowedHosts(m_options.allowHosts);
            m_http->access().setAllowedOrigins(m_options.allowOrigins);
            m_http->setUploads(new UploadsApi(m_broker, m_blobs.get(), m_options.defaultQueue, m_http));
            if (!m_http->listen(m_options.bind, m_options.port, error))
                return;
            // Made once the address is known: the consumer reads this server's blobs directly.
            if (m_options.imageConsumerFactory) {
                m_broker->setConsumerForType(ConsumerType::Image,
                    m_options.imageConsumerFactory(ImageConsumerContext { m_store.get(), &m_clock,
                        m_blobs.get(), m_http->baseUrl() + QStringLiteral("/blobs/"), m_options.images }));
            }
            m_port = m_http->port();
            m_endpoint = m_http->baseUrl() + QLatin1Char('/');
            m_broker->setNodeEndpoint(m_endpoint);
            if (!m_options.configFile.isEmpty()) {
                m_startupImport = importWranglerFile(*m_broker, m_options.configFile);
                if (!m_startupImport.ok()) {
                    *error = m_startupImport.error;
                    return;
                }
            }
            m_workers = new WorkerManager(
                m_broker, QDir(m_options.dataDir).filePath(QStringLiteral("workers")), WorkerTools::find());
            if (!m_workers->listen(error))
                return;
            m_http->addApi(QStringLiteral("workers"),
                [workers = m_workers](const HttpRequest &request, const HttpResponder &responder,
                    const QStringList &segments) { workers->handleApi(request, responder, segments); });
            connect(
                m_workers, &WorkerManager::workersChanged, this,
                [this](const QList<WorkerInfo> &list) {
                    {
                        const QMutexLocker lock(&m_workersAndLogMutex);
                        m_workerList = list;
                    }
                    emit workers(list);
                },
                Qt::DirectConnection);
            connect(
                m_workers, &WorkerManager::logLine, this,
                [this](WorkerLogLine line) {
                    {
                        const QMutexLocker lock(&m_workersAndLogMutex);
                        line.seq = ++m_workerLogSeq;
                        m_recentWorkerLog.append(line);
                        if (m_recentWorkerLog.size() > kRecentWorkerLines)
                            m_recentWorkerLog.removeFirst();
                    }
                    emit workerLog(line);
                },
                Qt::DirectConnection);
            for (const QString &path : m_options.workers)
                m_workers->load(path);
            // Depth is read by a thread of its own from an index, so the once-a-second
            // snapshot neither counts every row of every queue nor holds up this thread.
            m_sampler = new MetricsSampler(m_broker, m_options.sampleIntervalMs);
            m_sampler->readDepthInBackground(m_storeSpec);
            connect(
                m_sampler, &MetricsSampler::sampled, this,
                [this](const QList<MetricsFrame> &frames, const QList<QueueSnapshot> &queues) {
                    emit metrics(frames);
                    emit snapshot(queues);
                    const std::vector<NodeInfo> all = m_broker->nodes();
                    emit nodes(QList<NodeInfo>(all.begin(), all.end()));
                },
                Qt::DirectConnection);
            connect(m_sampler, &MetricsSampler::rolledUp, this, &Runtime::rollups, Qt::DirectConnection);
            connect(m_broker, &Broker::auditAppended, this, &Runtime::auditAppended, Qt::DirectConnection);
            m_sampler->start();
            QMetaObject::invokeMethod(
                m_sampler, &MetricsSampler::sample, Qt::QueuedConnection); // a first frame now
            ok = true;
        },
        Qt::BlockingQueuedConnection);
    if (!ok)
        stop();
    return ok;
}

BlobStore *Runtime::blobs() const
{
    Q_ASSERT(QThread::currentThread() == &m_thread);
    return m_blobs.get();
}

void Runtime::requestHistory(qint64 sinceMs)
{
    if (!m_context)
        return;
    QMetaObject::invokeMethod(
        m_context,
        [this, sinceMs] {
            if (!m_store)
                return;
            const std::vector<MetricsFrame> rollups = m_store->rollups(sinceMs);
            const std::vector<AuditEntry> audit = m_store->audit(2000); // newest first
            emit history(QList<MetricsFrame>(rollups.begin(), rollups.end()),
                QList<AuditEntry>(audit.rbegin(), audit.rend()));
        },
        Qt::QueuedConnection);
}

void Runtime::importConfig(const QString &path)
{
    if (!m_context)
        return;
    QMetaObject::invokeMethod(
        m_context,
        [this, path] {
            if (m_broker)
                emit configImported(importWranglerFile(*m_broker, path));
        },
        Qt::QueuedConnection);
}

void Runtime::loadWorker(const QString &path)
{
    if (m_context)
        QMetaObject::invokeMethod(
            m_context, [this, path] { m_workers->load(path); }, Qt::QueuedConnection);
}

void Runtime::reloadWorker(const QString &name)
{
    if (m_context)
        QMetaObject::invokeMethod(
            m_context, [this, name] { m_workers->reload(name); }, Qt::QueuedConnection);
}

QList<WorkerInfo> Runtime::workerList() const
{
    const QMutexLocker lock(&m_workersAndLogMutex);
    return m_workerList;
}

QList<WorkerLogLine> Runtime::recentWorkerLog() const
{
    const QMutexLocker lock(&m_workersAndLogMutex);
    return m_recentWorkerLog;
}

void Runtime::stop()
{
    if (!m_thread.isRunning())
        return;
    QMetaObject::invokeMethod(
        m_context,
        [this] {
            // Workers first: their in-flight batches end (to be delivered again) while the
            // broker can still record that.
            delete m_workers;
            m_workers = nullptr;
            delete m_sampler;
            m_sampler = nullptr;
            delete m_http;
            m_http = nullptr;
            delete m_broker; // commits what is pending
            m_broker = nullptr;
            m_store.reset();
            m_blobs.reset();
            delete m_context;
            m_context = nullptr;
        },
        Qt::BlockingQueuedConnection);
    m_thread.quit();
    m_thread.wait();
}

} // namespace qd
