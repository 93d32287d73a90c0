// The cost model: a host's price split between the jobs sharing it, GPU-hours on top, days cut
// at midnight, and the cost tag written once on ended runs and sorted as a number.
#include "cairn/remote/hostusage.h"
#include "cairn/store/experimentstore.h"
#include "cairn/store/sqlitedatabase.h"
#include "cairn/workspace/workspace.h"

#include <QDateTime>
#include <QTemporaryDir>
#include <QtTest>

using namespace cairn;
using namespace cairn::remote;

namespace {

constexpr qint64 kHour = 3600000;

Host pricedHost(const QString &name, double perHour, double perGpuHour = 0)
{
    Host h;
    h.name = name;
    h.hostname = QStringLiteral("example.org");
    h.pricePerHour = perHour;
    h.pricePerGpuHour = perGpuHour;
    return h;
}

RunSpan span(qint64 id, const QString &host, qint64 start, qint64 end, int gpus = 0)
{
    RunSpan s;
    s.runId = id;
    s.host = host;
    s.start = start;
    s.end = end;
    s.gpus = gpus;
    return s;
}

} // namespace

class tst_HostUsage : public QObject
{
    Q_OBJECT

    /// A job run on `host` that ran from start to end (ms).
    static QString jobRun(Workspace &ws, const QString &host, qint64 start, qint64 end)
    {
        ExperimentStore::NewRun nr;
        nr.sourceType = QStringLiteral("JOB");
        nr.sourceRef = QStringLiteral("job-") + host;
        const Run run = ws.store().createRun(nr);
        ws.store().setTag(run.uuid, QStringLiteral("cairn.host"), host);
        auto q = ws.store().database().query(QStringLiteral("UPDATE runs SET start_time = ?, end_time = ?, status = ? WHERE uuid = ?"));
        q.bind(1, start);
        if (end > 0)
            q.bind(2, end);
        else
            q.bindNull(2);
        q.bind(3, end > 0 ? QStringLiteral("FINISHED") : QStringLiteral("RUNNING")).bind(4, run.uuid);
        q.exec();
        return run.uuid;
    }

    static QString tag(Workspace &ws, const QString &uuid, const QString &key)
    {
        for (const Tag &t : ws.store().tags(ws.store().run(uuid).id))
            if (t.key == key)
                return t.value;
        return {};
    }

private Q_SLOTS:
    void sharedHostSplitsItsPrice()
    {
        // 3/h; job 1 runs 0–2 h, job 2 runs 1–3 h: the shared hour is paid half by each.
        const qint64 t0 = QDateTime(QDate(2026, 3, 2), QTime(8, 0)).toMSecsSinceEpoch();
        const UsageReport r = HostUsage::compute({span(1, QStringLiteral("gpu1"), t0, t0 + 2 * kHour), span(2, QStringLiteral("gpu1"), t0 + kHour, t0 + 3 * kHour)},
                                                 {pricedHost(QStringLiteral("gpu1"), 3)});
        QCOMPARE(r.runCost.value(1), 4.5);
        QCOMPARE(r.runCost.value(2), 4.5);
        QCOMPARE(r.days.size(), 1);
        QCOMPARE(r.days.first().busyMs, 3 * kHour); // the overlap counts once
        QCOMPARE(r.days.first().runs, 2);
        QCOMPARE(r.totalCost(QStringLiteral("gpu1")), 9.0); // three busy hours at 3/h, nothing paid twice
    }

    void gpuHoursAreTheJobsOwn()
    {
        // An on-prem box: no machine price, 2 per GPU-hour; the second job held two GPUs.
        const qint64 t0 = QDateTime(QDate(2026, 3, 2), QTime(8, 0)).toMSecsSinceEpoch();
        const UsageReport r = HostUsage::compute({span(1, QStringLiteral("lab"), t0, t0 + kHour, 1), span(2, QStringLiteral("lab"), t0, t0 + kHour, 2),
                                                  span(3, QStringLiteral("lab"), t0, t0 + kHour, 0)},
                                                 {pricedHost(QStringLiteral("lab"), 0, 2)});
        QCOMPARE(r.runCost.value(1), 2.0);
        QCOMPARE(r.runCost.value(2), 4.0);
        QCOMPARE(r.runCost.value(3), 0.0);
        QCOMPARE(r.totalCost(), 6.0);
    }

    void localAndUnknownHostsCostNothing()
    {
        const qint64 t0 = QDateTime(QDate(2026, 3, 2), QTime(8, 0)).toMSecsSinceEpoch();
        Host local = Host::local();
        local.pricePerHour = 5; // even if someone set one: this machine is the user's own
        const UsageReport r = HostUsage::compute({span(1, QStringLiteral("local"), t0, t0 + kHour, 1), span(2, QStringLiteral("gone"), t0, t0 + kHour)},
                                                 {local});
        QCOMPARE(r.runCost.value(1), 0.0);
        QCOMPARE(r.runCost.value(2), 0.0);
        QCOMPARE(r.totalCost(), 0.0);
        QCOMPARE(r.days.size(), 2); // the busy time is still reported
    }

    void daysAreCutAtMidnight()
    {
        const qint64 start = QDateTime(QDate(2026, 3, 2), QTime(23, 0)).toMSecsSinceEpoch();
        const UsageReport r = HostUsage::compute({span(1, QStringLiteral("gpu1"), start, start + 3 * kHour)}, {pricedHost(QStringLiteral("gpu1"), 1)});
        QCOMPARE(r.days.size(), 2);
        QCOMPARE(r.costOn(QStringLiteral("gpu1"), QStringLiteral("2026-03-02")), 1.0);
        QCOMPARE(r.costOn(QStringLiteral("gpu1"), QStringLiteral("2026-03-03")), 2.0);
        QCOMPARE(r.runCost.value(1), 3.0);
    }

    void costTagWrittenOnceAndSortedAsANumber()
    {
        QTemporaryDir dir;
        Workspace ws(dir.path());
        const qint64 now = QDateTime::currentMSecsSinceEpoch();
        const qint64 t0 = now - 10 * kHour;
        // gpu1 at 2/h: a 1 h job alone, then two jobs sharing 2 h; an 11 h job costs 22, more
        // than 9 as a number but less as text.
        const QString alone = jobRun(ws, QStringLiteral("gpu1"), t0, t0 + kHour);
        const QString a = jobRun(ws, QStringLiteral("gpu1"), t0 + 2 * kHour, t0 + 4 * kHour);
        const QString b = jobRun(ws, QStringLiteral("gpu1"), t0 + 2 * kHour, t0 + 4 * kHour);
        const QString longRun = jobRun(ws, QStringLiteral("big"), now - 11 * kHour, now - 1);
        const QString running = jobRun(ws, QStringLiteral("gpu1"), now - kHour, 0);
        const QString local = jobRun(ws, QStringLiteral("local"), t0, t0 + kHour);
        QList<Host> hosts{Host::local(), pricedHost(QStringLiteral("gpu1"), 2), pricedHost(QStringLiteral("big"), 2)};
        QCOMPARE(HostUsage::recordRunCosts(ws, hosts, now), 4);
        QCOMPARE(tag(ws, alone, QStringLiteral("cairn.cost")).toDouble(), 2.0);
        QCOMPARE(tag(ws, a, QStringLiteral("cairn.cost")).toDouble(), 2.0);
        QCOMPARE(tag(ws, b, QStringLiteral("cairn.cost")).toDouble(), 2.0);
        QVERIFY(qAbs(tag(ws, longRun, QStringLiteral("cairn.cost")).toDouble() - 22.0) < 1e-3);
        QVERIFY(tag(ws, running, QStringLiteral("cairn.cost")).isEmpty()); // not final yet
        QVERIFY(tag(ws, local, QStringLiteral("cairn.cost")).isEmpty());   // no price, no tag
        // A price changed later does not rewrite what a run cost.
        hosts[1].pricePerHour = 100;
        QCOMPARE(HostUsage::recordRunCosts(ws, hosts, now), 0);
        QCOMPARE(tag(ws, alone, QStringLiteral("cairn.cost")).toDouble(), 2.0);

        RunQuery q;
        q.orderBy = QStringLiteral("tags.`cairn.cost` DESC");
        q.filter = QStringLiteral("tags.`cairn.cost` != ''");
        const QList<Run> sorted = ws.store().searchRuns(q);
        QCOMPARE(sorted.size(), 4);
        QCOMPARE(sorted.first().uuid, longRun);

        // The report of the last day: today's share of each host.
        const UsageReport day = HostUsage::report(ws, hosts, 1, now);
        QVERIFY(day.totalCost(QStringLiteral("gpu1")) > 0);
    }
};

QTEST_GUILESS_MAIN(tst_HostUsage)
#include "tst_hostusage.moc"
