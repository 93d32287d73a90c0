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
#include <QDir>
#include <QFileInfo>
#include <QIcon>
#include <QLibraryInfo>
#include <QLocale>
#include <QScreen>
#include <QTimer>
#include <QTranslator>

#include <cstdio>

namespace cairn::studio {

namespace {

// Options QApplication takes for itself (-platform xcb, -style fusion…): read before QApplication
// exists, they are left to it.
QStringList withoutQtOptions(const QStringList &arguments)
{
    static const QStringList withValue = {
        QStringLiteral("-platform"), QStringLiteral("-platformpluginpath"), QStringLiteral("-platformtheme"), QStringLiteral("-plugin"),
        QStringLiteral("-qwindowgeometry"), QStringLiteral("-qwindowtitle"), QStringLiteral("-qwindowicon"), QStringLiteral("-display"),
        QStringLiteral("-style"), QStringLiteral("-stylesheet"), QStringLiteral("-session"), QStringLiteral("-name"),
        QStringLiteral("-title"), QStringLiteral("-geometry")};
    static const QStringList flags = {QStringLiteral("-reverse"), QStringLiteral("-widgetcount"), QStringLiteral("-nograb"),
                                      QStringLiteral("-dograb"), QStringLiteral("-sync")};
    QStringList kept;
    for (qsizetype i = 0; i < arguments.size(); ++i) {
        const QString &arg = arguments.at(i);
        if (i > 0 && withValue.contains(arg))
            ++i;
        else if (i == 0 || !flags.contains(arg))
            kept << arg;
    }
    return kept;
}

} // namespace

bool parseLaunchOptions(const QStringList &allArguments, LaunchOptions &options, int &exitCode)
{
    const QStringList arguments = withoutQtOptions(allArguments);
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral("Cairn Studio: a local-first machine learning workbench.\n\nPanels (for --panel): %1")
                                         .arg(panelIds().join(QStringLiteral(", "))));
    parser.addHelpOption();
    parser.addVersionOption();
    parser.addOption({QStringLiteral("workspace"), QStringLiteral("Open this workspace folder (created if needed)."), QStringLiteral("DIR")});
    parser.addOption({QStringLiteral("screenshot"), QStringLiteral("Render the window, save it as PNG and exit."), QStringLiteral("FILE")});
    parser.addOption({QStringLiteral("panel"), QStringLiteral("Bring this panel to the front (e.g. experiments)."), QStringLiteral("ID")});
    parser.addOption({QStringLiteral("theme"), QStringLiteral("system, light or dark, for this launch only."), QStringLiteral("THEME")});
    parser.addOption({QStringLiteral("lang"), QStringLiteral("Interface language for this launch: en or zh_CN."), QStringLiteral("LANG")});
    parser.addOption({QStringLiteral("size"), QStringLiteral("Window size, e.g. 1400x880."), QStringLiteral("WxH")});
    parser.addPositionalArgument(QStringLiteral("notebooks"), QStringLiteral("Notebooks (.ipynb) to open."), QStringLiteral("[NOTEBOOK...]"));
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
    if (!options.panel.isEmpty() && !panelIds().contains(options.panel)) {
        std::fprintf(stderr, "cairn-studio: no panel '%s'; the panels are: %s\n", qPrintable(options.panel),
                     qPrintable(panelIds().join(QStringLiteral(", "))));
        exitCode = 2;
        return false;
    }
    for (const QString &file : parser.positionalArguments()) {
        if (!QFileInfo(file).isFile()) {
            std::fprintf(stderr, "cairn-studio: no such notebook: %s\n", qPrintable(file));
            exitCode = 2;
            return false;
        }
        options.notebooks << QFileInfo(file).absoluteFilePath();
    }
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
    QLocale::setDefault(locale); // dates and numbers in the interface's language
    auto *ours = new QTranslator(&app);
    // English is the source language; its file holds the plural forms ("1 run", "2 runs") and is
    // what a language without a translation falls back to.
    if (ours->load(locale, QStringLiteral("cairn"), QStringLiteral("_"), QStringLiteral(":/i18n"))
        || ours->load(QStringLiteral("cairn_en"), QStringLiteral(":/i18n")))
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
    // The first launch of the installed application opens a sample workspace, filled by the
    // sample's training script shipped beside it (scripts/run does the same for a source tree).
    QString sampleScript;
    if (path.isEmpty()) {
        const QString script = QDir::cleanPath(QCoreApplication::applicationDirPath()
                                               + QStringLiteral("/../share/cairn-studio/sample/train_titanic.py"));
        if (QFileInfo::exists(script)) {
            path = qEnvironmentVariable("CAIRN_SAMPLE_WORKSPACE", QDir::home().filePath(QStringLiteral("CairnSampleWorkspace")));
            if (!Workspace::exists(path))
                sampleScript = script;
        }
    }
    if (path.isEmpty())
        path = Workspace::defaultPath();
    const bool opened = window.openWorkspace(path);
    bool sampleFilled = true;
    bool sampleRunning = false;
    if (opened && !sampleScript.isEmpty()) {
        sampleRunning = true;
        window.fillSampleWorkspace(sampleScript, [&](bool ok) {
            sampleFilled = ok;
            sampleRunning = false;
        });
    }
    if (!options.panel.isEmpty())
        window.raisePanel(options.panel);
    window.show();
    for (const QString &notebook : options.notebooks)
        Q_EMIT context->openNotebookRequested(notebook);

    if (!options.screenshot.isEmpty()) {
        // Let layouts settle and lazy views fetch before grabbing; a sample workspace being filled
        // is waited for, so that the picture shows it.
        auto grab = [&] {
            QTimer::singleShot(800, &app, [&] {
                const bool saved = window.grab().save(options.screenshot, "PNG");
                if (!saved)
                    std::fprintf(stderr, "cairn-studio: cannot write %s\n", qPrintable(options.screenshot));
                if (!sampleFilled)
                    std::fprintf(stderr, "cairn-studio: creating the sample workspace failed\n");
                app.exit(saved && opened && sampleFilled ? 0 : 1);
            });
        };
        if (sampleRunning) {
            auto *poll = new QTimer(&app);
            QObject::connect(poll, &QTimer::timeout, &app, [&, poll] {
                if (sampleRunning)
                    return;
                poll->deleteLater();
                grab();
            });
            poll->start(200);
        } else {
            grab();
        }
    }
    return app.exec();
}

} // namespace cairn::studio
