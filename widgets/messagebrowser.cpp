#include "messagebrowser.h"

#include "bulkprogress.h"
#include "confirmbar.h"
#include "messagedetailview.h"
#include "messagequery.h"
#include "messagetablemodel.h"
#include "messagetableview.h"
#include "messagetriage.h"
#include "operatoractions.h"

#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QMenu>
#include <QSplitter>
#include <QTimer>
#include <QToolButton>
#include <QVBoxLayout>

namespace qd {

MessageBrowser::MessageBrowser(
    MessageQuery *query, OperatorActions *actions, MessageFilterBar::Scope scope, QWidget *parent)
    : QWidget(parent)
    , m_filterBar(new MessageFilterBar(query, scope, this))
    , m_model(new MessageTableModel(query, this))
    , m_table(new MessageTableView(this))
    , m_detail(new MessageDetailView(query, this))
    , m_confirm(new ConfirmBar(this))
    , m_progress(new BulkProgress(actions, this))
    , m_triage(new MessageTriage(query, actions, m_model, m_table, m_confirm, m_progress, this))
    , m_status(new QLabel(this))
    , m_bar(new QHBoxLayout)
    , m_listPane(new QWidget(this))
    , m_listLayout(new QVBoxLayout(m_listPane))
    , m_panes(new QSplitter(Qt::Horizontal, this))
{
    m_status->setObjectName(QStringLiteral("status"));
    if (scope == MessageFilterBar::Scope::Failures) {
        MessageFilter initial;
        initial.failures = true;
        m_model->setFilter(initial);
    }
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

    m_bar->setContentsMargins(0, 0, 0, 0);
    m_listLayout->setContentsMargins(0, 0, 0, 0);
    m_listLayout->addWidget(m_confirm);
    m_listLayout->addWidget(m_progress);
    m_listLayout->addWidget(m_table, 1);
    m_panes->addWidget(m_listPane);
    m_panes->addWidget(m_detail);
    m_panes->setStretchFactor(0, 3);
    m_panes->setStretchFactor(1, 2);

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_filterBar);
    layout->addLayout(m_bar);
    layout->addWidget(m_panes, 1);

    connect(m_filterBar, &MessageFilterBar::filterChanged, this, &MessageBrowser::applyFilter);
    connect(m_model, &MessageTableModel::loaded, this, &MessageBrowser::openFirst);
    connect(m_model, &MessageTableModel::counted, this, &MessageBrowser::countChanged);
    connect(m_model, &MessageTableModel::loadingChanged, this, &MessageBrowser::countChanged);
    connect(m_model, &QAbstractItemModel::rowsInserted, this, &MessageBrowser::countChanged);
    connect(m_model, &QAbstractItemModel::rowsRemoved, this, &MessageBrowser::countChanged);
    connect(m_model, &QAbstractItemModel::modelReset, this, &MessageBrowser::countChanged);
    m_detail->follow(m_table, m_model);
    connect(m_triage, &MessageTriage::notice, this, &MessageBrowser::say);
    connect(actions, &OperatorActions::changed, this, [this] {
        m_model->refresh();
        m_detail->reload();
    });
}

QToolButton *MessageBrowser::addButton(const QString &text, const QString &name, const QString &tip)
{
    auto *b = new QToolButton(this);
    b->setText(text);
    b->setObjectName(name);
    if (!tip.isEmpty()) {
        b->setToolTip(tip);
        b->setProperty("tip", tip);
    }
    b->setToolButtonStyle(Qt::ToolButtonTextOnly);
    m_bar->addWidget(b);
    return b;
}

QToolButton *MessageBrowser::addExportButton(const QString &defaultName, const QString &tip)
{
    QToolButton *b = addButton(tr("Export"), QStringLiteral("export"), tip);
    b->setPopupMode(QToolButton::InstantPopup);
    auto *menu = new QMenu(b);
    b->setMenu(menu);
    m_triage->fillExportMenu(menu, this, defaultName);
    return b;
}

void MessageBrowser::connectTriage(QAbstractButton *retry, QAbstractButton *remove)
{
    m_triage->connectPage(this, m_filterBar, retry, remove);
}

void MessageBrowser::applyFilter()
{
    MessageFilter f = m_filterBar->filter();
    if (!m_errorPattern.isEmpty())
        f.errorPattern = m_errorPattern;
    f.sort = m_model->filter().sort; // the header's sort stays
    f.descending = m_model->filter().descending;
    m_model->setFilter(f);
}

void MessageBrowser::setErrorPattern(const QString &pattern)
{
    m_errorPattern = pattern;
    applyFilter();
}

void MessageBrowser::openFirst()
{
    if (!m_table->currentIndex().isValid() && m_model->rowCount() > 0)
        m_table->setCurrentIndex(m_model->index(0, MessageTableModel::Queue));
}

void MessageBrowser::say(const QString &text)
{
    if (text.isEmpty())
        return;
    m_status->setText(text);
    if (m_statusTimer)
        m_statusTimer->start();
    emit notice(text);
}

void MessageBrowser::setNoticeTimeout(int ms)
{
    if (!m_statusTimer) {
        m_statusTimer = new QTimer(this);
        m_statusTimer->setSingleShot(true);
        connect(m_statusTimer, &QTimer::timeout, m_status, &QLabel::clear);
    }
    m_statusTimer->setInterval(ms);
}

} // namespace qd
