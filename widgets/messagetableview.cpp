#include "messagetableview.h"

#include "messagetablemodel.h"

#include <QAction>
#include <QHeaderView>
#include <QKeyEvent>
#include <QScrollBar>
#include <QStyledItemDelegate>

namespace qd {

namespace {

// Elides in the middle, so both the shared start and the differing end stay in sight.
class MiddleElideDelegate final : public QStyledItemDelegate {
public:
    using QStyledItemDelegate::QStyledItemDelegate;

protected:
    void initStyleOption(QStyleOptionViewItem *option, const QModelIndex &index) const override
    {
        QStyledItemDelegate::initStyleOption(option, index);
        option->textElideMode = Qt::ElideMiddle;
    }
};

} // namespace

MessageTableView::MessageTableView(QWidget *parent)
    : QTableView(parent)
    , m_middle(new MiddleElideDelegate(this))
{
    setSelectionBehavior(QAbstractItemView::SelectRows);
    setSelectionMode(QAbstractItemView::ExtendedSelection);
    setWordWrap(false);
    setAlternatingRowColors(true);
    setSortingEnabled(true);
    setVerticalScrollMode(QAbstractItemView::ScrollPerItem);
    setHorizontalScrollMode(QAbstractItemView::ScrollPerPixel);
    verticalHeader()->hide();
    // One height for every row: a million rows never need measuring.
    verticalHeader()->setSectionResizeMode(QHeaderView::Fixed);
    verticalHeader()->setDefaultSectionSize(fontMetrics().height() + 8);
    horizontalHeader()->setStretchLastSection(true);
    horizontalHeader()->setSortIndicatorShown(true);
    horizontalHeader()->setHighlightSections(false);

    addKeyAction(tr("Next message"), { QKeySequence(Qt::Key_J) }, [this] { moveCurrent(1); });
    addKeyAction(tr("Previous message"), { QKeySequence(Qt::Key_K) }, [this] { moveCurrent(-1); });
    addKeyAction(tr("Mark this message and the next"), { QKeySequence(Qt::SHIFT | Qt::Key_J) },
        [this] { extendMarks(1); });
    addKeyAction(tr("Mark this message and the previous"), { QKeySequence(Qt::SHIFT | Qt::Key_K) },
        [this] { extendMarks(-1); });
    addKeyAction(tr("Mark or unmark this message"), { QKeySequence(Qt::Key_X) }, [this] {
        if (!currentIndex().isValid())
            return;
        if (m_messages)
            m_messages->setMarked(currentIndex().row(), !m_messages->isMarked(currentIndex().row()));
        else
            selectionModel()->select(currentIndex(), QItemSelectionModel::Toggle | QItemSelectionModel::Rows);
    });
    addKeyAction(
        tr("Open this message"), { QKeySequence(Qt::Key_Return), QKeySequence(Qt::Key_Enter) }, [this] {
            if (currentIndex().isValid())
                emit openRequested(currentIndex().row());
        });
    addKeyAction(tr("Retry the marked or selected messages"), { QKeySequence(Qt::Key_R) },
        [this] { emit retryRequested(); });
    addKeyAction(tr("Delete the marked or selected messages"),
        { QKeySequence(Qt::Key_D), QKeySequence(Qt::Key_Delete) }, [this] { emit deleteRequested(); });
    addKeyAction(tr("Search"), { QKeySequence(Qt::Key_Slash) }, [this] { emit searchRequested(); });
}

void MessageTableView::setModel(QAbstractItemModel *model)
{
    QTableView::setModel(model);
    m_messages = qobject_cast<MessageTableModel *>(model);
    if (!model)
        return;
    if (m_messages) {
        // The marks' checkboxes come first, just wide enough.
        horizontalHeader()->moveSection(horizontalHeader()->visualIndex(MessageTableModel::Mark), 0);
        horizontalHeader()->setSectionResizeMode(MessageTableModel::Mark, QHeaderView::Fixed);
        setColumnWidth(MessageTableModel::Mark, style()->pixelMetric(QStyle::PM_IndicatorWidth) + 12);
        // Ids share a time prefix and URLs a host: their ends tell rows apart.
        setItemDelegateForColumn(MessageTableModel::Id, m_middle);
        setItemDelegateForColumn(MessageTableModel::Url, m_middle);
    }
    // Rows that come or go above the first visible row shift it: follow them, so the rows a
    // person reads stay where they are. At the very top, new rows simply appear.
    connect(model, &QAbstractItemModel::rowsInserted, this, [this](const QModelIndex &, int first, int last) {
        const int top = verticalScrollBar()->value();
        if (top > 0 && first <= top) {
            updateGeometries();
            verticalScrollBar()->setValue(top + (last - first + 1));
        }
        reportVisibleRows();
    });
    connect(model, &QAbstractItemModel::rowsRemoved, this, [this](const QModelIndex &, int first, int last) {
        const int top = verticalScrollBar()->value();
        if (first < top) {
            updateGeometries();
            verticalScrollBar()->setValue(top - (std::min(last, top - 1) - first + 1));
        }
        reportVisibleRows();
    });
    connect(model, &QAbstractItemModel::modelReset, this, &MessageTableView::reportVisibleRows);
    reportVisibleRows();
}

QList<int> MessageTableView::pickedRows() const
{
    QList<int> rows;
    if (!selectionModel())
        return rows;
    for (const QItemSelectionRange &range : selectionModel()->selection()) {
        for (int row = range.top(); row <= range.bottom(); ++row)
            rows.append(row);
    }
    const QList<int> marked = m_messages ? m_messages->markedRows() : QList<int>();
    const bool hasMarks = m_messages && m_messages->markCount() > 0;
    // With marks, one selected row is only where the keyboard is, not a pick.
    if (hasMarks && rows.size() == 1)
        rows.clear();
    rows += marked;
    std::sort(rows.begin(), rows.end());
    rows.erase(std::unique(rows.begin(), rows.end()), rows.end());
    if (rows.isEmpty() && !hasMarks && currentIndex().isValid())
        rows.append(currentIndex().row());
    return rows;
}

int MessageTableView::pickedCount() const
{
    const QList<int> rows = pickedRows();
    if (!m_messages)
        return int(rows.size());
    return int(rows.size()) + m_messages->markCount() - int(m_messages->markedRows().size());
}

void MessageTableView::extendMarks(int delta)
{
    if (!m_messages || m_messages->rowCount() == 0)
        return;
    if (currentIndex().isValid())
        m_messages->setMarked(currentIndex().row(), true);
    moveCurrent(delta);
    if (currentIndex().isValid())
        m_messages->setMarked(currentIndex().row(), true);
}

void MessageTableView::moveCurrent(int delta)
{
    if (!model() || model()->rowCount() == 0)
        return;
    const int row
        = std::clamp(currentIndex().isValid() ? currentIndex().row() + delta : 0, 0, model()->rowCount() - 1);
    const QModelIndex target = model()->index(row, std::max(0, currentIndex().column()));
    // With several rows selected, moving keeps them; otherwise the selection follows.
    const bool marking = selectionModel()->selectedRows().size() > 1;
    selectionModel()->setCurrentIndex(target,
        marking ? QItemSelectionModel::NoUpdate
                : QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
    scrollTo(target);
}

void MessageTableView::addKeyAction(
    const QString &text, const QList<QKeySequence> &keys, std::function<void()> run)
{
    // Actions, not a switch over keys: the Help menu's shortcut sheet lists what is here.
    auto *action = new QAction(text, this);
    action->setShortcuts(keys);
    action->setProperty("shortcutGroup", tr("Message tables"));
    connect(action, &QAction::triggered, this, std::move(run));
    m_keyActions.append(action);
}

void MessageTableView::keyPressEvent(QKeyEvent *event)
{
    if (!(event->modifiers() & (Qt::ControlModifier | Qt::AltModifier | Qt::MetaModifier))) {
        const QKeySequence pressed(
            QKeyCombination(event->modifiers() & ~Qt::KeypadModifier, Qt::Key(event->key())));
        for (QAction *a : std::as_const(m_keyActions)) {
            if (a->shortcuts().contains(pressed)) {
                a->trigger();
                return;
            }
        }
    }
    QTableView::keyPressEvent(event);
}

void MessageTableView::scrollContentsBy(int dx, int dy)
{
    QTableView::scrollContentsBy(dx, dy);
    if (dy != 0)
        reportVisibleRows();
}

void MessageTableView::resizeEvent(QResizeEvent *event)
{
    QTableView::resizeEvent(event);
    reportVisibleRows();
}

void MessageTableView::reportVisibleRows()
{
    if (!m_messages)
        return;
    const int first = std::max(0, rowAt(0));
    int last = rowAt(viewport()->height() - 1);
    if (last < 0)
        last = std::min(
            m_messages->rowCount() - 1, first + viewport()->height() / std::max(1, rowHeight(first)) + 1);
    m_messages->setVisibleRows(first, std::max(first, last));
}

} // namespace qd
