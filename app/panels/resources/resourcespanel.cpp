#include "resourcespanel.h"

#include "addhostwizard.h"
#include "hostsettingswidget.h"
#include "plotcolors.h"
#include "plotstyle.h"
#include "probeview.h"
#include "slurmclusterview.h"
#include "qcustomplotinclude.h"
#include "studiocontext.h"

#include "cairn/jobs/jobrecord.h"
#include "cairn/notebook/kernelclient.h"
#include "cairn/remote/idlemonitor.h"
#include "cairn/remote/sshconnection.h"
#include "cairn/remote/workerinstall.h"
#include "cairn/util/error.h"
#include "cairn/workspace/workspace.h"

#include <QAction>
#include <QApplication>
#include <QDateTime>
#include <QDialog>
#include <QDialogButtonBox>
#include <QDir>
#include <QFileDialog>
#include <QFile>
#include <QFutureWatcher>
#include <QJsonDocument>
#include <QJsonObject>
#include <QHeaderView>
#include <QHBoxLayout>
#include <QLabel>
#include <QMessageBox>
#include <QPushButton>
#include <QSet>
#include <QSplitter>
#include <QStackedWidget>
#include <QTabWidget>
#include <QToolBar>
#include <QTreeWidget>
#include <QVBoxLayout>
#include <QtConcurrent>

#include <algorithm>

namespace cairn::panels {

using remote::Host;
using remote::HostProbe;
using remote::HostSample;
using remote::HostStore;

namespace {

constexpr int kHistorySeconds = 600; ///< what the charts keep: the last ten minutes

enum HostColumn { ColName, ColState, ColAddress, ColCpu, ColGpu, ColMemory, ColCostToday, ColCount };

QString percent(double v)
{
    return v < 0 ? QStringLiteral("–") : QStringLiteral("%1%").arg(v, 0, 'f', 0);
}

/// The notebook a kernel belongs to: the tab its editor sits in (panels do not know each other).
QString kernelOwner(const QObject *kernel)
{
    for (const QWidget *w = qobject_cast<const QWidget *>(kernel->parent()); w; w = w->parentWidget()) {
        const auto *stack = qobject_cast<const QStackedWidget *>(w->parentWidget());
        const auto *tabs = stack ? qobject_cast<const QTabWidget *>(stack->parentWidget()) : nullptr;
        if (tabs && tabs->indexOf(const_cast<QWidget *>(w)) >= 0)
            return tabs->tabText(tabs->indexOf(const_cast<QWidget *>(w)));
    }
    return {};
}

/// Where a kernel runs: its spec says so for kernels started on a host; else here.
QString kernelHost(const KernelClient *kernel)
{
    const QVariant p = kernel->property("cairn.host");
    if (p.isValid() && !p.toString().isEmpty())
        return p.toString();
    const QString m = kernel->spec().metadata.value(QStringLiteral("cairn.host")).toString();
    return m.isEmpty() ? QString::fromLatin1(Host::kLocalName) : m;
}

QString durationText(qint64 ms)
{
    const qint64 s = std::max<qint64>(0, ms / 1000);
    if (s < 60)
        return ResourcesPanel::tr("%1 s").arg(s);
    if (s < 3600)
        return ResourcesPanel::tr("%1 min").arg(s / 60);
    return ResourcesPanel::tr("%1 h %2 min").arg(s / 3600).arg((s % 3600) / 60);
}

} // namespace

ResourcesPanel::ResourcesPanel(gui::StudioContext *context, QWidget *parent)
    : gui::Panel(context, parent), m_sampler(std::make_shared<remote::HostSampler>()), m_idle(std::make_unique<remote::IdleMonitor>()),
      m_guard(std::make_shared<bool>(true))
{
    setObjectName(QStringLiteral("ResourcesPanel"));
    buildUi();
    m_idle->setHostsProvider([this] { return m_hostList; });
    m_idle->setActivitySource([this](const Host &h) { return activity(h); });
    connect(m_idle.get(), &remote::IdleMonitor::commandStarted, this, [this](const QString &host, bool start, const QString &reason) {
        Q_EMIT this->context()->statusMessage(start ? tr("Starting %1…").arg(host) : tr("Stopping %1: %2").arg(host, reason), 8000);
        updateRows();
        updateDetails();
    });
    connect(m_idle.get(), &remote::IdleMonitor::commandFinished, this, [this](const QString &host, bool start, bool ok, const QString &output) {
        if (!ok)
            QMessageBox::warning(this, start ? tr("Start host") : tr("Stop host"),
                                 tr("The %1 command of %2 failed: %3").arg(start ? tr("start") : tr("stop"), host, output.isEmpty() ? tr("no output") : output));
        else
            Q_EMIT this->context()->statusMessage(start ? tr("%1 started").arg(host) : tr("%1 stopped").arg(host), 8000);
        if (start)
            sample(host);
        else if (ok)
            m_stoppedAt.insert(host, QDateTime::currentMSecsSinceEpoch());
        updateRows();
        updateDetails();
    });

    m_sampleTimer.setInterval(5000);
    connect(&m_sampleTimer, &QTimer::timeout, this, [this] {
        reloadHosts();
        sampleAll();
        listWork();
    });
    m_usageTimer.setInterval(60000);
    connect(&m_usageTimer, &QTimer::timeout, this, &ResourcesPanel::refreshUsage);
    m_usageDebounce.setSingleShot(true);
    m_usageDebounce.setInterval(2000);
    connect(&m_usageDebounce, &QTimer::timeout, this, &ResourcesPanel::refreshUsage);
    connect(context, &gui::StudioContext::storeChanged, &m_usageDebounce, qOverload<>(&QTimer::start));
    connect(context, &gui::StudioContext::workspaceChanged, this, [this] {
        m_jobs.clear();
        listWork();
        refreshUsage();
    });
    m_sampleTimer.start();
    m_usageTimer.start();
    QTimer::singleShot(0, this, &ResourcesPanel::refresh);
}

ResourcesPanel::~ResourcesPanel()
{
    *m_guard = false;
}

void ResourcesPanel::buildUi()
{
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    auto *toolbar = new QToolBar(this);
    toolbar->setObjectName(QStringLiteral("resourcesToolbar"));
    toolbar->setToolButtonStyle(Qt::ToolButtonTextOnly);
    m_addAction = toolbar->addAction(tr("Add host…"), this, &ResourcesPanel::addHost);
    m_editAction = toolbar->addAction(tr("Settings…"), this, &ResourcesPanel::editHost);
    m_removeAction = toolbar->addAction(tr("Remove"), this, &ResourcesPanel::removeHost);
    toolbar->addSeparator();
    m_startAction = toolbar->addAction(tr("Start"), this, [this] { startStop(true); });
    m_stopAction = toolbar->addAction(tr("Stop"), this, [this] { startStop(false); });
    m_testAction = toolbar->addAction(tr("Test connection"), this, &ResourcesPanel::probeSelected);
    m_addAction->setToolTip(tr("Add a machine from your SSH config or by hand, or a Slurm cluster"));
    m_startAction->setToolTip(tr("Run the host's start command"));
    m_stopAction->setToolTip(tr("Run the host's stop command"));
    m_testAction->setToolTip(tr("Connect and look at the machine: OS, CPU, memory, disk, GPUs, Python and the Cairn worker"));
    layout->addWidget(toolbar);

    auto *split = new QSplitter(Qt::Vertical, this);
    layout->addWidget(split, 1);
    m_hosts = new QTreeWidget(split);
    m_hosts->setObjectName(QStringLiteral("hostList"));
    m_hosts->setRootIsDecorated(false);
    m_hosts->setColumnCount(ColCount);
    m_hosts->setHeaderLabels({tr("Host"), tr("State"), tr("Address"), tr("CPU"), tr("GPU"), tr("Memory"), tr("Cost today")});
    m_hosts->header()->setSectionResizeMode(QHeaderView::ResizeToContents);
    m_hosts->header()->setStretchLastSection(false);
    connect(m_hosts, &QTreeWidget::currentItemChanged, this, [this] {
        const QString name = selectedHost();
        if (m_data.contains(name) && m_data[name].samples == 0 && !m_data[name].sampling)
            sample(name); // an ssh-config entry is looked at once the user picks it
        updateRows();
        updateDetails();
    });
    connect(m_hosts, &QTreeWidget::itemDoubleClicked, this, [this] { editHost(); });

    auto *details = new QWidget(split);
    auto *dv = new QVBoxLayout(details);
    dv->setContentsMargins(6, 4, 6, 4);
    m_header = new QLabel(details);
    m_header->setObjectName(QStringLiteral("hostHeader"));
    m_header->setWordWrap(true);
    m_header->setTextFormat(Qt::RichText);
    dv->addWidget(m_header);
    auto *inner = new QSplitter(Qt::Horizontal, details);
    dv->addWidget(inner, 1);
    m_chart = new QCustomPlot(inner);
    m_chart->setObjectName(QStringLiteral("loadChart"));
    m_chart->setMinimumSize(320, 200);
    gui::applyPlotPalette(m_chart);
    const QStringList names{tr("CPU"), tr("GPU"), tr("Memory")};
    for (int i = 0; i < 3; ++i) {
        QCPGraph *g = m_chart->addGraph();
        g->setName(names.at(i));
        QPen pen(gui::seriesColor(i));
        pen.setWidthF(1.8);
        g->setPen(pen);
    }
    auto ticker = QSharedPointer<QCPAxisTickerDateTime>::create();
    ticker->setDateTimeFormat(QStringLiteral("hh:mm:ss"));
    ticker->setTickCount(4);
    m_chart->xAxis->setTicker(ticker);
    m_chart->yAxis->setRange(0, 100);
    m_chart->yAxis->setLabel(tr("% in use"));
    m_chart->legend->setVisible(true);
    m_chart->axisRect()->insetLayout()->setInsetAlignment(0, Qt::AlignTop | Qt::AlignLeft);

    m_tabs = new QTabWidget(inner);
    m_work = new QTreeWidget(m_tabs);
    m_work->setObjectName(QStringLiteral("hostWork"));
    m_work->setRootIsDecorated(false);
    m_work->setHeaderLabels({tr("Kind"), tr("Name"), tr("State"), tr("Running for"), tr("Cost so far")});
    m_work->header()->setSectionResizeMode(QHeaderView::ResizeToContents);
    connect(m_work, &QTreeWidget::itemDoubleClicked, this, [this](QTreeWidgetItem *item) {
        const QString run = item->data(0, Qt::UserRole).toString();
        if (!run.isEmpty())
            Q_EMIT this->context()->showRunRequested(run);
    });
    m_tabs->addTab(m_work, tr("Jobs and kernels"));
    m_cost = new QTreeWidget(m_tabs);
    m_cost->setObjectName(QStringLiteral("hostCost"));
    m_cost->setRootIsDecorated(false);
    m_cost->setHeaderLabels({tr("Day"), tr("Runs"), tr("Busy"), tr("Cost")});
    m_cost->header()->setSectionResizeMode(QHeaderView::ResizeToContents);
    m_tabs->addTab(m_cost, tr("Cost"));
    auto *probePage = new QWidget(m_tabs);
    auto *pv = new QVBoxLayout(probePage);
    pv->setContentsMargins(0, 0, 0, 0);
    m_probe = new ProbeView(probePage);
    pv->addWidget(m_probe, 1);
    m_installWorker = new QPushButton(tr("Install worker…"), probePage);
    m_installWorker->setObjectName(QStringLiteral("installWorker"));
    m_installWorker->setVisible(false);
    connect(m_installWorker, &QPushButton::clicked, this, [this] { installWorker(); });
    auto *ih = new QHBoxLayout;
    ih->addWidget(m_installWorker);
    ih->addStretch(1);
    pv->addLayout(ih);
    m_tabs->addTab(probePage, tr("Details"));
    m_cluster = new SlurmClusterView(m_tabs);
    m_tabs->addTab(m_cluster, tr("Cluster"));
    m_tabs->setTabVisible(m_tabs->indexOf(m_cluster), false);
    inner->setStretchFactor(0, 3);
    inner->setStretchFactor(1, 2);
    split->setStretchFactor(0, 1);
    split->setStretchFactor(1, 3);
    inner->setSizes({3000, 2000});
    split->setSizes({1000, 2600});
}

void ResourcesPanel::showEvent(QShowEvent *event)
{
    gui::Panel::showEvent(event);
    updateDetails();
}

void ResourcesPanel::setSampleInterval(int ms)
{
    m_sampleTimer.setInterval(ms);
}

int ResourcesPanel::sampleCount(const QString &host) const
{
    return m_data.value(host).samples;
}

QString ResourcesPanel::selectedHost() const
{
    const QTreeWidgetItem *item = m_hosts->currentItem();
    return item ? item->data(ColName, Qt::UserRole).toString() : QString();
}

void ResourcesPanel::selectHost(const QString &name)
{
    for (int i = 0; i < m_hosts->topLevelItemCount(); ++i)
        if (m_hosts->topLevelItem(i)->data(ColName, Qt::UserRole).toString() == name)
            m_hosts->setCurrentItem(m_hosts->topLevelItem(i));
}

void ResourcesPanel::refresh()
{
    reloadHosts();
    sampleAll();
    listWork();
    refreshUsage();
}

void ResourcesPanel::reloadHosts()
{
    QList<Host> hosts{Host::local()};
    try {
        hosts = HostStore().hosts();
    } catch (const Error &e) {
        Q_EMIT context()->statusMessage(tr("Cannot read the hosts: %1").arg(e.message()), 8000);
    }
    m_hostList = hosts;
    QSet<QString> names;
    for (const Host &h : hosts) {
        names.insert(h.name);
        HostData &d = m_data[h.name];
        d.host = h;
    }
    for (auto it = m_data.begin(); it != m_data.end();)
        it = names.contains(it.key()) ? std::next(it) : m_data.erase(it);
    // Rows follow the host list's order; the selection is kept by name.
    const QString keep = selectedHost();
    bool same = m_hosts->topLevelItemCount() == hosts.size();
    for (int i = 0; same && i < hosts.size(); ++i)
        same = m_hosts->topLevelItem(i)->data(ColName, Qt::UserRole).toString() == hosts.at(i).name;
    if (!same) {
        const QSignalBlocker block(m_hosts);
        m_hosts->clear();
        for (const Host &h : hosts) {
            auto *item = new QTreeWidgetItem(m_hosts);
            item->setData(ColName, Qt::UserRole, h.name);
        }
        selectHost(keep.isEmpty() ? QString::fromLatin1(Host::kLocalName) : keep);
        if (!m_hosts->currentItem() && m_hosts->topLevelItemCount())
            m_hosts->setCurrentItem(m_hosts->topLevelItem(0));
    }
    updateRows();
}

bool ResourcesPanel::shouldSample(const HostData &d) const
{
    // Hosts the user added (and local) are watched; an ssh config entry only once it is picked,
    // so a long config does not mean connections to every machine in it.
    return d.host.isLocal() || d.host.source != QLatin1String("ssh-config") || d.host.name == selectedHost();
}

void ResourcesPanel::sampleAll()
{
    for (auto it = m_data.cbegin(); it != m_data.cend(); ++it)
        if (shouldSample(it.value()) && !m_idle->isStopped(it.key()))
            sample(it.key());
    // A host stopped by its command is looked at now and then to see it come back.
    for (auto it = m_data.cbegin(); it != m_data.cend(); ++it)
        if (m_idle->isStopped(it.key()) && QDateTime::currentMSecsSinceEpoch() - it->last.time > 60000)
            sample(it.key());
}

void ResourcesPanel::sample(const QString &name)
{
    auto it = m_data.find(name);
    if (it == m_data.end() || it->sampling)
        return;
    it->sampling = true;
    const Host host = it->host;
    auto sampler = m_sampler;
    auto *watcher = new QFutureWatcher<HostSample>(this);
    connect(watcher, &QFutureWatcher<HostSample>::finished, this, [this, watcher, name] {
        watcher->deleteLater();
        onSample(name, watcher->result());
    });
    watcher->setFuture(QtConcurrent::run([sampler, host] { return sampler->sample(host); }));
    if (host.isSlurm())
        sampleSlurm(name);
    updateRows();
}

void ResourcesPanel::sampleSlurm(const QString &name)
{
    // The machine's load says nothing of the cluster's queue: a job of ours may pend there.
    auto it = m_data.find(name);
    if (it == m_data.end() || it->slurmAsking)
        return;
    it->slurmAsking = true;
    const Host host = it->host;
    auto *watcher = new QFutureWatcher<remote::SlurmOverview>(this);
    connect(watcher, &QFutureWatcher<remote::SlurmOverview>::finished, this, [this, watcher, name] {
        watcher->deleteLater();
        auto it = m_data.find(name);
        if (it == m_data.end())
            return;
        it->slurmAsking = false;
        it->slurm = watcher->result();
        it->slurmKnown = true;
        updateRows();
        if (name == selectedHost())
            updateDetails();
    });
    watcher->setFuture(QtConcurrent::run([host] { return remote::SlurmCluster(host).overview(); }));
}

QPair<int, int> ResourcesPanel::slurmJobCounts(const QString &host) const
{
    int running = 0, pending = 0;
    for (const remote::SlurmQueueEntry &e : m_data.value(host).slurm.queue) {
        if (!e.ours)
            continue;
        pending += e.state == QLatin1String("PENDING") ? 1 : 0;
        running += e.state == QLatin1String("RUNNING") || e.state == QLatin1String("COMPLETING") || e.state == QLatin1String("CONFIGURING") ? 1 : 0;
    }
    return {running, pending};
}

QString ResourcesPanel::slurmJobsText(const QString &name) const
{
    const auto [running, pending] = slurmJobCounts(name);
    QStringList reasons;
    for (const remote::SlurmQueueEntry &e : m_data.value(name).slurm.queue)
        if (e.ours && e.state == QLatin1String("PENDING") && !e.reason.isEmpty() && !reasons.contains(e.reason))
            reasons << e.reason;
    QStringList parts;
    if (running > 0)
        parts << tr("%1 running").arg(running);
    if (pending > 0)
        parts << (reasons.isEmpty() ? tr("%1 pending").arg(pending) : tr("%1 pending (%2)").arg(pending).arg(reasons.join(QStringLiteral(", "))));
    return parts.join(QStringLiteral(" · "));
}

void ResourcesPanel::onSample(const QString &name, const HostSample &s)
{
    auto it = m_data.find(name);
    if (it == m_data.end())
        return;
    HostData &d = *it;
    d.sampling = false;
    d.last = s;
    ++d.samples;
    if (s.ok) {
        d.everOk = true;
        const double t = double(s.time) / 1000.0;
        d.time << t;
        d.cpu << (s.cpuPercent < 0 ? qQNaN() : s.cpuPercent);
        d.gpu << (s.gpuPercent() < 0 ? qQNaN() : s.gpuPercent());
        d.memory << s.memoryPercent();
        while (!d.time.isEmpty() && d.time.first() < t - kHistorySeconds) {
            d.time.removeFirst();
            d.cpu.removeFirst();
            d.gpu.removeFirst();
            d.memory.removeFirst();
        }
        // It answers again well after its stop (a machine going down may answer for a while):
        // someone started it.
        if (m_idle->isStopped(name) && !m_idle->isBusy(name) && s.time > m_stoppedAt.value(name) + 60000)
            m_idle->markStarted(name);
    }
    updateRows();
    if (name == selectedHost())
        updateDetails();
    Q_EMIT sampled(name);
}

void ResourcesPanel::listWork()
{
    collectKernels();
    // Kernels are known at once; show them now rather than after the jobs are read, so that a
    // host's state and its work list never disagree.
    updateRows();
    updateWork();
    if (!context()->hasWorkspace() || m_listingJobs)
        return;
    m_listingJobs = true;
    const QString path = context()->workspacePath();
    auto *watcher = new QFutureWatcher<QList<Work>>(this);
    connect(watcher, &QFutureWatcher<QList<Work>>::finished, this, [this, watcher] {
        watcher->deleteLater();
        m_listingJobs = false;
        m_jobs = watcher->result();
        updateRows();
        updateWork();
        Q_EMIT workUpdated();
    });
    watcher->setFuture(QtConcurrent::run([path] {
        QList<Work> out;
        for (const JobRecord &r : JobRecord::list(path)) {
            if (isTerminal(r.state))
                continue;
            Work w;
            w.id = r.id;
            w.name = r.algorithm;
            w.state = jobStateName(r.state);
            w.runUuid = r.runUuid;
            w.started = r.started > 0 ? r.started : r.submitted;
            // The spec says where the job runs, whatever the record's supervisor host is.
            QFile spec(QDir(JobRecord::dirOf(path, r.id)).filePath(QStringLiteral("spec.json")));
            if (spec.open(QIODevice::ReadOnly))
                w.host = QJsonDocument::fromJson(spec.readAll()).object().value(QStringLiteral("resources")).toObject().value(QStringLiteral("host")).toString();
            if (w.host.isEmpty())
                w.host = QString::fromLatin1(Host::kLocalName);
            out << w;
        }
        return out;
    }));
}

void ResourcesPanel::collectKernels()
{
    m_kernels.clear();
    for (QWidget *top : QApplication::topLevelWidgets()) {
        for (KernelClient *k : top->findChildren<KernelClient *>()) {
            if (k->state() == KernelClient::State::NotStarted || k->state() == KernelClient::State::Dead)
                continue;
            Work w;
            w.kernel = true;
            w.host = kernelHost(k);
            w.id = kernelOwner(k);
            w.name = k->spec().displayName.isEmpty() ? k->spec().name : k->spec().displayName;
            w.busy = k->state() == KernelClient::State::Busy;
            w.state = w.busy ? tr("busy") : k->state() == KernelClient::State::Idle ? tr("idle") : tr("starting");
            m_kernels << w;
        }
    }
}

QList<ResourcesPanel::Work> ResourcesPanel::workOn(const QString &host) const
{
    QList<Work> out;
    for (const Work &w : m_jobs)
        if (w.host == host)
            out << w;
    for (const Work &w : m_kernels)
        if (w.host == host)
            out << w;
    return out;
}

remote::HostActivity ResourcesPanel::activity(const Host &host) const
{
    remote::HostActivity a;
    for (const Work &w : workOn(host.name)) {
        if (!w.kernel)
            ++a.jobs;
        else if (w.busy)
            ++a.busyKernels;
    }
    const HostData d = m_data.value(host.name);
    // A cluster with a job of ours queued or running is busy, whatever its login host's load.
    if (host.isSlurm()) {
        const auto [running, pending] = slurmJobCounts(host.name);
        a.jobs += running + pending;
    }
    // Only a host seen lately can be called idle: never stop a machine that cannot be looked at.
    const qint64 age = QDateTime::currentMSecsSinceEpoch() - d.last.time;
    a.known = d.last.ok && age < 3 * m_sampleTimer.interval() + 30000;
    a.gpusInUse = d.last.ok ? d.last.gpusInUse() : 0;
    return a;
}

ResourcesPanel::HostState ResourcesPanel::hostState(const QString &name) const
{
    const auto it = m_data.constFind(name);
    if (it == m_data.cend())
        return HostState::NotChecked;
    const HostData &d = *it;
    if (m_idle->isBusy(name))
        return m_idle->isStopped(name) ? HostState::Stopping : HostState::Starting;
    if (m_idle->isStopped(name))
        return HostState::Stopped;
    if (d.samples == 0)
        return d.sampling ? HostState::Checking : HostState::NotChecked;
    if (!d.last.ok) {
        const bool down = d.last.errorReason == QLatin1String("timeout") || d.last.errorReason == QLatin1String("refused")
                          || d.last.errorReason == QLatin1String("unreachable");
        return down && !d.host.startCommand.isEmpty() ? HostState::Stopped : HostState::Unreachable;
    }
    const remote::HostActivity a = activity(d.host);
    return a.jobs || a.busyKernels || a.gpusInUse ? HostState::Busy : HostState::Idle;
}

QString ResourcesPanel::stateText(HostState state)
{
    switch (state) {
    case HostState::NotChecked: return tr("not checked");
    case HostState::Checking: return tr("checking…");
    case HostState::Idle: return tr("idle");
    case HostState::Busy: return tr("busy");
    case HostState::Starting: return tr("starting…");
    case HostState::Stopping: return tr("stopping…");
    case HostState::Stopped: return tr("stopped");
    case HostState::Unreachable: return tr("unreachable");
    }
    return {};
}

void ResourcesPanel::updateRows()
{
    const QString today = QDate::currentDate().toString(Qt::ISODate);
    for (int i = 0; i < m_hosts->topLevelItemCount(); ++i) {
        QTreeWidgetItem *item = m_hosts->topLevelItem(i);
        const QString name = item->data(ColName, Qt::UserRole).toString();
        const HostData d = m_data.value(name);
        const HostState state = hostState(name);
        item->setText(ColName, d.host.isLocal() ? tr("local (this machine)") : name);
        const QString queued = d.host.isSlurm() && state == HostState::Busy ? slurmJobsText(name) : QString();
        item->setText(ColState, queued.isEmpty() ? stateText(state) : tr("%1: %2").arg(stateText(state), queued));
        QStringList tip;
        if (!d.last.ok && !d.last.error.isEmpty())
            tip << d.last.error;
        for (const remote::SlurmQueueEntry &e : d.slurm.queue)
            if (e.ours)
                tip << (e.state == QLatin1String("PENDING")   ? tr("Slurm job %1 (%2): pending, waiting for %3").arg(e.jobId, e.name, e.reason.isEmpty() ? tr("its turn") : e.reason)
                        : e.state == QLatin1String("RUNNING") ? tr("Slurm job %1 (%2): running on %3").arg(e.jobId, e.name, e.nodeList)
                                                              : tr("Slurm job %1 (%2): %3 on %4").arg(e.jobId, e.name, e.state, e.nodeList));
        if (d.host.isSlurm() && !d.slurm.error.isEmpty())
            tip << d.slurm.error;
        item->setToolTip(ColState, tip.join(QLatin1Char('\n')));
        QColor colour;
        switch (state) {
        case HostState::Busy: colour = QColor(0x1f, 0x77, 0xb4); break;
        case HostState::Idle: colour = QColor(0x2c, 0xa0, 0x2c); break;
        case HostState::Unreachable: colour = QColor(0xd6, 0x27, 0x28); break;
        default: break;
        }
        item->setForeground(ColState, colour.isValid() ? QBrush(colour) : QBrush());
        item->setText(ColAddress, d.host.isLocal() ? tr("this computer") : d.host.address());
        const bool fresh = d.last.ok && state != HostState::Stopped;
        item->setText(ColCpu, fresh ? percent(d.last.cpuPercent) : QStringLiteral("–"));
        item->setText(ColGpu, fresh ? (d.last.gpus.isEmpty() ? tr("none") : tr("%1 × %2").arg(d.last.gpus.size()).arg(percent(d.last.gpuPercent())))
                                    : QStringLiteral("–"));
        item->setText(ColMemory, fresh ? percent(d.last.memoryPercent()) : QStringLiteral("–"));
        const bool priced = d.host.pricePerHour > 0 || d.host.pricePerGpuHour > 0;
        item->setText(ColCostToday, priced && !d.host.isLocal() ? remote::HostUsage::formatCost(m_usage.costOn(name, today)) : QStringLiteral("–"));
    }
    const Host h = m_data.value(selectedHost()).host;
    const bool ssh = !selectedHost().isEmpty() && !h.isLocal();
    m_editAction->setEnabled(ssh);
    m_removeAction->setEnabled(ssh);
    m_startAction->setEnabled(ssh && !h.startCommand.isEmpty() && !m_idle->isBusy(h.name));
    m_stopAction->setEnabled(ssh && !h.stopCommand.isEmpty() && !m_idle->isBusy(h.name));
    m_testAction->setEnabled(!selectedHost().isEmpty() && !m_data.value(selectedHost()).probing);
}

void ResourcesPanel::updateDetails()
{
    const QString name = selectedHost();
    if (name.isEmpty()) {
        m_header->clear();
        return;
    }
    const HostData d = m_data.value(name);
    const HostState state = hostState(name);
    QStringList lines;
    lines << QStringLiteral("<b>%1</b> — %2").arg((d.host.isLocal() ? tr("local (this machine)") : name).toHtmlEscaped(), stateText(state));
    if (!d.host.isLocal())
        lines << d.host.address().toHtmlEscaped();
    if (!d.last.ok && !d.last.error.isEmpty() && state != HostState::Stopped)
        lines << QStringLiteral("<span style='color:#d62728'>%1</span>").arg(d.last.error.toHtmlEscaped());
    if (d.host.isSlurm() && d.slurmKnown) {
        const QString queued = slurmJobsText(name);
        if (!d.slurm.error.isEmpty())
            lines << QStringLiteral("<span style='color:#d62728'>%1</span>").arg(d.slurm.error.toHtmlEscaped());
        else
            lines << (queued.isEmpty() ? tr("No job of Cairn in Slurm's queue") : tr("Cairn's jobs in Slurm's queue: %1").arg(queued.toHtmlEscaped()));
    }
    if (d.last.ok)
        lines << tr("Load %1 · memory %2 free of %3").arg(d.last.load1, 0, 'f', 2).arg(ProbeView::sizeText(d.last.memoryAvailableKiB), ProbeView::sizeText(d.last.memoryTotalKiB));
    if (!d.host.isLocal() && d.host.idleTimeoutMinutes > 0 && !d.host.stopCommand.isEmpty()) {
        const qint64 left = m_idle->remainingMs(name);
        lines << (left >= 0 ? tr("Idle: stops in %1 unless work arrives").arg(durationText(left))
                            : tr("Idle shutdown after %1 min without work").arg(d.host.idleTimeoutMinutes));
    }
    if (!d.host.isLocal() && (d.host.pricePerHour > 0 || d.host.pricePerGpuHour > 0)) {
        const QString today = QDate::currentDate().toString(Qt::ISODate);
        lines << tr("Cost today %1 · last 30 days %2 (at %3 per hour, %4 per GPU-hour)")
                     .arg(remote::HostUsage::formatCost(m_usage.costOn(name, today)), remote::HostUsage::formatCost(m_usage.totalCost(name)))
                     .arg(d.host.pricePerHour, 0, 'f', 2)
                     .arg(d.host.pricePerGpuHour, 0, 'f', 2);
    }
    m_header->setText(lines.join(QStringLiteral("<br>")));
    // A Slurm cluster shows its partitions, nodes and queue, first.
    const int clusterTab = m_tabs->indexOf(m_cluster);
    const bool wasCluster = m_tabs->isTabVisible(clusterTab);
    m_tabs->setTabVisible(clusterTab, d.host.isSlurm());
    m_cluster->setHost(d.host);
    if (d.host.isSlurm() && !wasCluster) {
        m_tabs->setCurrentIndex(clusterTab);
        // The queue's columns need the room more than the load chart does.
        if (auto *split = qobject_cast<QSplitter *>(m_tabs->parentWidget()))
            split->setSizes({2000, 3000});
    }
    updateChart();
    updateWork();
    updateCost();
    if (d.probed)
        m_probe->setProbe(d.probe, d.host.isLocal());
    else
        m_probe->setProbe(HostProbe(), d.host.isLocal());
    updateInstallButton();
}

void ResourcesPanel::updateInstallButton()
{
    const HostData d = m_data.value(selectedHost());
    const HostProbe &p = d.probe;
    m_installWorker->setVisible(d.probed && p.reachable && !p.workerOk && !d.host.isLocal());
    const bool can = remote::isDebianLike(p) && (p.canSudo || p.isRoot);
    m_installWorker->setEnabled(can && !d.probing);
    m_installWorker->setToolTip(can ? tr("Copy Cairn's own package (cairn-studio_…deb, made with cpack -G DEB) to the host and install it with apt-get")
                                    : !remote::isDebianLike(p) ? tr("The host is not Debian or Ubuntu: build Cairn from source there")
                                                               : tr("Your user cannot sudo there without a password: ask its administrator to install the package"));
}

bool ResourcesPanel::installWorker(const QString &debFile)
{
    const QString name = selectedHost();
    const HostData d = m_data.value(name);
    if (!m_data.contains(name) || d.probing || !d.probed)
        return false;
    QString file = debFile;
    if (file.isEmpty()) {
        file = QFileDialog::getOpenFileName(this, tr("Cairn Studio package for %1").arg(name), QDir::homePath(), tr("Debian packages (*.deb)"));
        if (file.isEmpty())
            return false;
    }
    remote::WorkerInstallPlan plan;
    try {
        plan = remote::planWorkerInstall(d.probe, remote::readDebPackage(file));
    } catch (const Error &e) {
        QMessageBox::warning(this, tr("Install worker"), e.message());
        Q_EMIT workerInstalled(name, false, e.message());
        return false;
    }
    QMessageBox confirm(QMessageBox::Question, tr("Install worker"),
                        tr("Install %1 %2 on %3?").arg(plan.deb.package, plan.deb.version, name), QMessageBox::Yes | QMessageBox::Cancel, this);
    confirm.setObjectName(QStringLiteral("installWorkerConfirm"));
    confirm.setInformativeText(tr("The package is copied to %1 and this command runs there:\n\n%2").arg(plan.remoteFile, plan.commandLine()));
    // The dialogs ran an event loop: the host may have gone or be busy meanwhile.
    if (confirm.exec() != QMessageBox::Yes)
        return false;
    auto it = m_data.find(name);
    if (it == m_data.end() || it->probing)
        return false;
    it->probing = true;
    m_installWorker->setEnabled(false);
    m_testAction->setEnabled(false);
    const Host host = it->host;
    struct Outcome { QString error; HostProbe probe; };
    auto *watcher = new QFutureWatcher<Outcome>(this);
    connect(watcher, &QFutureWatcher<Outcome>::finished, this, [this, watcher, name] {
        watcher->deleteLater();
        const Outcome o = watcher->result();
        auto it = m_data.find(name);
        if (it == m_data.end())
            return;
        it->probing = false;
        if (o.error.isEmpty()) {
            it->probe = o.probe;
            it->probed = true;
        }
        updateRows();
        if (selectedHost() == name)
            updateDetails();
        const bool ok = o.error.isEmpty() && o.probe.workerOk;
        const QString message = ok ? tr("The worker on %1 is ready: Cairn %2, protocol %3.").arg(name, o.probe.workerVersion).arg(o.probe.workerProtocol)
                                   : (o.error.isEmpty() ? o.probe.workerProblem : o.error);
        if (isVisible())
            ok ? QMessageBox::information(this, tr("Install worker"), message) : QMessageBox::warning(this, tr("Install worker"), message);
        Q_EMIT workerInstalled(name, ok, message);
    });
    watcher->setFuture(QtConcurrent::run([host, plan]() -> Outcome {
        try {
            remote::installWorker(host, plan);
            return {QString(), remote::probeHost(host)};
        } catch (const Error &e) {
            return {e.message(), HostProbe()};
        }
    }));
    return true;
}

void ResourcesPanel::updateChart()
{
    const HostData d = m_data.value(selectedHost());
    const QVector<double> *series[] = {&d.cpu, &d.gpu, &d.memory};
    for (int i = 0; i < 3; ++i)
        m_chart->graph(i)->setData(d.time, *series[i], true);
    // The samples so far fill the width (at least 10 s) until there are ten minutes of them.
    const double now = double(QDateTime::currentMSecsSinceEpoch()) / 1000.0;
    const double end = d.time.isEmpty() ? now : d.time.last();
    const double span = d.time.isEmpty() ? 0 : end - d.time.first();
    m_chart->xAxis->setRange(end - std::clamp(span, 10.0, double(kHistorySeconds)), end);
    m_chart->graph(1)->setVisible(!d.last.gpus.isEmpty());
    m_chart->graph(1)->removeFromLegend();
    if (!d.last.gpus.isEmpty())
        m_chart->graph(1)->addToLegend();
    m_chart->replot(QCustomPlot::rpQueuedReplot);
}

void ResourcesPanel::updateWork()
{
    const QString name = selectedHost();
    m_work->clear();
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    for (const Work &w : workOn(name)) {
        auto *item = new QTreeWidgetItem(m_work);
        item->setText(0, w.kernel ? tr("Kernel") : tr("Job"));
        item->setText(1, w.kernel ? (w.id.isEmpty() ? w.name : tr("%1 (%2)").arg(w.id, w.name)) : tr("%1 (%2)").arg(w.name, w.id.left(8)));
        item->setText(2, w.state);
        item->setText(3, w.started > 0 ? durationText(now - w.started) : QStringLiteral("–"));
        item->setData(0, Qt::UserRole, w.runUuid);
        // The run's share so far, from the last usage computation.
        const auto cost = m_usage.runCostByUuid.constFind(w.runUuid);
        const bool priced = m_data.value(name).host.pricePerHour > 0 || m_data.value(name).host.pricePerGpuHour > 0;
        item->setText(4, !w.kernel && priced && cost != m_usage.runCostByUuid.cend() ? remote::HostUsage::formatCost(*cost) : QStringLiteral("–"));
    }
    if (m_work->topLevelItemCount() == 0) {
        auto *item = new QTreeWidgetItem(m_work);
        item->setText(1, tr("No job or kernel runs here"));
        item->setFlags(Qt::NoItemFlags);
    }
}

void ResourcesPanel::updateCost()
{
    const QString name = selectedHost();
    const Host h = m_data.value(name).host;
    m_cost->clear();
    QList<remote::HostDayUsage> days;
    for (const remote::HostDayUsage &d : m_usage.days)
        if (d.host == name)
            days.prepend(d); // newest first
    for (const remote::HostDayUsage &d : days) {
        auto *item = new QTreeWidgetItem(m_cost);
        item->setText(0, d.day);
        item->setText(1, QString::number(d.runs));
        item->setText(2, durationText(d.busyMs));
        item->setText(3, remote::HostUsage::formatCost(d.cost));
    }
    if (days.isEmpty()) {
        auto *item = new QTreeWidgetItem(m_cost);
        item->setText(0, tr("No runs on this host in the last 30 days"));
        item->setFlags(Qt::NoItemFlags);
    } else if (h.isLocal() || (h.pricePerHour <= 0 && h.pricePerGpuHour <= 0)) {
        auto *item = new QTreeWidgetItem(m_cost);
        item->setText(0, tr("No price set: costs read 0 (set one in the host's settings)"));
        item->setFlags(Qt::NoItemFlags);
    }
}

void ResourcesPanel::refreshUsage()
{
    if (!context()->hasWorkspace() || m_computingUsage)
        return;
    m_computingUsage = true;
    const QString path = context()->workspacePath();
    const QList<Host> hosts = m_hostList;
    auto *watcher = new QFutureWatcher<remote::UsageReport>(this);
    connect(watcher, &QFutureWatcher<remote::UsageReport>::finished, this, [this, watcher] {
        watcher->deleteLater();
        m_computingUsage = false;
        m_usage = watcher->result();
        updateRows();
        updateDetails();
        Q_EMIT usageUpdated();
    });
    watcher->setFuture(QtConcurrent::run([path, hosts] {
        try {
            Workspace ws(path); // a connection of this thread's own
            return remote::HostUsage::report(ws, hosts, 30, QDateTime::currentMSecsSinceEpoch());
        } catch (const Error &) {
            return remote::UsageReport();
        }
    }));
}

void ResourcesPanel::probeSelected()
{
    const QString name = selectedHost();
    auto it = m_data.find(name);
    if (it == m_data.end() || it->probing)
        return;
    it->probing = true;
    m_testAction->setEnabled(false);
    m_tabs->setCurrentWidget(m_probe->parentWidget());
    const Host host = it->host;
    auto *watcher = new QFutureWatcher<HostProbe>(this);
    connect(watcher, &QFutureWatcher<HostProbe>::finished, this, [this, watcher, name] {
        watcher->deleteLater();
        const HostProbe p = watcher->result();
        auto it = m_data.find(name);
        if (it == m_data.end())
            return;
        it->probing = false;
        it->probed = true;
        it->probe = p;
        updateRows();
        if (selectedHost() == name)
            updateDetails();
        const ProbeView::Explanation e = ProbeView::explain(p, name);
        if (!e.ok && isVisible()) {
            QMessageBox box(e.hostKey ? QMessageBox::Question : QMessageBox::Warning, tr("Test connection"), e.headline,
                            e.hostKey ? QMessageBox::Yes | QMessageBox::No : QMessageBox::Ok, this);
            box.setInformativeText(e.hostKey ? tr("%1\n\nFingerprint: %2\n\nTrust this machine and record its key?").arg(e.advice, p.fingerprint)
                                             : (e.advice.isEmpty() ? p.error : e.advice + QStringLiteral("\n\n") + p.error));
            if (box.exec() == QMessageBox::Yes && e.hostKey) {
                try {
                    remote::SshConnection(m_data.value(name).host).acceptHostKey(p.fingerprint);
                    probeSelected();
                } catch (const Error &err) {
                    QMessageBox::warning(this, tr("Test connection"), err.message());
                }
            }
        }
        Q_EMIT probed(name);
    });
    watcher->setFuture(QtConcurrent::run([host] { return remote::probeHost(host); }));
}

void ResourcesPanel::addHost()
{
    AddHostWizard wizard(this);
    if (wizard.exec() != QDialog::Accepted)
        return;
    reloadHosts();
    selectHost(wizard.savedName());
    sample(wizard.savedName());
}

void ResourcesPanel::editHost()
{
    const QString name = selectedHost();
    auto it = m_data.find(name);
    if (it == m_data.end() || it->host.isLocal())
        return;
    QDialog dialog(this);
    dialog.setWindowTitle(tr("Settings of %1").arg(name));
    auto *v = new QVBoxLayout(&dialog);
    auto *settings = new HostSettingsWidget(&dialog);
    settings->setHost(it->host);
    v->addWidget(settings);
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, &dialog);
    connect(buttons, &QDialogButtonBox::accepted, &dialog, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, &dialog, &QDialog::reject);
    v->addWidget(buttons);
    if (dialog.exec() != QDialog::Accepted)
        return;
    Host h = it->host;
    settings->apply(h);
    try {
        HostStore().update(h);
    } catch (const Error &e) {
        QMessageBox::warning(this, tr("Host settings"), tr("The settings could not be saved: %1").arg(e.message()));
        return;
    }
    reloadHosts();
    updateDetails();
}

void ResourcesPanel::removeHost()
{
    const QString name = selectedHost();
    if (name.isEmpty() || name == QLatin1String(Host::kLocalName))
        return;
    if (QMessageBox::question(this, tr("Remove host"), tr("Forget the host %1? Nothing on the machine is touched.").arg(name)) != QMessageBox::Yes)
        return;
    try {
        HostStore().remove(name);
    } catch (const Error &e) {
        QMessageBox::warning(this, tr("Remove host"), e.message());
        return;
    }
    reloadHosts();
    updateDetails();
}

void ResourcesPanel::startStop(bool start)
{
    const QString name = selectedHost();
    const Host h = m_data.value(name).host;
    if (!start && !workOn(name).isEmpty()
        && QMessageBox::question(this, tr("Stop host"), tr("Jobs or kernels still run on %1. Stop the machine anyway?").arg(name)) != QMessageBox::Yes)
        return;
    try {
        if (start)
            m_idle->startHost(h);
        else
            m_idle->stopHost(h);
    } catch (const Error &e) {
        QMessageBox::warning(this, start ? tr("Start host") : tr("Stop host"), e.message());
    }
    updateRows();
    updateDetails();
}

} // namespace cairn::panels
