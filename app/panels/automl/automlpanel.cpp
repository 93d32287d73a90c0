#include "automlpanel.h"

#include "automlresultview.h"
#include "automlwizard.h"
#include "displaytext.h"
#include "jobservice.h"
#include "studiocontext.h"

#include "cairn/jobs/jobmanager.h"
#include "cairn/store/experimentstore.h"
#include "cairn/util/error.h"
#include "cairn/workspace/workspace.h"

#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QPushButton>
#include <QSplitter>
#include <QTreeWidget>
#include <QVBoxLayout>

namespace cairn::panels {

namespace {
enum RunColumn { NameColumn, StatusColumn, StartedColumn };
constexpr int kUuidRole = Qt::UserRole + 1;
} // namespace

AutoMLPanel::AutoMLPanel(gui::StudioContext *context, QWidget *parent)
    : gui::Panel(context, parent), m_service(gui::JobService::of(context)), m_new(new QPushButton(tr("New AutoML job…"), this)),
      m_stop(new QPushButton(tr("Stop"), this)), m_status(new QLabel(this)), m_runs(new QTreeWidget(this)),
      m_result(new AutoMLResultView(context, this))
{
    auto *v = new QVBoxLayout(this);
    v->setContentsMargins(4, 4, 4, 4);
    auto *bar = new QHBoxLayout;
    m_new->setObjectName(QStringLiteral("newAutoMLJob"));
    m_new->setToolTip(tr("Pick a CSV and a target; AutoML tries every tabular algorithm within a time budget and keeps the best model"));
    m_stop->setObjectName(QStringLiteral("stopAutoML"));
    m_stop->setToolTip(tr("Stop the selected AutoML job: the candidates trained so far are kept"));
    m_status->setObjectName(QStringLiteral("automlStatus"));
    m_status->setWordWrap(true);
    bar->addWidget(m_new);
    bar->addWidget(m_stop);
    bar->addWidget(m_status, 1);
    v->addLayout(bar);

    auto *split = new QSplitter(Qt::Horizontal, this);
    m_runs->setObjectName(QStringLiteral("automlRuns"));
    m_runs->setHeaderLabels({tr("AutoML run"), tr("Status"), tr("Started")});
    m_runs->setRootIsDecorated(false);
    m_runs->setUniformRowHeights(true);
    m_runs->setAlternatingRowColors(true);
    m_runs->header()->setStretchLastSection(false);
    m_runs->header()->setSectionResizeMode(NameColumn, QHeaderView::Stretch);
    m_runs->header()->setSectionResizeMode(StatusColumn, QHeaderView::ResizeToContents);
    m_runs->header()->setSectionResizeMode(StartedColumn, QHeaderView::ResizeToContents);
    split->addWidget(m_runs);
    split->addWidget(m_result);
    split->setStretchFactor(0, 1);
    split->setStretchFactor(1, 3);
    split->setSizes({320, 960});
    v->addWidget(split, 1);

    connect(m_new, &QPushButton::clicked, this, [this] { newJob(); });
    connect(m_stop, &QPushButton::clicked, this, [this] {
        if (automl::AutoMLJob *job = jobOf(selectedRun()); job && !job->isFinished())
            job->stop();
        updateButtons();
    });
    connect(m_runs, &QTreeWidget::currentItemChanged, this, &AutoMLPanel::showSelected);
    connect(m_runs, &QTreeWidget::itemDoubleClicked, this, [this](QTreeWidgetItem *item) {
        Q_EMIT this->context()->showRunRequested(item->data(NameColumn, kUuidRole).toString());
    });
    connect(context, &gui::StudioContext::workspaceChanged, this, &AutoMLPanel::refreshRuns);
    connect(context, &gui::StudioContext::storeChanged, this, &AutoMLPanel::refreshRuns);
    connect(m_service, &gui::JobService::aboutToChangeManager, this, &AutoMLPanel::dropJobs);
    connect(m_service, &gui::JobService::managerChanged, this, &AutoMLPanel::updateButtons);
    refreshRuns();
}

AutoMLPanel::~AutoMLPanel()
{
    dropJobs();
}

AutoMLWizard *AutoMLPanel::newJob()
{
    auto *wizard = new AutoMLWizard(context(), m_service, [this](const automl::AutoMLSpec &spec) { return startJob(spec); }, this);
    wizard->setAttribute(Qt::WA_DeleteOnClose);
    wizard->show();
    return wizard;
}

QList<automl::AutoMLJob *> AutoMLPanel::jobs() const
{
    QList<automl::AutoMLJob *> list;
    for (const QPointer<automl::AutoMLJob> &job : m_jobs)
        if (job)
            list << job;
    return list;
}

automl::AutoMLJob *AutoMLPanel::jobOf(const QString &runUuid) const
{
    if (runUuid.isEmpty())
        return nullptr;
    for (automl::AutoMLJob *job : jobs())
        if (job->runUuid() == runUuid)
            return job;
    return nullptr;
}

automl::AutoMLJob *AutoMLPanel::startJob(const automl::AutoMLSpec &spec)
{
    JobManager *manager = m_service->manager();
    if (!manager || !m_service->workspace())
        throw Error(tr("Open a workspace to run AutoML."));
    auto *job = new automl::AutoMLJob(*m_service->workspace(), *manager, spec, this);
    try {
        job->start();
    } catch (...) {
        delete job;
        throw;
    }
    m_jobs << job;
    connect(job, &automl::AutoMLJob::leaderboardChanged, this, [this, job] {
        if (m_shownRun == job->runUuid())
            showJob(job);
    });
    connect(job, &automl::AutoMLJob::finished, this, [this, job](bool ok, const QString &message) {
        const QString uuid = job->runUuid();
        Q_EMIT context()->statusMessage(ok ? tr("AutoML finished: %1").arg(message) : tr("AutoML failed: %1").arg(message), 8000);
        context()->notifyStoreChanged();
        if (m_shownRun == uuid)
            showJob(job);
        updateButtons();
        Q_EMIT jobFinished(uuid, ok);
    });
    context()->notifyStoreChanged();
    refreshRuns();
    selectRun(job->runUuid());
    updateButtons();
    return job;
}

void AutoMLPanel::dropJobs()
{
    // The jobs hold on to the job manager: they go before it does.
    const QList<automl::AutoMLJob *> list = jobs();
    m_jobs.clear();
    for (automl::AutoMLJob *job : list) {
        job->disconnect(this);
        if (!job->isFinished())
            job->stop();
        delete job;
    }
    if (m_result && jobOf(m_shownRun) == nullptr && !m_shownRun.isEmpty() && m_result->result().running)
        m_result->clear(tr("The AutoML job was stopped."));
    updateButtons();
}

void AutoMLPanel::refreshRuns()
{
    const QString selected = selectedRun();
    QList<Run> runs;
    QString problem;
    if (context()->hasWorkspace()) {
        try {
            RunQuery query;
            query.filter = QStringLiteral("tags.`cairn.automl` IS NOT NULL");
            query.topLevelOnly = true;
            runs = context()->store().searchRuns(query);
        } catch (const Error &e) {
            problem = e.message();
        }
    }
    {
        const QSignalBlocker block(m_runs);
        m_runs->clear();
        for (const Run &run : runs) {
            auto *item = new QTreeWidgetItem(m_runs);
            item->setText(NameColumn, run.name.isEmpty() ? run.uuid.left(8) : run.name);
            item->setToolTip(NameColumn, run.uuid);
            item->setData(NameColumn, kUuidRole, run.uuid);
            item->setText(StatusColumn, gui::DisplayText::runStatus(run.status));
            item->setText(StartedColumn, gui::DisplayText::dateTime(run.startTime));
        }
    }
    if (!problem.isEmpty())
        m_status->setText(problem);
    else if (runs.isEmpty())
        m_status->setText(tr("No AutoML run in this workspace yet."));
    else
        m_status->setText(tr("%n AutoML run(s).", nullptr, int(runs.size())));
    // The list is rebuilt on every write to the store: keep the selection without reloading
    // what is shown, unless the selected run is another one or a stored run changed status.
    {
        const QSignalBlocker block(m_runs);
        QTreeWidgetItem *current = nullptr;
        for (int i = 0; i < m_runs->topLevelItemCount() && !current; ++i)
            if (m_runs->topLevelItem(i)->data(NameColumn, kUuidRole).toString() == selected)
                current = m_runs->topLevelItem(i);
        if (!current && selected.isEmpty() && m_runs->topLevelItemCount() > 0)
            current = m_runs->topLevelItem(0);
        m_runs->setCurrentItem(current);
    }
    const QTreeWidgetItem *item = m_runs->currentItem();
    const QString uuid = item ? item->data(NameColumn, kUuidRole).toString() : QString();
    if (uuid != m_shownRun || uuid.isEmpty() || (!jobOf(uuid) && item->text(StatusColumn) != m_shownStatus))
        showSelected();
    updateButtons();
}

bool AutoMLPanel::selectRun(const QString &runUuid)
{
    if (runUuid.isEmpty())
        return false;
    for (int i = 0; i < m_runs->topLevelItemCount(); ++i) {
        QTreeWidgetItem *item = m_runs->topLevelItem(i);
        if (item->data(NameColumn, kUuidRole).toString() == runUuid) {
            if (m_runs->currentItem() != item)
                m_runs->setCurrentItem(item);
            else if (m_shownRun != runUuid)
                showSelected();
            return true;
        }
    }
    return false;
}

QString AutoMLPanel::selectedRun() const
{
    const QTreeWidgetItem *item = m_runs->currentItem();
    return item ? item->data(NameColumn, kUuidRole).toString() : QString();
}

void AutoMLPanel::showSelected()
{
    const QTreeWidgetItem *item = m_runs->currentItem();
    if (!item) {
        m_shownRun.clear();
        m_shownStatus.clear();
        m_result->clear(tr("Start an AutoML job with New AutoML job…, or pick a run on the left."));
        updateButtons();
        return;
    }
    m_shownRun = item->data(NameColumn, kUuidRole).toString();
    m_shownStatus = item->text(StatusColumn);
    if (automl::AutoMLJob *job = jobOf(m_shownRun))
        showJob(job);
    else
        m_result->showStoredRun(m_shownRun);
    updateButtons();
}

void AutoMLPanel::showJob(automl::AutoMLJob *job)
{
    QString artifactDir;
    if (context()->hasWorkspace() && !job->runUuid().isEmpty())
        artifactDir = context()->workspace().artifactDir(job->runUuid());
    m_result->setResult(AutoMLResult::fromJob(job, job->spec(), artifactDir));
}

void AutoMLPanel::updateButtons()
{
    m_new->setEnabled(m_service->manager() != nullptr);
    automl::AutoMLJob *job = jobOf(selectedRun());
    m_stop->setEnabled(job && !job->isFinished());
}

} // namespace cairn::panels
