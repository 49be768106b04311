#pragma once

#include <QWidget>

class QFrame;
class QLabel;

namespace qd {

class CounterTilesModel;

// The counter tiles, one framed title-and-number per row of the model.
class CounterTilesView final : public QWidget {
    Q_OBJECT
public:
    explicit CounterTilesView(CounterTilesModel *model, QWidget *parent = nullptr);
    QLabel *valueLabel(int tile) const { return m_values.value(tile); }
    QLabel *noteLabel(int tile) const { return m_notes.value(tile); }

protected:
    void changeEvent(QEvent *event) override;

private:
    void refreshTiles(int first, int last);
    void applyFonts();

    CounterTilesModel *m_model;
    QList<QLabel *> m_titles;
    QList<QLabel *> m_values;
    QList<QLabel *> m_notes;
    QList<QFrame *> m_stripes;
};

} // namespace qd
