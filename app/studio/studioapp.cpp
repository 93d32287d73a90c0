#include "studioapp.h"

#include "mainwindow.h"
#include "panel.h"
#include "panelregistry.h"
#include "settings.h"
#include "studiocontext.h"
#include "theme.h"

#include "cairn/workspace/workspace.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QIcon>
#include <QLibraryInfo>
#include <QLocale>
#include <QScreen>
#include <QTimer>
#include <QTranslator>

#include <cstdio>

namespace cairn::studio {

bool parseLaunchOptions(const QStringList &arguments, LaunchOptions &options, int &exitCode)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral("Cairn Studio: a local-first machine learning workbench."));
    parser.addHelpOption();
    parser.addVersionOption();
    parser.addOption({QStringLiteral("workspace"), QStringLiteral("Open this workspace folder (created if needed)."), QStringLiteral("DIR")});
    parser.addOption({QStringLiteral("screenshot"), QStringLiteral("Render the window, save it as PNG and exit."), QStringLiteral("FILE")});
    parser.addOption({QStringLiteral("panel"), QStringLiteral("Bring this panel to the front (e.g. experiments)."), QStringLiteral("ID")});
    parser.addOption({QStringLiteral("theme"), QStringLiteral("system, light or dark, for this launch only."), QStringLiteral("THEME")});
    parser.addOption({QStringLiteral("lang"), QStringLiteral("Interface language for this launch: en or zh_CN."), QStringLiteral("LANG")});
    parser.addOption({QStringLiteral("size"), QStringLiteral("Window size, e.g. 1400x880."), QStringLiteral("WxH")});
    if (!parser.parse(arguments)) {
        std::fprintf(stderr, "cairn-studio: %s\n", qPrintable(parser.errorText()));
        exitCode = 2;
        return false;
    }
    if (parser.isSet(QStringLiteral("help"))) {
        std::fputs(qPrintable(parser.helpText()), stdout);
        exitCode = 0;
        return false;
    }
    if (parser.isSet(QStringLiteral("version"))) {
        std::printf("cairn-studio %s\n", CAIRN_VERSION);
        exitCode = 0;
        return false;
    }
    options.workspace = parser.value(QStringLiteral("workspace"));
    options.screenshot = parser.value(QStringLiteral("screenshot"));
    options.panel = parser.value(QStringLiteral("panel"));
    options.theme = parser.value(QStringLiteral("theme"));
    options.language = parser.value(QStringLiteral("lang"));
    if (parser.isSet(QStringLiteral("size"))) {
        const QStringList parts = parser.value(QStringLiteral("size")).split(QLatin1Char('x'));
        options.width = parts.size() == 2 ? parts.at(0).toInt() : 0;
        options.height = parts.size() == 2 ? parts.at(1).toInt() : 0;
        if (options.width <= 0 || options.height <= 0) {
            std::fprintf(stderr, "cairn-studio: --size takes WIDTHxHEIGHT, e.g. 1400x880\n");
            exitCode = 2;
            return false;
        }
    }
    return true;
}

void installTranslations(QApplication &app, const QString &language)
{
    const QLocale locale = language.isEmpty() ? QLocale::system() : QLocale(language);
    auto *ours = new QTranslator(&app);
    if (ours->load(locale, QStringLiteral("cairn"), QStringLiteral("_"), QStringLiteral(":/i18n")))
        app.installTranslator(ours);
    auto *qt = new QTranslator(&app);
    if (qt->load(locale, QStringLiteral("qtbase"), QStringLiteral("_"), QLibraryInfo::path(QLibraryInfo::TranslationsPath)))
        app.installTranslator(qt);
}

int runStudio(QApplication &app, const LaunchOptions &options)
{
    Settings settings;
    gui::applyTheme(app, gui::themeModeFromName(options.theme.isEmpty() ? settings.theme() : options.theme));

    QApplication::setWindowIcon(QIcon(QStringLiteral(":/icons/cairn-studio.svg")));
    auto *context = new gui::StudioContext(&app);
    MainWindow window(context, createPanels(context));
    if (options.width > 0)
        window.resize(options.width, options.height);

    QString path = options.workspace;
    if (path.isEmpty())
        path = qEnvironmentVariableIsSet("CAIRN_WORKSPACE") ? Workspace::defaultPath() : settings.lastWorkspace();
    if (path.isEmpty())
        path = Workspace::defaultPath();
    const bool opened = window.openWorkspace(path);
    if (!options.panel.isEmpty() && !window.raisePanel(options.panel))
        std::fprintf(stderr, "cairn-studio: no panel '%s'\n", qPrintable(options.panel));
    window.show();

    if (!options.screenshot.isEmpty()) {
        // Let layouts settle and lazy views fetch before grabbing.
        QTimer::singleShot(800, &app, [&] {
            const bool saved = window.grab().save(options.screenshot, "PNG");
            if (!saved)
                std::fprintf(stderr, "cairn-studio: cannot write %s\n", qPrintable(options.screenshot));
            app.exit(saved && opened ? 0 : 1);
        });
    }
    return app.exec();
}

} // namespace cairn::studio
