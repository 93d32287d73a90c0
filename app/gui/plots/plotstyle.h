#pragma once

class QCustomPlot;

namespace cairn::gui {

/// Colours a plot's background, axes, grid and legend after the application palette (light or
/// dark); series keep their own colours.
void applyPlotPalette(QCustomPlot *plot);

} // namespace cairn::gui
