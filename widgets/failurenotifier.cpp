#include "failurenotifier.h"

#include <QApplication>
#include <QLocale>
#include <QSettings>
#include <QStyle>
#include <QSystemTrayIcon>

namespace qd {

FailureNotifier::FailureNotifier(QObject *parent)
    : QObject(parent)
    , m_alerts(QSettings().value(QStringLiteral("failures/alertThreshold"), 100).toLongLong())
    , m_desktop(QSettings().value(QStringLiteral("failures/notify"), true).toBool())
{
}

void FailureNotifier::update(const QList<QueueSnapshot> &queues)
{
    for (const FailureAlerts::Alert &a : m_alerts.update(queues)) {
        const QString title = a.deadLetterQueue ? tr("Dead-letter queue %1 is filling up").arg(a.queue)
                                                : tr("Failures in %1").arg(a.queue);
        const QString text = a.deadLetterQueue
            ? tr("%1 messages wait in %2.").arg(QLocale().toString(a.count), a.queue)
            : tr("%1 messages of %2 have failed.").arg(QLocale().toString(a.count), a.queue);
        // The status bar always hears it; the desktop only when the person wants it to.
        if (m_desktop && QSystemTrayIcon::isSystemTrayAvailable()) {
            if (!m_tray) {
                m_tray = new QSystemTrayIcon(qApp->style()->standardIcon(QStyle::SP_MessageBoxWarning), this);
                m_tray->setToolTip(QStringLiteral("QueueDeck"));
                m_tray->show();
            }
            m_tray->showMessage(title, text, QSystemTrayIcon::Warning);
        }
        emit notice(title + QStringLiteral(": ") + text);
    }
}

} // namespace qd
