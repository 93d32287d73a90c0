// The Debugger panel over synthetic runs: heatmap, offset histograms with the step slider,
// reductions, rule list (a click jumps to the step), run comparison, live updates, notices.
// Screenshots go to <build>/screenshots/debugger-*.png.
#include "debuggerpanel.h"
#include "debuggertestdata.h"
#include "curveplot.h"
#include "histogramplots.h"
#include "studiocontext.h"

#include "cairn/debugger/rulerunner.h"
#include "cairn/workspace/workspace.h"

#include <QApplication>
#include <QComboBox>
#include <QDir>
#include <QLabel>
#include <QSignalSpy>
#include <QSlider>
#include <QTabWidget>
#include <QTemporaryDir>
#include <QTest>
#include <QTreeWidget>

using namespace cairn;
using namespace cairn::debugger;
using namespace cairn::debugger::testdata;

class tst_DebuggerPanel : public QObject
{
    Q_OBJECT

    QTemporaryDir m_dir;
    std::unique_ptr<gui::StudioContext> m_context;
    std::unique_ptr<panels::DebuggerPanel> m_panel;
    QString m_healthy, m_vanishing;

    void shot(const QString &name)
    {
        const QString dir = QDir(QStringLiteral(CAIRN_BUILD_DIR)).filePath(QStringLiteral("screenshots"));
        QDir().mkpath(dir);
        QTest::qWait(50);
        QVERIFY(m_panel->grab().save(QDir(dir).filePath(QStringLiteral("debugger-%1.png").arg(name))));
    }

    QTreeWidgetItem *ruleItem(const QString &rule)
    {
        for (int i = 0; i < m_panel->ruleTree()->topLevelItemCount(); ++i)
            if (m_panel->ruleTree()->topLevelItem(i)->text(0) == rule)
                return m_panel->ruleTree()->topLevelItem(i);
        return nullptr;
    }

private Q_SLOTS:
    void initTestCase()
    {
        {
            Workspace ws(m_dir.path());
            ExperimentStore &store = ws.store();
            const qint64 healthy = newRun(store, QStringLiteral("healthy-mlp"));
            Builder b{store, healthy};
            healthyNetwork(b);
            // The same network whose gradients vanish from step 50 and whose loss stalls.
            const qint64 bad = newRun(store, QStringLiteral("deep-sigmoid"));
            Builder c{store, bad};
            const QList<qint64> st = steps(0, 200, 10);
            c.tensor(QStringLiteral("fc1.weight"), QStringLiteral("weights"), st, [](qint64 s, QRandomGenerator &r) {
                return normal(r, 2048, 0.02 * double(s) / 200, 0.1 + 0.002 * double(std::min<qint64>(s, 50)));
            });
            c.tensor(QStringLiteral("fc1.weight.grad"), QStringLiteral("gradients"), st,
                     [](qint64 s, QRandomGenerator &r) { return normal(r, 2048, 0, s >= 50 ? 1e-9 : 1e-3 / double(1 + s)); });
            c.metric(QStringLiteral("train.loss"), st, [](qint64 s) { return s < 50 ? 2.3 - 0.004 * double(s) : 2.1; });
            c.flush();
            RuleRunner::evaluateRun(store, bad, {RuleConfig{QStringLiteral("VanishingGradient"), {}, {QStringLiteral("stop")}},
                                                 RuleConfig{QStringLiteral("LossNotDecreasing"), {}, {QStringLiteral("notify")}},
                                                 RuleConfig{QStringLiteral("ExplodingTensor"), {}, {QStringLiteral("notify")}},
                                                 RuleConfig{QStringLiteral("DeadRelu"), {}, {}}});
            m_healthy = store.runsByIds({healthy}).first().uuid;
            m_vanishing = store.runsByIds({bad}).first().uuid;
        }
        m_context = std::make_unique<gui::StudioContext>();
        m_context->setPollInterval(50);
        m_context->openWorkspace(m_dir.path());
        m_panel = std::make_unique<panels::DebuggerPanel>(m_context.get());
        m_panel->resize(1280, 760);
        m_panel->show();
        QVERIFY(QTest::qWaitForWindowExposed(m_panel.get()));
    }

    void cleanupTestCase()
    {
        m_panel.reset();
        m_context.reset();
    }

    void listsRunsAndTensors()
    {
        QCOMPARE(m_panel->runCombo()->count(), 2);
        QCOMPARE(m_panel->compareCombo()->count(), 3); // (none) + 2
        QVERIFY(m_panel->selectRun(m_healthy));
        QStringList groups;
        for (int i = 0; i < m_panel->tensorTree()->topLevelItemCount(); ++i)
            groups << m_panel->tensorTree()->topLevelItem(i)->text(0);
        for (const char *g : {"weights", "biases", "gradients", "activations", "update_ratios", "labels"})
            QVERIFY2(groups.contains(QLatin1String(g)), g);
    }

    void heatmapAndOffsetHistograms()
    {
        QVERIFY(m_panel->selectTensors({QStringLiteral("fc1.weight")}));
        QCOMPARE(m_panel->heatmap()->gridSize(), QSize(21, 64));
        QCOMPARE(m_panel->histograms()->stepsDrawn(), 21);
        QCOMPARE(m_panel->stepSlider()->maximum(), 20);
        QCOMPARE(m_panel->currentStep(), 200); // the newest step first
        m_panel->stepSlider()->setValue(5);
        QCOMPARE(m_panel->currentStep(), 50);
        m_panel->tabs()->setCurrentIndex(0);
        shot(QStringLiteral("heatmap"));
        m_panel->tabs()->setCurrentIndex(1);
        shot(QStringLiteral("histograms"));
    }

    void reductionsOfSeveralTensors()
    {
        QVERIFY(m_panel->selectTensors({QStringLiteral("fc1.weight"), QStringLiteral("fc2.weight")}));
        QCOMPARE(m_panel->reductions()->curveCount(), 2);
        m_panel->reductionCombo()->setCurrentIndex(6); // L2 norm
        m_panel->tabs()->setCurrentIndex(2);
        QCOMPARE(m_panel->reductions()->curveCount(), 2);
        shot(QStringLiteral("reductions"));
    }

    void ruleClickJumpsToTheStep()
    {
        QVERIFY(m_panel->selectRun(m_vanishing));
        QCOMPARE(m_panel->ruleTree()->topLevelItemCount(), 4);
        QTreeWidgetItem *vanishing = ruleItem(QStringLiteral("VanishingGradient"));
        QVERIFY(vanishing);
        QCOMPARE(vanishing->text(1), QStringLiteral("Issues found"));
        QCOMPARE(vanishing->text(2), QStringLiteral("50"));
        QCOMPARE(ruleItem(QStringLiteral("DeadRelu"))->text(1), QStringLiteral("Error")); // no ReLU data
        QCOMPARE(ruleItem(QStringLiteral("ExplodingTensor"))->text(1), QStringLiteral("No issues found"));
        m_panel->ruleTree()->setCurrentItem(vanishing);
        QCOMPARE(m_panel->currentStep(), 50);
        QCOMPARE(m_panel->tabs()->currentIndex(), 1);
        const QList<QTreeWidgetItem *> selected = m_panel->tensorTree()->selectedItems();
        QCOMPARE(selected.size(), 1);
        QCOMPARE(selected.first()->text(0), QStringLiteral("fc1.weight.grad"));
        shot(QStringLiteral("rules"));
        // A rule on the loss (a metric, not a tensor) shows the reductions at its step.
        m_panel->ruleTree()->setCurrentItem(ruleItem(QStringLiteral("LossNotDecreasing")));
        QCOMPARE(m_panel->tabs()->currentIndex(), 2);
    }

    void comparesTwoRuns()
    {
        QVERIFY(m_panel->selectRun(m_vanishing));
        QVERIFY(m_panel->selectTensors({QStringLiteral("fc1.weight")}));
        QVERIFY(m_panel->selectCompareRun(m_healthy));
        QCOMPARE(m_panel->compareHeatmap()->gridSize(), QSize(21, 64));
        QCOMPARE(m_panel->reductions()->curveCount(), 2);
        m_panel->reductionCombo()->setCurrentIndex(1); // std
        m_panel->tabs()->setCurrentIndex(3);
        shot(QStringLiteral("compare"));
        m_panel->tabs()->setCurrentIndex(2);
        shot(QStringLiteral("compare-curves"));
        m_panel->compareCombo()->setCurrentIndex(0);
    }

    void evaluatesEveryRuleInTheBackground()
    {
        QVERIFY(m_panel->selectRun(m_healthy));
        QSignalSpy done(m_panel.get(), &panels::DebuggerPanel::evaluated);
        m_panel->evaluateRules();
        QVERIFY(done.wait(20000));
        QCOMPARE(m_panel->ruleTree()->topLevelItemCount(), int(ruleCatalogue().size()));
        QCOMPARE(ruleItem(QStringLiteral("VanishingGradient"))->text(1), QStringLiteral("No issues found"));
        // A network's run: the XGBoost rules do not apply, which is not an error.
        QCOMPARE(ruleItem(QStringLiteral("TreeDepth"))->text(1), QStringLiteral("Not applicable"));
        QCOMPARE(ruleItem(QStringLiteral("FeatureImportanceOverweight"))->text(1), QStringLiteral("Not applicable"));
        m_panel->tabs()->setCurrentIndex(0);
        shot(QStringLiteral("rules-not-applicable"));
    }

    void followsLiveRunsAndNotifies()
    {
        QVERIFY(m_panel->selectRun(m_healthy));
        QVERIFY(m_panel->selectTensors({QStringLiteral("fc1.weight")}));
        QCOMPARE(m_panel->stepSlider()->maximum(), 20);
        QSignalSpy status(m_context.get(), &gui::StudioContext::statusMessage);
        {
            // Another process (a job's supervisor) writes new steps and a rule that fired.
            ExperimentStore store(m_context->store().databasePath());
            const qint64 id = store.run(m_healthy).id;
            Builder b{store, id};
            b.tensor(QStringLiteral("fc1.weight"), QStringLiteral("weights"), steps(210, 250, 10),
                     [](qint64, QRandomGenerator &r) { return normal(r, 2048, 0, 0.2); });
            b.flush();
            RuleResult r;
            r.rule = QStringLiteral("Overfit");
            r.status = RuleStatus::IssuesFound;
            r.step = 240;
            r.message = QStringLiteral("The model overfits from step 240.");
            r.actions = {QStringLiteral("notify")};
            TensorStore(store).saveRuleResult(id, r);
        }
        QTRY_COMPARE_WITH_TIMEOUT(m_panel->stepSlider()->maximum(), 25, 5000);
        QCOMPARE(m_panel->currentStep(), 250); // it was at the newest step: it follows
        QTRY_VERIFY_WITH_TIMEOUT(m_panel->noticeLabel()->isVisible(), 5000);
        QVERIFY(m_panel->noticeLabel()->text().contains(QLatin1String("Overfit")));
        QVERIFY(!status.isEmpty());
        m_panel->tabs()->setCurrentIndex(0);
        shot(QStringLiteral("live"));
    }
};

QTEST_MAIN(tst_DebuggerPanel)
#include "tst_debuggerpanel.moc"
