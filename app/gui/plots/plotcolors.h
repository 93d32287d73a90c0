#pragma once

#include <QColor>

namespace cairn::gui {

/// The n-th colour of a qualitative palette that reads on light and dark backgrounds
/// (Tableau 10, then evenly spread hues).
QColor seriesColor(int index);
/// A colour on a perceptual ramp (viridis-like) for t in [0, 1].
QColor rampColor(double t);

} // namespace cairn::gui
