#pragma once

#include <QList>

#include <cstddef>

namespace cairn::gui {

/// Largest-Triangle-Three-Buckets downsampling (Steinarsson 2013): picks `threshold` of the
/// n points so that the shape of the line survives. x must be sorted ascending; points whose
/// x or y is not finite are skipped. Returns the indices of the points kept, ascending; all
/// finite points when there are no more than threshold of them. The first and last finite
/// points are always kept.
QList<qsizetype> lttbIndices(const double *x, const double *y, qsizetype n, qsizetype threshold);

/// The same, writing the kept points into outX/outY (cleared first).
void lttb(const double *x, const double *y, qsizetype n, qsizetype threshold, QList<double> &outX, QList<double> &outY);

} // namespace cairn::gui
