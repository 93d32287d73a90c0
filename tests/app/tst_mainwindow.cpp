// The real main window on the offscreen platform: it opens a workspace, shows its panels and
// status, keeps settings, and renders a screenshot.
#include "mainwindow.h"
#include "panel.h"
#include "panelregistry.h"
#include "settings.h"
#include "studiocontext.h"

#include "cairn/store/experimentstore.h"
#include "cairn/workspace/workspace.h"

#include <QApplication>
#include <QDockWidget>
#include <QLabel>
#include <QMenuBar>
#include <QStatusBar>
#include <QTemporaryDir>
#include <QtTest>

using namespace cairn;

class TestMainWindow : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void opensWorkspaceAndShowsCounts()
    {
        QTemporaryDir dir;
        {
            Workspace ws(dir.path());
            const qint64 exp = ws.store().createExperiment(QStringLiteral("titanic"));
            ws.store().createRun({.experimentId = exp});
            ws.store().createRun({.experimentId = exp});
        }
        gui::StudioContext context;
        studio::MainWindow window(&context, studio::createPanels(&context));
        window.resize(1200, 800);
        QVERIFY(window.openWorkspace(dir.path()));
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));

        QCOMPARE(context.workspacePath(), Workspace::resolvePath(dir.path()));
        const QString status = statusText(window);
        QVERIFY2(status.contains(QStringLiteral("2 experiments")), qPrintable(status));
        QVERIFY2(status.contains(QStringLiteral("2 runs")), qPrintable(status));
        QVERIFY(window.windowTitle().contains(QDir(dir.path()).dirName()));

        // Every panel sits in a dock that the View menu can toggle.
        const auto docks = window.findChildren<QDockWidget *>();
        QCOMPARE(docks.size(), window.panels().size());
        for (gui::Panel *panel : window.panels())
            QVERIFY(window.raisePanel(panel->panelId()));
        QVERIFY(!window.raisePanel(QStringLiteral("no-such-panel")));
        QStringList menus;
        for (QAction *a : window.menuBar()->actions())
            menus << a->text();
        QCOMPARE(menus, (QStringList{QStringLiteral("&File"), QStringLiteral("&View"), QStringLiteral("&Help")}));

        // A run written by another process shows in the status bar without a reload.
        {
            ExperimentStore other(QDir(dir.path()).filePath(QStringLiteral("cairn.db")));
            other.createRun({});
        }
        QTRY_VERIFY_WITH_TIMEOUT(statusText(window).contains(QStringLiteral("3 runs")), 3000);

        const QString shot = QDir(QStringLiteral(CAIRN_BUILD_DIR)).filePath(QStringLiteral("screenshots/mainwindow.png"));
        QDir().mkpath(QFileInfo(shot).absolutePath());
        QVERIFY(window.grab().save(shot));
        QVERIFY(QFileInfo(shot).size() > 1000);

        // The workspace is remembered for the next launch.
        QCOMPARE(studio::Settings().lastWorkspace(), context.workspacePath());
    }

    void badWorkspaceKeepsTheCurrentOne()
    {
        QTemporaryDir dir;
        gui::StudioContext context;
        studio::MainWindow window(&context, {});
        QVERIFY(window.openWorkspace(dir.path()));
        QFile file(dir.filePath(QStringLiteral("a-file")));
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.close();
        // A file is not a workspace: an error box, and the open workspace stays.
        QTimer closer;
        connect(&closer, &QTimer::timeout, [] {
            for (QWidget *w : QApplication::topLevelWidgets())
                if (w->inherits("QMessageBox") && w->isVisible())
                    w->close();
        });
        closer.start(50);
        QVERIFY(!window.openWorkspace(file.fileName()));
        QCOMPARE(context.workspacePath(), Workspace::resolvePath(dir.path()));
    }

private:
    static QString statusText(QMainWindow &window)
    {
        QStringList parts;
        for (QLabel *label : window.statusBar()->findChildren<QLabel *>())
            parts << label->text();
        return parts.join(QLatin1Char(' '));
    }
};

QTEST_MAIN(TestMainWindow)
#include "tst_mainwindow.moc"
