#include "messagespage.h"

#include "messagedetailview.h"
#include "messagequery.h"
#include "messagetablemodel.h"
#include "messagetableview.h"
#include "operatoractions.h"
#include "runtime.h"

#include <QCheckBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QLocale>
#include <QSplitter>
#include <QToolButton>
#include <QVBoxLayout>

namespace qd {

namespace {
constexpr int kLiveMs = 1000;
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
    , m_browser(new MessageBrowser(query, actions, MessageFilterBar::Scope::AllMessages, this))
    , m_count(new QLabel(this))
    , m_live(new QCheckBox(tr("Live"), this))
{
    setObjectName(QStringLiteral("messagesPage"));
    table()->setObjectName(QStringLiteral("messageTable"));
    m_count->setObjectName(QStringLiteral("messageCount"));
    m_live->setChecked(true);
    m_live->setToolTip(tr("Show new and changed messages as they happen"));

    QHBoxLayout *bar = m_browser->bar();
    bar->addWidget(m_count);
    bar->addStretch();
    bar->addWidget(status());
    bar->addWidget(m_live);
    QToolButton *retry = m_browser->addButton(
        tr("Retry"), QStringLiteral("retry"), tr("Retry the selected failed messages (r)"));
    QToolButton *remove = m_browser->addButton(
        tr("Delete…"), QStringLiteral("delete"), tr("Delete the selected messages (d)"));
    m_browser->addExportButton(QStringLiteral("messages.jsonl"), QString());
    m_browser->panes()->setSizes({ 650, 350 });

    auto *layout = new QVBoxLayout(this);
    layout->addWidget(m_browser);

    connect(m_browser, &MessageBrowser::countChanged, this, &MessagesPage::updateCount);
    connect(m_live, &QCheckBox::toggled, this, [this](bool on) { setLive(on && isVisible()); });
    m_browser->connectTriage(retry, remove);
    connect(m_browser, &MessageBrowser::notice, this, &MessagesPage::notice);
    updateCount();
}

void MessagesPage::showEvent(QShowEvent *event)
{
    QWidget::showEvent(event);
    setLive(m_live->isChecked());
    model()->refresh();
}

void MessagesPage::hideEvent(QHideEvent *event)
{
    QWidget::hideEvent(event);
    setLive(false); // nobody looks: the store is not asked
}

void MessagesPage::setLive(bool on)
{
    model()->setLiveInterval(on ? kLiveMs : 0);
    detail()->setLiveInterval(on ? kLiveMs : 0);
}

void MessagesPage::updateCount()
{
    const MessageTableModel *m = model();
    const QString n = QLocale().toString(m->rowCount());
    m_count->setText(m->isLoading() ? tr("Loading…")
            : m->isCounting()       ? tr("%1+ messages, counting…").arg(n)
            : m->rowCount() == 1    ? tr("1 message")
                                    : tr("%1 messages").arg(n));
}

void MessagesPage::openMessage(const QString &id)
{
    filterBar()->showOnly(id);
    detail()->showMessage(id);
}

} // namespace qd
