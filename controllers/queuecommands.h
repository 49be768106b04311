#pragma once

#include "error.h"
#include "queuesettings.h"

#include <QObject>

#include <functional>

namespace qd {

class Broker;
class Runtime;

// The operator's queue actions, run by the broker on the runtime thread. Every call
// returns at once; the outcome arrives as finished() on the GUI thread, so nothing the
// window does waits on the store. The broker writes each action to the audit log.
class QueueCommands final : public QObject {
    Q_OBJECT
public:
    explicit QueueCommands(Runtime *runtime, QObject *parent = nullptr);

    void createQueue(const QString &name, const QueueSettings &settings = {});
    void deleteQueue(const QString &name);
    void setPaused(const QString &name, bool paused);
    void purge(const QString &name);
    void updateSettings(const QString &name, const QueueSettings &settings);
    void importConfig(const QString &path);

signals:
    // `error` is empty when the action succeeded.
    void finished(const QString &action, const QString &queue, const QString &error);

private:
    void run(const QString &action, const QString &queue, std::function<Error(Broker &)> work);

    Runtime *m_runtime;
};

} // namespace qd
