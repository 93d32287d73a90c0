#include "monitorplots.h"

#include "plotcolors.h"
#include "plotstyle.h"

#include <QLocale>

#include <algorithm>
#include <cmath>

namespace cairn::panels {

namespace {
const QColor kViolation(0xd6, 0x27, 0x28);

QCPItemText *emptyText(QCustomPlot *plot)
{
    auto *t = new QCPItemText(plot);
    t->position->setType(QCPItemPosition::ptAxisRectRatio);
    t->position->setCoords(0.5, 0.5);
    t->setColor(plot->xAxis->tickLabelColor());
    return t;
}
} // namespace

MonitorTimeline::MonitorTimeline(QWidget *parent)
    : QCustomPlot(parent), m_bars(new QCPBars(xAxis, yAxis)), m_clean(addGraph()), m_failed(addGraph()), m_highlight(new QCPItemRect(this)),
      m_empty(emptyText(this))
{
    setMinimumHeight(120);
    m_bars->setName(tr("violations"));
    m_bars->setWidth(0.6);
    m_bars->setPen(QPen(kViolation.darker(120)));
    m_bars->setBrush(kViolation);
    m_clean->setLineStyle(QCPGraph::lsNone);
    m_clean->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssDisc, QColor(0x7f, 0x7f, 0x7f), 7));
    m_failed->setLineStyle(QCPGraph::lsNone);
    m_failed->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssCross, QPen(kViolation, 2), QBrush(), 9));
    m_highlight->setPen(Qt::NoPen);
    m_highlight->setBrush(QColor(0x1f, 0x77, 0xb4, 50));
    m_highlight->setLayer(QStringLiteral("background"));
    m_highlight->topLeft->setTypeY(QCPItemPosition::ptAxisRectRatio);
    m_highlight->bottomRight->setTypeY(QCPItemPosition::ptAxisRectRatio);
    yAxis->setLabel(tr("Violations"));
    auto ticker = QSharedPointer<QCPAxisTickerFixed>::create();
    ticker->setTickStep(1);
    ticker->setScaleStrategy(QCPAxisTickerFixed::ssMultiples);
    yAxis->setTicker(ticker);
    gui::applyPlotPalette(this);
    rebuild();
}

void MonitorTimeline::setRuns(const QList<Point> &runs)
{
    m_runs = runs;
    if (m_selected >= runs.size())
        m_selected = -1;
    rebuild();
}

void MonitorTimeline::setSelected(int index)
{
    m_selected = index;
    rebuild();
}

int MonitorTimeline::violationBars() const
{
    return int(std::count_if(m_runs.cbegin(), m_runs.cend(), [](const Point &p) { return p.violations > 0; }));
}

void MonitorTimeline::rebuild()
{
    QVector<double> barKeys, barValues, cleanKeys, cleanValues, failedKeys, failedValues;
    int most = 1;
    auto ticker = QSharedPointer<QCPAxisTickerText>::create();
    // Label a run with its day only when the runs span several days.
    const bool severalDays = !m_runs.isEmpty() && m_runs.first().time.toLocalTime().date() != m_runs.last().time.toLocalTime().date();
    // A time label needs about 64 pixels: label every k-th run so that they do not overlap.
    const double slot = std::max(1, axisRect()->width()) / double(std::max<qsizetype>(8, m_runs.size()));
    const int labelEvery = std::max(1, int(std::ceil(64.0 / slot)));
    for (int i = 0; i < m_runs.size(); ++i) {
        const Point &p = m_runs.at(i);
        if (p.failed) {
            failedKeys << i;
            failedValues << 0;
        } else if (p.violations > 0) {
            barKeys << i;
            barValues << p.violations;
            most = std::max(most, p.violations);
        } else {
            cleanKeys << i;
            cleanValues << 0;
        }
        if (i % labelEvery == 0)
            ticker->addTick(i, QLocale().toString(p.time.toLocalTime(), severalDays ? QStringLiteral("MM-dd\nHH:mm") : QStringLiteral("HH:mm:ss")));
    }
    m_bars->setData(barKeys, barValues, true);
    m_clean->setData(cleanKeys, cleanValues, true);
    m_failed->setData(failedKeys, failedValues, true);
    xAxis->setTicker(ticker);
    // At least eight slots, so that one run is a bar and not a wall.
    xAxis->setRange(-0.6, std::max<qsizetype>(8, m_runs.size()) - 0.4);
    yAxis->setRange(-0.3, most * 1.15 + 0.3);
    m_highlight->setVisible(m_selected >= 0 && m_selected < m_runs.size());
    m_highlight->topLeft->setCoords(m_selected - 0.45, 0);
    m_highlight->bottomRight->setCoords(m_selected + 0.45, 1);
    m_empty->setText(tr("No monitoring runs yet"));
    m_empty->setVisible(m_runs.isEmpty());
    replot();
}

void MonitorTimeline::mousePressEvent(QMouseEvent *event)
{
    QCustomPlot::mousePressEvent(event);
    if (m_runs.isEmpty() || !axisRect()->rect().contains(event->pos()))
        return;
    const int index = int(std::lround(xAxis->pixelToCoord(event->pos().x())));
    if (index >= 0 && index < m_runs.size())
        Q_EMIT runClicked(index);
}

void MonitorTimeline::resizeEvent(QResizeEvent *event)
{
    QCustomPlot::resizeEvent(event);
    rebuild(); // the labels that fit depend on the width
}

void MonitorTimeline::changeEvent(QEvent *event)
{
    QCustomPlot::changeEvent(event);
    if (event->type() == QEvent::PaletteChange) {
        gui::applyPlotPalette(this);
        m_empty->setColor(xAxis->tickLabelColor());
        replot(QCustomPlot::rpQueuedReplot);
    }
}

DistributionPlot::DistributionPlot(QWidget *parent) : QCustomPlot(parent), m_empty(emptyText(this)), m_group(new QCPBarsGroup(this))
{
    m_group->setSpacing(1);
    setMinimumSize(220, 160);
    legend->setVisible(true);
    legend->setFont(font());
    // The legend in a row above the bars, never over them.
    auto *top = new QCPLayoutGrid;
    plotLayout()->insertRow(0);
    plotLayout()->addElement(0, 0, top);
    top->addElement(0, 0, legend);
    legend->setFillOrder(QCPLegend::foColumnsFirst);
    plotLayout()->setRowStretchFactor(0, 0.001);
    yAxis->setLabel(tr("Share of rows (%)"));
    gui::applyPlotPalette(this);
    setFeature(nullptr);
}

void DistributionPlot::setFeature(const monitor::FeatureDrift *feature, const QString &emptyMessage)
{
    clearPlottables();
    m_bins = 0;
    const monitor::DriftHistogram *h = feature ? &feature->histogram : nullptr;
    const bool categorical = h && !h->categories.isEmpty();
    const size_t bins = !h ? 0 : categorical ? size_t(h->categories.size()) : (h->edges.size() > 1 ? h->edges.size() - 1 : 0);
    if (bins == 0 || h->reference.size() < bins || h->current.size() < bins) {
        m_empty->setText(emptyMessage);
        m_empty->setVisible(true);
        legend->setVisible(false);
        xAxis->setTicker(QSharedPointer<QCPAxisTicker>::create());
        xAxis->setLabel(QString());
        xAxis->setRange(0, 1);
        yAxis->setRange(0, 1);
        replot();
        return;
    }
    m_empty->setVisible(false);
    legend->setVisible(true);
    m_bins = int(bins);
    const QColor refColor = gui::seriesColor(0), curColor = gui::seriesColor(1);
    auto makeBars = [&](const QString &name, const QColor &color, int alpha) {
        auto *bars = new QCPBars(xAxis, yAxis);
        bars->setName(name);
        QColor fill = color;
        fill.setAlpha(alpha);
        bars->setBrush(fill);
        bars->setPen(QPen(color.darker(115)));
        return bars;
    };
    QCPBars *ref = makeBars(tr("baseline"), refColor, categorical ? 255 : 110);
    QCPBars *cur = makeBars(tr("current"), curColor, categorical ? 255 : 110);
    QVector<double> keys, refValues, curValues;
    double top = 0;
    for (size_t i = 0; i < bins; ++i) {
        keys << (categorical ? double(i) : (h->edges[i] + h->edges[i + 1]) / 2);
        refValues << h->reference[i] * 100;
        curValues << h->current[i] * 100;
        top = std::max({top, refValues.last(), curValues.last()});
    }
    ref->setData(keys, refValues, true);
    cur->setData(keys, curValues, true);
    if (categorical) {
        for (QCPBars *b : {ref, cur}) {
            b->setWidth(0.4);
            b->setBarsGroup(m_group);
        }
        auto ticker = QSharedPointer<QCPAxisTickerText>::create();
        for (size_t i = 0; i < bins; ++i)
            ticker->addTick(double(i), h->categories.at(qsizetype(i)).isEmpty() ? tr("(missing)") : h->categories.at(qsizetype(i)));
        xAxis->setTicker(ticker);
        xAxis->setTickLabelRotation(bins > 6 ? 35 : 0);
        xAxis->setRange(-0.6, double(bins) - 0.4);
    } else {
        // Overlaid translucent bars: where they overlap the colours mix.
        const double width = h->edges[1] - h->edges[0];
        for (QCPBars *b : {ref, cur}) {
            b->setWidth(width);
            b->setWidthType(QCPBars::wtPlotCoords);
        }
        xAxis->setTicker(QSharedPointer<QCPAxisTicker>::create());
        xAxis->setTickLabelRotation(0);
        xAxis->setRange(h->edges.front(), h->edges.back());
    }
    xAxis->setLabel(feature->name);
    yAxis->setRange(0, top * 1.12 + 1e-9);
    replot();
}

void DistributionPlot::changeEvent(QEvent *event)
{
    QCustomPlot::changeEvent(event);
    if (event->type() == QEvent::PaletteChange) {
        gui::applyPlotPalette(this);
        m_empty->setColor(xAxis->tickLabelColor());
        replot(QCustomPlot::rpQueuedReplot);
    }
}

} // namespace cairn::panels
