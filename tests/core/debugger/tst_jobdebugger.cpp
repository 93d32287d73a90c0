// The debugger beside running jobs: histogram events from a stand-in worker are stored, rules
// are evaluated live from the store, and the stop action really stops the job.
#include "cairn/debugger/jobdebugger.h"
#include "cairn/debugger/tensorstore.h"
#include "cairn/jobs/jobmanager.h"
#include "cairn/store/experimentstore.h"
#include "cairn/workspace/workspace.h"

#include <QElapsedTimer>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

using namespace cairn;
using namespace cairn::debugger;

namespace {
// Gradients shrink to ~1e-10 from step `vanishAt`; one histogram every 50 ms.
QString workerScript(int vanishAt, int lastStep)
{
    return QStringLiteral(
               "echo '{\"type\":\"status\",\"status\":\"running\"}'\n"
               "i=0\n"
               "while [ $i -le %2 ]; do\n"
               "  if [ $i -ge %1 ]; then l1=4e-10; m=1e-10; else l1=0.004; m=0.001; fi\n"
               "  echo \"{\\\"type\\\":\\\"histogram\\\",\\\"name\\\":\\\"fc1.weight.grad\\\",\\\"step\\\":$i,\\\"count\\\":4,"
               "\\\"min\\\":-$m,\\\"max\\\":$m,\\\"mean\\\":0,\\\"std\\\":$m,\\\"nan\\\":0,\\\"inf\\\":0,\\\"zeros\\\":0,"
               "\\\"l1\\\":$l1,\\\"l2\\\":$m,\\\"edges\\\":[-$m,0,$m],\\\"counts\\\":[2,2]}\"\n"
               "  echo \"{\\\"type\\\":\\\"metric\\\",\\\"key\\\":\\\"train.loss\\\",\\\"value\\\":1,\\\"step\\\":$i}\"\n"
               "  i=$((i+10)); sleep 0.05\n"
               "done\n"
               "echo '{\"type\":\"status\",\"status\":\"finished\"}'\n")
        .arg(vanishAt)
        .arg(lastStep);
}

JobSpec spec(const QJsonArray &rules)
{
    JobSpec s;
    s.algorithm = QStringLiteral("stand-in");
    data::ChannelSpec train;
    train.path = QStringLiteral("/dev/null");
    s.channels.insert(QStringLiteral("train"), train);
    s.debugger.collections = {QStringLiteral("gradients")};
    s.debugger.interval = 10;
    s.debugger.rules = rules;
    return s;
}
} // namespace

class tst_JobDebugger : public QObject
{
    Q_OBJECT

    std::unique_ptr<QTemporaryDir> m_dir;
    std::unique_ptr<Workspace> m_ws;

    std::unique_ptr<JobManager> manager(const QString &script)
    {
        auto m = std::make_unique<JobManager>(*m_ws);
        m->setWorkerCommand(QStringLiteral("/bin/sh"), {QStringLiteral("-c"), script, QStringLiteral("sh")});
        m->setFlushInterval(20);
        m->setStopGracePeriods(300, 300);
        JobDebugger::of(m.get())->setEvaluationInterval(50);
        return m;
    }

    static bool waitIdle(JobManager &m, int ms = 20000)
    {
        QElapsedTimer t;
        t.start();
        while (!m.isIdle() && t.elapsed() < ms)
            QTest::qWait(20);
        return m.isIdle();
    }

private Q_SLOTS:
    void init()
    {
        m_dir = std::make_unique<QTemporaryDir>();
        m_ws = std::make_unique<Workspace>(m_dir->path());
    }
    void cleanup()
    {
        m_ws.reset();
        m_dir.reset();
    }

    void storesHistogramsAndStopsOnRule()
    {
        auto m = manager(workerScript(100, 1000));
        QVERIFY(JobDebugger::of(m.get()));
        QSignalSpy fired(JobDebugger::of(m.get()), &JobDebugger::ruleFired);
        QSignalSpy finished(m.get(), &JobManager::jobFinished);
        const QJsonArray rules{QJsonObject{{QStringLiteral("name"), QStringLiteral("VanishingGradient")},
                                           {QStringLiteral("actions"), QJsonArray{QStringLiteral("stop"), QStringLiteral("notify")}}},
                               QStringLiteral("ExplodingTensor")};
        const QString id = m->submit(spec(rules));
        QVERIFY(waitIdle(*m));
        QCOMPARE(finished.size(), 1);
        const JobRecord record = m->job(id);
        QCOMPARE(record.state, JobState::Stopped);
        QVERIFY2(record.message.contains(QLatin1String("VanishingGradient")), qPrintable(record.message));
        QCOMPARE(fired.size(), 1);
        const RuleResult r = fired.first().at(2).value<RuleResult>();
        QCOMPARE(r.rule, QStringLiteral("VanishingGradient"));
        QCOMPARE(r.step, 100);

        const Run run = m_ws->store().run(record.runUuid);
        QCOMPARE(run.status, RunStatus::Killed);
        TensorStore ts(m_ws->store());
        const TensorSeries s = ts.series(run.id, QStringLiteral("fc1.weight.grad"));
        QVERIFY(s.samples.size() >= 11);
        QCOMPARE(s.info.collection, QStringLiteral("gradients"));
        QCOMPARE(s.samples.front().bins(), 2);
        // It stopped well before the worker's 1000 steps.
        QVERIFY2(s.samples.back().step < 1000, qPrintable(QString::number(s.samples.back().step)));
        const QList<RuleResult> stored = ts.ruleResults(run.id);
        QCOMPARE(stored.size(), 2);
        QCOMPARE(stored.at(0).rule, QStringLiteral("ExplodingTensor"));
        QCOMPARE(stored.at(0).status, RuleStatus::NoIssuesFound);
        QCOMPARE(stored.at(1).status, RuleStatus::IssuesFound);
        QCOMPARE(stored.at(1).step, 100);
    }

    void notifyOnlyLetsTheJobFinish()
    {
        auto m = manager(workerScript(60, 150));
        QSignalSpy fired(JobDebugger::of(m.get()), &JobDebugger::ruleFired);
        const QString id = m->submit(spec(QJsonArray{QStringLiteral("VanishingGradient")}));
        QVERIFY(waitIdle(*m));
        QCOMPARE(m->job(id).state, JobState::Finished);
        QCOMPARE(fired.size(), 1);
        const Run run = m_ws->store().run(m->job(id).runUuid);
        const QList<RuleResult> stored = TensorStore(m_ws->store()).ruleResults(run.id);
        QCOMPARE(stored.size(), 1);
        QCOMPARE(stored.at(0).status, RuleStatus::IssuesFound);
        QCOMPARE(stored.at(0).step, 60);
    }

    void jobsWithoutRulesStillStoreHistograms()
    {
        auto m = manager(workerScript(1000, 50));
        const QString id = m->submit(spec({}));
        QVERIFY(waitIdle(*m));
        QCOMPARE(m->job(id).state, JobState::Finished);
        const Run run = m_ws->store().run(m->job(id).runUuid);
        TensorStore ts(m_ws->store());
        QCOMPARE(ts.series(run.id, QStringLiteral("fc1.weight.grad")).samples.size(), size_t(6));
        QVERIFY(ts.ruleResults(run.id).isEmpty());
    }
};

QTEST_GUILESS_MAIN(tst_JobDebugger)
#include "tst_jobdebugger.moc"
