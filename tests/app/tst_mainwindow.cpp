// The real main window on the offscreen platform: it opens a workspace, shows its panels and
// status, keeps settings, and renders a screenshot.
#include "mainwindow.h"
#include "panel.h"
#include "panelregistry.h"
#include "settings.h"
#include "studiocontext.h"
#include "theme.h"

#include "cairn/store/experimentstore.h"
#include "cairn/workspace/workspace.h"

#include <QAbstractItemView>
#include <QApplication>
#include <QCheckBox>
#include <QDockWidget>
#include <QLabel>
#include <QMenuBar>
#include <QStatusBar>
#include <QStyleOptionButton>
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

    void panelIdsNeedNoDisplay()
    {
        // --help and --panel list the panels from panelIds(): the same as the panels built.
        gui::StudioContext context;
        studio::MainWindow window(&context, studio::createPanels(&context));
        QStringList built;
        for (gui::Panel *panel : window.panels())
            built << panel->panelId();
        QCOMPARE(studio::panelIds(), built);
    }

    void statusMessagesLeaveTheWorkspaceLabelAlone()
    {
        QTemporaryDir dir;
        gui::StudioContext context;
        studio::MainWindow window(&context, {});
        window.resize(1000, 600);
        QVERIFY(window.openWorkspace(dir.path()));
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        auto *label = window.statusBar()->findChild<QLabel *>(QStringLiteral("workspaceLabel"));
        QVERIFY(label && label->isVisible());
        const QRect where(label->mapTo(window.statusBar(), QPoint(0, 0)), label->size());
        const QImage before = window.statusBar()->grab(where).toImage();
        // A long message, as "Opening …ipynb" or an error: drawn beside the label, never over it.
        Q_EMIT context.statusMessage(QStringLiteral("Opening a-notebook-with-a-rather-long-name-that-goes-on-and-on.ipynb… ").repeated(3), 0);
        QVERIFY(!window.statusBar()->currentMessage().isEmpty());
        QVERIFY(label->isVisible());
        const QImage during = window.statusBar()->grab(where).toImage();
        QCOMPARE(during, before);
        QVERIFY(window.statusBar()->grab().save(QDir(QStringLiteral(CAIRN_BUILD_DIR)).filePath(QStringLiteral("screenshots/statusbar-message.png"))));
    }

    void fillsTheSampleWorkspace()
    {
        // What the installed studio's first launch does: the sample's training script runs in the
        // background, and the Experiments panel then shows the sample's newest run.
        QTemporaryDir dir;
        gui::StudioContext context;
        studio::MainWindow window(&context, studio::createPanels(&context));
        window.resize(1400, 880);
        QVERIFY(window.openWorkspace(dir.path()));
        window.show();
        bool finished = false, ok = false;
        window.fillSampleWorkspace(QStringLiteral(CAIRN_SOURCE_DIR "/resources/sample/train_titanic.py"), [&](bool result) {
            finished = true;
            ok = result;
        });
        QVERIFY2(window.statusBar()->currentMessage().startsWith(QStringLiteral("Creating the sample workspace")),
                 qPrintable(window.statusBar()->currentMessage()));
        QTRY_VERIFY_WITH_TIMEOUT(finished, 180000);
        QVERIFY2(ok, qPrintable(window.statusBar()->currentMessage()));
        QCOMPARE(window.statusBar()->currentMessage(), QStringLiteral("The sample workspace is ready."));
        const qint64 experiment = context.store().experimentByName(QStringLiteral("titanic-sample")).id;
        const QList<Run> runs = context.store().searchRuns({.experimentIds = {experiment}});
        QCOMPARE(runs.size(), 9);
        gui::Panel *experiments = nullptr;
        for (gui::Panel *panel : window.panels())
            if (panel->panelId() == QStringLiteral("experiments"))
                experiments = panel;
        QVERIFY(experiments);
        auto showsNewest = [&] {
            for (QAbstractItemView *view : experiments->findChildren<QAbstractItemView *>())
                if (view->currentIndex().isValid() && view->currentIndex().siblingAtColumn(0).data().toString() == runs.first().name)
                    return true;
            return false;
        };
        QTRY_VERIFY_WITH_TIMEOUT(showsNewest(), 10000);
        QVERIFY(window.grab().save(QDir(QStringLiteral(CAIRN_BUILD_DIR)).filePath(QStringLiteral("screenshots/sample-workspace.png"))));

        // A script that fails leaves its last line in the status bar.
        QTemporaryDir other;
        QVERIFY(window.openWorkspace(other.path()));
        const QString script = QDir(other.path()).filePath(QStringLiteral("broken.py"));
        QFile file(script);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write("import sys\nsys.exit(\"ModuleNotFoundError: No module named 'sklearn'\")\n");
        file.close();
        finished = false;
        window.fillSampleWorkspace(script, [&](bool result) {
            finished = true;
            ok = result;
        });
        QTRY_VERIFY_WITH_TIMEOUT(finished, 60000);
        QVERIFY(!ok);
        QCOMPARE(window.statusBar()->currentMessage(),
                 QStringLiteral("Creating the sample workspace failed: ModuleNotFoundError: No module named 'sklearn'"));
    }

    void uncheckedBoxesShowInTheDarkTheme()
    {
        gui::applyTheme(*qApp, gui::ThemeMode::Dark);
        QWidget page;
        page.setAutoFillBackground(true);
        auto *box = new QCheckBox(QStringLiteral("Stop poor trials early"), &page);
        box->move(10, 10);
        box->adjustSize();
        page.resize(300, 50);
        page.show();
        QVERIFY(QTest::qWaitForWindowExposed(&page));
        QStyleOptionButton option;
        option.initFrom(box);
        const QRect indicator = box->style()->subElementRect(QStyle::SE_CheckBoxIndicator, &option, box);
        const QImage image = box->grab(indicator).toImage();
        // The box's outline must stand out from the window behind it.
        const int window = page.palette().color(QPalette::Window).lightness();
        int contrast = 0;
        for (int y = 0; y < image.height(); ++y)
            for (int x = 0; x < image.width(); ++x)
                contrast = std::max(contrast, std::abs(QColor(image.pixel(x, y)).lightness() - window));
        QVERIFY2(contrast >= 80, qPrintable(QString::number(contrast)));
        QVERIFY(page.grab().save(QDir(QStringLiteral(CAIRN_BUILD_DIR)).filePath(QStringLiteral("screenshots/dark-checkbox.png"))));
        gui::applyTheme(*qApp, gui::ThemeMode::Light);
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
