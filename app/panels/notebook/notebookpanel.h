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

class NotebookEditor;

/// The Notebooks panel: .ipynb files in tabs, each on its own Jupyter kernel, with a toolbar
/// (run, interrupt, restart, kernel picker) and a start page with the sample notebooks.
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
    /// A new notebook saved as notebooks/UntitledN.ipynb in the workspace (or unsaved without one).
    NotebookEditor *newNotebook();
    /// Copies a sample notebook (":/notebooks/NAME") into the workspace's notebooks/ and opens it.
    void openSample(const QString &name);
    static QStringList sampleNames();

    NotebookEditor *currentEditor() const;
    QList<NotebookEditor *> editors() const;
    /// Closes a tab; a dirty notebook asks first unless `ask` is false (then changes are dropped).
    bool closeNotebook(int index, bool ask = true);

    QTabWidget *tabs() const { return m_tabs; }
    QComboBox *kernelPicker() const { return m_kernelPicker; }
    QAction *action(const QString &name) const;
    /// Reloads the kernelspecs for the picker.
    void refreshKernels();

Q_SIGNALS:
    void notebookOpened(cairn::panels::NotebookEditor *editor);
    void openFailed(const QString &path, const QString &message);

private:
    QToolBar *buildToolbar();
    QWidget *buildStartPage();
    NotebookEditor *addEditor(NotebookEditor *editor);
    void updateTab(NotebookEditor *editor);
    void updateToolbar();
    void chooseAndOpen();
    void saveCurrent(bool as);
    void rememberOpenNotebooks();
    void restoreOpenNotebooks();

    QStackedWidget *m_stack;
    QTabWidget *m_tabs;
    QComboBox *m_kernelPicker;
    QLabel *m_kernelStatus;
    QList<QAction *> m_actions;
    QSet<QString> m_restoring; ///< paths reopened from the last session
};

} // namespace cairn::panels
