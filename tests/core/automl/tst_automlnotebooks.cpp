// The notebooks of an AutoML run: valid nbformat 4 with the profile and the leaderboard in them,
// and they run end to end with `cairn notebook run` on the real python3 kernel — the candidate
// notebook trains its candidates again through `cairn train` and scores them with `cairn predict`.
#include "../../e2e/clirunner.h"

#include "cairn/automl/notebooks.h"
#include "cairn/data/csvreader.h"
#include "cairn/notebook/notebook.h"
#include "cairn/store/experimentstore.h"
#include "cairn/workspace/workspace.h"

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QTest>

using namespace cairn;
using namespace cairn::automl;

namespace {

QString sharedCsv(const QString &name)
{
    return QStringLiteral(CAIRN_SHARED_DATA_DIR "/tabular/") + name + QStringLiteral(".csv");
}

QString allText(const Notebook &nb, CellType type)
{
    QString text;
    for (const NotebookCell &cell : nb.cells())
        if (cell.type() == type)
            text += cell.source() + QLatin1Char('\n');
    return text;
}

QString outputText(const NotebookCell &cell)
{
    QString text;
    for (const QJsonValue &value : cell.outputs()) {
        const QJsonObject output = value.toObject();
        text += joinMultiline(output.value(QStringLiteral("text")));
        text += joinMultiline(output.value(QStringLiteral("data")).toObject().value(QStringLiteral("text/plain")));
    }
    return text;
}

bool hasImage(const Notebook &nb)
{
    for (const NotebookCell &cell : nb.cells())
        for (const QJsonValue &value : cell.outputs())
            if (value.toObject().value(QStringLiteral("data")).toObject().contains(QStringLiteral("image/png")))
                return true;
    return false;
}

/// The parts of nbformat 4.5 a reader relies on, checked on the file's JSON.
void verifyNbformat(const QString &path)
{
    QFile f(path);
    QVERIFY(f.open(QIODevice::ReadOnly));
    QJsonParseError error;
    const QJsonObject root = QJsonDocument::fromJson(f.readAll(), &error).object();
    QCOMPARE(error.error, QJsonParseError::NoError);
    QCOMPARE(root.value(QStringLiteral("nbformat")).toInt(), 4);
    QVERIFY(root.value(QStringLiteral("nbformat_minor")).toInt() >= 5);
    const QJsonObject kernelspec = root.value(QStringLiteral("metadata")).toObject().value(QStringLiteral("kernelspec")).toObject();
    QCOMPARE(kernelspec.value(QStringLiteral("name")).toString(), QStringLiteral("python3"));
    QCOMPARE(kernelspec.value(QStringLiteral("language")).toString(), QStringLiteral("python"));
    const QJsonArray cells = root.value(QStringLiteral("cells")).toArray();
    QVERIFY(cells.size() >= 4);
    QSet<QString> ids;
    for (const QJsonValue &v : cells) {
        const QJsonObject cell = v.toObject();
        const QString type = cell.value(QStringLiteral("cell_type")).toString();
        QVERIFY(type == QLatin1String("code") || type == QLatin1String("markdown"));
        QVERIFY(cell.value(QStringLiteral("metadata")).isObject());
        QVERIFY(cell.value(QStringLiteral("source")).isArray() || cell.value(QStringLiteral("source")).isString());
        const QString id = cell.value(QStringLiteral("id")).toString();
        QVERIFY(QRegularExpression(QStringLiteral("^[a-zA-Z0-9_-]{1,64}$")).match(id).hasMatch());
        QVERIFY(!ids.contains(id));
        ids.insert(id);
        if (type == QLatin1String("code")) {
            QVERIFY(cell.value(QStringLiteral("outputs")).isArray());
            QVERIFY(cell.contains(QStringLiteral("execution_count")));
        } else {
            QVERIFY(!cell.contains(QStringLiteral("outputs")));
        }
    }
}

Candidate candidate(int index, const QString &algorithm, const QJsonObject &params, double objective, const QString &run = {})
{
    Candidate c;
    c.index = index;
    c.algorithm = algorithm;
    c.params = params;
    c.runUuid = run;
    c.state = QStringLiteral("finished");
    c.objective = objective;
    c.metrics.insert(QStringLiteral("accuracy"), objective);
    c.metrics.insert(QStringLiteral("f1_macro"), objective - 0.01);
    c.metrics.insert(QStringLiteral("balanced_accuracy"), objective - 0.005);
    c.metrics.insert(QStringLiteral("log_loss"), 0.2);
    c.trainSeconds = 1.5;
    c.predictMicrosPerRow = 3.25;
    return c;
}

} // namespace

class tst_AutoMLNotebooks : public QObject
{
    Q_OBJECT

    QTemporaryDir m_dir;

    QString workspace() const { return m_dir.filePath(QStringLiteral("ws")); }

    ProcessResult cli(QStringList args)
    {
        args << QStringLiteral("--workspace") << workspace();
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(QStringLiteral("CAIRN_CLI"), QStringLiteral(CAIRN_CLI_PATH));
        return runProgram(QStringLiteral(CAIRN_CLI_PATH), args, env, 240000);
    }

    /// A real training run (xgboost, a few rounds) that stands in for the AutoML run: its model is
    /// what `cairn predict --model <run>` loads.
    QString trainedRun(const QString &csv, const QString &target)
    {
        const ProcessResult r = cli({QStringLiteral("train"), QStringLiteral("--algorithm"), QStringLiteral("xgboost"), QStringLiteral("--train"), csv,
                                     QStringLiteral("--target"), target, QStringLiteral("--hp"), QStringLiteral("num_round=5"), QStringLiteral("--quiet"),
                                     QStringLiteral("--experiment"), QStringLiteral("notebooks")});
        if (r.exitCode != 0)
            qWarning("%s", qPrintable(r.err));
        const QRegularExpressionMatch m = QRegularExpression(QStringLiteral("^run (\\S+):")).match(r.out);
        return m.hasMatch() ? m.captured(1) : QString();
    }

    QString runNotebook(const QString &path, ProcessResult *result)
    {
        *result = cli({QStringLiteral("notebook"), QStringLiteral("run"), path, QStringLiteral("--timeout"), QStringLiteral("180")});
        return result->out + result->err;
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        Workspace ws(workspace());
    }

    void writesValidNotebooksWithTheProfile()
    {
        const data::Table titanic = data::CsvReader::read(sharedCsv(QStringLiteral("titanic")));
        const DataProfile profile = profileTable(titanic, QStringLiteral("survived"));
        AutoMLSpec spec;
        spec.trainPath = sharedCsv(QStringLiteral("titanic"));
        spec.target = QStringLiteral("survived");
        spec.experiment = QStringLiteral("titanic");
        Candidate failed = candidate(3, QStringLiteral("mlp"), {}, std::nan(""));
        failed.state = QStringLiteral("failed");
        failed.message = QStringLiteral("the worker crashed");
        Candidate ensemble = candidate(4, QStringLiteral("ensemble"), {{QStringLiteral("xgboost-1"), 0.6}, {QStringLiteral("xgboost-2"), 0.4}}, 0.83);
        ensemble.ensemble = true;
        const QList<Candidate> board{ensemble, candidate(1, QStringLiteral("xgboost"), {{QStringLiteral("eta"), 0.05}, {QStringLiteral("max_depth"), 4}}, 0.82),
                                     candidate(2, QStringLiteral("xgboost"), {}, 0.8), failed};
        const QString artifacts = QDir(workspace()).filePath(QStringLiteral("artifacts/0123abcd"));
        const QStringList paths = writeAutoMLNotebooks(artifacts, spec, profile, board, QStringLiteral("0123abcd"));
        QCOMPARE(paths, QStringList({artifacts + QStringLiteral("/notebooks/data_exploration.ipynb"),
                                     artifacts + QStringLiteral("/notebooks/candidate_definitions.ipynb")}));
        for (const QString &p : paths)
            verifyNbformat(p);

        const Notebook exploration = Notebook::load(paths.at(0));
        const QString md = allText(exploration, CellType::Markdown);
        QVERIFY(md.contains(QStringLiteral("1309 rows, 5 columns")));
        QVERIFY(md.contains(QStringLiteral("problem type **binary** (inferred), objective **f1**")));
        QVERIFY(md.contains(QStringLiteral("| age | numeric | 263 | 98 |")));
        QVERIFY2(md.contains(QStringLiteral("- **name** (id): unique for 1309 of 1309 rows")), qPrintable(md));
        const QString code = allText(exploration, CellType::Code);
        QVERIFY(code.contains(QStringLiteral("TARGET = \"survived\"")));
        QVERIFY(code.contains(QStringLiteral("\"name\": \"unique for 1309 of 1309 rows")));
        QVERIFY(code.contains(QStringLiteral("value_counts")));   // classes, not a histogram

        const Notebook candidates = Notebook::load(paths.at(1));
        const QString cmd = allText(candidates, CellType::Markdown);
        QVERIFY(cmd.contains(QStringLiteral("## 1. The ensemble: f1 0.8300")));
        QVERIFY(cmd.contains(QStringLiteral("| xgboost-1 | 0.600 |")));
        QVERIFY(cmd.contains(QStringLiteral("## 2. xgboost-1: f1 0.8200")));
        QVERIFY(cmd.contains(QStringLiteral("| eta | 0.05 |")));
        QVERIFY(cmd.contains(QStringLiteral("## 3. xgboost-2: f1 0.8000")));
        QVERIFY(cmd.contains(QStringLiteral("failed: the worker crashed")));
        QVERIFY(!cmd.contains(QStringLiteral(". mlp-3")));   // failed candidates get no section
        const QString ccode = allText(candidates, CellType::Code);
        QVERIFY(ccode.contains(QStringLiteral("train(\"xgboost-1\", \"xgboost\"")));
        QVERIFY(ccode.contains(QStringLiteral("\"eta\": 0.05")));
        QVERIFY(ccode.contains(QStringLiteral("\"exclude\": [\"name\"]")));
        QVERIFY(ccode.contains(QStringLiteral("WORKSPACE = \"") + QDir::cleanPath(workspace()) + QLatin1Char('"')));
        QVERIFY(ccode.contains(QStringLiteral("EXPERIMENT = \"titanic\"")));
        // Tuned xgboost trials stop early on their validation data; the notebook does the same.
        QVERIFY(ccode.contains(QStringLiteral("\"early_stopping_rounds\": 30")));
    }

    void candidateNotebookRunsWithCairnNotebookRun()
    {
        if (!QFile::exists(QStringLiteral("/usr/share/jupyter/kernels/python3/kernel.json")))
            QSKIP("python3-ipykernel is not installed");
        const QString csv = sharedCsv(QStringLiteral("iris"));
        const QString run = trainedRun(csv, QStringLiteral("target"));
        QVERIFY(!run.isEmpty());
        const DataProfile profile = profileTable(data::CsvReader::read(csv), QStringLiteral("target"));
        AutoMLSpec spec;
        spec.trainPath = csv;
        spec.target = QStringLiteral("target");
        spec.experiment = QStringLiteral("notebooks");
        Candidate ensemble = candidate(3, QStringLiteral("ensemble"), {{QStringLiteral("xgboost-1"), 1.0}}, 0.96);
        ensemble.ensemble = true;
        const QList<Candidate> board{
            candidate(1, QStringLiteral("xgboost"), {{QStringLiteral("num_round"), 4}, {QStringLiteral("max_depth"), 2}, {QStringLiteral("eta"), 0.3}}, 0.96, run),
            ensemble, candidate(2, QStringLiteral("xgboost"), {{QStringLiteral("num_round"), 3}}, 0.95)};
        const QStringList paths = writeAutoMLNotebooks(Workspace(workspace()).artifactDir(run), spec, profile, board, run);

        ProcessResult result;
        const QString log = runNotebook(paths.at(1), &result);
        QVERIFY2(result.exitCode == 0, qPrintable(log));
        verifyNbformat(paths.at(1));
        const Notebook done = Notebook::load(paths.at(1));
        const QString last = outputText(done.cells().last());
        QVERIFY2(last.contains(QStringLiteral("AutoML model")) && last.contains(QStringLiteral("xgboost-1"))
                     && last.contains(QStringLiteral("xgboost-2")) && last.contains(QStringLiteral("accuracy")),
                 qPrintable(last));
        // In-sample accuracy of a boosted model on iris is far above chance (1/3).
        const QRegularExpressionMatch m = QRegularExpression(QStringLiteral("AutoML model\\s+150(?:\\.0)?\\s+([0-9.]+)")).match(last);
        QVERIFY2(m.hasMatch() && m.captured(1).toDouble() > 0.9, qPrintable(last));

        // The candidates were trained again as runs of the experiment, with their settings.
        Workspace ws(workspace());
        int again = 0;
        for (const Run &r : ws.store().searchRuns({}))
            if (r.name == QLatin1String("xgboost-1-again") || r.name == QLatin1String("xgboost-2-again")) {
                ++again;
                QCOMPARE(r.status, RunStatus::Finished);
            }
        QCOMPARE(again, 2);
    }

    void explorationNotebooksRun_data()
    {
        QTest::addColumn<QString>("set");
        QTest::addColumn<QString>("target");
        QTest::newRow("titanic (binary, a dropped column)") << "titanic" << "survived";
        QTest::newRow("diamonds (regression)") << "diamonds" << "price";
    }

    void explorationNotebooksRun()
    {
        if (!QFile::exists(QStringLiteral("/usr/share/jupyter/kernels/python3/kernel.json")))
            QSKIP("python3-ipykernel is not installed");
        QFETCH(QString, set);
        QFETCH(QString, target);
        const QString csv = sharedCsv(set);
        AutoMLSpec spec;
        spec.trainPath = csv;
        spec.target = target;
        const DataProfile profile = profileTable(data::CsvReader::read(csv), target);
        const QString dir = m_dir.filePath(QStringLiteral("artifacts-") + set);
        const QStringList paths = writeAutoMLNotebooks(dir, spec, profile, {}, QStringLiteral("run-") + set);
        ProcessResult result;
        const QString log = runNotebook(paths.at(0), &result);
        QVERIFY2(result.exitCode == 0, qPrintable(log));
        const Notebook done = Notebook::load(paths.at(0));
        QVERIFY(hasImage(done));   // the target's distribution
        QString outputs;
        for (const NotebookCell &cell : done.cells())
            outputs += outputText(cell);
        QVERIFY2(outputs.contains(QStringLiteral("rows, ")), qPrintable(outputs));
        if (set == QLatin1String("titanic")) {
            QVERIFY(outputs.contains(QStringLiteral("1309 rows, 5 columns")));
            QVERIFY(outputs.contains(QStringLiteral("unique for 1309 of 1309 rows")));
            QVERIFY(outputs.contains(QStringLiteral("dropped")));
        } else {
            QVERIFY(outputs.contains(QStringLiteral("53940 rows, 10 columns")));
            QVERIFY(outputs.contains(QStringLiteral("correlation")));
        }
    }
};

QTEST_GUILESS_MAIN(tst_AutoMLNotebooks)
#include "tst_automlnotebooks.moc"
