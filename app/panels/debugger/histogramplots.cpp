#include "histogramplots.h"

#include "plotcolors.h"

#include <QApplication>
#include <QPalette>

#include <algorithm>
#include <cmath>

namespace cairn::panels {

namespace {
void styleAxes(QCustomPlot *plot)
{
    const QPalette pal = QApplication::palette();
    plot->setBackground(pal.color(QPalette::Base));
    for (QCPAxis *axis : {plot->xAxis, plot->yAxis}) {
        axis->setBasePen(QPen(pal.color(QPalette::Text)));
        axis->setTickPen(QPen(pal.color(QPalette::Text)));
        axis->setSubTickPen(QPen(pal.color(QPalette::Text)));
        axis->setTickLabelColor(pal.color(QPalette::Text));
        axis->setLabelColor(pal.color(QPalette::Text));
        axis->grid()->setPen(QPen(pal.color(QPalette::Mid), 0, Qt::DotLine));
    }
}

QCPItemText *emptyText(QCustomPlot *plot)
{
    auto *t = new QCPItemText(plot);
    t->position->setType(QCPItemPosition::ptAxisRectRatio);
    t->position->setCoords(0.5, 0.5);
    t->setColor(QApplication::palette().color(QPalette::PlaceholderText));
    return t;
}

/// The value range of the series' histograms (finite edges).
QCPRange valueRange(const debugger::TensorSeries &s)
{
    double lo = HUGE_VAL, hi = -HUGE_VAL;
    for (const auto &sample : s.samples)
        if (!sample.edges.empty() && std::isfinite(sample.edges.front()) && std::isfinite(sample.edges.back())) {
            lo = std::min(lo, sample.edges.front());
            hi = std::max(hi, sample.edges.back());
        }
    if (!(hi > lo))
        return QCPRange(std::isfinite(lo) ? lo - 0.5 : 0, std::isfinite(lo) ? lo + 0.5 : 1);
    return QCPRange(lo, hi);
}
} // namespace

HistogramHeatmap::HistogramHeatmap(QWidget *parent) : QCustomPlot(parent)
{
    setMinimumSize(240, 160);
    styleAxes(this);
    m_map = new QCPColorMap(xAxis, yAxis);
    m_scale = new QCPColorScale(this);
    plotLayout()->addElement(0, 1, m_scale);
    m_scale->setType(QCPAxis::atRight);
    m_scale->axis()->setLabel(tr("count (log)"));
    m_scale->axis()->setTickLabelColor(QApplication::palette().color(QPalette::Text));
    m_scale->axis()->setLabelColor(QApplication::palette().color(QPalette::Text));
    m_map->setColorScale(m_scale);
    QCPColorGradient gradient;
    gradient.clearColorStops();
    for (int i = 0; i <= 8; ++i)
        gradient.setColorStopAt(i / 8.0, gui::rampColor(i / 8.0));
    m_map->setGradient(gradient);
    m_map->setInterpolate(false);
    auto *group = new QCPMarginGroup(this);
    axisRect()->setMarginGroup(QCP::msBottom | QCP::msTop, group);
    m_scale->setMarginGroup(QCP::msBottom | QCP::msTop, group);
    xAxis->setLabel(tr("step"));
    yAxis->setLabel(tr("value"));
    m_marker = new QCPItemStraightLine(this);
    m_marker->setPen(QPen(QColor(255, 80, 80), 1.5, Qt::DashLine));
    m_marker->setVisible(false);
    m_empty = emptyText(this);
    m_empty->setText(tr("Pick a tensor with histograms"));
    setInteractions(QCP::iRangeDrag | QCP::iRangeZoom);
}

void HistogramHeatmap::setSeries(const debugger::TensorSeries &series)
{
    std::vector<const debugger::TensorSample *> withHist;
    for (const auto &s : series.samples)
        if (s.bins() > 0)
            withHist.push_back(&s);
    m_empty->setVisible(withHist.empty());
    if (withHist.empty()) {
        m_map->data()->clear();
        m_map->data()->setSize(0, 0);
        replot();
        return;
    }
    const QCPRange values = valueRange(series);
    const int rows = 64;
    const int cols = int(withHist.size());
    m_map->data()->setSize(cols, rows);
    const double first = double(withHist.front()->step), last = double(withHist.back()->step);
    m_map->data()->setRange(QCPRange(first, cols > 1 ? last : first + 1), values);
    const double rowHeight = values.size() / rows;
    double maxCount = 1;
    for (int c = 0; c < cols; ++c) {
        std::vector<double> cells(size_t(rows), 0.0);
        const auto &s = *withHist[size_t(c)];
        for (int b = 0; b < s.bins(); ++b) {
            const double centre = (s.edges[size_t(b)] + s.edges[size_t(b) + 1]) / 2;
            const int r = std::clamp(int((centre - values.lower) / rowHeight), 0, rows - 1);
            cells[size_t(r)] += s.counts[size_t(b)];
        }
        for (int r = 0; r < rows; ++r) {
            maxCount = std::max(maxCount, cells[size_t(r)]);
            m_map->data()->setCell(c, r, cells[size_t(r)] > 0 ? std::log10(1 + cells[size_t(r)]) : std::nan(""));
        }
    }
    m_map->setDataRange(QCPRange(0, std::log10(1 + maxCount)));
    m_map->data()->fillAlpha(255);
    for (int c = 0; c < cols; ++c)
        for (int r = 0; r < rows; ++r)
            if (std::isnan(m_map->data()->cell(c, r)))
                m_map->data()->setAlpha(c, r, 0);
    m_map->rescaleAxes();
    const double pad = cols > 1 ? (last - first) / (cols - 1) / 2 : 0.5;
    xAxis->setRange(first - pad, (cols > 1 ? last : first) + pad);
    yAxis->setRange(values);
    replot();
}

void HistogramHeatmap::setMarker(qint64 step)
{
    m_marker->setVisible(step >= 0);
    if (step >= 0) {
        m_marker->point1->setCoords(double(step), 0);
        m_marker->point2->setCoords(double(step), 1);
    }
    replot();
}

QSize HistogramHeatmap::gridSize() const
{
    return QSize(m_map->data()->keySize(), m_map->data()->valueSize());
}

OffsetHistogramPlot::OffsetHistogramPlot(QWidget *parent) : QCustomPlot(parent)
{
    setMinimumSize(240, 160);
    styleAxes(this);
    xAxis->setLabel(tr("value"));
    yAxis->setLabel(tr("step"));
    m_empty = emptyText(this);
    m_empty->setText(tr("Pick a tensor with histograms"));
    legend->setVisible(false);
    setInteractions(QCP::iRangeDrag | QCP::iRangeZoom);
}

void OffsetHistogramPlot::setSeries(const debugger::TensorSeries &series, const QString &label)
{
    m_series = series;
    m_label = label;
    m_current = series.samples.empty() ? -1 : int(series.samples.size()) - 1;
    rebuild();
}

void OffsetHistogramPlot::setComparison(const debugger::TensorSeries &series, const QString &label)
{
    m_other = series;
    m_otherLabel = label;
    rebuild();
}

void OffsetHistogramPlot::setCurrent(int index)
{
    m_current = index;
    rebuild();
}

void OffsetHistogramPlot::rebuild()
{
    clearGraphs();
    clearItems();
    m_empty = emptyText(this);
    m_empty->setText(tr("Pick a tensor with histograms"));
    std::vector<int> indices;
    for (int i = 0; i < int(m_series.samples.size()); ++i)
        if (m_series.samples[size_t(i)].bins() > 0)
            indices.push_back(i);
    m_empty->setVisible(indices.empty());
    m_drawn = 0;
    if (indices.empty()) {
        replot();
        return;
    }
    // At most 40 outlines (evenly picked, always with the current one) stay readable.
    std::vector<int> picked;
    const int maxDrawn = 40;
    for (int k = 0; k < int(indices.size()); ++k)
        if (indices.size() <= size_t(maxDrawn) || k % int(std::ceil(indices.size() / double(maxDrawn))) == 0 || indices[size_t(k)] == m_current)
            picked.push_back(indices[size_t(k)]);
    double maxCount = 1;
    for (int i : picked)
        for (double c : m_series.samples[size_t(i)].counts)
            maxCount = std::max(maxCount, c);
    // Rows are one unit apart; a histogram's height spans three rows (they overlap).
    const double height = 3.0;
    const int n = int(picked.size());
    QSharedPointer<QCPAxisTickerText> ticker(new QCPAxisTickerText);
    const QColor text = QApplication::palette().color(QPalette::Text);
    for (int k = 0; k < n; ++k) {
        const int i = picked[size_t(k)];
        const auto &s = m_series.samples[size_t(i)];
        const double base = double(n - 1 - k); // the newest at the bottom, in front
        QVector<double> x, y, y0;
        for (int b = 0; b < s.bins(); ++b) {
            const double centre = (s.edges[size_t(b)] + s.edges[size_t(b) + 1]) / 2;
            x << centre;
            y << base + s.counts[size_t(b)] / maxCount * height;
            y0 << base;
        }
        QCPGraph *baseline = addGraph();
        baseline->setData(x, y0, true);
        baseline->setPen(Qt::NoPen);
        QCPGraph *g = addGraph();
        g->setData(x, y, true);
        const bool current = i == m_current;
        QColor c = current ? QColor(230, 85, 13) : gui::rampColor(n > 1 ? double(k) / (n - 1) : 1.0);
        g->setPen(QPen(current ? c : c.darker(130), current ? 2.0 : 1.0));
        QColor fill = c;
        fill.setAlpha(current ? 200 : 110);
        g->setBrush(fill);
        g->setChannelFillGraph(baseline);
        if (k % std::max(1, n / 8) == 0 || current)
            ticker->addTick(base, QString::number(s.step));
        ++m_drawn;
    }
    // Another run's histogram at the same step, as an outline over the current one.
    if (m_current >= 0 && m_current < int(m_series.samples.size()) && !m_other.samples.empty()) {
        const qint64 step = m_series.samples[size_t(m_current)].step;
        const debugger::TensorSample *best = nullptr;
        for (const auto &o : m_other.samples)
            if (o.bins() > 0 && (!best || std::llabs(o.step - step) < std::llabs(best->step - step)))
                best = &o;
        const auto it = std::find(picked.begin(), picked.end(), m_current);
        if (best && it != picked.end()) {
            const double base = double(n - 1 - int(it - picked.begin()));
            double otherMax = 1;
            for (double c : best->counts)
                otherMax = std::max(otherMax, c);
            QVector<double> x, y;
            for (int b = 0; b < best->bins(); ++b) {
                x << (best->edges[size_t(b)] + best->edges[size_t(b) + 1]) / 2;
                y << base + best->counts[size_t(b)] / std::max(maxCount, otherMax) * height;
            }
            QCPGraph *g = addGraph();
            g->setData(x, y, true);
            g->setPen(QPen(QColor(31, 119, 180), 2.0, Qt::DashLine));
            g->setName(m_otherLabel);
            auto *label = new QCPItemText(this);
            label->position->setType(QCPItemPosition::ptAxisRectRatio);
            label->position->setCoords(0.98, 0.04);
            label->setPositionAlignment(Qt::AlignRight | Qt::AlignTop);
            label->setColor(QColor(31, 119, 180));
            label->setText(tr("dashed: %1 at step %2").arg(m_otherLabel).arg(best->step));
        }
    }
    yAxis->setTicker(ticker);
    yAxis->setRange(-0.5, n - 1 + height + 0.5);
    const QCPRange values = valueRange(m_series);
    xAxis->setRange(values.lower - values.size() * 0.02, values.upper + values.size() * 0.02);
    if (!m_label.isEmpty()) {
        auto *title = new QCPItemText(this);
        title->position->setType(QCPItemPosition::ptAxisRectRatio);
        title->position->setCoords(0.02, 0.04);
        title->setPositionAlignment(Qt::AlignLeft | Qt::AlignTop);
        title->setColor(text);
        title->setText(m_label);
    }
    replot();
}

} // namespace cairn::panels
