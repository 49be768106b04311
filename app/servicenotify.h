#pragma once

#include <QByteArray>
#include <QObject>
#include <QTimer>

namespace qd {

// Sends one state ("READY=1", "WATCHDOG=1", …) to the service manager over the datagram
// socket named by $NOTIFY_SOCKET (systemd's sd_notify protocol, without linking libsystemd).
// Returns false when there is no such socket or the send failed. Safe from any thread.
bool serviceNotify(const QByteArray &state);

// Half of $WATCHDOG_USEC in milliseconds when the watchdog is on for this process, else 0.
int serviceWatchdogIntervalMs();

// The headless runtime's side of a Type=notify unit: READY=1 when made (the store is open
// and the port listens by then), WATCHDOG=1 while both the main thread and the runtime's
// thread answer, STOPPING=1 when the event loop is told to quit. Does nothing outside systemd.
class ServiceNotifier final : public QObject {
    Q_OBJECT
public:
    // runtimeContext: an object living on the runtime's thread; each watchdog ping travels
    // through it, so a runtime thread that hangs stops the pings and systemd restarts us.
    explicit ServiceNotifier(QObject *runtimeContext, const QString &endpoint, QObject *parent = nullptr);

private:
    void pingWatchdog();

    QObject *m_runtimeContext;
    QTimer m_watchdog;
};

} // namespace qd
