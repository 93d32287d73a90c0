#pragma once

#include <QMainWindow>

#include <functional>

class QLabel;
class QPushButton;
class QMenu;

namespace cairn::gui {
class Panel;
class StudioContext;
}

namespace cairn::studio {

/// The main window: every panel in a dock, the menus, the status bar, and the workspace
/// and window settings kept between launches.
class MainWindow : public QMainWindow
{
    Q_OBJECT
public:
    MainWindow(gui::StudioContext *context, const QList<gui::Panel *> &panels, QWidget *parent = nullptr);

    /// Opens the workspace and remembers it; shows an error and returns false on failure.
    bool openWorkspace(const QString &path);
    /// Brings the panel with this id to the front; false if there is none.
    bool raisePanel(const QString &panelId);
    /// Fills the open (new) workspace with the sample: runs the sample's training script
    /// (scikit-learn on the Titanic passengers, logging through the Python client) in the
    /// background; `done(ok)` comes when it ends. The runs appear live as they are logged.
    void fillSampleWorkspace(const QString &script, const std::function<void(bool)> &done = {});
    QList<gui::Panel *> panels() const { return m_panels; }

protected:
    void closeEvent(QCloseEvent *event) override;

private:
    void buildMenus();
    void newWorkspace();
    void chooseWorkspace();
    void rebuildRecentMenu();
    void updateStatus();
    void showAbout();
    /// Shows the newest run of the experiment in the Experiments panel.
    void showNewestRun(const QString &experimentName);

    gui::StudioContext *m_context;
    QList<gui::Panel *> m_panels;
    QMenu *m_recentMenu = nullptr;
    QMenu *m_viewMenu = nullptr;
    QLabel *m_workspaceLabel = nullptr;
    QLabel *m_countLabel = nullptr;
    QPushButton *m_alertButton = nullptr;
    QString m_alertPanel;
};

} // namespace cairn::studio
