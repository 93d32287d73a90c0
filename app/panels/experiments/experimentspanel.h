#pragma once

#include "panel.h"
#include "runcolumn.h"

#include "cairn/store/experimentstore.h"

#include <QSet>

class QCheckBox;
class QComboBox;
class QLabel;
class QPushButton;
class QSplitter;
class QTabWidget;
class QTimer;
class QTreeView;

namespace cairn::panels {

class CompareView;
class ExperimentListModel;
class FilterLineEdit;
class RunDetailView;
class RunsTableModel;

/// The Experiments panel: experiments on the left; the runs of the selected ones in a lazily
/// fetched table with a filter bar (the search language, completion, inline errors), sortable
/// on any column; below, the selected run's details, or the comparison of several runs.
class ExperimentsPanel : public gui::Panel
{
    Q_OBJECT
public:
    explicit ExperimentsPanel(gui::StudioContext *context, QWidget *parent = nullptr);
    ~ExperimentsPanel() override;

    QString panelId() const override { return QStringLiteral("experiments"); }
    QString title() const override { return tr("Experiments"); }
    QIcon icon() const override;

    RunsTableModel *runsModel() const { return m_runsModel; }
    ExperimentListModel *experimentsModel() const { return m_experimentsModel; }
    QTreeView *runsView() const { return m_runsView; }
    QTreeView *experimentsView() const { return m_experimentsView; }
    FilterLineEdit *filterEdit() const { return m_filter; }
    QLabel *filterError() const { return m_filterError; }
    RunDetailView *detailView() const { return m_detail; }
    CompareView *compareView() const { return m_compare; }
    QTabWidget *sideTabs() const { return m_sideTabs; }
    QLabel *countLabel() const { return m_countLabel; }

    /// Applies the filter bar's text; false (and the inline error shown) if it does not parse.
    bool applyFilter();
    void selectExperiments(const QList<qint64> &ids);
    QList<qint64> selectedExperimentIds() const;
    QList<qint64> selectedRunIds() const;
    void selectRuns(const QList<qint64> &ids);
    void setExtraColumns(const QList<RunColumn> &columns);
    /// Writes every run the table matches (not only the loaded rows) as CSV with the table's
    /// columns; returns an error message, empty on success.
    QString exportCsv(const QString &path);
    /// Brings the side pane up to date with the selection now (normally after a short pause).
    void updateSidePane();

private:
    void buildExperimentsSide(QWidget *side);
    void buildRunsSide(QWidget *side);
    void onWorkspaceChanged();
    void onStoreChanged();
    void reloadExperiments();
    void experimentSelectionChanged();
    void loadKeys();
    void runQuery();
    void runsContextMenu(const QPoint &pos);
    void experimentsContextMenu(const QPoint &pos);
    void newExperiment();
    void renameExperiment();
    void deleteExperiments();
    void restoreExperiments();
    void renameRun();
    void setTagOnSelected();
    void removeTagFromSelected();
    void deleteSelectedRuns();
    void restoreSelectedRuns();
    void chooseColumns();
    void exportCsvInteractively();
    void showRun(const QString &uuid);
    void updateCount();
    QString columnsSettingsKey() const;
    QList<Run> selectedRuns() const;
    void showError(const QString &title, const QString &message);

    ExperimentListModel *m_experimentsModel;
    RunsTableModel *m_runsModel;
    QTreeView *m_experimentsView = nullptr;
    QCheckBox *m_showDeletedExperiments = nullptr;
    QTreeView *m_runsView = nullptr;
    FilterLineEdit *m_filter = nullptr;
    QLabel *m_filterError = nullptr;
    QComboBox *m_viewType = nullptr;
    QCheckBox *m_nest = nullptr;
    QLabel *m_countLabel = nullptr;
    QTabWidget *m_sideTabs = nullptr;
    RunDetailView *m_detail = nullptr;
    CompareView *m_compare = nullptr;
    QTimer *m_selectionTimer;
    QString m_appliedFilter;
    QSet<qint64> m_keepSelected;
    qint64 m_pendingShowRun = -1;
    int m_keysRequest = 0;
    bool m_keysLoading = false;
    bool m_keysDirty = false;
    bool m_columnsFromSettings = false;
    // Scroll anchor kept across live refreshes.
    qint64 m_anchorRun = -1;
    int m_anchorOffset = 0;
};

} // namespace cairn::panels
