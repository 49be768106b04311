#include "loadrunner.h"

#include "runtime.h"

#include <QDir>
#include <QFile>

namespace qd {

LoadRunner::LoadRunner(Runtime *runtime, QObject *parent)
    : QObject(parent)
    , m_runtime(runtime)
{
    if (!runtime->isRunning())
        return;
    auto *generator = new LoadGenerator(runtime->broker());
    generator->moveToThread(runtime->broker()->thread());
    // Owned by the broker, so it goes when the runtime stops, never outliving what it sends to.
    runtime->tell([generator](Broker &broker) { generator->setParent(&broker); });
    m_generator = generator;
    m_haveGenerator = true;
    connect(generator, &LoadGenerator::progress, this, &LoadRunner::progress);
    connect(generator, &LoadGenerator::finished, this,
        [this](qint64 sent, qint64 total, bool stopped, const QString &error) {
            m_running = false;
            emit finished(sent, total, stopped, error);
        });
}

LoadRunner::~LoadRunner()
{
    if (m_haveGenerator && m_runtime)
        m_runtime->tell([generator = m_generator](Broker &) {
            if (generator)
                generator->deleteLater();
        });
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
    plan.blobBase = m_runtime->blobBaseUrl();
    const QStringList samples = useSamples ? sampleResources() : QStringList();
    Runtime *runtime = m_runtime;
    const bool told = m_haveGenerator
        && runtime->tell([generator = m_generator, runtime, plan, samples, useSamples](Broker &) mutable {
               if (!generator)
                   return;
               if (useSamples) {
                   // Compiled-in resources are memory, not disk; the blob store writes each
                   // sample once (same bytes, same name).
                   plan.urls.clear();
                   for (const QString &resource : samples) {
                       QFile file(resource);
                       if (!file.open(QIODevice::ReadOnly))
                           continue;
                       QString sha;
                       if (runtime->blobs()->put(file.readAll(), &sha).ok())
                           plan.urls.append(plan.blobBase + sha);
                   }
               }
               generator->start(plan);
           });
    if (!told) {
        emit finished(0, plan.count, false, tr("the runtime is not running"));
        return;
    }
    m_running = true;
}

void LoadRunner::stop()
{
    if (m_haveGenerator && m_runtime)
        m_runtime->tell([generator = m_generator](Broker &) {
            if (generator)
                generator->stop();
        });
}

} // namespace qd
