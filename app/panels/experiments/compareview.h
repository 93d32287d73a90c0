#pragma once

#include "cairn/store/types.h"

#include <QHash>
#include <QWidget>

class QCheckBox;
class QComboBox;
class QLabel;
class QPushButton;
class QSlider;
class QTabWidget;
class QTableWidget;
class QCustomPlot;

namespace cairn::gui {
class CurvePlot;
class ParallelCoordinates;
class StudioContext;
}

namespace cairn::panels {

/// Two or more runs side by side: overlaid curves of a metric, parallel coordinates of params
/// into a metric (with brushing), a scatter of any param or metric against another, and the diff
/// table of cairn::compareRuns with what differs highlighted.
class CompareView : public QWidget
{
    Q_OBJECT
public:
    explicit CompareView(gui::StudioContext *context, QWidget *parent = nullptr);

    void setRuns(const QList<Run> &runs);
    QList<Run> runs() const { return m_runs; }
    /// Re-reads the runs' values (live refresh); curves too when some run is still running.
    void reload();
    /// The most runs compared at once; more selected runs are cut to this many.
    static int maxRuns() { return 500; }
    /// Curves are drawn for this many runs at most (the first ones).
    static int maxCurves() { return 100; }

    QTabWidget *tabs() const { return m_tabs; }
    gui::CurvePlot *curvePlot() const { return m_curves; }
    gui::ParallelCoordinates *parallelCoordinates() const { return m_parallel; }
    QCustomPlot *scatterPlot() const { return m_scatter; }
    QTableWidget *diffTable() const { return m_diff; }
    QComboBox *curveMetricBox() const { return m_curveMetric; }
    /// Set when a curves request completes (tests wait on this).
    int curvesLoaded() const { return m_curvesLoaded; }

Q_SIGNALS:
    /// "Select brushed runs": the runs inside the parallel-coordinates brushes.
    void selectRunsRequested(const QList<qint64> &runIds);
    void curvesReady();

protected:
    void changeEvent(QEvent *event) override;

private:
    void loadValues();
    void fillKeyBoxes();
    void loadCurves();
    void updateParallel();
    void updateScatter();
    void updateDiff();
    double numericValue(qint64 runId, const QString &field, bool *categorical = nullptr) const;

    gui::StudioContext *m_context;
    QList<Run> m_runs;
    QHash<qint64, QHash<QString, QString>> m_params;
    QHash<qint64, QHash<QString, MetricSummary>> m_metrics;
    QStringList m_paramKeys;
    QStringList m_metricKeys;
    int m_curveRequest = 0;
    int m_curvesLoaded = 0;
    bool m_curvesInFlight = false; ///< a history load runs; another request only sets m_curvesAgain
    bool m_curvesAgain = false;
    QList<qint64> m_brushed;

    QLabel *m_summary;
    QTabWidget *m_tabs;
    QComboBox *m_curveMetric;
    QComboBox *m_xAxis;
    QSlider *m_smoothing;
    QCheckBox *m_logY;
    gui::CurvePlot *m_curves;
    QComboBox *m_parallelMetric;
    QLabel *m_brushLabel;
    QPushButton *m_selectBrushed;
    gui::ParallelCoordinates *m_parallel;
    QComboBox *m_scatterX;
    QComboBox *m_scatterY;
    QCustomPlot *m_scatter;
    QCheckBox *m_onlyDifferences;
    QTableWidget *m_diff;
};

} // namespace cairn::panels
