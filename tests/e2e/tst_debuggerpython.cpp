// cairn.debugger.Hook end to end: small torch models trained under /usr/bin/python3 record
// SageMaker's collections into a run; the C++ store reads them back and the rules judge them
// afterwards (a deep sigmoid net's gradients vanish, a huge learning rate explodes, a healthy
// ReLU net stays quiet).
#include "clirunner.h"

#include "cairn/debugger/rulerunner.h"
#include "cairn/debugger/tensorstore.h"
#include "cairn/store/experimentstore.h"
#include "cairn/workspace/workspace.h"

#include <QTemporaryDir>
#include <QtTest>

using namespace cairn;
using namespace cairn::debugger;

namespace {
const char *kScript = R"PY(
import sys, torch, cairn, cairn.debugger
torch.set_num_threads(1)
def train(kind):
    torch.manual_seed(0)
    x = torch.randn(256, 16)
    y = (x[:, 0] + x[:, 1] > 0).long()
    if kind == "sigmoid":
        layers = []
        for i in range(24):
            layers += [torch.nn.Linear(16, 16), torch.nn.Sigmoid()]
        model = torch.nn.Sequential(*layers, torch.nn.Linear(16, 2))
        lr = 0.01
    else:
        model = torch.nn.Sequential(torch.nn.Linear(16, 32), torch.nn.ReLU(), torch.nn.Linear(32, 32), torch.nn.ReLU(inplace=True),
                                    torch.nn.Linear(32, 2))
        lr = 1e12 if kind == "exploding" else 0.05
    opt = torch.optim.SGD(model.parameters(), lr=lr)
    with cairn.start_run(experiment="debugger", run_name=kind) as run:
        hook = cairn.debugger.Hook(model, collections=["weights", "biases", "gradients", "activations", "losses",
                                                       "update_ratios", "labels"], every=10)
        for step in range(60):
            batch = slice((step * 32) % 256, (step * 32) % 256 + 32)
            out = model(x[batch])
            loss = torch.nn.functional.cross_entropy(out, y[batch])
            hook.record_loss(loss)
            hook.record_labels(y[batch], out)
            opt.zero_grad()
            loss.backward()
            opt.step()
        model.eval()
        with torch.no_grad():
            hook.record_loss(torch.nn.functional.cross_entropy(model(x), y), mode="eval")
        hook.close()
        print(kind, run.run_id)

for kind in sys.argv[1:]:
    train(kind)
)PY";
} // namespace

class TestDebuggerPython : public QObject
{
    Q_OBJECT

    QTemporaryDir m_dir;

    QHash<QString, QString> m_runs; // kind → run uuid

    QString train(const QString &kind) { return m_runs.value(kind); }

    RuleResult rule(qint64 runId, const QString &name)
    {
        return RuleRunner::evaluateRun(m_ws->store(), runId, {RuleConfig{name, {}, {}}}).first();
    }

    std::unique_ptr<Workspace> m_ws;

private Q_SLOTS:
    void initTestCase()
    {
        // One interpreter for the three trainings: importing torch is the slow part.
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(QStringLiteral("CAIRN_WORKSPACE"), m_dir.path());
        env.insert(QStringLiteral("PYTHONPATH"), QStringLiteral(CAIRN_SOURCE_DIR "/resources/python"));
        const ProcessResult r = runProgram(QStringLiteral("/usr/bin/python3"),
                                           {QStringLiteral("-c"), QString::fromUtf8(kScript), QStringLiteral("healthy"),
                                            QStringLiteral("sigmoid"), QStringLiteral("exploding")}, env);
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        for (const QString &line : r.out.split(QLatin1Char('\n'), Qt::SkipEmptyParts))
            m_runs.insert(line.section(QLatin1Char(' '), 0, 0), line.section(QLatin1Char(' '), 1, 1).trimmed());
        QCOMPARE(m_runs.size(), 3);
    }

    void healthyNetworkRecordsEveryCollection()
    {
        const QString uuid = train(QStringLiteral("healthy"));
        QVERIFY(!uuid.isEmpty());
        m_ws = std::make_unique<Workspace>(m_dir.path());
        const Run run = m_ws->store().run(uuid);
        TensorStore ts(m_ws->store());
        QHash<QString, TensorInfo> byName;
        for (const TensorInfo &t : ts.tensors(run.id))
            byName.insert(t.name, t);
        for (const char *name : {"0.weight", "0.bias", "0.weight.grad", "1.relu_input", "1.relu_output", "1.relu_activity",
                                 "3.relu_input", "loss", "validation_loss", "0.weight.update_ratio", "labels", "labels_mispredicted"})
            QVERIFY2(byName.contains(QLatin1String(name)), name);
        QCOMPARE(byName.value(QStringLiteral("0.weight")).collection, QStringLiteral("weights"));
        QCOMPARE(byName.value(QStringLiteral("0.bias")).collection, QStringLiteral("biases"));
        QCOMPARE(byName.value(QStringLiteral("0.weight.grad")).collection, QStringLiteral("gradients"));

        const TensorSeries w = ts.series(run.id, QStringLiteral("0.weight"));
        QCOMPARE(w.samples.size(), size_t(6)); // steps 0, 10, … 50
        QCOMPARE(w.samples.front().step, 0);
        QCOMPARE(w.samples.back().step, 50);
        QCOMPARE(w.samples.front().count, 16 * 32);
        QCOMPARE(w.samples.front().bins(), 64);
        double total = 0;
        for (double c : w.samples.front().counts)
            total += c;
        QCOMPARE(total, 512.0);
        QVERIFY(w.samples.front().l2 > 0 && w.samples.front().l1 > 0);
        QCOMPARE(ts.series(run.id, QStringLiteral("loss")).samples.size(), size_t(60)); // every step
        // The in-place ReLU's input was taken before it ran: it has negative values.
        QVERIFY(ts.series(run.id, QStringLiteral("3.relu_input")).samples.front().min < 0);
        QCOMPARE(ts.series(run.id, QStringLiteral("3.relu_output")).samples.front().min, 0.0);
        const TensorSample labels = ts.series(run.id, QStringLiteral("labels")).samples.front();
        QCOMPARE(labels.bins(), 2);
        QCOMPARE(labels.counts[0] + labels.counts[1], 32.0);
        const TensorSeries ratio = ts.series(run.id, QStringLiteral("0.weight.update_ratio"));
        QCOMPARE(ratio.samples.size(), size_t(6));
        QVERIFY(ratio.samples.front().mean > 1e-6 && ratio.samples.front().mean < 1);

        for (const char *r : {"VanishingGradient", "ExplodingTensor", "DeadRelu", "AllZero", "UnchangedTensor", "WeightUpdateRatio"}) {
            const RuleResult result = rule(run.id, QLatin1String(r));
            QVERIFY2(result.status == RuleStatus::NoIssuesFound, qPrintable(result.rule + QStringLiteral(": ") + result.message));
        }
    }

    void deepSigmoidGradientsVanish()
    {
        const QString uuid = train(QStringLiteral("sigmoid"));
        QVERIFY(!uuid.isEmpty());
        m_ws = std::make_unique<Workspace>(m_dir.path());
        const RuleResult r = rule(m_ws->store().run(uuid).id, QStringLiteral("VanishingGradient"));
        QVERIFY2(r.status == RuleStatus::IssuesFound, qPrintable(r.message));
        QCOMPARE(r.step, 0);
        QVERIFY(r.tensor.endsWith(QLatin1String(".grad")));
    }

    void hugeLearningRateExplodes()
    {
        const QString uuid = train(QStringLiteral("exploding"));
        QVERIFY(!uuid.isEmpty());
        m_ws = std::make_unique<Workspace>(m_dir.path());
        const RuleResult r = rule(m_ws->store().run(uuid).id, QStringLiteral("ExplodingTensor"));
        QVERIFY2(r.status == RuleStatus::IssuesFound, qPrintable(r.message));
        QVERIFY(r.step > 0);
    }
};

QTEST_GUILESS_MAIN(TestDebuggerPython)
#include "tst_debuggerpython.moc"
