#include "failedpage.h"

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
    , m_browser(new MessageBrowser(query, actions, MessageFilterBar::Scope::Failures, this))
    , m_groups(new FailureGroupModel(query, this))
    , m_groupsView(new QTableView(this))
    , m_count(new QLabel(this))
    , m_marked(new QLabel(this))
    , m_groupLabel(new QLabel(this))
    , m_showAll(new QPushButton(tr("Show every failure"), this))
{
    setObjectName(QStringLiteral("failedPage"));
    MessageTableView *view = table();
    view->setObjectName(QStringLiteral("failedTable"));
    m_groupsView->setObjectName(QStringLiteral("groupTable"));
    m_count->setObjectName(QStringLiteral("failedCount"));
    m_marked->setObjectName(QStringLiteral("markedCount"));
    m_browser->setNoticeTimeout(kNoticeMs);
    // A long notice must not widen the pane and push the dividers.
    status()->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Preferred);
    m_groupLabel->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Preferred);
    m_showAll->setObjectName(QStringLiteral("showAll"));

    const int em = fontMetrics().averageCharWidth();
    view->setColumnWidth(MessageTableModel::LastError,
        std::max(50 * em, view->horizontalHeader()->sectionSizeHint(MessageTableModel::LastError)));
    // Here the error is what a person reads first.
    view->horizontalHeader()->moveSection(view->horizontalHeader()->visualIndex(MessageTableModel::LastError),
        view->horizontalHeader()->visualIndex(MessageTableModel::State));

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

    QHBoxLayout *buttons = m_browser->bar();
    buttons->addWidget(m_count);
    buttons->addSpacing(em * 2);
    buttons->addWidget(m_marked);
    buttons->addStretch();
    QToolButton *retry = m_browser->addButton(
        tr("Retry"), QStringLiteral("retry"), tr("Retry the selected messages now (r)"));
    QToolButton *later = m_browser->addButton(
        tr("Retry later"), QStringLiteral("retryLater"), tr("Retry the selected messages after a delay"));
    later->setPopupMode(QToolButton::InstantPopup);
    auto *laterMenu = new QMenu(later);
    for (const auto &[seconds, label] : kLater)
        laterMenu->addAction(tr(label), this, [this, s = seconds] { m_browser->triage()->retryPicked(s); });
    later->setMenu(laterMenu);
    QToolButton *group = m_browser->addButton(tr("Retry group"), QStringLiteral("retryGroup"),
        tr("Retry every message of the selected error group"));
    QToolButton *all = m_browser->addButton(tr("Retry all matching…"), QStringLiteral("retryAll"),
        tr("Retry every failed and dead-lettered message the filter matches"));
    QToolButton *edit = m_browser->addButton(
        tr("Edit && resubmit…"), QStringLiteral("edit"), tr("Change the message's body and retry it"));
    m_retryGroup = group;
    m_edit = edit;
    m_redrive = m_browser->addButton(tr("Redrive"), QStringLiteral("redrive"),
        tr("Move a dead-letter queue's messages back to their queues"));
    m_redrive->setPopupMode(QToolButton::InstantPopup);
    auto *redriveMenu = new QMenu(m_redrive);
    m_redrive->setMenu(redriveMenu);
    connect(redriveMenu, &QMenu::aboutToShow, this, &FailedPage::fillRedriveMenu);
    QToolButton *remove = m_browser->addButton(
        tr("Delete…"), QStringLiteral("delete"), tr("Delete the selected messages (d)"));
    QToolButton *exportButton
        = m_browser->addExportButton(QStringLiteral("failed.jsonl"), tr("Save messages as JSON Lines"));
    m_messageActions = { retry, later, all, remove, exportButton };

    auto *groupRow = new QHBoxLayout;
    groupRow->addWidget(m_groupLabel, 1);
    groupRow->addWidget(status());
    groupRow->addWidget(m_showAll);
    m_groupLabel->setTextFormat(Qt::PlainText);
    m_showAll->hide();
    m_browser->listLayout()->insertLayout(0, groupRow);

    // The groups go above the table, in a splitter of their own.
    QSplitter *horizontal = m_browser->panes();
    horizontal->setObjectName(QStringLiteral("failedSplitH"));
    auto *vertical = new QSplitter(Qt::Vertical, this);
    vertical->setObjectName(QStringLiteral("failedSplitV"));
    QWidget *lower = m_browser->listPane();
    horizontal->replaceWidget(0, vertical);
    vertical->addWidget(m_groupsView);
    vertical->addWidget(lower);
    vertical->setStretchFactor(0, 1);
    vertical->setStretchFactor(1, 3);
    // Panes keep the size the person gave them; what they show must fit, not push.
    lower->setMinimumWidth(0);
    detail()->setMinimumWidth(0);
    horizontal->setStretchFactor(0, 3);
    horizontal->setStretchFactor(1, 2);
    horizontal->setSizes({ 640, 360 });
    vertical->setSizes({ 200, 600 });

    auto *layout = new QVBoxLayout(this);
    layout->addWidget(m_browser);

    connect(filterBar(), &MessageFilterBar::filterChanged, m_groups, &FailureGroupModel::setFilter);
    connect(m_groupsView->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
        [this](const QModelIndex &current) {
            showGroup(current.isValid() ? m_groups->data(current, FailureGroupModel::SignatureRole).toString()
                                        : QString());
        });
    connect(m_showAll, &QPushButton::clicked, this, [this] {
        m_groupsView->selectionModel()->clear();
        showGroup({});
    });
    // Also open the first row when the first failures arrive on a page that was empty.
    connect(model(), &QAbstractItemModel::rowsInserted, m_browser, &MessageBrowser::openFirst);
    connect(m_browser, &MessageBrowser::countChanged, this, &FailedPage::updateCount);
    connect(m_groups, &FailureGroupModel::refreshed, this, [this] {
        m_groupsKnown = true;
        updateCount();
    });
    connect(model(), &MessageTableModel::marksChanged, this, &FailedPage::updateCount);
    connect(view->selectionModel(), &QItemSelectionModel::currentChanged, this, &FailedPage::updateActions);

    m_browser->connectTriage(retry, remove);
    connect(group, &QToolButton::clicked, this, &FailedPage::retryGroup);
    connect(all, &QToolButton::clicked, this, [this] { m_browser->triage()->retryMatching(); });
    connect(edit, &QToolButton::clicked, this, &FailedPage::editCurrent);
    connect(m_browser, &MessageBrowser::notice, this, &FailedPage::notice);
    connect(m_actions, &OperatorActions::changed, m_groups, &FailureGroupModel::refresh);
    m_groups->refresh();
    updateCount();
}

void FailedPage::showEvent(QShowEvent *event)
{
    QWidget::showEvent(event);
    model()->setLiveInterval(kLiveMs);
    m_groups->setLiveInterval(kGroupsLiveMs);
    model()->refresh();
    m_groups->refresh();
}

void FailedPage::hideEvent(QHideEvent *event)
{
    QWidget::hideEvent(event);
    model()->setLiveInterval(0);
    m_groups->setLiveInterval(0);
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
    m_browser->setErrorPattern(signature.isEmpty() ? QString() : errorSignaturePattern(signature));
}

void FailedPage::retryGroup()
{
    const int row = m_groups->rowOf(m_group);
    const auto g = m_groups->group(row);
    if (!g) {
        m_browser->say(tr("Select an error group first."));
        return;
    }
    m_browser->triage()->retrySeqs(g->seqs, tr("the group “%1”").arg(readableSignature(g->signature)));
}

void FailedPage::editCurrent()
{
    const QModelIndex current = table()->currentIndex();
    const QString id
        = current.isValid() ? model()->data(current, MessageTableModel::IdRole).toString() : QString();
    const auto d = detail()->detail();
    if (id.isEmpty() || !d || d->message.id != id) {
        m_browser->say(tr("Open a message first: select it and wait for its details."));
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
                m_browser->say(tr("%1 has no messages yet.").arg(dlq));
                return;
            }
            MessageFilter f;
            f.queueId = id;
            f.deadLettered = true;
            m_browser->triage()->countThen(f, [this, dlq](qint64 count) {
                if (count == 0) {
                    m_browser->say(tr("Nothing waits in %1.").arg(dlq));
                    return;
                }
                confirmBar()->ask(tr("Move %1 messages from %2 back to the queues they failed in?")
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
    const int marked = model()->markCount();
    m_marked->setText(marked > 0 ? countText(marked, tr("%1 marked"), tr("%1 marked")) : QString());
    updateActions();
}

void FailedPage::updateActions()
{
    const bool empty = !model()->isLoading() && model()->rowCount() == 0;
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
    const bool hasCurrent = table()->currentIndex().isValid();
    m_edit->setEnabled(hasCurrent);
    m_edit->setToolTip(hasCurrent ? m_edit->property("tip").toString()
            : empty               ? why
                                  : tr("Select a message first."));
}

void FailedPage::setNoticeTimeout(int ms)
{
    m_browser->setNoticeTimeout(ms);
}

} // namespace qd
