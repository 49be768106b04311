#include "countertilesview.h"

#include "countertilesmodel.h"

#include <QEvent>
#include <QFrame>
#include <QHBoxLayout>
#include <QLabel>
#include <QVBoxLayout>

namespace qd {

CounterTilesView::CounterTilesView(CounterTilesModel *model, QWidget *parent)
    : QWidget(parent)
    , m_model(model)
{
    auto *row = new QHBoxLayout(this);
    row->setContentsMargins(0, 0, 0, 0);
    for (int i = 0; i < model->rowCount(); ++i) {
        auto *tile = new QFrame(this);
        tile->setFrameShape(QFrame::StyledPanel);
        tile->setToolTip(model->data(model->index(i), Qt::ToolTipRole).toString());
        auto *title = new QLabel(model->data(model->index(i), CounterTilesModel::TitleRole).toString(), tile);
        auto *value = new QLabel(tile);
        value->setObjectName(QStringLiteral("tileValue%1").arg(i));
        value->setTextInteractionFlags(Qt::TextSelectableByMouse);
        auto *column = new QVBoxLayout(tile);
        column->addWidget(title);
        column->addWidget(value);
        row->addWidget(tile, 1);
        m_titles.append(title);
        m_values.append(value);
    }
    applyFonts();
    connect(model, &QAbstractItemModel::dataChanged, this,
        [this](const QModelIndex &a, const QModelIndex &b) { refreshTiles(a.row(), b.row()); });
    refreshTiles(0, model->rowCount() - 1);
}

void CounterTilesView::refreshTiles(int first, int last)
{
    for (int i = first; i <= last && i < m_values.size(); ++i) {
        QLabel *value = m_values.at(i);
        value->setText(m_model->data(m_model->index(i)).toString());
        // Failures that are waiting for someone stand out; zero stays quiet.
        const bool alarm = (i == CounterTilesModel::Failed || i == CounterTilesModel::DeadLetter)
            && m_model->data(m_model->index(i), CounterTilesModel::ValueRole).toDouble() > 0;
        QPalette p = palette();
        if (alarm)
            p.setColor(QPalette::WindowText, QColor(0xdc, 0x26, 0x26));
        value->setPalette(p);
    }
}

void CounterTilesView::applyFonts()
{
    QFont big = font();
    big.setPointSizeF(big.pointSizeF() * 1.7);
    big.setBold(true);
    for (QLabel *v : std::as_const(m_values))
        v->setFont(big);
    QFont small = font();
    small.setPointSizeF(small.pointSizeF() * 0.9);
    for (QLabel *t : std::as_const(m_titles))
        t->setFont(small);
}

void CounterTilesView::changeEvent(QEvent *event)
{
    if (event->type() == QEvent::FontChange)
        applyFonts();
    if (event->type() == QEvent::PaletteChange)
        refreshTiles(0, int(m_values.size()) - 1);
    QWidget::changeEvent(event);
}

} // namespace qd
