#include "queuespage.h"

#include "queuecommands.h"
#include "queuedialogs.h"
#include "queuesettingseditor.h"
#include "queuetablemodel.h"
#include "wranglerconfig.h"

#include <QAction>
#include <QFileDialog>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QItemSelectionModel>
#include <QLabel>
#include <QMessageBox>
#include <QPushButton>
#include <QScrollArea>
#include <QScrollBar>
#include <QSettings>
#include <QSortFilterProxyModel>
#include <QSplitter>
#include <QStyle>
#include <QTableView>
#include <QToolButton>
#include <QVBoxLayout>

namespace qd {

QueuesPage::QueuesPage(QueueTableModel *model, QueueCommands *commands, QWidget *parent)
    : QWidget(parent)
    , m_model(model)
    , m_commands(commands)
    , m_view(new QTableView(this))
    , m_proxy(new QSortFilterProxyModel(this))
    , m_editor(new QueueSettingsEditor(this))
    , m_splitter(new QSplitter(Qt::Horizontal, this))
    , m_newQueue(new QAction(
          QIcon::fromTheme(QStringLiteral("list-add"), style()->standardIcon(QStyle::SP_FileDialogNewFolder)),
          tr("&New Queue…"), this))
    , m_delete(new QAction(
          QIcon::fromTheme(QStringLiteral("edit-delete"), style()->standardIcon(QStyle::SP_TrashIcon)),
          tr("&Delete Queue…"), this))
    , m_pause(new QAction(QIcon::fromTheme(QStringLiteral("media-playback-pause"),
                              style()->standardIcon(QStyle::SP_MediaPause)),
          tr("&Pause Delivery"), this))
    , m_purge(new QAction(
          QIcon::fromTheme(QStringLiteral("edit-clear"), style()->standardIcon(QStyle::SP_DialogResetButton)),
          tr("P&urge Queue…"), this))
    , m_import(new QAction(QIcon::fromTheme(QStringLiteral("document-import"),
                               style()->standardIcon(QStyle::SP_DialogOpenButton)),
          tr("&Import wrangler Config…"), this))
{
    // Short labels on the page's buttons, so the page fits narrow windows; menus say more.
    m_newQueue->setIconText(tr("New…"));
    m_delete->setIconText(tr("Delete…"));
    m_pause->setIconText(tr("Pause"));
    m_purge->setIconText(tr("Purge…"));
    m_import->setIconText(tr("Import…"));
    m_newQueue->setShortcut(QKeySequence::New);
    m_delete->setShortcut(QKeySequence::Delete);
    m_delete->setShortcutContext(Qt::WidgetWithChildrenShortcut);
    m_pause->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_P));
    m_import->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_I));
    addActions({ m_delete });

    m_proxy->setSourceModel(model);
    m_proxy->setSortRole(QueueTableModel::SortRole);
    m_view->setObjectName(QStringLiteral("queueTable"));
    m_view->setModel(m_proxy);
    m_view->setSortingEnabled(true);
    m_view->sortByColumn(QueueTableModel::Name, Qt::AscendingOrder);
    m_view->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_view->setSelectionMode(QAbstractItemView::SingleSelection);
    m_view->verticalHeader()->hide();
    // Every column starts as wide as its header and values (so "Dead-letter queue" is not
    // cut) and stays where the person drags it; the name takes what is left, and the view
    // starts at the names, not scrolled to the right.
    m_view->horizontalHeader()->setSectionResizeMode(QHeaderView::Interactive);
    m_view->horizontalHeader()->setSectionResizeMode(QueueTableModel::Name, QHeaderView::Stretch);
    m_view->horizontalHeader()->setMinimumSectionSize(fontMetrics().averageCharWidth() * 6);
    m_view->horizontalHeader()->setSectionsMovable(true);
    m_view->setHorizontalScrollMode(QAbstractItemView::ScrollPerPixel);
    m_view->setAlternatingRowColors(true);

    auto *bar = new QHBoxLayout;
    for (QAction *a : { m_newQueue, m_pause, m_purge, m_delete, m_import }) {
        auto *button = new QToolButton(this);
        button->setDefaultAction(a);
        button->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
        bar->addWidget(button);
        if (a == m_delete)
            bar->addStretch(1);
    }
    auto *left = new QWidget(m_splitter);
    auto *leftLayout = new QVBoxLayout(left);
    leftLayout->setContentsMargins(0, 0, 0, 0);
    leftLayout->addLayout(bar);
    leftLayout->addWidget(m_view);
    m_splitter->addWidget(left);
    // The editor grows with what it shows; in a scroll area that never moves the divider.
    auto *editorArea = new QScrollArea(m_splitter);
    editorArea->setObjectName(QStringLiteral("queueEditorArea"));
    editorArea->setWidget(m_editor);
    editorArea->setWidgetResizable(true);
    editorArea->setFrameShape(QFrame::NoFrame);
    m_splitter->addWidget(editorArea);
    m_splitter->setChildrenCollapsible(false);
    m_splitter->setStretchFactor(0, 3);
    m_splitter->setStretchFactor(1, 1);
    auto *layout = new QVBoxLayout(this);
    layout->addWidget(m_splitter);

    connect(m_newQueue, &QAction::triggered, this, &QueuesPage::newQueue);
    connect(m_delete, &QAction::triggered, this, &QueuesPage::deleteSelected);
    connect(m_pause, &QAction::triggered, this, &QueuesPage::togglePause);
    connect(m_purge, &QAction::triggered, this, &QueuesPage::purgeSelected);
    connect(m_import, &QAction::triggered, this, &QueuesPage::importDialog);
    connect(m_view->selectionModel(), &QItemSelectionModel::selectionChanged, this,
        &QueuesPage::selectionChanged);
    connect(model, &QAbstractItemModel::dataChanged, this, &QueuesPage::refreshEditor);
    // A queue added or removed resets the model; the selection should outlive that.
    connect(
        model, &QAbstractItemModel::modelAboutToBeReset, this, [this] { m_keepSelected = selectedQueue(); });
    connect(model, &QAbstractItemModel::modelReset, this, [this] {
        sizeColumnsOnce();
        selectQueue(std::exchange(m_keepSelected, QString()));
        selectionChanged();
    });
    connect(m_editor, &QueueSettingsEditor::applyRequested, m_commands, &QueueCommands::updateSettings);
    connect(m_commands, &QueueCommands::finished, this, &QueuesPage::finished);
    sizeColumnsOnce();
    selectionChanged();
}

void QueuesPage::sizeColumnsOnce()
{
    if (m_columnsSized)
        return;
    for (int c = 0; c < m_view->model()->columnCount(); ++c) {
        if (c != QueueTableModel::Name)
            m_view->resizeColumnToContents(c);
    }
    // Headers alone until the first queues arrive; their values count too, once.
    m_columnsSized = m_view->model()->rowCount() > 0;
}

QString QueuesPage::selectedQueue() const
{
    const QModelIndexList rows = m_view->selectionModel()->selectedRows();
    return rows.isEmpty() ? QString() : rows.first().data(QueueTableModel::NameRole).toString();
}

void QueuesPage::selectQueue(const QString &name)
{
    for (int row = 0; row < m_proxy->rowCount(); ++row) {
        const QModelIndex index = m_proxy->index(row, 0);
        if (index.data(QueueTableModel::NameRole).toString() == name) {
            m_view->selectionModel()->select(
                index, QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
            m_view->setCurrentIndex(index);
            m_view->horizontalScrollBar()->setValue(m_view->horizontalScrollBar()->minimum());
            return;
        }
    }
}

void QueuesPage::selectionChanged()
{
    const QString name = selectedQueue();
    const bool any = !name.isEmpty();
    for (QAction *a : { m_delete, m_pause, m_purge })
        a->setEnabled(any);
    refreshEditor();
}

void QueuesPage::refreshEditor()
{
    const QString name = selectedQueue();
    const auto q = name.isEmpty() ? std::nullopt : m_model->queue(name);
    if (!q) {
        m_editor->clear();
        m_pause->setText(tr("&Pause Delivery"));
        return;
    }
    m_editor->setQueue(q->name, q->settings, m_model->names());
    m_pause->setText(q->settings.paused ? tr("&Resume Delivery") : tr("&Pause Delivery"));
    m_pause->setIconText(q->settings.paused ? tr("Resume") : tr("Pause"));
    m_pause->setIcon(
        style()->standardIcon(q->settings.paused ? QStyle::SP_MediaPlay : QStyle::SP_MediaPause));
}

void QueuesPage::newQueue()
{
    auto *dialog = new NewQueueDialog(m_model->names(), this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    connect(dialog, &QDialog::accepted, this, [this, dialog] { m_commands->createQueue(dialog->name()); });
    dialog->open();
}

void QueuesPage::deleteSelected()
{
    const QString name = selectedQueue();
    const auto q = m_model->queue(name);
    if (!q)
        return;
    const qint64 messages = q->counts.ready + q->counts.delayed + q->counts.inFlight + q->counts.failed;
    auto *box = new QMessageBox(QMessageBox::Warning, tr("Delete queue"),
        tr("Delete queue “%1” and its %n waiting or failed message(s)? This cannot be undone.", nullptr,
            int(std::min<qint64>(messages, INT_MAX)))
            .arg(name),
        QMessageBox::Cancel, this);
    box->setObjectName(QStringLiteral("confirmDelete"));
    QPushButton *yes = box->addButton(tr("&Delete"), QMessageBox::DestructiveRole);
    box->setDefaultButton(QMessageBox::Cancel);
    box->setAttribute(Qt::WA_DeleteOnClose);
    connect(yes, &QPushButton::clicked, this, [this, name] { m_commands->deleteQueue(name); });
    box->open();
}

void QueuesPage::togglePause()
{
    const auto q = m_model->queue(selectedQueue());
    if (q)
        m_commands->setPaused(q->name, !q->settings.paused);
}

void QueuesPage::purgeSelected()
{
    const QString name = selectedQueue();
    if (name.isEmpty())
        return;
    auto *dialog = new ConfirmNameDialog(name,
        tr("Purge removes every ready, delayed and failed message of “%1”. Batches in flight still finish.")
            .arg(name.toHtmlEscaped()),
        tr("Purge"), this);
    dialog->setObjectName(QStringLiteral("confirmPurge"));
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    connect(dialog, &QDialog::accepted, this, [this, name] { m_commands->purge(name); });
    dialog->open();
}

void QueuesPage::importDialog()
{
    const QString path = QFileDialog::getOpenFileName(this, tr("Import wrangler configuration"), QString(),
        tr("wrangler configuration (wrangler.toml wrangler.jsonc wrangler.json "
           "*.toml *.jsonc *.json)"));
    if (!path.isEmpty())
        importFile(path);
}

void QueuesPage::importFile(const QString &path)
{
    m_commands->importConfig(path);
    emit message(tr("Importing %1…").arg(path));
}

void QueuesPage::showImportReport(const WranglerImportReport &report)
{
    auto *box = new QMessageBox(report.ok()
            ? (report.warnings.isEmpty() ? QMessageBox::Information : QMessageBox::Warning)
            : QMessageBox::Critical,
        tr("Import"), report.summary(), QMessageBox::Ok, this);
    box->setObjectName(QStringLiteral("importReport"));
    box->setAttribute(Qt::WA_DeleteOnClose);
    box->setTextInteractionFlags(Qt::TextSelectableByMouse);
    box->open();
    emit message(report.ok() ? tr("Imported %1").arg(report.file) : report.error);
}

void QueuesPage::finished(const QString &action, const QString &queue, const QString &error)
{
    if (action == QLatin1String("settings") && queue == m_editor->queueName())
        m_editor->applied(error);
    if (!error.isEmpty()) {
        emit message(tr("%1 failed: %2").arg(queue, error));
        return;
    }
    if (action == QLatin1String("create"))
        emit message(tr("Created queue %1").arg(queue));
    else if (action == QLatin1String("delete"))
        emit message(tr("Deleted queue %1").arg(queue));
    else if (action == QLatin1String("purge"))
        emit message(tr("Purged queue %1").arg(queue));
    else if (action == QLatin1String("pause"))
        emit message(tr("Paused delivery of %1").arg(queue));
    else if (action == QLatin1String("resume"))
        emit message(tr("Resumed delivery of %1").arg(queue));
    else if (action == QLatin1String("settings"))
        emit message(tr("Applied the settings of %1").arg(queue));
}

void QueuesPage::saveState(QSettings &settings) const
{
    settings.setValue(QStringLiteral("queues/header"), m_view->horizontalHeader()->saveState());
    settings.setValue(QStringLiteral("queues/splitter"), m_splitter->saveState());
}

void QueuesPage::restoreState(const QSettings &settings)
{
    if (m_view->horizontalHeader()->restoreState(
            settings.value(QStringLiteral("queues/header")).toByteArray()))
        m_columnsSized = true; // the widths the person left
    m_splitter->restoreState(settings.value(QStringLiteral("queues/splitter")).toByteArray());
}

} // namespace qd
