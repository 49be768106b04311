#include "messagetableview.h"

#include "messagetablemodel.h"

#include <QHeaderView>
#include <QKeyEvent>
#include <QScrollBar>

namespace qd {

MessageTableView::MessageTableView(QWidget *parent)
    : QTableView(parent)
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
}

void MessageTableView::setModel(QAbstractItemModel *model)
{
    QTableView::setModel(model);
    m_messages = qobject_cast<MessageTableModel *>(model);
    if (!model)
        return;
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
    std::sort(rows.begin(), rows.end());
    rows.erase(std::unique(rows.begin(), rows.end()), rows.end());
    if (rows.isEmpty() && currentIndex().isValid())
        rows.append(currentIndex().row());
    return rows;
}

void MessageTableView::moveCurrent(int delta)
{
    if (!model() || model()->rowCount() == 0)
        return;
    const int row
        = std::clamp(currentIndex().isValid() ? currentIndex().row() + delta : 0, 0, model()->rowCount() - 1);
    const QModelIndex target = model()->index(row, std::max(0, currentIndex().column()));
    // With rows marked by x, moving keeps the marks; otherwise the selection follows.
    const bool marking = selectionModel()->selectedRows().size() > 1;
    selectionModel()->setCurrentIndex(target,
        marking ? QItemSelectionModel::NoUpdate
                : QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
    scrollTo(target);
}

void MessageTableView::keyPressEvent(QKeyEvent *event)
{
    if (event->modifiers() & (Qt::ControlModifier | Qt::AltModifier | Qt::MetaModifier)) {
        QTableView::keyPressEvent(event);
        return;
    }
    switch (event->key()) {
    case Qt::Key_J:
        moveCurrent(1);
        return;
    case Qt::Key_K:
        moveCurrent(-1);
        return;
    case Qt::Key_X:
        if (currentIndex().isValid())
            selectionModel()->select(currentIndex(), QItemSelectionModel::Toggle | QItemSelectionModel::Rows);
        return;
    case Qt::Key_Return:
    case Qt::Key_Enter:
        if (currentIndex().isValid())
            emit openRequested(currentIndex().row());
        return;
    case Qt::Key_R:
        emit retryRequested();
        return;
    case Qt::Key_D:
    case Qt::Key_Delete:
        emit deleteRequested();
        return;
    case Qt::Key_Slash:
        emit searchRequested();
        return;
    default:
        QTableView::keyPressEvent(event);
    }
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
