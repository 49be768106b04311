#include "chartpanel.h"

#include "metricsformat.h"

#include <QAreaSeries>
#include <QCategoryAxis>
#include <QDateTime>
#include <QLabel>
#include <QLegendMarker>
#include <QLineSeries>
#include <QLocale>
#include <QMouseEvent>
#include <QScatterSeries>
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
// More runs than this in one window is noise; the rest are joined into the last.
constexpr qsizetype kMaxRuns = 24;

// Ticks a clock reader expects: every 10 s on a minute, every minute on five, …
qint64 tickMsFor(ChartDataModel::Range range)
{
    switch (range) {
    case ChartDataModel::Range::OneMinute:
        return 10'000;
    case ChartDataModel::Range::FiveMinutes:
        return 60'000;
    case ChartDataModel::Range::OneHour:
        return qint64(10) * 60'000;
    case ChartDataModel::Range::OneDay:
        return qint64(4) * 3600'000;
    }
    return 60'000;
}

} // namespace

ChartPanel::ChartPanel(ChartDataModel *model, const QString &title, QWidget *parent)
    : QChartView(parent)
    , m_model(model)
    , m_time(new QCategoryAxis(this))
    , m_left(new QValueAxis(this))
    , m_markers(new QScatterSeries(this))
    , m_readoutLabel(new QLabel(viewport()))
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
    m_time->setLabelsPosition(QCategoryAxis::AxisLabelsPositionOnValue);
    m_left->setRange(0, 1);
    m_left->setTickCount(5);
    setChart(c);
    setRenderHint(QPainter::Antialiasing);
    setMouseTracking(true);
    viewport()->setMouseTracking(true); // hover read-outs without a button held
    setMinimumSize(260, 180);

    // The read-out is part of the chart, not a tooltip: it stays while the mouse does and
    // follows the data as frames arrive.
    m_readoutLabel->setObjectName(QStringLiteral("chartReadout"));
    m_readoutLabel->setAttribute(Qt::WA_TransparentForMouseEvents);
    m_readoutLabel->setTextFormat(Qt::RichText);
    m_readoutLabel->setFrameShape(QFrame::Box);
    m_readoutLabel->setAutoFillBackground(true);
    m_readoutLabel->setMargin(4);
    m_readoutLabel->hide();

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

QLineSeries *ChartPanel::newRun(const Binding &b, bool inLegend)
{
    auto *line = new QLineSeries(this);
    line->setName(b.runs.isEmpty() ? QString() : b.runs.first()->name());
    line->setPen(b.pen);
    chart()->addSeries(line);
    line->attachAxis(m_time);
    line->attachAxis(axisFor(b.axis));
    if (!inLegend) {
        for (QLegendMarker *marker : chart()->legend()->markers(line))
            marker->setVisible(false);
    }
    return line;
}

void ChartPanel::addLineBinding(ChartDataModel::Column column, const QString &name, const QPen &pen,
    std::optional<MessageStateKind> state, Axis axis)
{
    Binding b { column, {}, axis, false, pen, state };
    QLineSeries *first = newRun(b, true);
    first->setName(name.isEmpty() ? ChartDataModel::columnName(column) : name);
    b.runs.append(first);
    m_bindings.append(b);
    applyPalette();
    refresh();
}

void ChartPanel::addLine(
    ChartDataModel::Column column, const QString &name, const QColor &color, Axis axis, Qt::PenStyle style)
{
    QPen pen(color, 2);
    pen.setStyle(style);
    pen.setCosmetic(true);
    addLineBinding(column, name, pen, std::nullopt, axis);
}

void ChartPanel::addLine(
    ChartDataModel::Column column, const QString &name, MessageStateKind state, Axis axis, Qt::PenStyle style)
{
    QPen pen(stateColor(state, palette()), 2);
    pen.setStyle(style);
    pen.setCosmetic(true);
    addLineBinding(column, name, pen, state, axis);
}

void ChartPanel::addStack(const QList<std::pair<ChartDataModel::Column, MessageStateKind>> &layers)
{
    QLineSeries *below = nullptr;
    for (const auto &[column, state] : layers) {
        auto *top = new QLineSeries(this);
        auto *area = new QAreaSeries(top, below);
        area->setName(ChartDataModel::columnName(column));
        chart()->addSeries(area);
        area->attachAxis(m_time);
        area->attachAxis(m_left);
        m_bindings.append(Binding { column, { top }, Axis::Left, true, QPen(), state, area });
        below = top;
    }
    // Drawn after the areas, so the markers stay on top.
    chart()->removeSeries(m_markers);
    chart()->addSeries(m_markers);
    m_markers->attachAxis(m_time);
    m_markers->attachAxis(m_left);
    for (QLegendMarker *marker : chart()->legend()->markers(m_markers))
        marker->setVisible(false);
    applyPalette();
    refresh();
}

void ChartPanel::setLineName(ChartDataModel::Column column, const QString &name)
{
    for (const Binding &b : std::as_const(m_bindings)) {
        if (b.column != column)
            continue;
        for (QLineSeries *run : b.runs)
            run->setName(name);
        if (b.area)
            b.area->setName(name);
    }
}

void ChartPanel::setAxisTitles(const QString &left, const QString &right)
{
    m_left->setTitleText(left);
    if (!right.isEmpty())
        axisFor(Axis::Right)->setTitleText(right);
}

void ChartPanel::setAxisCeiling(Axis axis, double ceiling)
{
    scaleFor(axis).ceiling = ceiling;
}

void ChartPanel::setDurationAxis(Axis axis)
{
    axisFor(axis);
    scaleFor(axis).duration = true;
}

QXYSeries *ChartPanel::series(ChartDataModel::Column column) const
{
    for (const Binding &b : m_bindings) {
        if (b.column == column)
            return b.runs.first();
    }
    return nullptr;
}

QList<QLineSeries *> ChartPanel::runs(ChartDataModel::Column column) const
{
    for (const Binding &b : m_bindings) {
        if (b.column == column)
            return b.runs;
    }
    return {};
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
    const std::pair<int, QString> key { int(m_model->range()), m_model->queue() };
    if (key != m_scaleKey) {
        // Another range or queue: its own scale, from the bottom again.
        m_scaleKey = key;
        m_leftScale.peak = m_rightScale.peak = 0;
        m_firstTickMs = 0;
    }
    m_time->setRange(double(start), double(end));
    updateTimeTicks(start, end);

    // Durations: the unit follows the axis's peak, which only grows, so it does not flip
    // back and forth with every frame.
    for (const Axis axis : { Axis::Left, Axis::Right }) {
        AxisScale &scale = scaleFor(axis);
        if (!scale.duration)
            continue;
        double top = scale.peak;
        for (const Binding &b : std::as_const(m_bindings)) {
            if (b.axis != axis)
                continue;
            for (const QPointF &p : m_model->points(b.column))
                top = std::max(top, p.y());
        }
        scale.unitMs = top < 2000 ? 1 : top < 120'000 ? 1000 : 60'000;
        (axis == Axis::Left ? m_left : m_right)
            ->setTitleText(scale.unitMs == 1 ? tr("ms")
                    : scale.unitMs == 1000   ? tr("seconds")
                                             : tr("minutes"));
    }

    double leftMax = 0;
    double rightMax = 0;
    QList<QPointF> stackBelow;
    for (Binding &b : m_bindings) {
        const double unit = scaleFor(b.axis).unitMs;
        double &axisMax = b.axis == Axis::Left ? leftMax : rightMax;
        if (b.stacked) {
            QList<QPointF> points = m_model->points(b.column);
            // Every depth column has a value in every row, so rows line up with the layer below.
            for (qsizetype i = 0; i < points.size() && i < stackBelow.size(); ++i)
                points[i].ry() += stackBelow[i].y();
            stackBelow = points;
            for (const QPointF &p : std::as_const(points))
                axisMax = std::max(axisMax, p.y());
            b.runs.first()->replace(points);
            continue;
        }
        QList<QList<QPointF>> runs = m_model->runs(b.column);
        while (runs.size() > kMaxRuns) {
            runs[kMaxRuns - 1].append(runs.takeLast());
        }
        while (b.runs.size() < runs.size())
            b.runs.append(newRun(b, false));
        for (qsizetype i = 0; i < b.runs.size(); ++i) {
            QList<QPointF> points = i < runs.size() ? runs[i] : QList<QPointF>();
            for (QPointF &p : points) {
                axisMax = std::max(axisMax, p.y());
                p.ry() /= unit;
            }
            if (!points.isEmpty() || b.runs[i]->count() > 0)
                b.runs[i]->replace(points);
        }
    }
    scaleAxis(m_left, m_leftScale, leftMax);
    if (m_right)
        scaleAxis(m_right, m_rightScale, rightMax);

    QList<QPointF> markers;
    for (const OperatorMarker &m : m_model->markers())
        markers.append(QPointF(double(m.timeMs), m_left->max() * kMarkerTop));
    m_markers->replace(markers);
    updateReadout();
}

void ChartPanel::updateTimeTicks(qint64 start, qint64 end)
{
    const qint64 tick = tickMsFor(m_model->range());
    // Round in local time: a 4 h tick falls on 00:00, 04:00, … on the clock people read.
    const qint64 offset = qint64(QDateTime::fromMSecsSinceEpoch(start).offsetFromUtc()) * 1000;
    // A label is centred on its tick: one too close to an edge would be cut in half.
    const qint64 margin = tick / 6;
    const qint64 first = ((start + margin + offset) / tick + 1) * tick - offset;
    const qint64 last = ((end - margin + offset) / tick) * tick - offset;
    if (first == m_firstTickMs && last == m_lastTickMs)
        return; // the same ticks: nothing to lay out again
    m_firstTickMs = first;
    m_lastTickMs = last;
    const QString format = tick < 60'000 ? QStringLiteral("HH:mm:ss") : QStringLiteral("HH:mm");
    for (const QString &label : m_time->categoriesLabels())
        m_time->remove(label);
    m_time->setStartValue(double(first - tick));
    for (qint64 t = first; t <= last; t += tick)
        m_time->append(QDateTime::fromMSecsSinceEpoch(t).toString(format), double(t));
}

void ChartPanel::scaleAxis(QValueAxis *axis, AxisScale &scale, double maximum)
{
    // Grows only: a rate that spikes then falls keeps its scale, so lines move and the
    // axis stays still. Five steps of a nice top are nice steps too (1 → 0.2, 2.5 → 0.5).
    scale.peak = std::max(scale.peak, maximum);
    double top = niceCeiling(scale.peak / scale.unitMs * 1.05);
    if (scale.ceiling > 0 && scale.peak <= scale.ceiling)
        top = std::min(top, scale.ceiling);
    if (axis->max() != top || axis->min() != 0)
        axis->setRange(0, top);
    axis->setTickCount(6);
    axis->setLabelFormat(top / 5 < 1 ? QStringLiteral("%.1f") : QStringLiteral("%.0f"));
}

QString ChartPanel::formatValue(const Binding &b, double v) const
{
    if (std::isnan(v))
        return QStringLiteral("–");
    if (ChartDataModel::isCount(b.column))
        return formatCount(qint64(v));
    if (ChartDataModel::isDuration(b.column))
        return formatDuration(qint64(std::llround(v)));
    if (b.column == ChartDataModel::FailureRate)
        return QStringLiteral("%1 %").arg(QLocale().toString(v, 'f', v < 10 ? 1 : 0));
    return QLocale().toString(v, 'f', v < 10 ? 1 : 0);
}

QString ChartPanel::readout(qint64 timeMs) const
{
    const int row = m_model->rowNear(timeMs);
    if (row < 0)
        return {};
    const auto at = qint64(m_model->value(row, ChartDataModel::Time));
    QStringList lines;
    lines.append(QStringLiteral("<b>%1</b>").arg(formatTimeOfDay(at)));
    for (const Binding &b : m_bindings) {
        const QString name = b.area ? b.area->name() : b.runs.first()->name();
        lines.append(
            QStringLiteral("%1: %2").arg(name.isEmpty() ? ChartDataModel::columnName(b.column) : name,
                formatValue(b, m_model->value(row, b.column))));
    }
    // Actions within one bucket of the spot.
    const qint64 near = std::max<qint64>(ChartDataModel::bucketMs(m_model->range()),
        (m_model->windowEndMs() - m_model->windowStartMs()) / 100);
    for (const OperatorMarker &m : m_model->markers()) {
        if (std::abs(m.timeMs - timeMs) <= near)
            lines.append(QStringLiteral("▲ %1 %2").arg(formatTimeOfDay(m.timeMs), m.text.toHtmlEscaped()));
    }
    return lines.join(QStringLiteral("<br>"));
}

void ChartPanel::updateReadout()
{
    if (!m_hover) {
        m_lastReadout.clear();
        m_readoutLabel->hide();
        return;
    }
    const QPointF inChart = chart()->mapFromScene(mapToScene(*m_hover));
    if (!chart()->plotArea().contains(inChart)) {
        m_hover.reset();
        m_lastReadout.clear();
        m_readoutLabel->hide();
        return;
    }
    // Mapped through the markers, which every chart has on its time axis: a stacked
    // layer's edge is not itself in the chart, and mapping through it reads the left edge.
    const QPointF value = chart()->mapToValue(inChart, m_markers);
    m_lastReadout = readout(qint64(value.x()));
    if (m_lastReadout.isEmpty()) {
        m_readoutLabel->hide();
        return;
    }
    m_readoutLabel->setText(m_lastReadout);
    m_readoutLabel->adjustSize();
    // Beside the pointer, on whichever side has room.
    const QRect area = viewport()->rect();
    const QSize size = m_readoutLabel->size();
    int x = m_hover->x() + 16;
    if (x + size.width() > area.right())
        x = m_hover->x() - 16 - size.width();
    int y = m_hover->y() + 16;
    if (y + size.height() > area.bottom())
        y = std::max(area.top(), m_hover->y() - 16 - size.height());
    m_readoutLabel->move(std::max(area.left(), x), y);
    m_readoutLabel->show();
    m_readoutLabel->raise();
}

void ChartPanel::mouseMoveEvent(QMouseEvent *event)
{
    QChartView::mouseMoveEvent(event);
    m_hover = event->position().toPoint();
    updateReadout();
}

void ChartPanel::showEvent(QShowEvent *event)
{
    QChartView::showEvent(event);
    if (m_stale)
        refresh();
}

void ChartPanel::leaveEvent(QEvent *event)
{
    m_hover.reset();
    updateReadout();
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
    // Colours from the palette, so the charts follow the light or dark scheme; state
    // series take the state palette's tone for it.
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
    for (Binding &b : m_bindings) {
        if (b.area) {
            const QColor color = stateColor(*b.state, p);
            QColor fill = color;
            fill.setAlphaF(0.75);
            b.area->setBrush(fill);
            QPen pen(color.darker(115), 1);
            pen.setCosmetic(true);
            b.area->setPen(pen);
            continue;
        }
        if (b.state)
            b.pen.setColor(stateColor(*b.state, p));
        for (QLineSeries *run : std::as_const(b.runs))
            run->setPen(b.pen);
    }
    QPalette tip = m_readoutLabel->palette();
    tip.setColor(QPalette::Window, p.color(QPalette::ToolTipBase));
    tip.setColor(QPalette::WindowText, p.color(QPalette::ToolTipText));
    m_readoutLabel->setPalette(tip);
}

} // namespace qd
