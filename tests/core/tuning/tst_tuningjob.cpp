// Tuning jobs through the real JobManager with stand-in workers (a Python script that reads the
// spec and reports Branin of its hyperparameters as a metric curve): parallel trials run at once
// within the limit, trials are child runs, a crashing trial is recorded and the search goes on,
// the median rule stops poor trials, and warm start reuses an earlier job's trials.
#include "testfunctions.h"

#include "cairn/jobs/jobmanager.h"
#include "cairn/store/experimentstore.h"
#include "cairn/tuning/tuningjob.h"
#include "cairn/workspace/workspace.h"

#include <QSignalSpy>
#include <QTemporaryDir>
#include <QtTest>

using namespace cairn;
using namespace cairn::tuning;

namespace {
// Reports a falling curve that ends at Branin(x1, x2); crashes when x1 < crash_below.
const char *kWorker = R"PY(
import json, math, sys, time
spec = json.load(open(sys.argv[sys.argv.index("--spec") + 1]))
hp = spec["hyperparameters"]
x1, x2 = float(hp["x1"]), float(hp["x2"])
def emit(**o):
    print(json.dumps(o), flush=True)
emit(type="status", status="running")
if x1 < float(hp.get("crash_below", -99)):
    print("simulated crash", file=sys.stderr)
    sys.exit(3)
b, c, t = 5.1 / (4 * math.pi ** 2), 5 / math.pi, 1 / (8 * math.pi)
f = (x2 - b * x1 * x1 + c * x1 - 6) ** 2 + 10 * (1 - t) * math.cos(x1) + 10
steps = int(hp.get("steps", 4))
for step in range(steps):
    emit(type="metric", key="validation.loss", value=f * (1 + 0.5 * (steps - 1 - step)), step=step)
    time.sleep(float(hp.get("sleep", 0.05)))
emit(type="status", status="finished")
)PY";

TuningSpec braninSpec(int trials, int parallel)
{
    TuningSpec s;
    s.base.algorithm = QStringLiteral("stand-in");
    data::ChannelSpec train;
    train.path = QStringLiteral("/dev/null");
    s.base.channels.insert(QStringLiteral("train"), train);
    s.base.experiment = QStringLiteral("tuning-test");
    s.space = testfunctions::braninSpace();
    s.objective = QStringLiteral("validation:loss");
    s.maximize = false;
    s.maxTrials = trials;
    s.maxParallel = parallel;
    s.strategy = QStringLiteral("bayesian");
    return s;
}
} // namespace

class TestTuningJob : public QObject
{
    Q_OBJECT

    std::unique_ptr<QTemporaryDir> m_dir;
    std::unique_ptr<Workspace> m_ws;
    std::unique_ptr<JobManager> m_jobs;

    void runToEnd(TuningJob &job, int timeoutMs = 120000)
    {
        QSignalSpy done(&job, &TuningJob::finished);
        job.start();
        QVERIFY(job.isFinished() || done.wait(timeoutMs));
    }

private Q_SLOTS:
    void init()
    {
        m_dir = std::make_unique<QTemporaryDir>();
        m_ws = std::make_unique<Workspace>(m_dir->path());
        m_jobs = std::make_unique<JobManager>(*m_ws);
        m_jobs->setWorkerCommand(QStringLiteral("/usr/bin/python3"), {QStringLiteral("-c"), QString::fromUtf8(kWorker)});
        m_jobs->setFlushInterval(20);
        m_jobs->setMaxConcurrentJobs(8);
        m_jobs->setStopGracePeriods(200, 500);
    }
    void cleanup()
    {
        m_jobs.reset();
        m_ws.reset();
        m_dir.reset();
    }

    void parallelTrialsStayWithinTheLimit()
    {
        TuningSpec spec = braninSpec(8, 3);
        spec.base.hyperparameters.insert(QStringLiteral("sleep"), 0.15);
        // Connected before the tuning job, so a finished worker is counted out before the
        // tuning job launches the next one from the same signal.
        int running = 0, peak = 0;
        connect(m_jobs.get(), &JobManager::jobStarted, this, [&] { peak = std::max(peak, ++running); });
        connect(m_jobs.get(), &JobManager::jobFinished, this, [&] { --running; });
        TuningJob job(*m_ws, *m_jobs, spec);
        runToEnd(job);
        QCOMPARE(job.trials().size(), 8);
        QVERIFY2(peak == 3, qPrintable(QStringLiteral("peak %1").arg(peak))); // really concurrent, never more
        ExperimentStore &store = m_ws->store();
        const Run tuningRun = store.run(job.runUuid());
        QCOMPARE(tuningRun.status, RunStatus::Finished);
        QCOMPARE(tuningRun.sourceType, QStringLiteral("TUNING"));
        const QList<Run> children = store.childRuns(job.runUuid());
        QCOMPARE(children.size(), 8);
        QVERIFY(job.best());
        double bestSeen = INFINITY;
        for (const Trial &t : job.trials()) {
            QCOMPARE(t.state, JobState::Finished);
            QVERIFY(std::isfinite(t.objective));
            bestSeen = std::min(bestSeen, t.objective);
        }
        QCOMPARE(job.best()->objective, bestSeen);
        // The tuning run records the best so far per trial, and tags the best run.
        const MetricSeries best = store.metricHistory(tuningRun.id, QStringLiteral("best_objective"));
        QCOMPARE(best.values.size(), 8);
        QCOMPARE(best.values.last(), bestSeen);
        bool tagged = false;
        for (const Tag &tag : store.tags(tuningRun.id))
            tagged = tagged || (tag.key == QLatin1String("best_run") && tag.value == job.best()->runUuid);
        QVERIFY(tagged);
        // Each trial's run carries exactly the params the search chose for it.
        for (const Trial &t : job.trials()) {
            QCOMPARE(t.params.keys(), (QStringList{QStringLiteral("x1"), QStringLiteral("x2")}));
            QHash<QString, QString> logged;
            for (const Param &p : store.params(store.run(t.runUuid).id))
                logged.insert(p.key, p.value);
            for (const QString &key : t.params.keys()) {
                QVERIFY2(logged.contains(key), qPrintable(key));
                QCOMPARE(logged.value(key).toDouble(), t.params.value(key).toDouble());
            }
        }
    }

    void aCrashingTrialDoesNotStopTheSearch()
    {
        TuningSpec spec = braninSpec(6, 2);
        spec.strategy = QStringLiteral("random");
        spec.base.hyperparameters.insert(QStringLiteral("crash_below"), 2.5); // x1 in [-5, 10]: about half crash
        TuningJob job(*m_ws, *m_jobs, spec);
        runToEnd(job);
        QCOMPARE(job.trials().size(), 6);
        int failed = 0, finished = 0;
        for (const Trial &t : job.trials()) {
            if (t.state == JobState::Failed) {
                ++failed;
                QVERIFY(std::isnan(t.objective));
                QCOMPARE(m_ws->store().run(t.runUuid).status, RunStatus::Failed);
            } else if (t.state == JobState::Finished)
                ++finished;
        }
        QVERIFY2(failed > 0 && finished > 0, qPrintable(QStringLiteral("failed %1 finished %2").arg(failed).arg(finished)));
        QCOMPARE(m_ws->store().run(job.runUuid()).status, RunStatus::Finished);
    }

    void medianRuleStopsPoorTrials()
    {
        TuningSpec spec = braninSpec(10, 2);
        spec.strategy = QStringLiteral("random");
        spec.earlyStopping = true;
        // Enough steps that a stop decided mid-way reaches the trial long before its end, on a
        // loaded machine too.
        const int steps = 30;
        spec.base.hyperparameters.insert(QStringLiteral("steps"), steps);
        spec.base.hyperparameters.insert(QStringLiteral("sleep"), 0.08);
        TuningJob job(*m_ws, *m_jobs, spec);
        runToEnd(job);
        int stopped = 0;
        for (const Trial &t : job.trials())
            if (t.earlyStopped) {
                ++stopped;
                const MetricSeries curve = m_ws->store().metricHistory(m_ws->store().run(t.runUuid).id, QStringLiteral("validation.loss"));
                QVERIFY2(curve.values.size() < steps, "an early-stopped trial must not run to the end");
            }
        QVERIFY2(stopped > 0, "the median rule should stop at least one poor trial out of ten");
        QVERIFY(job.best() && !job.best()->earlyStopped);
    }

    void warmStartReusesEarlierTrials()
    {
        TuningJob first(*m_ws, *m_jobs, braninSpec(5, 2));
        runToEnd(first);
        TuningSpec spec = braninSpec(2, 2);
        spec.warmStartFrom = {first.runUuid()};
        TuningJob second(*m_ws, *m_jobs, spec);
        runToEnd(second);
        bool found = false;
        for (const Param &p : m_ws->store().params(m_ws->store().run(second.runUuid()).id))
            if (p.key == QLatin1String("warm_start_trials")) {
                found = true;
                QCOMPARE(p.value, QStringLiteral("5"));
            }
        QVERIFY(found);
        // Bayesian steps start at once (5 warm observations ≥ its random start).
        QCOMPARE(second.trials().size(), 2);
    }

    void stopEndsTheJob()
    {
        TuningSpec spec = braninSpec(20, 2);
        spec.base.hyperparameters.insert(QStringLiteral("sleep"), 0.5);
        spec.base.hyperparameters.insert(QStringLiteral("steps"), 20);
        TuningJob job(*m_ws, *m_jobs, spec);
        QSignalSpy done(&job, &TuningJob::finished);
        job.start();
        QTest::qWait(1500);
        job.stop();
        QVERIFY(job.isFinished() || done.wait(20000));
        QVERIFY(job.trials().size() < 20);
        QCOMPARE(m_ws->store().run(job.runUuid()).status, RunStatus::Killed);
    }

    void badSpecsAreRefused()
    {
        TuningSpec noTrials = braninSpec(0, 1);
        TuningJob a(*m_ws, *m_jobs, noTrials);
        QVERIFY_THROWS_EXCEPTION(Error, a.start());
        TuningSpec badStrategy = braninSpec(3, 1);
        badStrategy.strategy = QStringLiteral("annealing");
        TuningJob b(*m_ws, *m_jobs, badStrategy);
        QVERIFY_THROWS_EXCEPTION(Error, b.start());
        QCOMPARE(TuningSpec::normaliseObjective(QStringLiteral("validation:auc")), QStringLiteral("validation.auc"));
        const TuningSpec roundTrip = TuningSpec::fromJson(braninSpec(7, 3).toJson());
        QCOMPARE(roundTrip.maxTrials, 7);
        QCOMPARE(roundTrip.space.size(), 2);
        QCOMPARE(roundTrip.objective, QStringLiteral("validation.loss"));
    }
};

QTEST_GUILESS_MAIN(TestTuningJob)
#include "tst_tuningjob.moc"
