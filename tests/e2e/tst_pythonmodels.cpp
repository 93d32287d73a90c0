// The Python client's model registry end to end: schema 0004 applied by Python and by C++ to a
// schema-3 workspace, cairn.register_model(run, name) for a CLI-trained run and for a run
// logged from Python, and cairn.models.load("NAME@ALIAS").predict(rows) giving exactly what
// `cairn predict` gives.
#include "clirunner.h"

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonObject>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QTest>

class tst_PythonModels : public QObject
{
    Q_OBJECT
    QTemporaryDir m_dir;

    QProcessEnvironment envFor(const QString &workspace)
    {
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(QStringLiteral("CAIRN_WORKSPACE"), workspace);
        env.insert(QStringLiteral("CAIRN_CLI"), QStringLiteral(CAIRN_CLI_PATH));
        env.insert(QStringLiteral("PYTHONPATH"), QStringLiteral(CAIRN_SOURCE_DIR "/resources/python"));
        return env;
    }
    static QString iris() { return QStringLiteral(CAIRN_SHARED_DATA_DIR "/tabular/iris.csv"); }

private Q_SLOTS:
    void migratesSchema3FromPythonAndFromCpp()
    {
        // Two workspaces at schema 3 (as an older release left them), each with a run.
        const QString script = QStringLiteral(R"PY(
import cairn, cairn._client as client, pathlib, shutil, sqlite3, sys, tempfile
full = client._SCHEMA_DIR
old = pathlib.Path(tempfile.mkdtemp())
for f in full.glob("000[123]_*.sql"):
    shutil.copy(f, old)
client._SCHEMA_DIR = old
for ws in sys.argv[1:]:
    with cairn.start_run(workspace=ws, run_name="before-the-registry"):
        cairn.log_param("a", 1)
client._SCHEMA_DIR = full
client._workspaces.clear()
print(sqlite3.connect(sys.argv[1] + "/cairn.db").execute("PRAGMA user_version").fetchone()[0])
# The first is upgraded by Python.
ws = cairn.Workspace(sys.argv[1])
conn = sqlite3.connect(sys.argv[1] + "/cairn.db")
print(conn.execute("PRAGMA user_version").fetchone()[0])
print(",".join(r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table' AND name LIKE 'model%' OR name = 'registered_models' ORDER BY name")))
)PY");
        const QString a = m_dir.filePath(QStringLiteral("old-a"));
        const QString b = m_dir.filePath(QStringLiteral("old-b"));
        const ProcessResult r = runProgram(QStringLiteral("/usr/bin/python3"), {QStringLiteral("-c"), script, a, b}, envFor(a));
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        const QStringList lines = r.out.split(QLatin1Char('\n'), Qt::SkipEmptyParts);
        QCOMPARE(lines.size(), 3);
        QCOMPARE(lines.at(0), QStringLiteral("3"));
        QVERIFY(lines.at(1).toInt() >= 4);
        QCOMPARE(lines.at(2), QStringLiteral("model_aliases,model_approvals,model_tags,model_version_tags,model_versions,registered_models"));
        // The second is upgraded by C++; both keep their run and answer the registry.
        for (const QString &ws : {a, b}) {
            ProcessResult list = cairnInWorkspace(ws, {QStringLiteral("models"), QStringLiteral("list"), QStringLiteral("--format"), QStringLiteral("json")});
            QVERIFY2(list.exitCode == 0, qPrintable(list.err));
            QCOMPARE(list.json().array().size(), 0);
            const ProcessResult runs = cairnInWorkspace(ws, {QStringLiteral("runs"), QStringLiteral("list"), QStringLiteral("--format"), QStringLiteral("json")});
            QCOMPARE(runs.json().array().size(), 1);
        }
    }

    void registersLoadsAndPredicts()
    {
        const QString ws = m_dir.filePath(QStringLiteral("ws"));
        const ProcessResult t = cairnInWorkspace(ws, {QStringLiteral("train"), QStringLiteral("--algorithm"), QStringLiteral("xgboost"), QStringLiteral("--train"), iris(),
                                                      QStringLiteral("--target"), QStringLiteral("target"), QStringLiteral("--hp"), QStringLiteral("num_round=6"),
                                                      QStringLiteral("--cpus"), QStringLiteral("1")},
                                                 180000);
        QVERIFY2(t.exitCode == 0, qPrintable(t.err));
        const QString run = QRegularExpression(QStringLiteral("run ([0-9a-f]{32}): finished")).match(t.out).captured(1);
        QVERIFY(!run.isEmpty());

        // Five raw rows, as a user has them.
        const QString rowsCsv = m_dir.filePath(QStringLiteral("rows.csv"));
        {
            QFile in(iris()), out(rowsCsv);
            QVERIFY(in.open(QIODevice::ReadOnly) && out.open(QIODevice::WriteOnly));
            const QList<QByteArray> lines = in.readAll().split('\n');
            for (int i : {0, 1, 2, 60, 110, 150})
                out.write(lines.at(i) + '\n');
        }
        const QString script = QStringLiteral(R"PY(
import cairn, csv, json, os, shutil, sys
run_id, rows_csv = sys.argv[1], sys.argv[2]
v = cairn.register_model(run_id, "iris", description="from python", tags={"source": "notebook"})
assert v["version"] == 1 and v["approval"] == "PendingManualApproval", v
cairn.models.approve("iris:1", comment="ok")
cairn.models.set_alias("iris", "champion", 1)
with open(rows_csv, newline="") as f:
    rows = [{k: v for k, v in r.items() if k != "target"} for r in csv.DictReader(f)]
model = cairn.models.load("iris@champion")
assert (model.name, model.version, model.approval) == ("iris", 1, "Approved"), model
preds = model.predict(rows)
as_lists = model.predict([list(r.values()) for r in rows], columns=list(rows[0].keys()))
assert preds == as_lists
latest = cairn.models.load("iris")
assert latest.version == 1
# A run logged from Python with a model folder in its artifacts registers too.
with cairn.start_run(run_name="python-made") as r:
    r.log_artifacts(model.model_dir, "model")
v2 = cairn.register_model(r, "iris-py")
assert v2["run_id"] == r.run_id and v2["version"] == 1, v2
try:
    cairn.models.load("iris@nobody")
    raise SystemExit("no error for an unknown alias")
except cairn.models.CairnError as e:
    assert "has no alias 'nobody'" in str(e), str(e)
print(json.dumps(preds))
)PY");
        const ProcessResult p = runProgram(QStringLiteral("/usr/bin/python3"), {QStringLiteral("-c"), script, run, rowsCsv}, envFor(ws));
        QVERIFY2(p.exitCode == 0, qPrintable(p.err + p.out));
        const QJsonArray preds = QJsonDocument::fromJson(p.out.toUtf8()).array();
        QCOMPARE(preds.size(), 5);

        // Exactly what `cairn predict` answers for the run's own model.
        const ProcessResult cli = cairnInWorkspace(ws, {QStringLiteral("predict"), QStringLiteral("--model"), run, QStringLiteral("--input"), rowsCsv});
        QCOMPARE(cli.exitCode, 0);
        const QStringList lines = cli.out.split(QLatin1Char('\n'), Qt::SkipEmptyParts);
        QCOMPARE(lines.size(), 6);
        const QStringList header = lines.first().split(QLatin1Char(','));
        QCOMPARE(header.first(), QStringLiteral("prediction"));
        for (int i = 0; i < 5; ++i) {
            const QStringList cells = lines.at(i + 1).split(QLatin1Char(','));
            const QJsonObject row = preds.at(i).toObject();
            QCOMPARE(row.value(QStringLiteral("prediction")).toString(), cells.first()); // labels stay text
            for (int c = 1; c < header.size(); ++c)
                QCOMPARE(row.value(header.at(c)).toDouble(), cells.at(c).toDouble());
        }
        QCOMPARE(preds.at(0).toObject().value(QStringLiteral("prediction")).toString(), QStringLiteral("setosa"));
    }
};

QTEST_GUILESS_MAIN(tst_PythonModels)
#include "tst_pythonmodels.moc"
