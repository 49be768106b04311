#include "messagespage.h"

#include "bulkprogress.h"
#include "confirmbar.h"
#include "messagedetailview.h"
#include "messagefilterbar.h"
#include "messagequery.h"
#include "messagetablemodel.h"
#include "messagetableview.h"
#include "messagetriage.h"
#include "operatoractions.h"
#include "runtime.h"

#include <QCheckBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLocale>
#include <QMenu>
#include <QSplitter>
#include <QToolButton>
#include <QVBoxLayout>

namespace qd {

namespace {
constexpr int kLiveMs = 1000;

QToolButton *toolButton(const QString &text, const QString &name, QWidget *parent)
{
    auto *b = new QToolButton(parent);
    b->setText(text);
    b->setObjectName(name);
    b->setToolButtonStyle(Qt::ToolButtonTextOnly);
    return b;
}
} // namespace

MessagesPage::MessagesPage(Runtime *runtime, QWidget *parent)
    : MessagesPage(new MessageQuery(runtime->storePath()), new OperatorActions(runtime), parent)
{
    m_query->setParent(this);
    m_actions->setParent(this);
}

MessagesPage::MessagesPage(MessageQuery *query, OperatorActions *actions, QWidget *parent)
    : QWidget(parent)
    , m_query(query)
    , m_actions(actions)
    , m_filterBar(new MessageFilterBar(query, MessageFilterBar::Scope::AllMessages, this))
    , m_model(new MessageTableModel(query, this))
    , m_table(new MessageTableView(this))
    , m_detail(new MessageDetailView(query, this))
    , m_confirm(new ConfirmBar(this))
    , m_progress(new BulkProgress(actions, this))
    , m_triage(new MessageTriage(query, actions, m_model, m_table, m_confirm, m_progress, this))
    , m_count(new QLabel(this))
    , m_status(new QLabel(this))
    , m_live(new QCheckBox(tr("Live"), this))
{
    setObjectName(QStringLiteral("messagesPage"));
    m_table->setObjectName(QStringLiteral("messageTable"));
    m_count->setObjectName(QStringLiteral("messageCount"));
    m_status->setObjectName(QStringLiteral("status"));
    m_live->setChecked(true);
    m_live->setToolTip(tr("Show new and changed messages as they happen"));
    m_table->setModel(m_model);
    m_table->sortByColumn(MessageTableModel::Enqueued, Qt::DescendingOrder); // newest first
    const int em = fontMetrics().averageCharWidth();
    const int widths[] = { 9, 13, 12, 6, 8, 24, 20 };
    for (int c = 0; c < int(std::size(widths)); ++c)
        m_table->setColumnWidth(c, std::max(widths[c] * em, m_table->horizontalHeader()->sectionSizeHint(c)));
    // A whole id: its time prefix is shared, its end is what differs.
    m_table->setColumnWidth(
        MessageTableModel::Id, fontMetrics().horizontalAdvance(QString(32, QLatin1Char('0'))) + 2 * em);
    m_table->setColumnWidth(MessageTableModel::Enqueued,
        fontMetrics().horizontalAdvance(QStringLiteral("0000-00-00 00:00:00")) + 2 * em);

    auto *retry = toolButton(tr("Retry"), QStringLiteral("retry"), this);
    retry->setToolTip(tr("Retry the selected failed messages (r)"));
    auto *remove = toolButton(tr("Delete…"), QStringLiteral("delete"), this);
    remove->setToolTip(tr("Delete the selected messages (d)"));
    auto *exportButton = toolButton(tr("Export"), QStringLiteral("export"), this);
    exportButton->setPopupMode(QToolButton::InstantPopup);
    auto *exportMenu = new QMenu(exportButton);
    exportButton->setMenu(exportMenu);
    m_triage->fillExportMenu(exportMenu, this, QStringLiteral("messages.jsonl"));

    auto *bar = new QHBoxLayout;
    bar->addWidget(m_count);
    bar->addStretch();
    bar->addWidget(m_status);
    bar->addWidget(m_live);
    bar->addWidget(retry);
    bar->addWidget(remove);
    bar->addWidget(exportButton);

    auto *left = new QWidget(this);
    auto *leftLayout = new QVBoxLayout(left);
    leftLayout->setContentsMargins(0, 0, 0, 0);
    leftLayout->addWidget(m_confirm);
    leftLayout->addWidget(m_progress);
    leftLayout->addWidget(m_table, 1);
    auto *split = new QSplitter(Qt::Horizontal, this);
    split->addWidget(left);
    split->addWidget(m_detail);
    split->setStretchFactor(0, 3);
    split->setStretchFactor(1, 2);
    split->setSizes({ 650, 350 });

    auto *layout = new QVBoxLayout(this);
    layout->addWidget(m_filterBar);
    layout->addLayout(bar);
    layout->addWidget(split, 1);

    connect(m_filterBar, &MessageFilterBar::filterChanged, this, [this](MessageFilter f) {
        f.sort = m_model->filter().sort; // the header's sort stays
        f.descending = m_model->filter().descending;
        m_model->setFilter(f);
    });
    // Something is always open: the first row once a filter's rows arrive, so j/k start there.
    connect(m_model, &MessageTableModel::loaded, this, [this] {
        if (!m_table->currentIndex().isValid() && m_model->rowCount() > 0)
            m_table->setCurrentIndex(m_model->index(0, MessageTableModel::Queue));
    });
    connect(m_model, &MessageTableModel::counted, this, &MessagesPage::updateCount);
    connect(m_model, &MessageTableModel::loadingChanged, this, &MessagesPage::updateCount);
    connect(m_model, &QAbstractItemModel::rowsInserted, this, &MessagesPage::updateCount);
    connect(m_model, &QAbstractItemModel::rowsRemoved, this, &MessagesPage::updateCount);
    connect(m_model, &QAbstractItemModel::modelReset, this, &MessagesPage::updateCount);
    connect(m_live, &QCheckBox::toggled, this, [this](bool on) {
        m_model->setLiveInterval(on && isVisible() ? kLiveMs : 0);
        m_detail->setLiveInterval(on && isVisible() ? kLiveMs : 0);
    });

    m_detail->follow(m_table, m_model);
    m_triage->connectPage(this, m_filterBar, retry, remove);
    connect(m_triage, &MessageTriage::notice, this, &MessagesPage::say);
    connect(m_actions, &OperatorActions::changed, this, [this] {
        m_model->refresh();
        m_detail->reload();
    });
    updateCount();
}

void MessagesPage::showEvent(QShowEvent *event)
{
    QWidget::showEvent(event);
    m_model->setLiveInterval(m_live->isChecked() ? kLiveMs : 0);
    m_detail->setLiveInterval(m_live->isChecked() ? kLiveMs : 0);
    m_model->refresh();
}

void MessagesPage::hideEvent(QHideEvent *event)
{
    QWidget::hideEvent(event);
    m_model->setLiveInterval(0); // nobody looks: the store is not asked
    m_detail->setLiveInterval(0);
}

void MessagesPage::updateCount()
{
    const QString n = QLocale().toString(m_model->rowCount());
    m_count->setText(m_model->isLoading() ? tr("Loading…")
            : m_model->isCounting()       ? tr("%1+ messages, counting…").arg(n)
            : m_model->rowCount() == 1    ? tr("1 message")
                                          : tr("%1 messages").arg(n));
}

void MessagesPage::say(const QString &text)
{
    if (text.isEmpty())
        return;
    m_status->setText(text);
    emit notice(text);
}

void MessagesPage::openMessage(const QString &id)
{
    m_filterBar->showOnly(id);
    m_detail->showMessage(id);
}

} // namespace qd
