#pragma once

#include "cairn/store/types.h"

#include <QWidget>

class QCheckBox;
class QComboBox;
class QLabel;
class QListWidget;
class QPlainTextEdit;
class QPushButton;
class QScrollArea;
class QSlider;
class QStackedWidget;
class QTabWidget;
class QTableWidget;
class QTreeWidget;

namespace cairn::gui {
class CurvePlot;
class StudioContext;
}

namespace cairn::panels {

/// Everything about one run: header (status, times, source, parent), params, metrics with
/// last/min/max, metric curves, editable tags, artifacts with a preview, and child runs.
class RunDetailView : public QWidget
{
    Q_OBJECT
public:
    explicit RunDetailView(gui::StudioContext *context, QWidget *parent = nullptr);

    void showRun(qint64 runId);
    void clear();
    qint64 runId() const { return m_run.id; }
    /// Re-reads the run (live refresh); the curves too while it is running.
    void reload();
    QTabWidget *tabs() const { return m_tabs; }
    gui::CurvePlot *curvePlot() const { return m_plot; }
    QTableWidget *tagsTable() const { return m_tags; }
    /// The artifact preview's confusion matrix (shown for confusion_matrix*.csv).
    QTableWidget *confusionMatrix() const { return m_matrix; }

Q_SIGNALS:
    /// A parent or child link was followed.
    void runRequested(const QString &uuid);

private:
    void fillHeader();
    void fillTables();
    void fillArtifacts();
    void loadCurves();
    QStringList checkedCurveKeys() const;
    /// A confusion_matrix*.csv artifact as a coloured grid; false when it is not one.
    bool showConfusionMatrix(const QString &path);
    void previewArtifact();
    void addTag();
    void removeTag();
    void tagEdited(int row, int column);
    void showError(const QString &message);

    gui::StudioContext *m_context;
    Run m_run;
    QString m_algorithm; ///< the run's "algorithm" param (what its metrics' steps count)
    QList<Run> m_children;
    bool m_filling = false;
    int m_curveRequest = 0;
    bool m_curvesInFlight = false; ///< a history load runs; another request only sets m_curvesAgain
    bool m_curvesAgain = false;

    QStackedWidget *m_stack;
    QLabel *m_placeholder;
    QLabel *m_title;
    QLabel *m_info;
    QTabWidget *m_tabs;
    QTableWidget *m_params;
    QTableWidget *m_metrics;
    QListWidget *m_curveKeys;
    QComboBox *m_xAxis;
    QSlider *m_smoothing;
    QCheckBox *m_logY;
    gui::CurvePlot *m_plot;
    QTableWidget *m_tags;
    QTreeWidget *m_artifacts;
    QStackedWidget *m_preview;
    QPlainTextEdit *m_textPreview;
    QLabel *m_imagePreview;
    QScrollArea *m_imageScroll;
    QLabel *m_previewMessage;
    QWidget *m_matrixPage;
    QTableWidget *m_matrix;
    QPushButton *m_openArtifact;
    QTreeWidget *m_childList;
};

} // namespace cairn::panels
