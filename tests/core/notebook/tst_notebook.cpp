// The nbformat model: lossless round trips, edits that touch only what changed, clear errors,
// nbformat 3 conversion, and the output helpers (streams, carriage returns, ANSI colours).
#include "cairn/notebook/kernelclient.h"
#include "cairn/notebook/notebook.h"
#include "cairn/notebook/outputs.h"

#include <QDirIterator>
#include <QFile>
#include <QJsonDocument>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

using namespace cairn;

namespace {

QByteArray readFile(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return {};
    return file.readAll();
}

KernelMessage iopub(const QString &type, const QJsonObject &content)
{
    KernelMessage message;
    message.channel = KernelChannel::IOPub;
    message.header = QJsonObject{{QStringLiteral("msg_type"), type}, {QStringLiteral("msg_id"), QStringLiteral("m")}};
    message.content = content;
    return message;
}

// A notebook as JupyterLab 4 writes it, with fields this project does not know about.
const QByteArray kLabNotebook = readFile(QStringLiteral(CAIRN_SOURCE_DIR "/tests/core/notebook/jupyterlab.ipynb"));

} // namespace

class TestNotebook : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void roundTripIsByteIdentical()
    {
        const Notebook notebook = Notebook::fromJson(kLabNotebook, QStringLiteral("lab.ipynb"));
        QCOMPARE(notebook.cells().size(), 3);
        QVERIFY(!kLabNotebook.isEmpty());
        QCOMPARE(QString::fromUtf8(notebook.toJson()), QString::fromUtf8(kLabNotebook));
        QCOMPARE(notebook.cells().at(1).source(), QStringLiteral("x = 42\nx"));
        QCOMPARE(notebook.cells().at(1).executionCount(), 3);
        QCOMPARE(notebook.cells().at(0).type(), CellType::Markdown);
        QVERIFY(notebook.cells().at(0).attachments().contains(QStringLiteral("plot.png")));
        QCOMPARE(notebook.kernelName(), QStringLiteral("python3"));
        QCOMPARE(notebook.language(), QStringLiteral("python"));
    }

    // Notebooks this project did not write: every .ipynb shipped in the installed Debian packages.
    void roundTripDebianNotebooks()
    {
        QStringList files;
        for (const QString &root : {QStringLiteral("/usr/lib/python3/dist-packages"), QStringLiteral("/usr/share")}) {
            QDirIterator it(root, {QStringLiteral("*.ipynb")}, QDir::Files, QDirIterator::Subdirectories);
            while (it.hasNext())
                files.append(it.next());
        }
        if (files.isEmpty())
            QSKIP("no .ipynb files installed by Debian packages");
        for (const QString &path : files) {
            const QByteArray original = readFile(path);
            const Notebook notebook = Notebook::load(path);
            const QByteArray written = notebook.toJson();
            QCOMPARE(QJsonDocument::fromJson(written), QJsonDocument::fromJson(original));
            // Python's json.dumps(sort_keys=True, indent=1, ensure_ascii=False) is the reference layout.
            QProcess python;
            python.start(QStringLiteral("/usr/bin/python3"),
                         {QStringLiteral("-c"), QStringLiteral("import json,sys; nb=json.load(open(sys.argv[1], encoding='utf-8')); "
                                                               "sys.stdout.buffer.write((json.dumps(nb, sort_keys=True, indent=1, ensure_ascii=False)+'\\n').encode())"),
                          path});
            QVERIFY(python.waitForFinished(30000));
            QCOMPARE(written, python.readAllStandardOutput());
        }
    }

    void editTouchesOnlyTheEditedCell()
    {
        Notebook notebook = Notebook::fromJson(kLabNotebook);
        const QJsonObject before = notebook.toJsonObject();
        notebook.cells()[1].setSource(QStringLiteral("x = 43\nx"));
        const QJsonObject after = notebook.toJsonObject();
        QCOMPARE(after.value(QStringLiteral("metadata")), before.value(QStringLiteral("metadata")));
        const QJsonArray cellsBefore = before.value(QStringLiteral("cells")).toArray();
        const QJsonArray cellsAfter = after.value(QStringLiteral("cells")).toArray();
        QCOMPARE(cellsAfter.at(0), cellsBefore.at(0));
        QCOMPARE(cellsAfter.at(2), cellsBefore.at(2));
        QJsonObject edited = cellsAfter.at(1).toObject();
        QCOMPARE(edited.value(QStringLiteral("source")).toArray(), (QJsonArray{QStringLiteral("x = 43\n"), QStringLiteral("x")}));
        edited.remove(QStringLiteral("source"));
        QJsonObject original = cellsBefore.at(1).toObject();
        original.remove(QStringLiteral("source"));
        QCOMPARE(edited, original);

        // Setting the same source back keeps the original string form.
        Notebook same = Notebook::fromJson(kLabNotebook);
        same.cells()[1].setSource(QStringLiteral("x = 42\nx"));
        QCOMPARE(same.toJson(), kLabNotebook);
    }

    void saveAndLoadAgain()
    {
        QTemporaryDir dir;
        Notebook notebook = Notebook::fromJson(kLabNotebook);
        notebook.setKernelSpec(QStringLiteral("other"), QStringLiteral("Other"), QStringLiteral("python"));
        notebook.cells().append(notebook.makeCell(CellType::Code, QStringLiteral("print('hi')\n")));
        const QString path = dir.filePath(QStringLiteral("saved.ipynb"));
        notebook.save(path);
        const Notebook again = Notebook::load(path);
        QCOMPARE(again.toJson(), notebook.toJson());
        QCOMPARE(again.kernelName(), QStringLiteral("other"));
        QCOMPARE(again.cells().size(), 4);
        QCOMPARE(again.cells().last().id().size(), 8);
        QCOMPARE(again.metadata().value(QStringLiteral("toc-autonumbering")), QJsonValue(false));
    }

    void cellTypeChanges()
    {
        NotebookCell cell(CellType::Code, QStringLiteral("a"));
        cell.setExecutionCount(5);
        cell.setOutputs(QJsonArray{QJsonObject{{QStringLiteral("output_type"), QStringLiteral("stream")}}});
        cell.setType(CellType::Markdown);
        QVERIFY(!cell.json().contains(QStringLiteral("outputs")));
        QVERIFY(!cell.json().contains(QStringLiteral("execution_count")));
        cell.setType(CellType::Code);
        QCOMPARE(cell.outputs().size(), 0);
        QVERIFY(cell.json().value(QStringLiteral("execution_count")).isNull());
        QCOMPARE(cell.source(), QStringLiteral("a"));
    }

    void brokenJsonNamesLineAndColumn()
    {
        const QByteArray broken = "{\n \"cells\": [\n  {\"cell_type\": \"code\",, }\n ]\n}\n";
        try {
            Notebook::fromJson(broken, QStringLiteral("broken.ipynb"));
            QFAIL("no error");
        } catch (const NotebookError &e) {
            QVERIFY2(e.message().startsWith(QStringLiteral("broken.ipynb:3:")), qPrintable(e.message()));
        }
        QVERIFY_THROWS_EXCEPTION(NotebookError, Notebook::fromJson("[1, 2]"));
        QVERIFY_THROWS_EXCEPTION(NotebookError, Notebook::fromJson("{\"cells\": []}"));
        QVERIFY_THROWS_EXCEPTION(NotebookError, Notebook::fromJson("{\"nbformat\": 4, \"cells\": [42]}"));
        QVERIFY_THROWS_EXCEPTION(NotebookError, Notebook::fromJson("{\"nbformat\": 5, \"cells\": []}"));
        QVERIFY_THROWS_EXCEPTION(NotebookError, Notebook::load(QStringLiteral("/nonexistent/x.ipynb")));
        QVERIFY_THROWS_EXCEPTION(NotebookError, Notebook::fromJson(QByteArray()));
    }

    void nbformat2IsRefused()
    {
        try {
            Notebook::fromJson("{\"nbformat\": 2, \"worksheets\": []}", QStringLiteral("old.ipynb"));
            QFAIL("no error");
        } catch (const NotebookError &e) {
            QVERIFY2(e.message().contains(QStringLiteral("nbformat 2")), qPrintable(e.message()));
        }
    }

    // Found by a hostile user: 4.5 and 1e300 were read as "nbformat 0, which is too old".
    void versionThatIsNotAWholeNumberIsNamed_data()
    {
        QTest::addColumn<QByteArray>("json");
        QTest::addColumn<QString>("mentions");
        QTest::newRow("4.5") << QByteArray(R"({"nbformat": 4.5, "nbformat_minor": 0, "cells": []})") << "\"nbformat\" is 4.5";
        QTest::newRow("1e300") << QByteArray(R"({"nbformat": 1e300, "cells": []})") << "\"nbformat\" is 1e+300";
        QTest::newRow("-4") << QByteArray(R"({"nbformat": -4, "cells": []})") << "\"nbformat\" is -4";
        QTest::newRow("minor 2.5") << QByteArray(R"({"nbformat": 4, "nbformat_minor": 2.5, "cells": []})") << "\"nbformat_minor\" is 2.5";
        QTest::newRow("minor text") << QByteArray(R"({"nbformat": 4, "nbformat_minor": "5", "cells": []})") << "\"nbformat_minor\" is \"5\"";
    }
    void versionThatIsNotAWholeNumberIsNamed()
    {
        QFETCH(QByteArray, json);
        QFETCH(QString, mentions);
        try {
            Notebook::fromJson(json, QStringLiteral("odd.ipynb"));
            QFAIL("no error");
        } catch (const NotebookError &e) {
            QVERIFY2(e.message().startsWith(QStringLiteral("odd.ipynb: not a notebook")), qPrintable(e.message()));
            QVERIFY2(e.message().contains(mentions), qPrintable(e.message()));
            QVERIFY2(!e.message().contains(QStringLiteral("too old")), qPrintable(e.message()));
        }
        QCOMPARE(Notebook::fromJson(R"({"nbformat": 4.0, "nbformat_minor": 5, "cells": []})").nbformatMinor(), 5);
    }

    void nbformat3IsConverted()
    {
        const QByteArray v3 = R"({"metadata": {"name": "old"}, "nbformat": 3, "nbformat_minor": 0,
          "worksheets": [{"cells": [
            {"cell_type": "heading", "level": 2, "metadata": {}, "source": ["Results"]},
            {"cell_type": "code", "collapsed": false, "input": ["print(1)\n", "2"], "language": "python", "metadata": {},
             "prompt_number": 4, "outputs": [
               {"output_type": "stream", "stream": "stdout", "text": ["1\n"]},
               {"output_type": "pyout", "prompt_number": 4, "text": ["2"], "png": "AAA", "metadata": {}},
               {"output_type": "pyerr", "ename": "E", "evalue": "v", "traceback": ["t"]}]},
            {"cell_type": "markdown", "metadata": {}, "source": "*hi*"}
          ], "metadata": {}}]})";
        const Notebook notebook = Notebook::fromJson(v3);
        QVERIFY(notebook.wasConverted());
        QCOMPARE(notebook.cells().size(), 3);
        QCOMPARE(notebook.cells().at(0).type(), CellType::Markdown);
        QCOMPARE(notebook.cells().at(0).source(), QStringLiteral("## Results"));
        const NotebookCell &code = notebook.cells().at(1);
        QCOMPARE(code.source(), QStringLiteral("print(1)\n2"));
        QCOMPARE(code.executionCount(), 4);
        const QJsonArray outputs = code.outputs();
        QCOMPARE(outputs.size(), 3);
        QCOMPARE(outputs.at(0).toObject().value(QStringLiteral("name")).toString(), QStringLiteral("stdout"));
        QCOMPARE(outputs.at(1).toObject().value(QStringLiteral("output_type")).toString(), QStringLiteral("execute_result"));
        QCOMPARE(outputs.at(1).toObject().value(QStringLiteral("data")).toObject().value(QStringLiteral("image/png")).toString(), QStringLiteral("AAA"));
        QCOMPARE(outputs.at(2).toObject().value(QStringLiteral("output_type")).toString(), QStringLiteral("error"));
        const QJsonObject written = QJsonDocument::fromJson(notebook.toJson()).object();
        QCOMPARE(written.value(QStringLiteral("nbformat")).toInt(), 4);
        QVERIFY(!written.contains(QStringLiteral("worksheets")));
    }

    void writerMatchesPythonLayout()
    {
        const QJsonObject object{{QStringLiteral("b"), QJsonArray{1, 2.5, 1e-5, -3, QJsonValue()}},
                                 {QStringLiteral("a"), QStringLiteral("é\u2028\x7f")},
                                 {QStringLiteral("e"), QJsonObject()},
                                 {QStringLiteral("f"), QJsonArray()}};
        QCOMPARE(writeNotebookJson(object), QByteArray("{\n \"a\": \"é\u2028\x7f\",\n \"b\": [\n  1,\n  2.5,\n  1e-05,\n  -3,\n  null\n ],\n"
                                                       " \"e\": {},\n \"f\": []\n}\n"));
    }

    void multilineHelpers()
    {
        QCOMPARE(splitMultiline(QStringLiteral("a\nb\n")), (QJsonArray{QStringLiteral("a\n"), QStringLiteral("b\n")}));
        QCOMPARE(splitMultiline(QStringLiteral("a\nb")), (QJsonArray{QStringLiteral("a\n"), QStringLiteral("b")}));
        QCOMPARE(splitMultiline(QString()), QJsonArray());
        QCOMPARE(joinMultiline(QJsonArray{QStringLiteral("a\n"), QStringLiteral("b")}), QStringLiteral("a\nb"));
    }

    void carriageReturns()
    {
        QCOMPARE(applyCarriageReturns(QStringLiteral(" 10%|#   |\r 50%|#####|\r100%|########|\n")),
                 QStringLiteral("100%|########|\n"));
        QCOMPARE(applyCarriageReturns(QStringLiteral("abcdef\rXY")), QStringLiteral("XYcdef"));
        QCOMPARE(applyCarriageReturns(QStringLiteral("line\r\nnext")), QStringLiteral("line\nnext"));
        QCOMPARE(applyCarriageReturns(QStringLiteral(" 30%\r")), QStringLiteral(" 30%\r"));
        QCOMPARE(applyCarriageReturns(QStringLiteral(" 30%\r 60%\r")), QStringLiteral(" 60%\r"));
    }

    void ansi()
    {
        const QString coloured = QStringLiteral("\x1b[0;31mZeroDivisionError\x1b[0m: <b> & \x1b[1;38;5;82mok\x1b[39m\x1b[K");
        QCOMPARE(stripAnsi(coloured), QStringLiteral("ZeroDivisionError: <b> & ok"));
        const QString html = ansiToHtml(coloured);
        QVERIFY2(html.contains(QStringLiteral("color:#e75c58;\">ZeroDivisionError</span>")), qPrintable(html));
        QVERIFY(html.contains(QStringLiteral("&lt;b&gt; &amp; ")));
        QVERIFY2(html.contains(QStringLiteral("color:#5fff00;font-weight:bold;\">ok")), qPrintable(html));
        QVERIFY(!html.contains(QChar(0x1b)));
        QVERIFY(ansiToHtml(QStringLiteral("\x1b[38;2;1;2;255mrgb")).contains(QStringLiteral("#0102ff")));
    }

    void outputCollector()
    {
        OutputCollector collector;
        int index = -2;
        QVERIFY(collector.apply(iopub(QStringLiteral("stream"), {{"name", "stdout"}, {"text", " 10%\r"}}), &index));
        QCOMPARE(index, 0);
        collector.apply(iopub(QStringLiteral("stream"), {{"name", "stdout"}, {"text", " 50%\r"}}));
        collector.apply(iopub(QStringLiteral("stream"), {{"name", "stdout"}, {"text", "100%\ndone\n"}}));
        collector.apply(iopub(QStringLiteral("stream"), {{"name", "stderr"}, {"text", "warn\n"}}));
        QCOMPARE(collector.outputs().size(), 2);
        QCOMPARE(joinMultiline(collector.outputs().at(0).toObject().value(QStringLiteral("text"))), QStringLiteral("100%\ndone\n"));

        const QJsonObject display{{"data", QJsonObject{{"text/plain", "a\nb"}}},
                                  {"metadata", QJsonObject()},
                                  {"transient", QJsonObject{{"display_id", "d1"}}}};
        collector.apply(iopub(QStringLiteral("display_data"), display));
        QCOMPARE(collector.outputs().size(), 3);
        QCOMPARE(collector.outputs().at(2).toObject().value(QStringLiteral("data")).toObject().value(QStringLiteral("text/plain")).toArray(),
                 (QJsonArray{QStringLiteral("a\n"), QStringLiteral("b")}));
        QJsonObject update = display;
        update[QStringLiteral("data")] = QJsonObject{{"text/plain", "updated"}};
        QVERIFY(collector.apply(iopub(QStringLiteral("update_display_data"), update), &index));
        QCOMPARE(index, 2);
        QVERIFY(!collector.nbformatOutputs().at(2).toObject().contains(QStringLiteral("transient")));
        QCOMPARE(collector.nbformatOutputs().at(2).toObject().value(QStringLiteral("data")).toObject().value(QStringLiteral("text/plain")).toArray(),
                 QJsonArray{QStringLiteral("updated")});

        // clear_output(wait=True) keeps the outputs until the next one arrives.
        QVERIFY(!collector.apply(iopub(QStringLiteral("clear_output"), {{"wait", true}})));
        QCOMPARE(collector.outputs().size(), 3);
        QVERIFY(collector.apply(iopub(QStringLiteral("execute_result"),
                                      {{"data", QJsonObject{{"text/plain", "7"}}}, {"metadata", QJsonObject()}, {"execution_count", 9}}), &index));
        QCOMPARE(index, -1);
        QCOMPARE(collector.outputs().size(), 1);
        QCOMPARE(collector.executionCount(), 9);
        collector.apply(iopub(QStringLiteral("error"), {{"ename", "ValueError"}, {"evalue", "bad"}, {"traceback", QJsonArray{"t1", "t2"}}}));
        QCOMPARE(collector.error().value(QStringLiteral("ename")).toString(), QStringLiteral("ValueError"));
        QVERIFY(collector.apply(iopub(QStringLiteral("clear_output"), {{"wait", false}})));
        QCOMPARE(collector.outputs().size(), 0);
        QVERIFY(!collector.apply(iopub(QStringLiteral("status"), {{"execution_state", "idle"}})));
    }

    void signer()
    {
        const MessageSigner signer("secret");
        const QList<QByteArray> parts{"{\"msg_id\":\"1\"}", "{}", "{}", "{\"code\":\"1+1\"}"};
        const QByteArray signature = signer.sign(parts);
        QCOMPARE(signature.size(), 64);
        QVERIFY(signer.verify(signature, parts));
        QByteArray tampered = signature;
        tampered[0] = tampered[0] == 'a' ? 'b' : 'a';
        QVERIFY(!signer.verify(tampered, parts));
        QVERIFY(!signer.verify(signature, {parts[0], parts[1], parts[2], "{\"code\":\"1+2\"}"}));
        QVERIFY(!signer.verify(QByteArray(), parts));
        // The digest Python's hmac module computes for the same input.
        QProcess python;
        python.start(QStringLiteral("/usr/bin/python3"),
                     {QStringLiteral("-c"), QStringLiteral("import hmac,hashlib; h=hmac.new(b'secret', digestmod=hashlib.sha256); "
                                                           "[h.update(p.encode()) for p in ['{\"msg_id\":\"1\"}','{}','{}','{\"code\":\"1+1\"}']]; print(h.hexdigest())")});
        QVERIFY(python.waitForFinished(30000));
        QCOMPARE(python.readAllStandardOutput().trimmed(), signature);
    }
};

QTEST_GUILESS_MAIN(TestNotebook)
#include "tst_notebook.moc"
