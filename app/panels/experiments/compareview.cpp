#include "compareview.h"

#include "historyloader.h"
#include "runcolumn.h"

#include "curveplot.h"
#include "metriccatalog.h"
#include "parallelcoordinates.h"
#include "plotcolors.h"
#include "plotexport.h"
#include "qcustomplotinclude.h"
#include "studiocontext.h"
#include "theme.h"

#include "cairn/store/experimentstore.h"
#include "cairn/store/runexport.h"
#include "cairn/util/error.h"

#include <QApplication>
#include <QCheckBox>
#include <QComboBox>
#include <QFutureWatcher>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QPushButton>
#include <QSet>
#include <QSlider>
#include <QTabWidget>
#include <QTableWidget>
#include <QToolButton>
#include <QVBoxLayout>

#include <cmath>
#include <numeric>

namespace cairn::panels {

namespace {

QToolButton *exportButton(QWidget *parent)
{
    auto *button = new QToolButton(parent);
    button->setText(CompareView::tr("Export…"));
    button->setToolTip(CompareView::tr("Save the plot as PNG or SVG"));
    return button;
}

// Labels that tell runs apart even when names repeat.
QStringList runLabels(const QList<Run> &runs)
{
    QHash<QString, int> seen;
    for (const Run &r : runs)
        ++seen[r.name];
    QStringList labels;
    for (const Run &r : runs)
        labels << (seen.value(r.name) > 1 ? QStringLiteral("%1 (%2)").arg(r.name, r.uuid.left(6)) : r.name);
    return labels;
}

bool parseNumber(const QString &text, double *value)
{
    bool ok = false;
    *value = text.trimmed().toDouble(&ok);
    return ok;
}

} // namespace

CompareView::CompareView(gui::StudioContext *context, QWidget *parent) : QWidget(parent), m_context(context)
{
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(6, 6, 6, 6);
    m_summary = new QLabel(this);
    m_summary->setWordWrap(true);
    layout->addWidget(m_summary);
    m_tabs = new QTabWidget(this);
    m_tabs->setDocumentMode(true);
    layout->addWidget(m_tabs, 1);

    // Curves
    auto *curvesPage = new QWidget(m_tabs);
    auto *curvesLayout = new QVBoxLayout(curvesPage);
    curvesLayout->setContentsMargins(0, 4, 0, 0);
    auto *curvesBar = new QHBoxLayout;
    m_curveMetric = new QComboBox(curvesPage);
    m_curveMetric->setMinimumContentsLength(14);
    m_xAxis = new QComboBox(curvesPage);
    m_xAxis->addItem(tr("Step"), int(XAxisKind::Step));
    m_xAxis->addItem(tr("Relative time (s)"), int(XAxisKind::RelativeSeconds));
    m_xAxis->addItem(tr("Wall time"), int(XAxisKind::WallTime));
    m_smoothing = new QSlider(Qt::Horizontal, curvesPage);
    m_smoothing->setRange(0, 99);
    m_smoothing->setMaximumWidth(140);
    m_smoothing->setToolTip(tr("Smoothing (exponential moving average)"));
    m_logY = new QCheckBox(tr("Log scale"), curvesPage);
    auto *curvesExport = exportButton(curvesPage);
    curvesBar->addWidget(new QLabel(tr("Metric:"), curvesPage));
    curvesBar->addWidget(m_curveMetric);
    curvesBar->addWidget(new QLabel(tr("X:"), curvesPage));
    curvesBar->addWidget(m_xAxis);
    curvesBar->addWidget(new QLabel(tr("Smoothing:"), curvesPage));
    curvesBar->addWidget(m_smoothing);
    curvesBar->addWidget(m_logY);
    curvesBar->addStretch(1);
    curvesBar->addWidget(curvesExport);
    curvesLayout->addLayout(curvesBar);
    m_curves = new gui::CurvePlot(curvesPage);
    m_curves->setEmptyMessage(tr("The selected runs have not logged this metric"));
    curvesLayout->addWidget(m_curves, 1);
    m_tabs->addTab(curvesPage, tr("Curves"));
    connect(m_curveMetric, &QComboBox::currentIndexChanged, this, [this] { loadCurves(); });
    connect(m_xAxis, &QComboBox::currentIndexChanged, this, [this] { loadCurves(); });
    connect(m_smoothing, &QSlider::valueChanged, this, [this](int v) { m_curves->setSmoothing(v / 100.0); });
    connect(m_logY, &QCheckBox::toggled, m_curves, &gui::CurvePlot::setLogY);
    connect(curvesExport, &QToolButton::clicked, this,
            [this] { gui::exportPlotInteractively(m_curves, this, QStringLiteral("compare-") + m_curveMetric->currentText()); });

    // Parallel coordinates
    auto *parallelPage = new QWidget(m_tabs);
    auto *parallelLayout = new QVBoxLayout(parallelPage);
    parallelLayout->setContentsMargins(0, 4, 0, 0);
    auto *parallelBar = new QHBoxLayout;
    m_parallelMetric = new QComboBox(parallelPage);
    m_parallelMetric->setMinimumContentsLength(14);
    m_brushLabel = new QLabel(parallelPage);
    m_selectBrushed = new QPushButton(tr("Select Brushed Runs"), parallelPage);
    m_selectBrushed->setToolTip(tr("Select in the table only the runs inside the brushes"));
    auto *clearBrushes = new QPushButton(tr("Clear Brushes"), parallelPage);
    auto *parallelExport = exportButton(parallelPage);
    parallelBar->addWidget(new QLabel(tr("Metric:"), parallelPage));
    parallelBar->addWidget(m_parallelMetric);
    parallelBar->addWidget(m_brushLabel);
    parallelBar->addStretch(1);
    parallelBar->addWidget(clearBrushes);
    parallelBar->addWidget(m_selectBrushed);
    parallelBar->addWidget(parallelExport);
    parallelLayout->addLayout(parallelBar);
    m_parallel = new gui::ParallelCoordinates(parallelPage);
    m_parallel->setEmptyMessage(tr("The selected runs share no parameters that differ"));
    parallelLayout->addWidget(m_parallel, 1);
    m_tabs->addTab(parallelPage, tr("Parallel Coordinates"));
    connect(m_parallelMetric, &QComboBox::currentIndexChanged, this, [this] { updateParallel(); });
    connect(clearBrushes, &QPushButton::clicked, m_parallel, &gui::ParallelCoordinates::clearBrushes);
    connect(m_parallel, &gui::ParallelCoordinates::brushChanged, this, [this](const QList<int> &items) {
        m_brushed.clear();
        for (int i : items)
            if (i < m_runs.size())
                m_brushed << m_runs.at(i).id;
        m_brushLabel->setText(tr("%1 of %n run(s) in the brushes", nullptr, int(m_runs.size())).arg(m_brushed.size()));
        m_selectBrushed->setEnabled(!m_brushed.isEmpty() && m_brushed.size() < m_runs.size());
    });
    connect(m_selectBrushed, &QPushButton::clicked, this, [this] { Q_EMIT selectRunsRequested(m_brushed); });
    connect(parallelExport, &QToolButton::clicked, this,
            [this] { gui::exportPlotInteractively(m_parallel, this, QStringLiteral("parallel-coordinates")); });

    // Scatter
    auto *scatterPage = new QWidget(m_tabs);
    auto *scatterLayout = new QVBoxLayout(scatterPage);
    scatterLayout->setContentsMargins(0, 4, 0, 0);
    auto *scatterBar = new QHBoxLayout;
    m_scatterX = new QComboBox(scatterPage);
    m_scatterY = new QComboBox(scatterPage);
    m_scatterX->setMinimumContentsLength(14);
    m_scatterY->setMinimumContentsLength(14);
    auto *scatterExport = exportButton(scatterPage);
    scatterBar->addWidget(new QLabel(tr("X:"), scatterPage));
    scatterBar->addWidget(m_scatterX);
    scatterBar->addWidget(new QLabel(tr("Y:"), scatterPage));
    scatterBar->addWidget(m_scatterY);
    scatterBar->addStretch(1);
    scatterBar->addWidget(scatterExport);
    scatterLayout->addLayout(scatterBar);
    m_scatter = new QCustomPlot(scatterPage);
    m_scatter->setInteractions(QCP::iRangeDrag | QCP::iRangeZoom);
    scatterLayout->addWidget(m_scatter, 1);
    m_tabs->addTab(scatterPage, tr("Scatter"));
    connect(m_scatterX, &QComboBox::currentIndexChanged, this, [this] { updateScatter(); });
    connect(m_scatterY, &QComboBox::currentIndexChanged, this, [this] { updateScatter(); });
    connect(scatterExport, &QToolButton::clicked, this, [this] { gui::exportPlotInteractively(m_scatter, this, QStringLiteral("scatter")); });

    // Diff table
    auto *diffPage = new QWidget(m_tabs);
    auto *diffLayout = new QVBoxLayout(diffPage);
    diffLayout->setContentsMargins(0, 4, 0, 0);
    m_onlyDifferences = new QCheckBox(tr("Only rows that differ"), diffPage);
    m_onlyDifferences->setChecked(true);
    auto *diffBar = new QHBoxLayout;
    diffBar->addWidget(m_onlyDifferences);
    diffBar->addStretch(1);
    diffBar->addWidget(new QLabel(tr("Highlighted: differs from the first run"), diffPage));
    diffLayout->addLayout(diffBar);
    m_diff = new QTableWidget(diffPage);
    m_diff->verticalHeader()->hide();
    m_diff->verticalHeader()->setDefaultSectionSize(m_diff->fontMetrics().height() + 6);
    m_diff->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_diff->setWordWrap(false);
    diffLayout->addWidget(m_diff, 1);
    m_tabs->addTab(diffPage, tr("Diff Table"));
    connect(m_onlyDifferences, &QCheckBox::toggled, this, [this] { updateDiff(); });
}

void CompareView::changeEvent(QEvent *event)
{
    QWidget::changeEvent(event);
    if (event->type() == QEvent::PaletteChange || event->type() == QEvent::ApplicationPaletteChange) {
        updateScatter(); // colours follow the light or dark theme
        updateDiff();
    }
}

void CompareView::setRuns(const QList<Run> &runs)
{
    m_runs = runs.mid(0, maxRuns());
    m_summary->setText(runs.size() > maxRuns()
                           ? tr("Comparing the first %1 of %2 selected runs.").arg(maxRuns()).arg(runs.size())
                           : tr("Comparing %n runs.", nullptr, int(runs.size())));
    loadValues();
    fillKeyBoxes();
    loadCurves();
    updateParallel();
    updateScatter();
    updateDiff();
}

void CompareView::reload()
{
    if (m_runs.isEmpty())
        return;
    try {
        QList<qint64> ids;
        for (const Run &r : std::as_const(m_runs))
            ids << r.id;
        const QList<Run> fresh = m_context->store().runsByIds(ids);
        bool running = false;
        for (const Run &r : fresh)
            running = running || r.status == RunStatus::Running;
        bool wasRunning = false;
        for (const Run &r : std::as_const(m_runs))
            wasRunning = wasRunning || r.status == RunStatus::Running;
        m_runs = fresh;
        loadValues();
        if (running || wasRunning) {
            loadCurves();
            updateParallel();
            updateScatter();
            updateDiff();
        }
    } catch (const Error &) {
    }
}

void CompareView::loadValues()
{
    QList<qint64> ids;
    for (const Run &r : std::as_const(m_runs))
        ids << r.id;
    try {
        m_params = m_context->store().paramsOf(ids);
        m_metrics = m_context->store().metricSummariesOf(ids);
    } catch (const Error &e) {
        m_summary->setText(tr("Cannot read the runs: %1").arg(e.message()));
    }
    QSet<QString> params, metrics;
    for (const auto &p : std::as_const(m_params))
        for (auto it = p.cbegin(); it != p.cend(); ++it)
            params.insert(it.key());
    for (const auto &m : std::as_const(m_metrics))
        for (auto it = m.cbegin(); it != m.cend(); ++it)
            metrics.insert(it.key());
    m_paramKeys = QStringList(params.cbegin(), params.cend());
    m_metricKeys = QStringList(metrics.cbegin(), metrics.cend());
    m_paramKeys.sort();
    m_metricKeys.sort();
}

void CompareView::fillKeyBoxes()
{
    auto refill = [](QComboBox *box, const QStringList &items, const QString &fallback) {
        const QString keep = box->currentText().isEmpty() ? fallback : box->currentText();
        QSignalBlocker block(box);
        box->clear();
        box->addItems(items);
        const int at = box->findText(keep);
        box->setCurrentIndex(at >= 0 ? at : (items.isEmpty() ? -1 : 0));
    };
    // Curves: a series with steps that the runs' algorithm is judged by (never a single value,
    // which draws no line). Parallel coordinates and the scatter: the metric runs rank by.
    QHash<QString, qint64> counts;
    for (const auto &m : std::as_const(m_metrics))
        for (auto it = m.cbegin(); it != m.cend(); ++it)
            counts[it.key()] = std::max(counts.value(it.key()), it->count);
    const QString algorithm = m_runs.isEmpty() ? QString() : m_params.value(m_runs.first().id).value(QStringLiteral("algorithm"));
    const QString curveDefault = gui::MetricCatalog::defaultCompareMetric(algorithm, counts);
    const QStringList ranked = gui::MetricCatalog::rankForTable(m_metricKeys);
    const QString preferred = ranked.value(0);
    refill(m_curveMetric, m_metricKeys, curveDefault.isEmpty() ? preferred : curveDefault);
    for (int i = 0; i < m_curveMetric->count(); ++i) {
        const QString key = m_curveMetric->itemText(i);
        m_curveMetric->setItemData(i, counts.value(key) <= 1 ? tr("%1: one value per run").arg(key)
                                                             : tr("%1: %2").arg(key, gui::MetricCatalog::unitText(gui::MetricCatalog::unitOf(algorithm, key))),
                                   Qt::ToolTipRole);
    }
    refill(m_parallelMetric, m_metricKeys, preferred);
    QStringList fields;
    for (const QString &k : std::as_const(m_paramKeys))
        fields << QStringLiteral("params.") + k;
    for (const QString &k : std::as_const(m_metricKeys))
        fields << QStringLiteral("metrics.") + k;
    // X: the first numeric param whose value differs among the runs (a learning rate, a depth).
    QString xDefault = m_paramKeys.isEmpty() ? QString() : QStringLiteral("params.") + m_paramKeys.first();
    for (const QString &k : std::as_const(m_paramKeys)) {
        QSet<QString> values;
        bool numeric = true;
        for (const Run &r : std::as_const(m_runs)) {
            const QString v = m_params.value(r.id).value(k);
            double d = 0;
            numeric = numeric && (v.isEmpty() || parseNumber(v, &d));
            values.insert(v);
        }
        if (numeric && values.size() > 1) {
            xDefault = QStringLiteral("params.") + k;
            break;
        }
    }
    refill(m_scatterX, fields, xDefault);
    refill(m_scatterY, fields, preferred.isEmpty() ? QString() : QStringLiteral("metrics.") + preferred);
}

void CompareView::loadCurves()
{
    // One history load at a time: under live refresh, loads of many long runs took longer than
    // the poll interval and piled up in the thread pool. A request meanwhile loads again after.
    if (m_curvesInFlight) {
        m_curvesAgain = true;
        return;
    }
    const QString key = m_curveMetric->currentText();
    const int request = ++m_curveRequest;
    const auto kind = XAxisKind(m_xAxis->currentData().toInt());
    m_curves->setXKind(kind == XAxisKind::WallTime ? gui::CurvePlot::XKind::WallTime
                       : kind == XAxisKind::Step  ? gui::CurvePlot::XKind::Step
                                                  : gui::CurvePlot::XKind::Seconds);
    const QString algorithm = m_runs.isEmpty() ? QString() : m_params.value(m_runs.first().id).value(QStringLiteral("algorithm"));
    m_curves->setLabels(kind == XAxisKind::Step ? gui::MetricCatalog::axisText(gui::MetricCatalog::unitOf(algorithm, key)) : m_xAxis->currentText(), key);
    if (key.isEmpty() || m_runs.isEmpty()) {
        m_curves->setCurves({});
        ++m_curvesLoaded;
        Q_EMIT curvesReady();
        return;
    }
    const QList<Run> runs = m_runs.mid(0, maxCurves());
    const QStringList labels = runLabels(runs);
    auto *watcher = new QFutureWatcher<QList<RunHistory>>(this);
    m_curvesInFlight = true;
    connect(watcher, &QFutureWatcher<QList<RunHistory>>::finished, this, [this, watcher, request, kind, labels] {
        watcher->deleteLater();
        m_curvesInFlight = false;
        if (m_curvesAgain) {
            m_curvesAgain = false;
            loadCurves();
            return;
        }
        if (request != m_curveRequest)
            return;
        QList<gui::CurvePlot::Curve> curves;
        const QList<RunHistory> histories = watcher->result();
        for (int i = 0; i < histories.size(); ++i) {
            gui::CurvePlot::Curve c;
            c.name = labels.value(i);
            historyToXY(histories.at(i), kind, c.x, c.y);
            curves << c;
        }
        m_curves->setCurves(curves);
        ++m_curvesLoaded;
        Q_EMIT curvesReady();
    });
    watcher->setFuture(loadHistoriesAsync(m_context->store().databasePath(), runs, key));
}

double CompareView::numericValue(qint64 runId, const QString &field, bool *categorical) const
{
    if (categorical)
        *categorical = false;
    if (field.startsWith(QLatin1String("metrics."))) {
        const auto it = m_metrics.value(runId).constFind(field.mid(8));
        return it == m_metrics.value(runId).constEnd() ? NAN : it->last;
    }
    const QString key = field.mid(7); // "params."
    const auto params = m_params.value(runId);
    if (!params.contains(key))
        return NAN;
    double v = 0;
    if (parseNumber(params.value(key), &v))
        return v;
    if (categorical)
        *categorical = true;
    return NAN;
}

void CompareView::updateParallel()
{
    const QString metric = m_parallelMetric->currentText();
    QList<gui::ParallelCoordinates::Axis> axes;
    // Params whose values differ among the runs; the same everywhere tells nothing.
    for (const QString &key : std::as_const(m_paramKeys)) {
        QStringList values;
        for (const Run &r : std::as_const(m_runs))
            values << m_params.value(r.id).value(key);
        QSet<QString> distinct(values.cbegin(), values.cend());
        if (distinct.size() < 2)
            continue;
        gui::ParallelCoordinates::Axis axis;
        axis.name = key;
        bool numeric = true;
        for (const QString &v : std::as_const(values)) {
            double d = 0;
            if (!v.isEmpty() && !parseNumber(v, &d))
                numeric = false;
        }
        if (numeric) {
            double lo = INFINITY, hi = -INFINITY;
            for (const QString &v : std::as_const(values)) {
                double d = NAN;
                if (!v.isEmpty())
                    parseNumber(v, &d);
                axis.values << d;
                if (std::isfinite(d)) {
                    lo = std::min(lo, d);
                    hi = std::max(hi, d);
                }
            }
            // Learning rates and the like span decades: a log axis reads them.
            axis.logScale = lo > 0 && hi / lo >= 100;
        } else {
            QStringList categories(distinct.cbegin(), distinct.cend());
            categories.removeAll(QString());
            categories.sort();
            axis.categories = categories;
            for (const QString &v : std::as_const(values))
                axis.values << (v.isEmpty() ? NAN : double(categories.indexOf(v)));
        }
        axes << axis;
        if (axes.size() >= 12)
            break;
    }
    if (!metric.isEmpty() && !axes.isEmpty()) {
        gui::ParallelCoordinates::Axis axis;
        axis.name = metric;
        for (const Run &r : std::as_const(m_runs))
            axis.values << numericValue(r.id, QStringLiteral("metrics.") + metric);
        axes << axis;
    }
    m_parallel->setData(axes, runLabels(m_runs));
}

void CompareView::updateScatter()
{
    m_scatter->clearGraphs();
    m_scatter->clearItems();
    const QPalette pal = QApplication::palette();
    const QColor fg = pal.color(QPalette::WindowText);
    m_scatter->setBackground(pal.color(QPalette::Base));
    for (QCPAxis *axis : {m_scatter->xAxis, m_scatter->yAxis}) {
        axis->setBasePen(QPen(fg));
        axis->setTickPen(QPen(fg));
        axis->setSubTickPen(QPen(fg));
        axis->setTickLabelColor(fg);
        axis->setLabelColor(fg);
        axis->grid()->setPen(QPen(gui::isDarkTheme() ? QColor(255, 255, 255, 40) : QColor(0, 0, 0, 30), 1, Qt::DotLine));
    }
    const QString xField = m_scatterX->currentText();
    const QString yField = m_scatterY->currentText();
    m_scatter->xAxis->setLabel(xField);
    m_scatter->yAxis->setLabel(yField);
    if (xField.isEmpty() || yField.isEmpty()) {
        m_scatter->replot();
        return;
    }
    // Text params become categories along the axis.
    auto values = [this](const QString &field, QStringList &categories) {
        QList<double> out;
        bool anyText = false;
        for (const Run &r : std::as_const(m_runs)) {
            bool categorical = false;
            out << numericValue(r.id, field, &categorical);
            anyText = anyText || categorical;
        }
        if (anyText) {
            QSet<QString> distinct;
            for (const Run &r : std::as_const(m_runs))
                if (m_params.value(r.id).contains(field.mid(7)))
                    distinct.insert(m_params.value(r.id).value(field.mid(7)));
            categories = QStringList(distinct.cbegin(), distinct.cend());
            categories.sort();
            for (int i = 0; i < m_runs.size(); ++i) {
                const auto p = m_params.value(m_runs.at(i).id);
                out[i] = p.contains(field.mid(7)) ? double(categories.indexOf(p.value(field.mid(7)))) : NAN;
            }
        }
        return out;
    };
    QStringList xCategories, yCategories;
    const QList<double> xs = values(xField, xCategories);
    const QList<double> ys = values(yField, yCategories);
    auto setTicker = [](QCPAxis *axis, const QStringList &categories) {
        if (categories.isEmpty()) {
            axis->setTicker(QSharedPointer<QCPAxisTicker>::create());
            return;
        }
        auto ticker = QSharedPointer<QCPAxisTickerText>::create();
        for (int i = 0; i < categories.size(); ++i)
            ticker->addTick(i, categories.at(i));
        axis->setTicker(ticker);
    };
    setTicker(m_scatter->xAxis, xCategories);
    setTicker(m_scatter->yAxis, yCategories);

    QCPGraph *graph = m_scatter->addGraph();
    graph->setLineStyle(QCPGraph::lsNone);
    graph->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssDisc, gui::seriesColor(0), gui::seriesColor(0), 8));
    QList<double> px, py;
    const QStringList labels = runLabels(m_runs);
    double xMin = INFINITY, xMax = -INFINITY, yMin = INFINITY, yMax = -INFINITY;
    for (int i = 0; i < m_runs.size(); ++i) {
        if (!std::isfinite(xs.at(i)) || !std::isfinite(ys.at(i)))
            continue;
        px << xs.at(i);
        py << ys.at(i);
        xMin = std::min(xMin, xs.at(i));
        xMax = std::max(xMax, xs.at(i));
        yMin = std::min(yMin, ys.at(i));
        yMax = std::max(yMax, ys.at(i));
    }
    // Points sorted by x is what QCPGraph wants; labels only while they stay readable.
    QList<int> order(px.size());
    std::iota(order.begin(), order.end(), 0);
    std::sort(order.begin(), order.end(), [&](int a, int b) { return px.at(a) < px.at(b); });
    QList<double> sx, sy;
    for (int i : order) {
        sx << px.at(i);
        sy << py.at(i);
    }
    graph->setData(sx, sy, true);
    if (px.size() <= 25) {
        int shown = 0;
        for (int i = 0; i < m_runs.size(); ++i) {
            if (!std::isfinite(xs.at(i)) || !std::isfinite(ys.at(i)))
                continue;
            auto *text = new QCPItemText(m_scatter);
            text->position->setCoords(xs.at(i), ys.at(i));
            text->setPositionAlignment(Qt::AlignLeft | Qt::AlignBottom);
            text->setText(QStringLiteral(" ") + labels.at(i));
            text->setColor(fg);
            text->setClipToAxisRect(true);
            ++shown;
        }
    }
    if (std::isfinite(xMin)) {
        const double xPad = xMax > xMin ? (xMax - xMin) * 0.08 : 1;
        const double yPad = yMax > yMin ? (yMax - yMin) * 0.08 : 1;
        m_scatter->xAxis->setRange(xMin - xPad, xMax + xPad * 2);
        m_scatter->yAxis->setRange(yMin - yPad, yMax + yPad * 2.5); // room for the labels above the points
    }
    m_scatter->replot();
}

void CompareView::updateDiff()
{
    m_diff->clear();
    if (m_runs.size() < 2) {
        m_diff->setRowCount(0);
        m_diff->setColumnCount(0);
        return;
    }
    RunComparison comparison;
    try {
        comparison = compareRuns(m_context->store(), m_runs.mid(0, 50));
    } catch (const Error &e) {
        m_summary->setText(tr("Cannot compare the runs: %1").arg(e.message()));
        return;
    }
    QStringList headers = {tr("Section"), tr("Key")};
    headers << runLabels(comparison.runs);
    m_diff->setColumnCount(int(headers.size()));
    m_diff->setHorizontalHeaderLabels(headers);
    const bool only = m_onlyDifferences->isChecked();
    QColor highlight = gui::isDarkTheme() ? QColor(120, 90, 20) : QColor(255, 236, 170);
    int row = 0;
    m_diff->setRowCount(int(comparison.rows.size()));
    for (const RunComparison::Row &r : std::as_const(comparison.rows)) {
        if (only && !r.differs)
            continue;
        // Cells that differ from the first run (the reference) are highlighted.
        auto put = [&](int column, const QString &text, bool differs) {
            QString shown = text;
            double number = 0;
            if (r.section == QLatin1String("metrics") && parseNumber(text, &number))
                shown = compactNumber(number);
            auto *cell = new QTableWidgetItem(shown);
            cell->setToolTip(text);
            if (differs)
                cell->setBackground(highlight);
            m_diff->setItem(row, column, cell);
        };
        put(0, r.section, false);
        put(1, r.key, false);
        for (int i = 0; i < r.values.size(); ++i)
            put(2 + i, r.values.at(i), r.differs && i > 0 && r.values.at(i) != r.values.first());
        ++row;
    }
    m_diff->setRowCount(row);
    m_diff->resizeColumnsToContents();
    for (int c = 0; c < m_diff->columnCount(); ++c)
        m_diff->setColumnWidth(c, std::min(m_diff->columnWidth(c), 260));
}

} // namespace cairn::panels
