#include "countertilesview.h"

#include "countertilesmodel.h"
#include "statepalette.h"

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
        auto *note = new QLabel(tile);
        note->setObjectName(QStringLiteral("tileNote%1").arg(i));
        // A stripe in the state's colour ties the tile to its series in the charts.
        auto *stripe = new QFrame(tile);
        stripe->setFixedWidth(4);
        stripe->setAutoFillBackground(true);
        auto *column = new QVBoxLayout;
        column->setSpacing(0);
        column->addWidget(title);
        column->addWidget(value);
        column->addWidget(note);
        auto *tileRow = new QHBoxLayout(tile);
        tileRow->setContentsMargins(0, 0, 6, 4);
        tileRow->addWidget(stripe);
        tileRow->addSpacing(4);
        tileRow->addLayout(column, 1);
        row->addWidget(tile, 1);
        m_titles.append(title);
        m_values.append(value);
        m_notes.append(note);
        m_stripes.append(stripe);
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
        const QModelIndex index = m_model->index(i);
        const QVariant state = index.data(CounterTilesModel::StateRole);
        // Failures that are waiting for someone stand out; zero stays quiet.
        const bool alarm = (i == CounterTilesModel::Failed || i == CounterTilesModel::DeadLetter)
            && index.data(CounterTilesModel::ValueRole).toDouble() > 0;
        // Only the roles set here are the label's own; the rest follow the theme.
        QPalette p;
        if (alarm)
            p.setColor(QPalette::WindowText, stateColor(MessageStateKind(state.toInt()), palette()));
        value->setPalette(p);
        QPalette stripe;
        stripe.setColor(QPalette::Window,
            state.isValid() ? stateColor(MessageStateKind(state.toInt()), palette())
                            : QColor(Qt::transparent));
        m_stripes.at(i)->setPalette(stripe);
        // Why the backlog grows: said where the number is, not only on another page.
        const QString note = index.data(CounterTilesModel::NoteRole).toString();
        QLabel *noteLabel = m_notes.at(i);
        noteLabel->setText(note);
        QPalette notePalette;
        notePalette.setColor(QPalette::WindowText, stateColor(MessageStateKind::Retried, palette()));
        noteLabel->setPalette(notePalette); // always there, so tiles keep their height
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
    small.setBold(true);
    for (QLabel *n : std::as_const(m_notes))
        n->setFont(small);
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
