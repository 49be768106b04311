#include "servicenotify.h"

#include <QCoreApplication>

#include <algorithm>
#include <cstddef>
#include <cstring>
#include <limits>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

namespace qd {

bool serviceNotify(const QByteArray &state)
{
    const QByteArray path = qgetenv("NOTIFY_SOCKET");
    sockaddr_un address = {};
    // Only filesystem and abstract unix sockets; systemd passes nothing else to services.
    if (path.size() < 2 || (path.at(0) != '/' && path.at(0) != '@')
        || size_t(path.size()) >= sizeof(address.sun_path))
        return false;
    address.sun_family = AF_UNIX;
    std::memcpy(address.sun_path, path.constData(), size_t(path.size()));
    if (path.at(0) == '@')
        address.sun_path[0] = '\0'; // the abstract namespace: the name is the bytes after the NUL
    const auto length = socklen_t(offsetof(sockaddr_un, sun_path) + size_t(path.size()));
    const int fd = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return false;
    const ssize_t sent = ::sendto(fd, state.constData(), size_t(state.size()), MSG_NOSIGNAL,
        reinterpret_cast<const sockaddr *>(&address), length);
    ::close(fd);
    return sent == state.size();
}

int serviceWatchdogIntervalMs()
{
    bool ok = false;
    const qint64 usec = qEnvironmentVariable("WATCHDOG_USEC").toLongLong(&ok);
    if (!ok || usec <= 0)
        return 0;
    // A watchdog meant for another process (the variable was inherited) is not ours to feed.
    if (qEnvironmentVariableIsSet("WATCHDOG_PID")
        && qEnvironmentVariable("WATCHDOG_PID").toLongLong() != qint64(::getpid()))
        return 0;
    return int(std::clamp<qint64>(usec / 2000, 1, std::numeric_limits<int>::max()));
}

ServiceNotifier::ServiceNotifier(QObject *runtimeContext, const QString &endpoint, QObject *parent)
    : QObject(parent)
    , m_runtimeContext(runtimeContext)
{
    serviceNotify("READY=1\nSTATUS=Listening on " + endpoint.toUtf8());
    connect(QCoreApplication::instance(), &QCoreApplication::aboutToQuit, this, [this] {
        m_watchdog.stop();
        serviceNotify("STOPPING=1");
    });
    if (const int interval = serviceWatchdogIntervalMs(); interval > 0) {
        connect(&m_watchdog, &QTimer::timeout, this, &ServiceNotifier::pingWatchdog);
        m_watchdog.start(interval);
    }
}

void ServiceNotifier::pingWatchdog()
{
    // Sent from the runtime's thread: the ping proves that thread still runs its events.
    QMetaObject::invokeMethod(
        m_runtimeContext, [] { serviceNotify("WATCHDOG=1"); }, Qt::QueuedConnection);
}

} // namespace qd
