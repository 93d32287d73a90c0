#pragma once

#include <QString>
#include <QStringList>

class QApplication;

namespace cairn::studio {

/// Command-line options of cairn-studio.
struct LaunchOptions
{
    QString workspace;   ///< --workspace DIR
    QString screenshot;  ///< --screenshot FILE: render, save a PNG, exit
    QString panel;       ///< --panel ID: the panel to bring to the front
    QString theme;       ///< --theme system|light|dark (not saved)
    QString language;    ///< --lang en|zh_CN (not saved)
    int width = 0, height = 0; ///< --size WxH
    QStringList notebooks; ///< .ipynb files named on the command line, opened in the Notebooks panel
};

/// Parses the arguments; on a usage error prints it and returns false with exitCode set (2), as
/// after --help and --version (0). Needs a QCoreApplication, not a display.
bool parseLaunchOptions(const QStringList &arguments, LaunchOptions &options, int &exitCode);
/// Loads the Chinese (or other) translation for the language, "" meaning the system's.
void installTranslations(QApplication &app, const QString &language);
/// Runs the GUI: returns the process exit code.
int runStudio(QApplication &app, const LaunchOptions &options);

} // namespace cairn::studio
