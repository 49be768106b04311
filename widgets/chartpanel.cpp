#include "chartpanel.h"

#include "metricsformat.h"

#include <QAreaSeries>
#include <QDateTime>
#include <QDateTimeAxis>
#include <QLegendMarker>
#include <QLineSeries>
#include <QMouseEvent>
#include <QScatterSeries>
#include <QToolTip>
#include <QValueAxis>

#include <cmath>

namespace qd {

namespace {

// 1, 2, 2.5, 5 times a power of ten: axis tops people read at a glance.
double niceCeiling(double v)
{
    if (v <= 0)
        return 1;
    const double magnitude = std::pow(10.0, std::floor(std::log10(v)));
    for (double step : { 1.0, 2.0, 2.5, 5.0, 10.0 }) {
        if (v <= step * magnitude)
            return step * magnitude;
    }
    return 10 * magnitude;
}

constexpr qreal kMarkerTop = 0.94; // markers ride just under the top of the plot

} // namespace

ChartPanel::ChartPanel(ChartDataModel *model, const QString &title, QWidget *parent)
    : QChartView(parent)
    , m_model(model)
    , m_time(new QDateTimeAxis(this))
    , m_left(new QValueAxis(this))
    , m_markers(new QScatterSeries(this))
{
    auto *c = new QChart;
    c->setTitle(title);
    // Live data: animation would only add work and lag.
    c->setAnimationOptions(QChart::NoAnimation);
    c->setBackgroundRoundness(0);
    c->setMargins(QMargins(4, 4, 4, 4));
    c->legend()->setAlignment(Qt::AlignBottom);
    c->addAxis(m_time, Qt::AlignBottom);
    c->addAxis(m_left, Qt::AlignLeft);
    m_time->setTickCount(6);
    m_left->setRange(0, 1);
    m_left->setTickCount(5);
    setChart(c);
    setRenderHint(QPainter::Antialiasing);
    setMouseTracking(true);
    viewport()->setMouseTracking(true); // hover read-outs without a button held
    setMinimumSize(260, 180);

    m_markers->setName(tr("Operator action"));
    m_markers->setMarkerShape(QScatterSeries::MarkerShapeTriangle);
    m_markers->setMarkerSize(11);
    m_markers->setColor(QColor(0xd9, 0x46, 0xef));
    m_markers->setBorderColor(QColor(0x86, 0x19, 0x8f));
    c->addSeries(m_markers);
    m_markers->attachAxis(m_time);
    m_markers->attachAxis(m_left);
    // The legend has room for the series; markers explain themselves on hover.
    for (QLegendMarker *marker : c->legend()->markers(m_markers))
        marker->setVisible(false);
    QFont legendFont = c->legend()->font();
    legendFont.setPointSizeF(legendFont.pointSizeF() * 0.9);
    c->legend()->setFont(legendFont);
    applyPalette();
    connect(model, &ChartDataModel::refreshed, this, &ChartPanel::refresh);
}

QValueAxis *ChartPanel::axisFor(Axis axis)
{
    if (axis == Axis::Left)
        return m_left;
    if (!m_right) {
        m_right = new QValueAxis(this);
        m_right->setRange(0, 1);
        m_right->setTickCount(5);
        chart()->addAxis(m_right, Qt::AlignRight);
        applyPalette();
    }
    return m_right;
}

void ChartPanel::addLine(
    ChartDataModel::Column column, const QString &name, const QColor &color, Axis axis, Qt::PenStyle style)
{
    auto *line = new QLineSeries(this);
    line->setName(name.isEmpty() ? ChartDataModel::columnName(column) : name);
    QPen pen(color, 2);
    pen.setStyle(style);
    pen.setCosmetic(true);
    line->setPen(pen);
    chart()->addSeries(line);
    line->attachAxis(m_time);
    line->attachAxis(axisFor(axis));
    m_bindings.append(Binding { column, line, axis, false });
    refresh();
}

void ChartPanel::addStack(const QList<std::pair<ChartDataModel::Column, QColor>> &layers)
{
    QLineSeries *below = nullptr;
    for (const auto &[column, color] : layers) {
        auto *top = new QLineSeries(this);
        auto *area = new QAreaSeries(top, below);
        area->setName(ChartDataModel::columnName(column));
        QColor fill = color;
        fill.setAlphaF(0.75);
        area->setBrush(fill);
        QPen pen(color.darker(115), 1);
        pen.setCosmetic(true);
        area->setPen(pen);
        chart()->addSeries(area);
        area->attachAxis(m_time);
        area->attachAxis(m_left);
        m_areas.append(area);
        m_bindings.append(Binding { column, top, Axis::Left, true });
        below = top;
    }
    // Drawn after the areas, so the markers stay on top.
    chart()->removeSeries(m_markers);
    chart()->addSeries(m_markers);
    m_markers->attachAxis(m_time);
    m_markers->attachAxis(m_left);
    for (QLegendMarker *marker : chart()->legend()->markers(m_markers))
        marker->setVisible(false);
    refresh();
}

void ChartPanel::setAxisTitles(const QString &left, const QString &right)
{
    m_left->setTitleText(left);
    if (!right.isEmpty())
        axisFor(Axis::Right)->setTitleText(right);
}

void ChartPanel::setAxisCeiling(Axis axis, double ceiling)
{
    (axis == Axis::Left ? m_leftCeiling : m_rightCeiling) = ceiling;
}

QXYSeries *ChartPanel::series(ChartDataModel::Column column) const
{
    for (const Binding &b : m_bindings) {
        if (b.column == column)
            return b.line;
    }
    return nullptr;
}

void ChartPanel::refresh()
{
    // Another page is showing: nobody would see the work; catch up when shown.
    if (!isVisible()) {
        m_stale = true;
        return;
    }
    m_stale = false;
    const qint64 start = m_model->windowStartMs();
    const qint64 end = m_model->windowEndMs();
    m_time->setRange(QDateTime::fromMSecsSinceEpoch(start), QDateTime::fromMSecsSinceEpoch(end));
    m_time->setFormat(m_model->range() <= ChartDataModel::Range::FiveMinutes ? QStringLiteral("HH:mm:ss")
                                                                             : QStringLiteral("HH:mm"));
    double leftMax = 0;
    double rightMax = 0;
    QList<QPointF> stackBelow;
    for (const Binding &b : std::as_const(m_bindings)) {
        QList<QPointF> points = m_model->points(b.column);
        if (b.stacked) {
            // Every depth column has a value in every row, so rows line up with the layer below.
            for (qsizetype i = 0; i < points.size() && i < stackBelow.size(); ++i)
                points[i].ry() += stackBelow[i].y();
            stackBelow = points;
        }
        double top = 0;
        for (const QPointF &p : std::as_const(points))
            top = std::max(top, p.y());
        (b.axis == Axis::Left ? leftMax : rightMax)
            = std::max(b.axis == Axis::Left ? leftMax : rightMax, top);
        b.line->replace(points);
    }
    scaleAxis(m_left, leftMax, m_leftCeiling);
    if (m_right)
        scaleAxis(m_right, rightMax, m_rightCeiling);

    QList<QPointF> markers;
    for (const OperatorMarker &m : m_model->markers())
        markers.append(QPointF(double(m.timeMs), m_left->max() * kMarkerTop));
    m_markers->replace(markers);
}

void ChartPanel::scaleAxis(QValueAxis *axis, double maximum, double ceiling)
{
    // Five steps of a nice top are nice steps too (1 → 0.2, 2.5 → 0.5, 5 → 1).
    double top = niceCeiling(maximum * 1.05);
    if (ceiling > 0 && maximum <= ceiling)
        top = std::min(top, ceiling);
    if (axis->max() != top || axis->min() != 0)
        axis->setRange(0, top);
    axis->setTickCount(6);
    axis->setLabelFormat(top / 5 < 1 ? QStringLiteral("%.1f") : QStringLiteral("%.0f"));
}

QString ChartPanel::readout(qint64 timeMs) const
{
    const int row = m_model->rowNear(timeMs);
    if (row < 0)
        return {};
    const qint64 at = qint64(m_model->value(row, ChartDataModel::Time));
    QStringList lines;
    lines.append(QStringLiteral("<b>%1</b>")
                     .arg(QDateTime::fromMSecsSinceEpoch(at).toString(QStringLiteral("HH:mm:ss"))));
    for (const Binding &b : m_bindings) {
        const double v = m_model->value(row, b.column);
        const QString text = std::isnan(v)                ? QStringLiteral("–")
            : b.column <= ChartDataModel::DeadLetterDepth ? formatCount(qint64(v))
                                                          : QLocale().toString(v, 'f', v < 10 ? 1 : 0);
        lines.append(QStringLiteral("%1: %2").arg(
            b.line->name().isEmpty() ? ChartDataModel::columnName(b.column) : b.line->name(), text));
    }
    // Actions within one bucket of the spot.
    const qint64 near = std::max<qint64>(ChartDataModel::bucketMs(m_model->range()),
        (m_model->windowEndMs() - m_model->windowStartMs()) / 100);
    for (const OperatorMarker &m : m_model->markers()) {
        if (std::abs(m.timeMs - timeMs) <= near)
            lines.append(QStringLiteral("▲ %1 %2").arg(
                QDateTime::fromMSecsSinceEpoch(m.timeMs).toString(QStringLiteral("HH:mm:ss")),
                m.text.toHtmlEscaped()));
    }
    return lines.join(QStringLiteral("<br>"));
}

void ChartPanel::mouseMoveEvent(QMouseEvent *event)
{
    QChartView::mouseMoveEvent(event);
    const QPointF scene = mapToScene(event->position().toPoint());
    const QPointF inChart = chart()->mapFromScene(scene);
    if (!chart()->plotArea().contains(inChart)) {
        QToolTip::hideText();
        m_lastReadout.clear();
        return;
    }
    const QPointF value
        = chart()->mapToValue(inChart, m_bindings.isEmpty() ? nullptr : m_bindings.first().line);
    m_lastReadout = readout(qint64(value.x()));
    if (!m_lastReadout.isEmpty())
        QToolTip::showText(event->globalPosition().toPoint(), m_lastReadout, this);
}

void ChartPanel::showEvent(QShowEvent *event)
{
    QChartView::showEvent(event);
    if (m_stale)
        refresh();
}

void ChartPanel::leaveEvent(QEvent *event)
{
    QToolTip::hideText();
    QChartView::leaveEvent(event);
}

void ChartPanel::changeEvent(QEvent *event)
{
    if (event->type() == QEvent::PaletteChange)
        applyPalette();
    QChartView::changeEvent(event);
}

void ChartPanel::applyPalette()
{
    // Colours from the palette, so the charts follow the system's light or dark scheme;
    // the series keep their own colours, chosen to read on both.
    const QPalette p = palette();
    QChart *c = chart();
    c->setBackgroundBrush(p.base());
    c->setPlotAreaBackgroundVisible(false);
    c->setTitleBrush(p.text());
    c->legend()->setLabelColor(p.text().color());
    QColor grid = p.text().color();
    grid.setAlphaF(0.12);
    for (QAbstractAxis *axis : c->axes()) {
        axis->setLabelsColor(p.text().color());
        axis->setTitleBrush(p.text());
        axis->setGridLineColor(grid);
        axis->setLinePenColor(grid);
        axis->setMinorGridLineColor(grid);
    }
    setBackgroundBrush(p.base());
}

} // namespace qd
