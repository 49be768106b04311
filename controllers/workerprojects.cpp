#include "workerprojects.h"

#include "runtime.h"

#include <QDir>
#include <QFileInfo>
#include <QSettings>

namespace qd {

namespace {
const QString kKey = QStringLiteral("workers/projects");
} // namespace

WorkerProjects::WorkerProjects(Runtime *runtime, QObject *parent)
    : QObject(parent)
    , m_runtime(runtime)
{
}

QString WorkerProjects::normalized(const QString &path)
{
    // WorkerManager keys a project by this same form of the path it was given.
    return QDir::cleanPath(QFileInfo(path).absoluteFilePath());
}

QStringList WorkerProjects::remembered() const
{
    return QSettings().value(kKey).toStringList();
}

bool WorkerProjects::isRemembered(const QString &path) const
{
    return remembered().contains(normalized(path));
}

void WorkerProjects::save(const QStringList &paths)
{
    QSettings settings;
    if (paths.isEmpty())
        settings.remove(kKey);
    else
        settings.setValue(kKey, paths);
    emit rememberedChanged();
}

void WorkerProjects::open(const QString &path)
{
    const QString project = normalized(path);
    m_runtime->loadWorker(project);
    QStringList paths = remembered();
    if (paths.contains(project))
        return;
    paths.append(project);
    save(paths);
}

void WorkerProjects::forget(const QString &path)
{
    QStringList paths = remembered();
    if (paths.removeAll(normalized(path)) > 0)
        save(paths);
}

void WorkerProjects::loadRemembered()
{
    QStringList given;
    for (const QString &path : m_runtime->options().workers)
        given.append(normalized(path));
    for (const QString &path : remembered()) {
        if (!given.contains(path))
            m_runtime->loadWorker(path);
    }
}

} // namespace qd
