#pragma once

#include "cairn/remote/host.h"
#include "cairn/remote/slurm.h"

#include <QTimer>
#include <QWidget>

#include <memory>

class QLabel;
class QTreeWidget;

namespace cairn::panels {

/// A Slurm cluster at a glance: its partitions (nodes and GPUs free and used), its nodes, and
/// its queue with the reason each pending job waits; jobs Cairn submitted are highlighted.
/// Asks the cluster (sinfo, scontrol, squeue in one round trip) off the GUI thread, every few
/// seconds while shown.
class SlurmClusterView : public QWidget
{
    Q_OBJECT
public:
    explicit SlurmClusterView(QWidget *parent = nullptr);
    ~SlurmClusterView() override;

    /// The cluster to show; another kind of host clears the view.
    void setHost(const remote::Host &host);
    void setInterval(int ms) { m_timer.setInterval(ms); }
    /// Asks the cluster now.
    void refresh();
    /// Shows an answer got elsewhere (the Add host wizard's test), without asking again.
    void setOverview(const remote::SlurmOverview &o);

    // For tests.
    QTreeWidget *partitions() const { return m_partitions; }
    QTreeWidget *nodes() const { return m_nodes; }
    QTreeWidget *queue() const { return m_queue; }
    QLabel *summary() const { return m_summary; }
    const remote::SlurmOverview &overview() const { return m_overview; }

Q_SIGNALS:
    void refreshed();

protected:
    void showEvent(QShowEvent *event) override;
    void hideEvent(QHideEvent *event) override;

private:
    void show(const remote::SlurmOverview &o);

    remote::Host m_host;
    remote::SlurmOverview m_overview;
    QLabel *m_summary = nullptr;
    QTreeWidget *m_partitions = nullptr;
    QTreeWidget *m_nodes = nullptr;
    QTreeWidget *m_queue = nullptr;
    QTimer m_timer;
    bool m_asking = false;
    std::shared_ptr<bool> m_alive = std::make_shared<bool>(true);
};

} // namespace cairn::panels
