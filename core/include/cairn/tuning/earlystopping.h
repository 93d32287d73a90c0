#pragma once

#include <QHash>
#include <QMap>

namespace cairn::tuning {

/// The median stopping rule (Golovin et al., Google Vizier; SageMaker's "Auto" early stopping):
/// a trial stops at step s when its best value so far is worse than the median, over the other
/// trials that reached step s, of their running averages up to s. Values are minimised.
class MedianStoppingRule
{
public:
    explicit MedianStoppingRule(int minSteps = 3, int minOtherTrials = 3)
        : m_minSteps(minSteps), m_minOthers(minOtherTrials) {}

    void report(int trial, qint64 step, double value);
    bool shouldStop(int trial, qint64 step) const;
    void forget(int trial) { m_curves.remove(trial); }

private:
    int m_minSteps;
    int m_minOthers;
    QHash<int, QMap<qint64, double>> m_curves; // trial → step → value
};

} // namespace cairn::tuning
