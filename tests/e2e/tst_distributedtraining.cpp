// Data-parallel training with real processes: `cairn worker` launches the ranks of a job with
// instances > 1, they rendezvous over c10d's TCP store and all-reduce gradients over gloo.
// Same seed and global batch: two ranks end with the weights of one. A rank killed or stopped
// mid-epoch fails the job, naming the rank, within the timeout.
#include <torch/torch.h>

#include "clirunner.h"

#include "cairn/jobs/jobevent.h"
#include "cairn/jobs/jobspec.h"

#include <QElapsedTimer>
#include <QJsonArray>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QTest>

#include <csignal>

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
struct WorkerRun
{
    int exitCode = -1;
    QList<JobEvent> events;
    QString stderrText;

    JobEvent lastStatus() const
    {
        for (qsizetype i = events.size() - 1; i >= 0; --i)
            if (events[i].type == JobEvent::Type::Status)
                return events[i];
        return {};
    }
    QString tag(const QString &key) const
    {
        for (const JobEvent &e : events)
            if (e.type == JobEvent::Type::Tag && e.key() == key)
                return e.data.value(QStringLiteral("value")).toString();
        return {};
    }
    QList<QString> metricKeys() const
    {
        QList<QString> keys;
        for (const JobEvent &e : events)
            if (e.type == JobEvent::Type::Metric && !keys.contains(e.key()))
                keys << e.key();
        return keys;
    }
};

QList<JobEvent> parseEvents(const QByteArray &out)
{
    QList<JobEvent> events;
    for (const QByteArray &line : out.split('\n'))
        if (auto e = JobEvent::parse(line))
            events << *e;
    return events;
}

QProcessEnvironment workerEnv(double timeoutSeconds = 60)
{
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    for (const QString &k : env.keys())
        if (k.startsWith(QLatin1String("SLURM_")) || k.startsWith(QLatin1String("CAIRN_RANK")))
            env.remove(k);
    env.insert(QStringLiteral("CAIRN_DIST_TIMEOUT"), QString::number(timeoutSeconds));
    return env;
}

WorkerRun runWorker(const QString &specPath, const QProcessEnvironment &env = workerEnv())
{
    QProcess p;
    p.setProcessEnvironment(env);
    p.setWorkingDirectory(QFileInfo(specPath).absolutePath());
    p.start(QStringLiteral(CAIRN_CLI_PATH), {QStringLiteral("worker"), QStringLiteral("--spec"), specPath});
    WorkerRun r;
    if (!p.waitForFinished(240000)) {
        p.kill();
        p.waitForFinished();
        r.stderrText = QStringLiteral("timed out");
        return r;
    }
    r.exitCode = p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1;
    r.events = parseEvents(p.readAllStandardOutput());
    r.stderrText = QString::fromUtf8(p.readAllStandardError());
    return r;
}

JobSpec mlpSpec(const QString &dir, int instances)
{
    JobSpec s;
    s.id = QStringLiteral("mlp-%1").arg(instances);
    s.algorithm = QStringLiteral("mlp");
    data::ChannelSpec train;
    train.path = sharedTable(QStringLiteral("breast_cancer.csv"));
    s.channels.insert(QStringLiteral("train"), train);
    s.target = QStringLiteral("target");
    // 455 training rows in batches of 32: the short last batch splits 4 + 3 between two ranks.
    s.hyperparameters = QJsonObject{{QStringLiteral("epochs"), 3}, {QStringLiteral("batch_size"), 32}, {QStringLiteral("dropout"), 0.0},
                                    {QStringLiteral("hidden_layers"), 2}, {QStringLiteral("units"), 32}, {QStringLiteral("early_stopping_patience"), 0}};
    s.seed = 11;
    s.outputDir = QDir(dir).filePath(QStringLiteral("out"));
    s.resources.cpus = 1;
    s.resources.instances = instances;
    return s;
}

JobSpec cnnSpec(const QString &dir, int instances, int images, int epochs)
{
    JobSpec s;
    s.id = QStringLiteral("cnn-%1").arg(instances);
    s.algorithm = QStringLiteral("cnn");
    data::ChannelSpec train;
    train.type = data::ChannelSpec::Type::Idx;
    train.path = QStringLiteral(CAIRN_SHARED_DATA_DIR "/fashion-mnist/t10k-images-idx3-ubyte.gz");
    train.labelsPath = QStringLiteral(CAIRN_SHARED_DATA_DIR "/fashion-mnist/t10k-labels-idx1-ubyte.gz");
    s.channels.insert(QStringLiteral("train"), train);
    s.hyperparameters = QJsonObject{{QStringLiteral("epochs"), epochs}, {QStringLiteral("batch_size"), 64},
                                    {QStringLiteral("max_train_images"), images}, {QStringLiteral("conv1_channels"), 8},
                                    {QStringLiteral("conv2_channels"), 16}, {QStringLiteral("fc_units"), 32},
                                    {QStringLiteral("dropout_conv"), 0.0}, {QStringLiteral("dropout_fc"), 0.0}, {QStringLiteral("log_every"), 1}};
    s.seed = 5;
    s.outputDir = QDir(dir).filePath(QStringLiteral("out"));
    s.resources.cpus = 1;
    s.resources.instances = instances;
    return s;
}

QString writeSpec(const QString &dir, const JobSpec &spec)
{
    QDir().mkpath(dir);
    const QString path = QDir(dir).filePath(QStringLiteral("spec.json"));
    spec.save(path);
    return path;
}

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

double finalMetric(const WorkerRun &r, const QString &key)
{
    double v = NAN;
    for (const JobEvent &e : r.events)
        if (e.type == JobEvent::Type::Metric && e.key() == key)
            v = e.value();
    return v;
}

} // namespace

class tst_DistributedTraining : public QObject
{
    Q_OBJECT
private:
    /// Trains `one` and `two` (the same job on 1 and 2 ranks) and compares their weights.
    void compareOneAndTwo(const JobSpec &one, const JobSpec &two, const QString &dir1, const QString &dir2, const QString &accuracyKey)
    {
        const WorkerRun r1 = runWorker(writeSpec(dir1, one));
        QVERIFY2(r1.exitCode == 0, qPrintable(r1.lastStatus().message() + r1.stderrText.right(2000)));
        const WorkerRun r2 = runWorker(writeSpec(dir2, two));
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
        // Rank 0 records the ranks and hosts, and every rank's throughput.
        QVERIFY2(r2.tag(QStringLiteral("distributed.ranks")).startsWith(QStringLiteral("0=")), qPrintable(r2.tag(QStringLiteral("distributed.ranks"))));
        QVERIFY(r2.tag(QStringLiteral("distributed.ranks")).contains(QStringLiteral(", 1=")));
        QVERIFY(r2.metricKeys().contains(QStringLiteral("throughput.rank0")));
        QVERIFY(r2.metricKeys().contains(QStringLiteral("throughput.rank1")));
        QVERIFY(r1.tag(QStringLiteral("distributed.ranks")).isEmpty());
        // Rank 1 kept its own log; rank 0 alone wrote the model and validated.
        QVERIFY(QFileInfo::exists(QDir(dir2).filePath(QStringLiteral("rank-1.jsonl"))));
        QVERIFY(QFileInfo::exists(QDir(dir2).filePath(QStringLiteral("rank-1.log"))));
    }

    /// Starts a 2-rank CNN job, does `what` to rank 1 once it has trained a few steps, and
    /// checks that the job fails naming rank 1 within `limitMs`.
    void failRankOne(int signal, double timeoutSeconds, qint64 limitMs)
    {
        QTemporaryDir tmp;
        const QString dir = tmp.filePath(QStringLiteral("job"));
        const QString spec = writeSpec(dir, cnnSpec(dir, 2, 10000, 20));
        QProcess p;
        p.setProcessEnvironment(workerEnv(timeoutSeconds));
        p.setWorkingDirectory(dir);
        p.start(QStringLiteral(CAIRN_CLI_PATH), {QStringLiteral("worker"), QStringLiteral("--spec"), spec});
        QVERIFY(p.waitForStarted());
        // Rank 1's pid from the launcher's log line; then wait for rank 1 to be training.
        QByteArray out;
        qint64 pid = 0;
        QElapsedTimer t;
        t.start();
        while (pid == 0 && t.elapsed() < 60000 && p.state() == QProcess::Running) {
            p.waitForReadyRead(500);
            out += p.readAllStandardOutput();
            for (const JobEvent &e : parseEvents(out))
                if (e.type == JobEvent::Type::Log && e.message().contains(QLatin1String("(pids "))) {
                    const QString pids = e.message().section(QLatin1String("(pids "), 1).section(QLatin1Char(';'), 0, 0);
                    pid = pids.section(QLatin1String(", "), 1, 1).toLongLong();
                }
        }
        QVERIFY2(pid > 0, out.constData());
        const QString rankEvents = QDir(dir).filePath(QStringLiteral("rank-1.jsonl"));
        auto rankOneTrains = [&] {
            QFile f(rankEvents);
            return f.open(QIODevice::ReadOnly) && f.readAll().contains("\"train.loss\"");
        };
        QTRY_VERIFY_WITH_TIMEOUT(rankOneTrains(), 90000);
        QVERIFY(p.state() == QProcess::Running);
        ::kill(pid_t(pid), signal);
        QElapsedTimer sinceKill;
        sinceKill.start();
        const bool ended = p.waitForFinished(int(limitMs));
        const qint64 took = sinceKill.elapsed();
        if (signal == SIGSTOP)
            ::kill(pid_t(pid), SIGKILL); // nothing left behind if the launcher did not
        if (!ended) {
            p.kill();
            p.waitForFinished();
        }
        QVERIFY2(ended, qPrintable(QStringLiteral("the job still ran %1 ms after rank 1 was signalled").arg(took)));
        out += p.readAllStandardOutput();
        const QList<JobEvent> events = parseEvents(out);
        QVERIFY(!events.isEmpty());
        const JobEvent last = events.last();
        qInfo("failed after %lld ms: %s", took, qPrintable(last.message()));
        QCOMPARE(last.status(), QStringLiteral("failed"));
        QVERIFY2(last.message().contains(QLatin1String("rank 1")), qPrintable(last.message()));
        QCOMPARE(p.exitCode(), 1);
        // No rank is left running.
        QTRY_VERIFY_WITH_TIMEOUT(::kill(pid_t(pid), 0) != 0, 10000);
    }

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

    void killedRankFailsTheJob()
    {
        // A dead rank: its peers see the connection close; the launcher sees it die.
        failRankOne(SIGKILL, 60, 30000);
    }

    void stuckRankFailsTheJob()
    {
        // A stopped rank answers nothing: the collectives time out (4 s here) and the others
        // name the rank whose heartbeat went stale.
        failRankOne(SIGSTOP, 4, 40000);
    }
};

QTEST_GUILESS_MAIN(tst_DistributedTraining)
#include "tst_distributedtraining.moc"
