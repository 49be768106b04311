#include "workerspage.h"

#include "emptystate.h"
#include "runtime.h"
#include "statepalette.h"
#include "workerlistmodel.h"
#include "workerlogmodel.h"
#include "workerprojects.h"

#include <QAction>
#include <QApplication>
#include <QClipboard>
#include <QDesktopServices>
#include <QFileDialog>
#include <QFontDatabase>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QListView>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QScrollBar>
#include <QSortFilterProxyModel>
#include <QSplitter>
#include <QStyle>
#include <QTableView>
#include <QUrl>
#include <QVBoxLayout>

namespace qd {

WorkersPage::WorkersPage(Runtime *runtime, WorkerProjects *projects, QWidget *parent)
    : QWidget(parent)
    , m_runtime(runtime)
    , m_projects(projects)
    , m_list(new WorkerListModel(this))
    , m_log(new WorkerLogModel(this))
    , m_filter(new QSortFilterProxyModel(this))
    , m_openAction(new QAction(tr("Open &Worker Project…"), this))
    , m_table(new QTableView(this))
    , m_empty(new EmptyState(tr("No Worker projects loaded"),
          tr("QueueDeck runs Cloudflare Worker projects (a folder with wrangler.toml and its "
             "TypeScript) in workerd: their queues, their fetch() on a local URL and what they "
             "print. Start QueueDeck with the project's path, or open it with File → Open Worker "
             "Project…; projects opened in the window load again at the next start."),
          this))
    , m_details(new QWidget(this))
    , m_title(new QLabel(m_details))
    , m_reload(new QPushButton(tr("&Reload"), m_details))
    , m_copyUrl(new QPushButton(tr("Copy &URL"), m_details))
    , m_openUrl(new QPushButton(tr("Open in &Browser"), m_details))
    , m_forget(new QPushButton(tr("&Forget"), m_details))
    , m_errorTitle(new QLabel(tr("<b>Error</b>"), m_details))
    , m_error(new QPlainTextEdit(m_details))
    , m_filterEdit(new QLineEdit(m_details))
    , m_copyLog(new QPushButton(tr("&Copy"), m_details))
    , m_clearLog(new QPushButton(tr("C&lear"), m_details))
    , m_logView(new QListView(m_details))
{
    QStyle *s = style();
    m_openAction->setObjectName(QStringLiteral("openWorkerAction"));
    m_openAction->setIcon(
        QIcon::fromTheme(QStringLiteral("document-open"), s->standardIcon(QStyle::SP_DirOpenIcon)));
    m_openAction->setToolTip(tr("Run a Cloudflare Worker project (its wrangler file) in QueueDeck"));
    connect(m_openAction, &QAction::triggered, this, &WorkersPage::openProjectDialog);

    m_table->setObjectName(QStringLiteral("workerTable"));
    m_table->setModel(m_list);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setSelectionMode(QAbstractItemView::SingleSelection);
    m_table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_table->verticalHeader()->hide();
    m_table->horizontalHeader()->setStretchLastSection(true);
    m_table->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    m_table->setAlternatingRowColors(true);

    m_empty->setObjectName(QStringLiteral("workersEmpty"));
    m_empty->setCommand(QStringLiteral("queuedeck --worker PATH"));
    connect(m_empty->addButton(tr("Open Worker Project…"), m_openAction->icon()), &QPushButton::clicked, this,
        &WorkersPage::openProjectDialog);
    m_empty->watch(m_table);

    const QFont fixed = QFontDatabase::systemFont(QFontDatabase::FixedFont);
    m_title->setObjectName(QStringLiteral("workerTitle"));
    m_title->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_reload->setObjectName(QStringLiteral("reloadWorker"));
    m_reload->setIcon(s->standardIcon(QStyle::SP_BrowserReload));
    m_reload->setToolTip(tr("Read, bundle and start the project again"));
    m_copyUrl->setObjectName(QStringLiteral("copyWorkerUrl"));
    m_copyUrl->setToolTip(tr("Copy the URL its fetch() answers on"));
    m_openUrl->setObjectName(QStringLiteral("openWorkerUrl"));
    m_forget->setObjectName(QStringLiteral("forgetWorker"));
    m_forget->setToolTip(tr("Do not load this project at the next start (it runs on until QueueDeck quits)"));

    m_errorTitle->setObjectName(QStringLiteral("workerErrorTitle"));
    QPalette errorPalette = m_errorTitle->palette();
    errorPalette.setColor(QPalette::WindowText, stateColor(MessageStateKind::Failed, palette()));
    m_errorTitle->setPalette(errorPalette);
    m_error->setObjectName(QStringLiteral("workerError"));
    m_error->setReadOnly(true);
    m_error->setFont(fixed);
    // esbuild points at the column with a caret under the line: wrapping would move it.
    m_error->setLineWrapMode(QPlainTextEdit::NoWrap);
    m_error->setMaximumHeight(m_error->fontMetrics().lineSpacing() * 12);

    m_filterEdit->setObjectName(QStringLiteral("workerLogFilter"));
    m_filterEdit->setPlaceholderText(tr("Filter the log"));
    m_filterEdit->setClearButtonEnabled(true);
    m_copyLog->setObjectName(QStringLiteral("copyWorkerLog"));
    m_copyLog->setToolTip(tr("Copy the selected lines, or every line shown when none is selected"));
    m_clearLog->setObjectName(QStringLiteral("clearWorkerLog"));
    m_clearLog->setToolTip(tr("Forget the lines kept so far"));

    m_filter->setSourceModel(m_log);
    m_filter->setFilterCaseSensitivity(Qt::CaseInsensitive);
    m_filter->setFilterRole(WorkerLogModel::TextRole);
    m_logView->setObjectName(QStringLiteral("workerLog"));
    m_logView->setModel(m_filter);
    m_logView->setFont(fixed);
    m_logView->setUniformItemSizes(true);
    m_logView->setSelectionMode(QAbstractItemView::ExtendedSelection);
    m_logView->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_logView->setHorizontalScrollBarPolicy(Qt::ScrollBarAsNeeded);

    auto *buttons = new QHBoxLayout;
    buttons->addWidget(m_title, 1);
    buttons->addWidget(m_reload);
    buttons->addWidget(m_copyUrl);
    buttons->addWidget(m_openUrl);
    buttons->addWidget(m_forget);
    auto *logBar = new QHBoxLayout;
    auto *logTitle = new QLabel(tr("<b>Log</b>, newest last"), m_details);
    logBar->addWidget(logTitle);
    logBar->addWidget(m_filterEdit, 1);
    logBar->addWidget(m_copyLog);
    logBar->addWidget(m_clearLog);
    auto *details = new QVBoxLayout(m_details);
    details->setContentsMargins(0, 0, 0, 0);
    details->addLayout(buttons);
    details->addWidget(m_errorTitle);
    details->addWidget(m_error);
    details->addLayout(logBar);
    details->addWidget(m_logView, 1);

    auto *split = new QSplitter(Qt::Vertical, this);
    split->addWidget(m_table);
    split->addWidget(m_details);
    split->setStretchFactor(0, 1);
    split->setStretchFactor(1, 3);
    // Room for a handful of Workers; the log is what is read most.
    const int tableHeight = m_table->horizontalHeader()->sizeHint().height()
        + 5 * m_table->verticalHeader()->defaultSectionSize() + 2 * m_table->frameWidth();
    split->setSizes({ tableHeight, 4 * tableHeight });
    split->setChildrenCollapsible(false);
    auto *layout = new QVBoxLayout(this);
    layout->addWidget(split);

    // Follows the newest line only while the reader is at the bottom: scrolled up to read,
    // the view stays put.
    connect(m_filter, &QAbstractItemModel::rowsAboutToBeInserted, this, [this] {
        const QScrollBar *bar = m_logView->verticalScrollBar();
        m_followTail = bar->value() >= bar->maximum();
    });
    connect(m_filter, &QAbstractItemModel::rowsInserted, this, [this] {
        if (m_followTail)
            m_logView->scrollToBottom();
    });
    connect(m_filter, &QAbstractItemModel::modelReset, m_logView, &QListView::scrollToBottom);
    connect(m_filterEdit, &QLineEdit::textChanged, m_filter, &QSortFilterProxyModel::setFilterFixedString);
    connect(m_copyLog, &QPushButton::clicked, this, &WorkersPage::copyLog);
    connect(m_clearLog, &QPushButton::clicked, m_log, &WorkerLogModel::clear);
    connect(m_reload, &QPushButton::clicked, this, [this] {
        if (const auto w = m_list->worker(selectedRow()))
            m_runtime->reloadWorker(w->name);
    });
    connect(m_copyUrl, &QPushButton::clicked, this, [this] {
        if (const auto w = m_list->worker(selectedRow()); w && !w->url.isEmpty()) {
            QGuiApplication::clipboard()->setText(w->url);
            emit notice(tr("Copied %1").arg(w->url));
        }
    });
    connect(m_openUrl, &QPushButton::clicked, this, [this] {
        if (const auto w = m_list->worker(selectedRow()); w && !w->url.isEmpty())
            QDesktopServices::openUrl(QUrl(w->url));
    });
    connect(m_forget, &QPushButton::clicked, this, [this] {
        if (const auto w = m_list->worker(selectedRow())) {
            m_projects->forget(w->path);
            emit notice(tr("%1 will not be loaded at the next start").arg(w->name));
        }
    });
    connect(m_projects, &WorkerProjects::rememberedChanged, this, &WorkersPage::showSelected);

    connect(
        m_table->selectionModel(), &QItemSelectionModel::currentRowChanged, this, &WorkersPage::showSelected);
    connect(m_list, &QAbstractItemModel::dataChanged, this, &WorkersPage::showSelected);
    connect(m_list, &QAbstractItemModel::rowsRemoved, this, &WorkersPage::showSelected);
    connect(m_list, &QAbstractItemModel::rowsInserted, this, [this] {
        // The first Worker to arrive is the one to look at.
        if (!m_table->selectionModel()->currentIndex().isValid())
            m_table->selectRow(0);
        showSelected();
    });

    connect(runtime, &Runtime::workers, m_list, &WorkerListModel::setWorkers);
    connect(runtime, &Runtime::workerLog, m_log, &WorkerLogModel::append);
    // What Workers printed before this page existed (they start with the runtime).
    for (const WorkerLogLine &line : runtime->recentWorkerLog())
        m_log->append(line);
    m_list->setWorkers(runtime->workerList());
    showSelected();
}

int WorkersPage::selectedRow() const
{
    const QModelIndex current = m_table->selectionModel()->currentIndex();
    return current.isValid() ? current.row() : -1;
}

void WorkersPage::showSelected()
{
    const auto w = m_list->worker(selectedRow());
    m_details->setVisible(m_list->rowCount() > 0);
    m_log->setWorker(w ? w->name : QString());
    const bool failed = w && w->state == WorkerState::Error && !w->error.isEmpty();
    m_errorTitle->setVisible(failed);
    m_error->setVisible(failed);
    if (failed && m_error->toPlainText() != w->error)
        m_error->setPlainText(w->error);
    m_title->setText(w ? tr("<b>%1</b> — %2")
                             .arg(w->name.toHtmlEscaped(),
                                 (w->configPath.isEmpty() ? w->path : w->configPath).toHtmlEscaped())
                       : QString());
    m_reload->setEnabled(w.has_value());
    m_copyUrl->setEnabled(w && !w->url.isEmpty());
    m_openUrl->setEnabled(w && !w->url.isEmpty());
    m_forget->setEnabled(w && m_projects->isRemembered(w->path));
    m_forget->setToolTip(w && m_projects->isRemembered(w->path)
            ? tr("Do not load this project at the next start (it runs on until QueueDeck quits)")
            : tr("Only projects opened in the window are remembered; this one came from the command line"));
}

void WorkersPage::copyLog()
{
    QModelIndexList rows = m_logView->selectionModel()->selectedRows();
    if (rows.isEmpty()) {
        for (int row = 0; row < m_filter->rowCount(); ++row)
            rows.append(m_filter->index(row, 0));
    }
    std::sort(rows.begin(), rows.end(),
        [](const QModelIndex &a, const QModelIndex &b) { return a.row() < b.row(); });
    QStringList lines;
    for (const QModelIndex &row : rows)
        lines.append(row.data().toString());
    QGuiApplication::clipboard()->setText(lines.join(QLatin1Char('\n')));
    emit notice(lines.size() == 1 ? tr("Copied 1 line") : tr("Copied %1 lines").arg(lines.size()));
}

void WorkersPage::openProjectDialog()
{
    auto *dialog = new QFileDialog(window(), tr("Open Worker Project"));
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->setFileMode(QFileDialog::ExistingFile);
    dialog->setNameFilters(
        { tr("Wrangler files (wrangler.toml wrangler.json wrangler.jsonc)"), tr("All files (*)") });
    connect(dialog, &QFileDialog::fileSelected, this, [this](const QString &path) {
        m_projects->open(path);
        emit notice(tr("Loading %1").arg(path));
    });
    dialog->open();
}

} // namespace qd
