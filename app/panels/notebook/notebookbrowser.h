#pragma once

#include <QList>
#include <QPair>
#include <QWidget>

class QFileSystemModel;
class QLabel;
class QListWidget;
class QModelIndex;
class QTabWidget;
class QTreeView;
class QTreeWidget;

namespace cairn::gui {
class StudioContext;
}

namespace cairn::panels {

/// The Notebooks panel's file browser, as JupyterLab's: the .ipynb files of a folder (the
/// workspace's notebooks/ or any folder the user opens) with new, rename, duplicate and delete;
/// the notebooks AutoML generated for each of its runs; and the notebooks opened lately.
class NotebookBrowser : public QWidget
{
    Q_OBJECT
public:
    explicit NotebookBrowser(gui::StudioContext *context, QWidget *parent = nullptr);

    /// The folder listed now.
    QString folder() const;
    void setFolder(const QString &folder);
    /// The workspace's notebooks/ folder (created on demand), or the home folder without a workspace.
    QString workspaceFolder() const;

    /// Renames a notebook inside its folder (".ipynb" is added when missing); false with the reason.
    bool renameNotebook(const QString &path, const QString &newName, QString *error = nullptr);
    /// Copies a notebook next to itself as "NAME-Copy1.ipynb", "NAME-Copy2.ipynb"…; the new path, or empty.
    QString duplicateNotebook(const QString &path, QString *error = nullptr);
    /// Moves a notebook to the trash (or deletes it where there is none); false with the reason.
    bool deleteNotebook(const QString &path, QString *error = nullptr);

    /// Notebooks opened lately, newest first (only those that still exist).
    static QStringList recentNotebooks();
    /// Puts a notebook at the top of the recent list.
    void addRecent(const QString &path);
    /// The .ipynb files AutoML wrote into the workspace's run artifacts, with their run's name.
    QList<QPair<QString, QString>> automlNotebooks() const;
    void refreshAutoML();

    QTreeView *fileView() const { return m_files; }
    QListWidget *recentView() const { return m_recent; }
    QTreeWidget *automlView() const { return m_automl; }
    QTabWidget *sections() const { return m_sections; }

Q_SIGNALS:
    void openRequested(const QString &path);
    /// "New" in the browser: a new notebook in this folder.
    void newRequested(const QString &folder);
    void renamed(const QString &oldPath, const QString &newPath);
    /// Asked before a notebook is deleted, so that its tab closes first.
    void aboutToDelete(const QString &path);

protected:
    void resizeEvent(QResizeEvent *event) override;

private:
    void updateLocation();
    void showMenu(const QPoint &pos);
    void chooseFolder();
    void askRename(const QString &path);
    void askDelete(const QString &path);
    void refreshRecent();
    QString pathAt(const QModelIndex &index) const;

    gui::StudioContext *m_context;
    QFileSystemModel *m_model;
    QLabel *m_location;
    QTreeView *m_files;
    QTabWidget *m_sections;
    QListWidget *m_recent;
    QTreeWidget *m_automl;
};

} // namespace cairn::panels
