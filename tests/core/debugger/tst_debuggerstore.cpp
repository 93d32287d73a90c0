// Debugger storage: the histogram blob, samples round trip, per-tensor reads across steps,
// replacing a step, rule results, and parsing worker events.
#include "debuggertestdata.h"

#include "cairn/algorithms/jobcontext.h"
#include "cairn/debugger/rule.h"
#include "cairn/jobs/jobevent.h"
#include "cairn/store/sqlitedatabase.h"
#include "cairn/util/error.h"
#include "cairn/workspace/workspace.h"

#include <QTemporaryDir>
#include <QTest>

using namespace cairn;
using namespace cairn::debugger;

class tst_DebuggerStore : public QObject
{
    Q_OBJECT

    std::unique_ptr<QTemporaryDir> m_dir;
    std::unique_ptr<Workspace> m_ws;

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

    void histogramBlob()
    {
        const double data[] = {-1, 0, 0, 0.5, 2, 3, 3, 3};
        TensorSample s = TensorSample::of(data, 8, 10, 4);
        QCOMPARE(s.zeroCount, 2);
        QCOMPARE(s.l1, 12.5);
        QVERIFY(qFuzzyCompare(s.l2, std::sqrt(1 + 0.25 + 4 + 27.0)));
        const QByteArray uniform = s.encodeHistogram();
        QCOMPARE(uniform.size(), 4 + 16 + 4 * 4); // uniform edges, u32 counts
        TensorSample back;
        QVERIFY(back.decodeHistogram(uniform));
        QCOMPARE(back.counts, s.counts);
        QCOMPARE(back.edges.size(), s.edges.size());
        for (size_t i = 0; i < s.edges.size(); ++i)
            QVERIFY(qFuzzyCompare(1 + back.edges[i], 1 + s.edges[i]));
        // Irregular edges and fractional counts (feature importances) are kept exactly.
        TensorSample odd;
        odd.edges = {0, 1, 10, 100};
        odd.counts = {0.5, 2, 7.25};
        const QByteArray blob = odd.encodeHistogram();
        QCOMPARE(blob.size(), 4 + 4 * 8 + 3 * 8);
        QVERIFY(back.decodeHistogram(blob));
        QCOMPARE(back.edges, odd.edges);
        QCOMPARE(back.counts, odd.counts);
        // Bad blobs never crash and read as no histogram.
        QVERIFY(!back.decodeHistogram(QByteArray("\x01\x00\x05", 3)));
        QVERIFY(!back.decodeHistogram(blob.left(blob.size() - 1)));
        QVERIFY(!back.decodeHistogram(QByteArray(1, '\x09') + blob.mid(1)));
        QVERIFY(back.counts.empty());
        // Estimates from the histogram.
        QCOMPARE(s.countBelow(-10), 0.0);
        QCOMPARE(s.countBelow(100), 8.0);
        QCOMPARE(s.countAbove(100), 0.0);
    }

    void roundTripAndPerTensorReads()
    {
        ExperimentStore &store = m_ws->store();
        const qint64 run = testdata::newRun(store, QStringLiteral("r"));
        const qint64 other = testdata::newRun(store, QStringLiteral("other"));
        {
            TensorWriter w(store);
            QRandomGenerator rng(1);
            for (qint64 step = 0; step < 500; step += 5) {
                for (const QString &name : {QStringLiteral("fc1.weight"), QStringLiteral("fc1.weight.grad"), QStringLiteral("fc2.bias")}) {
                    const auto v = testdata::normal(rng, 256, double(step) / 100, 1);
                    w.add(run, name, inferCollection(name), TensorSample::of(v.data(), qint64(v.size()), step));
                }
                const auto v = testdata::normal(rng, 16, 0, 1);
                w.add(other, QStringLiteral("fc1.weight"), QStringLiteral("weights"), TensorSample::of(v.data(), 16, step));
            }
            QVERIFY(w.pending() > 0);
            w.flush();
            QCOMPARE(w.pending(), 0);
        }
        TensorStore ts(store);
        const QList<TensorInfo> tensors = ts.tensors(run);
        QCOMPARE(tensors.size(), 3);
        QCOMPARE(tensors.at(0).collection, QStringLiteral("biases"));
        QCOMPARE(tensors.at(1).collection, QStringLiteral("gradients"));
        QCOMPARE(tensors.at(2).name, QStringLiteral("fc1.weight"));
        QCOMPARE(tensors.at(2).firstStep, 0);
        QCOMPARE(tensors.at(2).lastStep, 495);

        const TensorSeries s = ts.series(run, QStringLiteral("fc1.weight"));
        QCOMPARE(s.samples.size(), size_t(100));
        QCOMPARE(s.samples.front().step, 0);
        QCOMPARE(s.samples.back().step, 495);
        QCOMPARE(s.samples.back().count, 256);
        QCOMPARE(s.samples.back().bins(), 64);
        double total = 0;
        for (double c : s.samples.back().counts)
            total += c;
        QCOMPARE(total, 256.0);
        QVERIFY(std::fabs(s.samples.back().mean - 4.95) < 0.3);
        QVERIFY(s.samples.back().l2 > 0);

        const TensorSeries range = ts.series(tensors.at(2).id, 100, 200, false, -1);
        QCOMPARE(range.samples.size(), size_t(21));
        QVERIFY(range.samples.front().counts.empty()); // no histograms asked for
        QCOMPARE(ts.series(tensors.at(2).id, 0, 1000, true, 7).samples.size(), size_t(7));

        // Writing a step again replaces it; NaN statistics survive as NaN.
        TensorSample nanSample;
        nanSample.step = 100;
        nanSample.count = 4;
        nanSample.nanCount = 4;
        ts.write(tensors.at(2).id, {nanSample});
        const TensorSample again = ts.series(tensors.at(2).id, 100, 100).samples.at(0);
        QCOMPARE(again.nanCount, 4);
        QVERIFY(std::isnan(again.mean));
        QVERIFY(again.counts.empty());
        QCOMPARE(ts.series(run, QStringLiteral("fc1.weight")).samples.size(), size_t(100));

        QCOMPARE(ts.samplesAt(run, 200).size(), 3);
        QVERIFY(ts.lastSampleTime(run) > 0);
        QVERIFY(!ts.tensor(run, QStringLiteral("nope")));
        QVERIFY_THROWS_EXCEPTION(Error, ts.series(run, QStringLiteral("nope")));

        // Reading one tensor across all steps touches only its rows: SQLite searches the primary
        // key (tensor_id, step) in step order, with no scan and no sort. (How fast that is among
        // many tensors is bench_debugger's to say: `bench_debugger store`.)
        QCOMPARE(ts.series(tensors.at(1).id).samples.size(), size_t(100));
        SqliteQuery plan = store.database().query(QStringLiteral(
            "EXPLAIN QUERY PLAN SELECT step, histogram FROM debug_samples WHERE tensor_id = ? AND step BETWEEN ? AND ? ORDER BY step LIMIT ?"));
        QString details;
        while (plan.next())
            details += plan.text(3) + QLatin1Char('\n');
        QVERIFY2(details.contains(QLatin1String("SEARCH debug_samples USING PRIMARY KEY (tensor_id=? AND step>? AND step<?)"))
                     && !details.contains(QLatin1String("SCAN")) && !details.contains(QLatin1String("TEMP B-TREE")),
                 qPrintable(details));
    }

    void ruleResults()
    {
        ExperimentStore &store = m_ws->store();
        const qint64 run = testdata::newRun(store, QStringLiteral("r"));
        TensorStore ts(store);
        RuleResult r;
        r.rule = QStringLiteral("VanishingGradient");
        r.status = RuleStatus::IssuesFound;
        r.step = 40;
        r.tensor = QStringLiteral("fc1.weight.grad");
        r.message = QStringLiteral("vanished");
        r.parameters = QJsonObject{{QStringLiteral("threshold"), 1e-7}};
        r.actions = {QStringLiteral("stop"), QStringLiteral("notify")};
        r.evaluatedStep = 90;
        ts.saveRuleResult(run, r);
        RuleResult ok;
        ok.rule = QStringLiteral("AllZero");
        ok.status = RuleStatus::NoIssuesFound;
        ts.saveRuleResult(run, ok);
        const QList<RuleResult> back = ts.ruleResults(run);
        QCOMPARE(back.size(), 2);
        QCOMPARE(back.at(0).rule, QStringLiteral("AllZero"));
        QCOMPARE(back.at(0).step, -1);
        QCOMPARE(back.at(1).status, RuleStatus::IssuesFound);
        QCOMPARE(back.at(1).step, 40);
        QCOMPARE(back.at(1).actions, r.actions);
        QCOMPARE(back.at(1).parameters, r.parameters);
        QCOMPARE(back.at(1).evaluatedStep, 90);
        r.status = RuleStatus::Error;
        ts.saveRuleResult(run, r); // replaces
        QCOMPARE(ts.ruleResults(run).size(), 2);
        ts.clearRuleResults(run);
        QVERIFY(ts.ruleResults(run).isEmpty());
    }

    void fromWorkerEvent()
    {
        const float w[] = {0, 1, 2, 3, NAN};
        TensorStats stats = TensorStats::of(QStringLiteral("fc.weight"), 10, w, 5, 3);
        QCOMPARE(stats.zeroCount, 1);
        QCOMPARE(stats.l1, 6.0);
        const auto event = JobEvent::parse(R"({"type":"histogram","name":"fc.weight.grad","step":20,"count":5,"min":0,"max":3,)"
                                           R"("mean":1.5,"std":1.1,"nan":1,"inf":0,"zeros":1,"l1":6,"l2":3.74,)"
                                           R"("edges":[0,1,2,3],"counts":[1,1,2],"ts":1700000000000})");
        QVERIFY(event);
        QString name, collection;
        const TensorSample s = TensorSample::fromEvent(event->data, &name, &collection);
        QCOMPARE(name, QStringLiteral("fc.weight.grad"));
        QCOMPARE(collection, QStringLiteral("gradients"));
        QCOMPARE(s.step, 20);
        QCOMPARE(s.nanCount, 1);
        QCOMPARE(s.zeroCount, 1);
        QCOMPARE(s.l1, 6.0);
        QCOMPARE(s.counts, (std::vector<double>{1, 1, 2}));
        // An explicit collection wins over the name; mismatched edges are dropped.
        const auto e2 = JobEvent::parse(R"({"type":"histogram","name":"x","collection":"losses","step":1,"count":1,"edges":[0,1],"counts":[1,2]})");
        QVERIFY(e2);
        const TensorSample s2 = TensorSample::fromEvent(e2->data, &name, &collection);
        QCOMPARE(collection, QStringLiteral("losses"));
        QVERIFY(s2.counts.empty());
        QVERIFY(std::isnan(s2.l2));
    }

    void collectionsFromNames()
    {
        QCOMPARE(inferCollection(QStringLiteral("conv1.weight")), QStringLiteral("weights"));
        QCOMPARE(inferCollection(QStringLiteral("conv1.bias")), QStringLiteral("biases"));
        QCOMPARE(inferCollection(QStringLiteral("conv1.weight.grad")), QStringLiteral("gradients"));
        QCOMPARE(inferCollection(QStringLiteral("relu1.relu_output")), QStringLiteral("activations"));
        QCOMPARE(inferCollection(QStringLiteral("loss")), QStringLiteral("losses"));
        QCOMPARE(inferCollection(QStringLiteral("fc1.weight.update_ratio")), QStringLiteral("update_ratios"));
        QCOMPARE(inferCollection(QStringLiteral("feature_importance/gain/age")), QStringLiteral("feature_importance"));
        QCOMPARE(inferCollection(QStringLiteral("trees.depth")), QStringLiteral("tree_depth"));
    }
};

QTEST_GUILESS_MAIN(tst_DebuggerStore)
#include "tst_debuggerstore.moc"
