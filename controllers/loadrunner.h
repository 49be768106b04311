#pragma once

#include "loadgenerator.h"

#include <QObject>
#include <QPointer>

namespace qd {

class Runtime;

// The window's handle on a LoadGenerator, which runs on the runtime thread: starts and
// stops it with queued calls and hands its progress back as signals on the GUI thread.
class LoadRunner final : public QObject {
    Q_OBJECT
public:
    explicit LoadRunner(Runtime *runtime, QObject *parent = nullptr);
    ~LoadRunner() override;

    // With `useSamples`, the images shipped in the application (stored in the blob store
    // first) take the place of plan.urls.
    void start(LoadPlan plan, bool useSamples);
    void stop();
    bool isRunning() const { return m_running; }

    // The sample images compiled into the application.
    static QStringList sampleResources();

signals:
    void progress(qint64 sent, qint64 total);
    void finished(qint64 sent, qint64 total, bool stopped, const QString &error);

private:
    QPointer<Runtime> m_runtime;
    // Lives on the runtime thread, a child of the broker: read only there, where it dies.
    QPointer<LoadGenerator> m_generator;
    bool m_haveGenerator = false;
    bool m_running = false;
};

} // namespace qd
