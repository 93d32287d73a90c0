// Several processes write into one workspace at once, C++ writers and the Python client
// together: none may fail with "database is locked", and no point may be lost.
#include "cairn/store/experimentstore.h"
#include "cairn/store/storewriter.h"

#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>

#include <cstring>

using namespace cairn;

namespace {
constexpr int kBatches = 100;
constexpr int kBatchSize = 250;
constexpr int kSingles = 120;
constexpr int kPythonPoints = 400;

int writerMain(const QString &databasePath, const QString &name)
{
    try {
        ExperimentStore store(databasePath);
        const Run run = store.createRun({.experimentId = store.ensureExperiment(QStringLiteral("stress")), .name = name});
        StoreWriter writer(store, 1 << 30);
        for (int b = 0; b < kBatches; ++b) {
            for (int i = 0; i < kBatchSize; ++i)
                writer.logMetric(run.id, QStringLiteral("batched"), b * kBatchSize + i, b * kBatchSize + i);
            writer.logParam(run.id, QStringLiteral("p%1").arg(b), QString::number(b));
            writer.flush();
            // One-point transactions interleaved, as an MLflow-style client would write.
            if (b < kSingles)
                store.logMetric(run.uuid, {QStringLiteral("single"), double(b), b, 0});
        }
        for (int b = kBatches; b < kSingles; ++b)
            store.logMetric(run.uuid, {QStringLiteral("single"), double(b), b, 0});
        store.setTag(run.uuid, QStringLiteral("writer"), name);
        store.setRunStatus(run.uuid, RunStatus::Finished);
        return 0;
    } catch (const Error &e) {
        fprintf(stderr, "writer %s: %s\n", qPrintable(name), qPrintable(e.message()));
        return 1;
    }
}
} // namespace

class TestStoreConcurrency : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void parallelWritersLoseNothing()
    {
        QTemporaryDir dir;
        const QString db = dir.filePath(QStringLiteral("cairn.db"));
        { ExperimentStore create(db); }

        const int cppWriters = 4;
        const int pythonWriters = 3;
        QList<QProcess *> processes;
        for (int i = 0; i < cppWriters; ++i) {
            auto *p = new QProcess(this);
            p->setProcessChannelMode(QProcess::ForwardedErrorChannel);
            p->start(QCoreApplication::applicationFilePath(), {QStringLiteral("--writer"), db, QStringLiteral("cpp-%1").arg(i)});
            processes << p;
        }
        const QString script = QStringLiteral(
            "import cairn, sys\n"
            "with cairn.start_run(experiment='stress', run_name=sys.argv[1], workspace=sys.argv[2]) as run:\n"
            "    cairn.log_params({'writer': sys.argv[1]})\n"
            "    for i in range(%1):\n"
            "        cairn.log_metric('python', i * 0.5, step=i)\n").arg(kPythonPoints);
        for (int i = 0; i < pythonWriters; ++i) {
            auto *p = new QProcess(this);
            p->setProcessChannelMode(QProcess::ForwardedErrorChannel);
            p->start(QStringLiteral("/usr/bin/python3"), {QStringLiteral("-c"), script, QStringLiteral("py-%1").arg(i), dir.path()});
            processes << p;
        }
        for (QProcess *p : processes) {
            QVERIFY2(p->waitForFinished(240000), "a writer hung");
            QCOMPARE(p->exitStatus(), QProcess::NormalExit);
            QCOMPARE(p->exitCode(), 0);
        }

        ExperimentStore store(db);
        RunQuery all;
        const QList<Run> runs = store.searchRuns(all);
        QCOMPARE(runs.size(), cppWriters + pythonWriters);
        for (const Run &run : runs) {
            QCOMPARE(run.status, RunStatus::Finished);
            QHash<QString, MetricSummary> summaries;
            for (const MetricSummary &s : store.metricSummaries(run.id))
                summaries.insert(s.key, s);
            if (run.name.startsWith(QLatin1String("cpp"))) {
                const MetricSeries batched = store.metricHistory(run.id, QStringLiteral("batched"));
                QCOMPARE(batched.values.size(), kBatches * kBatchSize);
                for (int i = 0; i < batched.values.size(); ++i)
                    QCOMPARE(batched.values.at(i), double(i));
                QCOMPARE(summaries.value(QStringLiteral("batched")).count, kBatches * kBatchSize);
                QCOMPARE(summaries.value(QStringLiteral("batched")).max, double(kBatches * kBatchSize - 1));
                QCOMPARE(store.metricHistory(run.id, QStringLiteral("single")).values.size(), kSingles);
                QCOMPARE(summaries.value(QStringLiteral("single")).count, kSingles);
                QCOMPARE(store.params(run.id).size(), kBatches);
                QCOMPARE(store.tags(run.id).size(), 1);
            } else {
                const MetricSeries py = store.metricHistory(run.id, QStringLiteral("python"));
                QCOMPARE(py.values.size(), kPythonPoints);
                QCOMPARE(py.values.last(), (kPythonPoints - 1) * 0.5);
                QCOMPARE(summaries.value(QStringLiteral("python")).count, kPythonPoints);
                QCOMPARE(summaries.value(QStringLiteral("python")).lastStep, kPythonPoints - 1);
            }
        }
        // One experiment, created once even though every writer asked for it at the same time.
        QCOMPARE(store.experiments().size(), 2);
    }
};

int main(int argc, char **argv)
{
    if (argc == 4 && std::strcmp(argv[1], "--writer") == 0) {
        QCoreApplication app(argc, argv);
        return writerMain(QString::fromLocal8Bit(argv[2]), QString::fromLocal8Bit(argv[3]));
    }
    QCoreApplication app(argc, argv);
    TestStoreConcurrency test;
    return QTest::qExec(&test, argc, argv);
}

#include "tst_storeconcurrency.moc"
