#pragma once

#include "panel.h"

#include <QList>
#include <QSet>

class QAction;
class QComboBox;
class QLabel;
class QStackedWidget;
class QTabWidget;
class QToolBar;

namespace cairn::panels {

class NotebookBrowser;
class NotebookEditor;

/// The Notebooks panel: a file browser, .ipynb files in tabs, each on its own Jupyter kernel, with
/// a toolbar (run, interrupt, restart, kernel picker) and a start page with the sample notebooks.
/// Dirty notebooks are autosaved on a timer and never dropped without asking.
class NotebookPanel : public gui::Panel
{
    Q_OBJECT
public:
    explicit NotebookPanel(gui::StudioContext *context, QWidget *parent = nullptr);
    ~NotebookPanel() override;

    QString panelId() const override { return QStringLiteral("notebooks"); }
    QString title() const override { return tr("Notebooks"); }
    QIcon icon() const override;

    /// Reads the file on a worker thread and opens it in a tab (notebookOpened or openFailed follow).
    /// An already open file is brought to the front.
    void openNotebook(const QString &path);
    /// A new notebook saved as UntitledN.ipynb in `folder` (default: the workspace's notebooks/;
    /// unsaved without a workspace).
    NotebookEditor *newNotebook(const QString &folder = {});
    /// Copies a sample notebook (":/notebooks/NAME") into the workspace's notebooks/ and opens it.
    void openSample(const QString &name);
    static QStringList sampleNames();

    NotebookEditor *currentEditor() const;
    QList<NotebookEditor *> editors() const;
    /// Closes a tab; a dirty notebook asks first unless `ask` is false (then changes are dropped).
    bool closeNotebook(int index, bool ask = true);

    bool hasUnsavedChanges() const override;
    /// Save / Discard / Cancel for every dirty notebook; false when the user cancels.
    bool confirmClose() override;
    /// Seconds between autosaves of a dirty notebook (the "notebooks/autosaveSeconds" setting; 0: off).
    static int autosaveSeconds();

    QTabWidget *tabs() const { return m_tabs; }
    NotebookBrowser *browser() const { return m_browser; }
    QComboBox *kernelPicker() const { return m_kernelPicker; }
    QAction *action(const QString &name) const;
    /// Reloads the kernelspecs for the picker.
    void refreshKernels();

protected:
    /// Hosts added elsewhere (Resources panel, cairn hosts add) appear in the picker.
    void showEvent(QShowEvent *event) override;

Q_SIGNALS:
    void notebookOpened(cairn::panels::NotebookEditor *editor);
    void openFailed(const QString &path, const QString &message);

private:
    QToolBar *buildToolbar();
    QWidget *buildStartPage();
    NotebookEditor *addEditor(NotebookEditor *editor);
    void updateTab(NotebookEditor *editor);
    /// Save / Discard / Cancel for one dirty notebook: true unless the user cancels or the save fails.
    bool askToSave(NotebookEditor *editor);
    void onRenamed(const QString &oldPath, const QString &newPath);
    void updateToolbar();
    void chooseAndOpen();
    void saveCurrent(bool as);
    void rememberOpenNotebooks();
    void restoreOpenNotebooks();

    NotebookBrowser *m_browser;
    QStackedWidget *m_stack;
    QTabWidget *m_tabs;
    /// The picker's entry for a kernel name on a host ("" = local), or -1.
    int kernelIndex(const QString &name, const QString &host) const;
    static constexpr int kHostRole = Qt::UserRole + 1;
    QComboBox *m_kernelPicker;
    QLabel *m_kernelStatus;
    QList<QAction *> m_actions;
    QSet<QString> m_restoring; ///< paths reopened from the last session
    QSet<QString> m_loading;   ///< paths being read in the background (one editor per file)
};

} // namespace cairn::panels
