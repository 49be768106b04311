#pragma once

#include "failurealerts.h"

#include <QObject>

class QSystemTrayIcon;

namespace qd {

// Tells the desktop when a queue's failed count, or a dead-letter queue's backlog, passes
// a threshold (QSettings "failures/alertThreshold", 100 by default): a tray notification
// where there is a tray and "failures/notify" is on (Preferences), and always a notice for
// the status bar.
class FailureNotifier final : public QObject {
    Q_OBJECT
public:
    explicit FailureNotifier(QObject *parent = nullptr);

    void update(const QList<QueueSnapshot> &queues);
    FailureAlerts &alerts() { return m_alerts; }

signals:
    void notice(const QString &text);

private:
    FailureAlerts m_alerts;
    bool m_desktop;
    QSystemTrayIcon *m_tray = nullptr;
};

} // namespace qd
