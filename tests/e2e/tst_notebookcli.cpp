// `cairn notebook run` and `cairn kernels list` end to end, with the real python3 ipykernel: outputs
// saved, runs logged through `import cairn` with the notebook as source, errors and timeouts giving
// a non-zero exit with the cell index, and the sample notebooks in resources/notebooks.
#include "clirunner.h"

#include "cairn/notebook/notebook.h"
#include "cairn/notebook/outputs.h"
#include "cairn/store/experimentstore.h"
#include "cairn/workspace/workspace.h"

#include <QElapsedTimer>
#include <QFile>
#include <QJsonArray>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QtTest>

using namespace cairn;

namespace {

QString writeNotebook(const QString &path, const QStringList &codeCells, const QString &kernel = QStringLiteral("python3"))
{
    Notebook notebook;
    notebook.cells().clear();
    notebook.cells().append(notebook.makeCell(CellType::Markdown, QStringLiteral("# Test notebook")));
    for (const QString &code : codeCells)
        notebook.cells().append(notebook.makeCell(CellType::Code, code));
    notebook.setKernelSpec(kernel, kernel, QStringLiteral("python"));
    notebook.save(path);
    return path;
}

QString allText(const NotebookCell &cell)
{
    QString text;
    for (const QJsonValue &value : cell.outputs()) {
        const QJsonObject output = value.toObject();
        text += joinMultiline(output.value(QStringLiteral("text")));
        text += joinMultiline(output.value(QStringLiteral("data")).toObject().value(QStringLiteral("text/plain")));
    }
    return text;
}

} // namespace

class TestNotebookCli : public QObject
{
    Q_OBJECT
private:
    QTemporaryDir m_dir;

    ProcessResult cli(QStringList args, const QString &workspace = {})
    {
        args << QStringLiteral("--workspace") << (workspace.isEmpty() ? m_dir.filePath(QStringLiteral("ws")) : workspace);
        return cairnCli(args);
    }

private Q_SLOTS:
    void initTestCase()
    {
        if (!QFile::exists(QStringLiteral("/usr/share/jupyter/kernels/python3/kernel.json")))
            QSKIP("python3-ipykernel is not installed");
    }

    void kernelsList()
    {
        const ProcessResult table = cli({QStringLiteral("kernels"), QStringLiteral("list")});
        QCOMPARE(table.exitCode, 0);
        QVERIFY(table.out.contains(QStringLiteral("Python 3 (ipykernel)")));
        const ProcessResult json = cli({QStringLiteral("kernels"), QStringLiteral("list"), QStringLiteral("--format"), QStringLiteral("json")});
        QCOMPARE(json.exitCode, 0);
        bool found = false;
        for (const QJsonValue &v : json.json().array())
            found |= v.toObject().value(QStringLiteral("name")) == QLatin1String("python3");
        QVERIFY(found);
    }

    void runSavesOutputsAndLogsRun()
    {
        const QString path = writeNotebook(m_dir.filePath(QStringLiteral("ok.ipynb")),
                                           {QStringLiteral("import cairn\nwith cairn.start_run(run_name='from-notebook'):\n"
                                                           "    cairn.log_metric('score', 0.75)\nprint('logged')"),
                                            QStringLiteral("import os\nos.path.basename(os.getcwd())"),
                                            QStringLiteral("21 * 2")});
        const QString out = m_dir.filePath(QStringLiteral("ok.out.ipynb"));
        const ProcessResult r = cli({QStringLiteral("notebook"), QStringLiteral("run"), path, QStringLiteral("--output"), out});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        QVERIFY(r.out.contains(QStringLiteral("Ran 3 code cells")));
        const Notebook result = Notebook::load(out);
        QCOMPARE(result.cells().size(), 4);
        QCOMPARE(allText(result.cells().at(1)), QStringLiteral("logged\n"));
        // The kernel runs in the notebook's folder.
        QCOMPARE(allText(result.cells().at(2)), QStringLiteral("'%1'").arg(QFileInfo(m_dir.path()).fileName()));
        QCOMPARE(allText(result.cells().at(3)), QStringLiteral("42"));
        QCOMPARE(result.cells().at(1).executionCount(), 1);
        QCOMPARE(result.cells().at(3).executionCount(), 3);
        QCOMPARE(result.metadata().value(QStringLiteral("language_info")).toObject().value(QStringLiteral("name")).toString(), QStringLiteral("python"));
        // The input is untouched when --output is given.
        QCOMPARE(Notebook::load(path).cells().at(3).outputs().size(), 0);

        Workspace workspace(m_dir.filePath(QStringLiteral("ws")));
        const QList<Run> runs = workspace.store().searchRuns({});
        QCOMPARE(runs.size(), 1);
        QCOMPARE(runs.first().name, QStringLiteral("from-notebook"));
        QCOMPARE(runs.first().sourceType, QStringLiteral("NOTEBOOK"));
        QCOMPARE(runs.first().sourceRef, QFileInfo(path).absoluteFilePath());
    }

    void errorExitsWithCellIndexAndTraceback()
    {
        const QString path = writeNotebook(m_dir.filePath(QStringLiteral("fail.ipynb")),
                                           {QStringLiteral("x = 1"), QStringLiteral("def f():\n    return 1 / 0\nf()"), QStringLiteral("print('never')")});
        const ProcessResult r = cli({QStringLiteral("notebook"), QStringLiteral("run"), path});
        QCOMPARE(r.exitCode, 1);
        QVERIFY2(r.err.contains(QStringLiteral("cairn: error: cell 2 failed: ZeroDivisionError: division by zero")), qPrintable(r.err));
        QVERIFY2(r.err.contains(QStringLiteral("return 1 / 0")), qPrintable(r.err)); // the traceback, without colours
        QVERIFY(!r.err.contains(QChar(0x1b)));
        // Outputs up to the failure are saved over the input; the cell after it did not run.
        const Notebook saved = Notebook::load(path);
        QCOMPARE(saved.cells().at(2).outputs().at(0).toObject().value(QStringLiteral("ename")).toString(), QStringLiteral("ZeroDivisionError"));
        QCOMPARE(saved.cells().at(3).outputs().size(), 0);
    }

    void timeoutInterruptsTheCell()
    {
        const QString path = writeNotebook(m_dir.filePath(QStringLiteral("slow.ipynb")), {QStringLiteral("import time\ntime.sleep(60)")});
        QElapsedTimer timer;
        timer.start();
        const ProcessResult r = cli({QStringLiteral("notebook"), QStringLiteral("run"), path, QStringLiteral("--timeout"), QStringLiteral("1")});
        QCOMPARE(r.exitCode, 1);
        QVERIFY2(timer.elapsed() < 30000, "the timeout did not stop the cell");
        QVERIFY2(r.err.contains(QStringLiteral("cell 1 failed")) && r.err.contains(QStringLiteral("1 s")), qPrintable(r.err));
    }

    void badInput()
    {
        QFile broken(m_dir.filePath(QStringLiteral("broken.ipynb")));
        QVERIFY(broken.open(QIODevice::WriteOnly));
        broken.write("{\n \"cells\": [\n");
        broken.close();
        ProcessResult r = cli({QStringLiteral("notebook"), QStringLiteral("run"), broken.fileName()});
        QCOMPARE(r.exitCode, 1);
        QVERIFY2(r.err.contains(QStringLiteral("broken.ipynb:3:")), qPrintable(r.err));

        const QString path = writeNotebook(m_dir.filePath(QStringLiteral("nokernel.ipynb")), {QStringLiteral("1")}, QStringLiteral("no-such-kernel"));
        r = cli({QStringLiteral("notebook"), QStringLiteral("run"), path});
        QCOMPARE(r.exitCode, 1);
        QVERIFY2(r.err.contains(QStringLiteral("no kernel named 'no-such-kernel'")) && r.err.contains(QStringLiteral("python3")), qPrintable(r.err));
        // --kernel overrides the notebook's kernel and is stored in it.
        r = cli({QStringLiteral("notebook"), QStringLiteral("run"), path, QStringLiteral("--kernel"), QStringLiteral("python3")});
        QCOMPARE(r.exitCode, 0);
        QCOMPARE(Notebook::load(path).kernelName(), QStringLiteral("python3"));

        QCOMPARE(cli({QStringLiteral("notebook"), QStringLiteral("run")}).exitCode, 2);
        QCOMPARE(cli({QStringLiteral("notebook"), QStringLiteral("run"), path, QStringLiteral("--timeout"), QStringLiteral("soon")}).exitCode, 2);
        QCOMPARE(cli({QStringLiteral("notebook"), QStringLiteral("frobnicate")}).exitCode, 2);
    }

    void sampleNotebooks_data()
    {
        QTest::addColumn<QString>("name");
        QTest::addColumn<QString>("metric");
        QTest::addColumn<double>("atLeast");
        QTest::newRow("k-means on digits") << QStringLiteral("kmeans_digits.ipynb") << QStringLiteral("cluster_accuracy") << 0.6;
        QTest::newRow("CNN on Fashion-MNIST") << QStringLiteral("fashion_mnist_cnn.ipynb") << QStringLiteral("test_accuracy") << 0.6;
    }

    void sampleNotebooks()
    {
        QFETCH(QString, name);
        QFETCH(QString, metric);
        QFETCH(double, atLeast);
        if (name.contains(QLatin1String("fashion")) && !QFile::exists(QStringLiteral("/usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz")))
            QSKIP("dataset-fashion-mnist is not installed");
        const QString source = QStringLiteral(CAIRN_SOURCE_DIR "/resources/notebooks/") + name;
        const QString copy = m_dir.filePath(name);
        QVERIFY(QFile::copy(source, copy));
        const QString workspacePath = m_dir.filePath(QStringLiteral("samples-") + name);
        const ProcessResult r = cli({QStringLiteral("notebook"), QStringLiteral("run"), copy}, workspacePath);
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        const Notebook result = Notebook::load(copy);
        int images = 0;
        for (const NotebookCell &cell : result.cells()) {
            for (const QJsonValue &output : cell.outputs())
                images += output.toObject().value(QStringLiteral("data")).toObject().contains(QStringLiteral("image/png")) ? 1 : 0;
        }
        QVERIFY(images >= 2);
        Workspace workspace(workspacePath);
        const QList<Run> runs = workspace.store().searchRuns({});
        QCOMPARE(runs.size(), 1);
        QCOMPARE(runs.first().sourceType, QStringLiteral("NOTEBOOK"));
        double value = -1;
        for (const MetricSummary &summary : workspace.store().metricSummaries(runs.first().id)) {
            if (summary.key == metric)
                value = summary.last;
        }
        QVERIFY2(value >= atLeast, qPrintable(QStringLiteral("%1 = %2").arg(metric).arg(value)));
    }
};

QTEST_GUILESS_MAIN(TestNotebookCli)
#include "tst_notebookcli.moc"
