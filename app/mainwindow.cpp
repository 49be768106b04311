#include "mainwindow.h"

#include "queuespage.h"
#include "queuetablemodel.h"
#include "runtime.h"

#include <QApplication>
#include <QCloseEvent>
#include <QLabel>
#include <QLocale>
#include <QMenuBar>
#include <QSettings>
#include <QStatusBar>

namespace qd {

MainWindow::MainWindow(Runtime *runtime, QWidget *parent)
    : QMainWindow(parent)
    , m_runtime(runtime)
    , m_queues(new QueueTableModel(this))
    , m_queuesPage(new QueuesPage(m_queues, this))
    , m_endpoint(new QLabel(this))
    , m_backlog(new QLabel(this))
{
    setWindowTitle(tr("QueueDeck"));
    setCentralWidget(m_queuesPage);

    QMenu *file = menuBar()->addMenu(tr("&File"));
    file->addAction(tr("&Quit"), QKeySequence::Quit, this, &QWidget::close);

    m_endpoint->setText(tr("Producer: %1").arg(runtime->endpoint()));
    m_endpoint->setTextInteractionFlags(Qt::TextSelectableByMouse);
    statusBar()->addWidget(m_endpoint);
    statusBar()->addPermanentWidget(m_backlog);

    connect(runtime, &Runtime::snapshot, this, [this](const QList<QueueSnapshot> &queues) {
        m_queues->setSnapshot(queues);
        qint64 backlog = 0;
        for (const QueueSnapshot &q : queues)
            backlog += q.counts.ready + q.counts.delayed;
        m_backlog->setText(tr("Backlog: %1").arg(QLocale().toString(backlog)));
    });

    QSettings settings;
    if (!restoreGeometry(settings.value(QStringLiteral("window/geometry")).toByteArray()))
        resize(1100, 700);
}

void MainWindow::closeEvent(QCloseEvent *event)
{
    QSettings settings;
    settings.setValue(QStringLiteral("window/geometry"), saveGeometry());
    event->accept();
}

} // namespace qd
