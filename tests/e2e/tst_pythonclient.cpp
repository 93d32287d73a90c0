// The Python client end to end: a script logs through `import cairn`, and `cairn runs list
// --format json --history` must show exactly those runs, params, tags and metric histories.
#include "clirunner.h"

#include <QJsonArray>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QtTest>

#include <csignal>

class TestPythonClient : public QObject
{
    Q_OBJECT

private:
    QProcessEnvironment envFor(const QString &workspace)
    {
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(QStringLiteral("CAIRN_WORKSPACE"), workspace);
        env.insert(QStringLiteral("PYTHONPATH"), QStringLiteral(CAIRN_SOURCE_DIR "/resources/python"));
        return env;
    }

    static QJsonObject byName(const QJsonArray &runs, const QString &name)
    {
        for (const QJsonValue &v : runs)
            if (v.toObject().value(QStringLiteral("name")).toString() == name)
                return v.toObject();
        return {};
    }

private Q_SLOTS:
    void scriptLoggingShowsUpExactly()
    {
        QTemporaryDir dir;
        const QString script = QStringLiteral(R"PY(
import cairn, math, os, pathlib
with cairn.start_run(experiment="titanic", run_name="xgb-a") as run:
    cairn.log_params({"eta": 0.1, "max_depth": 6, "booster": "gbtree"})
    for step, auc in enumerate([0.71, 0.78, 0.8125]):
        cairn.log_metric("val_auc", auc, step=step)
    cairn.log_metrics({"loss": float("nan")}, step=0)
    cairn.log_metrics({"loss": float("inf")}, step=1)
    cairn.log_metrics({"loss": -float("inf")}, step=2)
    cairn.log_metric("auto", 1.0)
    cairn.log_metric("auto", 2.0)
    cairn.set_tag("model", "xgboost")
    p = pathlib.Path(os.environ["CAIRN_WORKSPACE"]) / "notes.txt"
    p.write_text("hello")
    cairn.log_artifact(str(p), artifact_path="docs")
    print(run.run_id)
try:
    with cairn.start_run(experiment="titanic", run_name="crashes"):
        cairn.log_param("eta", 0.3)
        raise ValueError("boom")
except ValueError:
    pass
with cairn.start_run(experiment="titanic", run_name="parent") as parent:
    with cairn.start_run(run_name="child", nested=True):
        cairn.log_metric("x", 3)
try:
    with cairn.start_run(run_name="immutable"):
        cairn.log_param("a", 1)
        cairn.log_param("a", 2)
except ValueError as e:
    print("refused:", e)
)PY");
        const ProcessResult py = python(script, envFor(dir.path()));
        QVERIFY2(py.exitCode == 0, qPrintable(py.err));
        QVERIFY2(py.out.contains(QStringLiteral("refused: param 'a' is already '1'")), qPrintable(py.out));
        const QString runId = py.out.split(QLatin1Char('\n')).first().trimmed();
        QCOMPARE(runId.size(), 32);

        const ProcessResult list = cairnCli({QStringLiteral("runs"), QStringLiteral("list"), QStringLiteral("--format"),
                                             QStringLiteral("json"), QStringLiteral("--history"), QStringLiteral("--workspace"), dir.path()});
        QVERIFY2(list.exitCode == 0, qPrintable(list.err));
        const QJsonArray runs = list.json().array();
        QCOMPARE(runs.size(), 5);

        const QJsonObject a = byName(runs, QStringLiteral("xgb-a"));
        QCOMPARE(a.value(QStringLiteral("run_id")).toString(), runId);
        QCOMPARE(a.value(QStringLiteral("status")).toString(), QStringLiteral("FINISHED"));
        QCOMPARE(a.value(QStringLiteral("source_type")).toString(), QStringLiteral("LOCAL"));
        const QJsonObject params = a.value(QStringLiteral("params")).toObject();
        QCOMPARE(params.value(QStringLiteral("eta")).toString(), QStringLiteral("0.1"));
        QCOMPARE(params.value(QStringLiteral("max_depth")).toString(), QStringLiteral("6"));
        QCOMPARE(params.value(QStringLiteral("booster")).toString(), QStringLiteral("gbtree"));
        QCOMPARE(a.value(QStringLiteral("tags")).toObject().value(QStringLiteral("model")).toString(), QStringLiteral("xgboost"));

        const QJsonObject metrics = a.value(QStringLiteral("metrics")).toObject();
        const QJsonArray auc = metrics.value(QStringLiteral("val_auc")).toObject().value(QStringLiteral("history")).toArray();
        QCOMPARE(auc.size(), 3);
        const double expected[] = {0.71, 0.78, 0.8125};
        for (int i = 0; i < 3; ++i) {
            QCOMPARE(auc.at(i).toObject().value(QStringLiteral("step")).toInteger(), i);
            QCOMPARE(auc.at(i).toObject().value(QStringLiteral("value")).toDouble(), expected[i]); // exact
        }
        QCOMPARE(metrics.value(QStringLiteral("val_auc")).toObject().value(QStringLiteral("last")).toDouble(), 0.8125);
        const QJsonArray loss = metrics.value(QStringLiteral("loss")).toObject().value(QStringLiteral("history")).toArray();
        QCOMPARE(loss.at(0).toObject().value(QStringLiteral("value")).toString(), QStringLiteral("NaN"));
        QCOMPARE(loss.at(1).toObject().value(QStringLiteral("value")).toString(), QStringLiteral("Infinity"));
        QCOMPARE(loss.at(2).toObject().value(QStringLiteral("value")).toString(), QStringLiteral("-Infinity"));
        const QJsonArray autoSteps = metrics.value(QStringLiteral("auto")).toObject().value(QStringLiteral("history")).toArray();
        QCOMPARE(autoSteps.at(1).toObject().value(QStringLiteral("step")).toInteger(), 1); // steps count up when not given

        QCOMPARE(byName(runs, QStringLiteral("crashes")).value(QStringLiteral("status")).toString(), QStringLiteral("FAILED"));
        const QJsonObject parent = byName(runs, QStringLiteral("parent"));
        QCOMPARE(byName(runs, QStringLiteral("child")).value(QStringLiteral("parent_run_id")).toString(),
                 parent.value(QStringLiteral("run_id")).toString());
        QCOMPARE(byName(runs, QStringLiteral("immutable")).value(QStringLiteral("status")).toString(), QStringLiteral("FAILED"));

        // The artifact is in the run's folder and `runs show` lists it.
        const ProcessResult show = cairnCli({QStringLiteral("runs"), QStringLiteral("show"), runId.left(10), QStringLiteral("--format"),
                                             QStringLiteral("json"), QStringLiteral("--workspace"), dir.path()});
        QVERIFY2(show.exitCode == 0, qPrintable(show.err));
        const QJsonArray artifacts = show.json().object().value(QStringLiteral("artifacts")).toArray();
        QCOMPARE(artifacts.size(), 1);
        QCOMPARE(artifacts.first().toObject().value(QStringLiteral("path")).toString(), QStringLiteral("docs/notes.txt"));

        // The same workspace filtered the way a user would.
        const ProcessResult filtered = cairnCli({QStringLiteral("runs"), QStringLiteral("list"), QStringLiteral("--filter"),
                                                 QStringLiteral("metrics.val_auc > 0.8 and params.eta = '0.1'"), QStringLiteral("--format"),
                                                 QStringLiteral("csv"), QStringLiteral("--columns"), QStringLiteral("name"),
                                                 QStringLiteral("--workspace"), dir.path()});
        QCOMPARE(filtered.out, QStringLiteral("name\r\nxgb-a\r\n"));
    }

    // A client killed with -9 cannot end its run: the next reader of the store marks it.
    void runOfAKilledClientIsMarkedFailedByTheNextReader()
    {
        QTemporaryDir dir;
        QProcess py;
        py.setProcessEnvironment(envFor(dir.path()));
        py.start(QStringLiteral("/usr/bin/python3"),
                 {QStringLiteral("-c"), QStringLiteral("import cairn, sys, time\n"
                                                        "run = cairn.start_run(run_name='killed')\n"
                                                        "cairn.log_metric('x', 1.0)\n"
                                                        "print(run.run_id, flush=True)\n"
                                                        "time.sleep(600)\n")});
        QTRY_VERIFY_WITH_TIMEOUT(py.canReadLine() || py.state() == QProcess::NotRunning, 60000);
        const QString runId = QString::fromUtf8(py.readLine()).trimmed();
        QCOMPARE(runId.size(), 32);
        const QStringList list{QStringLiteral("runs"), QStringLiteral("list"), QStringLiteral("--format"), QStringLiteral("json"),
                               QStringLiteral("--history"), QStringLiteral("--workspace"), dir.path()};
        ProcessResult r = cairnCli(list);
        QCOMPARE(r.json().array().first().toObject().value(QStringLiteral("status")).toString(), QStringLiteral("RUNNING"));
        ::kill(pid_t(py.processId()), SIGKILL);
        QVERIFY(py.waitForFinished(30000));
        r = cairnCli(list);
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        const QJsonObject run = r.json().array().first().toObject();
        QCOMPARE(run.value(QStringLiteral("run_id")).toString(), runId);
        QCOMPARE(run.value(QStringLiteral("status")).toString(), QStringLiteral("FAILED"));
        QCOMPARE(run.value(QStringLiteral("metrics")).toObject().value(QStringLiteral("x")).toObject().value(QStringLiteral("last")).toDouble(), 1.0);
    }

    void badUseGetsClearErrors()
    {
        QTemporaryDir dir;
        const ProcessResult py = python(QStringLiteral(R"PY(
import cairn
for bad in (lambda: cairn.log_metric("", 1), lambda: cairn.log_metric("m", "high"), lambda: cairn.end_run("DONE")):
    try:
        bad()
        print("accepted")
    except ValueError as e:
        print("error:", e)
cairn.end_run()
)PY"),
                                        envFor(dir.path()));
        QVERIFY2(py.exitCode == 0, qPrintable(py.err));
        QCOMPARE(py.out.count(QStringLiteral("error:")), 3);
        QVERIFY(py.out.contains(QStringLiteral("metric 'm' needs a number")));
    }
};

QTEST_GUILESS_MAIN(TestPythonClient)
#include "tst_pythonclient.moc"
