#pragma once

#include "workerproject.h"

#include <QElapsedTimer>
#include <QFileSystemWatcher>
#include <QObject>
#include <QPointer>
#include <QProcess>
#include <QTimer>

#include <memory>

namespace qd {

class Broker;
class WorkerConsumer;

enum class WorkerState { Starting, Running, Error, Stopped };
QString workerStateName(WorkerState state);

// One line a Worker printed (or that QueueDeck says about it), for the Worker log.
struct WorkerLogLine {
    qint64 timeMs = 0;
    QString worker;
    QString text;
    bool error = false; // QueueDeck's own line about a failure, or one on workerd's stderr
    qint64 seq = 0; // numbered by the Runtime from 1, in the order printed; 0 = unnumbered
};

// A Worker as the window and GET /api/workers show it.
struct WorkerInfo {
    QString name;
    QString path; // as given (a folder or the config)
    QString configPath;
    QString url; // its fetch(), once it has a port
    WorkerState state = WorkerState::Stopped;
    QString error;
    QStringList produces;
    QStringList consumes;
    int restarts = 0;
    qint64 pid = 0; // of its workerd, while one runs
};

// The programs a Worker project runs with (docs/workers.md, "Installing").
struct WorkerTools {
    QString workerd;
    QString esbuild;
    // From QUEUEDECK_WORKERD / QUEUEDECK_ESBUILD, else worker-runtime/node_modules in the
    // source tree (where scripts/install-deps.sh puts them), else the PATH.
    static WorkerTools find();
};

// The channel the Worker's bindings reach QueueDeck on (WorkerManager's listener).
struct WorkerHostPort {
    quint16 port = 0;
    QString secret;
};

// Runs one Worker project: reads its wrangler file, creates and updates its queues, bundles
// it with esbuild, writes workerd's config and runs `workerd serve` as a child process, and
// delivers its queues' batches to it. Restarts workerd with back-off when it dies, and
// reloads when a file of the project changes. Lives on the runtime thread.
class WorkerHost final : public QObject {
    Q_OBJECT
public:
    WorkerHost(QString path, WorkerTools tools, Broker *broker, WorkerHostPort host, QString stateRoot,
        QObject *parent = nullptr);
    ~WorkerHost() override;

    void start();
    // Reads, bundles and starts it again (a file changed, or the Reload button).
    void reload();
    // Stops workerd now; batches in flight fail and are delivered again.
    void stop();

    WorkerInfo info() const;
    QString name() const { return m_info.name; }
    QString path() const { return m_info.path; }
    WorkerConsumer *consumer() const { return m_consumer.get(); }

    // Back-off between restarts after a crash: 1 s, doubling, at most this.
    static constexpr int kMaxBackoffMs = 30'000;

signals:
    void changed();
    void logLine(const qd::WorkerLogLine &line);

private:
    void load();
    void bundle();
    void onBundled(int exitCode, QProcess::ExitStatus status);
    void launchWhenDrained(int generation);
    void launch();
    void onOutput(QProcess *process, bool standardError);
    void onExited(int exitCode, QProcess::ExitStatus status);
    void fail(const QString &message);
    void setState(WorkerState state, const QString &error = {});
    void attachConsumers(bool attach);
    void killProcess();
    void log(const QString &text, bool error = false);
    void watchFiles();
    QString stateDir() const;

    WorkerTools m_tools;
    Broker *m_broker;
    WorkerHostPort m_host;
    QString m_stateRoot;
    WorkerInfo m_info;
    WorkerProject m_project;
    std::shared_ptr<WorkerConsumer> m_consumer;
    QPointer<QProcess> m_bundler;
    QPointer<QProcess> m_workerd;
    QByteArray m_output; // an incomplete last line of workerd's stdout
    QByteArray m_errorOutput; // ... and of its stderr
    QStringList m_recentOutput; // for the error when workerd exits
    int m_listening = 0;
    bool m_everRan = false; // this generation reached Running
    int m_backoffMs = 1000;
    int m_generation = 0;
    QElapsedTimer m_drain;
    quint16 m_bridgePort = 0;
    QTimer m_restart;
    QTimer m_debounce;
    QFileSystemWatcher m_watcher;
};

} // namespace qd

Q_DECLARE_METATYPE(qd::WorkerLogLine)
Q_DECLARE_METATYPE(qd::WorkerInfo)
