#include "slurmclusterview.h"

#include <QFutureWatcher>
#include <QHeaderView>
#include <QLabel>
#include <QSplitter>
#include <QTreeWidget>
#include <QVBoxLayout>
#include <QtConcurrent/QtConcurrentRun>

namespace cairn::panels {

namespace {
QTreeWidget *table(QWidget *parent, const QString &name, const QStringList &headers)
{
    auto *t = new QTreeWidget(parent);
    t->setObjectName(name);
    t->setRootIsDecorated(false);
    t->setHeaderLabels(headers);
    t->header()->setSectionResizeMode(QHeaderView::ResizeToContents);
    return t;
}

QString ofTotal(int part, int total)
{
    return QStringLiteral("%1 / %2").arg(part).arg(total);
}
} // namespace

SlurmClusterView::SlurmClusterView(QWidget *parent) : QWidget(parent)
{
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    m_summary = new QLabel(this);
    m_summary->setObjectName(QStringLiteral("slurmSummary"));
    m_summary->setWordWrap(true);
    layout->addWidget(m_summary);
    auto *split = new QSplitter(Qt::Vertical, this);
    layout->addWidget(split, 1);
    m_partitions = table(split, QStringLiteral("slurmPartitions"),
                         {tr("Partition"), tr("State"), tr("Nodes idle / total"), tr("Nodes in use"), tr("CPUs idle / total"), tr("GPUs in use / total"), tr("Time limit")});
    m_nodes = table(split, QStringLiteral("slurmNodes"), {tr("Node"), tr("State"), tr("CPUs in use / total"), tr("Memory"), tr("GPUs in use / total"), tr("Partitions")});
    m_queue = table(split, QStringLiteral("slurmQueue"),
                    {tr("Job"), tr("Name"), tr("User"), tr("State"), tr("Waiting for / nodes"), tr("Partition"), tr("CPUs"), tr("Time"), tr("Limit")});
    m_queue->setToolTip(tr("Jobs submitted by Cairn are highlighted"));
    split->setSizes({1000, 1000, 2000});
    m_timer.setInterval(5000);
    connect(&m_timer, &QTimer::timeout, this, &SlurmClusterView::refresh);
}

SlurmClusterView::~SlurmClusterView()
{
    *m_alive = false;
}

void SlurmClusterView::setHost(const remote::Host &host)
{
    const bool changed = host.name != m_host.name || !host.isSlurm();
    m_host = host;
    if (!host.isSlurm()) {
        m_timer.stop();
        m_overview = {};
        m_partitions->clear();
        m_nodes->clear();
        m_queue->clear();
        m_summary->clear();
        return;
    }
    if (changed) {
        m_partitions->clear();
        m_nodes->clear();
        m_queue->clear();
        m_summary->setText(tr("Asking Slurm on %1…").arg(host.address()));
        refresh();
    }
    if (isVisible())
        m_timer.start();
}

void SlurmClusterView::showEvent(QShowEvent *event)
{
    QWidget::showEvent(event);
    if (m_host.isSlurm()) {
        refresh();
        m_timer.start();
    }
}

void SlurmClusterView::hideEvent(QHideEvent *event)
{
    QWidget::hideEvent(event);
    m_timer.stop();
}

void SlurmClusterView::refresh()
{
    if (!m_host.isSlurm() || m_asking)
        return;
    m_asking = true;
    auto *watcher = new QFutureWatcher<remote::SlurmOverview>(this);
    connect(watcher, &QFutureWatcher<remote::SlurmOverview>::finished, this, [this, watcher, host = m_host.name] {
        watcher->deleteLater();
        m_asking = false;
        if (host == m_host.name)
            show(watcher->result());
    });
    const remote::Host host = m_host;
    watcher->setFuture(QtConcurrent::run([host] { return remote::SlurmCluster(host).overview(); }));
}

void SlurmClusterView::setOverview(const remote::SlurmOverview &o)
{
    m_timer.stop();
    m_host = {};
    show(o);
}

void SlurmClusterView::show(const remote::SlurmOverview &o)
{
    m_overview = o;
    if (!o.error.isEmpty()) {
        m_summary->setText(QStringLiteral("<span style='color:#d62728'>%1</span>").arg(o.error.toHtmlEscaped()));
        Q_EMIT refreshed();
        return;
    }
    int nodes = 0, idle = 0, gpus = 0, gpusUsed = 0, pending = 0, ours = 0;
    for (const auto &n : o.nodes) {
        ++nodes;
        idle += n.cpusAllocated == 0 && n.state.startsWith(QLatin1String("IDLE")) ? 1 : 0;
        gpus += n.gpus;
        gpusUsed += n.gpusAllocated;
    }
    for (const auto &e : o.queue) {
        pending += e.state == QLatin1String("PENDING") ? 1 : 0;
        ours += e.ours ? 1 : 0;
    }
    m_summary->setText(tr("Partitions: %1 · nodes: %2 (%3 idle) · GPUs in use: %4 of %5 · queue: %6 (%7 pending, %8 from Cairn)")
                           .arg(o.partitions.size()).arg(nodes).arg(idle).arg(gpusUsed).arg(gpus).arg(o.queue.size()).arg(pending).arg(ours));

    m_partitions->clear();
    for (const auto &p : o.partitions) {
        auto *item = new QTreeWidgetItem(m_partitions);
        item->setText(0, p.isDefault ? tr("%1 (default)").arg(p.name) : p.name);
        item->setText(1, p.state);
        item->setText(2, ofTotal(p.nodesIdle, p.nodesTotal));
        item->setText(3, QString::number(p.nodesAllocated));
        item->setText(4, ofTotal(p.cpusIdle, p.cpusTotal));
        item->setText(5, ofTotal(p.gpusUsed, p.gpusTotal));
        item->setText(6, p.maxTime);
    }
    m_nodes->clear();
    for (const auto &n : o.nodes) {
        auto *item = new QTreeWidgetItem(m_nodes);
        item->setText(0, n.name);
        item->setText(1, n.reason.isEmpty() ? n.state : QStringLiteral("%1 (%2)").arg(n.state, n.reason));
        item->setText(2, ofTotal(n.cpusAllocated, n.cpus));
        item->setText(3, tr("%1 GB").arg(double(n.memoryMb) / 1024.0, 0, 'f', 1));
        item->setText(4, ofTotal(n.gpusAllocated, n.gpus));
        item->setText(5, n.partitions.join(QStringLiteral(", ")));
    }
    m_queue->clear();
    const QColor highlight = palette().color(QPalette::Highlight);
    for (const auto &e : o.queue) {
        auto *item = new QTreeWidgetItem(m_queue);
        const QStringList cols{e.jobId, e.name, e.user, e.state, e.state == QLatin1String("PENDING") ? e.reason : e.nodeList,
                               e.partition, QString::number(e.cpus), e.timeUsed, e.timeLimit};
        for (int i = 0; i < cols.size(); ++i)
            item->setText(i, cols.at(i));
        item->setData(0, Qt::UserRole, e.ours);
        if (e.ours) {
            QColor bg = highlight;
            bg.setAlpha(60);
            QFont f = item->font(0);
            f.setBold(true);
            for (int i = 0; i < cols.size(); ++i) {
                item->setBackground(i, bg);
                item->setFont(i, f);
            }
        }
    }
    if (o.queue.isEmpty()) {
        auto *item = new QTreeWidgetItem(m_queue);
        item->setText(1, tr("The queue is empty"));
        item->setDisabled(true);
    }
    Q_EMIT refreshed();
}

} // namespace cairn::panels
