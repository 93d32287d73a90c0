#pragma once

#include "panel.h"

#include "cairn/algorithms/algorithmplugin.h"
#include "cairn/tuning/storedtuning.h"
#include "cairn/tuning/tuningjob.h"

#include <QPointer>

class QCheckBox;
class QComboBox;
class QCPItemText;
class QCustomPlot;
class QLabel;
class QLineEdit;
class QPushButton;
class QSpinBox;
class QStandardItemModel;
class QTabWidget;
class QTableView;
class QTreeWidget;

namespace cairn::gui {
class DataPicker;
class HostChecklist;
class JobService;
class ParallelCoordinates;
class ParameterForm;
}

namespace cairn::panels {

/// The Tuning panel: a tuning job configured from the algorithm's schema (tick the parameters to
/// tune and set their ranges; strategy, objective and direction, budget, parallel trials, early
/// stopping); while it runs, the trials table, the objective of each trial with the best so far,
/// and the trials in parallel coordinates; Stop, Open best run, and Train the best (which fills
/// the Training panel's form with the best trial's parameters). The list of tuning runs shows
/// every tuning run of the workspace, whoever made it (`cairn tune`, another studio), live or
/// finished; picking one shows its trials, plots and best run.
class TuningPanel : public gui::Panel
{
    Q_OBJECT
public:
    explicit TuningPanel(gui::StudioContext *context, QWidget *parent = nullptr);
    ~TuningPanel() override;

    QString panelId() const override { return QStringLiteral("tuning"); }
    QString title() const override { return tr("Tuning"); }

    bool selectAlgorithm(const QString &algorithmId);
    /// The tuning spec the form describes; throws cairn::Error naming what is wrong.
    tuning::TuningSpec currentSpec() const;
    QString formProblem() const;
    /// Starts the tuning job the form describes; false (with the reason shown) if it cannot.
    bool start();
    void stop();
    tuning::TuningJob *job() const { return m_job; }
    /// The best trial's training job, ready for the Training panel.
    JobSpec bestSpec() const;
    /// Shows a tuning run of the workspace (false if it is not listed).
    bool selectRun(const QString &runUuid);
    /// The tuning run shown (its trials as the store or the running job has them).
    const tuning::StoredTuning &shown() const { return m_shown; }
    QTreeWidget *runsView() const { return m_runs; }

    gui::ParameterForm *parameterForm() const { return m_form; }
    gui::DataPicker *dataPicker() const { return m_data; }
    QComboBox *algorithmCombo() const { return m_algorithm; }
    QComboBox *strategyCombo() const { return m_strategy; }
    QComboBox *objectiveCombo() const { return m_objective; }
    QComboBox *directionCombo() const { return m_direction; }
    QSpinBox *maxTrialsSpin() const { return m_maxTrials; }
    QSpinBox *parallelSpin() const { return m_parallel; }
    /// The hosts the trials run on (several: the trials are spread over them, as `--hosts`).
    gui::HostChecklist *hostList() const { return m_hosts; }
    QCheckBox *earlyStoppingCheck() const { return m_earlyStopping; }
    QComboBox *experimentCombo() const { return m_experiment; }
    QLineEdit *nameEdit() const { return m_name; }
    QPushButton *startButton() const { return m_start; }
    QPushButton *stopButton() const { return m_stop; }
    QPushButton *openBestButton() const { return m_openBest; }
    QPushButton *trainBestButton() const { return m_trainBest; }
    QLabel *formMessage() const { return m_message; }
    QLabel *statusLabel() const { return m_status; }
    QTableView *trialsView() const { return m_trialsView; }
    QStandardItemModel *trialsModel() const { return m_trials; }
    QCustomPlot *objectivePlot() const { return m_plot; }
    gui::ParallelCoordinates *parallelCoordinates() const { return m_parallelView; }
    QTabWidget *plotTabs() const { return m_tabs; }

Q_SIGNALS:
    /// The tuning job ended (all trials done, or stopped).
    void tuningFinished();

private:
    QWidget *buildForm();
    QWidget *buildResults();
    void reloadAlgorithms();
    void reloadExperiments();
    void algorithmChanged();
    void objectiveEdited();
    void updateFormState();
    void updateButtons();
    void dropJob();
    void resetResults();
    void onTrialStarted(const tuning::Trial &trial);
    void onTrialFinished(const tuning::Trial &trial);
    void onJobStarted(const QString &jobId);
    void updateTrialRow(const tuning::Trial &trial, const QString &stateText);
    /// Where a trial runs or ran: its own host when spread over several, else the tuning job's.
    QString hostOf(const tuning::Trial &trial) const;
    void updateStatus();
    void redrawPlots();
    void applyPlotPalette();
    void refreshRuns();
    void showSelectedRun();
    /// m_shown from the running job (the live view of the run it makes).
    void takeSnapshot();
    void rebuildTrialRows();
    bool showingOwnJob() const;

    gui::JobService *m_service;
    AlgorithmInfo m_info;
    QPointer<tuning::TuningJob> m_job;
    tuning::StoredTuning m_shown;
    QString m_shownSignature;  // what was drawn of a stored run, to redraw only on change
    QStringList m_dimensionNames;
    QTreeWidget *m_runs = nullptr;
    QComboBox *m_algorithm = nullptr;
    gui::DataPicker *m_data = nullptr;
    gui::ParameterForm *m_form = nullptr;
    QComboBox *m_strategy = nullptr;
    QComboBox *m_objective = nullptr;
    QComboBox *m_direction = nullptr;
    QSpinBox *m_maxTrials = nullptr;
    QSpinBox *m_parallel = nullptr;
    gui::HostChecklist *m_hosts = nullptr;
    QCheckBox *m_earlyStopping = nullptr;
    QComboBox *m_experiment = nullptr;
    QLineEdit *m_name = nullptr;
    QPushButton *m_start = nullptr;
    QLabel *m_message = nullptr;
    QLabel *m_status = nullptr;
    QPushButton *m_stop = nullptr;
    QPushButton *m_openBest = nullptr;
    QPushButton *m_trainBest = nullptr;
    QPushButton *m_openTuningRun = nullptr;
    QStandardItemModel *m_trials = nullptr;
    QTableView *m_trialsView = nullptr;
    QTabWidget *m_tabs = nullptr;
    QCustomPlot *m_plot = nullptr;
    QCPItemText *m_plotEmpty = nullptr;
    gui::ParallelCoordinates *m_parallelView = nullptr;
    bool m_directionTouched = false;
};

} // namespace cairn::panels
