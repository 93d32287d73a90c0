#include "trainingpanel.h"
#include "experimentcombo.h"

#include "debuggerconfigwidget.h"
#include "featureprocessingwidget.h"

#include "datapicker.h"
#include "displaytext.h"
#include "formpage.h"
#include "hostpicker.h"
#include "jobservice.h"
#include "joblistmodel.h"
#include "jobmonitor.h"
#include "parameterform.h"
#include "studiocontext.h"

#include "cairn/algorithms/pluginmanager.h"
#include "cairn/jobs/jobmanager.h"
#include "cairn/jobs/jobspeccheck.h"
#include "cairn/remote/host.h"
#include "cairn/remote/slurm.h"
#include "cairn/store/experimentstore.h"
#include "cairn/util/error.h"

#include <QApplication>
#include <QCheckBox>
#include <QComboBox>
#include <QDir>
#include <QDockWidget>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QPainter>
#include <QPushButton>
#include <QSpinBox>
#include <QSplitter>
#include <QStyledItemDelegate>
#include <QThread>
#include <QTimer>
#include <QTreeView>
#include <QVBoxLayout>
#include <QtConcurrent>

namespace cairn::panels {

namespace {

/// Draws the progress column as a bar.
class ProgressDelegate : public QStyledItemDelegate
{
public:
    using QStyledItemDelegate::QStyledItemDelegate;
    void paint(QPainter *painter, const QStyleOptionViewItem &option, const QModelIndex &index) const override
    {
        // The cell's background (selection, alternating rows) without its text, then the bar.
        QStyleOptionViewItem cell(option);
        initStyleOption(&cell, index);
        cell.text.clear();
        const QWidget *w = option.widget;
        QStyle *style = w ? w->style() : QApplication::style();
        style->drawControl(QStyle::CE_ItemViewItem, &cell, painter, w);
        QStyleOptionProgressBar bar;
        bar.rect = option.rect.adjusted(2, 3, -2, -3);
        bar.minimum = 0;
        bar.maximum = 100;
        bar.progress = int(index.data(JobListModel::ProgressRole).toDouble() * 100);
        bar.text = index.data().toString();
        bar.textVisible = true;
        bar.state = option.state | QStyle::State_Horizontal;
        bar.palette = option.palette;
        style->drawControl(QStyle::CE_ProgressBar, &bar, painter, w);
    }
};

} // namespace

TrainingPanel::TrainingPanel(gui::StudioContext *context, QWidget *parent)
    : gui::Panel(context, parent), m_service(gui::JobService::of(context))
{
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    auto *split = new QSplitter(Qt::Horizontal, this);
    split->setObjectName(QStringLiteral("trainingSplitter"));
    QWidget *form = buildForm();
    // Train stays in view below the long form.
    auto *actions = new QWidget;
    auto *av = new QVBoxLayout(actions);
    av->addWidget(m_message);
    av->addWidget(m_train);
    QWidget *formPage = gui::makeFormPage(form, actions, m_train, split);
    formPage->setMinimumWidth(380);
    split->addWidget(formPage);
    split->addWidget(buildJobs());
    split->setStretchFactor(0, 2);
    split->setStretchFactor(1, 3);
    split->setSizes({560, 840});
    layout->addWidget(split);

    m_refreshTimer = new QTimer(this);
    m_refreshTimer->setInterval(1000);
    connect(m_refreshTimer, &QTimer::timeout, this, &TrainingPanel::refreshJobs);
    m_tickTimer = new QTimer(this);
    m_tickTimer->setInterval(1000);
    connect(m_tickTimer, &QTimer::timeout, m_jobs, &JobListModel::tick);
    m_tickTimer->start();

    connect(m_service, &gui::JobService::managerChanged, this, &TrainingPanel::onManagerChanged);
    connect(m_service, &gui::JobService::trainingRequested, this, [this](const JobSpec &spec) {
        fillForm(spec);
        raiseDock();
    });
    reloadAlgorithms();
    onManagerChanged();
    updateFeatureColumns();
}

TrainingPanel::~TrainingPanel() = default;

QWidget *TrainingPanel::buildForm()
{
    auto *page = new QWidget;
    auto *v = new QVBoxLayout(page);

    auto *title = new QLabel(QStringLiteral("<h3>%1</h3>").arg(tr("New training job").toHtmlEscaped()), page);
    v->addWidget(title);

    auto *algoBox = new QGroupBox(tr("Algorithm"), page);
    auto *af = new QFormLayout(algoBox);
    m_algorithm = new QComboBox(algoBox);
    m_algorithm->setObjectName(QStringLiteral("algorithm"));
    af->addRow(tr("Algorithm:"), m_algorithm);
    m_algorithmHelp = new QLabel(algoBox);
    m_algorithmHelp->setWordWrap(true);
    af->addRow(m_algorithmHelp);
    m_task = new QComboBox(algoBox);
    m_task->setObjectName(QStringLiteral("task"));
    af->addRow(tr("Task:"), m_task);
    v->addWidget(algoBox);
    connect(m_algorithm, &QComboBox::currentIndexChanged, this, &TrainingPanel::algorithmChanged);
    connect(m_task, &QComboBox::currentIndexChanged, this, [this] {
        m_data->setTargetVisible(m_task->currentData().toString() != QLatin1String("clustering") && m_data->isTabular());
        updateFeatureColumns();
        updateFormState();
    });

    auto *dataBox = new QGroupBox(tr("Data"), page);
    auto *dv = new QVBoxLayout(dataBox);
    m_data = new gui::DataPicker(dataBox);
    dv->addWidget(m_data);
    v->addWidget(dataBox);
    connect(m_data, &gui::DataPicker::changed, this, &TrainingPanel::updateFormState);

    auto *hpBox = new QGroupBox(tr("Hyperparameters"), page);
    auto *hv = new QVBoxLayout(hpBox);
    m_form = new gui::ParameterForm(hpBox);
    hv->addWidget(m_form);
    m_reset = new QPushButton(tr("Reset to defaults"), hpBox);
    m_reset->setToolTip(tr("Put every hyperparameter back to the algorithm's default"));
    hv->addWidget(m_reset, 0, Qt::AlignLeft);
    v->addWidget(hpBox);
    connect(m_form, &gui::ParameterForm::changed, this, &TrainingPanel::updateFormState);
    connect(m_reset, &QPushButton::clicked, m_form, &gui::ParameterForm::resetToDefaults);

    m_features = new FeatureProcessingWidget(page);
    v->addWidget(m_features);
    connect(m_features, &FeatureProcessingWidget::changed, this, &TrainingPanel::updateFormState);
    connect(m_data, &gui::DataPicker::changed, this, &TrainingPanel::updateFeatureColumns);

    m_debugger = new DebuggerConfigWidget(page);
    v->addWidget(m_debugger);

    auto *runBox = new QGroupBox(tr("Run"), page);
    auto *rf = new QFormLayout(runBox);
    m_experiment = new QComboBox(runBox);
    m_experiment->setObjectName(QStringLiteral("experiment"));
    m_experiment->setEditable(true);
    m_experiment->setInsertPolicy(QComboBox::NoInsert);
    m_experiment->setToolTip(tr("The experiment the run goes into (created if new)"));
    rf->addRow(tr("Experiment:"), m_experiment);
    m_runName = new QLineEdit(runBox);
    m_runName->setObjectName(QStringLiteral("runName"));
    m_runName->setPlaceholderText(tr("automatic"));
    rf->addRow(tr("Run name:"), m_runName);
    m_cpus = new QSpinBox(runBox);
    m_cpus->setObjectName(QStringLiteral("cpus"));
    m_cpus->setRange(0, std::max(1, QThread::idealThreadCount()));
    m_cpus->setSpecialValueText(tr("all (%1)").arg(QThread::idealThreadCount()));
    m_cpus->setToolTip(tr("CPU threads the job may use"));
    rf->addRow(tr("CPUs:"), m_cpus);
    m_instances = new QSpinBox(runBox);
    m_instances->setObjectName(QStringLiteral("instances"));
    m_instances->setRange(1, 4096);
    m_instances->setToolTip(tr("Data-parallel training on this many instances (SSH hosts or cluster nodes; on this machine, processes)"));
    rf->addRow(tr("Instances:"), m_instances);
    m_processes = new QSpinBox(runBox);
    m_processes->setObjectName(QStringLiteral("processesPerInstance"));
    m_processes->setRange(1, 256);
    m_processes->setToolTip(tr("Training processes (ranks) on each instance; CPUs are per process"));
    rf->addRow(tr("Processes per instance:"), m_processes);
    m_host = new gui::HostPicker(runBox);
    m_host->setObjectName(QStringLiteral("host"));
    rf->addRow(tr("Host:"), m_host);
    // Data-parallel training over several hosts: one instance on each ticked host, started from
    // this machine (as cairn train --hosts).
    m_spread = new QCheckBox(tr("One instance on each of these hosts:"), runBox);
    m_spread->setObjectName(QStringLiteral("spreadOverHosts"));
    m_spread->setToolTip(tr("Spread the ranks over SSH hosts (and this machine): the instance count follows the hosts ticked"));
    rf->addRow(m_spread);
    m_spreadHosts = new gui::HostChecklist(runBox);
    m_spreadHosts->setObjectName(QStringLiteral("spreadHosts"));
    rf->addRow(m_spreadHosts);
    rf->setRowVisible(m_spreadHosts, false);
    auto showSpread = [this, rf] {
        const bool on = m_spread->isChecked() && m_spread->isEnabled();
        rf->setRowVisible(m_spreadHosts, on);
        m_host->setEnabled(!on);
        m_instances->setEnabled(m_info.distributed && !on);
        if (on) {
            m_host->setHost(QString::fromLatin1(remote::Host::kLocalName));
            m_instances->setValue(std::max(1, int(m_spreadHosts->hosts().size())));
        }
        updateFormState();
    };
    connect(m_spread, &QCheckBox::toggled, this, showSpread);
    connect(m_spreadHosts, &gui::HostChecklist::hostsChanged, this, showSpread);
    // A Slurm cluster's share of the job, as cairn train's --partition, --time-limit... take it;
    // the rows show while the host is a cluster.
    m_partition = new QLineEdit(runBox);
    m_partition->setObjectName(QStringLiteral("partition"));
    m_partition->setPlaceholderText(tr("the cluster's default"));
    rf->addRow(tr("Partition:"), m_partition);
    m_timeLimit = new QLineEdit(runBox);
    m_timeLimit->setObjectName(QStringLiteral("timeLimit"));
    m_timeLimit->setPlaceholderText(tr("the partition's, e.g. 2:00:00"));
    m_timeLimit->setToolTip(tr("Minutes, H:M:S or D-H:M:S; Slurm stops the job when it runs out (TIMEOUT)"));
    rf->addRow(tr("Time limit:"), m_timeLimit);
    m_gpusPerInstance = new QSpinBox(runBox);
    m_gpusPerInstance->setObjectName(QStringLiteral("gpusPerInstance"));
    m_gpusPerInstance->setRange(0, 64);
    m_gpusPerInstance->setSpecialValueText(tr("none"));
    rf->addRow(tr("GPUs per instance:"), m_gpusPerInstance);
    m_memory = new QSpinBox(runBox);
    m_memory->setObjectName(QStringLiteral("memoryMb"));
    m_memory->setRange(0, 16 * 1024 * 1024);
    m_memory->setSuffix(tr(" MB"));
    m_memory->setSpecialValueText(tr("the partition's default"));
    rf->addRow(tr("Memory per instance:"), m_memory);
    auto showSlurm = [this, rf] {
        const auto h = remote::HostStore().find(m_host->host());
        for (QWidget *w : std::initializer_list<QWidget *>{m_partition, m_timeLimit, m_gpusPerInstance, m_memory})
            rf->setRowVisible(w, h && h->isSlurm());
        updateFormState();
    };
    connect(m_host, &gui::HostPicker::hostChanged, this, showSlurm);
    connect(m_partition, &QLineEdit::textChanged, this, [this] { updateFormState(); });
    connect(m_timeLimit, &QLineEdit::textChanged, this, [this] { updateFormState(); });
    for (QWidget *w : std::initializer_list<QWidget *>{m_partition, m_timeLimit, m_gpusPerInstance, m_memory})
        rf->setRowVisible(w, false);
    v->addWidget(runBox);

    m_message = new QLabel(page);
    m_message->setObjectName(QStringLiteral("formMessage"));
    m_message->setWordWrap(true);
    m_train = new QPushButton(tr("Train"), page);
    m_train->setObjectName(QStringLiteral("train"));
    m_train->setDefault(true);
    m_train->setToolTip(tr("Start the job: the worker runs in its own process and its metrics go to a run (Ctrl+Enter)"));
    connect(m_train, &QPushButton::clicked, this, [this] { submit(); });
    v->addStretch(1);
    return page;
}

QWidget *TrainingPanel::buildJobs()
{
    auto *right = new QSplitter(Qt::Vertical);
    auto *top = new QWidget(right);
    auto *tv = new QVBoxLayout(top);
    tv->setContentsMargins(4, 4, 4, 0);
    auto *bar = new QHBoxLayout;
    bar->addWidget(new QLabel(QStringLiteral("<b>%1</b>").arg(tr("Jobs").toHtmlEscaped()), top));
    bar->addStretch(1);
    m_stop = new QPushButton(tr("Stop"), top);
    m_stop->setObjectName(QStringLiteral("stop"));
    m_stop->setToolTip(tr("Ask the selected job to stop (it keeps what it has trained); press again to stop it at once"));
    m_clone = new QPushButton(tr("Clone job"), top);
    m_clone->setObjectName(QStringLiteral("clone"));
    m_clone->setToolTip(tr("Fill the form with the selected job's settings to run it again with changes"));
    m_openRun = new QPushButton(tr("Open run"), top);
    m_openRun->setObjectName(QStringLiteral("openRun"));
    m_openRun->setToolTip(tr("Show the job's run (metrics, parameters, model) in the Experiments panel"));
    // Register and Deploy are the Models panel's: the buttons hand it the finished job's run.
    m_registerModel = new QPushButton(tr("Register model…"), top);
    m_registerModel->setObjectName(QStringLiteral("registerModel"));
    m_registerModel->setToolTip(tr("Register the finished job's model in the model registry (Models panel)"));
    m_deployModel = new QPushButton(tr("Deploy…"), top);
    m_deployModel->setObjectName(QStringLiteral("deployModel"));
    m_deployModel->setToolTip(tr("Serve the finished job's model as an HTTP endpoint (Models panel)"));
    bar->addWidget(m_stop);
    bar->addWidget(m_clone);
    bar->addWidget(m_openRun);
    bar->addWidget(m_registerModel);
    bar->addWidget(m_deployModel);
    tv->addLayout(bar);

    m_jobs = new JobListModel(this);
    m_jobsView = new QTreeView(top);
    m_jobsView->setObjectName(QStringLiteral("jobs"));
    m_jobsView->setModel(m_jobs);
    m_jobsView->setRootIsDecorated(false);
    m_jobsView->setUniformRowHeights(true);
    m_jobsView->setAlternatingRowColors(true);
    m_jobsView->setSelectionMode(QAbstractItemView::SingleSelection);
    m_jobsView->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_jobsView->setItemDelegateForColumn(JobListModel::ProgressColumn, new ProgressDelegate(m_jobsView));
    m_jobsView->header()->setStretchLastSection(true);
    m_jobsView->setColumnWidth(JobListModel::IdColumn, m_jobsView->fontMetrics().horizontalAdvance(QStringLiteral("job-20260101-000000-0000")) + 16);
    m_jobsView->setColumnWidth(JobListModel::AlgorithmColumn, 80);
    m_jobsView->setColumnWidth(JobListModel::ExperimentColumn, 100);
    m_jobsView->setColumnWidth(JobListModel::StatusColumn, 80);
    m_jobsView->setColumnWidth(JobListModel::ProgressColumn, 110);
    m_jobsView->setColumnWidth(JobListModel::ElapsedColumn, 80);
    tv->addWidget(m_jobsView, 1);
    connect(m_jobsView->selectionModel(), &QItemSelectionModel::currentRowChanged, this, &TrainingPanel::selectionChanged);
    connect(m_jobsView, &QTreeView::doubleClicked, this, &TrainingPanel::openSelectedRun);
    connect(m_jobs, &QAbstractItemModel::dataChanged, this, [this](const QModelIndex &from, const QModelIndex &to) {
        const QModelIndex current = m_jobsView->currentIndex();
        if (current.isValid() && current.row() >= from.row() && current.row() <= to.row() && from.column() == 0) {
            m_monitor->setJob(m_jobs->record(current.row()));
            updateButtons();
        }
    });
    connect(m_stop, &QPushButton::clicked, this, &TrainingPanel::stopSelected);
    connect(m_clone, &QPushButton::clicked, this, &TrainingPanel::cloneSelected);
    connect(m_openRun, &QPushButton::clicked, this, &TrainingPanel::openSelectedRun);
    connect(m_registerModel, &QPushButton::clicked, this, [this] {
        const QModelIndex i = m_jobsView->currentIndex();
        if (i.isValid())
            Q_EMIT context()->registerModelRequested(m_jobs->record(i.row()).runUuid);
    });
    connect(m_deployModel, &QPushButton::clicked, this, [this] {
        const QModelIndex i = m_jobsView->currentIndex();
        if (i.isValid())
            Q_EMIT context()->deployModelRequested(m_jobs->record(i.row()).runUuid);
    });

    m_monitor = new JobMonitor(context(), right);
    right->addWidget(top);
    right->addWidget(m_monitor);
    right->setStretchFactor(0, 1);
    right->setStretchFactor(1, 2);
    updateButtons();
    return right;
}

void TrainingPanel::reloadAlgorithms()
{
    const QString current = algorithmId();
    const QSignalBlocker block(m_algorithm);
    m_algorithm->clear();
    for (const QJsonObject &meta : m_service->plugins().algorithmMetadata()) {
        const QString id = meta.value(QStringLiteral("id")).toString();
        const QString name = gui::DisplayText::pluginText(meta.value(QStringLiteral("name")).toString(id));
        m_algorithm->addItem(name, id);
    }
    if (m_algorithm->count() == 0) {
        m_algorithmHelp->setText(tr("No algorithm plugins were found (looked in: %1).")
                                     .arg(m_service->plugins().searchPaths().join(QStringLiteral(", "))));
        m_form->setSchema({});
        updateFormState();
        return;
    }
    const int i = m_algorithm->findData(current.isEmpty() ? m_service->defaultAlgorithm() : current);
    m_algorithm->setCurrentIndex(i >= 0 ? i : 0);
    algorithmChanged();
}

bool TrainingPanel::selectAlgorithm(const QString &id)
{
    const int i = m_algorithm->findData(id);
    if (i < 0)
        return false;
    if (i == m_algorithm->currentIndex() && m_info.id == id)
        return true;
    m_algorithm->setCurrentIndex(i);
    return m_info.id == id;
}

QString TrainingPanel::algorithmId() const
{
    return m_algorithm->currentData().toString();
}

void TrainingPanel::algorithmChanged()
{
    const QString id = algorithmId();
    m_info = {};
    try {
        m_info = m_service->algorithm(id);
    } catch (const Error &e) {
        m_algorithmHelp->setText(e.message());
        m_form->setSchema({});
        updateFormState();
        return;
    }
    m_algorithmHelp->setText(gui::DisplayText::pluginText(m_info.description));
    m_algorithmHelp->setVisible(!m_info.description.isEmpty());
    {
        const QSignalBlocker block(m_task);
        m_task->clear();
        if (m_info.tasks.size() != 1)
            m_task->addItem(tr("Automatic (from the target)"), QString());
        for (Task t : m_info.tasks)
            m_task->addItem(gui::DisplayText::task(t), taskName(t));
    }
    m_form->setSchema(m_info.schema);
    // Only algorithms that train data-parallel take more than one instance.
    for (QSpinBox *spin : {m_instances, m_processes}) {
        spin->setEnabled(m_info.distributed);
        if (!m_info.distributed)
            spin->setValue(1);
    }
    m_spread->setEnabled(m_info.distributed);
    if (!m_info.distributed)
        m_spread->setChecked(false);
    m_instances->setEnabled(m_info.distributed && !m_spread->isChecked());
    m_data->setTargetVisible(m_task->currentData().toString() != QLatin1String("clustering") && m_data->isTabular());
    updateFormState();
}

void TrainingPanel::onManagerChanged()
{
    JobManager *manager = m_service->manager();
    m_monitor->setManager(manager);
    m_ownJobs.clear();
    m_jobs->setRecords({});
    m_monitor->setJob({});
    reloadExperiments();
    if (manager) {
        connect(manager, &JobManager::jobQueued, this, [this](const QString &) { refreshJobs(); });
        connect(manager, &JobManager::jobStarted, this, [this](const QString &id) { m_jobs->updateState(id, JobState::Running); });
        connect(manager, &JobManager::jobProgress, this, [this](const QString &id, double fraction, const QString &message) {
            m_jobs->updateProgress(id, fraction, message);
        });
        connect(manager, &JobManager::jobFinished, this, [this](const QString &id, JobState state, const QString &message) {
            m_jobs->updateState(id, state, message);
            refreshJobs();
            if (!m_ownJobs.contains(id))
                return;
            const QString text = state == JobState::Finished ? tr("Training job %1 finished; Open run shows it in Experiments.").arg(id)
                                                             : tr("Training job %1: %2 (%3)").arg(id, JobListModel::stateText(state), message);
            Q_EMIT context()->statusMessage(text, 8000);
            Q_EMIT jobEnded(id, state);
        });
        m_refreshTimer->start();
        refreshJobs();
    } else {
        m_refreshTimer->stop();
    }
    updateFormState();
}

void TrainingPanel::reloadExperiments()
{
    gui::reloadExperimentCombo(m_experiment, context());
}

void TrainingPanel::refreshJobs()
{
    if (!context()->hasWorkspace())
        return;
    if (m_listWatcher) {
        m_listAgain = true;
        return;
    }
    m_listWatcher = new QFutureWatcher<QList<JobRecord>>(this);
    const QString path = context()->workspacePath();
    connect(m_listWatcher, &QFutureWatcher<QList<JobRecord>>::finished, this, [this, path] {
        QList<JobRecord> records = m_listWatcher->result();
        m_listWatcher->deleteLater();
        m_listWatcher = nullptr;
        if (path != context()->workspacePath())
            return;
        // This window's manager knows its jobs better than job.json does (written on a timer).
        if (JobManager *manager = m_service->manager())
            for (JobRecord &r : records)
                if (manager->activeJobs().contains(r.id))
                    r = manager->job(r.id);
        m_jobs->setRecords(records);
        // With nothing selected yet, show the newest job rather than an empty monitor.
        if (!m_jobsView->currentIndex().isValid() && m_jobs->rowCount() > 0)
            m_jobsView->setCurrentIndex(m_jobs->index(0, 0));
        updateButtons();
        if (m_listAgain) {
            m_listAgain = false;
            refreshJobs();
        }
    });
    m_listWatcher->setFuture(QtConcurrent::run([path] {
        try {
            return JobRecord::list(path);
        } catch (const Error &) {
            return QList<JobRecord>();
        }
    }));
}

QString TrainingPanel::formProblem() const
{
    if (!m_service->manager())
        return tr("Open a workspace to train.");
    if (m_info.id.isEmpty())
        return tr("Choose an algorithm.");
    if (const QString p = m_data->problem(); !p.isEmpty())
        return p;
    if (m_data->isLoading())
        return tr("Reading the data…");
    const bool clustering = m_task->currentData().toString() == QLatin1String("clustering")
                            || (m_info.tasks.size() == 1 && m_info.tasks.first() == Task::Clustering);
    if (m_data->isTabular() && !clustering && m_data->target().isEmpty())
        return tr("Choose the target column to predict.");
    if (!m_form->isValid())
        return m_form->problems().value(0);
    if (m_experiment->currentText().trimmed().isEmpty())
        return tr("Name the experiment.");
    if (m_info.distributed && m_spread->isChecked() && m_spreadHosts->hosts().size() < 2)
        return tr("Tick at least two hosts to spread the instances over.");
    if (!m_partition->isHidden()) {
        const QString partition = m_partition->text().trimmed();
        if (!partition.isEmpty() && !remote::slurm::validPartition(partition))
            return tr("'%1' is not a Slurm partition name.").arg(partition);
        const QString limit = m_timeLimit->text().trimmed();
        if (!limit.isEmpty() && !remote::slurm::validTimeLimit(limit))
            return tr("'%1' is not a Slurm time limit (minutes, H:M:S or D-H:M:S).").arg(limit);
    }
    return {};
}

void TrainingPanel::updateFormState()
{
    const QString problem = formProblem();
    m_train->setEnabled(problem.isEmpty());
    m_message->setText(problem);
    m_message->setVisible(!problem.isEmpty());
}

JobSpec TrainingPanel::currentSpec() const
{
    if (const QString p = formProblem(); !p.isEmpty())
        throw Error(p);
    JobSpec spec;
    spec.validationFraction = m_cloned.validationFraction;
    spec.seed = m_cloned.seed;
    spec.stopping = m_cloned.stopping;
    if (m_cloned.hasChannel(QStringLiteral("test")))
        spec.channels.insert(QStringLiteral("test"), m_cloned.channels.value(QStringLiteral("test")));
    spec.algorithm = m_info.id;
    spec.hyperparameters = m_info.schema.resolve(m_form->values());
    spec.channels.insert(QStringLiteral("train"), gui::DataPicker::channelFor(m_data->trainPath()));
    if (!m_data->validationPath().isEmpty())
        spec.channels.insert(QStringLiteral("validation"), gui::DataPicker::channelFor(m_data->validationPath()));
    spec.task = m_task->currentData().toString();
    if (m_data->isTabular() && spec.task != QLatin1String("clustering"))
        spec.target = m_data->target();
    spec.experiment = m_experiment->currentText().trimmed();
    spec.runName = m_runName->text().trimmed();
    spec.resources.cpus = m_cpus->value();
    if (m_info.distributed) {
        spec.resources.instances = m_instances->value();
        spec.resources.processesPerInstance = m_processes->value();
    }
    spec.resources.host = m_host->host();
    if (m_info.distributed && m_spread->isChecked()) {
        spec.resources.hosts = m_spreadHosts->hosts();
        spec.resources.instances = int(spec.resources.hosts.size());
        spec.resources.host = QString::fromLatin1(remote::Host::kLocalName);
    }
    if (!m_partition->isHidden()) {
        spec.resources.partition = m_partition->text().trimmed();
        spec.resources.timeLimit = m_timeLimit->text().trimmed();
        spec.resources.gpusPerInstance = m_gpusPerInstance->value();
        spec.resources.memoryMb = m_memory->value();
    }
    spec.debugger = m_debugger->config();
    if (m_data->isTabular())
        spec.preprocessing = m_features->config();
    return spec;
}

QString TrainingPanel::submit()
{
    JobManager *manager = m_service->manager();
    try {
        const JobSpec spec = currentSpec();
        // The checks `cairn train` makes, before a job or run exists (the data picker has read
        // the table through in the background).
        if (const QList<SpecProblem> problems = checkJobSpec(spec, m_info, false); !problems.isEmpty())
            throw Error(problems.first().message);
        const QString id = manager->submit(spec);
        m_ownJobs << id;
        m_runName->clear();
        reloadExperiments();
        const JobRecord record = manager->job(id);
        if (m_jobs->rowOf(id) < 0) {
            QList<JobRecord> records = m_jobs->records();
            records.prepend(record);
            m_jobs->setRecords(records);
        }
        selectJob(id);
        Q_EMIT context()->statusMessage(tr("Training job %1 submitted.").arg(id));
        return id;
    } catch (const Error &e) {
        m_message->setText(e.message());
        m_message->setVisible(true);
        return {};
    }
}

void TrainingPanel::fillForm(const JobSpec &spec)
{
    if (!selectAlgorithm(spec.algorithm)) {
        m_message->setText(tr("The algorithm '%1' of this job is not installed.").arg(spec.algorithm));
        m_message->setVisible(true);
        return;
    }
    m_cloned = spec;
    m_form->setValues(spec.hyperparameters);
    const int t = m_task->findData(spec.task);
    m_task->setCurrentIndex(t >= 0 ? t : 0);
    m_data->setTarget(spec.target);
    m_data->setTrainPath(spec.channels.value(QStringLiteral("train")).path);
    m_data->setValidationPath(spec.channels.value(QStringLiteral("validation")).path);
    m_data->setTarget(spec.target);
    if (!spec.experiment.isEmpty())
        m_experiment->setCurrentText(spec.experiment);
    m_runName->setText(spec.runName);
    m_cpus->setValue(spec.resources.cpus);
    m_instances->setValue(spec.resources.instances);
    m_processes->setValue(spec.resources.processesPerInstance);
    m_host->setHost(spec.resources.host);
    m_spread->setChecked(!spec.resources.hosts.isEmpty());
    if (!spec.resources.hosts.isEmpty())
        m_spreadHosts->setHosts(spec.resources.hosts);
    m_partition->setText(spec.resources.partition);
    m_timeLimit->setText(spec.resources.timeLimit);
    m_gpusPerInstance->setValue(spec.resources.gpusPerInstance);
    m_memory->setValue(spec.resources.memoryMb);
    m_debugger->setConfig(spec.debugger);
    m_features->setConfig(spec.preprocessing);
    updateFeatureColumns();
    updateFormState();
}

void TrainingPanel::updateFeatureColumns()
{
    // Images have no feature pipeline.
    m_features->setVisible(m_data->isTabular());
    const bool clustering = m_task->currentData().toString() == QLatin1String("clustering");
    m_features->setColumns(m_data->columns(), m_data->columnTypes(), clustering ? QString() : m_data->target());
}

bool TrainingPanel::selectJob(const QString &jobId)
{
    const int row = m_jobs->rowOf(jobId);
    if (row < 0)
        return false;
    m_jobsView->setCurrentIndex(m_jobs->index(row, 0));
    return true;
}

QString TrainingPanel::selectedJobId() const
{
    const QModelIndex i = m_jobsView->currentIndex();
    return i.isValid() ? m_jobs->record(i.row()).id : QString();
}

void TrainingPanel::selectionChanged()
{
    const QModelIndex i = m_jobsView->currentIndex();
    m_monitor->setJob(i.isValid() ? m_jobs->record(i.row()) : JobRecord());
    updateButtons();
}

void TrainingPanel::updateButtons()
{
    const QModelIndex i = m_jobsView->currentIndex();
    const bool has = i.isValid();
    const JobRecord *r = has ? &m_jobs->record(i.row()) : nullptr;
    m_stop->setEnabled(r && !isTerminal(r->state));
    m_clone->setEnabled(r != nullptr);
    m_openRun->setEnabled(r && !r->runUuid.isEmpty());
    // A finished job saved its model; the registry says so plainly when a run has none.
    const bool hasModel = r && !r->runUuid.isEmpty() && r->state == JobState::Finished;
    m_registerModel->setEnabled(hasModel);
    m_deployModel->setEnabled(hasModel);
}

void TrainingPanel::stopSelected()
{
    const QString id = selectedJobId();
    if (id.isEmpty())
        return;
    JobManager *manager = m_service->manager();
    if (manager && manager->activeJobs().contains(id)) {
        manager->stop(id, tr("stopped from the Training panel"));
        return;
    }
    // A job supervised by another process (the CLI): ask it through the job's folder.
    try {
        JobManager::requestStop(context()->workspacePath(), id);
        Q_EMIT context()->statusMessage(tr("Asked the process running job %1 to stop it.").arg(id));
    } catch (const Error &e) {
        Q_EMIT context()->statusMessage(e.message(), 8000);
    }
}

void TrainingPanel::cloneSelected()
{
    const QString id = selectedJobId();
    if (id.isEmpty())
        return;
    try {
        JobSpec spec = JobSpec::load(QDir(JobRecord::dirOf(context()->workspacePath(), id)).filePath(QStringLiteral("spec.json")));
        spec.runName.clear();
        fillForm(spec);
        Q_EMIT context()->statusMessage(tr("The form holds job %1's settings: change what you like and press Train.").arg(id));
    } catch (const Error &e) {
        m_message->setText(e.message());
        m_message->setVisible(true);
    }
}

void TrainingPanel::openSelectedRun()
{
    const QModelIndex i = m_jobsView->currentIndex();
    if (!i.isValid())
        return;
    const QString uuid = m_jobs->record(i.row()).runUuid;
    if (!uuid.isEmpty())
        Q_EMIT context()->showRunRequested(uuid);
}

void TrainingPanel::raiseDock()
{
    for (QWidget *w = parentWidget(); w; w = w->parentWidget())
        if (auto *dock = qobject_cast<QDockWidget *>(w)) {
            dock->show();
            dock->raise();
            return;
        }
}

} // namespace cairn::panels
