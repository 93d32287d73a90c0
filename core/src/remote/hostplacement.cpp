#include "cairn/remote/hostplacement.h"

#include "cairn/remote/host.h"

#include <algorithm>

namespace cairn::remote {

HostPlacement::HostPlacement(QStringList hosts, int localLimit) : m_hosts(std::move(hosts))
{
    m_hosts.removeDuplicates();
    if (m_hosts.isEmpty())
        return;
    const HostStore store;
    for (const QString &name : std::as_const(m_hosts)) {
        const Host h = store.host(name); // throws, listing the known names
        m_capacity.insert(name, h.isLocal() ? std::max(1, localLimit) : std::max(1, h.jobLimit));
    }
}

int HostPlacement::totalCapacity() const
{
    int n = 0;
    for (const QString &h : m_hosts)
        n += m_dropped.contains(h) ? 0 : capacity(h);
    return n;
}

QString HostPlacement::pick(const std::function<int(const QString &)> &running) const
{
    QString best;
    double bestLoad = 1;
    for (const QString &h : m_hosts) {
        if (m_dropped.contains(h))
            continue;
        const double load = double(running(h)) / capacity(h);
        if (load < bestLoad) {
            best = h;
            bestLoad = load;
        }
    }
    return best;
}

bool HostPlacement::failureDropsHost(const QString &host, bool reachedWorker)
{
    return !reachedWorker && !host.isEmpty() && host != QLatin1String(Host::kLocalName);
}

bool HostPlacement::drop(const QString &host, const QString &why)
{
    if (m_dropped.contains(host))
        return false;
    m_dropped.insert(host, why);
    return true;
}

QStringList HostPlacement::dropped() const
{
    QStringList out;
    for (const QString &h : m_hosts)
        if (m_dropped.contains(h))
            out << h;
    return out;
}

QString HostPlacement::reasons() const
{
    QStringList why;
    for (const QString &h : m_hosts)
        if (m_dropped.contains(h))
            why << QStringLiteral("%1: %2").arg(h, m_dropped.value(h));
    return why.join(QStringLiteral("; "));
}

} // namespace cairn::remote
