#pragma once

#include <QString>

class QApplication;

namespace cairn::gui {

enum class ThemeMode { System, Light, Dark };

QString themeModeName(ThemeMode mode);
ThemeMode themeModeFromName(const QString &name);

/// Applies the Fusion style with a light or dark palette. System follows the desktop's
/// palette (as Qt 6.4 reports it) at start-up.
void applyTheme(QApplication &app, ThemeMode mode);
/// Whether the palette in use is dark (plots pick their colours from this).
bool isDarkTheme();

} // namespace cairn::gui
