#pragma once

#include "chartdatamodel.h"

#include <QChartView>

class QAreaSeries;
class QDateTimeAxis;
class QLineSeries;
class QScatterSeries;
class QValueAxis;
class QXYSeries;

namespace qd {

// One dashboard chart over the shared chart data: lines and stacked areas bound to the
// model's columns, operator-action markers along the top, a read-out of every series
// under the mouse. Each refresh replaces every series once; nothing animates.
class ChartPanel final : public QChartView {
    Q_OBJECT
public:
    enum class Axis { Left, Right };

    explicit ChartPanel(ChartDataModel *model, const QString &title, QWidget *parent = nullptr);

    // `name` is the legend's; empty: the column's name.
    void addLine(ChartDataModel::Column column, const QString &name, const QColor &color,
        Axis axis = Axis::Left, Qt::PenStyle style = Qt::SolidLine);
    // Areas stacked bottom first: each layer's top is the sum of the layers up to it.
    void addStack(const QList<std::pair<ChartDataModel::Column, QColor>> &layers);
    void setAxisTitles(const QString &left, const QString &right = {});
    // The axis never goes above this (a percentage stops at 100).
    void setAxisCeiling(Axis axis, double ceiling);

    // The series showing a column: a line, or for a stacked layer its top edge.
    QXYSeries *series(ChartDataModel::Column column) const;
    QScatterSeries *markerSeries() const { return m_markers; }
    QValueAxis *leftAxis() const { return m_left; }
    QDateTimeAxis *timeAxis() const { return m_time; }
    // What hovering at this time shows: the bucket's time, each series' value, and the
    // operator actions near it.
    QString readout(qint64 timeMs) const;
    QString lastReadout() const { return m_lastReadout; }

    void refresh();

protected:
    void mouseMoveEvent(QMouseEvent *event) override;
    void leaveEvent(QEvent *event) override;
    void showEvent(QShowEvent *event) override;
    void changeEvent(QEvent *event) override;

private:
    struct Binding {
        ChartDataModel::Column column;
        QLineSeries *line;
        Axis axis;
        bool stacked;
    };
    QValueAxis *axisFor(Axis axis);
    void applyPalette();
    void scaleAxis(QValueAxis *axis, double maximum, double ceiling);

    ChartDataModel *m_model;
    QDateTimeAxis *m_time;
    QValueAxis *m_left;
    QValueAxis *m_right = nullptr;
    double m_leftCeiling = 0; // 0: none
    double m_rightCeiling = 0;
    QScatterSeries *m_markers;
    QList<Binding> m_bindings;
    QList<QAreaSeries *> m_areas;
    QString m_lastReadout;
    bool m_stale = false; // frames came while hidden
};

} // namespace qd
