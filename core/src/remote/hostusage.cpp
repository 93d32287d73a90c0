#include "cairn/remote/hostusage.h"

#include "cairn/jobs/jobrecord.h"
#include "cairn/remote/sshrunner.h"
#include "cairn/store/experimentstore.h"
#include "cairn/store/sqlitedatabase.h"
#include "cairn/workspace/workspace.h"

#include <QDateTime>
#include <QMap>
#include <QSet>

#include <algorithm>

namespace cairn::remote {

namespace {

constexpr double kMsPerHour = 3600000.0;

QString dayOf(qint64 ms)
{
    return QDateTime::fromMSecsSinceEpoch(ms).date().toString(Qt::ISODate);
}

qint64 nextMidnight(qint64 ms)
{
    return QDateTime(QDateTime::fromMSecsSinceEpoch(ms).date().addDays(1), QTime(0, 0)).toMSecsSinceEpoch();
}

/// Calls fn(day, from, to) for the pieces of [a, b) cut at local midnights.
template<typename Fn>
void perDay(qint64 a, qint64 b, Fn &&fn)
{
    while (a < b) {
        const qint64 end = std::min(b, nextMidnight(a));
        fn(dayOf(a), a, end);
        a = end;
    }
}

} // namespace

double UsageReport::totalCost(const QString &host) const
{
    double sum = 0;
    for (const HostDayUsage &d : days)
        if (host.isEmpty() || d.host == host)
            sum += d.cost;
    return sum;
}

double UsageReport::costOn(const QString &host, const QString &day) const
{
    for (const HostDayUsage &d : days)
        if (d.host == host && d.day == day)
            return d.cost;
    return 0;
}

UsageReport HostUsage::compute(const QList<RunSpan> &spans, const QList<Host> &hosts)
{
    UsageReport report;
    QMap<QString, QList<const RunSpan *>> byHost;
    for (const RunSpan &s : spans) {
        if (s.end > s.start)
            byHost[s.host] << &s;
        report.runCost.insert(s.runId, 0);
    }
    for (auto it = byHost.cbegin(); it != byHost.cend(); ++it) {
        Host host;
        for (const Host &h : hosts)
            if (h.name == it.key())
                host = h;
        const double price = host.isLocal() ? 0 : host.pricePerHour;
        const double gpuPrice = host.isLocal() ? 0 : host.pricePerGpuHour;
        QMap<QString, HostDayUsage> days;
        for (const RunSpan *s : it.value()) {
            HostDayUsage &d = days[dayOf(s->start)];
            ++d.runs;
            // GPUs are the job's own: it pays for each one it held, whoever else runs there.
            if (s->gpus > 0 && gpuPrice > 0)
                perDay(s->start, s->end, [&](const QString &day, qint64 a, qint64 b) {
                    const double c = double(b - a) / kMsPerHour * gpuPrice * s->gpus;
                    days[day].cost += c;
                    report.runCost[s->runId] += c;
                });
        }
        // The machine's own price: sweep the boundaries; between two of them the same jobs run
        // and share the price equally.
        QList<qint64> bounds;
        for (const RunSpan *s : it.value())
            bounds << s->start << s->end;
        std::sort(bounds.begin(), bounds.end());
        bounds.erase(std::unique(bounds.begin(), bounds.end()), bounds.end());
        for (qsizetype i = 0; i + 1 < bounds.size(); ++i) {
            const qint64 a = bounds.at(i), b = bounds.at(i + 1);
            QList<const RunSpan *> active;
            for (const RunSpan *s : it.value())
                if (s->start <= a && s->end >= b)
                    active << s;
            if (active.isEmpty())
                continue;
            perDay(a, b, [&](const QString &day, qint64 from, qint64 to) {
                days[day].busyMs += to - from;
                const double c = double(to - from) / kMsPerHour * price;
                days[day].cost += c;
                for (const RunSpan *s : active)
                    report.runCost[s->runId] += c / double(active.size());
            });
        }
        for (auto d = days.begin(); d != days.end(); ++d) {
            d->host = it.key();
            d->day = d.key();
            report.days << *d;
        }
    }
    for (const RunSpan &s : spans)
        if (!s.runUuid.isEmpty())
            report.runCostByUuid.insert(s.runUuid, report.runCost.value(s.runId));
    return report;
}

QList<RunSpan> HostUsage::spans(Workspace &workspace, qint64 since, qint64 now)
{
    ExperimentStore &store = workspace.store();
    auto q = store.database().query(QStringLiteral(
        "SELECT r.id, r.uuid, r.start_time, r.end_time, r.status, r.source_ref, "
        "(SELECT value FROM tags t WHERE t.run_id = r.id AND t.key = 'cairn.host') "
        "FROM runs r WHERE r.source_type = 'JOB' AND r.start_time IS NOT NULL AND r.status <> 'SCHEDULED' "
        "AND r.start_time <= ? AND COALESCE(r.end_time, ?) >= ?"));
    q.bind(1, now).bind(2, now).bind(3, since);
    QList<RunSpan> out;
    while (q.next()) {
        RunSpan s;
        s.runId = q.int64(0);
        s.runUuid = q.text(1);
        s.start = q.int64(2);
        s.running = q.isNull(3);
        s.end = s.running ? now : q.int64(3);
        s.host = q.text(6).isEmpty() ? QString::fromLatin1(Host::kLocalName) : q.text(6);
        const QString jobId = q.text(5);
        if (s.host != QLatin1String(Host::kLocalName) && !jobId.isEmpty()) {
            const QString devices = SshRunner::remoteState(JobRecord::dirOf(workspace.path(), jobId)).value(QStringLiteral("gpus")).toString();
            s.gpus = devices.isEmpty() || devices == QLatin1String("-") ? 0 : int(devices.split(QLatin1Char(','), Qt::SkipEmptyParts).size());
        }
        out << s;
    }
    return out;
}

UsageReport HostUsage::report(Workspace &workspace, const QList<Host> &hosts, int days, qint64 now)
{
    const qint64 since = QDateTime(QDateTime::fromMSecsSinceEpoch(now).date().addDays(1 - std::max(1, days)), QTime(0, 0)).toMSecsSinceEpoch();
    QList<RunSpan> list = spans(workspace, since, now);
    for (RunSpan &s : list)
        s.start = std::max(s.start, since);
    return compute(list, hosts);
}

int HostUsage::recordRunCosts(Workspace &workspace, const QList<Host> &hosts, qint64 now)
{
    QSet<QString> priced;
    for (const Host &h : hosts)
        if (!h.isLocal() && (h.pricePerHour > 0 || h.pricePerGpuHour > 0))
            priced.insert(h.name);
    if (priced.isEmpty())
        return 0;
    ExperimentStore &store = workspace.store();
    // Ended runs of priced hosts without a cost yet; the spans they overlap decide their share.
    auto q = store.database().query(QStringLiteral(
        "SELECT r.id, r.uuid, r.start_time, (SELECT value FROM tags t WHERE t.run_id = r.id AND t.key = 'cairn.host') "
        "FROM runs r WHERE r.source_type = 'JOB' AND r.start_time IS NOT NULL AND r.end_time IS NOT NULL "
        "AND NOT EXISTS (SELECT 1 FROM tags c WHERE c.run_id = r.id AND c.key = ?)"));
    q.bind(1, QString::fromLatin1(kCostTag));
    QHash<qint64, QString> pending;
    qint64 since = now;
    while (q.next()) {
        if (!priced.contains(q.text(3)))
            continue;
        pending.insert(q.int64(0), q.text(1));
        since = std::min(since, q.int64(2));
    }
    if (pending.isEmpty())
        return 0;
    const UsageReport r = compute(spans(workspace, since, now), hosts);
    int tagged = 0;
    for (auto it = pending.cbegin(); it != pending.cend(); ++it) {
        store.setTag(it.value(), QString::fromLatin1(kCostTag), QString::number(r.runCost.value(it.key()), 'f', 6));
        ++tagged;
    }
    return tagged;
}

QString HostUsage::formatCost(double cost)
{
    if (cost > 0 && cost < 0.01)
        return QString::number(cost, 'f', 4);
    return QString::number(cost, 'f', 2);
}

} // namespace cairn::remote
