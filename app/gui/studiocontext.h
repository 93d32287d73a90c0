#pragma once

#include <QObject>
#include <QString>

#include <memory>

class QTimer;

namespace cairn {
class Workspace;
class ExperimentStore;
}

namespace cairn::gui {

/// What the main window shares with every panel: the open workspace, a signal when any process
/// has written to it, and cross-panel requests. Panels talk to each other only through this.
class StudioContext : public QObject
{
    Q_OBJECT
public:
    explicit StudioContext(QObject *parent = nullptr);
    ~StudioContext() override;

    /// Opens the workspace (creating it if needed); throws cairn::Error on failure and keeps
    /// the previous workspace.
    void openWorkspace(const QString &path);
    bool hasWorkspace() const { return bool(m_workspace); }
    Workspace &workspace();
    ExperimentStore &store();
    QString workspacePath() const;

    /// Where a file dialog starts: the folder last used in one with the workspace open now, else
    /// that workspace, else the home folder. Static, for widgets that have no context.
    static QString dialogFolder();
    /// Remembers the folder of a file or folder the user chose in a dialog.
    static void rememberDialogPath(const QString &path);

    /// How often the database is checked for writes from other processes.
    void setPollInterval(int ms);

Q_SIGNALS:
    void workspaceChanged();
    /// Another process (a training job, a notebook, the CLI) or this one committed to the store.
    void storeChanged();
    /// Asks the Experiments panel to show a run.
    void showRunRequested(const QString &runUuid);
    /// Asks the Notebooks panel to open an .ipynb file.
    void openNotebookRequested(const QString &path);
    /// Asks the Models panel to register the model of a run (it asks for the model's name).
    void registerModelRequested(const QString &runUuid);
    /// Asks the Models panel to start an endpoint for a model reference (a run id, "churn:3", …).
    void deployModelRequested(const QString &modelRef);
    /// A message for the status bar.
    void statusMessage(const QString &text, int timeoutMs = 4000);
    /// An alert that stays in the status bar until the user clicks it (which raises `panelId`)
    /// or the panel clears it with an empty text: a monitoring run that found violations.
    void alertRaised(const QString &panelId, const QString &text);

public Q_SLOTS:
    /// Call after writing to the store from the GUI so that views refresh at once.
    void notifyStoreChanged();

private:
    void poll();

    std::unique_ptr<Workspace> m_workspace;
    QTimer *m_pollTimer;
    qint64 m_dataVersion = -1;
};

} // namespace cairn::gui
