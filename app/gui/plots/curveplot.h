#pragma once

#include "qcustomplotinclude.h"

#include <QList>
#include <QString>

class QTimer;

namespace cairn::gui {

/// Overlaid line curves (metric histories) over QCustomPlot: EMA smoothing, log scale, and LTTB
/// downsampling of what is visible, so that dozens of curves of 100k points replot at once.
/// Zooming and panning re-sample the visible range from the full data. A series of one value is
/// drawn as a labelled marker, never as a (invisible) line.
class CurvePlot : public QCustomPlot
{
    Q_OBJECT
public:
    enum class XKind { Step, Seconds, WallTime };

    struct Curve
    {
        QString name;
        QList<double> x; ///< ascending
        QList<double> y;
    };

    explicit CurvePlot(QWidget *parent = nullptr);

    void setCurves(const QList<Curve> &curves);
    int curveCount() const { return int(m_curves.size()); }
    /// 0 (none) to 0.999 (heaviest); TensorBoard's debiased exponential moving average.
    void setSmoothing(double weight);
    double smoothing() const { return m_smoothing; }
    void setLogY(bool log);
    bool logY() const { return m_logY; }
    void setXKind(XKind kind);
    void setLabels(const QString &x, const QString &y);
    /// Points drawn per curve at most; 0 picks twice the plot's width in pixels.
    void setMaxPointsPerCurve(int points);
    /// Shown in the middle when there is nothing to draw.
    void setEmptyMessage(const QString &message);
    /// The points handed to QCustomPlot in the last resample, all curves together.
    qsizetype pointsDrawn() const { return m_pointsDrawn; }
    /// Rebuilds the smoothed data, fits the axes to it and replots.
    void rebuild();
    /// Follows the application palette (light or dark).
    void applyPalette();

protected:
    void resizeEvent(QResizeEvent *event) override;
    void changeEvent(QEvent *event) override;

private:
    void prepare();
    void resampleVisible();
    int maxPoints() const;

    QList<Curve> m_curves;   // as given
    QList<Curve> m_prepared; // smoothed, filtered for the log scale
    double m_smoothing = 0;
    bool m_logY = false;
    XKind m_xKind = XKind::Step;
    int m_maxPoints = 0;
    qsizetype m_pointsDrawn = 0;
    bool m_resampling = false;
    QString m_emptyMessage;
    QCPItemText *m_emptyText = nullptr;
    QList<QCPItemText *> m_valueLabels; // next to single-value markers
    QTimer *m_resampleTimer = nullptr;
};

} // namespace cairn::gui
