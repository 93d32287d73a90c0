#pragma once

#include "panel.h"

#include "cairn/algorithms/algorithmplugin.h"
#include "cairn/jobs/jobrecord.h"
#include "cairn/jobs/jobspec.h"

#include <QFutureWatcher>

class QCheckBox;
class QComboBox;
class QLabel;
class QLineEdit;
class QPushButton;
class QSpinBox;
class QTimer;
class QTreeView;

namespace cairn {
class JobManager;
}

namespace cairn::gui {
class DataPicker;
class HostPicker;
class HostChecklist;
class JobService;
class ParameterForm;
}

namespace cairn::panels {

class DebuggerConfigWidget;
class FeatureProcessingWidget;

class JobListModel;
class JobMonitor;

/// The Training panel: a "New training job" form generated from the chosen algorithm's
/// parameter schema (data with a preview, target, hyperparameters, experiment, run name, CPUs);
/// the workspace's jobs (including the CLI's) with status, progress and elapsed time; the
/// selected job's live log and metric curves; Stop, Clone and Open run.
class TrainingPanel : public gui::Panel
{
    Q_OBJECT
public:
    explicit TrainingPanel(gui::StudioContext *context, QWidget *parent = nullptr);
    ~TrainingPanel() override;

    QString panelId() const override { return QStringLiteral("training"); }
    QString title() const override { return tr("Training"); }

    /// Picks an algorithm by id (loads its schema into the form); false if unknown.
    bool selectAlgorithm(const QString &algorithmId);
    QString algorithmId() const;
    /// The spec the form describes; throws cairn::Error with what is missing or wrong.
    JobSpec currentSpec() const;
    /// Empty when the form can be submitted; else the first problem.
    QString formProblem() const;
    /// Submits the form as a job; returns its id, or an empty string (and shows why).
    QString submit();
    /// Fills the form from a spec (Clone job, "Train the best" from the Tuning panel).
    void fillForm(const JobSpec &spec);
    /// Selects a job in the list (it is shown in the monitor).
    bool selectJob(const QString &jobId);
    QString selectedJobId() const;
    /// Re-reads the job list from disk now.
    void refreshJobs();

    gui::ParameterForm *parameterForm() const { return m_form; }
    gui::DataPicker *dataPicker() const { return m_data; }
    QComboBox *algorithmCombo() const { return m_algorithm; }
    QComboBox *taskCombo() const { return m_task; }
    QComboBox *experimentCombo() const { return m_experiment; }
    QLineEdit *runNameEdit() const { return m_runName; }
    QSpinBox *cpusSpin() const { return m_cpus; }
    QSpinBox *instancesSpin() const { return m_instances; }
    QSpinBox *processesSpin() const { return m_processes; }
    gui::HostPicker *hostPicker() const { return m_host; }
    /// A Slurm cluster's share of the job (#SBATCH lines), shown while the host is a cluster.
    QLineEdit *partitionEdit() const { return m_partition; }
    QLineEdit *timeLimitEdit() const { return m_timeLimit; }
    QSpinBox *gpusPerInstanceSpin() const { return m_gpusPerInstance; }
    DebuggerConfigWidget *debuggerConfig() const { return m_debugger; }
    FeatureProcessingWidget *featureProcessing() const { return m_features; }
    QPushButton *trainButton() const { return m_train; }
    QLabel *formMessage() const { return m_message; }
    QTreeView *jobsView() const { return m_jobsView; }
    JobListModel *jobsModel() const { return m_jobs; }
    JobMonitor *monitor() const { return m_monitor; }
    QPushButton *stopButton() const { return m_stop; }
    QPushButton *cloneButton() const { return m_clone; }
    QPushButton *openRunButton() const { return m_openRun; }
    QPushButton *registerModelButton() const { return m_registerModel; }
    QPushButton *deployModelButton() const { return m_deployModel; }

Q_SIGNALS:
    /// A job submitted from this panel ended.
    void jobEnded(const QString &jobId, cairn::JobState state);

private:
    QWidget *buildForm();
    QWidget *buildJobs();
    void onManagerChanged();
    void onWorkspaceChanged();
    void reloadAlgorithms();
    void reloadExperiments();
    void algorithmChanged();
    void updateFormState();
    void updateFeatureColumns();
    void selectionChanged();
    void updateButtons();
    void stopSelected();
    void cloneSelected();
    void openSelectedRun();
    void raiseDock();

    gui::JobService *m_service;
    AlgorithmInfo m_info;
    QComboBox *m_algorithm = nullptr;
    QLabel *m_algorithmHelp = nullptr;
    QComboBox *m_task = nullptr;
    gui::DataPicker *m_data = nullptr;
    gui::ParameterForm *m_form = nullptr;
    QComboBox *m_experiment = nullptr;
    QLineEdit *m_runName = nullptr;
    QSpinBox *m_cpus = nullptr;
    QSpinBox *m_instances = nullptr;   ///< data-parallel training: instances × processes ranks
    QSpinBox *m_processes = nullptr;
    gui::HostPicker *m_host = nullptr;
    QCheckBox *m_spread = nullptr;       ///< one instance per ticked host (resources.hosts)
    gui::HostChecklist *m_spreadHosts = nullptr;
    QLineEdit *m_partition = nullptr;
    QLineEdit *m_timeLimit = nullptr;
    QSpinBox *m_gpusPerInstance = nullptr;
    QSpinBox *m_memory = nullptr;
    DebuggerConfigWidget *m_debugger = nullptr;
    /// A cloned job's settings that the form does not show (seed, validation fraction, time limit,
    /// host, a test channel): the next job keeps them.
    JobSpec m_cloned;
    FeatureProcessingWidget *m_features = nullptr;
    QPushButton *m_train = nullptr;
    QPushButton *m_reset = nullptr;
    QLabel *m_message = nullptr;
    JobListModel *m_jobs = nullptr;
    QTreeView *m_jobsView = nullptr;
    JobMonitor *m_monitor = nullptr;
    QPushButton *m_stop = nullptr;
    QPushButton *m_clone = nullptr;
    QPushButton *m_openRun = nullptr;
    QPushButton *m_registerModel = nullptr;
    QPushButton *m_deployModel = nullptr;
    QTimer *m_refreshTimer = nullptr;
    QTimer *m_tickTimer = nullptr;
    QFutureWatcher<QList<JobRecord>> *m_listWatcher = nullptr;
    QStringList m_ownJobs;
    bool m_listAgain = false;
};

} // namespace cairn::panels
