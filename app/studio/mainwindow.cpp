#include "mainwindow.h"

#include "panel.h"
#include "settings.h"
#include "studiocontext.h"
#include "theme.h"

#include "cairn/store/experimentstore.h"
#include "cairn/util/error.h"
#include "cairn/workspace/workspace.h"

#include <QActionGroup>
#include <QApplication>
#include <QCloseEvent>
#include <QDesktopServices>
#include <QDir>
#include <QDockWidget>
#include <QFileDialog>
#include <QLabel>
#include <QMenuBar>
#include <QMessageBox>
#include <QProcess>
#include <QPushButton>
#include <QStatusBar>
#include <QUrl>

namespace cairn::studio {

MainWindow::MainWindow(gui::StudioContext *context, const QList<gui::Panel *> &panels, QWidget *parent)
    : QMainWindow(parent), m_context(context), m_panels(panels)
{
    setWindowTitle(tr("Cairn Studio"));
    setObjectName(QStringLiteral("MainWindow"));
    setDockNestingEnabled(true);
    setDocumentMode(true);
    setTabPosition(Qt::AllDockWidgetAreas, QTabWidget::North);

    QDockWidget *first = nullptr;
    for (gui::Panel *panel : m_panels) {
        auto *dock = new QDockWidget(panel->title(), this);
        dock->setObjectName(QStringLiteral("dock-") + panel->panelId());
        dock->setWidget(panel);
        dock->setFeatures(QDockWidget::DockWidgetMovable | QDockWidget::DockWidgetFloatable | QDockWidget::DockWidgetClosable);
        addDockWidget(Qt::LeftDockWidgetArea, dock);
        if (first)
            tabifyDockWidget(first, dock);
        else
            first = dock;
    }
    if (first)
        first->raise();

    m_workspaceLabel = new QLabel(this);
    m_workspaceLabel->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_workspaceLabel->setObjectName(QStringLiteral("workspaceLabel"));
    m_countLabel = new QLabel(this);
    m_countLabel->setObjectName(QStringLiteral("countLabel"));
    // Permanent widgets: QStatusBar draws its messages (ours and the menus' status tips) only in
    // the space left of them, never over them.
    statusBar()->addPermanentWidget(m_workspaceLabel);
    statusBar()->addPermanentWidget(m_countLabel);
    // An alert stays until it is seen: a click shows the panel that raised it.
    m_alertButton = new QPushButton(this);
    m_alertButton->setObjectName(QStringLiteral("alertButton"));
    m_alertButton->setFlat(true);
    m_alertButton->setCursor(Qt::PointingHandCursor);
    m_alertButton->setStyleSheet(QStringLiteral("QPushButton { color: #d62728; font-weight: bold; padding: 0 6px; }"));
    m_alertButton->setVisible(false);
    statusBar()->insertPermanentWidget(0, m_alertButton);
    connect(m_alertButton, &QPushButton::clicked, this, [this] {
        raisePanel(m_alertPanel);
        m_alertButton->setVisible(false);
    });

    buildMenus();
    connect(m_context, &gui::StudioContext::workspaceChanged, this, &MainWindow::updateStatus);
    connect(m_context, &gui::StudioContext::storeChanged, this, &MainWindow::updateStatus);
    connect(m_context, &gui::StudioContext::statusMessage, this,
            [this](const QString &text, int timeout) { statusBar()->showMessage(text, timeout); });
    connect(m_context, &gui::StudioContext::alertRaised, this, [this](const QString &panelId, const QString &text) {
        m_alertPanel = panelId;
        m_alertButton->setText(QStringLiteral("\u26A0 ") + text);
        m_alertButton->setToolTip(text);
        m_alertButton->setVisible(!text.isEmpty());
    });
    connect(m_context, &gui::StudioContext::showRunRequested, this, [this] { raisePanel(QStringLiteral("experiments")); });
    connect(m_context, &gui::StudioContext::openNotebookRequested, this, [this] { raisePanel(QStringLiteral("notebooks")); });

    Settings settings;
    if (!restoreGeometry(settings.windowGeometry()))
        resize(1400, 880);
    restoreState(settings.windowState());
    updateStatus();
}

void MainWindow::buildMenus()
{
    QMenu *file = menuBar()->addMenu(tr("&File"));
    file->addAction(tr("&New Workspace…"), this, &MainWindow::newWorkspace);
    file->addAction(tr("&Open Workspace…"), QKeySequence::Open, this, &MainWindow::chooseWorkspace);
    m_recentMenu = file->addMenu(tr("Open &Recent"));
    rebuildRecentMenu();
    file->addAction(tr("Show Workspace &Folder"), this, [this] {
        if (m_context->hasWorkspace())
            QDesktopServices::openUrl(QUrl::fromLocalFile(m_context->workspacePath()));
    });
    file->addSeparator();
    QAction *quit = file->addAction(tr("&Quit"), QKeySequence::Quit, this, &QWidget::close);
    quit->setMenuRole(QAction::QuitRole);

    m_viewMenu = menuBar()->addMenu(tr("&View"));
    for (QDockWidget *dock : findChildren<QDockWidget *>()) {
        QAction *toggle = dock->toggleViewAction();
        m_viewMenu->addAction(toggle);
    }
    m_viewMenu->addSeparator();
    QMenu *theme = m_viewMenu->addMenu(tr("&Theme"));
    auto *group = new QActionGroup(theme);
    const gui::ThemeMode current = gui::themeModeFromName(Settings().theme());
    const QList<QPair<gui::ThemeMode, QString>> modes = {
        {gui::ThemeMode::System, tr("Follow &System")}, {gui::ThemeMode::Light, tr("&Light")}, {gui::ThemeMode::Dark, tr("&Dark")}};
    for (const auto &[mode, label] : modes) {
        QAction *action = theme->addAction(label);
        action->setCheckable(true);
        action->setChecked(mode == current);
        group->addAction(action);
        connect(action, &QAction::triggered, this, [mode] {
            Settings().setTheme(gui::themeModeName(mode));
            gui::applyTheme(*qApp, mode);
        });
    }
    QMenu *language = m_viewMenu->addMenu(tr("&Language"));
    auto *languages = new QActionGroup(language);
    const QString currentLanguage = Settings().language();
    const QList<QPair<QString, QString>> choices = {
        {QString(), tr("Follow System")}, {QStringLiteral("en"), QStringLiteral("English")}, {QStringLiteral("zh_CN"), QStringLiteral("简体中文")}};
    for (const auto &[code, label] : choices) {
        QAction *action = language->addAction(label);
        action->setCheckable(true);
        action->setChecked(code == currentLanguage);
        languages->addAction(action);
        connect(action, &QAction::triggered, this, [this, code] {
            Settings().setLanguage(code);
            statusBar()->showMessage(tr("The language changes at the next start."), 6000);
        });
    }

    QMenu *help = menuBar()->addMenu(tr("&Help"));
    help->addAction(tr("&About Cairn Studio"), this, &MainWindow::showAbout);
}

bool MainWindow::openWorkspace(const QString &path)
{
    try {
        m_context->openWorkspace(path);
    } catch (const Error &e) {
        QMessageBox::critical(this, tr("Cannot open workspace"), e.message());
        return false;
    }
    Settings().addRecentWorkspace(m_context->workspacePath());
    rebuildRecentMenu();
    setWindowTitle(tr("%1 — Cairn Studio").arg(QDir(m_context->workspacePath()).dirName()));
    return true;
}

namespace {
const QString kSampleExperiment = QStringLiteral("titanic-sample");
}

void MainWindow::fillSampleWorkspace(const QString &script, const std::function<void(bool)> &done)
{
    auto *process = new QProcess(this);
    process->setProcessChannelMode(QProcess::MergedChannels);
    statusBar()->showMessage(tr("Creating the sample workspace: training scikit-learn models on the Titanic passengers…"));
    connect(process, &QProcess::finished, this, [this, process, done](int exitCode, QProcess::ExitStatus status) {
        const bool ok = status == QProcess::NormalExit && exitCode == 0;
        if (ok) {
            statusBar()->showMessage(tr("The sample workspace is ready."), 10000);
            showNewestRun(kSampleExperiment);
        } else {
            // The script's last lines say what was missing (a Python module, most often).
            const QStringList lines = QString::fromUtf8(process->readAll()).trimmed().split(QLatin1Char('\n'));
            statusBar()->showMessage(tr("Creating the sample workspace failed: %1").arg(lines.value(lines.size() - 1)));
        }
        process->deleteLater();
        if (done)
            done(ok);
    });
    connect(process, &QProcess::errorOccurred, this, [this, process, done](QProcess::ProcessError error) {
        if (error != QProcess::FailedToStart)
            return;
        statusBar()->showMessage(tr("Creating the sample workspace failed: %1").arg(process->errorString()));
        process->deleteLater();
        if (done)
            done(false);
    });
    process->start(QStringLiteral("/usr/bin/python3"),
                   {script, QStringLiteral("--workspace"), m_context->workspacePath(), QStringLiteral("--experiment"), kSampleExperiment});
}

void MainWindow::showNewestRun(const QString &experimentName)
{
    // The Experiments panel picked an experiment when the workspace was still empty.
    try {
        const auto experiment = m_context->store().findExperiment(experimentName);
        if (!experiment)
            return;
        RunQuery query;
        query.experimentIds = {experiment->id};
        query.limit = 1;
        const QList<Run> runs = m_context->store().searchRuns(query);
        if (!runs.isEmpty())
            Q_EMIT m_context->showRunRequested(runs.first().uuid);
    } catch (const Error &) {
        // Only a convenience: the workspace is open either way.
    }
}

void MainWindow::newWorkspace()
{
    // Beside the workspace open now: workspaces tend to live together.
    QDir start(m_context->hasWorkspace() ? m_context->workspacePath() : QDir::homePath());
    if (m_context->hasWorkspace())
        start.cdUp();
    const QString dir = QFileDialog::getExistingDirectory(this, tr("Choose an empty folder for the new workspace"), start.absolutePath());
    if (dir.isEmpty())
        return;
    if (Workspace::exists(dir)) {
        QMessageBox::information(this, tr("New Workspace"), tr("%1 already holds a workspace; it is opened as it is.").arg(dir));
    } else if (!QDir(dir).isEmpty()) {
        if (QMessageBox::question(this, tr("New Workspace"),
                                  tr("%1 is not empty. Create the workspace there anyway? Nothing in it is changed.").arg(dir))
            != QMessageBox::Yes)
            return;
    }
    openWorkspace(dir);
}

void MainWindow::chooseWorkspace()
{
    const QString dir = QFileDialog::getExistingDirectory(this, tr("Open Workspace"),
                                                          m_context->hasWorkspace() ? m_context->workspacePath() : QDir::homePath());
    if (dir.isEmpty())
        return;
    if (!Workspace::exists(dir)
        && QMessageBox::question(this, tr("Open Workspace"),
                                 tr("%1 holds no Cairn workspace (no cairn.db). Create a new workspace there?").arg(dir))
               != QMessageBox::Yes)
        return;
    openWorkspace(dir);
}

void MainWindow::rebuildRecentMenu()
{
    m_recentMenu->clear();
    const QStringList recent = Settings().recentWorkspaces();
    for (const QString &path : recent)
        m_recentMenu->addAction(path, this, [this, path] { openWorkspace(path); });
    if (recent.isEmpty())
        m_recentMenu->addAction(tr("(none yet)"))->setEnabled(false);
    else {
        m_recentMenu->addSeparator();
        m_recentMenu->addAction(tr("Clear List"), this, [this] {
            Settings().clearRecentWorkspaces();
            rebuildRecentMenu();
        });
    }
}

void MainWindow::updateStatus()
{
    if (!m_context->hasWorkspace()) {
        m_workspaceLabel->setText(tr("No workspace"));
        m_countLabel->clear();
        return;
    }
    m_workspaceLabel->setText(tr("Workspace: %1").arg(QDir::toNativeSeparators(m_context->workspacePath())));
    try {
        ExperimentStore &store = m_context->store();
        RunQuery all;
        const qint64 runs = store.countRuns(all);
        all.filter = QStringLiteral("status = 'RUNNING'");
        const qint64 running = store.countRuns(all);
        const qsizetype experiments = store.experiments().size();
        QString text = (experiments == 1 ? tr("1 experiment") : tr("%1 experiments").arg(experiments)) + QStringLiteral(" · ")
                       + (runs == 1 ? tr("1 run") : tr("%1 runs").arg(runs));
        if (running > 0)
            text += QStringLiteral(" · ") + tr("%1 running").arg(running);
        m_countLabel->setText(text);
    } catch (const Error &e) {
        m_countLabel->setText(e.message());
    }
}

bool MainWindow::raisePanel(const QString &panelId)
{
    auto *dock = findChild<QDockWidget *>(QStringLiteral("dock-") + panelId);
    if (!dock)
        return false;
    dock->show();
    dock->raise();
    return true;
}

void MainWindow::showAbout()
{
    QMessageBox::about(this, tr("About Cairn Studio"),
                       tr("<h3>Cairn Studio %1</h3><p>A local-first machine learning workbench: notebooks, experiments, "
                          "training, tuning and deployment on your own machines.</p>"
                          "<p>Licensed under the GNU General Public License, version 3 or later.</p>")
                           .arg(QStringLiteral(CAIRN_VERSION)));
}

void MainWindow::closeEvent(QCloseEvent *event)
{
    // Unsaved work first: each panel asks about its own, and Cancel keeps the window open.
    for (gui::Panel *panel : std::as_const(m_panels)) {
        if (!panel->hasUnsavedChanges())
            continue;
        raisePanel(panel->panelId());
        if (!panel->confirmClose()) {
            event->ignore();
            return;
        }
    }
    Settings settings;
    settings.setWindowGeometry(saveGeometry());
    settings.setWindowState(saveState());
    event->accept();
}

} // namespace cairn::studio
