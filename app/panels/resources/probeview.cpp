#include "probeview.h"

#include <QHeaderView>

namespace cairn::panels {

using remote::GpuInfo;
using remote::HostProbe;

ProbeView::ProbeView(QWidget *parent) : QTreeWidget(parent)
{
    setColumnCount(2);
    setHeaderLabels({tr("Property"), tr("Value")});
    setRootIsDecorated(false);
    setSelectionMode(QAbstractItemView::NoSelection);
    setWordWrap(true);
    header()->setSectionResizeMode(0, QHeaderView::ResizeToContents);
    header()->setStretchLastSection(true);
}

QString ProbeView::sizeText(qint64 kib)
{
    if (kib <= 0)
        return tr("unknown");
    const double gib = double(kib) / (1024.0 * 1024.0);
    return gib >= 1 ? tr("%1 GiB").arg(gib, 0, 'f', 1) : tr("%1 MiB").arg(double(kib) / 1024.0, 0, 'f', 0);
}

void ProbeView::setProbe(const HostProbe &p, bool local)
{
    clear();
    auto row = [this](const QString &label, const QString &value) {
        auto *item = new QTreeWidgetItem(this, {label, value});
        item->setToolTip(1, value);
    };
    if (!p.reachable) {
        row(tr("Connection"), p.error.isEmpty() ? tr("not tested yet") : p.error);
        return;
    }
    row(tr("Answered in"), tr("%1 ms").arg(p.latencyMs));
    row(tr("Operating system"), QStringLiteral("%1 (%2 %3)").arg(p.os, p.kernel, p.arch));
    row(tr("CPU"), tr("%1 cores, %2").arg(p.cores).arg(p.cpuModel.isEmpty() ? tr("model unknown") : p.cpuModel));
    row(tr("Memory"), tr("%1 free of %2").arg(sizeText(p.memoryAvailableKiB), sizeText(p.memoryTotalKiB)));
    row(tr("Load (1 min)"), QString::number(p.load1, 'f', 2));
    if (!local)
        row(tr("Work folder"), tr("%1 (%2 free)").arg(p.workDir, sizeText(p.diskFreeKiB)));
    if (p.gpus.isEmpty())
        row(tr("GPUs"), p.gpuError.isEmpty() ? tr("none (jobs run on the CPUs)") : tr("none usable: %1").arg(p.gpuError));
    for (const GpuInfo &g : p.gpus)
        row(tr("GPU %1").arg(g.index), tr("%1, %2 of %3 MiB used, %4% busy, %5 °C")
                                           .arg(g.name)
                                           .arg(g.memoryUsedMiB, 0, 'f', 0)
                                           .arg(g.memoryTotalMiB, 0, 'f', 0)
                                           .arg(g.utilizationPercent, 0, 'f', 0)
                                           .arg(g.temperatureC, 0, 'f', 0));
    row(tr("Python"), p.python3.isEmpty() ? tr("python3 not found: notebook kernels cannot run here")
                                          : tr("%1 %2, ipykernel %3").arg(p.python3, p.pythonVersion, p.ipykernel ? tr("installed") : tr("missing (apt install python3-ipykernel)")));
    row(tr("Cairn worker"), p.workerOk ? tr("version %1, protocol %2%3").arg(p.workerVersion).arg(p.workerProtocol).arg(p.cairnPath.isEmpty() ? QString() : QStringLiteral(" (%1)").arg(p.cairnPath))
                                       : p.workerProblem);
    if (!local)
        row(tr("sudo"), p.isRoot ? tr("not needed (the login is root)") : p.canSudo ? tr("available without a password") : tr("not available without a password"));
}

QString ProbeView::value(const QString &label) const
{
    for (int i = 0; i < topLevelItemCount(); ++i)
        if (topLevelItem(i)->text(0) == label)
            return topLevelItem(i)->text(1);
    return {};
}

ProbeView::Explanation ProbeView::explain(const HostProbe &p, const QString &host)
{
    Explanation e;
    const QString r = p.errorReason;
    if (p.reachable && p.workerOk) {
        e.ok = true;
        e.headline = tr("Connected to %1 in %2 ms: jobs can run there").arg(host).arg(p.latencyMs);
    } else if (p.reachable) {
        e.headline = tr("Connected to %1, but it has no usable Cairn worker").arg(host);
        e.advice = p.workerProblem;
    } else if (r == QLatin1String("dns")) {
        e.headline = tr("The name of %1 could not be found").arg(host);
        e.advice = tr("Check the spelling of the host name, or whether it needs a VPN or an entry in /etc/hosts.");
    } else if (r == QLatin1String("refused")) {
        e.headline = tr("%1 refused the connection").arg(host);
        e.advice = tr("The machine is up but nothing listens on that port: is the SSH server running, and is the port right?");
    } else if (r == QLatin1String("timeout")) {
        e.headline = tr("%1 did not answer").arg(host);
        e.advice = tr("The machine is off or asleep, or a firewall drops the connection. If it is a cloud machine, start it first.");
    } else if (r == QLatin1String("unreachable")) {
        e.headline = tr("There is no network route to %1").arg(host);
        e.advice = tr("Check your network or VPN connection.");
    } else if (r == QLatin1String("auth")) {
        e.headline = tr("%1 did not accept your login").arg(host);
        e.advice = tr("Check the user name and the identity file, load the key into your agent (ssh-add), or put your public key into "
                      "~/.ssh/authorized_keys on the host (ssh-copy-id). Passwords are not asked for.");
    } else if (r == QLatin1String("unknown-host-key")) {
        e.hostKey = true;
        e.headline = tr("First connection to %1: confirm that its key is the machine's").arg(host);
        e.advice = tr("Compare the fingerprint below with the one the machine shows (ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub "
                      "on it, or ask its administrator). Accept it only if they are the same.");
    } else if (r == QLatin1String("changed-host-key")) {
        e.headline = tr("The key of %1 has changed: the connection was refused").arg(host);
        e.advice = tr("Someone may be intercepting the connection. If the machine was reinstalled, remove its old key "
                      "(ssh-keygen -R with its name) and test again.");
    } else {
        e.headline = tr("Could not connect to %1").arg(host);
    }
    return e;
}

} // namespace cairn::panels
