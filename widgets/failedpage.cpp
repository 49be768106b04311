#include "failedpage.h"

#include "bulkprogress.h"
#include "confirmbar.h"
#include "editbodydialog.h"
#include "failuregroupmodel.h"
#include "failurenotifier.h"
#include "messagedetailview.h"
#include "messagefilterbar.h"
#include "messageformat.h"
#include "messagequery.h"
#include "messagesearch.h"
#include "messagetablemodel.h"
#include "messagetableview.h"
#include "messagetriage.h"
#include "operatoractions.h"
#include "runtime.h"

#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLocale>
#include <QMenu>
#include <QPushButton>
#include <QSet>
#include <QSplitter>
#include <QTableView>
#include <QTimer>
#include <QToolButton>
#include <QVBoxLayout>

namespace qd {

namespace {
constexpr int kLiveMs = 1000;
constexpr int kGroupsLiveMs = 3000;
constexpr int kNoticeMs = 6000;
constexpr std::pair<int, const char *> kLater[] = {
    { 60, QT_TRANSLATE_NOOP("qd::FailedPage", "In 1 minute") },
    { 600, QT_TRANSLATE_NOOP("qd::FailedPage", "In 10 minutes") },
    { 3600, QT_TRANSLATE_NOOP("qd::FailedPage", "In 1 hour") },
};
} // namespace

FailedPage::FailedPage(Runtime *runtime, QWidget *parent)
    : FailedPage(new MessageQuery(runtime->storePath()), new OperatorActions(runtime), parent)
{
    m_query->setParent(this);
    m_actions->setParent(this);
    m_notifier = new FailureNotifier(this);
    connect(runtime, &Runtime::snapshot, m_notifier, &FailureNotifier::update);
    connect(m_notifier, &FailureNotifier::notice, this, &FailedPage::notice);
}

FailedPage::FailedPage(MessageQuery *query, OperatorActions *actions, QWidget *parent)
    : QWidget(parent)
    , m_query(query)
    , m_actions(actions)
    , m_filterBar(new MessageFilterBar(query, MessageFilterBar::Scope::Failures, this))
    , m_groups(new FailureGroupModel(query, this))
    , m_groupsView(new QTableView(this))
    , m_model(new MessageTableModel(query, this))
    , m_table(new MessageTableView(this))
    , m_detail(new MessageDetailView(query, this))
    , m_confirm(new ConfirmBar(this))
    , m_progress(new BulkProgress(actions, this))
    , m_triage(new MessageTriage(query, actions, m_model, m_table, m_confirm, m_progress, this))
    , m_count(new QLabel(this))
    , m_marked(new QLabel(this))
    , m_statusTimer(new QTimer(this))
    , m_status(new QLabel(this))
    , m_groupLabel(new QLabel(this))
    , m_showAll(new QPushButton(tr("Show every failure"), this))
    , m_buttons(new QWidget(this))
{
    setObjectName(QStringLiteral("failedPage"));
    m_table->setObjectName(QStringLiteral("failedTable"));
    m_groupsView->setObjectName(QStringLiteral("groupTable"));
    m_count->setObjectName(QStringLiteral("failedCount"));
    m_marked->setObjectName(QStringLiteral("markedCount"));
    m_statusTimer->setSingleShot(true);
    m_statusTimer->setInterval(kNoticeMs);
    connect(m_statusTimer, &QTimer::timeout, m_status, &QLabel::clear);
    // A long notice must not widen the pane and push the dividers.
    m_status->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Preferred);
    m_groupLabel->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Preferred);
    m_status->setObjectName(QStringLiteral("status"));
    m_showAll->setObjectName(QStringLiteral("showAll"));

    MessageFilter initial;
    initial.failures = true;
    m_model->setFilter(initial);
    m_table->setModel(m_model);
    m_table->sortByColumn(MessageTableModel::Enqueued, Qt::DescendingOrder);
    const int em = fontMetrics().averageCharWidth();
    const int widths[] = { 9, 13, 12, 6, 8, 24, 20, 50 };
    for (int c = 0; c < int(std::size(widths)); ++c)
        m_table->setColumnWidth(c, std::max(widths[c] * em, m_table->horizontalHeader()->sectionSizeHint(c)));
    // A whole id: its time prefix is shared, its end is what differs.
    m_table->setColumnWidth(
        MessageTableModel::Id, fontMetrics().horizontalAdvance(QString(32, QLatin1Char('0'))) + 2 * em);
    m_table->setColumnWidth(MessageTableModel::Enqueued,
        fontMetrics().horizontalAdvance(QStringLiteral("0000-00-00 00:00:00")) + 2 * em);
    // Here the error is what a person reads first.
    m_table->horizontalHeader()->moveSection(
        m_table->horizontalHeader()->visualIndex(MessageTableModel::LastError),
        m_table->horizontalHeader()->visualIndex(MessageTableModel::State));

    m_groupsView->setModel(m_groups);
    m_groupsView->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_groupsView->setSelectionMode(QAbstractItemView::SingleSelection);
    m_groupsView->verticalHeader()->hide();
    m_groupsView->verticalHeader()->setSectionResizeMode(QHeaderView::Fixed);
    m_groupsView->verticalHeader()->setDefaultSectionSize(fontMetrics().height() + 8);
    m_groupsView->setWordWrap(false);
    m_groupsView->horizontalHeader()->setStretchLastSection(true);
    m_groupsView->setColumnWidth(FailureGroupModel::Signature, 56 * em);
    for (int c : { int(FailureGroupModel::Count), int(FailureGroupModel::FirstSeen),
             int(FailureGroupModel::LastSeen) })
        m_groupsView->horizontalHeader()->setSectionResizeMode(c, QHeaderView::ResizeToContents);

    auto *buttons = new QHBoxLayout(m_buttons);
    buttons->setContentsMargins(0, 0, 0, 0);
    buttons->addWidget(m_count);
    buttons->addSpacing(fontMetrics().averageCharWidth() * 2);
    buttons->addWidget(m_marked);
    buttons->addStretch();
    QToolButton *retry
        = addButton(tr("Retry"), QStringLiteral("retry"), tr("Retry the selected messages now (r)"));
    QToolButton *later = addButton(
        tr("Retry later"), QStringLiteral("retryLater"), tr("Retry the selected messages after a delay"));
    later->setPopupMode(QToolButton::InstantPopup);
    auto *laterMenu = new QMenu(later);
    for (const auto &[seconds, label] : kLater)
        laterMenu->addAction(tr(label), this, [this, s = seconds] { m_triage->retryPicked(s); });
    later->setMenu(laterMenu);
    QToolButton *group = addButton(tr("Retry group"), QStringLiteral("retryGroup"),
        tr("Retry every message of the selected error group"));
    QToolButton *all = addButton(tr("Retry all matching…"), QStringLiteral("retryAll"),
        tr("Retry every failed and dead-lettered message the filter matches"));
    QToolButton *edit = addButton(
        tr("Edit && resubmit…"), QStringLiteral("edit"), tr("Change the message's body and retry it"));
    m_retryGroup = group;
    m_edit = edit;
    m_redrive = addButton(tr("Redrive"), QStringLiteral("redrive"),
        tr("Move a dead-letter queue's messages back to their queues"));
    m_redrive->setPopupMode(QToolButton::InstantPopup);
    auto *redriveMenu = new QMenu(m_redrive);
    m_redrive->setMenu(redriveMenu);
    connect(redriveMenu, &QMenu::aboutToShow, this, &FailedPage::fillRedriveMenu);
    QToolButton *remove
        = addButton(tr("Delete…"), QStringLiteral("delete"), tr("Delete the selected messages (d)"));
    QToolButton *exportButton
        = addButton(tr("Export"), QStringLiteral("export"), tr("Save messages as JSON Lines"));
    exportButton->setPopupMode(QToolButton::InstantPopup);
    auto *exportMenu = new QMenu(exportButton);
    exportButton->setMenu(exportMenu);
    m_triage->fillExportMenu(exportMenu, this, QStringLiteral("failed.jsonl"));
    m_messageActions = { retry, later, all, remove, exportButton };

    auto *groupRow = new QHBoxLayout;
    groupRow->addWidget(m_groupLabel, 1);
    groupRow->addWidget(m_status);
    groupRow->addWidget(m_showAll);
    m_groupLabel->setTextFormat(Qt::PlainText);
    m_showAll->hide();

    auto *lower = new QWidget(this);
    auto *lowerLayout = new QVBoxLayout(lower);
    lowerLayout->setContentsMargins(0, 0, 0, 0);
    lowerLayout->addLayout(groupRow);
    lowerLayout->addWidget(m_confirm);
    lowerLayout->addWidget(m_progress);
    lowerLayout->addWidget(m_table, 1);
    auto *vertical = new QSplitter(Qt::Vertical, this);
    vertical->setObjectName(QStringLiteral("failedSplitV"));
    vertical->addWidget(m_groupsView);
    vertical->addWidget(lower);
    vertical->setStretchFactor(0, 1);
    vertical->setStretchFactor(1, 3);
    auto *horizontal = new QSplitter(Qt::Horizontal, this);
    horizontal->setObjectName(QStringLiteral("failedSplitH"));
    // Panes keep the size the person gave them; what they show must fit, not push.
    lower->setMinimumWidth(0);
    m_detail->setMinimumWidth(0);
    horizontal->addWidget(vertical);
    horizontal->addWidget(m_detail);
    horizontal->setStretchFactor(0, 3);
    horizontal->setStretchFactor(1, 2);
    horizontal->setSizes({ 640, 360 });
    vertical->setSizes({ 200, 600 });

    auto *layout = new QVBoxLayout(this);
    layout->addWidget(m_filterBar);
    layout->addWidget(m_buttons);
    layout->addWidget(horizontal, 1);

    connect(m_filterBar, &MessageFilterBar::filterChanged, this, &FailedPage::applyFilter);
    connect(m_groupsView->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
        [this](const QModelIndex &current) {
            showGroup(current.isValid() ? m_groups->data(current, FailureGroupModel::SignatureRole).toString()
                                        : QString());
        });
    connect(m_showAll, &QPushButton::clicked, this, [this] {
        m_groupsView->selectionModel()->clear();
        showGroup({});
    });
    // Something is always open: the first row once a filter's rows arrive, so j/k start there.
    const auto openFirst = [this] {
        if (!m_table->currentIndex().isValid() && m_model->rowCount() > 0)
            m_table->setCurrentIndex(m_model->index(0, MessageTableModel::Queue));
    };
    connect(m_model, &MessageTableModel::loaded, this, openFirst);
    // Also when the first failures arrive on a page that was empty.
    connect(m_model, &QAbstractItemModel::rowsInserted, this, openFirst);
    connect(m_model, &MessageTableModel::counted, this, &FailedPage::updateCount);
    connect(m_model, &MessageTableModel::loadingChanged, this, &FailedPage::updateCount);
    connect(m_model, &QAbstractItemModel::rowsInserted, this, &FailedPage::updateCount);
    connect(m_model, &QAbstractItemModel::rowsRemoved, this, &FailedPage::updateCount);
    connect(m_model, &QAbstractItemModel::modelReset, this, &FailedPage::updateCount);
    connect(m_groups, &FailureGroupModel::refreshed, this, [this] {
        m_groupsKnown = true;
        updateCount();
    });
    connect(m_model, &MessageTableModel::marksChanged, this, &FailedPage::updateCount);
    connect(
        m_table->selectionModel(), &QItemSelectionModel::currentChanged, this, &FailedPage::updateActions);

    m_detail->follow(m_table, m_model);
    m_triage->connectPage(this, m_filterBar, retry, remove);
    connect(group, &QToolButton::clicked, this, &FailedPage::retryGroup);
    connect(all, &QToolButton::clicked, this, [this] { m_triage->retryMatching(); });
    connect(edit, &QToolButton::clicked, this, &FailedPage::editCurrent);
    connect(m_triage, &MessageTriage::notice, this, &FailedPage::say);
    connect(m_actions, &OperatorActions::changed, this, [this] {
        m_model->refresh();
        m_groups->refresh();
        m_detail->reload();
    });
    m_groups->refresh();
    updateCount();
}

QToolButton *FailedPage::addButton(const QString &text, const QString &name, const QString &tip)
{
    auto *b = new QToolButton(m_buttons);
    b->setText(text);
    b->setObjectName(name);
    b->setToolTip(tip);
    b->setProperty("tip", tip);
    b->setToolButtonStyle(Qt::ToolButtonTextOnly);
    m_buttons->layout()->addWidget(b);
    return b;
}

void FailedPage::showEvent(QShowEvent *event)
{
    QWidget::showEvent(event);
    m_model->setLiveInterval(kLiveMs);
    m_groups->setLiveInterval(kGroupsLiveMs);
    m_model->refresh();
    m_groups->refresh();
}

void FailedPage::hideEvent(QHideEvent *event)
{
    QWidget::hideEvent(event);
    m_model->setLiveInterval(0);
    m_groups->setLiveInterval(0);
}

void FailedPage::applyFilter()
{
    MessageFilter f = m_filterBar->filter();
    m_groups->setFilter(f);
    if (!m_group.isEmpty())
        f.errorPattern = errorSignaturePattern(m_group);
    f.sort = m_model->filter().sort;
    f.descending = m_model->filter().descending;
    m_model->setFilter(f);
}

void FailedPage::showGroup(const QString &signature)
{
    if (signature == m_group)
        return;
    m_group = signature;
    m_groupLabel->setText(
        signature.isEmpty() ? QString() : tr("Showing the group: %1").arg(readableSignature(signature)));
    updateActions();
    m_showAll->setVisible(!signature.isEmpty());
    MessageFilter f = m_filterBar->filter();
    if (!signature.isEmpty())
        f.errorPattern = errorSignaturePattern(signature);
    f.sort = m_model->filter().sort;
    f.descending = m_model->filter().descending;
    m_model->setFilter(f);
}

void FailedPage::retryGroup()
{
    const int row = m_groups->rowOf(m_group);
    const auto g = m_groups->group(row);
    if (!g) {
        say(tr("Select an error group first."));
        return;
    }
    m_triage->retrySeqs(g->seqs, tr("the group “%1”").arg(readableSignature(g->signature)));
}

void FailedPage::editCurrent()
{
    const QModelIndex current = m_table->currentIndex();
    const QString id
        = current.isValid() ? m_model->data(current, MessageTableModel::IdRole).toString() : QString();
    const auto d = m_detail->detail();
    if (id.isEmpty() || !d || d->message.id != id) {
        say(tr("Open a message first: select it and wait for its details."));
        return;
    }
    auto *dialog = new EditBodyDialog(id, d->message.body, d->message.contentType, this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    connect(dialog, &QDialog::accepted, this, [this, dialog, id] {
        m_actions->editAndRetry(id, dialog->body(), dialog->contentType(), dialog->delaySeconds());
    });
    dialog->open();
}

void FailedPage::fillRedriveMenu()
{
    QMenu *menu = m_redrive->menu();
    menu->clear();
    QSet<QString> seen;
    for (const QueueRef &q : m_query->queues()) {
        const QString dlq = q.deadLetterQueue;
        if (dlq.isEmpty() || seen.contains(dlq))
            continue;
        seen.insert(dlq);
        menu->addAction(tr("Redrive %1…").arg(dlq), this, [this, dlq] {
            const auto id = m_query->queueId(dlq);
            if (!id) {
                say(tr("%1 has no messages yet.").arg(dlq));
                return;
            }
            MessageFilter f;
            f.queueId = id;
            f.deadLettered = true;
            m_triage->countThen(f, [this, dlq](qint64 count) {
                if (count == 0) {
                    say(tr("Nothing waits in %1.").arg(dlq));
                    return;
                }
                m_confirm->ask(tr("Move %1 messages from %2 back to the queues they failed in?")
                                   .arg(QLocale().toString(count), dlq),
                    tr("Redrive %1").arg(QLocale().toString(count)),
                    [this, dlq] { m_actions->redrive(dlq); });
            });
        });
    }
    if (menu->isEmpty())
        menu->addAction(tr("No queue has a dead-letter queue"))->setEnabled(false);
}

void FailedPage::updateCount()
{
    // Both numbers come from one answer of the grouping, so they never disagree, not even
    // for a moment while the table reloads.
    if (!m_groupsKnown)
        m_count->setText(tr("Loading…"));
    else
        m_count->setText(
            tr("%1 · %2").arg(countText(m_groups->totalCount(), tr("%1 message"), tr("%1 messages")),
                countText(m_groups->rowCount(), tr("%1 error group"), tr("%1 error groups"))));
    const int marked = m_model->markCount();
    m_marked->setText(marked > 0 ? countText(marked, tr("%1 marked"), tr("%1 marked")) : QString());
    updateActions();
}

void FailedPage::updateActions()
{
    const bool empty = !m_model->isLoading() && m_model->rowCount() == 0;
    const QString why = tr("No failed or dead-lettered message is listed: nothing to act on.");
    for (QToolButton *b : std::as_const(m_messageActions)) {
        b->setEnabled(!empty);
        b->setToolTip(empty ? why : b->property("tip").toString());
    }
    const bool hasGroup = !m_group.isEmpty() && m_groups->rowOf(m_group) >= 0;
    m_retryGroup->setEnabled(hasGroup);
    m_retryGroup->setToolTip(hasGroup ? m_retryGroup->property("tip").toString()
            : empty                   ? why
                                      : tr("Select an error group above first."));
    const bool hasCurrent = m_table->currentIndex().isValid();
    m_edit->setEnabled(hasCurrent);
    m_edit->setToolTip(hasCurrent ? m_edit->property("tip").toString()
            : empty               ? why
                                  : tr("Select a message first."));
}

void FailedPage::say(const QString &text)
{
    if (text.isEmpty())
        return;
    m_status->setText(text);
    m_statusTimer->start();
    emit notice(text);
}

void FailedPage::setNoticeTimeout(int ms)
{
    m_statusTimer->setInterval(ms);
}

} // namespace qd
