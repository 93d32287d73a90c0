#pragma once

#include "cairn/debugger/tensordata.h"
#include "qcustomplotinclude.h"

namespace cairn::panels {

/// A tensor's histograms over steps as a heatmap: x = step, y = value, colour = count
/// (log-scaled, so that the tails show). Each step's bins are spread onto one shared value grid.
class HistogramHeatmap : public QCustomPlot
{
    Q_OBJECT
public:
    explicit HistogramHeatmap(QWidget *parent = nullptr);
    void setSeries(const debugger::TensorSeries &series);
    /// Draws a vertical marker at this step (-1: none).
    void setMarker(qint64 step);
    /// Cells of the colour map (steps × value bins); 0 × 0 when empty.
    QSize gridSize() const;

private:
    QCPColorMap *m_map;
    QCPColorScale *m_scale;
    QCPItemStraightLine *m_marker;
    QCPItemText *m_empty;
};

/// TensorBoard's offset histograms: one filled outline per step, later steps in front and
/// lower, the chosen step highlighted. An optional second series (another run) is drawn as an
/// outline at the chosen step, for comparison.
class OffsetHistogramPlot : public QCustomPlot
{
    Q_OBJECT
public:
    explicit OffsetHistogramPlot(QWidget *parent = nullptr);
    void setSeries(const debugger::TensorSeries &series, const QString &label = {});
    void setComparison(const debugger::TensorSeries &series, const QString &label);
    /// Highlights the sample at this index of the series.
    void setCurrent(int index);
    int stepsDrawn() const { return m_drawn; }

private:
    void rebuild();

    debugger::TensorSeries m_series;
    debugger::TensorSeries m_other;
    QString m_label, m_otherLabel;
    int m_current = -1;
    int m_drawn = 0;
    QCPItemText *m_empty;
};

} // namespace cairn::panels
