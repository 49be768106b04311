#include "workerhost.h"

#include "broker.h"
#include "workerconsumer.h"
#include "workerdconfig.h"

#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QSaveFile>
#include <QStandardPaths>
#include <QTcpServer>

#include <sys/prctl.h>

#include <csignal>

namespace qd {

QString workerStateName(WorkerState state)
{
    switch (state) {
    case WorkerState::Starting:
        return QStringLiteral("starting");
    case WorkerState::Running:
        return QStringLiteral("running");
    case WorkerState::Error:
        return QStringLiteral("error");
    case WorkerState::Stopped:
        return QStringLiteral("stopped");
    }
    return {};
}

WorkerTools WorkerTools::find()
{
    const auto pick = [](const char *variable, const QString &inTree, const QString &program) {
        QString chosen = qEnvironmentVariable(variable);
        if (!chosen.isEmpty())
            return chosen;
        if (QFileInfo(inTree).isExecutable())
            return inTree;
        return QStandardPaths::findExecutable(program);
    };
    const QString modules = QStringLiteral(QUEUEDECK_SOURCE_DIR "/worker-runtime/node_modules/");
    WorkerTools tools;
    tools.workerd = pick("QUEUEDECK_WORKERD",
        modules + QStringLiteral("@cloudflare/workerd-linux-64/bin/workerd"), QStringLiteral("workerd"));
    tools.esbuild = pick("QUEUEDECK_ESBUILD", modules + QStringLiteral("@esbuild/linux-x64/bin/esbuild"),
        QStringLiteral("esbuild"));
    return tools;
}

namespace {

// A loopback port nobody listens on now: `preferred` when it is free (so a Worker keeps its
// URL across reloads), else one the system picks.
quint16 freePort(quint16 preferred)
{
    QTcpServer probe;
    if (preferred && probe.listen(QHostAddress::LocalHost, preferred))
        return preferred;
    return probe.listen(QHostAddress::LocalHost, 0) ? probe.serverPort() : 0;
}

bool writeFile(const QString &path, const QByteArray &bytes, QString *error)
{
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly) || file.write(bytes) != bytes.size() || !file.commit()) {
        *error = QStringLiteral("cannot write %1: %2").arg(path, file.errorString());
        return false;
    }
    return true;
}

QByteArray resource(const QString &name)
{
    QFile file(QStringLiteral(":/queuedeck/workers/js/") + name);
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}

QByteArray jsString(const QString &text)
{
    return QJsonDocument(QJsonArray { text }).toJson(QJsonDocument::Compact).mid(1).chopped(1);
}

constexpr int kDrainMs = 5000; // a reload waits this long for batches under way
constexpr int kStopGraceMs = 2000;
constexpr int kRecentLines = 30;

} // namespace

WorkerHost::WorkerHost(
    QString path, WorkerTools tools, Broker *broker, WorkerHostPort host, QString stateRoot, QObject *parent)
    : QObject(parent)
    , m_tools(std::move(tools))
    , m_broker(broker)
    , m_host(std::move(host))
    , m_stateRoot(std::move(stateRoot))
{
    m_info.name = QFileInfo(path).isDir() ? QFileInfo(path).fileName() : QFileInfo(path).dir().dirName();
    m_info.path = std::move(path);
    m_restart.setSingleShot(true);
    connect(&m_restart, &QTimer::timeout, this, &WorkerHost::launch);
    // Editors save in bursts (write, rename, touch): one reload for the burst.
    m_debounce.setSingleShot(true);
    m_debounce.setInterval(200);
    connect(&m_debounce, &QTimer::timeout, this, &WorkerHost::reload);
    connect(&m_watcher, &QFileSystemWatcher::fileChanged, &m_debounce, qOverload<>(&QTimer::start));
    connect(&m_watcher, &QFileSystemWatcher::directoryChanged, &m_debounce, qOverload<>(&QTimer::start));
}

WorkerHost::~WorkerHost()
{
    stop();
}

WorkerInfo WorkerHost::info() const
{
    return m_info;
}

QString WorkerHost::stateDir() const
{
    return QDir(m_stateRoot).filePath(m_info.name);
}

void WorkerHost::start()
{
    load();
}

void WorkerHost::reload()
{
    m_restart.stop();
    if (m_bundler) {
        m_bundler->disconnect(this);
        m_bundler->kill();
        m_bundler->deleteLater();
    }
    log(QStringLiteral("reloading"));
    load();
}

void WorkerHost::stop()
{
    m_restart.stop();
    m_debounce.stop();
    if (m_bundler) {
        m_bundler->disconnect(this);
        m_bundler->kill();
        m_bundler->waitForFinished(1000);
        delete m_bundler;
    }
    killProcess();
    if (m_info.state != WorkerState::Stopped)
        setState(WorkerState::Stopped);
}

void WorkerHost::load()
{
    m_generation += 1;
    setState(WorkerState::Starting);
    WorkerProject project;
    QString error;
    if (!loadWorkerProject(m_info.path, &project, &error)) {
        killProcess();
        watchFiles();
        fail(error);
        return;
    }
    if (m_workerd && project.name != m_project.name)
        killProcess(); // renamed: its state folder and consumer go with the old name
    m_project = std::move(project);
    m_info.name = m_project.name;
    m_info.configPath = m_project.configPath;
    m_info.produces.clear();
    for (const WorkerProducerBinding &p : m_project.producers)
        m_info.produces.append(p.queue);
    m_info.consumes = m_project.consumedQueues;
    if (!m_consumer)
        m_consumer = std::make_shared<WorkerConsumer>(m_info.name, m_host.secret);
    const WranglerImportReport report
        = applyWranglerConfig(*m_broker, m_project.queues, m_project.configPath);
    for (const QString &warning : report.warnings)
        log(QStringLiteral("%1: %2").arg(QFileInfo(m_project.configPath).fileName(), warning));
    if (!report.created.isEmpty())
        log(QStringLiteral("created queues: %1").arg(report.created.join(QLatin1String(", "))));
    watchFiles();
    bundle();
}

void WorkerHost::bundle()
{
    if (m_tools.esbuild.isEmpty() || !QFileInfo(m_tools.esbuild).isExecutable()) {
        killProcess();
        fail(QStringLiteral("esbuild is not installed: run scripts/install-deps.sh (it installs "
                            "worker-runtime/), or set QUEUEDECK_ESBUILD to its path"));
        return;
    }
    QString error;
    const QDir dir(stateDir());
    if (!QDir().mkpath(dir.path())
        || !writeFile(
            dir.filePath(QStringLiteral("queuedeck-wrap.mjs")), resource(QStringLiteral("wrap.mjs")), &error)
        || !writeFile(dir.filePath(QStringLiteral("entry.mjs")),
            "import * as user from " + jsString(m_project.mainPath)
                + ";\nimport { wrapDefault } from \"./queuedeck-wrap.mjs\";\nexport * from "
                + jsString(m_project.mainPath) + ";\nexport default wrapDefault(user.default);\n",
            &error)) {
        killProcess();
        fail(error.isEmpty() ? QStringLiteral("cannot create %1").arg(dir.path()) : error);
        return;
    }
    auto *bundler = new QProcess(this);
    m_bundler = bundler;
    bundler->setProcessChannelMode(QProcess::MergedChannels);
    bundler->setWorkingDirectory(m_project.directory);
    connect(bundler, &QProcess::finished, this, &WorkerHost::onBundled);
    connect(bundler, &QProcess::errorOccurred, this, [this, bundler](QProcess::ProcessError e) {
        if (e == QProcess::FailedToStart && bundler == m_bundler) {
            m_bundler = nullptr;
            bundler->deleteLater();
            killProcess();
            fail(QStringLiteral("cannot run esbuild (%1): %2").arg(m_tools.esbuild, bundler->errorString()));
        }
    });
    bundler->start(m_tools.esbuild,
        { dir.filePath(QStringLiteral("entry.mjs")), QStringLiteral("--bundle"),
            QStringLiteral("--format=esm"), QStringLiteral("--platform=neutral"),
            QStringLiteral("--target=es2022"), QStringLiteral("--main-fields=browser,module,main"),
            QStringLiteral("--conditions=workerd,worker,browser"), QStringLiteral("--external:node:*"),
            QStringLiteral("--external:cloudflare:*"), QStringLiteral("--log-level=warning"),
            QStringLiteral("--color=false"),
            QStringLiteral("--outfile=") + dir.filePath(QStringLiteral("worker.mjs")) });
}

void WorkerHost::onBundled(int exitCode, QProcess::ExitStatus status)
{
    QProcess *bundler = m_bundler;
    m_bundler = nullptr;
    if (!bundler)
        return;
    bundler->deleteLater();
    const QString output = QString::fromUtf8(bundler->readAll()).trimmed();
    if (status != QProcess::NormalExit || exitCode != 0) {
        killProcess();
        fail(QStringLiteral("bundling %1 failed:\n%2").arg(m_project.mainPath, output));
        return;
    }
    if (!output.isEmpty())
        log(output);
    m_drain.start();
    launchWhenDrained(m_generation);
}

void WorkerHost::launchWhenDrained(int generation)
{
    if (generation != m_generation)
        return; // another reload began meanwhile
    // The old workerd finishes the batches it has (new ones wait), so a save does not cost
    // them an attempt.
    if (m_workerd && m_consumer->inFlight() > 0 && m_drain.elapsed() < kDrainMs) {
        attachConsumers(false);
        QTimer::singleShot(20, this, [this, generation] { launchWhenDrained(generation); });
        return;
    }
    launch();
}

void WorkerHost::launch()
{
    killProcess();
    if (m_tools.workerd.isEmpty() || !QFileInfo(m_tools.workerd).isExecutable()) {
        fail(QStringLiteral("workerd is not installed: run scripts/install-deps.sh (it installs "
                            "worker-runtime/), or set QUEUEDECK_WORKERD to its path"));
        return;
    }
    WorkerdLayout layout;
    layout.fetchPort = freePort(QUrl(m_info.url).port(0));
    layout.bridgePort = freePort(0);
    layout.hostPort = m_host.port;
    layout.secret = m_host.secret;
    const QDir dir(stateDir());
    const QString config = dir.filePath(QStringLiteral("workerd.capnp"));
    QString error;
    if (!writeFile(dir.filePath(layout.bridgeFile), resource(QStringLiteral("bridge.mjs")), &error)
        || !writeFile(config, workerdConfig(m_project, layout), &error)) {
        fail(error);
        return;
    }
    m_info.url = QStringLiteral("http://127.0.0.1:%1/").arg(layout.fetchPort);
    m_bridgePort = layout.bridgePort;
    m_listening = 0;
    m_everRan = false;
    m_output.clear();
    m_errorOutput.clear();
    m_recentOutput.clear();
    setState(WorkerState::Starting);

    auto *process = new QProcess(this);
    m_workerd = process;
    // stdout has console.log/info/debug; stderr console.warn/error and workerd's own lines.
    process->setProcessChannelMode(QProcess::SeparateChannels);
    process->setWorkingDirectory(dir.path());
    // workerd goes with QueueDeck, even when QueueDeck is killed and cannot stop it.
    process->setChildProcessModifier([] { ::prctl(PR_SET_PDEATHSIG, SIGKILL); });
    connect(process, &QProcess::readyReadStandardOutput, this, [this, process] { onOutput(process, false); });
    connect(process, &QProcess::readyReadStandardError, this, [this, process] { onOutput(process, true); });
    connect(process, &QProcess::finished, this, &WorkerHost::onExited);
    connect(process, &QProcess::errorOccurred, this, [this, process](QProcess::ProcessError e) {
        if (e == QProcess::FailedToStart && process == m_workerd) {
            m_workerd = nullptr;
            process->deleteLater();
            fail(QStringLiteral("cannot run workerd (%1): %2").arg(m_tools.workerd, process->errorString()));
        }
    });
    process->start(m_tools.workerd, { QStringLiteral("serve"), QStringLiteral("--experimental"), config });
}

void WorkerHost::onOutput(QProcess *process, bool standardError)
{
    if (process != m_workerd)
        return;
    QByteArray &buffer = standardError ? m_errorOutput : m_output;
    buffer += standardError ? process->readAllStandardError() : process->readAllStandardOutput();
    qsizetype end;
    while ((end = buffer.indexOf('\n')) >= 0) {
        const QString line = QString::fromUtf8(buffer.left(end)).trimmed();
        buffer.remove(0, end + 1);
        if (line.isEmpty())
            continue;
        if (line.startsWith(QLatin1String("Listening on "))) {
            if (++m_listening == 2) {
                m_everRan = true;
                m_info.pid = m_workerd->processId();
                m_backoffMs = 1000;
                m_consumer->setBridge(QUrl(QStringLiteral("http://127.0.0.1:%1/").arg(m_bridgePort)));
                attachConsumers(true);
                setState(WorkerState::Running);
                log(QStringLiteral("serving fetch() at %1").arg(m_info.url));
            }
            continue;
        }
        m_recentOutput.append(line);
        if (m_recentOutput.size() > kRecentLines)
            m_recentOutput.removeFirst();
        log(line, standardError);
    }
}

void WorkerHost::onExited(int exitCode, QProcess::ExitStatus status)
{
    auto *process = qobject_cast<QProcess *>(sender());
    if (!process || process != m_workerd)
        return; // one we stopped on purpose
    onOutput(process, false);
    onOutput(process, true);
    m_workerd = nullptr;
    m_info.pid = 0;
    process->deleteLater();
    attachConsumers(false);
    m_consumer->setBridge({});
    const QString why = status == QProcess::CrashExit
        ? QStringLiteral("workerd was killed or crashed")
        : QStringLiteral("workerd exited with code %1").arg(exitCode);
    if (!m_everRan) {
        // It never served: the same bundle would fail the same way. A change to the
        // project (or Reload) starts it again.
        fail(QStringLiteral("%1 before serving:\n%2").arg(why, m_recentOutput.join(QLatin1Char('\n'))));
        return;
    }
    m_info.restarts += 1;
    setState(WorkerState::Error,
        QStringLiteral("%1; restarting in %2 s").arg(why).arg(double(m_backoffMs) / 1000.0));
    log(m_info.error, true);
    m_restart.start(m_backoffMs);
    m_backoffMs = std::min(2 * m_backoffMs, kMaxBackoffMs);
}

void WorkerHost::killProcess()
{
    QProcess *process = m_workerd;
    m_workerd = nullptr;
    m_info.pid = 0;
    if (m_consumer) {
        attachConsumers(false);
        m_consumer->setBridge({});
    }
    if (!process)
        return;
    process->disconnect(this);
    // workerd keeps nothing of its own, and SIGTERM has it wait for idle keep-alive
    // connections to close: a kill is as safe and does not make a reload wait.
    process->kill();
    process->waitForFinished(kStopGraceMs);
    delete process;
}

void WorkerHost::attachConsumers(bool attach)
{
    for (const QString &queue : m_project.consumedQueues)
        m_broker->attachConsumer(queue, attach ? m_consumer : nullptr);
}

void WorkerHost::fail(const QString &message)
{
    setState(WorkerState::Error, message);
    log(message, true);
}

void WorkerHost::setState(WorkerState state, const QString &error)
{
    m_info.state = state;
    m_info.error = error;
    emit changed();
}

void WorkerHost::log(const QString &text, bool error)
{
    for (const QString &line : text.split(QLatin1Char('\n')))
        emit logLine(WorkerLogLine { QDateTime::currentMSecsSinceEpoch(), m_info.name, line, error });
}

void WorkerHost::watchFiles()
{
    const QStringList watched = m_watcher.files() + m_watcher.directories();
    if (!watched.isEmpty())
        m_watcher.removePaths(watched);
    static const QStringList sources { QStringLiteral("ts"), QStringLiteral("tsx"), QStringLiteral("mts"),
        QStringLiteral("cts"), QStringLiteral("js"), QStringLiteral("jsx"), QStringLiteral("mjs"),
        QStringLiteral("cjs"), QStringLiteral("json"), QStringLiteral("jsonc"), QStringLiteral("toml") };
    constexpr int kMaxPaths = 2000;
    // Folders read, sources or not: a project inside a big tree must not stall the runtime
    // thread while it is walked.
    constexpr int kMaxFolders = 500;
    QStringList paths;
    const QFileInfo given(m_info.path);
    // A project folder that was removed is not walked from its parent (which could be /tmp
    // or a home folder); it is watched again when it is loaded again.
    QStringList folders;
    if (given.isDir())
        folders.append(given.absoluteFilePath());
    else if (given.exists())
        folders.append(given.absolutePath());
    if (!m_project.mainPath.isEmpty() && QFileInfo::exists(m_project.mainPath))
        folders.append(QFileInfo(m_project.mainPath).absolutePath());
    QSet<QString> seen;
    while (!folders.isEmpty() && paths.size() < kMaxPaths && seen.size() < kMaxFolders) {
        const QString folder = QFileInfo(folders.takeFirst()).canonicalFilePath();
        if (folder.isEmpty() || seen.contains(folder))
            continue;
        seen.insert(folder);
        paths.append(folder);
        // Dependencies and tools' folders change without the project changing.
        for (const QFileInfo &entry :
            QDir(folder).entryInfoList(QDir::Dirs | QDir::Files | QDir::NoDotAndDotDot, QDir::Name)) {
            if (entry.fileName() == QLatin1String("node_modules"))
                continue;
            if (entry.isDir())
                folders.append(entry.filePath());
            else if (sources.contains(entry.suffix().toLower()))
                paths.append(entry.filePath());
        }
    }
    m_watcher.addPaths(paths.mid(0, kMaxPaths));
}

} // namespace qd
