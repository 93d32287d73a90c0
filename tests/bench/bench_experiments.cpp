// The Experiments panel at 10,000 runs: a synthetic workspace of 10,000 runs × (20 params,
// 30 metrics) with 10 million metric points, then the real panel and models on the offscreen
// platform: open the runs table, apply a filter, sort by a metric, and draw 50 overlaid curves.
// Targets: ≤ 150 ms per interaction, ≤ 100 ms for the 50 curves. Each figure is the median of
// several repetitions, with its ratio to an anchor (a plain scan of the metric summaries)
// measured in the same run. The workspace is cached in /tmp (CAIRN_BENCH_EXPERIMENTS_DIR).
#include "compareview.h"
#include "curveplot.h"
#include "experimentspanel.h"
#include "filterlineedit.h"
#include "runstablemodel.h"
#include "studiocontext.h"

#include "cairn/store/experimentstore.h"
#include "cairn/store/sqlitedatabase.h"
#include "cairn/store/storewriter.h"
#include "cairn/workspace/workspace.h"

#include <QApplication>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QHeaderView>
#include <QRandomGenerator>
#include <QSignalSpy>
#include <QTest>
#include <QTreeView>

#include <algorithm>
#include <cmath>
#include <cstdio>

using namespace cairn;

namespace {

constexpr int kRuns = 10000;
constexpr int kParams = 20;
constexpr int kMetrics = 30;
constexpr qint64 kPoints = 10'000'000;

QString metricKey(int m)
{
    return QStringLiteral("m%1").arg(m, 2, 10, QLatin1Char('0'));
}
QString paramKey(int p)
{
    return QStringLiteral("p%1").arg(p, 2, 10, QLatin1Char('0'));
}

void generate(const QString &path)
{
    QElapsedTimer timer;
    timer.start();
    QDir(path).removeRecursively();
    Workspace ws(path);
    ExperimentStore &store = ws.store();
    store.database().exec(QStringLiteral("PRAGMA synchronous=OFF"));
    const qint64 exp = store.createExperiment(QStringLiteral("bench-10k"));
    StoreWriter writer(store, 2'000'000);
    QRandomGenerator rng(10000);
    const QStringList optimizers = {QStringLiteral("adam"), QStringLiteral("sgd"), QStringLiteral("adamw"), QStringLiteral("rmsprop")};
    // 10,000 × 30 series: 20 of 33 points and 10 of 34 make exactly 1,000 points per run.
    const qint64 t0 = nowMs() - qint64(kRuns) * 60000;
    qint64 points = 0;
    for (int batch = 0; batch < kRuns; batch += 500) {
        store.database().write([&] {
            for (int r = batch; r < batch + 500; ++r) {
                const Run run = store.createRun({.experimentId = exp, .name = QStringLiteral("run-%1").arg(r, 5, 10, QLatin1Char('0')),
                                                 .host = QStringLiteral("bench-host")});
                const double quality = rng.generateDouble();
                for (int p = 0; p < kParams; ++p) {
                    QString value;
                    if (p == 0)
                        value = QString::number(std::pow(10.0, -4 + 3 * rng.generateDouble()), 'g', 3);
                    else if (p == 1)
                        value = optimizers.at(int(rng.bounded(4)));
                    else if (p % 3 == 0)
                        value = QString::number(int(rng.bounded(100)));
                    else
                        value = QString::number(rng.generateDouble(), 'g', 4);
                    writer.logParam(run.id, paramKey(p), value);
                }
                writer.setTag(run.id, QStringLiteral("group"), QStringLiteral("g%1").arg(r % 10));
                const qint64 start = t0 + qint64(r) * 60000;
                for (int m = 0; m < kMetrics; ++m) {
                    const int n = m < 20 ? 33 : 34;
                    for (int s = 0; s < n; ++s) {
                        const double v = quality * (1 - std::exp(-(s + 1) / 8.0)) + 0.02 * (rng.generateDouble() - 0.5) + m * 0.001;
                        writer.logMetric(run.id, metricKey(m), v, s, start + s * 1000);
                        ++points;
                    }
                }
                store.setRunStatus(run.uuid, r % 97 == 0 ? RunStatus::Failed : RunStatus::Finished, run.startTime + 40000);
            }
            writer.flush();
        });
    }
    writer.flush();
    std::printf("generated %d runs, %lld points in %.1f s\n", kRuns, points, timer.elapsed() / 1000.0);
    std::fflush(stdout);
}

QString workspacePath()
{
    const QString dir = qEnvironmentVariable("CAIRN_BENCH_EXPERIMENTS_DIR", QStringLiteral("/tmp/cairn-bench-experiments-v2"));
    const QString marker = QDir(dir).filePath(QStringLiteral("complete"));
    if (!QFile::exists(marker)) {
        generate(dir);
        QFile f(marker);
        if (f.open(QIODevice::WriteOnly))
            f.write("10000 runs x (20 params, 30 metrics), 10M points\n");
    } else {
        std::printf("using the cached workspace %s\n", qPrintable(dir));
    }
    return dir;
}

struct Figure
{
    const char *name;
    double targetMs;
    QList<double> samples;
    double median() const
    {
        QList<double> s = samples;
        std::sort(s.begin(), s.end());
        return s.isEmpty() ? NAN : s.at(s.size() / 2);
    }
};

double ms(const QElapsedTimer &t)
{
    return t.nsecsElapsed() / 1e6;
}

bool waitLoaded(panels::RunsTableModel *model)
{
    if (!model->isLoading())
        return true;
    QSignalSpy spy(model, &panels::RunsTableModel::loaded);
    return spy.wait(30000);
}

} // namespace

int main(int argc, char **argv)
{
    if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM"))
        qputenv("QT_QPA_PLATFORM", "offscreen");
    QApplication app(argc, argv);
    QApplication::setOrganizationName(QStringLiteral("CairnBench"));
    const QString path = workspacePath();
    const int repeats = 5;

    // Anchor: a full scan of the 300,000 metric summaries with the SQLite C API.
    Figure anchor{"anchor: scan 300k metric summaries", 0, {}};
    {
        ExperimentStore store(QDir(path).filePath(QStringLiteral("cairn.db")));
        for (int i = 0; i < repeats; ++i) {
            QElapsedTimer t;
            t.start();
            auto q = store.database().query(QStringLiteral("SELECT SUM(last_value), COUNT(*) FROM metric_summaries"));
            q.next();
            anchor.samples << ms(t);
        }
    }

    gui::StudioContext context;
    QWidget window;
    window.resize(1400, 880);
    auto *panel = new panels::ExperimentsPanel(&context, &window);
    panel->resize(window.size());
    window.show();
    QCoreApplication::processEvents();
    panels::RunsTableModel *model = panel->runsModel();
    QTreeView *view = panel->runsView();

    Figure open{"open the runs table (10,000 runs, first page drawn)", 150, {}};
    for (int i = 0; i < repeats; ++i) {
        QElapsedTimer t;
        t.start();
        context.openWorkspace(path);
        if (!waitLoaded(model)) {
            std::fprintf(stderr, "bench_experiments: the runs table never loaded\n");
            return 1;
        }
        view->viewport()->repaint();
        open.samples << ms(t);
        if (model->totalCount() != kRuns) {
            std::fprintf(stderr, "bench_experiments: expected %d runs, the table has %lld\n", kRuns, model->totalCount());
            return 1;
        }
    }
    // The columns a user would pick for this experiment.
    QList<panels::RunColumn> columns;
    for (int m : {0, 5, 7})
        columns << panels::RunColumn{panels::RunColumn::Metric, metricKey(m)};
    for (int p : {0, 1, 3})
        columns << panels::RunColumn{panels::RunColumn::Param, paramKey(p)};
    panel->setExtraColumns(columns);

    Figure filter{"apply a filter (metrics + params)", 150, {}};
    const QStringList filters = {QStringLiteral("metrics.m05 > 0.5 and params.p01 = 'adam'"),
                                 QStringLiteral("metrics.m07 < 0.3 or params.p03 > 50")};
    qint64 matched = 0;
    for (int i = 0; i < repeats; ++i) {
        panel->filterEdit()->setText(filters.at(i % 2));
        QElapsedTimer t;
        t.start();
        panel->applyFilter();
        waitLoaded(model);
        view->viewport()->repaint();
        filter.samples << ms(t);
        matched = model->totalCount();
    }
    panel->filterEdit()->setText(filters.first());
    panel->applyFilter();
    waitLoaded(model);

    Figure sort{"sort by a metric (header click)", 150, {}};
    const int sortColumn = model->columnOf({panels::RunColumn::Metric, metricKey(7)});
    for (int i = 0; i < repeats; ++i) {
        QElapsedTimer t;
        t.start();
        view->sortByColumn(sortColumn, i % 2 ? Qt::AscendingOrder : Qt::DescendingOrder);
        waitLoaded(model);
        view->viewport()->repaint();
        sort.samples << ms(t);
    }
    // And unfiltered: all 10,000 runs ordered by a metric.
    Figure sortAll{"sort all 10,000 runs by a metric", 150, {}};
    panel->filterEdit()->clear();
    panel->applyFilter();
    waitLoaded(model);
    for (int i = 0; i < repeats; ++i) {
        QElapsedTimer t;
        t.start();
        view->sortByColumn(sortColumn, i % 2 ? Qt::AscendingOrder : Qt::DescendingOrder);
        waitLoaded(model);
        view->viewport()->repaint();
        sortAll.samples << ms(t);
    }

    Figure scroll{"fetch the next page of 100 rows (scrolling)", 150, {}};
    for (int i = 0; i < repeats; ++i) {
        QElapsedTimer t;
        t.start();
        model->fetchMore({});
        view->viewport()->repaint();
        scroll.samples << ms(t);
    }

    // 50 runs selected: the compare view loads their histories and overlays the curves.
    view->sortByColumn(sortColumn, Qt::DescendingOrder);
    waitLoaded(model);
    QList<qint64> best;
    for (int row = 0; row < 50; ++row)
        best << model->index(row, 0).data(panels::RunsTableModel::RunIdRole).toLongLong();
    panel->selectRuns(best);
    panels::CompareView *compare = panel->compareView();
    Figure compareOpen{"compare 50 runs: load histories and draw the curves", 150, {}};
    Figure replot50{"replot 50 overlaid curves", 100, {}};
    for (int i = 0; i < repeats; ++i) {
        QSignalSpy ready(compare, &panels::CompareView::curvesReady);
        QElapsedTimer t;
        t.start();
        panel->updateSidePane();
        if (ready.isEmpty())
            ready.wait(30000);
        compareOpen.samples << ms(t);
        QElapsedTimer r;
        r.start();
        compare->curvePlot()->replot();
        replot50.samples << ms(r);
    }
    const int curves = compare->curvePlot()->graphCount();

    // The heavy case of the issue: 50 curves of 100,000 points each, straight into the plot.
    Figure heavy{"50 curves x 100k points: smooth+LTTB+draw", 100, {}};
    Figure heavyReplot{"50 curves x 100k points: replot", 100, {}};
    Figure heavyZoom{"50 curves x 100k points: zoom (re-sample + replot)", 100, {}};
    {
        gui::CurvePlot plot;
        plot.resize(1000, 600);
        plot.show();
        QList<gui::CurvePlot::Curve> data;
        for (int c = 0; c < 50; ++c) {
            gui::CurvePlot::Curve curve;
            curve.name = QStringLiteral("run %1").arg(c);
            curve.x.resize(100000);
            curve.y.resize(100000);
            for (int i = 0; i < 100000; ++i) {
                curve.x[i] = i;
                curve.y[i] = std::exp(-i / (20000.0 + c * 500)) + 0.02 * std::sin(i * 0.05 + c);
            }
            data << curve;
        }
        for (int i = 0; i < repeats; ++i) {
            QElapsedTimer t;
            t.start();
            plot.setCurves(data);
            heavy.samples << ms(t);
            QElapsedTimer r;
            r.start();
            plot.replot();
            heavyReplot.samples << ms(r);
            QElapsedTimer z;
            z.start();
            plot.xAxis->setRange(20000 + i * 1000, 60000 + i * 1000);
            QTest::qWait(0);
            QSignalSpy after(&plot, &QCustomPlot::afterReplot);
            after.wait(1000);
            heavyZoom.samples << ms(z);
        }
        std::printf("heavy plot: %lld points handed to QCustomPlot for 5,000,000 points of data\n",
                    qlonglong(plot.pointsDrawn()));
    }

    const double a = anchor.median();
    std::printf("\nbench_experiments: %d runs x (%d params, %d metrics), %lld metric points; filter matched %lld runs; "
                "%d curves drawn\n",
                kRuns, kParams, kMetrics, kPoints, qlonglong(matched), curves);
    std::printf("%-58s %10s %10s %8s  %s\n", "interaction", "median ms", "target ms", "x anchor", "");
    std::printf("%-58s %10.1f %10s %8s\n", anchor.name, a, "-", "1.0");
    bool ok = true;
    for (const Figure *f : {&open, &filter, &sort, &sortAll, &scroll, &compareOpen, &replot50, &heavy, &heavyReplot, &heavyZoom}) {
        const double m = f->median();
        const bool pass = m <= f->targetMs;
        ok = ok && pass;
        std::printf("%-58s %10.1f %10.0f %8.1f  %s\n", f->name, m, f->targetMs, m / a, pass ? "ok" : "OVER TARGET");
    }
    std::fflush(stdout);
    return ok ? 0 : 1;
}
