#include "nodespanel.h"

#include "nodetablemodel.h"

#include <QEvent>
#include <QHeaderView>
#include <QLabel>
#include <QScrollBar>
#include <QTableView>
#include <QVBoxLayout>

namespace qd {

NodesPanel::NodesPanel(NodeTableModel *model, QWidget *parent)
    : QWidget(parent)
    , m_model(model)
    , m_heading(new QLabel(this))
    , m_table(new QTableView(this))
{
    m_heading->setObjectName(QStringLiteral("nodesHeading"));
    m_heading->setTextInteractionFlags(Qt::TextSelectableByMouse);
    // A long store path must not widen the page; the whole of it is in the tooltip.
    m_heading->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Preferred);
    QFont bold = m_heading->font();
    bold.setBold(true);
    m_heading->setFont(bold);

    m_table->setObjectName(QStringLiteral("nodesTable"));
    m_table->setModel(model);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setSelectionMode(QAbstractItemView::SingleSelection);
    m_table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_table->setAlternatingRowColors(true);
    m_table->setWordWrap(false);
    m_table->setCornerButtonEnabled(false);
    m_table->verticalHeader()->hide();
    m_table->verticalHeader()->setSectionResizeMode(QHeaderView::Fixed);
    // Columns are fitted to their text, then share what width is left: see fitColumns().
    m_table->horizontalHeader()->setSectionResizeMode(QHeaderView::Fixed);
    m_table->horizontalHeader()->setStretchLastSection(false);
    m_table->viewport()->installEventFilter(this);
    m_table->setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Fixed);

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(4);
    layout->addWidget(m_heading);
    layout->addWidget(m_table);

    connect(model, &NodeTableModel::nodesChanged, this, &NodesPanel::updateHeading);
    const auto refit = [this] {
        fitHeight();
        fitColumns();
    };
    connect(model, &QAbstractItemModel::rowsInserted, this, refit);
    connect(model, &QAbstractItemModel::rowsRemoved, this, refit);
    connect(model, &QAbstractItemModel::modelReset, this, refit);
    connect(model, &QAbstractItemModel::dataChanged, this, &NodesPanel::fitColumns);
    // A horizontal scroll bar takes a row's room unless the table grows by its height.
    connect(m_table->horizontalScrollBar(), &QScrollBar::rangeChanged, this, &NodesPanel::fitHeight);
    updateHeading();
    fitHeight();
}

void NodesPanel::setStore(const QString &displaySpec, bool shared)
{
    m_store = displaySpec;
    m_shared = shared;
    updateHeading();
}

void NodesPanel::updateHeading()
{
    QString text;
    if (!m_shared) {
        text = m_store.isEmpty() ? tr("This runtime") : tr("This runtime — SQLite store %1").arg(m_store);
    } else {
        const int alive = m_model->aliveCount();
        const int silent = m_model->rowCount() - alive;
        text = tr("Nodes — %1 serving %2").arg(alive).arg(m_store);
        if (silent > 0)
            text += tr(", %n without a heartbeat", nullptr, silent);
    }
    m_heading->setText(text);
    m_heading->setToolTip(m_shared ? tr("Runtimes sharing the store %1").arg(m_store)
                                   : tr("The store is a file of this runtime's alone: %1").arg(m_store));
}

void NodesPanel::fitHeight()
{
    // Dense rows: the table shares the page's height with the charts.
    const int dense = m_table->fontMetrics().height() + 6;
    m_table->verticalHeader()->setMinimumSectionSize(dense);
    m_table->verticalHeader()->setDefaultSectionSize(dense);
    const int rows = qBound(1, m_model->rowCount(), kMaxVisibleRows);
    const int rowHeight = m_table->verticalHeader()->defaultSectionSize();
    int height
        = 2 * m_table->frameWidth() + m_table->horizontalHeader()->sizeHint().height() + rows * rowHeight;
    if (m_table->horizontalScrollBar()->maximum() > 0)
        height += m_table->horizontalScrollBar()->sizeHint().height();
    m_table->setFixedHeight(height);
}

void NodesPanel::fitColumns()
{
    // A handful of rows at most: measuring every cell costs nothing here. Each column gets
    // its text's width and an even share of the rest, so the table fills the page's width
    // without one column swallowing it all.
    QHeaderView *header = m_table->horizontalHeader();
    const QAbstractItemView *view = m_table; // QTableView hides the public sizeHintForColumn()
    const int columns = m_model->columnCount();
    QList<int> widths;
    int total = 0;
    for (int column = 0; column < columns; ++column) {
        const int width = qMax(view->sizeHintForColumn(column), header->sectionSizeHint(column));
        widths.append(width);
        total += width;
    }
    const int spare = qMax(0, m_table->viewport()->width() - total);
    for (int column = 0; column < columns; ++column)
        header->resizeSection(
            column, widths.at(column) + spare / columns + (column == 0 ? spare % columns : 0));
}

bool NodesPanel::eventFilter(QObject *watched, QEvent *event)
{
    if (watched == m_table->viewport() && event->type() == QEvent::Resize)
        fitColumns();
    return QWidget::eventFilter(watched, event);
}

void NodesPanel::changeEvent(QEvent *event)
{
    if (event->type() == QEvent::FontChange || event->type() == QEvent::StyleChange) {
        fitHeight();
        fitColumns();
    }
    QWidget::changeEvent(event);
}

} // namespace qd
