// Data-parallel training with real processes: `cairn worker` launches the ranks of a job with
// instances > 1, they rendezvous over c10d's TCP store and all-reduce gradients over gloo.
// Same seed and global batch: two ranks end with the weights of one (MLP, CNN); XGBoost on two
// ranks through its collective scores as on one. Failures: tst_distributedfailures.
#include <torch/torch.h>

#include "distributedjobs.h"

#include "cairn/store/experimentstore.h"
#include "cairn/workspace/workspace.h"

#include <QJsonArray>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QTest>


using namespace cairn;

namespace {

void readTensors(torch::serialize::InputArchive &archive, const std::string &prefix, std::map<std::string, torch::Tensor> &out)
{
    for (const std::string &k : archive.keys()) {
        torch::Tensor t;
        torch::serialize::InputArchive sub;
        if (archive.try_read(k, t))
            out[prefix + k] = t;
        else if (archive.try_read(k, sub))
            readTensors(sub, prefix + k + ".", out); // a submodule's parameters
    }
}

std::map<std::string, torch::Tensor> loadWeights(const QString &path)
{
    torch::serialize::InputArchive archive;
    archive.load_from(path.toStdString());
    std::map<std::string, torch::Tensor> out;
    readTensors(archive, {}, out);
    return out;
}

/// The events a worker printed, and its exit code.
double maxDifference(const QString &a, const QString &b, int *compared)
{
    const auto wa = loadWeights(a), wb = loadWeights(b);
    double worst = 0;
    *compared = 0;
    for (const auto &[k, t] : wa) {
        const auto it = wb.find(k);
        if (it == wb.end())
            return HUGE_VAL;
        worst = std::max(worst, (t - it->second).abs().max().item<double>());
        ++*compared;
    }
    return worst;
}

} // namespace

using namespace distributedjobs;

class tst_DistributedTraining : public QObject
{
    Q_OBJECT
private:
    /// Trains `one` and `two` (the same job on 1 and 2 ranks) and compares their weights;
    /// sharedMemory: the 2 ranks sum their gradients in shared memory (the default on one host), else over gloo.
    void compareOneAndTwo(const JobSpec &one, const JobSpec &two, const QString &dir1, const QString &dir2, const QString &accuracyKey,
                          bool sharedMemory = true)
    {
        const WorkerRun r1 = runWorker(writeSpec(dir1, one));
        QVERIFY2(r1.exitCode == 0, qPrintable(r1.lastStatus().message() + r1.stderrText.right(2000)));
        QProcessEnvironment env = workerEnv();
        env.insert(QStringLiteral("CAIRN_DIST_SHM"), sharedMemory ? QStringLiteral("1") : QStringLiteral("0"));
        const WorkerRun r2 = runWorker(writeSpec(dir2, two), env);
        QVERIFY2(r2.exitCode == 0, qPrintable(r2.lastStatus().message() + r2.stderrText.right(2000)));
        QCOMPARE(r2.lastStatus().status(), QStringLiteral("finished"));
        int compared = 0;
        const double diff = maxDifference(QDir(one.outputDir).filePath(QStringLiteral("model/model.pt")),
                                          QDir(two.outputDir).filePath(QStringLiteral("model/model.pt")), &compared);
        qInfo("%d tensors, largest weight difference between 1 and 2 ranks: %g", compared, diff);
        QVERIFY(compared >= 4);
        QVERIFY2(diff < 2e-4, qPrintable(QString::number(diff)));
        // The global batch's loss and the validation score agree too.
        QVERIFY(std::abs(finalMetric(r1, QStringLiteral("train.epoch_loss")) - finalMetric(r2, QStringLiteral("train.epoch_loss"))) < 1e-4);
        QCOMPARE(finalMetric(r2, accuracyKey), finalMetric(r1, accuracyKey));
        // The CNN's validation logits come from both ranks (each its shard, gathered on rank 0).
        const double vLoss1 = finalMetric(r1, QStringLiteral("validation.loss")), vLoss2 = finalMetric(r2, QStringLiteral("validation.loss"));
        QVERIFY2(std::isfinite(vLoss1) && std::abs(vLoss1 - vLoss2) < 1e-4, qPrintable(QStringLiteral("%1 vs %2").arg(vLoss1).arg(vLoss2)));
        // Rank 0 records the ranks and hosts, and every rank's throughput.
        QVERIFY2(r2.tag(QStringLiteral("distributed.ranks")).startsWith(QStringLiteral("0=")), qPrintable(r2.tag(QStringLiteral("distributed.ranks"))));
        QVERIFY(r2.tag(QStringLiteral("distributed.ranks")).contains(QStringLiteral(", 1=")));
        QVERIFY(r2.metricKeys().contains(QStringLiteral("throughput.rank0")));
        QVERIFY(r2.metricKeys().contains(QStringLiteral("throughput.rank1")));
        QVERIFY(r1.tag(QStringLiteral("distributed.ranks")).isEmpty());
        QVERIFY2(r2.tag(QStringLiteral("distributed.backend")).startsWith(sharedMemory ? QLatin1String("shared memory") : QLatin1String("gloo")),
                 qPrintable(r2.tag(QStringLiteral("distributed.backend"))));
        // Rank 1 kept its own log; rank 0 alone wrote the model and validated.
        QVERIFY(QFileInfo::exists(QDir(dir2).filePath(QStringLiteral("rank-1.jsonl"))));
        QVERIFY(QFileInfo::exists(QDir(dir2).filePath(QStringLiteral("rank-1.log"))));
    }

    /// Starts a 2-rank CNN job, does `what` to rank 1 once it has trained a few steps, and
    /// checks that the job fails naming rank 1 within `limitMs`.
private Q_SLOTS:
    void mlpTwoRanksEqualOne()
    {
        QTemporaryDir tmp;
        const QString d1 = tmp.filePath(QStringLiteral("one")), d2 = tmp.filePath(QStringLiteral("two"));
        compareOneAndTwo(mlpSpec(d1, 1), mlpSpec(d2, 2), d1, d2, QStringLiteral("validation.accuracy"));
    }

    void cnnTwoRanksEqualOne()
    {
        QTemporaryDir tmp;
        const QString d1 = tmp.filePath(QStringLiteral("one")), d2 = tmp.filePath(QStringLiteral("two"));
        compareOneAndTwo(cnnSpec(d1, 1, 800, 1), cnnSpec(d2, 2, 800, 1), d1, d2, QStringLiteral("validation.accuracy"));
    }

    void cnnTwoRanksEqualOneOverGloo()
    {
        QTemporaryDir tmp;
        const QString d1 = tmp.filePath(QStringLiteral("one")), d2 = tmp.filePath(QStringLiteral("two"));
        compareOneAndTwo(cnnSpec(d1, 1, 800, 1), cnnSpec(d2, 2, 800, 1), d1, d2, QStringLiteral("validation.accuracy"), false);
    }

    void cliTrainRecordsRanksAndHosts()
    {
        // `cairn train --instances 2`: the job manager's local worker launches 2 ranks; the run
        // records them, with rank 0's metrics and every rank's throughput.
        QTemporaryDir ws;
        const ProcessResult r = cairnInWorkspace(ws.path(), {QStringLiteral("train"), QStringLiteral("--algorithm"), QStringLiteral("mlp"),
                                                             QStringLiteral("--train"), sharedTable(QStringLiteral("breast_cancer.csv")),
                                                             QStringLiteral("--target"), QStringLiteral("target"), QStringLiteral("--instances"),
                                                             QStringLiteral("2"), QStringLiteral("--cpus"), QStringLiteral("1"),
                                                             QStringLiteral("--hp"), QStringLiteral("epochs=2")});
        QVERIFY2(r.exitCode == 0, qPrintable(r.out + r.err));
        Workspace workspace(ws.path());
        const QList<Run> runs = workspace.store().searchRuns({});
        QCOMPARE(runs.size(), 1);
        QMap<QString, QString> tags;
        for (const Tag &t : workspace.store().tags(runs.first().id))
            tags.insert(t.key, t.value);
        QVERIFY2(tags.value(QStringLiteral("distributed.ranks")).contains(QStringLiteral("1=")), qPrintable(tags.value(QStringLiteral("distributed.ranks"))));
        QVERIFY(!tags.value(QStringLiteral("distributed.hosts")).isEmpty());
        QVERIFY(!workspace.store().metricHistory(runs.first().id, QStringLiteral("throughput.rank1")).values.isEmpty());
        QVERIFY(!workspace.store().metricHistory(runs.first().id, QStringLiteral("validation.accuracy")).values.isEmpty());
        // An algorithm that trains on one process refuses more, before any run exists.
        const ProcessResult refused = cairnInWorkspace(ws.path(), {QStringLiteral("train"), QStringLiteral("--algorithm"), QStringLiteral("kmeans"),
                                                                   QStringLiteral("--train"), sharedTable(QStringLiteral("iris.csv")),
                                                                   QStringLiteral("--instances"), QStringLiteral("2")});
        QVERIFY(refused.exitCode != 0);
        QVERIFY2(refused.err.contains(QStringLiteral("one instance only")), qPrintable(refused.err));
        QCOMPARE(Workspace(ws.path()).store().searchRuns({}).size(), 1);
    }

    void xgboostTwoRanksMatchOne()
    {
        // XGBoost 1.7's tracker is Python (xgboost.tracker, Debian's python3-xgboost).
        if (python(QStringLiteral("import xgboost.tracker")).exitCode != 0)
            QSKIP("python3-xgboost is not installed: XGBoost's tracker is not available");
        QTemporaryDir tmp;
        WorkerRun runs[2];
        for (int instances : {1, 2}) {
            const QString dir = tmp.filePath(QStringLiteral("xgb%1").arg(instances));
            JobSpec s = mlpSpec(dir, instances);
            s.algorithm = QStringLiteral("xgboost");
            s.hyperparameters = QJsonObject{{QStringLiteral("num_round"), 30}, {QStringLiteral("tree_method"), QStringLiteral("hist")}};
            runs[instances - 1] = runWorker(writeSpec(dir, s));
            QVERIFY2(runs[instances - 1].exitCode == 0, qPrintable(runs[instances - 1].lastStatus().message() + runs[instances - 1].stderrText.right(2000)));
            QVERIFY(QFileInfo::exists(QDir(s.outputDir).filePath(QStringLiteral("model/model.xgb.json"))));
        }
        const double auc1 = finalMetric(runs[0], QStringLiteral("validation.auc"));
        const double auc2 = finalMetric(runs[1], QStringLiteral("validation.auc"));
        const double acc1 = finalMetric(runs[0], QStringLiteral("validation.accuracy"));
        const double acc2 = finalMetric(runs[1], QStringLiteral("validation.accuracy"));
        qInfo("xgboost validation AUC: 1 rank %.4f, 2 ranks %.4f; accuracy %.4f, %.4f", auc1, auc2, acc1, acc2);
        QVERIFY(auc1 > 0.95);
        QVERIFY2(std::abs(auc2 - auc1) < 0.01, qPrintable(QStringLiteral("%1 vs %2").arg(auc2).arg(auc1)));
        QVERIFY(std::abs(acc2 - acc1) < 0.03);
        bool joined = false;
        for (const JobEvent &e : runs[1].events)
            joined = joined || (e.type == JobEvent::Type::Log && e.message().contains(QLatin1String("XGBoost rank 0 of 2")));
        QVERIFY(joined);
    }

};

QTEST_GUILESS_MAIN(tst_DistributedTraining)
#include "tst_distributedtraining.moc"
