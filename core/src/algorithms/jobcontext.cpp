#include "cairn/algorithms/jobcontext.h"

#include "cairn/algorithms/algorithmplugin.h"

#include <QJsonArray>

#include <algorithm>
#include <cmath>

namespace cairn {

namespace {

// One pass for the moments and norms of the finite values, a second for the histogram. A
// constant tensor gets a unit-wide histogram centred on its value.
template<typename T>
TensorStats summarise(const QString &name, qint64 step, const T *data, qint64 n, int bins)
{
    TensorStats s;
    s.name = name;
    s.step = step;
    s.count = n;
    double sum = 0, sq = 0, abs = 0;
    qint64 finite = 0;
    double lo = HUGE_VAL, hi = -HUGE_VAL;
    for (qint64 i = 0; i < n; ++i) {
        const double v = data[i];
        if (std::isnan(v)) {
            ++s.nanCount;
        } else if (std::isinf(v)) {
            ++s.infCount;
        } else {
            ++finite;
            sum += v;
            sq += v * v;
            abs += std::fabs(v);
            s.zeroCount += v == 0 ? 1 : 0;
            lo = std::min(lo, v);
            hi = std::max(hi, v);
        }
    }
    if (finite == 0)
        return s;
    s.min = lo;
    s.max = hi;
    s.mean = sum / double(finite);
    s.std = std::sqrt(std::max(0.0, sq / double(finite) - s.mean * s.mean));
    s.l1 = abs;
    s.l2 = std::sqrt(sq);
    bins = std::max(1, bins);
    const double width = hi > lo ? (hi - lo) / bins : 1.0;
    for (int b = 0; b <= bins; ++b)
        s.edges.push_back(hi > lo ? lo + b * width : lo - 0.5 + double(b) / bins);
    s.counts.assign(size_t(bins), 0);
    for (qint64 i = 0; i < n; ++i) {
        const double v = data[i];
        if (!std::isfinite(v))
            continue;
        const int b = hi > lo ? std::clamp(int((v - lo) / width), 0, bins - 1) : bins / 2;
        ++s.counts[size_t(b)];
    }
    return s;
}

} // namespace

TensorStats TensorStats::of(const QString &name, qint64 step, const float *data, qint64 n, int bins)
{
    return summarise(name, step, data, n, bins);
}

TensorStats TensorStats::of(const QString &name, qint64 step, const double *data, qint64 n, int bins)
{
    return summarise(name, step, data, n, bins);
}

QJsonObject AlgorithmInfo::toJson() const
{
    QJsonArray t;
    for (Task task : tasks)
        t.append(taskName(task));
    return QJsonObject{{QStringLiteral("id"), id}, {QStringLiteral("name"), name},
                       {QStringLiteral("description"), description}, {QStringLiteral("tasks"), t},
                       {QStringLiteral("input"), input}, {QStringLiteral("distributed"), distributed},
                       {QStringLiteral("parameters"), schema.toJson()}};
}

} // namespace cairn
