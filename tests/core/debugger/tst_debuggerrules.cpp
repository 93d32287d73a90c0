// Each built-in rule fires on synthetic data made to show its problem, at the right step, and
// stays quiet on a healthy run; configuration errors are reported, missing data is an Error.
#include "debuggertestdata.h"

#include "cairn/debugger/rulerunner.h"
#include "cairn/util/error.h"
#include "cairn/workspace/workspace.h"

#include <QTemporaryDir>
#include <QTest>

using namespace cairn;
using namespace cairn::debugger;
using namespace cairn::debugger::testdata;

namespace {
std::vector<double> filled(int n, double v) { return std::vector<double>(size_t(n), v); }
}

class tst_DebuggerRules : public QObject
{
    Q_OBJECT

    std::unique_ptr<QTemporaryDir> m_dir;
    std::unique_ptr<Workspace> m_ws;

    ExperimentStore &store() { return m_ws->store(); }

    RuleResult evaluate(qint64 runId, const QString &rule, const QJsonObject &params = {})
    {
        RuleConfig c;
        c.name = rule;
        c.parameters = params;
        const QList<RuleResult> r = RuleRunner::evaluateRun(store(), runId, {c});
        return r.first();
    }

    void expectFires(qint64 runId, const QString &rule, qint64 step, const QJsonObject &params = {})
    {
        const RuleResult r = evaluate(runId, rule, params);
        QVERIFY2(r.status == RuleStatus::IssuesFound, qPrintable(rule + QStringLiteral(": ") + ruleStatusName(r.status) + QStringLiteral(" ") + r.message));
        QCOMPARE(r.step, step);
        QVERIFY2(r.message.size() > 40, qPrintable(r.message));
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

    void catalogueHasSageMakersRulesAndDefaults()
    {
        QStringList names;
        for (const RuleInfo &r : ruleCatalogue())
            names << r.name;
        for (const char *n : {"VanishingGradient", "ExplodingTensor", "LossNotDecreasing", "Overfit", "Overtraining",
                              "WeightUpdateRatio", "DeadRelu", "SaturatedActivation", "PoorWeightInitialization", "AllZero",
                              "UnchangedTensor", "TensorVariance", "ClassImbalance", "StalledTrainingRule", "TreeDepth",
                              "FeatureImportanceOverweight"})
            QVERIFY2(names.contains(QLatin1String(n)), n);
        QCOMPARE(findRule(QStringLiteral("VanishingGradient"))->defaults().value(QStringLiteral("threshold")).toDouble(), 1e-7);
        QCOMPARE(findRule(QStringLiteral("LossNotDecreasing"))->defaults().value(QStringLiteral("num_steps")).toInt(), 10);
        const QJsonObject overfit = findRule(QStringLiteral("Overfit"))->defaults();
        QCOMPARE(overfit.value(QStringLiteral("patience")).toInt(), 1);
        QCOMPARE(overfit.value(QStringLiteral("ratio_threshold")).toDouble(), 0.1);
        const QJsonObject wur = findRule(QStringLiteral("WeightUpdateRatio"))->defaults();
        QCOMPARE(wur.value(QStringLiteral("large_threshold")).toDouble(), 10.0);
        QCOMPARE(wur.value(QStringLiteral("small_threshold")).toDouble(), 1e-8);
        const QJsonObject relu = findRule(QStringLiteral("DeadRelu"))->defaults();
        QCOMPARE(relu.value(QStringLiteral("threshold_inactivity")).toDouble(), 1.0);
        QCOMPARE(relu.value(QStringLiteral("threshold_layer")).toDouble(), 50.0);
        QCOMPARE(findRule(QStringLiteral("StalledTrainingRule"))->defaults().value(QStringLiteral("threshold")).toInt(), 1800);
        QVERIFY(findRule(QStringLiteral("TreeDepth"))->xgboost);
        QVERIFY(findRule(QStringLiteral("vanishinggradient")));
    }

    void configurationErrors()
    {
        QVERIFY_THROWS_EXCEPTION(Error, createRule(QStringLiteral("NoSuchRule")));
        QVERIFY_THROWS_EXCEPTION(Error, createRule(QStringLiteral("Overfit"), QJsonObject{{QStringLiteral("patiense"), 2}}));
        QVERIFY_THROWS_EXCEPTION(Error, createRule(QStringLiteral("Overfit"), QJsonObject{{QStringLiteral("patience"), QStringLiteral("two")}}));
        // Command-line values arrive as text and take the default's type.
        auto rule = createRule(QStringLiteral("Overfit"), QJsonObject{{QStringLiteral("patience"), QStringLiteral("3")}});
        QCOMPARE(rule->parameters().value(QStringLiteral("patience")).toDouble(), 3.0);
        const QJsonArray rules{QStringLiteral("VanishingGradient"),
                               QJsonObject{{QStringLiteral("name"), QStringLiteral("LossNotDecreasing")},
                                           {QStringLiteral("parameters"), QJsonObject{{QStringLiteral("num_steps"), 20}}},
                                           {QStringLiteral("actions"), QJsonArray{QStringLiteral("stop"), QStringLiteral("notify")}}}};
        const QList<RuleConfig> configs = RuleConfig::listFromJson(rules);
        QCOMPARE(configs.size(), 2);
        QVERIFY(configs.at(0).notifies() && !configs.at(0).stops());
        QVERIFY(configs.at(1).stops());
        QVERIFY_THROWS_EXCEPTION(Error, RuleConfig::listFromJson(QJsonArray{QJsonObject{
            {QStringLiteral("name"), QStringLiteral("Overfit")}, {QStringLiteral("actions"), QJsonArray{QStringLiteral("email")}}}}));
    }

    void healthyNetworkStaysQuiet()
    {
        const qint64 run = newRun(store(), QStringLiteral("healthy"));
        Builder b{store(), run};
        healthyNetwork(b);
        QList<RuleConfig> configs;
        for (const RuleInfo &info : ruleCatalogue())
            if (!info.xgboost)
                configs << RuleConfig{info.name, {}, {}};
        for (const RuleResult &r : RuleRunner::evaluateRun(store(), run, configs))
            QVERIFY2(r.status == RuleStatus::NoIssuesFound, qPrintable(r.rule + QStringLiteral(": ") + ruleStatusName(r.status) + QStringLiteral(" ") + r.message));
        // Results are stored for the GUI and the CLI.
        QCOMPARE(TensorStore(store()).ruleResults(run).size(), configs.size());
    }

    void healthyBoostingStaysQuiet()
    {
        const qint64 run = newRun(store(), QStringLiteral("xgb"));
        Builder b{store(), run};
        healthyBoosting(b);
        for (const char *rule : {"TreeDepth", "FeatureImportanceOverweight", "Overfit", "LossNotDecreasing", "ExplodingTensor"}) {
            const RuleResult r = evaluate(run, QLatin1String(rule));
            QVERIFY2(r.status == RuleStatus::NoIssuesFound, qPrintable(r.rule + QStringLiteral(": ") + r.message));
        }
    }

    void missingDataIsAnErrorAndLiveIsInProgress()
    {
        const qint64 finished = newRun(store(), QStringLiteral("empty"));
        const RuleResult r = evaluate(finished, QStringLiteral("VanishingGradient"));
        QCOMPARE(r.status, RuleStatus::Error);
        QVERIFY(r.message.contains(QLatin1String("gradients")));
        const qint64 running = newRun(store(), QStringLiteral("live"), RunStatus::Running);
        QCOMPARE(evaluate(running, QStringLiteral("VanishingGradient")).status, RuleStatus::InProgress);
    }

    void vanishingGradient()
    {
        const qint64 run = newRun(store(), QStringLiteral("deep-sigmoid"));
        Builder b{store(), run};
        b.tensor(QStringLiteral("fc1.weight.grad"), QStringLiteral("gradients"), steps(0, 100, 10),
                 [](qint64 s, QRandomGenerator &r) { return normal(r, 500, 0, s >= 50 ? 1e-9 : 1e-3); });
        b.flush();
        expectFires(run, QStringLiteral("VanishingGradient"), 50);
    }

    void explodingTensor()
    {
        const qint64 run = newRun(store(), QStringLiteral("huge-lr"));
        Builder b{store(), run};
        b.tensor(QStringLiteral("fc1.weight"), QStringLiteral("weights"), steps(0, 100, 10), [](qint64 s, QRandomGenerator &r) {
            auto v = normal(r, 100, 0, std::pow(10.0, double(s) / 10));
            if (s >= 30)
                v[3] = std::nan("");
            return v;
        });
        b.flush();
        expectFires(run, QStringLiteral("ExplodingTensor"), 30);
        // A NaN loss alone is enough too.
        const qint64 run2 = newRun(store(), QStringLiteral("nan-loss"));
        Builder b2{store(), run2};
        b2.metric(QStringLiteral("train.loss"), steps(0, 20, 1), [](qint64 s) { return s >= 12 ? std::nan("") : 1.0; });
        expectFires(run2, QStringLiteral("ExplodingTensor"), 12);
    }

    void lossNotDecreasing()
    {
        const qint64 run = newRun(store(), QStringLiteral("tiny-lr"));
        Builder b{store(), run};
        // Decreases for 30 steps, then flat. Checks every num_steps (10) against the previous
        // check: 10 vs 0, 20 vs 10, 30 vs 20 decrease; 40 vs 30 does not.
        b.metric(QStringLiteral("train.loss"), steps(0, 100, 1), [](qint64 s) { return s < 30 ? 2.3 - 0.01 * double(s) : 2.0; });
        expectFires(run, QStringLiteral("LossNotDecreasing"), 40);
        // A loss tensor in the losses collection works the same way.
        const qint64 run2 = newRun(store(), QStringLiteral("tiny-lr-hook"));
        Builder b2{store(), run2};
        b2.tensor(QStringLiteral("loss"), QStringLiteral("losses"), steps(0, 100, 1), [](qint64, QRandomGenerator &) { return std::vector<double>{2.3}; });
        b2.flush();
        expectFires(run2, QStringLiteral("LossNotDecreasing"), 10);
    }

    // SageMaker's definition of num_steps: the loss at a check is compared with the loss at the
    // previous check, at least num_steps behind; checks fall on saved steps.
    void lossNotDecreasingWindowIsSageMakers()
    {
        // SageMaker's own example: the loss saved every 3 steps, num_steps 10. Step 21 is
        // compared with step 9, and the next check is at step 33 (no loss at 31 and 32).
        const qint64 run = newRun(store(), QStringLiteral("every-3"));
        Builder b{store(), run};
        b.metric(QStringLiteral("train.loss"), steps(9, 60, 3), [](qint64 s) { return s <= 21 ? 3.0 - 0.05 * double(s) : 3.0 - 0.05 * 21; });
        const RuleResult r = evaluate(run, QStringLiteral("LossNotDecreasing"));
        QCOMPARE(r.status, RuleStatus::IssuesFound);
        QCOMPARE(r.step, 33);
        QVERIFY2(r.message.contains(QLatin1String("between step 21 and step 33")), qPrintable(r.message));

        // num_steps 50 on a loss logged every step: checks at 50, 100, 150, 200 — never at 199.
        const qint64 run2 = newRun(store(), QStringLiteral("every-step"));
        Builder b2{store(), run2};
        b2.metric(QStringLiteral("train.loss"), steps(0, 299, 1), [](qint64 s) { return s < 130 ? 1.0 - 0.005 * double(s) : 1.0 - 0.005 * 130; });
        expectFires(run2, QStringLiteral("LossNotDecreasing"), 200, QJsonObject{{QStringLiteral("num_steps"), 50}});
        // Decreasing all the way: no issue.
        const qint64 run3 = newRun(store(), QStringLiteral("learning"));
        Builder b3{store(), run3};
        b3.metric(QStringLiteral("train.loss"), steps(0, 299, 1), [](qint64 s) { return 1.0 - 0.002 * double(s); });
        QCOMPARE(evaluate(run3, QStringLiteral("LossNotDecreasing"), QJsonObject{{QStringLiteral("num_steps"), 50}}).status, RuleStatus::NoIssuesFound);
    }

    // Rules that do not apply to a model say so instead of reporting an error.
    void rulesThatDoNotApplyAreNotApplicable()
    {
        // A neural network trained by a job: the XGBoost rules do not apply.
        const qint64 mlp = newRun(store(), QStringLiteral("mlp"));
        store().logParam(store().runsByIds({mlp}).first().uuid, QStringLiteral("algorithm"), QStringLiteral("mlp"));
        Builder b{store(), mlp};
        b.tensor(QStringLiteral("fc1.relu_input"), QStringLiteral("activations"), steps(0, 100, 10), [](qint64, QRandomGenerator &r) { return normal(r, 256, 0, 1); });
        b.tensor(QStringLiteral("fc1.relu_output"), QStringLiteral("activations"), steps(0, 100, 10), [](qint64, QRandomGenerator &r) {
            auto v = normal(r, 256, 0, 1);
            for (double &x : v)
                x = std::max(0.0, x);
            return v;
        });
        b.flush();
        for (const char *rule : {"TreeDepth", "FeatureImportanceOverweight"}) {
            const RuleResult r = evaluate(mlp, QLatin1String(rule));
            QVERIFY2(r.status == RuleStatus::NotApplicable, qPrintable(r.rule + QStringLiteral(": ") + ruleStatusName(r.status) + QStringLiteral(" ") + r.message));
            QVERIFY2(r.message.contains(QLatin1String("mlp")), qPrintable(r.message));
        }
        // The activations were recorded, but there is no tanh or sigmoid to saturate: not
        // "turn on the activations collection".
        RuleResult r = evaluate(mlp, QStringLiteral("SaturatedActivation"));
        QVERIFY2(r.status == RuleStatus::NotApplicable, qPrintable(ruleStatusName(r.status) + QStringLiteral(" ") + r.message));
        QVERIFY2(!r.message.contains(QLatin1String("turn on")) && r.message.contains(QLatin1String("tanh or sigmoid")), qPrintable(r.message));
        QCOMPARE(evaluate(mlp, QStringLiteral("DeadRelu")).status, RuleStatus::NoIssuesFound);
        // Stored and read back as such.
        for (const RuleResult &stored : TensorStore(store()).ruleResults(mlp))
            if (stored.rule == QLatin1String("TreeDepth"))
                QCOMPARE(stored.status, RuleStatus::NotApplicable);

        // XGBoost: the neural-network rules do not apply.
        const qint64 xgb = newRun(store(), QStringLiteral("xgb"));
        store().logParam(store().runsByIds({xgb}).first().uuid, QStringLiteral("algorithm"), QStringLiteral("xgboost"));
        Builder bx{store(), xgb};
        healthyBoosting(bx);
        for (const char *rule : {"VanishingGradient", "DeadRelu", "SaturatedActivation", "WeightUpdateRatio", "PoorWeightInitialization"})
            QCOMPARE(evaluate(xgb, QLatin1String(rule)).status, RuleStatus::NotApplicable);

        // A script's run (no algorithm) that recorded a network's tensors: no trees to look at.
        const qint64 script = newRun(store(), QStringLiteral("script"));
        Builder bs{store(), script};
        healthyNetwork(bs);
        QCOMPARE(evaluate(script, QStringLiteral("TreeDepth")).status, RuleStatus::NotApplicable);
        // Nothing recorded at all: still the error that says what to turn on.
        const qint64 empty = newRun(store(), QStringLiteral("nothing"));
        r = evaluate(empty, QStringLiteral("TreeDepth"));
        QCOMPARE(r.status, RuleStatus::Error);
        QVERIFY(r.message.contains(QLatin1String("tree_depth")));
    }

    void overfit()
    {
        const qint64 run = newRun(store(), QStringLiteral("overfit"));
        Builder b{store(), run};
        b.metric(QStringLiteral("train.loss"), steps(0, 100, 10), [](qint64 s) { return 1.0 - 0.009 * double(s); });
        b.metric(QStringLiteral("validation.loss"), steps(0, 100, 10), [](qint64 s) { return s <= 40 ? 1.02 - 0.009 * double(s) : 0.66 + 0.01 * double(s - 40); });
        // Step 50: train 0.55, validation 0.76: 38% above.
        expectFires(run, QStringLiteral("Overfit"), 50);
        expectFires(run, QStringLiteral("Overfit"), 60, QJsonObject{{QStringLiteral("patience"), 2}});
    }

    void overtraining()
    {
        const qint64 run = newRun(store(), QStringLiteral("overtraining"));
        Builder b{store(), run};
        b.metric(QStringLiteral("train.loss"), steps(0, 30, 1), [](qint64 s) { return 1.0 - 0.02 * double(s); });
        b.metric(QStringLiteral("validation.loss"), steps(0, 30, 1), [](qint64 s) { return s < 10 ? 1.0 - 0.05 * double(s) : 0.55; });
        // Best at step 9 (0.55); ten evaluations without improvement end at step 19.
        expectFires(run, QStringLiteral("Overtraining"), 19);
    }

    void weightUpdateRatio()
    {
        const qint64 run = newRun(store(), QStringLiteral("big-updates"));
        Builder b{store(), run};
        b.tensor(QStringLiteral("fc1.weight.update_ratio"), QStringLiteral("update_ratios"), steps(0, 1000, 100),
                 [](qint64 s, QRandomGenerator &) { return std::vector<double>{s >= 500 ? 50.0 : 1e-3}; });
        b.flush();
        expectFires(run, QStringLiteral("WeightUpdateRatio"), 500);
        const qint64 frozen = newRun(store(), QStringLiteral("frozen"));
        Builder b2{store(), frozen};
        b2.tensor(QStringLiteral("fc1.weight.update_ratio"), QStringLiteral("update_ratios"), steps(0, 100, 10),
                  [](qint64, QRandomGenerator &) { return std::vector<double>{1e-12}; });
        b2.flush();
        expectFires(frozen, QStringLiteral("WeightUpdateRatio"), 0);
    }

    void deadRelu()
    {
        const qint64 run = newRun(store(), QStringLiteral("dead-relu"));
        Builder b{store(), run};
        b.tensor(QStringLiteral("relu1.relu_output"), QStringLiteral("activations"), steps(0, 50, 10), [](qint64, QRandomGenerator &r) {
            auto v = normal(r, 256, 0, 1);
            for (double &x : v)
                x = std::max(0.0, x);
            return v;
        });
        // From step 20, 80% of the 32 units never fire.
        b.tensor(QStringLiteral("relu1.relu_activity"), QStringLiteral("activations"), steps(0, 50, 10), [](qint64 s, QRandomGenerator &r) {
            auto v = normal(r, 32, 50, 5);
            if (s >= 20)
                for (int i = 0; i < 26; ++i)
                    v[size_t(i)] = 0;
            return v;
        });
        b.flush();
        expectFires(run, QStringLiteral("DeadRelu"), 20);
    }

    void saturatedActivation()
    {
        const qint64 run = newRun(store(), QStringLiteral("saturated"));
        Builder b{store(), run};
        b.tensor(QStringLiteral("tanh1.tanh_input"), QStringLiteral("activations"), steps(0, 50, 10),
                 [](qint64 s, QRandomGenerator &r) { return normal(r, 1000, 0, s >= 30 ? 40 : 1); });
        b.flush();
        expectFires(run, QStringLiteral("SaturatedActivation"), 30);
    }

    void poorWeightInitialization()
    {
        const qint64 run = newRun(store(), QStringLiteral("poor-init"));
        Builder b{store(), run};
        b.tensor(QStringLiteral("relu1.relu_input"), QStringLiteral("activations"), steps(0, 20, 5), [](qint64, QRandomGenerator &r) { return normal(r, 500, 0, 1); });
        b.tensor(QStringLiteral("relu2.relu_input"), QStringLiteral("activations"), steps(0, 20, 5), [](qint64, QRandomGenerator &r) { return normal(r, 500, 0, 0.01); });
        b.flush();
        expectFires(run, QStringLiteral("PoorWeightInitialization"), 0);
        // From weights scaled by fan-in, when no activation inputs were recorded.
        const qint64 run2 = newRun(store(), QStringLiteral("poor-init-weights"));
        Builder b2{store(), run2};
        b2.tensor(QStringLiteral("fc1.weight"), QStringLiteral("weights"), {0}, [](qint64, QRandomGenerator &r) { return normal(r, 640, 0, 0.125); });
        b2.tensor(QStringLiteral("fc1.bias"), QStringLiteral("biases"), {0}, [](qint64, QRandomGenerator &r) { return normal(r, 10, 0, 0.1); });
        b2.tensor(QStringLiteral("fc2.weight"), QStringLiteral("weights"), {0}, [](qint64, QRandomGenerator &r) { return normal(r, 100, 0, 5); });
        b2.tensor(QStringLiteral("fc2.bias"), QStringLiteral("biases"), {0}, [](qint64, QRandomGenerator &r) { return normal(r, 10, 0, 0.1); });
        b2.flush();
        expectFires(run2, QStringLiteral("PoorWeightInitialization"), 0);
    }

    void allZero()
    {
        const qint64 run = newRun(store(), QStringLiteral("all-zero"));
        Builder b{store(), run};
        b.tensor(QStringLiteral("fc2.weight"), QStringLiteral("weights"), steps(0, 40, 10),
                 [](qint64 s, QRandomGenerator &r) { return s >= 20 ? filled(100, 0) : normal(r, 100, 0, 1); });
        b.flush();
        expectFires(run, QStringLiteral("AllZero"), 20);
    }

    void unchangedTensor()
    {
        const qint64 run = newRun(store(), QStringLiteral("frozen-layer"));
        Builder b{store(), run};
        b.tensor(QStringLiteral("fc1.weight"), QStringLiteral("weights"), steps(0, 60, 10), [](qint64 s, QRandomGenerator &) {
            QRandomGenerator fixed(s < 20 ? quint32(s + 1) : 7u);
            return normal(fixed, 100, 0, 1);
        });
        b.flush();
        // Identical from step 20: three saved steps alike by step 40.
        expectFires(run, QStringLiteral("UnchangedTensor"), 40);
    }

    void tensorVariance()
    {
        const qint64 run = newRun(store(), QStringLiteral("variance"));
        Builder b{store(), run};
        b.tensor(QStringLiteral("fc1.weight"), QStringLiteral("weights"), steps(0, 40, 10),
                 [](qint64 s, QRandomGenerator &r) { return normal(r, 200, 0, s >= 30 ? 1000 : 1); });
        b.flush();
        expectFires(run, QStringLiteral("TensorVariance"), 30);
    }

    void classImbalance()
    {
        const qint64 run = newRun(store(), QStringLiteral("imbalanced"));
        Builder b{store(), run};
        b.classes(QStringLiteral("labels"), steps(0, 40, 10), {990, 10});
        b.classes(QStringLiteral("labels_mispredicted"), steps(0, 40, 10), {5, 3});
        b.flush();
        expectFires(run, QStringLiteral("ClassImbalance"), 0);
        const qint64 run2 = newRun(store(), QStringLiteral("ignored-class"));
        Builder b2{store(), run2};
        b2.classes(QStringLiteral("labels"), steps(0, 40, 10), {100, 100, 100});
        b2.classes(QStringLiteral("labels_mispredicted"), steps(0, 40, 10), {5, 90, 3});
        b2.flush();
        expectFires(run2, QStringLiteral("ClassImbalance"), 10); // 300 samples per step: judged from the second
    }

    void stalledTraining()
    {
        const qint64 run = newRun(store(), QStringLiteral("stalled"), RunStatus::Running);
        Builder b{store(), run};
        b.metric(QStringLiteral("train.loss"), steps(0, 5, 1), [](qint64 s) { return 1.0 / double(s + 1); });
        RuleRunner runner(store(), run, {RuleConfig{QStringLiteral("StalledTrainingRule"), {}, {QStringLiteral("stop")}}});
        runner.data().setNow(nowMs() + 60 * 1000);
        QCOMPARE(runner.evaluate(false).first().status, RuleStatus::InProgress);
        runner.data().setNow(nowMs() + 1801 * 1000);
        const RuleResult r = runner.evaluate(false).first();
        QCOMPARE(r.status, RuleStatus::IssuesFound);
        QCOMPARE(r.step, 5);
        QCOMPARE(runner.newlyFired().size(), 1);
        QCOMPARE(r.actions, QStringList{QStringLiteral("stop")});
    }

    void treeDepth()
    {
        const qint64 run = newRun(store(), QStringLiteral("shallow"));
        Builder b{store(), run};
        b.tensor(QStringLiteral("trees.depth"), QStringLiteral("tree_depth"), steps(0, 20, 1),
                 [](qint64 s, QRandomGenerator &) { return s >= 8 ? std::vector<double>{2, 1} : std::vector<double>{6, 5}; });
        b.flush();
        expectFires(run, QStringLiteral("TreeDepth"), 8);
    }

    void featureImportanceOverweight()
    {
        const qint64 run = newRun(store(), QStringLiteral("leak"));
        Builder b{store(), run};
        for (int f = 0; f < 8; ++f)
            b.tensor(QStringLiteral("feature_importance/weight/f%1").arg(f), QStringLiteral("feature_importance"), steps(0, 10, 1),
                     [f](qint64 s, QRandomGenerator &) { return std::vector<double>{f == 0 && s >= 4 ? 500.0 : 10.0}; });
        b.flush();
        expectFires(run, QStringLiteral("FeatureImportanceOverweight"), 4);
    }

    void liveEvaluationIsIncremental()
    {
        // Evaluated while data arrives: a rule fires once, at the first bad step, and stays so.
        const qint64 run = newRun(store(), QStringLiteral("live"), RunStatus::Running);
        RuleRunner runner(store(), run, {RuleConfig{QStringLiteral("VanishingGradient"), {}, {QStringLiteral("notify")}}});
        Builder b{store(), run};
        b.tensor(QStringLiteral("fc1.weight.grad"), QStringLiteral("gradients"), steps(0, 40, 10), [](qint64, QRandomGenerator &r) { return normal(r, 50, 0, 1e-2); });
        b.flush();
        QCOMPARE(runner.evaluate(false).first().status, RuleStatus::InProgress);
        QVERIFY(runner.newlyFired().isEmpty());
        b.tensor(QStringLiteral("fc1.weight.grad"), QStringLiteral("gradients"), steps(50, 90, 10), [](qint64, QRandomGenerator &r) { return normal(r, 50, 0, 1e-10); });
        b.flush();
        RuleResult r = runner.evaluate(false).first();
        QCOMPARE(r.status, RuleStatus::IssuesFound);
        QCOMPARE(r.step, 50);
        QCOMPARE(runner.newlyFired().size(), 1);
        runner.evaluate(true);
        QVERIFY(runner.newlyFired().isEmpty());
        // Small chunks walk a long run in pieces with the same result.
        RuleRunner chunked(store(), run, {RuleConfig{QStringLiteral("VanishingGradient"), {}, {}}});
        chunked.setChunk(2);
        QCOMPARE(chunked.evaluate(true).first().step, 50);
    }
};

QTEST_GUILESS_MAIN(tst_DebuggerRules)
#include "tst_debuggerrules.moc"
