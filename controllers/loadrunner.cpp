#include "loadrunner.h"

#include "runtime.h"

#include <QDir>
#include <QFile>

namespace qd {

LoadRunner::LoadRunner(Runtime *runtime, QObject *parent)
    : QObject(parent)
    , m_runtime(runtime)
{
    Broker *broker = runtime->broker();
    if (!broker)
        return;
    auto *generator = new LoadGenerator(broker);
    generator->moveToThread(broker->thread());
    // Owned by the broker, so it goes when the runtime stops, never outliving what it sends to.
    QMetaObject::invokeMethod(
        broker, [generator, broker] { generator->setParent(broker); }, Qt::QueuedConnection);
    m_generator = generator;
    connect(generator, &LoadGenerator::progress, this, &LoadRunner::progress);
    connect(generator, &LoadGenerator::finished, this,
        [this](qint64 sent, qint64 total, bool stopped, const QString &error) {
            m_running = false;
            emit finished(sent, total, stopped, error);
        });
}

LoadRunner::~LoadRunner()
{
    if (LoadGenerator *generator = m_generator)
        generator->deleteLater();
}

QStringList LoadRunner::sampleResources()
{
    QStringList out;
    const QDir dir(QStringLiteral(":/samples"));
    const QStringList names = dir.entryList(QDir::Files, QDir::Name);
    for (const QString &name : names)
        out.append(dir.filePath(name));
    return out;
}

void LoadRunner::start(LoadPlan plan, bool useSamples)
{
    LoadGenerator *generator = m_generator;
    if (!generator) {
        emit finished(0, plan.count, false, tr("the runtime is not running"));
        return;
    }
    m_running = true;
    plan.blobBase = m_runtime->blobBaseUrl();
    const QStringList samples = useSamples ? sampleResources() : QStringList();
    Runtime *runtime = m_runtime;
    QMetaObject::invokeMethod(
        generator,
        [generator, runtime, plan, samples, useSamples]() mutable {
            if (useSamples) {
                // Compiled-in resources are memory, not disk; the blob store writes each
                // sample once (same bytes, same name).
                plan.urls.clear();
                for (const QString &resource : samples) {
                    QFile file(resource);
                    if (!file.open(QIODevice::ReadOnly))
                        continue;
                    QString sha;
                    if (!runtime->blobs()->put(file.readAll(), &sha))
                        plan.urls.append(plan.blobBase + sha);
                }
            }
            generator->start(plan);
        },
        Qt::QueuedConnection);
}

void LoadRunner::stop()
{
    if (LoadGenerator *generator = m_generator)
        QMetaObject::invokeMethod(generator, &LoadGenerator::stop, Qt::QueuedConnection);
}

} // namespace qd
