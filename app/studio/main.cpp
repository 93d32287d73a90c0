// cairn-studio: the desktop application.
#include "settings.h"
#include "studioapp.h"

#include <QApplication>

int main(int argc, char **argv)
{
    QApplication app(argc, argv);
    QApplication::setApplicationName(QStringLiteral("Cairn Studio"));
    QApplication::setOrganizationName(QStringLiteral("Cairn"));
    QApplication::setApplicationVersion(QStringLiteral(CAIRN_VERSION));
    QApplication::setDesktopFileName(QStringLiteral("cairn-studio"));

    cairn::studio::LaunchOptions options;
    int exitCode = 0;
    if (!cairn::studio::parseLaunchOptions(app.arguments(), options, exitCode))
        return exitCode;
    cairn::studio::installTranslations(app, options.language.isEmpty() ? cairn::studio::Settings().language() : options.language);
    return cairn::studio::runStudio(app, options);
}
