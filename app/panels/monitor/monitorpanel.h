#pragma once

#include "panel.h"

#include "cairn/monitor/baseline.h"
#include "cairn/monitor/monitoringrun.h"

#include <QDateTime>
#include <QFutureWatcher>
#include <QHash>
#include <QSet>

#include <functional>

#include <optional>

class QComboBox;
class QLabel;
class QPushButton;
class QTableWidget;
class QTimer;
class QTreeWidget;

namespace cairn::gui {
class CurvePlot;
}

namespace cairn::panels {

class DistributionPlot;
class MonitorTimeline;

/// The Monitor panel: for each endpoint with captured data (and for comparisons of two tables)
/// the timeline of monitoring runs with their violations; for the selected run the per-feature
/// drift table (method, statistic, p-value, effect size or distance, PSI, verdict, a sparkline
/// of the feature's score over the runs), the baseline-vs-current distribution of the selected
/// feature, and model quality over the windows (measured, or estimated with CBPE). Actions:
/// Create baseline, Run now, Schedule, Compare tables, Retrain on recent data. A new run with
/// violations raises an alert in the main window's status bar. Due schedules run while the
/// studio is open.
class MonitorPanel : public gui::Panel
{
    Q_OBJECT
public:
    /// Which captured records "Run now" reads.
    enum class Window { SinceLastRun, LastHour, LastDay, AllCaptured };

    explicit MonitorPanel(gui::StudioContext *context, QWidget *parent = nullptr);
    ~MonitorPanel() override;

    QString panelId() const override { return QStringLiteral("monitor"); }
    QString title() const override { return tr("Monitor"); }

    /// The value of the source box for comparisons of two tables.
    static QString comparisonsSource() { return QStringLiteral(":comparisons"); }
    /// <workspace>/comparisons: where Compare tables writes its reports (one folder each).
    static QString comparisonsDir(const QString &workspacePath);

    /// Rereads the endpoints and the selected source's runs, baseline and schedule (off the GUI
    /// thread; sourceLoaded() when done).
    void refresh();
    /// Selects an endpoint (or comparisonsSource()); false when it is not listed.
    bool selectSource(const QString &source);
    QString currentSource() const;
    QStringList sources() const;
    /// The runs of the source shown, oldest first.
    const QList<monitor::MonitoringRun> &runs() const { return m_runs; }
    /// Selects a run by id (loads its drift report: runLoaded() when done); false when unknown.
    bool selectRun(const QString &id);
    QString selectedRunId() const;
    /// The run whose drift reports are shown (it lags selectedRunId() while they load).
    QString shownRunId() const { return m_shownRun; }
    /// The drift reports of the selected run (inputs, then the model's outputs).
    const monitor::DriftReport &driftReport() const { return m_drift; }
    const monitor::DriftReport &predictionDrift() const { return m_predictionDrift; }
    /// Shows a feature's distributions; false when the selected run has no such feature.
    bool selectFeature(const QString &name);
    QString selectedFeature() const { return m_feature; }
    /// The loaded baseline of the endpoint shown (nullopt: none or broken, see baselineError()).
    const std::optional<monitor::Baseline> &baseline() const { return m_baseline; }
    QString baselineError() const { return m_baselineError; }

    /// Makes the endpoint's baseline from a CSV (target left out of the features) in the
    /// background; taskFinished() says how it went.
    void createBaseline(const QString &csvPath, const QString &target, const QStringList &excludeColumns = {});
    /// The CSV the model served by the endpoint was trained on, and its target (from the model
    /// registry's lineage); empty when unknown.
    QPair<QString, QString> modelTrainingData() const;
    /// Runs monitoring of the endpoint shown over `window` now (in the background).
    void runNow(Window window = Window::SinceLastRun);
    /// Runs monitoring over exactly [from, to) (scripts and tests).
    void runWindow(const QDateTime &from, const QDateTime &to);
    /// The labels file (ground truth by event id) monitoring runs measure quality with; kept in
    /// the endpoint's schedule. Empty: none.
    void setGroundTruth(const QString &path);
    QString groundTruth() const { return m_groundTruths.value(currentSource()); }
    /// "" (off), "hourly" or "daily"; false (and a message) when it cannot be saved.
    bool setSchedule(const QString &frequency);
    /// Compares two tables and adds the report to the comparisons (in the background).
    void compareTables(const QString &referenceCsv, const QString &currentCsv);
    /// Writes the selected run's captured rows with their labels to a CSV and hands the model's
    /// training spec, pointed at it, to the Training panel. `labelsPath` empty: the ground truth
    /// set for the endpoint. Returns the CSV written; empty (and a message) on failure.
    QString retrainOnRecentData(const QString &labelsPath = {});
    /// True while a task (baseline, run, comparison) runs.
    bool isBusy() const;
    /// Runs the schedules that are due now, in the background (the panel's timer does it too).
    void runDueSchedules();

    QComboBox *sourceBox() const { return m_source; }
    QComboBox *windowBox() const { return m_window; }
    QComboBox *scheduleBox() const { return m_schedule; }
    QPushButton *baselineButton() const { return m_baselineButton; }
    QPushButton *runButton() const { return m_runButton; }
    QPushButton *compareButton() const { return m_compareButton; }
    QPushButton *retrainButton() const { return m_retrainButton; }
    QPushButton *reportButton() const { return m_reportButton; }
    QLabel *messageLabel() const { return m_message; }
    QLabel *infoLabel() const { return m_info; }
    MonitorTimeline *timeline() const { return m_timeline; }
    QTreeWidget *runsView() const { return m_runsView; }
    QTreeWidget *violationsView() const { return m_violations; }
    QTableWidget *driftTable() const { return m_table; }
    DistributionPlot *distributionPlot() const { return m_distribution; }
    gui::CurvePlot *qualityPlot() const { return m_quality; }
    QComboBox *qualityMetricBox() const { return m_qualityMetric; }

    /// Drift table columns.
    enum Column { FeatureColumn, KindColumn, MethodColumn, StatisticColumn, PValueColumn, EffectColumn, PsiColumn, DriftedColumn, TrendColumn, ColumnCount };

Q_SIGNALS:
    /// The source's runs, baseline and schedule were (re)loaded.
    void sourceLoaded();
    /// The selected run's drift reports were loaded and shown.
    void runLoaded();
    /// A background task ended: `error` empty when it succeeded.
    void taskFinished(const QString &error);

private:
    struct SourceData;
    struct TaskResult;

    void onWorkspaceChanged();
    void rebuildSources();
    void showSource(const SourceData &data);
    void showRuns();
    void showRun();
    void showDriftTable();
    void showQuality();
    void updateInfo();
    void updateButtons();
    void poll();
    void startTask(const QString &busyText, std::function<TaskResult()> work);
    void taskDone();
    void message(const QString &text, bool error = false);
    void chooseBaseline();
    void chooseCompare();
    void chooseRetrain();
    void openReport();

    QComboBox *m_source;
    QPushButton *m_baselineButton;
    QPushButton *m_runButton;
    QComboBox *m_window;
    QPushButton *m_labelsButton;
    QComboBox *m_schedule;
    QPushButton *m_compareButton;
    QPushButton *m_retrainButton;
    QPushButton *m_reportButton;
    QLabel *m_message;
    QLabel *m_info;
    MonitorTimeline *m_timeline;
    QTreeWidget *m_runsView;
    QTreeWidget *m_violations;
    QTableWidget *m_table;
    DistributionPlot *m_distribution;
    QWidget *m_qualityBox;
    QComboBox *m_qualityMetric;
    gui::CurvePlot *m_quality;
    QTimer *m_pollTimer;
    QTimer *m_scheduleTimer;

    QFutureWatcher<SourceData> *m_loadWatcher;
    QFutureWatcher<QPair<monitor::DriftReport, monitor::DriftReport>> *m_runWatcher;
    QFutureWatcher<TaskResult> *m_taskWatcher;
    QFutureWatcher<QList<monitor::MonitoringRun>> *m_scheduleWatcher;
    bool m_loadAgain = false;

    QString m_shownSource;                 ///< the source whose data is shown
    QList<monitor::MonitoringRun> m_runs;
    std::optional<monitor::Baseline> m_baseline;
    QString m_baselineError;
    std::optional<monitor::MonitoringSchedule> m_scheduleData;
    QHash<QString, QString> m_groundTruths; ///< endpoint → labels file chosen
    QString m_selectedRun;
    QString m_loadedRun;                   ///< the run whose reports are loaded or loading
    QString m_runWatcherRun;               ///< the run m_runWatcher reads
    QString m_shownRun;                    ///< the run whose reports m_drift holds
    monitor::DriftReport m_drift;
    monitor::DriftReport m_predictionDrift;
    QString m_feature;
    QSet<QString> m_knownRuns;             ///< "source/id" of runs seen, to alert on new ones only
    bool m_scanned = false;
    QString m_signature;                   ///< what poll() saw last
    bool m_updatingSchedule = false;
};

} // namespace cairn::panels
