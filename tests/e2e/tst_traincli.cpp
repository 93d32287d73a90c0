// End to end through the `cairn` CLI: train (foreground and detached), jobs, predict, errors.
#include "clirunner.h"

#include "cairn/jobs/jobrecord.h"
#include "cairn/store/experimentstore.h"
#include "cairn/util/process.h"
#include "cairn/workspace/workspace.h"

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

#include <csignal>

using namespace cairn;

class tst_TrainCli : public QObject
{
    Q_OBJECT
    QTemporaryDir m_dir;
    QString m_ws;

    ProcessResult cairn(const QStringList &args, int timeoutMs = 120000) { return cairnInWorkspace(m_ws, args, timeoutMs); }

private Q_SLOTS:
    void initTestCase() { m_ws = m_dir.filePath(QStringLiteral("ws")); }

    void listsAndDescribesAlgorithms()
    {
        const ProcessResult r = cairn({QStringLiteral("algorithms"), QStringLiteral("list")});
        QCOMPARE(r.exitCode, 0);
        for (const char *id : {"xgboost", "kmeans", "linear-learner", "mlp", "cnn"})
            QVERIFY2(r.out.contains(QLatin1String(id)), id);
        const ProcessResult d = cairn({QStringLiteral("algorithms"), QStringLiteral("describe"), QStringLiteral("xgboost"), QStringLiteral("--format"), QStringLiteral("json")});
        QCOMPARE(d.exitCode, 0);
        const QJsonObject o = QJsonDocument::fromJson(d.out.toUtf8()).object();
        QCOMPARE(o.value(QStringLiteral("id")).toString(), QStringLiteral("xgboost"));
        QVERIFY(o.value(QStringLiteral("parameters")).toArray().size() >= 15);
        QCOMPARE(cairn({QStringLiteral("algorithms"), QStringLiteral("describe"), QStringLiteral("nope")}).exitCode, 1);
    }

    void trainsXgboostOnTitanicAndPredicts()
    {
        const ProcessResult r = cairn({QStringLiteral("train"), QStringLiteral("--algorithm"), QStringLiteral("xgboost"), QStringLiteral("--train"), sharedTable(QStringLiteral("titanic.csv")),
                                QStringLiteral("--target"), QStringLiteral("survived"), QStringLiteral("--hp"), QStringLiteral("num_round=60"),
                                QStringLiteral("--hp"), QStringLiteral("eta=0.1"), QStringLiteral("--experiment"), QStringLiteral("titanic"),
                                QStringLiteral("--run-name"), QStringLiteral("first")});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        QVERIFY(r.out.contains(QStringLiteral(": finished")));
        QVERIFY(r.out.contains(QStringLiteral("validation.auc")));
        QVERIFY(r.err.contains(QStringLiteral("round 60/60")));

        Workspace ws(m_ws);
        const Experiment e = ws.store().experimentByName(QStringLiteral("titanic"));
        RunQuery q;
        q.experimentIds = {e.id};
        const QList<Run> runs = ws.store().searchRuns(q);
        QCOMPARE(runs.size(), 1);
        const Run run = runs.first();
        QCOMPARE(run.status, RunStatus::Finished);
        QCOMPARE(run.name, QStringLiteral("first"));
        double auc = 0;
        for (const MetricSummary &m : ws.store().metricSummaries(run.id))
            if (m.key == QLatin1String("validation.auc"))
                auc = m.last;
        QVERIFY2(auc > 0.8, qPrintable(QString::number(auc)));
        QCOMPARE(ws.store().metricHistory(run.id, QStringLiteral("train.log_loss")).values.size(), 60);
        QHash<QString, QString> params;
        for (const Param &p : ws.store().params(run.id))
            params.insert(p.key, p.value);
        QCOMPARE(params.value(QStringLiteral("eta")), QStringLiteral("0.1"));
        QCOMPARE(params.value(QStringLiteral("max_depth")), QStringLiteral("6")); // defaults are recorded too
        const QString modelDir = QDir(ws.artifactDir(run.uuid)).filePath(QStringLiteral("model"));
        QVERIFY(QFile::exists(modelDir + QStringLiteral("/model.json")));

        // Predict by run id, writing a file; and by model folder to stdout.
        const QString out = m_dir.filePath(QStringLiteral("preds.csv"));
        const ProcessResult p = cairn({QStringLiteral("predict"), QStringLiteral("--model"), run.uuid.left(10), QStringLiteral("--input"), sharedTable(QStringLiteral("titanic.csv")),
                                QStringLiteral("--output"), out, QStringLiteral("--keep"), QStringLiteral("name")});
        QVERIFY2(p.exitCode == 0, qPrintable(p.err));
        QFile f(out);
        QVERIFY(f.open(QIODevice::ReadOnly));
        const QStringList lines = QString::fromUtf8(f.readAll()).split(QLatin1Char('\n'), Qt::SkipEmptyParts);
        QCOMPARE(lines.size(), 1310);
        QCOMPARE(lines.first(), QStringLiteral("name,prediction,probability_no,probability_yes"));
        QVERIFY(lines.at(1).startsWith(QStringLiteral("\"Allen, Miss. Elisabeth Walton\",yes,")));
        const ProcessResult p2 = cairn({QStringLiteral("predict"), QStringLiteral("--model"), modelDir, QStringLiteral("--input"), sharedTable(QStringLiteral("titanic.csv"))});
        QCOMPARE(p2.exitCode, 0);
        QCOMPARE(p2.out.split(QLatin1Char('\n'), Qt::SkipEmptyParts).size(), 1310);
        // Rows lacking a column the model needs.
        const QString partial = m_dir.filePath(QStringLiteral("partial.csv"));
        QFile pf(partial);
        QVERIFY(pf.open(QIODevice::WriteOnly));
        pf.write("name,sex\nA,female\n");
        pf.close();
        const ProcessResult p3 = cairn({QStringLiteral("predict"), QStringLiteral("--model"), modelDir, QStringLiteral("--input"), partial});
        QCOMPARE(p3.exitCode, 1);
        QVERIFY2(p3.err.contains(QStringLiteral("no column 'age'")), qPrintable(p3.err));

        // The job is listed and its log kept.
        const ProcessResult jobs = cairn({QStringLiteral("jobs"), QStringLiteral("list")});
        QCOMPARE(jobs.exitCode, 0);
        QVERIFY(jobs.out.contains(QStringLiteral("finished")));
        const QList<JobRecord> records = JobRecord::list(m_ws);
        QVERIFY(!records.isEmpty());
        const ProcessResult logs = cairn({QStringLiteral("jobs"), QStringLiteral("logs"), records.first().id});
        QCOMPARE(logs.exitCode, 0);
        QVERIFY(logs.out.contains(QStringLiteral("status: finished")));
    }

    void reportsMistakes()
    {
        ProcessResult r = cairn({QStringLiteral("train"), QStringLiteral("--algorithm"), QStringLiteral("xgboost"), QStringLiteral("--train"), sharedTable(QStringLiteral("iris.csv")),
                          QStringLiteral("--target"), QStringLiteral("target"), QStringLiteral("--hp"), QStringLiteral("eta=7")});
        QCOMPARE(r.exitCode, 2);
        QVERIFY2(r.err.contains(QStringLiteral("eta must be in")), qPrintable(r.err));
        r = cairn({QStringLiteral("train"), QStringLiteral("--algorithm"), QStringLiteral("xgboost"), QStringLiteral("--train"), sharedTable(QStringLiteral("iris.csv"))});
        QCOMPARE(r.exitCode, 2);
        QVERIFY(r.err.contains(QStringLiteral("--target")));
        r = cairn({QStringLiteral("train"), QStringLiteral("--algorithm"), QStringLiteral("xgboost"), QStringLiteral("--train"), sharedTable(QStringLiteral("iris.csv")),
                   QStringLiteral("--target"), QStringLiteral("species")});
        QCOMPARE(r.exitCode, 3); // an input mistake, refused before a job exists
        QVERIFY2(r.err.contains(QStringLiteral("'species' is not a column of iris.csv")), qPrintable(r.err));
        // A damaged file: the error names file, line and column, and no run is made.
        const QString bad = m_dir.filePath(QStringLiteral("bad.csv"));
        QFile f(bad);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write("a,b,y\n1,2,0\n3,4,1,9\n");
        f.close();
        r = cairn({QStringLiteral("train"), QStringLiteral("--algorithm"), QStringLiteral("xgboost"), QStringLiteral("--train"), bad, QStringLiteral("--target"), QStringLiteral("y")});
        QCOMPARE(r.exitCode, 3);
        QVERIFY2(r.err.contains(QStringLiteral("bad.csv:3:7")), qPrintable(r.err));
        QVERIFY(!r.out.contains(QStringLiteral(": failed")));
    }

    void detachedJobCanBeStopped()
    {
        ProcessResult r = cairn({QStringLiteral("train"), QStringLiteral("--algorithm"), QStringLiteral("xgboost"), QStringLiteral("--train"), sharedTable(QStringLiteral("diamonds.csv")),
                          QStringLiteral("--target"), QStringLiteral("price"), QStringLiteral("--hp"), QStringLiteral("num_round=100000"),
                          QStringLiteral("--hp"), QStringLiteral("eta=0.01"), QStringLiteral("--detach")});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        const QString id = r.out.trimmed();
        QVERIFY(id.startsWith(QStringLiteral("job-")));
        const QString dir = JobRecord::dirOf(m_ws, id);
        // Wait until training has begun (a few rounds logged).
        QTRY_VERIFY_WITH_TIMEOUT(QFile(dir + QStringLiteral("/events.jsonl")).size() > 2000, 60000);
        r = cairn({QStringLiteral("jobs"), QStringLiteral("stop"), id, QStringLiteral("--wait")});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        QVERIFY2(r.out.contains(QStringLiteral("stopped")), qPrintable(r.out));
        const JobRecord rec = JobRecord::load(dir);
        QCOMPARE(rec.state, JobState::Stopped);
        Workspace ws(m_ws);
        QCOMPARE(ws.store().run(rec.runUuid).status, RunStatus::Killed);
        // The worker saved the rounds it had when asked to stop.
        QVERIFY(QFile::exists(QDir(ws.artifactDir(rec.runUuid)).filePath(QStringLiteral("model/model.json"))));
    }

    // Found by a hostile user: non-finite CSV numbers reached XGBoost (a native stack trace
    // with no row or column) and the MLP (which "finished" with a NaN loss).
    void nonFiniteNumbersFailClearly()
    {
        auto write = [&](const QString &name, const QByteArray &text) {
            const QString path = m_dir.filePath(name);
            QFile f(path);
            f.open(QIODevice::WriteOnly);
            f.write(text);
            return path;
        };
        QByteArray rows;
        for (int i = 0; i < 40; ++i)
            rows += QByteArray::number(i % 7) + ',' + QByteArray::number(i * 0.5) + ',' + QByteArray::number(i % 2) + '\n';
        const QString inf = write(QStringLiteral("inf.csv"), "a,b,y\n" + rows + "1, inf,0\n");
        const QString huge = write(QStringLiteral("huge.csv"), "a,b,y\n" + rows + "1,3.5e38,0\n");
        for (const char *algorithm : {"xgboost", "mlp"}) {
            ProcessResult r = cairn({QStringLiteral("train"), QStringLiteral("--algorithm"), QLatin1String(algorithm), QStringLiteral("--train"), inf,
                                     QStringLiteral("--target"), QStringLiteral("y")});
            QVERIFY2(r.exitCode != 0, qPrintable(r.out));
            QVERIFY2(r.err.contains(QStringLiteral("inf.csv:42:4: 'inf' in column 'b' is not a finite number")), qPrintable(r.err + r.out));
            r = cairn({QStringLiteral("train"), QStringLiteral("--algorithm"), QLatin1String(algorithm), QStringLiteral("--train"), huge,
                       QStringLiteral("--target"), QStringLiteral("y"), QStringLiteral("--hp"),
                       QString::fromLatin1(qstrcmp(algorithm, "mlp") == 0 ? "epochs=1" : "num_round=2")});
            QVERIFY2(r.exitCode != 0, qPrintable(r.out));
            const QString all = r.out + r.err;
            QVERIFY2(all.contains(QStringLiteral("column 'b', data row 41: 3.5e+38 is beyond the range of 32-bit floats")), qPrintable(all));
            QVERIFY2(!all.contains(QStringLiteral("Stack trace")), qPrintable(all));
        }
    }

    // A network whose loss becomes NaN or infinite fails with a clear message and saves nothing.
    void divergingTrainingFails()
    {
        const ProcessResult r = cairn({QStringLiteral("train"), QStringLiteral("--algorithm"), QStringLiteral("mlp"), QStringLiteral("--train"),
                                       sharedTable(QStringLiteral("diamonds.csv")), QStringLiteral("--target"), QStringLiteral("price"), QStringLiteral("--hp"),
                                       QStringLiteral("optimizer=sgd"), QStringLiteral("--hp"), QStringLiteral("learning_rate=10"), QStringLiteral("--hp"),
                                       QStringLiteral("epochs=3"), QStringLiteral("--run-name"), QStringLiteral("diverges")});
        QVERIFY2(r.exitCode != 0, qPrintable(r.out));
        const QString all = r.out + r.err;
        QVERIFY2(all.contains(QStringLiteral("training diverged: the training loss became")), qPrintable(all));
        Workspace ws(m_ws);
        const QList<Run> runs = ws.store().searchRuns({.filter = QStringLiteral("name = 'diverges'")});
        QCOMPARE(runs.size(), 1);
        QCOMPARE(runs.first().status, RunStatus::Failed);
        QVERIFY(!QFile::exists(QDir(ws.artifactDir(runs.first().uuid)).filePath(QStringLiteral("model"))));
    }

    // The worker itself refuses more CPUs than its machine has (a spec may come from elsewhere
    // than `cairn train`): the job fails with that message instead of dying by SIGSEGV.
    void workerRefusesMoreCpusThanTheHostHas()
    {
        const QString dir = m_dir.filePath(QStringLiteral("cpus"));
        QDir().mkpath(dir);
        const QString spec = dir + QStringLiteral("/spec.json");
        QFile f(spec);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(QJsonDocument(QJsonObject{{QStringLiteral("version"), 1},
                                          {QStringLiteral("algorithm"), QStringLiteral("xgboost")},
                                          {QStringLiteral("channels"), QJsonObject{{QStringLiteral("train"), QJsonObject{{QStringLiteral("path"), sharedTable(QStringLiteral("iris.csv"))}}}}},
                                          {QStringLiteral("target"), QStringLiteral("target")},
                                          {QStringLiteral("outputDir"), dir + QStringLiteral("/out")},
                                          {QStringLiteral("resources"), QJsonObject{{QStringLiteral("cpus"), 40000}}}})
                    .toJson());
        f.close();
        const ProcessResult r = runProgram(QStringLiteral(CAIRN_CLI_PATH), {QStringLiteral("worker"), QStringLiteral("--spec"), spec});
        QCOMPARE(r.exitCode, 1);
        QVERIFY2(r.out.contains(QStringLiteral("\"status\":\"failed\"")) && r.out.contains(QStringLiteral("the job asks for 40000 CPUs, but this machine has")),
                 qPrintable(r.out + r.err));
    }

    // kill -9 of the CLI that supervises a job: the next `jobs list` or `runs list` marks the
    // job and its run failed at once and ends the orphaned worker.
    void killedSupervisorIsSeenByEveryReader()
    {
        ProcessResult r = cairn({QStringLiteral("train"), QStringLiteral("--algorithm"), QStringLiteral("xgboost"), QStringLiteral("--train"),
                                 sharedTable(QStringLiteral("diamonds.csv")), QStringLiteral("--target"), QStringLiteral("price"), QStringLiteral("--hp"),
                                 QStringLiteral("num_round=100000"), QStringLiteral("--hp"), QStringLiteral("eta=0.01"), QStringLiteral("--detach")});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        const QString id = r.out.trimmed();
        const QString dir = JobRecord::dirOf(m_ws, id);
        QTRY_VERIFY_WITH_TIMEOUT(JobRecord::load(dir).workerPid > 0 && QFile(dir + QStringLiteral("/events.jsonl")).size() > 2000, 60000);
        JobRecord rec = JobRecord::load(dir);
        QCOMPARE(rec.state, JobState::Running);
        QVERIFY(::kill(pid_t(rec.managerPid), SIGKILL) == 0);
        // The supervisor is detached (its parent is init), which reaps it soon after.
        QTRY_VERIFY_WITH_TIMEOUT(!processExists(rec.managerPid), 30000);

        r = cairn({QStringLiteral("jobs"), QStringLiteral("list"), QStringLiteral("--format"), QStringLiteral("json")});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        QJsonObject job;
        for (const QJsonValue &v : r.json().array())
            if (v.toObject().value(QStringLiteral("id")).toString() == id)
                job = v.toObject();
        QCOMPARE(job.value(QStringLiteral("state")).toString(), QStringLiteral("failed"));
        QVERIFY2(job.value(QStringLiteral("message")).toString().contains(QStringLiteral("is gone")), qPrintable(QJsonDocument(job).toJson()));
        QTRY_VERIFY_WITH_TIMEOUT(!processExists(rec.workerPid), 30000);

        r = cairn({QStringLiteral("runs"), QStringLiteral("list"), QStringLiteral("--format"), QStringLiteral("json"), QStringLiteral("--filter"),
                   QStringLiteral("run_id = '%1'").arg(rec.runUuid)});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        QCOMPARE(r.json().array().size(), 1);
        QCOMPARE(r.json().array().first().toObject().value(QStringLiteral("status")).toString(), QStringLiteral("FAILED"));
    }
};

QTEST_GUILESS_MAIN(tst_TrainCli)
#include "tst_traincli.moc"
