#pragma once

#include "panel.h"

#include "cairn/remote/host.h"
#include "cairn/remote/hostsampler.h"
#include "cairn/remote/hostusage.h"
#include "cairn/remote/probe.h"
#include "cairn/remote/slurm.h"

#include <QHash>
#include <QPointer>
#include <QTimer>
#include <QVector>

#include <memory>

class QAction;
class QCustomPlot;
class QLabel;
class QPushButton;
class QTabWidget;
class QTreeWidget;
class QTreeWidgetItem;

namespace cairn::remote {
class IdleMonitor;
struct HostActivity;
}

namespace cairn::panels {

class ProbeView;
class SlurmClusterView;

/// The machines jobs and kernels run on: `local` and the user's SSH hosts, each with its state
/// (busy, idle, stopped, unreachable), live CPU / GPU / memory charts sampled every few seconds
/// (/proc here; a small fixed script over the host's shared SSH connection elsewhere), the
/// workspace's jobs and the open notebook kernels on it, what it cost per day, probe details,
/// start / stop buttons and idle shutdown, and the Add host wizard.
class ResourcesPanel : public gui::Panel
{
    Q_OBJECT
public:
    explicit ResourcesPanel(gui::StudioContext *context, QWidget *parent = nullptr);
    ~ResourcesPanel() override;

    QString panelId() const override { return QStringLiteral("resources"); }
    QString title() const override { return tr("Resources"); }

    /// One place a host can be in, for the list and the idle monitor.
    enum class HostState { NotChecked, Checking, Idle, Busy, Starting, Stopping, Stopped, Unreachable };
    HostState hostState(const QString &host) const;
    static QString stateText(HostState state);

    /// What runs on a host: a job of the workspace or an open notebook kernel.
    struct Work
    {
        QString host;
        bool kernel = false;
        bool busy = false;  ///< a kernel executing
        QString id;         ///< job id, or the kernel's notebook
        QString name;       ///< algorithm / run name, or the kernel's display name
        QString state;
        QString runUuid;
        qint64 started = 0;
    };

    // For tests.
    QTreeWidget *hostList() const { return m_hosts; }
    QTreeWidget *workList() const { return m_work; }
    QTreeWidget *costList() const { return m_cost; }
    ProbeView *probeView() const { return m_probe; }
    /// Cairn's jobs in a Slurm cluster's queue (from its last sample): running and pending.
    QPair<int, int> slurmJobCounts(const QString &host) const;
    /// The Cluster tab: partitions, nodes and queue of a selected Slurm cluster.
    SlurmClusterView *clusterView() const { return m_cluster; }
    QCustomPlot *chart() const { return m_chart; }
    QLabel *headerLabel() const { return m_header; }
    QTabWidget *tabs() const { return m_tabs; }
    remote::IdleMonitor *idleMonitor() const { return m_idle.get(); }
    QAction *addAction() const { return m_addAction; }
    QAction *startAction() const { return m_startAction; }
    QAction *stopAction() const { return m_stopAction; }
    QAction *testAction() const { return m_testAction; }
    /// In Details: shown when the probed host has no usable worker, enabled when Cairn can install
    /// its .deb there (Debian, sudo without a password or a root login).
    QPushButton *installWorkerButton() const { return m_installWorker; }
    /// Installs the project's .deb on the selected host after the user confirmed the exact
    /// command (asks for the file first when `debFile` is empty); false if it did not start.
    bool installWorker(const QString &debFile = {});
    /// How often hosts are sampled (default 5 s).
    void setSampleInterval(int ms);
    /// Samples of a host so far (tests wait for them).
    int sampleCount(const QString &host) const;
    QString selectedHost() const;
    void selectHost(const QString &name);
    /// Reads the hosts again and samples them now.
    void refresh();
    /// Recomputes the cost table now.
    void refreshUsage();

Q_SIGNALS:
    void sampled(const QString &host);
    void probed(const QString &host);
    /// The worker install ended: `ok`, or `message` says why not.
    void workerInstalled(const QString &host, bool ok, const QString &message);
    void usageUpdated();
    void workUpdated();

protected:
    void showEvent(QShowEvent *event) override;

private:
    struct HostData
    {
        remote::Host host;
        remote::HostSample last;
        int samples = 0;
        bool sampling = false;
        bool everOk = false;
        QVector<double> time, cpu, gpu, memory; ///< time in s since the epoch
        remote::HostProbe probe;
        bool probed = false;
        bool probing = false;
        remote::SlurmOverview slurm; ///< a Slurm cluster's queue, asked with every sample
        bool slurmKnown = false;
        bool slurmAsking = false;
    };

    void buildUi();
    void reloadHosts();
    void sampleAll();
    void sample(const QString &name);
    void onSample(const QString &name, const remote::HostSample &s);
    void sampleSlurm(const QString &name);
    /// "1 running · 2 pending (Resources)" for Cairn's jobs in a cluster's queue; empty: none.
    QString slurmJobsText(const QString &name) const;
    void listWork();
    void collectKernels();
    void updateRows();
    void updateDetails();
    void updateChart();
    void updateWork();
    void updateCost();
    void probeSelected();
    void updateInstallButton();
    void addHost();
    void editHost();
    void removeHost();
    void startStop(bool start);
    bool shouldSample(const HostData &d) const;
    remote::HostActivity activity(const remote::Host &host) const;
    QList<Work> workOn(const QString &host) const;

    QTreeWidget *m_hosts = nullptr;
    QLabel *m_header = nullptr;
    QCustomPlot *m_chart = nullptr;
    QTabWidget *m_tabs = nullptr;
    QTreeWidget *m_work = nullptr;
    QTreeWidget *m_cost = nullptr;
    ProbeView *m_probe = nullptr;
    SlurmClusterView *m_cluster = nullptr;
    QAction *m_addAction = nullptr;
    QAction *m_editAction = nullptr;
    QAction *m_removeAction = nullptr;
    QAction *m_startAction = nullptr;
    QAction *m_stopAction = nullptr;
    QAction *m_testAction = nullptr;
    QPushButton *m_installWorker = nullptr;

    QList<remote::Host> m_hostList;
    QHash<QString, HostData> m_data;
    std::shared_ptr<remote::HostSampler> m_sampler;
    std::unique_ptr<remote::IdleMonitor> m_idle;
    QList<Work> m_jobs;     ///< from the workspace's job records (listed off the GUI thread)
    QList<Work> m_kernels;  ///< the studio's open kernels
    bool m_listingJobs = false;
    bool m_computingUsage = false;
    remote::UsageReport m_usage;
    QHash<QString, qint64> m_stoppedAt; ///< when a host's stop command last succeeded
    QTimer m_sampleTimer;
    QTimer m_usageTimer;
    QTimer m_usageDebounce;
    bool m_alive = true;
    std::shared_ptr<bool> m_guard; ///< tells finished background work whether the panel still exists
};

} // namespace cairn::panels
