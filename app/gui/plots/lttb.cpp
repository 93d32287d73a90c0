#include "lttb.h"

#include <cmath>

namespace cairn::gui {

QList<qsizetype> lttbIndices(const double *x, const double *y, qsizetype n, qsizetype threshold)
{
    // Finite points only: NaN and infinities would poison the triangle areas.
    QList<qsizetype> valid;
    valid.reserve(n);
    for (qsizetype i = 0; i < n; ++i)
        if (std::isfinite(x[i]) && std::isfinite(y[i]))
            valid.append(i);
    const qsizetype m = valid.size();
    if (threshold >= m || threshold < 3)
        return threshold < 3 && m > 2 ? QList<qsizetype>{valid.first(), valid.last()} : valid;

    QList<qsizetype> out;
    out.reserve(threshold);
    out.append(valid.first());
    // The points between the first and the last split into threshold-2 buckets.
    const double every = double(m - 2) / double(threshold - 2);
    qsizetype a = 0; // position in `valid` of the last point kept
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
            avgX += x[valid[j]];
            avgY += y[valid[j]];
        }
        const double count = double(nextEnd - nextStart);
        avgX /= count;
        avgY /= count;

        const qsizetype start = qsizetype(std::floor(bucket * every)) + 1;
        qsizetype end = qsizetype(std::floor((bucket + 1) * every)) + 1;
        if (end > m - 1)
            end = m - 1;
        const double ax = x[valid[a]], ay = y[valid[a]];
        double best = -1;
        qsizetype bestIndex = start;
        for (qsizetype j = start; j < end; ++j) {
            const double area = std::abs((ax - avgX) * (y[valid[j]] - ay) - (ax - x[valid[j]]) * (avgY - ay));
            if (area > best) {
                best = area;
                bestIndex = j;
            }
        }
        out.append(valid[bestIndex]);
        a = bestIndex;
    }
    out.append(valid.last());
    return out;
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
