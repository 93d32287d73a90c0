#pragma once

#include "cellwidget.h"

#include "cairn/notebook/kernelclient.h"
#include "cairn/notebook/notebook.h"
#include "cairn/notebook/outputs.h"

#include <QElapsedTimer>
#include <QLoggingCategory>
#include <QHash>
#include <QPointer>
#include <QWidget>

class QLabel;
class QPushButton;
class QScrollArea;
class QTimer;
class QVBoxLayout;

namespace cairn::gui {
class StudioContext;
}
namespace cairn::remote {
class RemoteKernel;
}

namespace cairn::panels {

/// Notebook opens, saves and autosaves ("cairn.notebook.ui"; info level is off by default).
Q_DECLARE_LOGGING_CATEGORY(lcNotebookUi)

/// One open notebook: its cells, its kernel, command and edit modes with Jupyter's keys, the run
/// queue, autosave and the dirty state. The notebook's kernel starts on the first run.
class NotebookEditor : public QWidget
{
    Q_OBJECT
public:
    explicit NotebookEditor(gui::StudioContext *context, QWidget *parent = nullptr);
    ~NotebookEditor() override;

    /// Shows a notebook read from `path` (empty for a notebook not saved yet).
    void setNotebook(const Notebook &notebook, const QString &path);
    /// The notebook as it is now, cells and metadata.
    Notebook notebook() const;
    QString filePath() const { return m_path; }
    /// Follows a file renamed on disk: the notebook keeps its state and saves to the new path.
    void setFilePath(const QString &path);
    QString displayName() const;

    bool isDirty() const { return m_dirty; }
    /// Saves to filePath(); false with the reason in *error on failure.
    bool save(QString *error = nullptr);
    bool saveAs(const QString &path, QString *error = nullptr);
    /// Autosave period for a dirty notebook with a file (0 turns it off).
    void setAutosaveInterval(int ms);

    int cellCount() const { return int(m_cells.size()); }
    CellWidget *cellAt(int index) const;
    int currentIndex() const { return m_current; }
    void selectCell(int index, bool editMode = false);
    bool isEditMode() const { return m_editMode; }
    void enterCommandMode();
    void enterEditMode();

    void insertCell(int index, CellType type, const QString &source = {}, bool edit = false);
    void deleteCell(int index);
    void undoDelete();
    void setCurrentCellType(CellType type);
    void copyCell();
    void cutCell();
    void pasteBelow();
    void moveCell(int direction);

    /// Shift+Enter (advance), Ctrl+Enter, Alt+Enter (insertBelow).
    void runCurrent(bool advance, bool insertBelow);
    void runCells(const QList<int> &indices);
    void runAll();
    void runAbove();
    void runBelow();
    void clearAllOutputs();
    void interruptKernel();
    void restartKernel(bool runAllAfter = false);
    void shutdownKernel();
    /// Switches the kernel (stored in the notebook's metadata); a running kernel is replaced.
    void setKernelSpec(const KernelSpec &spec);
    KernelSpec kernelSpec() const { return m_spec; }
    /// Runs the kernel on this SSH host (empty: this machine); saved as metadata.cairn.host, and a
    /// running kernel moves there.
    void setKernelHost(const QString &host);
    QString kernelHost() const { return m_host; }
    KernelClient *kernel() const { return m_kernel; }
    /// Busy: cells running or queued.
    bool isBusy() const { return m_running || !m_queue.isEmpty(); }
    QString kernelStatusText() const;
    /// The notice above the cells (dead kernel, missing kernelspec), empty when hidden.
    QString noticeText() const;

    /// Renders outputs of the cells in or near the viewport (lazy rendering).
    void renderVisibleCells();

Q_SIGNALS:
    void dirtyChanged(bool dirty);
    void kernelStatusChanged();
    /// The run queue emptied (all requested cells ran, or a cell failed).
    void executionFinished();

protected:
    void keyPressEvent(QKeyEvent *event) override;
    void resizeEvent(QResizeEvent *event) override;
    void showEvent(QShowEvent *event) override;

private:
    CellWidget *createCellWidget(const NotebookCell &cell);
    /// Puts a widget for `cell` at `index` (clamped), marks the notebook dirty and selects it.
    void placeCell(int index, const NotebookCell &cell, bool edit);
    void connectCell(CellWidget *cell);
    int indexOf(CellWidget *cell) const;
    void setDirty(bool dirty);
    void scheduleRender();
    void ensureKernel();
    void executeNext();
    void finishCurrent(bool failed);
    void abortQueue();
    void onIopub(const KernelMessage &message);
    void onShellReply(const KernelMessage &message);
    bool updateDisplayElsewhere(const KernelMessage &message);
    void onInputRequested(const QString &prompt, bool password);
    void onKernelDied(const QString &reason);
    void onKernelReady();
    void showNotice(const QString &text, bool offerRestart);
    void hideNotice();
    void requestCompletion(CellWidget *cell);
    void requestInspection(CellWidget *cell);
    void resolveKernelSpec();
    void connectKernel();
    void startRemoteKernel();
    void dropKernel();
    void updateCellSelection();
    void autosave();

    gui::StudioContext *m_context;
    Notebook m_notebook;
    QString m_path;
    KernelSpec m_spec;
    QList<CellWidget *> m_cells;
    QScrollArea *m_scroll;
    QWidget *m_container;
    QVBoxLayout *m_cellLayout;
    QWidget *m_notice;
    QLabel *m_noticeLabel;
    QPushButton *m_noticeRestart;
    QTimer *m_autosave;
    QTimer *m_renderTimer;
    KernelClient *m_kernel = nullptr;
    QString m_host;                          ///< the SSH host of the kernel; empty: local
    remote::RemoteKernel *m_remote = nullptr; ///< owns m_kernel when the kernel is on a host
    bool m_reconnected = false;              ///< the remote kernel was reconnected after a drop

    int m_current = 0;
    bool m_editMode = false;
    bool m_dirty = false;
    bool m_loading = false;
    QList<QPair<int, NotebookCell>> m_deleted;
    NotebookCell m_clipboard;
    bool m_hasClipboard = false;
    int m_lastKey = 0;
    QElapsedTimer m_lastKeyTime;

    // The cell running now and the ones waiting.
    QList<QPointer<CellWidget>> m_queue;
    QPointer<CellWidget> m_running;
    QString m_runningMsgId;
    OutputCollector m_collector;
    bool m_gotReply = false;
    bool m_gotIdle = false;
    bool m_runAllAfterRestart = false;
    /// display_id → the cell and output index that show it (for update_display_data).
    QHash<QString, QPair<QPointer<CellWidget>, int>> m_displays;
    QString m_completionMsgId;
    QPointer<CellWidget> m_completionCell;
    QString m_inspectMsgId;
    QPointer<CellWidget> m_inspectCell;
};

} // namespace cairn::panels
