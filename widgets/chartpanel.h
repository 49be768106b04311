#pragma once

#include "chartdatamodel.h"
#include "statepalette.h"

#include <QChartView>

#include <optional>

class QAreaSeries;
class QCategoryAxis;
class QLabel;
class QLineSeries;
class QScatterSeries;
class QValueAxis;
class QXYSeries;

namespace qd {

// One dashboard chart over the shared chart data: lines and stacked areas bound to the
// model's columns, operator-action markers along the top, a read-out of every series
// under the mouse. Each refresh replaces every series once; nothing animates. Lines break
// where nothing was measured; value axes only grow (to round tops) until the range or
// queue changes; time ticks fall on round times.
class ChartPanel final : public QChartView {
    Q_OBJECT
public:
    enum class Axis { Left, Right };

    explicit ChartPanel(ChartDataModel *model, const QString &title, QWidget *parent = nullptr);

    // `name` is the legend's; empty: the column's name.
    void addLine(ChartDataModel::Column column, const QString &name, const QColor &color,
        Axis axis = Axis::Left, Qt::PenStyle style = Qt::SolidLine);
    // A line in a message state's colour, which follows the palette (light or dark).
    void addLine(ChartDataModel::Column column, const QString &name, MessageStateKind state,
        Axis axis = Axis::Left, Qt::PenStyle style = Qt::SolidLine);
    // Areas stacked bottom first, in their states' colours: each layer's top is the sum of
    // the layers up to it.
    void addStack(const QList<std::pair<ChartDataModel::Column, MessageStateKind>> &layers);
    void setLineName(ChartDataModel::Column column, const QString &name);
    void setAxisTitles(const QString &left, const QString &right = {});
    // The axis never goes above this (a percentage stops at 100).
    void setAxisCeiling(Axis axis, double ceiling);
    // The axis shows durations given in ms, in the unit that reads best (ms, s or min).
    void setDurationAxis(Axis axis);

    // The series showing a column: a line (its first run), or for a stacked layer its top edge.
    QXYSeries *series(ChartDataModel::Column column) const;
    // Every run a line is drawn in, empty ones included.
    QList<QLineSeries *> runs(ChartDataModel::Column column) const;
    QScatterSeries *markerSeries() const { return m_markers; }
    QValueAxis *leftAxis() const { return m_left; }
    QValueAxis *rightAxis() const { return m_right; }
    QCategoryAxis *timeAxis() const { return m_time; }
    // What hovering at this time shows: the bucket's time, each series' value, and the
    // operator actions near it.
    QString readout(qint64 timeMs) const;
    QString lastReadout() const { return m_lastReadout; }
    QLabel *readoutLabel() const { return m_readoutLabel; }

    void refresh();

protected:
    void mouseMoveEvent(QMouseEvent *event) override;
    void leaveEvent(QEvent *event) override;
    void showEvent(QShowEvent *event) override;
    void changeEvent(QEvent *event) override;

private:
    struct Binding {
        ChartDataModel::Column column;
        QList<QLineSeries *> runs; // a stacked layer has one: its top edge
        Axis axis;
        bool stacked;
        QPen pen;
        std::optional<MessageStateKind> state;
        QAreaSeries *area = nullptr;
    };
    struct AxisScale {
        double ceiling = 0; // 0: none
        double peak = 0; // grows until the range or queue changes
        bool duration = false;
        double unitMs = 1;
    };
    QValueAxis *axisFor(Axis axis);
    AxisScale &scaleFor(Axis axis) { return axis == Axis::Left ? m_leftScale : m_rightScale; }
    void addLineBinding(ChartDataModel::Column column, const QString &name, const QPen &pen,
        std::optional<MessageStateKind> state, Axis axis);
    QLineSeries *newRun(const Binding &b, bool inLegend);
    void applyPalette();
    void scaleAxis(QValueAxis *axis, AxisScale &scale, double maximum);
    void updateTimeTicks(qint64 start, qint64 end);
    void updateReadout();
    QString formatValue(const Binding &b, double v) const;

    ChartDataModel *m_model;
    QCategoryAxis *m_time;
    QValueAxis *m_left;
    QValueAxis *m_right = nullptr;
    AxisScale m_leftScale;
    AxisScale m_rightScale;
    QScatterSeries *m_markers;
    QLabel *m_readoutLabel;
    QList<Binding> m_bindings;
    QString m_lastReadout;
    std::optional<QPoint> m_hover; // in viewport coordinates, while over the plot
    std::pair<int, QString> m_scaleKey { -1, {} }; // range and queue the peaks are for
    qint64 m_firstTickMs = 0;
    qint64 m_lastTickMs = 0;
    bool m_stale = false; // frames came while hidden
};

} // namespace qd
