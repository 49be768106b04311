#include "queuecommands.h"

#include "runtime.h"

namespace qd {

QueueCommands::QueueCommands(Runtime *runtime, QObject *parent)
    : QObject(parent)
    , m_runtime(runtime)
{
}

void QueueCommands::run(const QString &action, const QString &queue, std::function<Error(Broker &)> work)
{
    const bool asked = m_runtime->ask(
        this, [work = std::move(work)](Broker &broker) { return work(broker).message; },
        [this, action, queue](const QString &error) { emit finished(action, queue, error); });
    if (!asked)
        emit finished(action, queue, tr("the runtime is not running"));
}

void QueueCommands::createQueue(const QString &name, const QueueSettings &settings)
{
    run(QStringLiteral("create"), name, [=](Broker &b) { return b.createQueue(name, settings); });
}

void QueueCommands::deleteQueue(const QString &name)
{
    run(QStringLiteral("delete"), name, [=](Broker &b) { return b.deleteQueue(name); });
}

void QueueCommands::setPaused(const QString &name, bool paused)
{
    run(paused ? QStringLiteral("pause") : QStringLiteral("resume"), name,
        [=](Broker &b) { return b.setPaused(name, paused); });
}

void QueueCommands::purge(const QString &name)
{
    run(QStringLiteral("purge"), name, [=](Broker &b) { return b.purge(name); });
}

void QueueCommands::updateSettings(const QString &name, const QueueSettings &settings)
{
    run(QStringLiteral("settings"), name, [=](Broker &b) { return b.updateQueue(name, settings); });
}

void QueueCommands::importConfig(const QString &path)
{
    m_runtime->importConfig(path);
}

} // namespace qd
