#include "cairn/tuning/earlystopping.h"

#include <algorithm>
#include <cmath>
#include <vector>

namespace cairn::tuning {

void MedianStoppingRule::report(int trial, qint64 step, double value)
{
    if (std::isfinite(value))
        m_curves[trial].insert(step, value);
}

bool MedianStoppingRule::shouldStop(int trial, qint64 step) const
{
    const auto mine = m_curves.constFind(trial);
    if (mine == m_curves.constEnd() || mine->size() < m_minSteps)
        return false;
    double best = INFINITY;
    for (auto it = mine->constBegin(); it != mine->constEnd() && it.key() <= step; ++it)
        best = std::min(best, it.value());

    std::vector<double> averages;
    for (auto other = m_curves.constBegin(); other != m_curves.constEnd(); ++other) {
        if (other.key() == trial || other->isEmpty() || other->lastKey() < step)
            continue;
        double sum = 0;
        int count = 0;
        for (auto it = other->constBegin(); it != other->constEnd() && it.key() <= step; ++it) {
            sum += it.value();
            ++count;
        }
        if (count > 0)
            averages.push_back(sum / count);
    }
    if (int(averages.size()) < m_minOthers)
        return false;
    std::sort(averages.begin(), averages.end());
    const size_t n = averages.size();
    const double median = n % 2 ? averages[n / 2] : 0.5 * (averages[n / 2 - 1] + averages[n / 2]);
    return best > median;
}

} // namespace cairn::tuning
