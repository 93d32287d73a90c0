#pragma once

#include <QString>

class QWidget;

namespace cairn::gui {

/// Saves a plot as PNG or SVG, chosen by the file's suffix. QCustomPlot widgets are drawn as
/// vectors into the SVG; other widgets through QWidget::render. On failure returns false and
/// sets *error to a message for the user.
bool savePlot(QWidget *plot, const QString &path, QString *error = nullptr);

/// Asks where to save (PNG or SVG) and saves; shows what went wrong. suggestedName has no suffix.
void exportPlotInteractively(QWidget *plot, QWidget *dialogParent, const QString &suggestedName);

} // namespace cairn::gui
