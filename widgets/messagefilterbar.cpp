#include "messagefilterbar.h"

#include "messagequery.h"
#include "messagesearch.h"
#include "viewclock.h"

#include <QComboBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>

namespace qd {

namespace {
// State combo entries: what they filter by.
struct StateChoice {
    const char *label;
    StateFilter state;
    bool deadLettered;
};
constexpr StateChoice kAllStates[] = {
    { QT_TRANSLATE_NOOP("qd::MessageFilterBar", "Any state"), StateFilter::Any, false },
    { QT_TRANSLATE_NOOP("qd::MessageFilterBar", "Ready"), StateFilter::Ready, false },
    { QT_TRANSLATE_NOOP("qd::MessageFilterBar", "Delayed"), StateFilter::Delayed, false },
    { QT_TRANSLATE_NOOP("qd::MessageFilterBar", "In flight"), StateFilter::InFlight, false },
    { QT_TRANSLATE_NOOP("qd::MessageFilterBar", "Acked"), StateFilter::Acked, false },
    { QT_TRANSLATE_NOOP("qd::MessageFilterBar", "Failed"), StateFilter::Failed, false },
    { QT_TRANSLATE_NOOP("qd::MessageFilterBar", "Dead-lettered"), StateFilter::Any, true },
};
constexpr StateChoice kFailureStates[] = {
    { QT_TRANSLATE_NOOP("qd::MessageFilterBar", "Failed and dead-lettered"), StateFilter::Any, false },
    { QT_TRANSLATE_NOOP("qd::MessageFilterBar", "Failed"), StateFilter::Failed, false },
    { QT_TRANSLATE_NOOP("qd::MessageFilterBar", "Dead-lettered"), StateFilter::Any, true },
};
constexpr qint64 kRanges[] = { 0, qint64(15) * 60'000, 3'600'000, 86'400'000, 7 * 86'400'000LL };
} // namespace

MessageFilterBar::MessageFilterBar(MessageQuery *query, Scope scope, QWidget *parent)
    : QWidget(parent)
    , m_query(query)
    , m_scope(scope)
    , m_queue(new QComboBox(this))
    , m_state(new QComboBox(this))
    , m_time(new QComboBox(this))
    , m_search(new QLineEdit(this))
    , m_problem(new QLabel(this))
{
    m_queue->setObjectName(QStringLiteral("queueFilter"));
    m_state->setObjectName(QStringLiteral("stateFilter"));
    m_time->setObjectName(QStringLiteral("timeFilter"));
    m_search->setObjectName(QStringLiteral("search"));
    m_queue->setSizeAdjustPolicy(QComboBox::AdjustToContents);
    m_queue->addItem(tr("All queues"));
    if (scope == Scope::Failures) {
        for (const StateChoice &c : kFailureStates)
            m_state->addItem(tr(c.label));
    } else {
        for (const StateChoice &c : kAllStates)
            m_state->addItem(tr(c.label));
    }
    m_time->addItems(
        { tr("Any time"), tr("Last 15 minutes"), tr("Last hour"), tr("Last 24 hours"), tr("Last 7 days") });
    m_search->setPlaceholderText(
        tr("Search body, error and id   e.g. state:failed error:\"timeout\" user:alice"));
    m_search->setClearButtonEnabled(true);
    m_search->setToolTip(
        tr("Free text is searched in bodies, errors and ids. Filters: queue:NAME, state:ready|delayed|"
           "inflight|acked|failed|dead_lettered, error:TEXT, user:ID, since:15m|2h|7d. Quote values "
           "with spaces: error:\"connection reset\"."));
    m_problem->setObjectName(QStringLiteral("searchProblem"));
    m_problem->setStyleSheet(QStringLiteral("color: #d64545;"));
    m_problem->hide();

    auto *layout = new QHBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_queue);
    layout->addWidget(m_state);
    layout->addWidget(m_time);
    layout->addWidget(m_search, 1);
    layout->addWidget(m_problem);

    m_debounce.setSingleShot(true);
    m_debounce.setInterval(250);
    connect(&m_debounce, &QTimer::timeout, this, &MessageFilterBar::apply);
    connect(m_search, &QLineEdit::textChanged, this, [this] { m_debounce.start(); });
    connect(m_search, &QLineEdit::returnPressed, this, &MessageFilterBar::apply);
    connect(m_queue, &QComboBox::currentIndexChanged, this, &MessageFilterBar::apply);
    connect(m_state, &QComboBox::currentIndexChanged, this, &MessageFilterBar::apply);
    connect(m_time, &QComboBox::currentIndexChanged, this, &MessageFilterBar::apply);
    connect(m_query, &MessageQuery::queuesChanged, this, &MessageFilterBar::reloadQueues);
    reloadQueues();
    m_filter.failures = scope == Scope::Failures;
}

void MessageFilterBar::showOnly(const QString &text)
{
    const QSignalBlocker queue(m_queue);
    const QSignalBlocker state(m_state);
    const QSignalBlocker time(m_time);
    m_queue->setCurrentIndex(0);
    m_state->setCurrentIndex(0);
    m_time->setCurrentIndex(0);
    {
        const QSignalBlocker search(m_search);
        m_search->setText(text);
    }
    apply();
}

void MessageFilterBar::focusSearch()
{
    m_search->setFocus(Qt::ShortcutFocusReason);
    m_search->selectAll();
}

QString MessageFilterBar::queueName() const
{
    return m_queue->currentIndex() > 0 ? m_queue->currentText() : QString();
}

void MessageFilterBar::reloadQueues()
{
    const QString current = queueName();
    const QSignalBlocker block(m_queue);
    while (m_queue->count() > 1)
        m_queue->removeItem(1);
    for (const QueueRef &q : m_query->queues())
        m_queue->addItem(q.name);
    const int at = current.isEmpty() ? 0 : m_queue->findText(current);
    m_queue->setCurrentIndex(std::max(0, at));
}

void MessageFilterBar::apply()
{
    m_debounce.stop();
    MessageFilter f;
    f.failures = m_scope == Scope::Failures;
    f.sort = m_filter.sort;
    f.descending = m_filter.descending;
    if (const auto id = m_query->queueId(queueName()))
        f.queueId = id;
    const StateChoice &choice = m_scope == Scope::Failures ? kFailureStates[m_state->currentIndex()]
                                                           : kAllStates[m_state->currentIndex()];
    f.state = choice.state;
    f.deadLettered = choice.deadLettered;
    const qint64 now = viewClock().nowMs();
    if (const qint64 range = kRanges[std::clamp(m_time->currentIndex(), 0, 4)])
        f.fromMs = now - range;
    const MessageSearch search = MessageSearch::parse(m_search->text());
    QString error;
    QStringList problems = search.problems;
    if (!search.applyTo(
            &f, [this](const QString &name) { return m_query->queueId(name); }, now, &error)) {
        problems.append(error);
        f.text = m_search->text(); // nothing matches an unknown queue; show that rather than everything
        f.queueId = -1;
    }
    m_problem->setText(problems.join(QStringLiteral("; ")));
    m_problem->setVisible(!problems.isEmpty());
    m_filter = f;
    emit filterChanged(f);
}

} // namespace qd
