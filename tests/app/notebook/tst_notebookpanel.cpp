// The Notebooks panel on the offscreen platform with the real python3 ipykernel: Jupyter's keyboard
// flows, outputs (streams with carriage returns, ANSI colours, images, errors), input(), interrupt,
// restart, kernel death, the kernel picker, completion, lazy rendering of a 20 MB notebook, and
// screenshots saved to the build folder.
#include "cellwidget.h"
#include "codeeditor.h"
#include "notebookeditor.h"
#include "notebookpanel.h"
#include "outputview.h"
#include "studiocontext.h"

#include "cairn/notebook/notebook.h"
#include "cairn/store/experimentstore.h"
#include "cairn/workspace/workspace.h"

#include <QBuffer>
#include <QComboBox>
#include <QDir>
#include <QElapsedTimer>
#include <QImage>
#include <QJsonArray>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QPushButton>
#include <QRandomGenerator>
#include <QScrollArea>
#include <QScrollBar>
#include <QSignalSpy>
#include <QTabWidget>
#include <QTemporaryDir>
#include <QThreadPool>
#include <QTextDocument>
#include <QtTest>

using namespace cairn;
using namespace cairn::panels;

namespace {

const QString kScreenshots = QStringLiteral(CAIRN_BUILD_DIR "/screenshots");

void saveScreenshot(QWidget *widget, const QString &name)
{
    QDir().mkpath(kScreenshots);
    QVERIFY(widget->grab().save(kScreenshots + QLatin1Char('/') + name));
}

QString pngBase64(int width, int height, bool noise)
{
    QImage image(width, height, QImage::Format_RGB32);
    auto *random = QRandomGenerator::global();
    for (int y = 0; y < height; ++y) {
        for (int x = 0; x < width; ++x)
            image.setPixel(x, y, noise ? random->generate() : qRgb(x * 255 / width, y * 255 / height, 160));
    }
    QByteArray png;
    QBuffer buffer(&png);
    buffer.open(QIODevice::WriteOnly);
    image.save(&buffer, "PNG");
    return QString::fromLatin1(png.toBase64());
}

} // namespace

class TestNotebookPanel : public QObject
{
    Q_OBJECT
private:
    QTemporaryDir m_dir;
    QTemporaryDir m_kernels;
    gui::StudioContext *m_context = nullptr;
    NotebookPanel *m_panel = nullptr;
    NotebookEditor *m_scratch = nullptr;

    NotebookEditor *open(const QString &path)
    {
        QSignalSpy opened(m_panel, &NotebookPanel::notebookOpened);
        m_panel->openNotebook(path);
        if (!opened.wait(30000))
            return nullptr;
        return opened.first().first().value<NotebookEditor *>();
    }

    bool waitIdle(NotebookEditor *editor, int timeoutMs = 60000)
    {
        QElapsedTimer timer;
        timer.start();
        while (editor->isBusy() && timer.elapsed() < timeoutMs)
            QTest::qWait(20);
        return !editor->isBusy();
    }

    CellWidget *runInScratch(const QString &code)
    {
        m_scratch->insertCell(m_scratch->cellCount(), CellType::Code, code);
        const int index = m_scratch->currentIndex();
        CellWidget *cell = m_scratch->cellAt(index);
        // ipykernel skips (aborts) a request that arrives just after an error (stop_on_error):
        // the cell then has no execution count; run it again, as a user would.
        for (int attempt = 0; attempt < 3; ++attempt) {
            m_scratch->runCells({index});
            if (!waitIdle(m_scratch))
                return nullptr;
            if (cell->executionCount() > 0)
                break;
        }
        return cell;
    }

private Q_SLOTS:
    void initTestCase()
    {
        if (!QFile::exists(QStringLiteral("/usr/share/jupyter/kernels/python3/kernel.json")))
            QSKIP("python3-ipykernel is not installed");
        // A second kernelspec for the picker: the same interpreter under another name.
        QDir(m_kernels.path()).mkpath(QStringLiteral("kernels/py-alt"));
        QFile spec(m_kernels.path() + QStringLiteral("/kernels/py-alt/kernel.json"));
        QVERIFY(spec.open(QIODevice::WriteOnly));
        spec.write("{\"argv\": [\"/usr/bin/python3\", \"-m\", \"ipykernel_launcher\", \"-f\", \"{connection_file}\"],"
                   " \"display_name\": \"Python (alternative)\", \"language\": \"python\"}");
        spec.close();
        qputenv("JUPYTER_PATH", m_kernels.path().toLocal8Bit());

        m_context = new gui::StudioContext(this);
        m_context->openWorkspace(m_dir.filePath(QStringLiteral("ws")));
        m_panel = new NotebookPanel(m_context);
        m_panel->resize(1100, 820);
        m_panel->show();
        QVERIFY(QTest::qWaitForWindowExposed(m_panel));
        saveScreenshot(m_panel, QStringLiteral("notebook-start.png"));
        m_scratch = m_panel->newNotebook();
        QVERIFY(m_scratch);
        QVERIFY(QFile::exists(m_dir.filePath(QStringLiteral("ws/notebooks/Untitled.ipynb"))));
    }

    void openSaveRoundTripIsLossless()
    {
        const QString fixture = QStringLiteral(CAIRN_SOURCE_DIR "/tests/core/notebook/jupyterlab.ipynb");
        const QString copy = m_dir.filePath(QStringLiteral("lab.ipynb"));
        QVERIFY(QFile::copy(fixture, copy));
        NotebookEditor *editor = open(copy);
        QVERIFY(editor);
        QVERIFY(!editor->isDirty());
        QCOMPARE(editor->cellCount(), 3);
        QString error;
        QVERIFY2(editor->save(&error), qPrintable(error));
        QFile a(fixture), b(copy);
        QVERIFY(a.open(QIODevice::ReadOnly) && b.open(QIODevice::ReadOnly));
        QCOMPARE(b.readAll(), a.readAll());
        // The markdown cell renders its heading and its attachment image.
        CellWidget *markdown = editor->cellAt(0);
        markdown->renderContent();
        QVERIFY(markdown->markdownView()->isVisibleTo(markdown));
        QVERIFY(markdown->markdownView()->toPlainText().contains(QStringLiteral("Title ✓")));
        QVERIFY(!markdown->markdownView()->document()->resource(QTextDocument::ImageResource, QUrl(QStringLiteral("attachment:plot.png"))).isNull());
        QVERIFY(m_panel->closeNotebook(m_panel->tabs()->indexOf(editor), false));
    }

    void commandModeKeys()
    {
        NotebookEditor *e = m_scratch;
        m_panel->tabs()->setCurrentWidget(e);
        e->selectCell(0, false);
        QVERIFY(!e->isEditMode());
        const int start = e->cellCount();
        QTest::keyClick(e, Qt::Key_B);
        QCOMPARE(e->cellCount(), start + 1);
        QCOMPARE(e->currentIndex(), 1);
        QTest::keyClick(e, Qt::Key_A);
        QCOMPARE(e->cellCount(), start + 2);
        QCOMPARE(e->currentIndex(), 1);
        QTest::keyClick(e, Qt::Key_M);
        QCOMPARE(e->cellAt(1)->type(), CellType::Markdown);
        QTest::keyClick(e, Qt::Key_R);
        QCOMPARE(e->cellAt(1)->type(), CellType::Raw);
        QTest::keyClick(e, Qt::Key_Y);
        QCOMPARE(e->cellAt(1)->type(), CellType::Code);
        // D, D deletes; one D does nothing; Z brings it back.
        e->cellAt(1)->setSource(QStringLiteral("marker = 1"));
        QTest::keyClick(e, Qt::Key_D);
        QCOMPARE(e->cellCount(), start + 2);
        QTest::keyClick(e, Qt::Key_D);
        QCOMPARE(e->cellCount(), start + 1);
        QTest::keyClick(e, Qt::Key_Z);
        QCOMPARE(e->cellCount(), start + 2);
        QCOMPARE(e->cellAt(1)->source(), QStringLiteral("marker = 1"));
        // Up/Down and J/K move the selection.
        QTest::keyClick(e, Qt::Key_K);
        QCOMPARE(e->currentIndex(), 0);
        QTest::keyClick(e, Qt::Key_J);
        QCOMPARE(e->currentIndex(), 1);
        QTest::keyClick(e, Qt::Key_Down);
        QCOMPARE(e->currentIndex(), 2);
        // Enter: edit mode in the cell's editor; Escape: back to command mode.
        QTest::keyClick(e, Qt::Key_Return);
        QVERIFY(e->isEditMode());
        QTest::keyClick(e->cellAt(2)->editor(), Qt::Key_Escape);
        QVERIFY(!e->isEditMode());
        // C, V copy and paste below.
        e->selectCell(1, false);
        QTest::keyClick(e, Qt::Key_C);
        QTest::keyClick(e, Qt::Key_V);
        QCOMPARE(e->cellAt(2)->source(), QStringLiteral("marker = 1"));
        QTest::keyClick(e, Qt::Key_D);
        QTest::keyClick(e, Qt::Key_D);
        // The tab shows the dirty marker until saved with Ctrl+S.
        const int tab = m_panel->tabs()->indexOf(e);
        QVERIFY(m_panel->tabs()->tabText(tab).endsWith(QStringLiteral("●")));
        QTest::keyClick(e, Qt::Key_S, Qt::ControlModifier);
        QVERIFY(!e->isDirty());
        QCOMPARE(m_panel->tabs()->tabText(tab), QStringLiteral("Untitled.ipynb"));
        const Notebook saved = Notebook::load(e->filePath());
        QCOMPARE(saved.cells().at(1).source(), QStringLiteral("marker = 1"));
        QCOMPARE(saved.kernelName(), QStringLiteral("python3"));
    }

    void editModeRunKeys()
    {
        NotebookEditor *e = m_scratch;
        e->selectCell(0, true);
        CodeEditor *editor = e->cellAt(0)->editor();
        editor->setText(QString());
        QTest::keyClicks(editor, QStringLiteral("answer = 6 * 7"));
        QTest::keyClick(editor, Qt::Key_Return);
        QTest::keyClicks(editor, QStringLiteral("answer"));
        QCOMPARE(e->cellAt(0)->source(), QStringLiteral("answer = 6 * 7\nanswer"));
        // Ctrl+Enter runs and stays.
        QTest::keyClick(editor, Qt::Key_Return, Qt::ControlModifier);
        QVERIFY(waitIdle(e));
        QCOMPARE(e->currentIndex(), 0);
        QCOMPARE(e->cellAt(0)->outputView()->plainText(), QStringLiteral("42"));
        QCOMPARE(e->cellAt(0)->executionCount(), 1);
        // Shift+Enter runs and moves to the next cell.
        QTest::keyClick(editor, Qt::Key_Return, Qt::ShiftModifier);
        QVERIFY(waitIdle(e));
        QCOMPARE(e->currentIndex(), 1);
        QCOMPARE(e->cellAt(0)->executionCount(), 2);
        // Alt+Enter runs and inserts a cell below in edit mode.
        const int count = e->cellCount();
        e->selectCell(0, true);
        QTest::keyClick(e->cellAt(0)->editor(), Qt::Key_Return, Qt::AltModifier);
        QVERIFY(waitIdle(e));
        QCOMPARE(e->cellCount(), count + 1);
        QCOMPARE(e->currentIndex(), 1);
        QVERIFY(e->isEditMode());
        QVERIFY(e->cellAt(1)->source().isEmpty());
        QCOMPARE(e->kernel()->state(), KernelClient::State::Idle);
        QVERIFY(m_panel->findChild<QLabel *>(QStringLiteral("kernelStatus"))->text().contains(QStringLiteral("idle")));
    }

    void richOutputs()
    {
        CellWidget *cell = runInScratch(QStringLiteral(
            "import sys, base64\nfrom IPython.display import display, Image, SVG, HTML\n"
            "for i in range(0, 101, 10):\n    print(f'\\rprogress {i:3d}%|' + '#' * (i // 10), end='', flush=True)\nprint()\n"
            "print('\\x1b[31mred\\x1b[0m and \\x1b[1;32mbold green\\x1b[0m')\n"
            "print('careful', file=sys.stderr)\n"
            "display(Image(data=base64.b64decode('%1')))\n"
            "display(SVG('<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"60\" height=\"30\"><rect width=\"60\" height=\"30\" fill=\"#1565c0\"/></svg>'))\n"
            "display(HTML('<table border=1><tr><th>a</th><th>b</th></tr><tr><td>1</td><td>2</td></tr></table>'))")
                                              .arg(pngBase64(120, 60, false)));
        QVERIFY(cell);
        const QString text = cell->outputView()->plainText();
        QVERIFY2(text.contains(QStringLiteral("progress 100%|##########\n")), qPrintable(text));
        QVERIFY2(!text.contains(QStringLiteral("progress  90%")), qPrintable(text)); // overwritten by \r
        QVERIFY(text.contains(QStringLiteral("red and bold green")));
        QVERIFY(text.contains(QStringLiteral("careful")));
        QVERIFY(text.contains(QStringLiteral("[image 120×60]")));
        QVERIFY(text.contains(QStringLiteral("[svg 60×30]")));
        bool coloured = false;
        QString html;
        for (auto *browser : cell->outputView()->findChildren<AutoHeightBrowser *>())
            html += browser->toHtml();
        coloured = html.contains(QStringLiteral("color:#e75c58;"));
        QVERIFY2(coloured, qPrintable(html.right(3000)));
        const auto images = cell->outputView()->findChildren<QLabel *>(QStringLiteral("outputImage"));
        QCOMPARE(images.size(), 2);
        QCOMPARE(images.first()->pixmap().size(), QSize(120, 60));

        CellWidget *error = runInScratch(QStringLiteral("def f(x):\n    return x / 0\nf(1)"));
        QVERIFY(error);
        auto *errorView = error->outputView()->findChild<AutoHeightBrowser *>(QStringLiteral("outputError"));
        QVERIFY(errorView);
        QVERIFY(errorView->property("outputText").toString().contains(QStringLiteral("ZeroDivisionError")));
        m_scratch->renderVisibleCells();
        QTest::qWait(50);
        if (qEnvironmentVariableIsSet("CAIRN_DEBUG_GEOMETRY")) {
            for (QWidget *w : error->findChildren<QWidget *>())
                if (w->isVisible()) qInfo() << w->metaObject()->className() << w->objectName() << w->geometry();
        }
        saveScreenshot(m_panel, QStringLiteral("notebook-outputs.png"));
    }

    void updateDisplayFromAnotherCell()
    {
        CellWidget *shown = runInScratch(QStringLiteral("from IPython.display import display\nhandle = display('before', display_id=True)"));
        QVERIFY(shown);
        QCOMPARE(shown->outputView()->plainText(), QStringLiteral("'before'"));
        CellWidget *updater = runInScratch(QStringLiteral("handle.update('after')\nprint('updated')"));
        QVERIFY(updater);
        QCOMPARE(updater->outputView()->plainText(), QStringLiteral("updated\n"));
        QCOMPARE(shown->outputView()->plainText(), QStringLiteral("'after'"));
        QCOMPARE(joinMultiline(shown->cell().outputs().at(0).toObject().value(QStringLiteral("data")).toObject().value(QStringLiteral("text/plain"))),
                 QStringLiteral("'after'"));
    }

    void busyMarkerAndInterrupt()
    {
        NotebookEditor *e = m_scratch;
        e->insertCell(e->cellCount(), CellType::Code, QStringLiteral("import time\nprint('sleeping', flush=True)\ntime.sleep(60)"));
        CellWidget *slow = e->cellAt(e->currentIndex());
        e->insertCell(e->cellCount(), CellType::Code, QStringLiteral("'not run'"));
        CellWidget *after = e->cellAt(e->currentIndex());
        e->runCells({e->cellCount() - 2, e->cellCount() - 1});
        auto *prompt = slow->findChild<QLabel *>(QStringLiteral("cellPrompt"));
        QTRY_COMPARE_WITH_TIMEOUT(prompt->text(), QStringLiteral("[*]:"), 10000);
        QCOMPARE(after->runState(), CellWidget::RunState::Queued);
        // Interrupt once the cell's code runs, not while the request is in flight or the kernel
        // prepares it (a loaded machine can take long between the busy status and the code).
        QTRY_COMPARE_WITH_TIMEOUT(e->kernel()->state(), KernelClient::State::Busy, 10000);
        QTRY_VERIFY_WITH_TIMEOUT(slow->outputView()->plainText().contains(QStringLiteral("sleeping")), 15000);
        // I, I in command mode interrupts.
        e->selectCell(e->cellCount() - 1, false);
        QTest::keyClick(e, Qt::Key_I);
        QTest::keyClick(e, Qt::Key_I);
        QVERIFY(waitIdle(e, 15000));
        QVERIFY(slow->outputView()->plainText().contains(QStringLiteral("KeyboardInterrupt")));
        // The error stopped the queue: the next cell did not run.
        QCOMPARE(after->runState(), CellWidget::RunState::Idle);
        QCOMPARE(after->executionCount(), 0);
    }

    void inputRequest()
    {
        NotebookEditor *e = m_scratch;
        e->insertCell(e->cellCount(), CellType::Code, QStringLiteral("name = input('Who? ')\nprint('hello', name)"));
        CellWidget *cell = e->cellAt(e->currentIndex());
        e->runCells({e->currentIndex()});
        QTRY_VERIFY_WITH_TIMEOUT(cell->outputView()->hasInputRequest(), 15000);
        QLineEdit *line = cell->outputView()->inputLine();
        QVERIFY(line);
        QTest::keyClicks(line, QStringLiteral("Grace"));
        QTest::keyClick(line, Qt::Key_Return);
        QVERIFY(waitIdle(e));
        const QString text = cell->outputView()->plainText();
        QVERIFY2(text.contains(QStringLiteral("Who? Grace")) && text.contains(QStringLiteral("hello Grace")), qPrintable(text));
    }

    void completionAndInspect()
    {
        NotebookEditor *e = m_scratch;
        e->insertCell(e->cellCount(), CellType::Code, {}, true);
        CodeEditor *editor = e->cellAt(e->currentIndex())->editor();
        editor->setText(QStringLiteral("import os\nos.pa"));
        editor->setCursorPosition(1, 5);
        QTest::keyClick(editor, Qt::Key_Tab);
        QTRY_VERIFY_WITH_TIMEOUT(editor->completionPopup(), 10000);
        QVERIFY(editor->completionPopup()->count() >= 2);
        bool hasPath = false;
        for (int i = 0; i < editor->completionPopup()->count(); ++i)
            hasPath |= editor->completionPopup()->item(i)->text().endsWith(QStringLiteral("path"));
        QVERIFY(hasPath);
        // Picking a candidate replaces the typed prefix.
        QTest::keyClick(editor->completionPopup(), Qt::Key_Return);
        QVERIFY(!editor->completionPopup());
        QVERIFY2(editor->text().startsWith(QStringLiteral("import os\nos.pa")) && editor->text().size() > 15, qPrintable(editor->text()));
        editor->setText(QStringLiteral("len("));
        editor->setCursorPosition(0, 4);
        QTest::keyClick(editor, Qt::Key_Backtab, Qt::ShiftModifier);
        QTRY_VERIFY_WITH_TIMEOUT(editor->property("lastInspection").toString().contains(QStringLiteral("Return the number of items")), 10000);
    }

    void restartAndRunAll()
    {
        NotebookEditor *e = m_scratch;
        QSignalSpy restarted(e->kernel(), &KernelClient::restarted);
        e->enterCommandMode();
        QTest::keyClick(e, Qt::Key_0);
        QTest::keyClick(e, Qt::Key_0);
        QVERIFY(restarted.wait(60000));
        CellWidget *check = runInScratch(QStringLiteral("'answer' in globals()"));
        QVERIFY(check);
        QCOMPARE(check->outputView()->plainText(), QStringLiteral("False"));
        QCOMPARE(check->executionCount(), 1);
        // Restart and run all clears the outputs and runs from the top until the first error.
        QSignalSpy finished(e, &NotebookEditor::executionFinished);
        e->restartKernel(true);
        const bool done = finished.wait(60000);
        if (!done) {
            for (int i = 0; i < e->cellCount(); ++i)
                qInfo() << i << int(e->cellAt(i)->runState()) << e->cellAt(i)->executionCount() << e->cellAt(i)->source().left(30);
            qInfo() << e->kernelStatusText() << e->noticeText();
        }
        QVERIFY(done);
        QVERIFY(waitIdle(e));
        QCOMPARE(e->cellAt(0)->outputView()->plainText(), QStringLiteral("42"));
        QCOMPARE(e->cellAt(0)->executionCount(), 1);
    }

    void kernelDeathOffersRestart()
    {
        NotebookEditor *e = m_panel->newNotebook();
        e->cellAt(0)->setSource(QStringLiteral("import os\nos._exit(1)"));
        e->runCells({0});
        QTRY_VERIFY_WITH_TIMEOUT(!e->noticeText().isEmpty(), 30000);
        QVERIFY2(e->noticeText().contains(QStringLiteral("exit")), qPrintable(e->noticeText()));
        QVERIFY(!e->isBusy());
        auto *restart = e->findChild<QPushButton *>(QStringLiteral("noticeRestart"));
        QVERIFY(restart && restart->isVisibleTo(e));
        saveScreenshot(m_panel, QStringLiteral("notebook-dead-kernel.png"));
        QSignalSpy ready(e->kernel(), &KernelClient::ready);
        restart->click();
        QVERIFY(ready.wait(60000));
        QVERIFY(e->noticeText().isEmpty());
        e->cellAt(0)->setSource(QStringLiteral("1 + 1"));
        e->runCells({0});
        QVERIFY(waitIdle(e));
        QCOMPARE(e->cellAt(0)->outputView()->plainText(), QStringLiteral("2"));
        QVERIFY(m_panel->closeNotebook(m_panel->tabs()->indexOf(e), false));
    }

    void kernelPickerStoresKernelInMetadata()
    {
        NotebookEditor *e = m_scratch;
        m_panel->tabs()->setCurrentWidget(e);
        m_panel->refreshKernels();
        QComboBox *picker = m_panel->kernelPicker();
        const int alt = picker->findData(QStringLiteral("py-alt"));
        QVERIFY(alt >= 0);
        QVERIFY(picker->findData(QStringLiteral("python3")) >= 0);
        const qint64 oldPid = e->kernel()->processId();
        picker->setCurrentIndex(alt);
        Q_EMIT picker->activated(alt);
        QCOMPARE(e->kernelSpec().name, QStringLiteral("py-alt"));
        QVERIFY(e->isDirty());
        QVERIFY(e->kernel()->waitForReady(60000));
        QVERIFY(e->kernel()->processId() != oldPid);
        QVERIFY(m_panel->findChild<QLabel *>(QStringLiteral("kernelStatus"))->text().contains(QStringLiteral("Python (alternative)")));
        QVERIFY(e->save());
        const Notebook saved = Notebook::load(e->filePath());
        QCOMPARE(saved.kernelName(), QStringLiteral("py-alt"));
        QCOMPARE(saved.kernelDisplayName(), QStringLiteral("Python (alternative)"));
    }

    void autosave()
    {
        NotebookEditor *e = m_scratch;
        e->setAutosaveInterval(100);
        e->cellAt(0)->setSource(QStringLiteral("autosaved = True"));
        QVERIFY(e->isDirty());
        QTRY_VERIFY_WITH_TIMEOUT(!e->isDirty(), 5000);
        QCOMPARE(Notebook::load(e->filePath()).cells().at(0).source(), QStringLiteral("autosaved = True"));
        e->setAutosaveInterval(0);
    }

    void sampleNotebookLogsRun()
    {
        QVERIFY(NotebookPanel::sampleNames().contains(QStringLiteral("kmeans_digits.ipynb")));
        QSignalSpy opened(m_panel, &NotebookPanel::notebookOpened);
        m_panel->openSample(QStringLiteral("kmeans_digits.ipynb"));
        QVERIFY(opened.wait(30000));
        auto *e = opened.first().first().value<NotebookEditor *>();
        const QString path = m_dir.filePath(QStringLiteral("ws/notebooks/kmeans_digits.ipynb"));
        QCOMPARE(e->filePath(), path);
        e->runAll();
        QVERIFY(waitIdle(e, 120000));
        int images = 0;
        for (int i = 0; i < e->cellCount(); ++i)
            images += e->cellAt(i)->outputView()->findChildren<QLabel *>(QStringLiteral("outputImage")).size();
        QVERIFY(images >= 2);
        const QList<Run> runs = m_context->store().searchRuns({});
        bool found = false;
        for (const Run &run : runs)
            found |= run.name == QLatin1String("kmeans-digits") && run.sourceType == QLatin1String("NOTEBOOK") && run.sourceRef == path;
        QVERIFY(found);
        e->selectCell(4, false);
        e->renderVisibleCells();
        QTest::qWait(100);
        saveScreenshot(m_panel, QStringLiteral("notebook-kmeans.png"));
        QVERIFY(m_panel->closeNotebook(m_panel->tabs()->indexOf(e), false));
    }

    // The last session's list and the command line can name the same file while it still
    // loads: one editor, or two would autosave over each other's edits.
    void sameNotebookTwiceGivesOneEditor()
    {
        const QString path = m_dir.filePath(QStringLiteral("twice.ipynb"));
        const QString other = m_dir.filePath(QStringLiteral("after-twice.ipynb"));
        Notebook().save(path);
        Notebook().save(other);
        QSignalSpy opened(m_panel, &NotebookPanel::notebookOpened);
        m_panel->openNotebook(path);
        m_panel->openNotebook(path);
        m_panel->openNotebook(other);
        QTRY_COMPARE_WITH_TIMEOUT(opened.size(), 2, 30000);
        // Every load has ended (they run on the global pool) and its result reached the panel.
        QThreadPool::globalInstance()->waitForDone();
        QCoreApplication::processEvents();
        QCOMPARE(opened.size(), 2);
        int editorsOfPath = 0;
        for (NotebookEditor *e : m_panel->editors())
            editorsOfPath += e->filePath() == QFileInfo(path).absoluteFilePath() ? 1 : 0;
        QCOMPARE(editorsOfPath, 1);
    }

    void largeNotebookOpensLazily()
    {
        // About 20 MB: 160 cells, each with a 200×170 noise PNG (~135 kB of base64) and some text.
        Notebook big;
        big.cells().clear();
        for (int i = 0; i < 160; ++i) {
            NotebookCell cell = big.makeCell(CellType::Code, QStringLiteral("plot(%1)").arg(i));
            cell.setOutputs(QJsonArray{
                QJsonObject{{"output_type", "stream"}, {"name", "stdout"}, {"text", QJsonArray{QStringLiteral("step %1\n").arg(i)}}},
                QJsonObject{{"output_type", "display_data"},
                            {"metadata", QJsonObject()},
                            {"data", QJsonObject{{"image/png", pngBase64(200, 170, true)}, {"text/plain", "<Figure>"}}}}});
            cell.setExecutionCount(i + 1);
            big.cells().append(cell);
        }
        const QString path = m_dir.filePath(QStringLiteral("big.ipynb"));
        big.save(path);
        const qint64 size = QFileInfo(path).size();
        QVERIFY2(size > 18'000'000, qPrintable(QString::number(size)));

        QElapsedTimer timer;
        timer.start();
        NotebookEditor *e = open(path);
        QVERIFY(e);
        e->renderVisibleCells();
        QCoreApplication::processEvents();
        const qint64 elapsed = timer.elapsed();
        // How fast is bench_notebook's claim; here: only the visible cells are rendered.
        qInfo("opened and rendered a %.1f MB notebook in %lld ms", size / 1e6, elapsed);
        int rendered = 0;
        for (int i = 0; i < e->cellCount(); ++i)
            rendered += e->cellAt(i)->isRendered() ? 1 : 0;
        QVERIFY2(rendered > 0 && rendered < 20, qPrintable(QString::number(rendered)));
        // Scrolling to the end renders the last cells.
        auto *scroll = e->findChild<QScrollArea *>();
        scroll->verticalScrollBar()->setValue(scroll->verticalScrollBar()->maximum());
        QTRY_VERIFY_WITH_TIMEOUT(e->cellAt(e->cellCount() - 1)->isRendered(), 5000);
        QVERIFY(!e->isDirty());
        QVERIFY(m_panel->closeNotebook(m_panel->tabs()->indexOf(e), false));
    }

    void brokenNotebookReportsError()
    {
        const QString path = m_dir.filePath(QStringLiteral("broken.ipynb"));
        QFile file(path);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write("{\"nbformat\": 4, \"cells\": [}");
        file.close();
        QSignalSpy failed(m_panel, &NotebookPanel::openFailed);
        // The warning box is modal: close it as soon as it shows.
        QTimer::singleShot(0, this, [] {
            QTimer *closer = new QTimer;
            QObject::connect(closer, &QTimer::timeout, closer, [closer] {
                if (QWidget *modal = QApplication::activeModalWidget()) {
                    modal->close();
                    closer->deleteLater();
                }
            });
            closer->start(50);
        });
        m_panel->openNotebook(path);
        QVERIFY(failed.wait(10000));
        QVERIFY2(failed.first().at(1).toString().contains(QStringLiteral("broken.ipynb:1:")), qPrintable(failed.first().at(1).toString()));
    }

    void cleanupTestCase()
    {
        if (m_scratch && m_scratch->isBusy())
            m_scratch->interruptKernel();
        if (m_panel) {
            while (m_panel->tabs()->count() > 0)
                m_panel->closeNotebook(0, false);
            delete m_panel;
        }
    }
};

QTEST_MAIN(TestNotebookPanel)
#include "tst_notebookpanel.moc"
