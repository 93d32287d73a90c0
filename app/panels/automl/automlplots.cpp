#include "automlplots.h"

#include "plotcolors.h"
#include "plotstyle.h"

#include <QApplication>

#include <algorithm>
#include <cmath>

namespace cairn::panels {

namespace {
QCPItemText *emptyText(QCustomPlot *plot)
{
    auto *text = new QCPItemText(plot);
    text->position->setType(QCPItemPosition::ptAxisRectRatio);
    text->position->setCoords(0.5, 0.5);
    return text;
}
} // namespace

ImportancePlot::ImportancePlot(QWidget *parent) : QCustomPlot(parent)
{
    setMinimumHeight(220);
    m_empty = emptyText(this);
    yAxis->grid()->setVisible(false);
    yAxis->setRangeReversed(true); // the most important feature on top
    legend->setVisible(false);
    axisRect()->insetLayout()->setInsetAlignment(0, Qt::AlignBottom | Qt::AlignRight);
    applyPalette();
}

void ImportancePlot::setEmptyMessage(const QString &message)
{
    m_empty->setText(message);
    replot();
}

void ImportancePlot::setImportance(const QList<Bar> &permutation, const QList<Bar> &shap, const QString &metric)
{
    clearPlottables();
    const QList<Bar> &lead = permutation.isEmpty() ? shap : permutation;
    QList<Bar> order = lead;
    std::stable_sort(order.begin(), order.end(), [](const Bar &a, const Bar &b) { return a.value > b.value; });
    if (order.size() > kMaxFeatures)
        order.resize(kMaxFeatures);
    m_features = int(order.size());
    m_hasShap = !shap.isEmpty();

    QSharedPointer<QCPAxisTickerText> ticker(new QCPAxisTickerText);
    for (int i = 0; i < order.size(); ++i)
        ticker->addTick(i, order.at(i).feature);
    yAxis->setTicker(ticker);
    yAxis->setRange(-0.6, std::max(1, m_features) - 0.4);

    auto valuesFor = [&](const QList<Bar> &bars, QVector<double> &keys, QVector<double> &values) {
        for (int i = 0; i < order.size(); ++i)
            for (const Bar &b : bars)
                if (b.feature == order.at(i).feature) {
                    keys << i;
                    values << b.value;
                    break;
                }
    };
    auto *group = new QCPBarsGroup(this);
    group->setSpacing(1);
    const bool both = !permutation.isEmpty() && !shap.isEmpty();
    const double width = both ? 0.38 : 0.7;
    double permMax = 0, shapMax = 0, permMin = 0;
    if (!permutation.isEmpty()) {
        QVector<double> keys, values;
        valuesFor(permutation, keys, values);
        auto *bars = new QCPBars(yAxis, xAxis);
        bars->setName(tr("permutation: drop of %1").arg(metric));
        bars->setData(keys, values, true);
        bars->setWidth(width);
        const QColor c = gui::seriesColor(0);
        bars->setPen(QPen(c.darker(120)));
        bars->setBrush(c);
        if (both)
            bars->setBarsGroup(group);
        // Error bars: the spread over the shuffles.
        QVector<double> errors;
        for (int i = 0; i < keys.size(); ++i)
            for (const Bar &b : permutation)
                if (b.feature == order.at(int(keys.at(i))).feature) {
                    errors << (std::isfinite(b.stddev) ? b.stddev : 0.0);
                    break;
                }
        auto *err = new QCPErrorBars(yAxis, xAxis);
        err->setDataPlottable(bars);
        err->setErrorType(QCPErrorBars::etValueError);
        err->setData(errors);
        err->setPen(QPen(QApplication::palette().color(QPalette::WindowText)));
        err->setWhiskerWidth(6);
        err->setSymbolGap(0); // bars have no symbol to leave room for
        err->removeFromLegend();
        for (int i = 0; i < values.size(); ++i) {
            permMax = std::max(permMax, values.at(i) + errors.value(i));
            permMin = std::min(permMin, values.at(i) - errors.value(i));
        }
        xAxis->setLabel(tr("drop of %1 when shuffled").arg(metric));
    }
    if (!shap.isEmpty()) {
        QVector<double> keys, values;
        valuesFor(shap, keys, values);
        QCPAxis *axis = permutation.isEmpty() ? xAxis : xAxis2;
        auto *bars = new QCPBars(yAxis, axis);
        bars->setName(tr("mean |SHAP|"));
        bars->setData(keys, values, true);
        bars->setWidth(width);
        const QColor c = gui::seriesColor(1);
        bars->setPen(QPen(c.darker(120)));
        bars->setBrush(c);
        if (both)
            bars->setBarsGroup(group);
        for (double v : values)
            shapMax = std::max(shapMax, v);
        axis->setLabel(tr("mean |SHAP| contribution"));
        axis->setRange(0, shapMax > 0 ? shapMax * 1.08 : 1);
    }
    xAxis2->setVisible(both);
    xAxis2->setTickLabels(both);
    if (!permutation.isEmpty())
        xAxis->setRange(std::min(0.0, permMin * 1.08), permMax > 0 ? permMax * 1.08 : 1);
    legend->setVisible(both);
    m_empty->setVisible(m_features == 0);
    applyPalette();
    replot();
}

void ImportancePlot::applyPalette()
{
    gui::applyPlotPalette(this);
    m_empty->setColor(QApplication::palette().color(QPalette::PlaceholderText));
}

void ImportancePlot::changeEvent(QEvent *event)
{
    QCustomPlot::changeEvent(event);
    if (event->type() == QEvent::PaletteChange || event->type() == QEvent::ApplicationPaletteChange) {
        applyPalette(); // the theme switched between light and dark
        replot(QCustomPlot::rpQueuedReplot);
    }
}

BestObjectivePlot::BestObjectivePlot(QWidget *parent) : QCustomPlot(parent)
{
    setMinimumHeight(180);
    addGraph();
    addGraph();
    graph(0)->setName(tr("candidate"));
    graph(0)->setLineStyle(QCPGraph::lsNone);
    graph(1)->setName(tr("best so far"));
    graph(1)->setLineStyle(QCPGraph::lsStepLeft);
    xAxis->setLabel(tr("candidate"));
    legend->setVisible(true);
    axisRect()->insetLayout()->setInsetAlignment(0, Qt::AlignBottom | Qt::AlignRight);
    QSharedPointer<QCPAxisTickerFixed> ticker(new QCPAxisTickerFixed);
    ticker->setTickStep(1);
    ticker->setScaleStrategy(QCPAxisTickerFixed::ssMultiples);
    xAxis->setTicker(ticker);
    m_empty = emptyText(this);
    applyPalette();
}

void BestObjectivePlot::setEmptyMessage(const QString &message)
{
    m_empty->setText(message);
    replot();
}

int BestObjectivePlot::pointCount() const
{
    return graph(0)->dataCount();
}

void BestObjectivePlot::setPoints(const QList<QPair<int, double>> &points, const QString &metric, bool maximize, int maxCandidates)
{
    QVector<double> x, y, bx, by;
    double best = std::numeric_limits<double>::quiet_NaN();
    int n = 0;
    for (const auto &[index, objective] : points) {
        if (!std::isfinite(objective))
            continue;
        ++n;
        x << n;
        y << objective;
        if (std::isnan(best) || (maximize ? objective > best : objective < best))
            best = objective;
        bx << n;
        by << best;
    }
    graph(0)->setData(x, y, true);
    graph(1)->setData(bx, by, true);
    yAxis->setLabel(metric);
    xAxis->setRange(0.5, std::max(std::max(n, maxCandidates), 1) + 0.5);
    if (!y.isEmpty()) {
        const auto [lo, hi] = std::minmax_element(y.begin(), y.end());
        const double pad = std::max((*hi - *lo) * 0.08, std::abs(*hi) * 0.01 + 1e-9);
        yAxis->setRange(*lo - pad, *hi + pad);
    }
    m_empty->setVisible(y.isEmpty());
    replot();
}

void BestObjectivePlot::applyPalette()
{
    gui::applyPlotPalette(this);
    const QColor c = gui::seriesColor(0);
    graph(0)->setPen(QPen(c));
    graph(0)->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssDisc, c, c, 7));
    graph(1)->setPen(QPen(gui::seriesColor(1), 2));
    m_empty->setColor(QApplication::palette().color(QPalette::PlaceholderText));
}

void BestObjectivePlot::changeEvent(QEvent *event)
{
    QCustomPlot::changeEvent(event);
    if (event->type() == QEvent::PaletteChange || event->type() == QEvent::ApplicationPaletteChange) {
        applyPalette();
        replot(QCustomPlot::rpQueuedReplot);
    }
}

} // namespace cairn::panels
