#include "lttb.h"

#include <cmath>

namespace cairn::gui {

namespace {

// The algorithm over points 0..m-1 reached through at(j) (the raw index of the j-th finite point).
template<typename At>
QList<qsizetype> downsample(const double *x, const double *y, qsizetype m, qsizetype threshold, At at)
{
    QList<qsizetype> out;
    out.reserve(threshold);
    out.append(at(0));
    // The points between the first and the last split into threshold-2 buckets.
    const double every = double(m - 2) / double(threshold - 2);
    qsizetype a = 0; // position of the last point kept
    for (qsizetype bucket = 0; bucket < threshold - 2; ++bucket) {
        // The next bucket's average is the third corner of the triangle.
        qsizetype nextStart = qsizetype(std::floor((bucket + 1) * every)) + 1;
        qsizetype nextEnd = qsizetype(std::floor((bucket + 2) * every)) + 1;
        if (nextEnd > m)
            nextEnd = m;
        if (nextStart >= nextEnd)
            nextStart = nextEnd - 1;
        double avgX = 0, avgY = 0;
        for (qsizetype j = nextStart; j < nextEnd; ++j) {
            avgX += x[at(j)];
            avgY += y[at(j)];
        }
        const double count = double(nextEnd - nextStart);
        avgX /= count;
        avgY /= count;

        const qsizetype start = qsizetype(std::floor(bucket * every)) + 1;
        qsizetype end = qsizetype(std::floor((bucket + 1) * every)) + 1;
        if (end > m - 1)
            end = m - 1;
        const double ax = x[at(a)], ay = y[at(a)];
        double best = -1;
        qsizetype bestIndex = start;
        for (qsizetype j = start; j < end; ++j) {
            const double area = std::abs((ax - avgX) * (y[at(j)] - ay) - (ax - x[at(j)]) * (avgY - ay));
            if (area > best) {
                best = area;
                bestIndex = j;
            }
        }
        out.append(at(bestIndex));
        a = bestIndex;
    }
    out.append(at(m - 1));
    return out;
}

} // namespace

QList<qsizetype> lttbIndices(const double *x, const double *y, qsizetype n, qsizetype threshold)
{
    qsizetype firstBad = 0;
    while (firstBad < n && std::isfinite(x[firstBad]) && std::isfinite(y[firstBad]))
        ++firstBad;
    if (firstBad == n) { // the common case: no copy of the indices
        if (threshold >= n || threshold < 3) {
            QList<qsizetype> all;
            if (threshold < 3 && n > 2)
                return {0, n - 1};
            all.resize(n);
            for (qsizetype i = 0; i < n; ++i)
                all[i] = i;
            return all;
        }
        return downsample(x, y, n, threshold, [](qsizetype j) { return j; });
    }
    // NaN and infinities would poison the triangle areas: work on the finite points only.
    QList<qsizetype> valid;
    valid.reserve(n);
    for (qsizetype i = 0; i < n; ++i)
        if (std::isfinite(x[i]) && std::isfinite(y[i]))
            valid.append(i);
    const qsizetype m = valid.size();
    if (threshold >= m || threshold < 3)
        return threshold < 3 && m > 2 ? QList<qsizetype>{valid.first(), valid.last()} : valid;
    return downsample(x, y, m, threshold, [&valid](qsizetype j) { return valid[j]; });
}

void lttb(const double *x, const double *y, qsizetype n, qsizetype threshold, QList<double> &outX, QList<double> &outY)
{
    const QList<qsizetype> keep = lttbIndices(x, y, n, threshold);
    outX.resize(keep.size());
    outY.resize(keep.size());
    for (qsizetype i = 0; i < keep.size(); ++i) {
        outX[i] = x[keep[i]];
        outY[i] = y[keep[i]];
    }
}

} // namespace cairn::gui
