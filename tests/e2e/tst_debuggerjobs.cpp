// The live rule runner (JobDebugger) beside real workers (`cairn worker`, not a stand-in):
// an XGBoost job recording feature_importance and tree_depth, checked against Python's xgboost
// reading the saved model, with TreeDepth firing (notify: the job goes on); and a torch MLP whose
// loss does not decrease, where LossNotDecreasing fires and its stop action stops the job.
#include "clirunner.h"

#include "cairn/debugger/jobdebugger.h"
#include "cairn/debugger/tensorstore.h"
#include "cairn/jobs/jobmanager.h"
#include "cairn/store/experimentstore.h"
#include "cairn/workspace/workspace.h"

#include <QDir>
#include <QElapsedTimer>
#include <QJsonArray>
#include <QJsonObject>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

using namespace cairn;
using namespace cairn::debugger;

namespace {

JobSpec tabularSpec(const QString &algorithm, const QJsonObject &hyperparameters)
{
    JobSpec s;
    s.algorithm = algorithm;
    data::ChannelSpec train;
    train.path = sharedTable(QStringLiteral("titanic.csv"));
    s.channels.insert(QStringLiteral("train"), train);
    s.target = QStringLiteral("survived");
    s.hyperparameters = hyperparameters;
    s.resources.cpus = 1;
    return s;
}

RuleResult resultOf(const QList<RuleResult> &results, const QString &rule)
{
    for (const RuleResult &r : results)
        if (r.rule == rule)
            return r;
    return {};
}

} // namespace

class tst_DebuggerJobs : public QObject
{
    Q_OBJECT

    QTemporaryDir m_dir;
    std::unique_ptr<Workspace> m_ws;

    std::unique_ptr<JobManager> manager()
    {
        auto m = std::make_unique<JobManager>(*m_ws);
        m->setWorkerCommand(QStringLiteral(CAIRN_CLI_PATH));
        m->setFlushInterval(50);
        JobDebugger::of(m.get())->setEvaluationInterval(200);
        return m;
    }

    static bool waitIdle(JobManager &m, int ms = 240000)
    {
        QElapsedTimer t;
        t.start();
        while (!m.isIdle() && t.elapsed() < ms)
            QTest::qWait(50);
        return m.isIdle();
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY2(QFileInfo::exists(sharedTable(QStringLiteral("titanic.csv"))), "../shared/data is missing: the jobs train on its titanic.csv");
        m_ws = std::make_unique<Workspace>(m_dir.filePath(QStringLiteral("ws")));
    }

    void xgboostCollectionsAndTreeDepthRule()
    {
        auto m = manager();
        QSignalSpy fired(JobDebugger::of(m.get()), &JobDebugger::ruleFired);
        // 21 rounds collected every 5: rounds 0, 5, 10, 15 and 20 (the last, the saved model).
        JobSpec spec = tabularSpec(QStringLiteral("xgboost"), {{QStringLiteral("num_round"), 21}, {QStringLiteral("max_depth"), 3}});
        spec.debugger.collections = {QStringLiteral("feature_importance"), QStringLiteral("tree_depth")};
        spec.debugger.interval = 5;
        spec.debugger.rules = QJsonArray{
            QJsonObject{{QStringLiteral("name"), QStringLiteral("TreeDepth")}, {QStringLiteral("parameters"), QJsonObject{{QStringLiteral("depth"), 4}}}},
            QStringLiteral("FeatureImportanceOverweight")};
        const QString id = m->submit(spec);
        QVERIFY(waitIdle(*m));
        const JobRecord record = m->job(id);
        QVERIFY2(record.state == JobState::Finished, qPrintable(record.message)); // notify does not stop

        const Run run = m_ws->store().run(record.runUuid);
        TensorStore ts(m_ws->store());
        const TensorSeries depth = ts.series(run.id, QStringLiteral("trees.depth"));
        QCOMPARE(depth.info.collection, QStringLiteral("tree_depth"));
        QList<qint64> steps;
        for (const TensorSample &s : depth.samples)
            steps << s.step;
        QCOMPARE(steps, (QList<qint64>{0, 5, 10, 15, 20}));

        // Python's xgboost reads the saved model: split counts per feature (weight importance)
        // and each round's tree depth must be what the worker recorded while training.
        const QString model = QDir(m_ws->artifactDir(run.uuid)).filePath(QStringLiteral("model/model.xgb.json"));
        const ProcessResult py = python(QStringLiteral(
                                            "import json, xgboost as xgb\n"
                                            "b = xgb.Booster(); b.load_model('%1')\n"
                                            "def depth(n): return max([1 + depth(c) for c in n.get('children', [])], default=0)\n"
                                            "print(json.dumps({'weight': b.get_score(importance_type='weight'),\n"
                                            "                  'depths': [depth(json.loads(t)) for t in b.get_dump(dump_format='json')]}))\n")
                                            .arg(model));
        QVERIFY2(py.exitCode == 0, qPrintable(py.err));
        const QJsonObject anchor = py.json().object();
        const QJsonArray depths = anchor.value(QStringLiteral("depths")).toArray();
        QCOMPARE(depths.size(), 21); // binary: one tree a round
        for (const TensorSample &s : depth.samples) {
            QCOMPARE(s.count, qint64(1));
            QCOMPARE(s.max, depths.at(int(s.step)).toDouble());
            QVERIFY(s.max <= 3);
        }
        const QJsonObject weight = anchor.value(QStringLiteral("weight")).toObject();
        QVERIFY(!weight.isEmpty());
        for (auto it = weight.begin(); it != weight.end(); ++it) {
            const TensorSeries f = ts.series(run.id, QStringLiteral("feature_importance/weight/") + it.key());
            QVERIFY2(!f.samples.empty(), qPrintable(it.key()));
            QCOMPARE(f.info.collection, QStringLiteral("feature_importance"));
            QCOMPARE(f.samples.back().step, qint64(20));
            QCOMPARE(f.samples.back().mean, it.value().toDouble());
            QVERIFY(!ts.series(run.id, QStringLiteral("feature_importance/gain/") + it.key()).samples.empty());
        }

        // TreeDepth fired live (trees of depth <= 3 < 4) from round 0 and notified; the other
        // rule ran over the same data.
        const QList<RuleResult> results = ts.ruleResults(run.id);
        const RuleResult tree = resultOf(results, QStringLiteral("TreeDepth"));
        QCOMPARE(tree.status, RuleStatus::IssuesFound);
        QCOMPARE(tree.step, qint64(0));
        QVERIFY2(tree.message.contains(QStringLiteral("below 4")), qPrintable(tree.message));
        const RuleResult fi = resultOf(results, QStringLiteral("FeatureImportanceOverweight"));
        QVERIFY2(fi.status == RuleStatus::IssuesFound || fi.status == RuleStatus::NoIssuesFound, qPrintable(fi.message));
        QVERIFY(fi.evaluatedStep >= 20);
        bool treeFired = false;
        for (const QList<QVariant> &args : fired)
            treeFired |= args.at(2).value<RuleResult>().rule == QLatin1String("TreeDepth");
        QVERIFY(treeFired);
    }

    void torchRuleStopsTheJob()
    {
        auto m = manager();
        QSignalSpy fired(JobDebugger::of(m.get()), &JobDebugger::ruleFired);
        // One full batch a step (train.loss logged at each) and a learning rate of 1e-6: the loss
        // falls by far less than 0.1% in 20 steps, which LossNotDecreasing sees at its first check
        // (step 20); left alone the job would run 10,000 steps.
        JobSpec spec = tabularSpec(QStringLiteral("mlp"), {{QStringLiteral("epochs"), 10000},
                                                           {QStringLiteral("batch_size"), 65536},
                                                           {QStringLiteral("learning_rate"), 1e-6},
                                                           {QStringLiteral("dropout"), 0}});
        spec.debugger.collections = {QStringLiteral("gradients")};
        spec.debugger.interval = 10;
        spec.debugger.rules = QJsonArray{QJsonObject{{QStringLiteral("name"), QStringLiteral("LossNotDecreasing")},
                                                     {QStringLiteral("parameters"), QJsonObject{{QStringLiteral("num_steps"), 20}}},
                                                     {QStringLiteral("actions"), QJsonArray{QStringLiteral("stop"), QStringLiteral("notify")}}},
                                         QStringLiteral("ExplodingTensor")};
        const QString id = m->submit(spec);
        QVERIFY(waitIdle(*m));
        const JobRecord record = m->job(id);
        QVERIFY2(record.state == JobState::Stopped, qPrintable(jobStateName(record.state) + QStringLiteral(": ") + record.message));
        QVERIFY2(record.message.contains(QStringLiteral("LossNotDecreasing")), qPrintable(record.message));
        QCOMPARE(fired.size(), 1);
        const RuleResult r = fired.first().at(2).value<RuleResult>();
        QCOMPARE(r.rule, QStringLiteral("LossNotDecreasing"));
        QCOMPARE(r.step, qint64(20));

        const Run run = m_ws->store().run(record.runUuid);
        QCOMPARE(run.status, RunStatus::Killed);
        const MetricSeries loss = m_ws->store().metricHistory(run.id, QStringLiteral("train.loss"));
        QVERIFY(loss.steps.size() > 20);
        QVERIFY2(loss.steps.last() < 9999, qPrintable(QString::number(loss.steps.last()))); // stopped, not finished
        // The loss really did not fall by 0.1% between the steps the rule compared.
        const qsizetype at0 = loss.steps.indexOf(0), at20 = loss.steps.indexOf(20);
        QVERIFY(at0 >= 0 && at20 >= 0);
        QVERIFY2(loss.values.at(at20) > loss.values.at(at0) * (1 - 0.001),
                 qPrintable(QStringLiteral("%1 -> %2").arg(loss.values.at(at0)).arg(loss.values.at(at20))));
        // The gradients were recorded live, every 10 steps.
        TensorStore ts(m_ws->store());
        int gradients = 0;
        for (const TensorInfo &t : ts.tensors(run.id))
            if (t.collection == QLatin1String("gradients")) {
                ++gradients;
                QCOMPARE(t.firstStep, qint64(0));
                QCOMPARE(t.lastStep % 10, qint64(0));
            }
        QVERIFY(gradients >= 2);
        const QList<RuleResult> stored = ts.ruleResults(run.id);
        QCOMPARE(resultOf(stored, QStringLiteral("LossNotDecreasing")).status, RuleStatus::IssuesFound);
        QCOMPARE(resultOf(stored, QStringLiteral("ExplodingTensor")).status, RuleStatus::NoIssuesFound);
    }
};

QTEST_GUILESS_MAIN(tst_DebuggerJobs)
#include "tst_debuggerjobs.moc"
