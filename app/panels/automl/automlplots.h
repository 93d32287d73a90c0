#pragma once

#include "qcustomplotinclude.h"

#include <QList>
#include <QString>

namespace cairn::panels {

/// Global feature importance as horizontal bars, the most important feature on top: the drop of
/// the objective when a feature is shuffled (permutation, any model) and, when the model has
/// them, the mean |SHAP| contribution, side by side on their own axes (bottom and top) since
/// their units differ.
class ImportancePlot : public QCustomPlot
{
    Q_OBJECT
public:
    struct Bar
    {
        QString feature;
        double value = 0;
        double stddev = 0;
    };

    explicit ImportancePlot(QWidget *parent = nullptr);

    /// Features shown at most (the most important by permutation, else by SHAP).
    static constexpr int kMaxFeatures = 15;

    /// metric: what the permutation importance is a drop of (for the axis label).
    void setImportance(const QList<Bar> &permutation, const QList<Bar> &shap, const QString &metric);
    void setEmptyMessage(const QString &message);
    int featureCount() const { return m_features; }
    bool hasShap() const { return m_hasShap; }

protected:
    void changeEvent(QEvent *event) override;

private:
    void applyPalette();

    QCPItemText *m_empty = nullptr;
    int m_features = 0;
    bool m_hasShap = false;
};

/// The objective of each candidate in the order they finished, with the best so far as a step line.
class BestObjectivePlot : public QCustomPlot
{
    Q_OBJECT
public:
    explicit BestObjectivePlot(QWidget *parent = nullptr);

    /// (candidate index, objective) in the order they finished; maximize: whether bigger is better.
    void setPoints(const QList<QPair<int, double>> &points, const QString &metric, bool maximize, int maxCandidates);
    void setEmptyMessage(const QString &message);
    int pointCount() const;

protected:
    void changeEvent(QEvent *event) override;

private:
    void applyPalette();

    QCPItemText *m_empty = nullptr;
};

} // namespace cairn::panels
