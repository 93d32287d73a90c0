#include "tuningpanel.h"
#include "experimentcombo.h"

#include "datapicker.h"
#include "displaytext.h"
#include "formpage.h"
#include "hostpicker.h"
#include "jobservice.h"
#include "parallelcoordinates.h"
#include "parameterform.h"
#include "plotcolors.h"
#include "plotstyle.h"
#include "qcustomplotinclude.h"
#include "studiocontext.h"
#include "theme.h"

#include "cairn/algorithms/pluginmanager.h"
#include "cairn/jobs/jobmanager.h"
#include "cairn/jobs/jobspeccheck.h"
#include "cairn/remote/host.h"
#include "cairn/store/experimentstore.h"
#include "cairn/util/error.h"

#include <QApplication>
#include <QCheckBox>
#include <QComboBox>
#include <QDateTime>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QLocale>
#include <QPushButton>
#include <QScrollArea>
#include <QSpinBox>
#include <QSplitter>
#include <QStandardItemModel>
#include <QTabWidget>
#include <QTableView>
#include <QThread>
#include <QTreeWidget>
#include <QVBoxLayout>

#include <cmath>

namespace cairn::panels {

namespace {

enum TrialColumn { IndexColumn, StateColumn, ObjectiveColumn, FirstParamColumn };

/// Metrics that get smaller as a model gets better.
bool lowerIsBetter(const QString &objective)
{
    const QString m = objective.section(QLatin1Char('.'), -1).toLower();
    for (const char *s : {"loss", "error", "rmse", "mse", "mae", "inertia"})
        if (m.contains(QLatin1String(s)))
            return true;
    return false;
}

QString stateText(JobState state, bool earlyStopped)
{
    if (earlyStopped)
        return TuningPanel::tr("Stopped early");
    switch (state) {
    case JobState::Queued: return TuningPanel::tr("Queued");
    case JobState::Running: return TuningPanel::tr("Running");
    case JobState::Stopping: return TuningPanel::tr("Stopping");
    case JobState::Finished: return TuningPanel::tr("Finished");
    case JobState::Failed: return TuningPanel::tr("Failed");
    case JobState::Stopped: return TuningPanel::tr("Stopped");
    }
    return {};
}

QString paramText(const QJsonValue &v)
{
    if (v.isDouble())
        return QString::number(v.toDouble(), 'g', 5);
    if (v.isBool())
        return v.toBool() ? QStringLiteral("true") : QStringLiteral("false");
    return v.toString();
}

} // namespace

TuningPanel::TuningPanel(gui::StudioContext *context, QWidget *parent)
    : gui::Panel(context, parent), m_service(gui::JobService::of(context))
{
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    auto *split = new QSplitter(Qt::Horizontal, this);
    QWidget *form = buildForm();
    // Start tuning stays in view below the long form.
    auto *actions = new QWidget;
    auto *av = new QVBoxLayout(actions);
    av->addWidget(m_message);
    av->addWidget(m_start);
    QWidget *formPage = gui::makeFormPage(form, actions, m_start, split);
    formPage->setMinimumWidth(420);
    split->addWidget(formPage);
    split->addWidget(buildResults());
    split->setStretchFactor(0, 2);
    split->setStretchFactor(1, 3);
    split->setSizes({560, 840});
    layout->addWidget(split);

    connect(m_service, &gui::JobService::aboutToChangeManager, this, &TuningPanel::dropJob);
    connect(m_service, &gui::JobService::managerChanged, this, [this] {
        reloadExperiments();
        updateFormState();
    });
    // Tuning runs made anywhere (the CLI, another studio) appear and update as they are written.
    connect(context, &gui::StudioContext::workspaceChanged, this, &TuningPanel::refreshRuns);
    connect(context, &gui::StudioContext::storeChanged, this, &TuningPanel::refreshRuns);
    reloadAlgorithms();
    reloadExperiments();
    resetResults();
    refreshRuns();
    updateButtons();
}

TuningPanel::~TuningPanel()
{
    dropJob();
}

QWidget *TuningPanel::buildForm()
{
    auto *page = new QWidget;
    auto *v = new QVBoxLayout(page);
    v->addWidget(new QLabel(QStringLiteral("<h3>%1</h3>").arg(tr("New tuning job").toHtmlEscaped()), page));

    auto *algoBox = new QGroupBox(tr("Algorithm and data"), page);
    auto *av = new QVBoxLayout(algoBox);
    auto *af = new QFormLayout;
    m_algorithm = new QComboBox(algoBox);
    m_algorithm->setObjectName(QStringLiteral("algorithm"));
    af->addRow(tr("Algorithm:"), m_algorithm);
    av->addLayout(af);
    m_data = new gui::DataPicker(algoBox);
    m_data->previewView()->setMinimumHeight(110);
    m_data->previewView()->setMaximumHeight(150);
    av->addWidget(m_data);
    v->addWidget(algoBox);
    connect(m_algorithm, &QComboBox::currentIndexChanged, this, &TuningPanel::algorithmChanged);
    connect(m_data, &gui::DataPicker::changed, this, &TuningPanel::updateFormState);

    auto *spaceBox = new QGroupBox(tr("Search space"), page);
    auto *sv = new QVBoxLayout(spaceBox);
    auto *hint = new QLabel(tr("Tick the parameters to tune and set their ranges; the others keep the value shown."), spaceBox);
    hint->setWordWrap(true);
    sv->addWidget(hint);
    m_form = new gui::ParameterForm(spaceBox);
    m_form->setMode(gui::ParameterForm::Mode::Tuning);
    sv->addWidget(m_form);
    v->addWidget(spaceBox);
    connect(m_form, &gui::ParameterForm::changed, this, &TuningPanel::updateFormState);

    auto *searchBox = new QGroupBox(tr("Search"), page);
    auto *f = new QFormLayout(searchBox);
    m_strategy = new QComboBox(searchBox);
    m_strategy->setObjectName(QStringLiteral("strategy"));
    m_strategy->addItem(tr("Bayesian optimisation"), QStringLiteral("bayesian"));
    m_strategy->addItem(tr("Random search"), QStringLiteral("random"));
    m_strategy->addItem(tr("Grid search"), QStringLiteral("grid"));
    m_strategy->setToolTip(tr("Bayesian optimisation models the objective from the trials so far (a Gaussian process) to pick the next ones"));
    f->addRow(tr("Strategy:"), m_strategy);
    m_objective = new QComboBox(searchBox);
    m_objective->setObjectName(QStringLiteral("objective"));
    m_objective->setEditable(true);
    m_objective->setInsertPolicy(QComboBox::NoInsert);
    m_objective->setToolTip(tr("The metric each trial is judged by: its last value in the trial's run"));
    m_direction = new QComboBox(searchBox);
    m_direction->setObjectName(QStringLiteral("direction"));
    m_direction->addItem(tr("Maximize"), true);
    m_direction->addItem(tr("Minimize"), false);
    auto *objRow = new QWidget(searchBox);
    auto *oh = new QHBoxLayout(objRow);
    oh->setContentsMargins(0, 0, 0, 0);
    oh->addWidget(m_objective, 1);
    oh->addWidget(m_direction);
    f->addRow(tr("Objective:"), objRow);
    connect(m_objective, &QComboBox::currentTextChanged, this, &TuningPanel::objectiveEdited);
    connect(m_direction, &QComboBox::activated, this, [this] { m_directionTouched = true; });
    m_maxTrials = new QSpinBox(searchBox);
    m_maxTrials->setObjectName(QStringLiteral("maxTrials"));
    m_maxTrials->setRange(1, 10000);
    m_maxTrials->setValue(20);
    f->addRow(tr("Max trials:"), m_maxTrials);
    m_parallel = new QSpinBox(searchBox);
    m_parallel->setObjectName(QStringLiteral("parallel"));
    m_parallel->setRange(1, 64);
    m_parallel->setValue(std::max(1, std::min(2, QThread::idealThreadCount() / 2)));
    m_parallel->setToolTip(tr("Trials running at the same time (the job manager's limit per machine also applies)"));
    f->addRow(tr("Parallel trials:"), m_parallel);
    m_hosts = new gui::HostChecklist(searchBox);
    m_hosts->setObjectName(QStringLiteral("hosts"));
    m_hosts->setToolTip(tr("Where the trials run: this machine and any of your SSH hosts. With several ticked, each trial goes to the host with the most free room (its job limit applies)"));
    f->addRow(tr("Hosts:"), m_hosts);
    connect(m_hosts, &gui::HostChecklist::hostsChanged, this, &TuningPanel::updateFormState);
    m_earlyStopping = new QCheckBox(tr("Stop poor trials early (median rule)"), searchBox);
    m_earlyStopping->setObjectName(QStringLiteral("earlyStopping"));
    m_earlyStopping->setToolTip(tr("A trial whose objective so far is worse than the median of the other trials at the same step is stopped"));
    f->addRow(QString(), m_earlyStopping);
    m_experiment = new QComboBox(searchBox);
    m_experiment->setObjectName(QStringLiteral("experiment"));
    m_experiment->setEditable(true);
    m_experiment->setInsertPolicy(QComboBox::NoInsert);
    f->addRow(tr("Experiment:"), m_experiment);
    m_name = new QLineEdit(searchBox);
    m_name->setObjectName(QStringLiteral("tuningName"));
    m_name->setPlaceholderText(tr("automatic (tune-ALGORITHM)"));
    f->addRow(tr("Name:"), m_name);
    v->addWidget(searchBox);
    for (QSpinBox *s : {m_maxTrials, m_parallel})
        connect(s, &QSpinBox::valueChanged, this, &TuningPanel::updateFormState);

    m_message = new QLabel(page);
    m_message->setObjectName(QStringLiteral("formMessage"));
    m_message->setWordWrap(true);
    m_start = new QPushButton(tr("Start tuning"), page);
    m_start->setObjectName(QStringLiteral("startTuning"));
    m_start->setDefault(true);
    m_start->setToolTip(tr("Start the tuning job (Ctrl+Enter)"));
    connect(m_start, &QPushButton::clicked, this, [this] { start(); });
    v->addStretch(1);
    return page;
}

QWidget *TuningPanel::buildResults()
{
    auto *right = new QSplitter(Qt::Vertical);
    auto *top = new QWidget(right);
    auto *tv = new QVBoxLayout(top);
    tv->setContentsMargins(4, 4, 4, 0);
    // Every tuning run of the workspace, whoever made it; the newest is shown first.
    m_runs = new QTreeWidget(top);
    m_runs->setObjectName(QStringLiteral("tuningRuns"));
    m_runs->setHeaderLabels({tr("Tuning run"), tr("Status"), tr("Started")});
    m_runs->setRootIsDecorated(false);
    m_runs->setUniformRowHeights(true);
    m_runs->setAlternatingRowColors(true);
    m_runs->header()->setStretchLastSection(false);
    m_runs->header()->setSectionResizeMode(0, QHeaderView::Stretch);
    m_runs->header()->setSectionResizeMode(1, QHeaderView::ResizeToContents);
    m_runs->header()->setSectionResizeMode(2, QHeaderView::ResizeToContents);
    m_runs->setMaximumHeight(m_runs->fontMetrics().height() * 7);
    m_runs->setToolTip(tr("The tuning runs of this workspace, from this window, the command line or another studio"));
    tv->addWidget(m_runs);
    connect(m_runs, &QTreeWidget::currentItemChanged, this, [this] {
        m_shownSignature.clear();
        showSelectedRun();
    });
    auto *bar = new QHBoxLayout;
    m_status = new QLabel(top);
    m_status->setObjectName(QStringLiteral("tuningStatus"));
    m_status->setTextFormat(Qt::RichText);
    m_status->setWordWrap(true);
    bar->addWidget(m_status, 1);
    m_stop = new QPushButton(tr("Stop"), top);
    m_stop->setObjectName(QStringLiteral("stop"));
    m_stop->setToolTip(tr("Stop the running trials and start no more"));
    m_openBest = new QPushButton(tr("Open best run"), top);
    m_openBest->setObjectName(QStringLiteral("openBest"));
    m_openBest->setToolTip(tr("Show the best trial's run in the Experiments panel"));
    m_trainBest = new QPushButton(tr("Train the best"), top);
    m_trainBest->setObjectName(QStringLiteral("trainBest"));
    m_trainBest->setToolTip(tr("Fill the Training panel's form with the best trial's parameters"));
    m_openTuningRun = new QPushButton(tr("Open tuning run"), top);
    m_openTuningRun->setToolTip(tr("Show the tuning run (its trials are child runs) in the Experiments panel"));
    for (QPushButton *b : {m_stop, m_openBest, m_trainBest, m_openTuningRun})
        bar->addWidget(b);
    tv->addLayout(bar);
    connect(m_stop, &QPushButton::clicked, this, &TuningPanel::stop);
    connect(m_openBest, &QPushButton::clicked, this, [this] {
        if (const tuning::Trial *b = m_shown.best())
            Q_EMIT context()->showRunRequested(b->runUuid);
    });
    connect(m_trainBest, &QPushButton::clicked, this, [this] {
        if (m_shown.best())
            m_service->requestTraining(bestSpec());
    });
    connect(m_openTuningRun, &QPushButton::clicked, this, [this] {
        if (!m_shown.runUuid.isEmpty())
            Q_EMIT context()->showRunRequested(m_shown.runUuid);
    });

    m_trials = new QStandardItemModel(this);
    m_trialsView = new QTableView(top);
    m_trialsView->setObjectName(QStringLiteral("trials"));
    m_trialsView->setModel(m_trials);
    m_trialsView->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_trialsView->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_trialsView->setAlternatingRowColors(true);
    m_trialsView->verticalHeader()->hide();
    m_trialsView->verticalHeader()->setDefaultSectionSize(m_trialsView->fontMetrics().height() + 6);
    m_trialsView->horizontalHeader()->setStretchLastSection(true);
    m_trialsView->setSortingEnabled(false);
    tv->addWidget(m_trialsView, 1);
    connect(m_trialsView, &QTableView::doubleClicked, this, [this](const QModelIndex &index) {
        const QString uuid = m_trials->item(index.row(), IndexColumn)->data(Qt::UserRole + 1).toString();
        if (!uuid.isEmpty())
            Q_EMIT context()->showRunRequested(uuid);
    });

    m_tabs = new QTabWidget(right);
    m_plot = new QCustomPlot(m_tabs);
    m_plot->setObjectName(QStringLiteral("objectivePlot"));
    m_plot->setMinimumHeight(200);
    m_plot->addGraph();
    m_plot->addGraph();
    m_plot->graph(0)->setName(tr("trial objective"));
    m_plot->graph(0)->setLineStyle(QCPGraph::lsNone);
    m_plot->graph(0)->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssDisc, 7));
    m_plot->graph(1)->setName(tr("best so far"));
    m_plot->graph(1)->setLineStyle(QCPGraph::lsStepLeft);
    m_plot->xAxis->setLabel(tr("trial"));
    m_plot->legend->setVisible(true);
    m_plot->axisRect()->insetLayout()->setInsetAlignment(0, Qt::AlignBottom | Qt::AlignRight);
    QSharedPointer<QCPAxisTickerFixed> ticker(new QCPAxisTickerFixed);
    ticker->setTickStep(1);
    ticker->setScaleStrategy(QCPAxisTickerFixed::ssMultiples);
    m_plot->xAxis->setTicker(ticker);
    m_plot->setInteractions(QCP::iRangeDrag | QCP::iRangeZoom);
    m_plotEmpty = new QCPItemText(m_plot);
    m_plotEmpty->position->setType(QCPItemPosition::ptAxisRectRatio);
    m_plotEmpty->position->setCoords(0.5, 0.5);
    m_plotEmpty->setText(tr("The objective of each trial appears here as it finishes"));
    applyPlotPalette();
    m_tabs->addTab(m_plot, tr("Objective per trial"));
    m_parallelView = new gui::ParallelCoordinates(m_tabs);
    m_parallelView->setObjectName(QStringLiteral("parallelCoordinates"));
    m_parallelView->setEmptyMessage(tr("The trials appear here as they finish"));
    m_tabs->addTab(m_parallelView, tr("Parallel coordinates"));
    right->addWidget(top);
    right->addWidget(m_tabs);
    right->setStretchFactor(0, 1);
    right->setStretchFactor(1, 1);
    return right;
}

void TuningPanel::applyPlotPalette()
{
    gui::applyPlotPalette(m_plot);
    const QPalette pal = QApplication::palette();
    const QColor trial = gui::seriesColor(0);
    m_plot->graph(0)->setPen(QPen(trial));
    m_plot->graph(0)->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssDisc, trial, trial, 7));
    m_plot->graph(1)->setPen(QPen(gui::seriesColor(1), 2));
    m_plotEmpty->setColor(pal.color(QPalette::PlaceholderText));
}

void TuningPanel::reloadAlgorithms()
{
    const QSignalBlocker block(m_algorithm);
    m_algorithm->clear();
    for (const QJsonObject &meta : m_service->plugins().algorithmMetadata()) {
        const QString id = meta.value(QStringLiteral("id")).toString();
        m_algorithm->addItem(gui::DisplayText::pluginText(meta.value(QStringLiteral("name")).toString(id)), id);
    }
    if (m_algorithm->count() > 0) {
        m_algorithm->setCurrentIndex(std::max(0, m_algorithm->findData(m_service->defaultAlgorithm())));
        algorithmChanged();
    } else {
        updateFormState();
    }
}

void TuningPanel::reloadExperiments()
{
    gui::reloadExperimentCombo(m_experiment, context());
}

bool TuningPanel::selectAlgorithm(const QString &id)
{
    const int i = m_algorithm->findData(id);
    if (i < 0)
        return false;
    if (i != m_algorithm->currentIndex())
        m_algorithm->setCurrentIndex(i);
    return m_info.id == id;
}

void TuningPanel::algorithmChanged()
{
    m_info = {};
    try {
        m_info = m_service->algorithm(m_algorithm->currentData().toString());
    } catch (const Error &e) {
        m_message->setText(e.message());
        m_form->setSchema({});
        updateFormState();
        return;
    }
    m_form->setSchema(m_info.schema);
    const bool clustering = m_info.tasks.size() == 1 && m_info.tasks.first() == Task::Clustering;
    m_data->setTargetVisible(!clustering && m_data->isTabular());

    // Objectives the algorithm's trials log (per round and final), for the tasks it has.
    QStringList objectives;
    const bool classification = std::any_of(m_info.tasks.begin(), m_info.tasks.end(), [](Task t) { return isClassification(t); });
    const bool regression = m_info.tasks.contains(Task::Regression);
    if (classification)
        objectives << QStringLiteral("validation.auc") << QStringLiteral("validation.accuracy") << QStringLiteral("validation.balanced_accuracy")
                   << QStringLiteral("validation.f1") << QStringLiteral("validation.f1_macro") << QStringLiteral("validation.log_loss");
    if (regression)
        objectives << QStringLiteral("validation.rmse") << QStringLiteral("validation.mae") << QStringLiteral("validation.r2");
    if (clustering)
        objectives << QStringLiteral("validation.accuracy") << QStringLiteral("inertia");
    const QString current = m_objective->currentText();
    {
        const QSignalBlocker block(m_objective);
        m_objective->clear();
        m_objective->addItems(objectives);
        m_objective->setCurrentText(current.isEmpty() || !objectives.contains(current) ? objectives.value(0) : current);
    }
    objectiveEdited();
}

void TuningPanel::objectiveEdited()
{
    // The direction follows the metric until the user picks one.
    if (!m_directionTouched)
        m_direction->setCurrentIndex(lowerIsBetter(m_objective->currentText()) ? 1 : 0);
    updateFormState();
}

QString TuningPanel::formProblem() const
{
    if (!m_service->manager())
        return tr("Open a workspace to tune.");
    if (m_job && !m_job->isFinished())
        return tr("A tuning job is running: stop it or wait for it to end before starting another.");
    if (m_info.id.isEmpty())
        return tr("Choose an algorithm.");
    if (const QString p = m_data->problem(); !p.isEmpty())
        return p;
    if (m_data->isLoading())
        return tr("Reading the data…");
    const bool clustering = m_info.tasks.size() == 1 && m_info.tasks.first() == Task::Clustering;
    if (m_data->isTabular() && !clustering && m_data->target().isEmpty())
        return tr("Choose the target column to predict.");
    if (m_form->tunedNames().isEmpty())
        return tr("Tick at least one parameter to tune.");
    if (!m_form->isValid())
        return m_form->problems().value(0);
    if (m_objective->currentText().trimmed().isEmpty())
        return tr("Name the objective metric (e.g. validation.auc).");
    if (m_hosts->hosts().isEmpty())
        return tr("Tick at least one host to run the trials on.");
    return {};
}

void TuningPanel::updateFormState()
{
    const QString problem = formProblem();
    m_start->setEnabled(problem.isEmpty());
    m_message->setText(problem);
    m_message->setVisible(!problem.isEmpty());
}

tuning::TuningSpec TuningPanel::currentSpec() const
{
    if (const QString p = formProblem(); !p.isEmpty())
        throw Error(p);
    tuning::TuningSpec spec;
    JobSpec &base = spec.base;
    base.algorithm = m_info.id;
    base.hyperparameters = m_info.schema.resolve(m_form->values());
    base.channels.insert(QStringLiteral("train"), gui::DataPicker::channelFor(m_data->trainPath()));
    if (!m_data->validationPath().isEmpty())
        base.channels.insert(QStringLiteral("validation"), gui::DataPicker::channelFor(m_data->validationPath()));
    const bool clustering = m_info.tasks.size() == 1 && m_info.tasks.first() == Task::Clustering;
    if (m_data->isTabular() && !clustering)
        base.target = m_data->target();
    base.experiment = m_experiment->currentText().trimmed();
    // Parallel trials share the machine's cores rather than each taking all of them.
    base.resources.cpus = std::max(1, QThread::idealThreadCount() / m_parallel->value());
    // One host: every trial there (`--host`); several: spread over them (`--hosts`).
    const QStringList hosts = m_hosts->hosts();
    if (hosts.size() == 1)
        base.resources.host = hosts.first();
    else
        spec.hosts = hosts;
    spec.space = tuning::SearchSpace::fromRanges(m_info.schema, m_form->ranges());
    spec.strategy = m_strategy->currentData().toString();
    spec.objective = tuning::TuningSpec::normaliseObjective(m_objective->currentText());
    spec.maximize = m_direction->currentData().toBool();
    spec.maxTrials = m_maxTrials->value();
    spec.maxParallel = m_parallel->value();
    spec.earlyStopping = m_earlyStopping->isChecked();
    spec.name = m_name->text().trimmed();
    // The checks `cairn tune` makes, before any trial exists (the data picker read the table).
    if (const QList<SpecProblem> problems = checkJobSpec(base, m_info, false); !problems.isEmpty())
        throw Error(problems.first().message);
    return spec;
}

bool TuningPanel::start()
{
    JobManager *manager = m_service->manager();
    tuning::TuningSpec spec;
    try {
        spec = currentSpec();
    } catch (const Error &e) {
        m_message->setText(e.message());
        m_message->setVisible(true);
        return false;
    }
    dropJob();
    auto *job = new tuning::TuningJob(*m_service->workspace(), *manager, spec, this);
    m_job = job;
    connect(job, &tuning::TuningJob::trialStarted, this, &TuningPanel::onTrialStarted);
    connect(job, &tuning::TuningJob::trialFinished, this, &TuningPanel::onTrialFinished);
    connect(job, &tuning::TuningJob::bestChanged, this, [this] {
        if (!showingOwnJob())
            return;
        takeSnapshot();
        rebuildTrialRows();
        updateStatus();
        redrawPlots();
    });
    connect(job, &tuning::TuningJob::finished, this, [this] {
        if (showingOwnJob()) {
            takeSnapshot();
            rebuildTrialRows();
            updateStatus();
            redrawPlots();
        }
        updateButtons();
        updateFormState();
        if (m_job) {
            const tuning::Trial *b = m_job->best();
            Q_EMIT context()->statusMessage(b ? tr("Tuning finished: the best %1 is %2 (trial %3).")
                                                    .arg(m_job->spec().objective)
                                                    .arg(b->objective, 0, 'g', 5)
                                                    .arg(b->index)
                                              : tr("Tuning finished without a usable trial."),
                                            8000);
        }
        context()->notifyStoreChanged();
        Q_EMIT tuningFinished();
    });
    connect(job, &tuning::TuningJob::hostDropped, this, [this](const QString &host, const QString &message) {
        Q_EMIT context()->statusMessage(tr("Host '%1' cannot run trials (%2): its trials run on the other hosts.").arg(host, message), 10000);
    });
    connect(manager, &JobManager::jobStarted, job, [this](const QString &jobId) { onJobStarted(jobId); });
    // The run is shown from its first trial on: its row appears in the list as it is created.
    m_shown = {};
    m_shownSignature.clear();
    try {
        job->start();
    } catch (const Error &e) {
        m_message->setText(e.message());
        m_message->setVisible(true);
        dropJob();
        updateButtons();
        return false;
    }
    reloadExperiments();
    context()->notifyStoreChanged();
    refreshRuns();
    selectRun(job->runUuid());
    showSelectedRun();
    updateButtons();
    updateFormState();
    return true;
}

void TuningPanel::stop()
{
    if (m_job && !m_job->isFinished())
        m_job->stop();
    updateButtons();
}

void TuningPanel::dropJob()
{
    if (!m_job)
        return;
    tuning::TuningJob *job = m_job;
    m_job = nullptr;
    job->disconnect(this);
    if (!job->isFinished())
        job->stop();
    delete job;
    updateButtons();
}

bool TuningPanel::showingOwnJob() const
{
    return m_job && !m_job->runUuid().isEmpty() && m_shown.runUuid == m_job->runUuid();
}

void TuningPanel::takeSnapshot()
{
    if (!m_job)
        return;
    m_shown.runUuid = m_job->runUuid();
    m_shown.name = m_job->spec().name;
    m_shown.spec = m_job->spec();
    m_shown.status = m_job->isFinished() ? RunStatus::Finished : RunStatus::Running;
    m_shown.trials = m_job->trials();
    m_shown.bestIndex = m_job->best() ? m_job->best()->index : 0;
    // The job learns that a trial runs from its events; the job manager knows at once.
    if (JobManager *manager = m_service->manager())
        for (tuning::Trial &t : m_shown.trials)
            if (!t.jobId.isEmpty() && !isTerminal(t.state)) {
                try {
                    t.state = manager->job(t.jobId).state;
                } catch (const Error &) {
                }
            }
}

JobSpec TuningPanel::bestSpec() const
{
    const tuning::Trial *b = m_shown.best();
    if (!b)
        return {};
    JobSpec spec = m_shown.spec.base;
    spec.id.clear();
    spec.runUuid.clear();
    spec.outputDir.clear();
    spec.parentRunUuid.clear();
    for (auto it = b->params.constBegin(); it != b->params.constEnd(); ++it)
        spec.hyperparameters.insert(it.key(), it.value());
    spec.resources.cpus = 0;
    if (!b->host.isEmpty())
        spec.resources.host = b->host;
    spec.runName = QStringLiteral("%1-best").arg(m_shown.spec.name);
    return spec;
}

void TuningPanel::refreshRuns()
{
    const QString selected = m_runs->currentItem() ? m_runs->currentItem()->data(0, Qt::UserRole + 1).toString() : QString();
    QList<Run> runs;
    QString problem;
    if (context()->hasWorkspace()) {
        try {
            runs = tuning::StoredTuning::list(context()->workspace());
        } catch (const Error &e) {
            problem = e.message();
        }
    }
    {
        const QSignalBlocker block(m_runs);
        m_runs->clear();
        for (const Run &run : runs) {
            auto *item = new QTreeWidgetItem(m_runs);
            item->setText(0, run.name.isEmpty() ? run.uuid.left(8) : run.name);
            item->setToolTip(0, run.uuid);
            item->setData(0, Qt::UserRole + 1, run.uuid);
            const bool own = m_job && m_job->runUuid() == run.uuid;
            item->setText(1, own && !m_job->isFinished() ? stateText(JobState::Running, false) : runStatusName(run.status).toLower());
            item->setText(2, QLocale().toString(QDateTime::fromMSecsSinceEpoch(run.startTime), QLocale::ShortFormat));
        }
        QTreeWidgetItem *current = nullptr;
        for (int i = 0; i < m_runs->topLevelItemCount() && !current; ++i)
            if (m_runs->topLevelItem(i)->data(0, Qt::UserRole + 1).toString() == selected)
                current = m_runs->topLevelItem(i);
        // First look: the newest tuning run.
        if (!current && selected.isEmpty() && m_runs->topLevelItemCount() > 0)
            current = m_runs->topLevelItem(0);
        m_runs->setCurrentItem(current);
    }
    m_runs->setVisible(!runs.isEmpty());
    if (!problem.isEmpty())
        m_status->setText(problem.toHtmlEscaped());
    showSelectedRun();
}

bool TuningPanel::selectRun(const QString &runUuid)
{
    for (int i = 0; i < m_runs->topLevelItemCount(); ++i)
        if (m_runs->topLevelItem(i)->data(0, Qt::UserRole + 1).toString() == runUuid) {
            m_runs->setCurrentItem(m_runs->topLevelItem(i));
            return true;
        }
    return false;
}

void TuningPanel::showSelectedRun()
{
    const QTreeWidgetItem *item = m_runs->currentItem();
    const QString uuid = item ? item->data(0, Qt::UserRole + 1).toString() : QString();
    if (uuid.isEmpty()) {
        m_shown = {};
        m_shownSignature.clear();
        resetResults();
        updateButtons();
        return;
    }
    if (m_job && m_job->runUuid() == uuid) {
        const bool changed = m_shown.runUuid != uuid;
        takeSnapshot();
        if (changed) {
            m_shownSignature.clear();
            rebuildTrialRows();
            updateStatus();
            redrawPlots();
        }
        updateButtons();
        return;
    }
    // Work this panel did not start: read it from the store, and redraw only what changed (the
    // store changes with every metric a running trial logs).
    tuning::StoredTuning stored;
    try {
        stored = tuning::StoredTuning::load(context()->workspace(), uuid);
    } catch (const Error &e) {
        m_shown = {};
        m_shownSignature.clear();
        resetResults();
        m_status->setText(e.message().toHtmlEscaped());
        updateButtons();
        return;
    }
    QStringList signature{uuid, runStatusName(stored.status), QString::number(stored.bestIndex)};
    for (const tuning::Trial &t : std::as_const(stored.trials))
        signature << QStringLiteral("%1:%2:%3:%4").arg(t.index).arg(int(t.state)).arg(t.objective, 0, 'g', 17).arg(t.earlyStopped);
    const QString joined = signature.join(QLatin1Char('|'));
    m_shown = stored;
    if (joined == m_shownSignature)
        return;
    m_shownSignature = joined;
    rebuildTrialRows();
    updateStatus();
    redrawPlots();
    updateButtons();
}

void TuningPanel::resetResults()
{
    m_trials->clear();
    m_trials->setHorizontalHeaderLabels({tr("Trial"), tr("Status"), tr("Objective"), tr("Host"), tr("Message")});
    m_status->setText(tr("<i>No tuning job yet: configure one on the left and press Start tuning.</i>"));
    m_plot->graph(0)->data()->clear();
    m_plot->graph(1)->data()->clear();
    m_plot->yAxis->setLabel(QString());
    m_plotEmpty->setVisible(true);
    m_plot->replot();
    m_parallelView->setData({}, {});
}

void TuningPanel::rebuildTrialRows()
{
    m_dimensionNames.clear();
    for (const tuning::Dimension &d : m_shown.spec.space.dimensions())
        m_dimensionNames << d.name;
    QStringList headers{tr("Trial"), tr("Status"), m_shown.spec.objective};
    headers << m_dimensionNames << tr("Host") << tr("Message");
    m_trials->clear();
    m_trials->setColumnCount(int(headers.size()));
    m_trials->setHorizontalHeaderLabels(headers);
    for (const tuning::Trial &t : std::as_const(m_shown.trials))
        updateTrialRow(t, stateText(t.state, t.earlyStopped));
}

void TuningPanel::updateTrialRow(const tuning::Trial &trial, const QString &state)
{
    const int row = trial.index - 1;
    while (m_trials->rowCount() <= row)
        m_trials->appendRow(QList<QStandardItem *>());
    auto set = [&](int column, const QString &text, Qt::Alignment align = Qt::AlignLeft | Qt::AlignVCenter) {
        auto *item = new QStandardItem(text);
        item->setTextAlignment(align);
        m_trials->setItem(row, column, item);
        return item;
    };
    QStandardItem *index = set(IndexColumn, QString::number(trial.index), Qt::AlignRight | Qt::AlignVCenter);
    index->setData(trial.runUuid, Qt::UserRole + 1);
    set(StateColumn, state);
    set(ObjectiveColumn, std::isfinite(trial.objective) ? QString::number(trial.objective, 'g', 6) : QString(), Qt::AlignRight | Qt::AlignVCenter);
    for (int i = 0; i < m_dimensionNames.size(); ++i)
        set(FirstParamColumn + i, paramText(trial.params.value(m_dimensionNames.at(i))), Qt::AlignRight | Qt::AlignVCenter);
    set(FirstParamColumn + int(m_dimensionNames.size()), hostOf(trial));
    QStandardItem *message = set(FirstParamColumn + int(m_dimensionNames.size()) + 1, trial.message);
    message->setToolTip(trial.message);
    const bool best = m_shown.bestIndex == trial.index;
    for (int c = 0; c < m_trials->columnCount(); ++c)
        if (QStandardItem *item = m_trials->item(row, c)) {
            QFont f = item->font();
            f.setBold(best);
            item->setFont(f);
        }
}

QString TuningPanel::hostOf(const tuning::Trial &trial) const
{
    if (!trial.host.isEmpty())
        return trial.host;
    // A trial not placed yet (queued for a host with room) shows nothing rather than a guess.
    if (!m_shown.spec.hosts.isEmpty())
        return {};
    return m_shown.spec.base.resources.host.isEmpty() ? QString::fromLatin1(remote::Host::kLocalName) : m_shown.spec.base.resources.host;
}

void TuningPanel::onTrialStarted(const tuning::Trial &trial)
{
    if (!showingOwnJob())
        return;
    takeSnapshot();
    for (const tuning::Trial &t : std::as_const(m_shown.trials))
        if (t.index == trial.index)
            updateTrialRow(t, stateText(t.state, t.earlyStopped));
    m_trialsView->scrollTo(m_trials->index(trial.index - 1, 0));
    updateStatus();
}

void TuningPanel::onJobStarted(const QString &jobId)
{
    if (!showingOwnJob())
        return;
    takeSnapshot();
    for (const tuning::Trial &t : std::as_const(m_shown.trials))
        if (t.jobId == jobId)
            updateTrialRow(t, stateText(t.state, t.earlyStopped));
    updateStatus();
}

void TuningPanel::onTrialFinished(const tuning::Trial &)
{
    if (!showingOwnJob())
        return;
    // The best may have moved: restyle every row (a handful to a few hundred).
    takeSnapshot();
    for (const tuning::Trial &t : std::as_const(m_shown.trials))
        updateTrialRow(t, stateText(t.state, t.earlyStopped));
    updateStatus();
    redrawPlots();
}

void TuningPanel::updateStatus()
{
    if (m_shown.runUuid.isEmpty()) {
        updateButtons();
        return;
    }
    int done = 0, running = 0, failed = 0;
    for (const tuning::Trial &t : std::as_const(m_shown.trials)) {
        if (isTerminal(t.state))
            ++done;
        else
            ++running;
        if (t.state == JobState::Failed)
            ++failed;
    }
    const tuning::TuningSpec &spec = m_shown.spec;
    const QString name = (m_shown.name.isEmpty() ? spec.name : m_shown.name).toHtmlEscaped();
    QString text;
    if (m_shown.isFinished())
        text = tr("<b>%1</b> finished: %2 of %3 trials").arg(name).arg(done).arg(spec.maxTrials);
    else if (!showingOwnJob() && m_shown.status == RunStatus::Running)
        text = tr("<b>%1</b> (run by another process): %2 of %3 trials done, %4 running").arg(name).arg(done).arg(spec.maxTrials).arg(running);
    else
        text = tr("<b>%1</b>: %2 of %3 trials done, %4 running").arg(name).arg(done).arg(spec.maxTrials).arg(running);
    if (failed > 0)
        text += tr(", %n failed", nullptr, failed);
    if (!spec.hosts.isEmpty()) {
        // Spread over hosts: how many trials each one has taken so far.
        QStringList perHost;
        for (const QString &host : spec.hosts) {
            const auto n = std::count_if(m_shown.trials.cbegin(), m_shown.trials.cend(), [&](const tuning::Trial &t) { return t.host == host; });
            perHost << tr("%1: %n trial(s)", nullptr, int(n)).arg(host.toHtmlEscaped());
        }
        text += QStringLiteral("<br>") + tr("Hosts — %1").arg(perHost.join(QStringLiteral(", ")));
    }
    if (const tuning::Trial *b = m_shown.best())
        text += QStringLiteral("<br>") + tr("Best %1 = <b>%2</b> (trial %3, %4)")
                                             .arg(spec.objective.toHtmlEscaped())
                                             .arg(b->objective, 0, 'g', 6)
                                             .arg(b->index)
                                             .arg(spec.maximize ? tr("maximized") : tr("minimized"));
    m_status->setText(text);
    updateButtons();
}

void TuningPanel::updateButtons()
{
    const bool running = showingOwnJob() && !m_job->isFinished();
    const bool best = m_shown.best() != nullptr;
    m_stop->setEnabled(running);
    m_openBest->setEnabled(best);
    m_trainBest->setEnabled(best && m_service->manager());
    m_openTuningRun->setEnabled(!m_shown.runUuid.isEmpty());
}

void TuningPanel::redrawPlots()
{
    const tuning::TuningSpec &spec = m_shown.spec;
    const QList<tuning::Trial> &trials = m_shown.trials;

    QVector<double> tx, ty, bx, by;
    double best = std::numeric_limits<double>::quiet_NaN();
    for (const tuning::Trial &t : trials) {
        if (!std::isfinite(t.objective))
            continue;
        tx << t.index;
        ty << t.objective;
        // The best-so-far line follows finished trials only (an early-stopped one is not a result).
        if (!t.earlyStopped && (std::isnan(best) || (spec.maximize ? t.objective > best : t.objective < best)))
            best = t.objective;
        if (!std::isnan(best)) {
            bx << t.index;
            by << best;
        }
    }
    m_plotEmpty->setVisible(tx.isEmpty());
    m_plot->graph(0)->setData(tx, ty, true);
    m_plot->graph(1)->setData(bx, by, true);
    m_plot->yAxis->setLabel(spec.objective);
    m_plot->xAxis->setRange(0.5, std::max<double>(spec.maxTrials, trials.size()) + 0.5);
    if (!ty.isEmpty()) {
        const auto [lo, hi] = std::minmax_element(ty.begin(), ty.end());
        const double pad = std::max((*hi - *lo) * 0.08, std::abs(*hi) * 0.01 + 1e-9);
        m_plot->yAxis->setRange(*lo - pad, *hi + pad);
    }
    m_plot->replot();

    // Parallel coordinates: one axis per tuned parameter, then the objective.
    QList<gui::ParallelCoordinates::Axis> axes;
    QStringList labels;
    QList<const tuning::Trial *> shown;
    for (const tuning::Trial &t : trials)
        if (isTerminal(t.state) && !t.runUuid.isEmpty())
            shown << &t;
    for (const tuning::Dimension &d : spec.space.dimensions()) {
        gui::ParallelCoordinates::Axis axis;
        axis.name = d.name;
        axis.logScale = d.logScale;
        if (d.kind == tuning::Dimension::Kind::Categorical)
            axis.categories = d.choices;
        for (const tuning::Trial *t : shown) {
            const QJsonValue v = t->params.value(d.name);
            if (d.kind == tuning::Dimension::Kind::Categorical)
                axis.values << double(d.choices.indexOf(paramText(v)));
            else
                axis.values << v.toDouble();
        }
        axes << axis;
    }
    gui::ParallelCoordinates::Axis objective;
    objective.name = spec.objective;
    for (const tuning::Trial *t : shown) {
        objective.values << t->objective;
        labels << tr("trial %1").arg(t->index);
    }
    axes << objective;
    m_parallelView->setData(shown.isEmpty() ? QList<gui::ParallelCoordinates::Axis>() : axes, labels);
}

} // namespace cairn::panels
