#pragma once

#include "cairn/monitor/drift.h"
#include "qcustomplotinclude.h"

#include <QDateTime>
#include <QList>

namespace cairn::panels {

/// The monitoring runs of one endpoint, oldest left: a bar per run as tall as its violations
/// (red), a grey dot for a run without any, a cross for a failed run; the selected run is
/// shaded. A click selects the nearest run.
class MonitorTimeline : public QCustomPlot
{
    Q_OBJECT
public:
    struct Point
    {
        QDateTime time;     ///< the end of the run's window (UTC)
        int violations = 0;
        bool failed = false;
    };

    explicit MonitorTimeline(QWidget *parent = nullptr);
    void setRuns(const QList<Point> &runs);
    void setSelected(int index);
    int selected() const { return m_selected; }
    int runCount() const { return int(m_runs.size()); }
    /// Bars drawn for runs with violations.
    int violationBars() const;

Q_SIGNALS:
    void runClicked(int index);

protected:
    void mousePressEvent(QMouseEvent *event) override;
    void resizeEvent(QResizeEvent *event) override;
    void changeEvent(QEvent *event) override;

private:
    void rebuild();

    QList<Point> m_runs;
    int m_selected = -1;
    QCPBars *m_bars;
    QCPGraph *m_clean;
    QCPGraph *m_failed;
    QCPItemRect *m_highlight;
    QCPItemText *m_empty;
};

/// A feature's baseline and current distributions on the drift report's shared bins: numeric
/// bins as overlaid translucent bars, categories side by side; shares in percent.
class DistributionPlot : public QCustomPlot
{
    Q_OBJECT
public:
    explicit DistributionPlot(QWidget *parent = nullptr);
    /// `feature` null: shows `emptyMessage`.
    void setFeature(const monitor::FeatureDrift *feature, const QString &emptyMessage = {});
    /// Bins drawn (0 when empty).
    int binCount() const { return m_bins; }

protected:
    void changeEvent(QEvent *event) override;

private:
    QCPItemText *m_empty;
    QCPBarsGroup *m_group;
    int m_bins = 0;
};

} // namespace cairn::panels
