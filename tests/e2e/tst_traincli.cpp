// End to end through the `cairn` CLI: train (foreground and detached), jobs, predict, errors.
#include "clirunner.h"

#include "cairn/jobs/jobrecord.h"
#include "cairn/store/experimentstore.h"
#include "cairn/workspace/workspace.h"

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

using namespace cairn;

class tst_TrainCli : public QObject
{
    Q_OBJECT
    QTemporaryDir m_dir;
    QString m_ws;

    ProcessResult cairn(const QStringList &args, int timeoutMs = 120000) { return cairnInWorkspace(m_ws, args, timeoutMs); }

    static QString data(const QString &name) { return QStringLiteral(CAIRN_SHARED_DATA_DIR "/tabular/") + name; }

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
        const ProcessResult r = cairn({QStringLiteral("train"), QStringLiteral("--algorithm"), QStringLiteral("xgboost"), QStringLiteral("--train"), data(QStringLiteral("titanic.csv")),
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
        QCOMPARE(ws.store().metricHistory(run.id, QStringLiteral("validation.logloss")).values.size(), 60);
        QHash<QString, QString> params;
        for (const Param &p : ws.store().params(run.id))
            params.insert(p.key, p.value);
        QCOMPARE(params.value(QStringLiteral("eta")), QStringLiteral("0.1"));
        QCOMPARE(params.value(QStringLiteral("max_depth")), QStringLiteral("6")); // defaults are recorded too
        const QString modelDir = QDir(ws.artifactDir(run.uuid)).filePath(QStringLiteral("model"));
        QVERIFY(QFile::exists(modelDir + QStringLiteral("/model.json")));

        // Predict by run id, writing a file; and by model folder to stdout.
        const QString out = m_dir.filePath(QStringLiteral("preds.csv"));
        const ProcessResult p = cairn({QStringLiteral("predict"), QStringLiteral("--model"), run.uuid.left(10), QStringLiteral("--input"), data(QStringLiteral("titanic.csv")),
                                QStringLiteral("--output"), out, QStringLiteral("--keep"), QStringLiteral("name")});
        QVERIFY2(p.exitCode == 0, qPrintable(p.err));
        QFile f(out);
        QVERIFY(f.open(QIODevice::ReadOnly));
        const QStringList lines = QString::fromUtf8(f.readAll()).split(QLatin1Char('\n'), Qt::SkipEmptyParts);
        QCOMPARE(lines.size(), 1310);
        QCOMPARE(lines.first(), QStringLiteral("name,prediction,probability_no,probability_yes"));
        QVERIFY(lines.at(1).startsWith(QStringLiteral("\"Allen, Miss. Elisabeth Walton\",yes,")));
        const ProcessResult p2 = cairn({QStringLiteral("predict"), QStringLiteral("--model"), modelDir, QStringLiteral("--input"), data(QStringLiteral("titanic.csv"))});
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
        ProcessResult r = cairn({QStringLiteral("train"), QStringLiteral("--algorithm"), QStringLiteral("xgboost"), QStringLiteral("--train"), data(QStringLiteral("iris.csv")),
                          QStringLiteral("--target"), QStringLiteral("target"), QStringLiteral("--hp"), QStringLiteral("eta=7")});
        QCOMPARE(r.exitCode, 2);
        QVERIFY2(r.err.contains(QStringLiteral("eta must be in")), qPrintable(r.err));
        r = cairn({QStringLiteral("train"), QStringLiteral("--algorithm"), QStringLiteral("xgboost"), QStringLiteral("--train"), data(QStringLiteral("iris.csv"))});
        QCOMPARE(r.exitCode, 2);
        QVERIFY(r.err.contains(QStringLiteral("--target")));
        r = cairn({QStringLiteral("train"), QStringLiteral("--algorithm"), QStringLiteral("xgboost"), QStringLiteral("--train"), data(QStringLiteral("iris.csv")),
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
        ProcessResult r = cairn({QStringLiteral("train"), QStringLiteral("--algorithm"), QStringLiteral("xgboost"), QStringLiteral("--train"), data(QStringLiteral("diamonds.csv")),
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
};

QTEST_GUILESS_MAIN(tst_TrainCli)
#include "tst_traincli.moc"
