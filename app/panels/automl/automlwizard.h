#pragma once

#include "cairn/automl/automljob.h"
#include "cairn/automl/dataprofile.h"
#include "cairn/data/table.h"

#include <QPointer>
#include <QWizard>
#include <QWizardPage>

#include <functional>
#include <memory>

class QCheckBox;
class QComboBox;
class QLabel;
class QLineEdit;
class QMimeData;
class QListWidget;
class QPushButton;
class QSpinBox;
class QStandardItemModel;
class QTableView;
class QTimeEdit;
class QTimer;
class QVBoxLayout;
class QToolButton;

namespace cairn::gui {
class HostChecklist;
class JobService;
class StudioContext;
}

namespace cairn::panels {

class AutoMLResultView;
class BestObjectivePlot;
class LeaderboardModel;

/// Page 1: the training CSV (Browse, recent files, or dropped onto the page), read in full off
/// the GUI thread, with a preview of its first rows and the type inferred for each column.
class AutoMLDataPage : public QWizardPage
{
    Q_OBJECT
public:
    explicit AutoMLDataPage(QWidget *parent = nullptr);

    static constexpr int kPreviewRows = 50;

    /// Reads `path` (the page is complete once it has been read without error).
    void setPath(const QString &path);
    QString path() const;
    bool isLoading() const { return m_loading; }
    /// The whole table; null until read.
    std::shared_ptr<const data::Table> table() const { return m_table; }
    /// Empty when the file was read; else why it could not be.
    QString error() const { return m_error; }
    bool isComplete() const override;

    QLineEdit *pathEdit() const { return m_path; }
    QTableView *previewView() const { return m_preview; }
    QLabel *statusLabel() const { return m_status; }
    QLabel *errorLabel() const { return m_errorLabel; }
    QToolButton *recentButton() const { return m_recent; }

    /// The CSV files picked lately, newest first (kept in the settings).
    static QStringList recentFiles();

Q_SIGNALS:
    /// The file was read (ok) or could not be (error() says why).
    void loaded(bool ok);

protected:
    void dragEnterEvent(QDragEnterEvent *event) override;
    void dragMoveEvent(QDragMoveEvent *event) override;
    void dragLeaveEvent(QDragLeaveEvent *event) override;
    void dropEvent(QDropEvent *event) override;

private:
    static QString droppedCsv(const QMimeData *mime);
    void browse();
    void fillRecentMenu();
    void rememberRecent(const QString &path);
    void setDropHighlight(bool on);
    /// Without a table the drop zone takes the page; with one the preview does.
    void updatePreviewVisibility();
    void showError(const QString &message);

    QVBoxLayout *m_layout;
    QLineEdit *m_path;
    QToolButton *m_recent;
    QLabel *m_dropHint;
    QTableView *m_preview;
    QStandardItemModel *m_model;
    QLabel *m_status;
    QLabel *m_errorLabel;
    std::shared_ptr<const data::Table> m_table;
    QString m_error;
    QString m_loadedPath;
    int m_generation = 0;
    bool m_loading = false;
};

/// Page 2: the target column, the problem type (Auto shows what was detected) and the objective
/// metric (Auto = the default for the type), with the data profile computed off the GUI thread:
/// types, missing values, cardinality, and the columns that will be dropped with the reason.
class AutoMLTargetPage : public QWizardPage
{
    Q_OBJECT
public:
    explicit AutoMLTargetPage(AutoMLDataPage *data, QWidget *parent = nullptr);

    void initializePage() override;
    bool isComplete() const override;

    QString target() const;
    /// "auto", "binary", "multiclass" or "regression".
    QString problemType() const;
    /// "auto" or a metric of metricsFor(task()).
    QString metric() const;
    /// The problem type in effect (detected or chosen); valid once the profile is ready.
    Task task() const { return m_profile.task; }
    bool isProfiling() const { return m_profiling; }
    bool hasProfile() const { return m_profileReady; }
    const automl::DataProfile &profile() const { return m_profile; }
    QString error() const { return m_error; }

    QComboBox *targetCombo() const { return m_target; }
    QComboBox *problemTypeCombo() const { return m_problemType; }
    QComboBox *metricCombo() const { return m_metric; }
    QTableView *profileView() const { return m_profileView; }
    QLabel *errorLabel() const { return m_errorLabel; }
    QLabel *droppedLabel() const { return m_dropped; }

Q_SIGNALS:
    /// The profile for the current target and problem type is ready (ok) or failed (error()).
    void profiled(bool ok);

private:
    void reprofile();
    void showProfile();
    void updateMetrics();
    /// The profile table takes the page when there is a profile; else nothing stretches.
    void setProfileShown(bool shown);

    AutoMLDataPage *m_data;
    const data::Table *m_tableSeen = nullptr;
    QComboBox *m_target;
    QComboBox *m_problemType;
    QComboBox *m_metric;
    QLabel *m_targetSummary;
    QLabel *m_profileLabel;
    QTableView *m_profileView;
    QStandardItemModel *m_profileModel;
    QVBoxLayout *m_layout = nullptr;
    int m_spacerIndex = -1;
    QLabel *m_dropped;
    QLabel *m_errorLabel;
    automl::DataProfile m_profile;
    QString m_error;
    int m_generation = 0;
    bool m_profiling = false;
    bool m_profileReady = false;
};

/// Page 3: the budget (time limit, most candidates), the algorithms to try, the ensemble, the
/// experiment and run name; the validation scheme is shown as the engine will choose it.
class AutoMLBudgetPage : public QWizardPage
{
    Q_OBJECT
public:
    AutoMLBudgetPage(gui::JobService *service, gui::StudioContext *context, AutoMLDataPage *data, AutoMLTargetPage *target,
                     QWidget *parent = nullptr);

    void initializePage() override;
    bool isComplete() const override;

    int timeLimitSeconds() const;
    void setTimeLimitSeconds(int seconds);
    QStringList algorithms() const;
    QString problem() const;

    QTimeEdit *timeLimitEdit() const { return m_time; }
    QSpinBox *maxCandidatesSpin() const { return m_maxCandidates; }
    QListWidget *algorithmList() const { return m_algorithms; }
    QCheckBox *ensembleCheck() const { return m_ensemble; }
    QComboBox *experimentCombo() const { return m_experiment; }
    QLineEdit *nameEdit() const { return m_name; }
    gui::HostChecklist *hostList() const { return m_hosts; }
    QLabel *validationLabel() const { return m_validation; }
    QLabel *errorLabel() const { return m_errorLabel; }

private:
    void fillAlgorithms();
    void updateState();

    gui::JobService *m_service;
    gui::StudioContext *m_context;
    AutoMLDataPage *m_data;
    AutoMLTargetPage *m_target;
    QTimeEdit *m_time;
    QSpinBox *m_maxCandidates;
    QListWidget *m_algorithms;
    QCheckBox *m_ensemble;
    QComboBox *m_experiment;
    QLineEdit *m_name;
    gui::HostChecklist *m_hosts = nullptr;
    QLabel *m_validation;
    QLabel *m_errorLabel;
    QStringList m_unticked; ///< algorithms the user unticked (kept when the task changes)
};

/// Page 4: starts the AutoML job and follows it: phase, candidates done, elapsed and remaining
/// time, the live leaderboard and the best objective over the candidates; Stop. The job belongs
/// to the panel, so closing the wizard leaves it running.
class AutoMLRunPage : public QWizardPage
{
    Q_OBJECT
public:
    using Starter = std::function<automl::AutoMLJob *(const automl::AutoMLSpec &)>;
    AutoMLRunPage(Starter starter, QWidget *parent = nullptr);

    void initializePage() override;
    bool isComplete() const override;

    automl::AutoMLJob *job() const { return m_job; }
    const automl::AutoMLSpec &spec() const { return m_spec; }
    /// The job ended (finished(ok, message) arrived).
    bool hasEnded() const { return m_ended; }
    bool succeeded() const { return m_ok; }

    QLabel *phaseLabel() const { return m_phase; }
    QLabel *progressLabel() const { return m_progress; }
    QLabel *timeLabel() const { return m_time; }
    QTableView *leaderboardView() const { return m_view; }
    LeaderboardModel *leaderboardModel() const { return m_model; }
    BestObjectivePlot *objectivePlot() const { return m_plot; }
    QPushButton *stopButton() const { return m_stop; }
    QLabel *errorLabel() const { return m_errorLabel; }
    /// The job the wizard's pages describe (what Start launches).
    automl::AutoMLSpec specFromWizard() const;

Q_SIGNALS:
    void jobEnded(bool ok);

private:
    void refresh();
    void updateTime();

    Starter m_starter;
    QPointer<automl::AutoMLJob> m_job;
    automl::AutoMLSpec m_spec;
    QString m_metric;
    QLabel *m_phase;
    QLabel *m_progress;
    QLabel *m_time;
    QTableView *m_view;
    LeaderboardModel *m_model;
    BestObjectivePlot *m_plot;
    QPushButton *m_stop;
    QLabel *m_errorLabel;
    QTimer *m_clock;
    qint64 m_startedMs = 0;
    qint64 m_endedMs = 0;
    bool m_ended = false;
    bool m_ok = false;
};

/// Page 5: the best model (algorithm or ensemble members, objective, metrics), its feature
/// importance, and the ways on: the notebooks, the runs, a batch prediction.
class AutoMLFinishPage : public QWizardPage
{
    Q_OBJECT
public:
    AutoMLFinishPage(gui::StudioContext *context, AutoMLRunPage *run, QWidget *parent = nullptr);

    void initializePage() override;
    AutoMLResultView *resultView() const { return m_view; }

private:
    gui::StudioContext *m_context;
    AutoMLRunPage *m_run;
    AutoMLResultView *m_view;
};

/// "New AutoML job": data, target, budget, run, finish. Starting a job goes through `starter`
/// (the panel's), which owns the job.
class AutoMLWizard : public QWizard
{
    Q_OBJECT
public:
    enum PageId { DataPageId, TargetPageId, BudgetPageId, RunPageId, FinishPageId };

    AutoMLWizard(gui::StudioContext *context, gui::JobService *service, AutoMLRunPage::Starter starter, QWidget *parent = nullptr);

    AutoMLDataPage *dataPage() const { return m_data; }
    AutoMLTargetPage *targetPage() const { return m_target; }
    AutoMLBudgetPage *budgetPage() const { return m_budget; }
    AutoMLRunPage *runPage() const { return m_run; }
    AutoMLFinishPage *finishPage() const { return m_finish; }

private:
    AutoMLDataPage *m_data;
    AutoMLTargetPage *m_target;
    AutoMLBudgetPage *m_budget;
    AutoMLRunPage *m_run;
    AutoMLFinishPage *m_finish;
};

} // namespace cairn::panels
