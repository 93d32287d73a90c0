#pragma once

#include "panel.h"

#include "cairn/labeling/labelingtypes.h"

#include <QList>
#include <memory>
#include <optional>

class QAction;
class QProcess;
class QComboBox;
class QLabel;
class QListView;
class QListWidget;
class QProgressBar;
class QToolBar;
class QTimer;
class QUndoStack;

namespace cairn::labeling {
class LabelingJob;
}

namespace cairn::panels {

class ImageCanvas;
class ImageCache;
class ThumbnailModel;

/// The Labeling panel: pick or create a labeling job, label images by keyboard (number keys for
/// classes, arrows to move), draw and edit boxes, undo/redo, a lazily loaded thumbnail grid with
/// a status filter, progress and per-class counts, and a review mode for machine labels.
/// Every action is committed to the job's database before the next one.
class LabelingPanel : public gui::Panel
{
    Q_OBJECT
public:
    explicit LabelingPanel(gui::StudioContext *context, QWidget *parent = nullptr);
    ~LabelingPanel() override;

    QString panelId() const override { return QStringLiteral("labeling"); }
    QString title() const override { return tr("Labeling"); }

    /// Opens a job of the current workspace; false (with a status message) if it cannot.
    bool openJob(const QString &name);
    cairn::labeling::LabelingJob *job() const { return m_job.get(); }
    /// The item on the canvas, or -1.
    int currentItem() const { return m_current; }
    void goToItem(int itemIndex);
    void next();
    void previous();

    /// What a class key does: single-label sets the class and moves on; multi-label toggles it;
    /// boxes change the selected box's class, or the class of boxes drawn next.
    void pressClass(int classId);
    /// Enter: accept the machine label (review) or confirm the image as labeled, then move on.
    void acceptCurrent();
    void skipCurrent();
    void clearCurrent();
    void deleteSelectedBox();

    void setReviewMode(bool on);
    bool reviewMode() const { return m_reviewMode; }
    /// Shows only items with this status (nullopt: all).
    void setStatusFilter(std::optional<cairn::labeling::ItemStatus> status);

    /// "Train on these labels": hands a training job over the job's labeled images (their
    /// manifest as the train channel) to the Training panel. False if the job cannot train.
    bool trainOnLabels();
    /// Auto-labeling as a background `cairn label autolabel` process (a training job, then
    /// pre-labels); the panel picks the labels up when it ends. False if it cannot start.
    bool startAutoLabel(double threshold, int minHumanLabels, int epochs);
    bool autoLabelRunning() const { return m_autoProcess != nullptr; }

    ImageCanvas *canvas() const { return m_canvas; }
    ThumbnailModel *thumbnails() const { return m_thumbs; }
    QListView *thumbnailView() const { return m_grid; }
    QUndoStack *undoStack() const { return m_undo; }
    ImageCache *imageCache() const { return m_cache; }
    /// True once the current item's image is on the canvas.
    bool imageShown() const { return m_shownItem == m_current && m_current >= 0; }

Q_SIGNALS:
    void currentItemChanged(int itemIndex);
    void jobOpened(const QString &name);
    /// An auto-labeling run ended; ok is false on failure, message says what happened.
    void autoLabelFinished(bool ok, const QString &message);

protected:
    bool eventFilter(QObject *watched, QEvent *event) override;

private:
    void buildUi();
    /// Scrolls the thumbnail grid to the current image, now or once the grid is laid out.
    void scrollToCurrent();
    void refreshJobList();
    void rebuildSequence(int keepItem);
    void showItem(int itemIndex);
    void showImageIfReady();
    void prefetchAround(int row);
    void updateClassList();
    void updateCounts();
    void updateInfo();
    void updateActions();
    void updateInstructions();
    void rebuildClassShortcuts();
    /// Commits a new status and annotation for an item through the undo stack.
    void pushLabel(int itemIndex, cairn::labeling::ItemStatus status, const cairn::labeling::Annotation &annotation, const QString &text);
    void applyLabel(int itemIndex, cairn::labeling::ItemStatus status, const cairn::labeling::Annotation &annotation);
    void onBoxesEdited(const QList<cairn::labeling::Box> &before, const QList<cairn::labeling::Box> &after);
    void pollForChanges();
    void newJob();
    void importLabels(int format);
    void exportLabels(int format);
    void closeJob();
    void askAutoLabel();

    std::unique_ptr<cairn::labeling::LabelingJob> m_job;
    ImageCanvas *m_canvas = nullptr;
    ImageCache *m_cache = nullptr;
    ThumbnailModel *m_thumbs = nullptr;
    QListView *m_grid = nullptr;
    QListWidget *m_classList = nullptr;
    QComboBox *m_jobCombo = nullptr;
    QComboBox *m_filterCombo = nullptr;
    QLabel *m_instructions = nullptr;
    QLabel *m_info = nullptr;
    QLabel *m_countsLabel = nullptr;
    QProgressBar *m_progress = nullptr;
    QToolBar *m_toolbar = nullptr;
    QUndoStack *m_undo = nullptr;
    QTimer *m_poll = nullptr;
    QAction *m_reviewAction = nullptr;
    QAction *m_acceptAction = nullptr;
    QAction *m_skipAction = nullptr;
    QAction *m_importAction = nullptr;
    QAction *m_exportAction = nullptr;
    QAction *m_crosshairAction = nullptr;
    QAction *m_autoLabelAction = nullptr;
    QAction *m_trainAction = nullptr;
    QProcess *m_autoProcess = nullptr;
    QList<QAction *> m_classActions;
    QList<QAction *> m_jobActions; // enabled only with a job
    int m_current = -1;
    int m_shownItem = -1;
    bool m_reviewMode = false;
    bool m_scrollPending = false;
    std::optional<cairn::labeling::ItemStatus> m_filter;
    qint64 m_knownVersion = -1;
};

} // namespace cairn::panels
