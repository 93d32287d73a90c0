// cairn-studio: the desktop application.
#include "settings.h"
#include "studioapp.h"

#include <QApplication>
#include <QCoreApplication>

namespace {
void setNames()
{
    QCoreApplication::setApplicationName(QStringLiteral("Cairn Studio"));
    QCoreApplication::setOrganizationName(QStringLiteral("Cairn"));
    QCoreApplication::setApplicationVersion(QStringLiteral(CAIRN_VERSION));
}
} // namespace

int main(int argc, char **argv)
{
    // The options are read before the GUI starts, so that --help and usage errors need no display.
    cairn::studio::LaunchOptions options;
    {
        QCoreApplication probe(argc, argv);
        setNames();
        int exitCode = 0;
        if (!cairn::studio::parseLaunchOptions(probe.arguments(), options, exitCode))
            return exitCode;
    }
    QApplication app(argc, argv);
    setNames();
    QApplication::setDesktopFileName(QStringLiteral("cairn-studio"));
    cairn::studio::installTranslations(app, options.language.isEmpty() ? cairn::studio::Settings().language() : options.language);
    return cairn::studio::runStudio(app, options);
}
