#include "curveplot.h"
#include "plotstyle.h"

#include "lttb.h"
#include "plotcolors.h"
#include "theme.h"

#include <QApplication>
#include <QPalette>
#include <QTimer>

#include <algorithm>
#include <cmath>

namespace cairn::gui {

CurvePlot::CurvePlot(QWidget *parent) : QCustomPlot(parent), m_resampleTimer(new QTimer(this))
{
    setInteractions(QCP::iRangeDrag | QCP::iRangeZoom);
    setNoAntialiasingOnDrag(true);
    setPlottingHint(QCP::phFastPolylines, true);
    setMinimumSize(200, 150);
    legend->setVisible(false);
    legend->setFont(font());
    axisRect()->insetLayout()->setInsetAlignment(0, Qt::AlignTop | Qt::AlignRight);
    m_emptyText = new QCPItemText(this);
    m_emptyText->position->setType(QCPItemPosition::ptAxisRectRatio);
    m_emptyText->position->setCoords(0.5, 0.5);
    m_emptyText->setVisible(false);
    // Re-sample after zooming or panning stops moving, from the full data.
    m_resampleTimer->setSingleShot(true);
    m_resampleTimer->setInterval(30);
    connect(m_resampleTimer, &QTimer::timeout, this, [this] {
        resampleVisible();
        replot(QCustomPlot::rpQueuedReplot);
    });
    connect(xAxis, qOverload<const QCPRange &>(&QCPAxis::rangeChanged), this, [this] {
        if (!m_resampling)
            m_resampleTimer->start();
    });
    applyPalette();
    setXKind(XKind::Step);
}

void CurvePlot::setCurves(const QList<Curve> &curves)
{
    m_curves = curves;
    rebuild();
}

void CurvePlot::setSmoothing(double weight)
{
    m_smoothing = std::clamp(weight, 0.0, 0.999);
    rebuild();
}

void CurvePlot::setLogY(bool log)
{
    m_logY = log;
    if (log) {
        yAxis->setScaleType(QCPAxis::stLogarithmic);
        yAxis->setTicker(QSharedPointer<QCPAxisTickerLog>::create());
    } else {
        yAxis->setScaleType(QCPAxis::stLinear);
        yAxis->setTicker(QSharedPointer<QCPAxisTicker>::create());
    }
    rebuild();
}

void CurvePlot::setXKind(XKind kind)
{
    m_xKind = kind;
    if (kind == XKind::WallTime) {
        auto ticker = QSharedPointer<QCPAxisTickerDateTime>::create();
        ticker->setDateTimeFormat(QStringLiteral("HH:mm:ss\nyyyy-MM-dd"));
        xAxis->setTicker(ticker);
    } else if (kind == XKind::Step) {
        // Steps, epochs and rounds are whole numbers: no tick at epoch 1.5.
        auto ticker = QSharedPointer<QCPAxisTickerFixed>::create();
        ticker->setTickStep(1);
        ticker->setScaleStrategy(QCPAxisTickerFixed::ssMultiples);
        xAxis->setTicker(ticker);
    } else {
        xAxis->setTicker(QSharedPointer<QCPAxisTicker>::create());
    }
}

void CurvePlot::setLabels(const QString &x, const QString &y)
{
    xAxis->setLabel(x);
    yAxis->setLabel(y);
}

void CurvePlot::setMaxPointsPerCurve(int points)
{
    m_maxPoints = points;
}

void CurvePlot::setEmptyMessage(const QString &message)
{
    m_emptyMessage = message;
    m_emptyText->setText(message);
}

int CurvePlot::maxPoints() const
{
    if (m_maxPoints > 0)
        return m_maxPoints;
    // About two points per pixel for a few curves; one per pixel when many overlap.
    return std::max(400, (m_prepared.size() > 10 ? 1 : 2) * width());
}

void CurvePlot::prepare()
{
    if (m_smoothing <= 0 && !m_logY) {
        // Nothing to transform: share the data (LTTB skips non-finite points itself).
        m_prepared = m_curves;
        return;
    }
    m_prepared.clear();
    m_prepared.reserve(m_curves.size());
    for (const Curve &curve : std::as_const(m_curves)) {
        Curve out;
        out.name = curve.name;
        const qsizetype n = std::min(curve.x.size(), curve.y.size());
        out.x.reserve(n);
        out.y.reserve(n);
        double ema = 0;
        int seen = 0;
        for (qsizetype i = 0; i < n; ++i) {
            double y = curve.y.at(i);
            if (!std::isfinite(y) || !std::isfinite(curve.x.at(i)))
                continue;
            if (m_smoothing > 0) {
                // Debiased EMA: early points are not pulled towards zero.
                ema = ema * m_smoothing + (1 - m_smoothing) * y;
                ++seen;
                y = ema / (1 - std::pow(m_smoothing, seen));
            }
            if (m_logY && y <= 0)
                continue;
            out.x.append(curve.x.at(i));
            out.y.append(y);
        }
        m_prepared.append(out);
    }
}

void CurvePlot::rebuild()
{
    prepare();
    clearGraphs();
    for (QCPItemText *label : std::as_const(m_valueLabels))
        removeItem(label);
    m_valueLabels.clear();
    for (int i = 0; i < m_prepared.size(); ++i) {
        QCPGraph *graph = addGraph();
        graph->setName(m_prepared.at(i).name);
        // Wide antialiased strokes cost the raster engine dearly: with many curves, thin cosmetic
        // pens (and no antialiasing past 20 curves) keep a replot of 50 curves in tens of ms.
        QPen pen(seriesColor(i));
        pen.setWidthF(m_prepared.size() > 10 ? 1.0 : 1.5);
        pen.setCosmetic(m_prepared.size() > 10);
        graph->setPen(pen);
        graph->setAntialiased(m_prepared.size() <= 20);
        graph->setAdaptiveSampling(false); // already sampled by LTTB
        const qsizetype n = m_prepared.at(i).x.size();
        if (n == 1) {
            // One value is not a line: a marker, labelled with its value.
            graph->setLineStyle(QCPGraph::lsNone);
            graph->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssDisc, seriesColor(i), seriesColor(i), 9));
            auto *label = new QCPItemText(this);
            label->position->setCoords(m_prepared.at(i).x.first(), m_prepared.at(i).y.first());
            label->setPositionAlignment(Qt::AlignLeft | Qt::AlignBottom);
            label->setText(QStringLiteral("  ") + QString::number(m_prepared.at(i).y.first(), 'g', 5));
            label->setColor(seriesColor(i));
            label->setClipToAxisRect(true);
            m_valueLabels << label;
        } else if (n <= 40 && m_prepared.size() <= 10) {
            // A few points (epochs): show where they are.
            graph->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssDisc, seriesColor(i), seriesColor(i), 5));
        }
    }
    legend->setVisible(!m_prepared.isEmpty() && m_prepared.size() <= 12);

    // Fit the axes to the whole data, then sample what is visible.
    double xMin = INFINITY, xMax = -INFINITY, yMin = INFINITY, yMax = -INFINITY;
    for (const Curve &c : std::as_const(m_prepared)) {
        if (c.x.isEmpty())
            continue;
        xMin = std::min(xMin, c.x.first());
        xMax = std::max(xMax, c.x.last());
        for (double y : c.y) {
            yMin = std::min(yMin, y);
            yMax = std::max(yMax, y);
        }
    }
    const bool empty = !std::isfinite(xMin);
    m_emptyText->setVisible(empty && !m_emptyMessage.isEmpty());
    m_resampling = true;
    if (!empty) {
        if (xMin == xMax) {
            xMin -= 1;
            xMax += 1;
        }
        if (yMin == yMax) {
            const double pad = m_logY ? yMin * 0.5 : std::max(std::abs(yMin) * 0.05, 1e-9);
            yMin -= pad;
            yMax += pad;
        }
        xAxis->setRange(xMin, xMax);
        if (m_logY)
            yAxis->setRange(yMin / 1.2, yMax * 1.2);
        else {
            const double pad = (yMax - yMin) * 0.05;
            yAxis->setRange(yMin - pad, yMax + pad);
        }
    }
    m_resampling = false;
    if (!empty) {
        double endSum = 0;
        int ends = 0;
        for (const Curve &c : std::as_const(m_prepared))
            if (!c.y.isEmpty()) {
                endSum += c.y.last();
                ++ends;
            }
        const QCPRange y = yAxis->range();
        const double mid = m_logY ? std::sqrt(y.lower * y.upper) : (y.lower + y.upper) / 2;
        const bool endsHigh = ends > 0 && endSum / ends > mid;
        axisRect()->insetLayout()->setInsetAlignment(0, Qt::AlignRight | (endsHigh ? Qt::AlignBottom : Qt::AlignTop));
    }
    resampleVisible();
    replot();
}

void CurvePlot::resampleVisible()
{
    m_resampling = true;
    const QCPRange range = xAxis->range();
    const int budget = maxPoints();
    m_pointsDrawn = 0;
    for (int i = 0; i < m_prepared.size() && i < graphCount(); ++i) {
        const Curve &c = m_prepared.at(i);
        // The visible slice plus one point either side, so lines run to the edges.
        qsizetype from = std::lower_bound(c.x.cbegin(), c.x.cend(), range.lower) - c.x.cbegin();
        qsizetype to = std::upper_bound(c.x.cbegin(), c.x.cend(), range.upper) - c.x.cbegin();
        from = std::max<qsizetype>(0, from - 1);
        to = std::min<qsizetype>(c.x.size(), to + 1);
        QList<double> xs, ys;
        if (to > from)
            lttb(c.x.constData() + from, c.y.constData() + from, to - from, budget, xs, ys);
        m_pointsDrawn += xs.size();
        graph(i)->setData(xs, ys, true);
    }
    m_resampling = false;
}

void CurvePlot::applyPalette()
{
    applyPlotPalette(this);
    m_emptyText->setColor(QApplication::palette().color(QPalette::PlaceholderText));
}

void CurvePlot::changeEvent(QEvent *event)
{
    QCustomPlot::changeEvent(event);
    if (event->type() == QEvent::PaletteChange || event->type() == QEvent::ApplicationPaletteChange) {
        applyPalette(); // the theme switched between light and dark
        replot(QCustomPlot::rpQueuedReplot);
    }
}

void CurvePlot::resizeEvent(QResizeEvent *event)
{
    QCustomPlot::resizeEvent(event);
    if (m_maxPoints <= 0 && !m_prepared.isEmpty())
        m_resampleTimer->start();
}

} // namespace cairn::gui
