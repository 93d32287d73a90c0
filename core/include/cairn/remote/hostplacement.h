#pragma once

#include <QHash>
#include <QString>
#include <QStringList>

#include <functional>

namespace cairn::remote {

/// Spreads jobs over several hosts ("local" and SSH or Slurm host names), as tuning trials and
/// AutoML candidates are: each host has room for its job limit (local: the given limit), a job
/// goes to the host with the smallest share of its room in use, and a host that could not run a
/// job is dropped with the reason, so that its work goes to the others.
class HostPlacement
{
public:
    HostPlacement() = default;
    /// Throws cairn::Error, listing the known names, for a host that does not exist.
    HostPlacement(QStringList hosts, int localLimit);

    bool isEmpty() const { return m_hosts.isEmpty(); }
    const QStringList &hosts() const { return m_hosts; }
    int capacity(const QString &host) const { return m_capacity.value(host, 1); }
    /// The room of the hosts not dropped, together.
    int totalCapacity() const;
    /// The host with the smallest share of its room in use (`running(host)` jobs there); ties go
    /// to the one named first. Empty when every host is full or dropped.
    QString pick(const std::function<int(const QString &)> &running) const;

    /// Whether a job on `host` that failed before its worker ran means the host cannot run jobs
    /// (no connection, no worker): true for any host but this machine.
    static bool failureDropsHost(const QString &host, bool reachedWorker);
    /// No more jobs go to `host`; false when it was dropped already.
    bool drop(const QString &host, const QString &why);
    bool isDropped(const QString &host) const { return m_dropped.contains(host); }
    /// The dropped hosts, in the order given.
    QStringList dropped() const;
    bool allDropped() const { return !m_hosts.isEmpty() && m_dropped.size() == m_hosts.size(); }
    /// "gpu1: why; gpu2: why" for the dropped hosts.
    QString reasons() const;

private:
    QStringList m_hosts;
    QHash<QString, int> m_capacity;
    QHash<QString, QString> m_dropped;
};

} // namespace cairn::remote
