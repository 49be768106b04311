#include "mainwindow.h"

#include "chartdatamodel.h"
#include "dashboardpage.h"
#include "dropzone.h"
#include "emptystate.h"
#include "failedpage.h"
#include "loadgeneratorpanel.h"
#include "messagespage.h"
#include "messagetableview.h"
#include "metricsformat.h"
#include "metricshistory.h"
#include "preferencesdialog.h"
#include "queuecommands.h"
#include "queuespage.h"
#include "queuetablemodel.h"
#include "resultspage.h"
#include "runtime.h"
#include "shortcutsdialog.h"
#include "submitpage.h"
#include "theme.h"
#include "workerprojects.h"
#include "workerspage.h"

#include <QAction>
#include <QActionGroup>
#include <QApplication>
#include <QClipboard>
#include <QCloseEvent>
#include <QComboBox>
#include <QLabel>
#include <QListView>
#include <QListWidget>
#include <QMenuBar>
#include <QMessageBox>
#include <QPushButton>
#include <QScreen>
#include <QSettings>
#include <QSpinBox>
#include <QSplitter>
#include <QStackedWidget>
#include <QStatusBar>
#include <QStyle>
#include <QTableView>
#include <QTimer>
#include <QToolBar>
#include <QToolButton>

namespace qd {

MainWindow::MainWindow(Runtime *runtime, QWidget *parent)
    : QMainWindow(parent)
    , m_runtime(runtime)
    , m_history(new MetricsHistory(this))
    , m_queues(new QueueTableModel(this))
    , m_commands(new QueueCommands(runtime, this))
    , m_dashboard(new DashboardPage(m_history, this))
    , m_queuesPage(new QueuesPage(m_queues, m_commands, this))
    , m_submitPage(new SubmitPage(runtime, this))
    , m_resultsPage(new ResultsPage(runtime, this))
    , m_workerProjects(new WorkerProjects(runtime, this))
    , m_workersPage(new WorkersPage(runtime, m_workerProjects, this))
    , m_nav(new QListWidget(this))
    , m_stack(new QStackedWidget(this))
    , m_splitter(new QSplitter(Qt::Horizontal, this))
    , m_pageActions(new QActionGroup(this))
    , m_endpoint(new QToolButton(this))
    , m_rate(new QLabel(this))
    , m_backlog(new QLabel(this))
{
    setWindowTitle(tr("QueueDeck"));
    QStyle *s = style();
    auto *messagesPage = new MessagesPage(runtime, this);
    m_messagesPage = messagesPage;
    auto *failedPage = new FailedPage(runtime, this);
    connect(messagesPage, &MessagesPage::notice, this,
        [this](const QString &text) { statusBar()->showMessage(text, 5000); });
    connect(failedPage, &FailedPage::notice, this,
        [this](const QString &text) { statusBar()->showMessage(text, 5000); });
    const struct {
        QString title;
        QIcon icon;
        QWidget *page;
    } pages[PageCount] = {
        { tr("Dashboard"), s->standardIcon(QStyle::SP_ComputerIcon), m_dashboard },
        { tr("Submit"), s->standardIcon(QStyle::SP_ArrowUp), m_submitPage },
        { tr("Messages"), s->standardIcon(QStyle::SP_FileDialogDetailedView), messagesPage },
        { tr("Failed"), s->standardIcon(QStyle::SP_MessageBoxWarning), failedPage },
        { tr("Results"), s->standardIcon(QStyle::SP_DialogApplyButton), m_resultsPage },
        { tr("Queues"), s->standardIcon(QStyle::SP_DirIcon), m_queuesPage },
        { tr("Workers"), s->standardIcon(QStyle::SP_DriveNetIcon), m_workersPage },
    };
    m_nav->setObjectName(QStringLiteral("pageList"));
    m_nav->setIconSize(QSize(20, 20));
    m_nav->setUniformItemSizes(true);
    for (int i = 0; i < PageCount; ++i) {
        new QListWidgetItem(pages[i].icon, pages[i].title, m_nav);
        m_stack->addWidget(pages[i].page);
        auto *go = new QAction(pages[i].icon, pages[i].title, m_pageActions);
        go->setCheckable(true);
        go->setShortcut(QKeySequence(Qt::CTRL | Qt::Key(Qt::Key_1 + i)));
        connect(go, &QAction::triggered, this, [this, i] { showPage(Page(i)); });
    }
    m_splitter->addWidget(m_nav);
    m_splitter->addWidget(m_stack);
    m_splitter->setStretchFactor(0, 0);
    m_splitter->setStretchFactor(1, 1);
    const int navWidth
        = m_nav->sizeHintForColumn(0) + 2 * m_nav->frameWidth() + fontMetrics().averageCharWidth() * 4;
    m_splitter->setSizes({ navWidth, 10 * navWidth });
    m_splitter->setChildrenCollapsible(false);
    setCentralWidget(m_splitter);
    connect(m_nav, &QListWidget::currentRowChanged, this, [this](int row) {
        if (row < 0)
            return;
        m_stack->setCurrentIndex(row);
        m_pageActions->actions().at(row)->setChecked(true);
    });

    m_endpoint->setObjectName(QStringLiteral("endpoint"));
    m_endpoint->setAutoRaise(true);
    m_endpoint->setText(tr("Producer: %1").arg(runtime->endpoint()));
    m_endpoint->setToolTip(tr("Click to copy the producer endpoint"));
    connect(m_endpoint, &QToolButton::clicked, this, [this] {
        QGuiApplication::clipboard()->setText(m_runtime->endpoint());
        statusBar()->showMessage(tr("Copied %1").arg(m_runtime->endpoint()), 3000);
    });
    // Stays in view (a permanent widget is never hidden by passing messages) for as long as
    // the window is open: the user chose --insecure-no-token, and should not forget it.
    if (const QString warning = insecureListenWarning(runtime->options()); !warning.isEmpty()) {
        auto *insecure = new QLabel(tr("⚠ Open to the network: %1").arg(warning));
        insecure->setObjectName(QStringLiteral("insecureWarning"));
        insecure->setStyleSheet(
            QStringLiteral("QLabel { color: white; background: #b00020; padding: 2px 6px; }"));
        statusBar()->addPermanentWidget(insecure);
    }
    statusBar()->addPermanentWidget(m_endpoint);
    statusBar()->addPermanentWidget(m_rate);
    statusBar()->addPermanentWidget(m_backlog);
    m_rate->setObjectName(QStringLiteral("rate"));
    m_backlog->setObjectName(QStringLiteral("backlog"));

    buildMenus();

    m_history->attach(runtime);
    m_dashboard->attach(runtime);
    connect(runtime, &Runtime::snapshot, m_queues, &QueueTableModel::setSnapshot);
    connect(m_queues, &QueueTableModel::queuesChanged, this,
        [this] { m_dashboard->setQueues(m_queues->names()); });
    connect(m_history, &MetricsHistory::framesAdded, this, &MainWindow::updatePulse);
    connect(runtime, &Runtime::configImported, m_queuesPage, &QueuesPage::showImportReport);
    connect(m_queuesPage, &QueuesPage::message, this,
        [this](const QString &text) { statusBar()->showMessage(text, 5000); });
    connect(m_workersPage, &WorkersPage::notice, this,
        [this](const QString &text) { statusBar()->showMessage(text, 5000); });
    connect(m_workersPage->openAction(), &QAction::triggered, this, [this] { showPage(Workers); });
    connect(m_dashboard, &DashboardPage::exported, this, [this](const QString &path, bool ok) {
        statusBar()->showMessage(ok ? tr("Saved %1").arg(path) : tr("Could not save %1").arg(path), 5000);
    });
    // Files dropped anywhere on the window are uploaded as if dropped on the Submit page.
    connect(new FileDropFilter(this, this), &FileDropFilter::dropped, this, [this](const QMimeData *mime) {
        if (m_submitPage->addFromMime(mime))
            showPage(Submit);
    });
    connect(m_submitPage, &SubmitPage::openMessageRequested, this, &MainWindow::openMessage);
    connect(m_resultsPage, &ResultsPage::openMessageRequested, this, &MainWindow::openMessage);
    connect(m_dashboard, &DashboardPage::submitRequested, this, [this] { showPage(Submit); });
    connect(m_dashboard, &DashboardPage::loadGeneratorRequested, this, &MainWindow::openLoadGenerator);
    installEmptyStates(messagesPage, failedPage);
    updatePulse();
    restoreSettings();
    m_workerProjects->loadRemembered();

    const WranglerImportReport startup = runtime->startupImport();
    if (!startup.file.isEmpty() && !startup.warnings.isEmpty())
        QTimer::singleShot(0, m_queuesPage, [this, startup] { m_queuesPage->showImportReport(startup); });
}

QWidget *MainWindow::placeholder(const QString &title, const QString &text)
{
    auto *label = new QLabel(
        QStringLiteral("<h2>%1</h2><p>%2</p>").arg(title.toHtmlEscaped(), text.toHtmlEscaped()), this);
    label->setAlignment(Qt::AlignCenter);
    label->setWordWrap(true);
    return label;
}

void MainWindow::openLoadGenerator()
{
    showPage(Submit);
    // Its first field, so typing a count is the next thing to do.
    if (auto *count = m_submitPage->loadGenerator()->findChild<QSpinBox *>())
        count->setFocus(Qt::OtherFocusReason);
}

void MainWindow::installEmptyStates(MessagesPage *messages, FailedPage *failed)
{
    // Every list that can be empty says what would be in it and how to get it there.
    const QIcon sendIcon
        = QIcon::fromTheme(QStringLiteral("document-send"), style()->standardIcon(QStyle::SP_ArrowUp));
    const QIcon loadIcon
        = QIcon::fromTheme(QStringLiteral("system-run"), style()->standardIcon(QStyle::SP_MediaPlay));
    auto *noMessages = new EmptyState(tr("No messages to show"),
        tr("Messages appear here as soon as anything is sent to the producer or images are dropped "
           "on the window. With a filter set, only the messages that match it show."),
        this);
    noMessages->setObjectName(QStringLiteral("messagesEmpty"));
    connect(noMessages->addButton(tr("Send or Drop Images…"), sendIcon), &QPushButton::clicked, this,
        [this] { showPage(Submit); });
    noMessages->watch(messages->table());

    auto *noFailures = new EmptyState(tr("Nothing has failed"),
        tr("Messages that use up every attempt collect here, grouped by error, to be looked at and "
           "retried. The load generator can send a share of bad URLs to try it."),
        this);
    noFailures->setObjectName(QStringLiteral("failedEmpty"));
    connect(noFailures->addButton(tr("Open the Load Generator"), loadIcon), &QPushButton::clicked, this,
        &MainWindow::openLoadGenerator);
    noFailures->watch(failed->table());

    for (QAbstractItemView *view : { static_cast<QAbstractItemView *>(m_resultsPage->gallery()),
             static_cast<QAbstractItemView *>(m_resultsPage->table()) }) {
        auto *noResults = new EmptyState(tr("No results yet"),
            tr("Each image the consumer processes shows here with its thumbnail, format, size and "
               "checksum. Drop images on the window, send a job, or start the load generator."),
            this);
        noResults->setObjectName(QStringLiteral("resultsEmpty"));
        connect(noResults->addButton(tr("Send or Drop Images…"), sendIcon), &QPushButton::clicked, this,
            [this] { showPage(Submit); });
        connect(noResults->addButton(tr("Open the Load Generator"), loadIcon), &QPushButton::clicked, this,
            &MainWindow::openLoadGenerator);
        noResults->watch(view);
    }
}

void MainWindow::openMessage(const QString &messageId)
{
    showPage(Messages);
    m_messagesPage->openMessage(messageId);
}

void MainWindow::buildMenus()
{
    QMenu *file = menuBar()->addMenu(tr("&File"));
    file->addAction(m_queuesPage->importAction());
    file->addAction(m_workersPage->openAction());
    QAction *png
        = file->addAction(tr("Export Charts as &PNG…"), m_dashboard, &DashboardPage::exportPngDialog);
    QAction *csv
        = file->addAction(tr("Export Chart Data as &CSV…"), m_dashboard, &DashboardPage::exportCsvDialog);
    png->setIcon(QIcon::fromTheme(
        QStringLiteral("image-x-generic"), style()->standardIcon(QStyle::SP_DialogSaveButton)));
    csv->setIcon(QIcon::fromTheme(QStringLiteral("text-csv"), style()->standardIcon(QStyle::SP_FileIcon)));
    file->addSeparator();
    m_preferences = file->addAction(tr("P&references…"), this, &MainWindow::openPreferences);
    m_preferences->setObjectName(QStringLiteral("preferencesAction"));
    m_preferences->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_Comma));
    m_preferences->setMenuRole(QAction::PreferencesRole);
    file->addSeparator();
    file->addAction(tr("&Quit"), QKeySequence::Quit, this, &QWidget::close);

    QMenu *view = menuBar()->addMenu(tr("&View"));
    view->addActions(m_pageActions->actions());
    view->addSeparator();
    m_pauseCharts = view->addAction(tr("&Pause Charts"));
    m_pauseCharts->setCheckable(true);
    m_pauseCharts->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_Space));
    m_pauseCharts->setIcon(QIcon::fromTheme(
        QStringLiteral("media-playback-pause"), style()->standardIcon(QStyle::SP_MediaPause)));
    connect(m_pauseCharts, &QAction::toggled, m_dashboard, &DashboardPage::setPaused);
    connect(m_dashboard, &DashboardPage::pausedChanged, m_pauseCharts, &QAction::setChecked);
    QMenu *range = view->addMenu(tr("Chart &Range"));
    m_rangeActions = new QActionGroup(this);
    QComboBox *rangeBox = m_dashboard->rangeBox();
    for (int i = 0; i < rangeBox->count(); ++i) {
        QAction *a = range->addAction(rangeBox->itemText(i));
        a->setCheckable(true);
        a->setChecked(i == rangeBox->currentIndex());
        m_rangeActions->addAction(a);
        connect(a, &QAction::triggered, rangeBox, [rangeBox, i] { rangeBox->setCurrentIndex(i); });
    }
    connect(rangeBox, &QComboBox::currentIndexChanged, this,
        [this](int i) { m_rangeActions->actions().value(i)->setChecked(true); });

    QMenu *queue = menuBar()->addMenu(tr("&Queue"));
    queue->addAction(m_queuesPage->newQueueAction());
    queue->addAction(m_queuesPage->pauseAction());
    queue->addAction(m_queuesPage->purgeAction());
    queue->addAction(m_queuesPage->deleteAction());

    QMenu *help = menuBar()->addMenu(tr("&Help"));
    m_shortcuts = help->addAction(tr("&Keyboard Shortcuts"), this, &MainWindow::showShortcuts);
    m_shortcuts->setObjectName(QStringLiteral("shortcutsAction"));
    m_shortcuts->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_Slash));
    help->addAction(tr("&About QueueDeck"), this, [this] {
        QMessageBox::about(this, tr("About QueueDeck"),
            tr("<b>QueueDeck %1</b><p>A durable image-processing queue you can watch.</p>")
                .arg(QCoreApplication::applicationVersion()));
    });
    help->addAction(tr("About &Qt"), qApp, &QApplication::aboutQt);

    QToolBar *bar = addToolBar(tr("Main"));
    bar->setObjectName(QStringLiteral("mainToolBar"));
    bar->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
    // What applies whatever page shows; each page's own actions (pause, export, retry, …)
    // are on that page.
    bar->addAction(m_queuesPage->newQueueAction());
    bar->addAction(m_queuesPage->importAction());
}

void MainWindow::openPreferences()
{
    Preferences current = Preferences::load();
    current.chartRange = m_dashboard->rangeBox()->currentIndex();
    QStringList ranges;
    for (int i = 0; i < m_dashboard->rangeBox()->count(); ++i)
        ranges.append(m_dashboard->rangeBox()->itemText(i));
    auto *dialog = new PreferencesDialog(current, ranges, this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    connect(dialog, &QDialog::accepted, this, [this, dialog, current] {
        const Preferences chosen = dialog->preferences();
        chosen.save();
        if (chosen.theme != current.theme)
            applyTheme(chosen.theme);
        m_dashboard->rangeBox()->setCurrentIndex(chosen.chartRange);
        if (chosen.dataDir != current.dataDir || chosen.port != current.port || chosen.token != current.token
            || chosen.notify != current.notify || chosen.alertThreshold != current.alertThreshold)
            statusBar()->showMessage(
                tr("Saved. The data folder, port, token and notifications change the next "
                   "time QueueDeck starts."),
                8000);
    });
    dialog->open();
}

void MainWindow::showShortcuts()
{
    auto *sheet = new ShortcutsDialog(this, this);
    sheet->setAttribute(Qt::WA_DeleteOnClose);
    sheet->open();
}

QAction *MainWindow::pageAction(Page page) const
{
    return m_pageActions->actions().value(page);
}

void MainWindow::showPage(Page page)
{
    m_nav->setCurrentRow(page);
}

MainWindow::Page MainWindow::currentPage() const
{
    return Page(m_stack->currentIndex());
}

void MainWindow::updatePulse()
{
    const auto all = m_history->latest(QString());
    if (!all) {
        m_rate->setText(tr("– msg/s"));
        m_backlog->setText(tr("Backlog: –"));
        return;
    }
    m_rate->setText(
        tr("%1 msg/s in · %2 acked/s")
            .arg(formatRate(all->perSecond(all->written)), formatRate(all->perSecond(all->acked))));
    m_backlog->setText(tr("Backlog: %1").arg(formatCount(all->backlog())));
}

void MainWindow::restoreSettings()
{
    QSettings settings;
    if (!restoreGeometry(settings.value(QStringLiteral("window/geometry")).toByteArray())) {
        // A first start: nine tenths of the screen each way, centred, whatever its size: the
        // charts and tables are what the window is for, and a laptop's 1366×768 has no room
        // to spare.
        if (const QScreen *where = screen()) {
            const QRect available = where->availableGeometry();
            const QSize size
                = (available.size() * 0.9).expandedTo(minimumSizeHint()).boundedTo(available.size());
            setGeometry(QRect(available.center() - QPoint(size.width() / 2, size.height() / 2), size));
        } else {
            resize(1280, 820);
        }
    }
    restoreState(settings.value(QStringLiteral("window/state")).toByteArray());
    m_splitter->restoreState(settings.value(QStringLiteral("window/splitter")).toByteArray());
    showPage(Page(
        std::clamp(settings.value(QStringLiteral("window/page"), int(Dashboard)).toInt(), 0, PageCount - 1)));
    m_dashboard->restoreState(settings);
    m_queuesPage->restoreState(settings);
}

void MainWindow::saveSettings() const
{
    QSettings settings;
    settings.setValue(QStringLiteral("window/geometry"), saveGeometry());
    settings.setValue(QStringLiteral("window/state"), saveState());
    settings.setValue(QStringLiteral("window/splitter"), m_splitter->saveState());
    settings.setValue(QStringLiteral("window/page"), int(currentPage()));
    m_dashboard->saveState(settings);
    m_queuesPage->saveState(settings);
}

void MainWindow::closeEvent(QCloseEvent *event)
{
    saveSettings();
    event->accept();
}

} // namespace qd
