// The Notebooks panel's file browser on the offscreen platform: it lists the workspace's
// notebooks/ folder and any folder opened, new / rename / duplicate / delete (an open tab follows a
// rename and closes on delete), the recent list, and the notebooks AutoML generated per run.
#include "notebookbrowser.h"
#include "notebookeditor.h"
#include "notebookpanel.h"
#include "studiocontext.h"

#include "cairn/notebook/notebook.h"
#include "cairn/store/experimentstore.h"
#include "cairn/workspace/workspace.h"

#include <QFileSystemModel>
#include <QListWidget>
#include <QSettings>
#include <QSignalSpy>
#include <QTabWidget>
#include <QTemporaryDir>
#include <QTreeView>
#include <QTreeWidget>
#include <QtTest>

using namespace cairn;
using namespace cairn::panels;

namespace {

void writeNotebook(const QString &path, const QString &source)
{
    Notebook notebook;
    notebook.cells() = {notebook.makeCell(CellType::Code, source)};
    notebook.save(path);
}

QStringList listed(QTreeView *view)
{
    QStringList names;
    const QModelIndex root = view->rootIndex();
    for (int i = 0; i < view->model()->rowCount(root); ++i)
        names << view->model()->index(i, 0, root).data().toString();
    names.sort();
    return names;
}

} // namespace

class TestNotebookBrowser : public QObject
{
    Q_OBJECT
private:
    QTemporaryDir m_dir;
    gui::StudioContext *m_context = nullptr;
    NotebookPanel *m_panel = nullptr;

private Q_SLOTS:
    void initTestCase()
    {
        QSettings().remove(QStringLiteral("notebooks"));
        QSettings().setValue(QStringLiteral("notebooks/autosaveSeconds"), 0);
        m_context = new gui::StudioContext(this);
        m_context->openWorkspace(m_dir.filePath(QStringLiteral("ws")));
        QDir ws(m_context->workspacePath());
        QVERIFY(ws.mkpath(QStringLiteral("notebooks/sub")));
        writeNotebook(ws.filePath(QStringLiteral("notebooks/alpha.ipynb")), QStringLiteral("a = 1"));
        writeNotebook(ws.filePath(QStringLiteral("notebooks/beta.ipynb")), QStringLiteral("b = 2"));
        QFile other(ws.filePath(QStringLiteral("notebooks/notes.txt")));
        QVERIFY(other.open(QIODevice::WriteOnly));
        other.close();
        // An AutoML run with its two generated notebooks, and a plain run without any.
        const Run automlRun = m_context->store().createRun({.name = QStringLiteral("automl-titanic")});
        QDir art(m_context->workspace().artifactDir(automlRun.uuid));
        QVERIFY(art.mkpath(QStringLiteral("automl")));
        QVERIFY(art.mkpath(QStringLiteral("notebooks")));
        writeNotebook(art.filePath(QStringLiteral("notebooks/data_exploration.ipynb")), QStringLiteral("# data"));
        writeNotebook(art.filePath(QStringLiteral("notebooks/candidate_definitions.ipynb")), QStringLiteral("# candidates"));
        const Run plain = m_context->store().createRun({.name = QStringLiteral("plain")});
        QVERIFY(QDir().mkpath(m_context->workspace().artifactDir(plain.uuid) + QStringLiteral("/notebooks")));

        m_panel = new NotebookPanel(m_context);
        m_panel->resize(1200, 700);
        m_panel->show();
        QVERIFY(QTest::qWaitForWindowExposed(m_panel));
    }

    void listsTheWorkspaceNotebooks()
    {
        NotebookBrowser *browser = m_panel->browser();
        QCOMPARE(browser->folder(), QDir(m_context->workspacePath()).filePath(QStringLiteral("notebooks")));
        // Notebooks and folders; other files are not listed.
        QTRY_COMPARE(listed(browser->fileView()), (QStringList{QStringLiteral("alpha.ipynb"), QStringLiteral("beta.ipynb"), QStringLiteral("sub")}));

        QSignalSpy opened(m_panel, &NotebookPanel::notebookOpened);
        const QModelIndex root = browser->fileView()->rootIndex();
        QModelIndex alpha;
        for (int i = 0; i < browser->fileView()->model()->rowCount(root); ++i) {
            const QModelIndex index = browser->fileView()->model()->index(i, 0, root);
            if (index.data().toString() == QLatin1String("alpha.ipynb"))
                alpha = index;
        }
        QVERIFY(alpha.isValid());
        Q_EMIT browser->fileView()->activated(alpha);
        QVERIFY(opened.wait(10000));
        QCOMPARE(m_panel->currentEditor()->cellAt(0)->source(), QStringLiteral("a = 1"));
        // The recent list holds it.
        QVERIFY(NotebookBrowser::recentNotebooks().contains(m_panel->currentEditor()->filePath()));
        QDir().mkpath(QStringLiteral(CAIRN_BUILD_DIR "/screenshots"));
        QVERIFY(m_panel->grab().save(QStringLiteral(CAIRN_BUILD_DIR "/screenshots/notebook-browser.png")));
        browser->sections()->setCurrentIndex(1);
        QVERIFY(browser->recentView()->count() >= 1);
        QCOMPARE(browser->recentView()->item(0)->text(), QStringLiteral("alpha.ipynb"));
        browser->sections()->setCurrentIndex(0);
    }

    void newNotebookInTheBrowsedFolder()
    {
        NotebookBrowser *browser = m_panel->browser();
        const QString sub = QDir(browser->workspaceFolder()).filePath(QStringLiteral("sub"));
        browser->setFolder(sub);
        QTRY_COMPARE(listed(browser->fileView()), QStringList());
        Q_EMIT browser->newRequested(browser->folder());
        QCOMPARE(QFileInfo(m_panel->currentEditor()->filePath()).absolutePath(), sub);
        QVERIFY(QFileInfo::exists(sub + QStringLiteral("/Untitled.ipynb")));
        QTRY_COMPARE(listed(browser->fileView()), QStringList{QStringLiteral("Untitled.ipynb")});
        QVERIFY(m_panel->closeNotebook(m_panel->tabs()->currentIndex(), false));
        browser->setFolder(browser->workspaceFolder());
    }

    void renameFollowsTheOpenTab()
    {
        NotebookBrowser *browser = m_panel->browser();
        NotebookEditor *alpha = m_panel->currentEditor();
        QVERIFY(alpha);
        const QString old = alpha->filePath();
        alpha->cellAt(0)->setSource(QStringLiteral("a = 10"));
        QVERIFY(alpha->isDirty());

        QString error;
        QVERIFY(!browser->renameNotebook(old, QStringLiteral("beta"), &error)); // taken
        QVERIFY2(error.contains(QStringLiteral("already exists")), qPrintable(error));
        QVERIFY(!browser->renameNotebook(old, QStringLiteral("a/b"), &error));
        QVERIFY(browser->renameNotebook(old, QStringLiteral("gamma"), &error));
        const QString renamed = QFileInfo(old).dir().filePath(QStringLiteral("gamma.ipynb"));
        QVERIFY(!QFileInfo::exists(old));
        QCOMPARE(alpha->filePath(), renamed);
        QCOMPARE(m_panel->tabs()->tabText(m_panel->tabs()->indexOf(alpha)), QStringLiteral("gamma.ipynb ●"));
        // The unsaved edit goes to the new name.
        QVERIFY(alpha->save());
        QCOMPARE(Notebook::load(renamed).cells().at(0).source(), QStringLiteral("a = 10"));
        QVERIFY(NotebookBrowser::recentNotebooks().contains(renamed));
        QTRY_COMPARE(listed(browser->fileView()), (QStringList{QStringLiteral("beta.ipynb"), QStringLiteral("gamma.ipynb"), QStringLiteral("sub")}));
    }

    void duplicateAndDelete()
    {
        NotebookBrowser *browser = m_panel->browser();
        const QString gamma = QDir(browser->workspaceFolder()).filePath(QStringLiteral("gamma.ipynb"));
        const QString copy1 = browser->duplicateNotebook(gamma);
        const QString copy2 = browser->duplicateNotebook(gamma);
        QCOMPARE(QFileInfo(copy1).fileName(), QStringLiteral("gamma-Copy1.ipynb"));
        QCOMPARE(QFileInfo(copy2).fileName(), QStringLiteral("gamma-Copy2.ipynb"));
        QCOMPARE(Notebook::load(copy1).cells().at(0).source(), QStringLiteral("a = 10"));

        // Deleting the open notebook closes its tab (the user confirmed), even with unsaved edits.
        NotebookEditor *editor = m_panel->currentEditor();
        QCOMPARE(editor->filePath(), gamma);
        editor->cellAt(0)->setSource(QStringLiteral("a = 11"));
        const int tabs = m_panel->tabs()->count();
        QString error;
        QVERIFY2(browser->deleteNotebook(gamma, &error), qPrintable(error));
        QVERIFY(!QFileInfo::exists(gamma));
        QCOMPARE(m_panel->tabs()->count(), tabs - 1);
        QVERIFY(browser->deleteNotebook(copy2, &error));
        QTRY_COMPARE(listed(browser->fileView()),
                     (QStringList{QStringLiteral("beta.ipynb"), QStringLiteral("gamma-Copy1.ipynb"), QStringLiteral("sub")}));
        QVERIFY(!browser->deleteNotebook(gamma, &error)); // gone already
    }

    void anyFolderCanBeBrowsed()
    {
        NotebookBrowser *browser = m_panel->browser();
        QTemporaryDir elsewhere;
        writeNotebook(elsewhere.filePath(QStringLiteral("outside.ipynb")), QStringLiteral("o = 1"));
        browser->setFolder(elsewhere.path());
        QTRY_COMPARE(listed(browser->fileView()), QStringList{QStringLiteral("outside.ipynb")});
        browser->setFolder(browser->workspaceFolder());
    }

    void automlNotebooksPerRun()
    {
        NotebookBrowser *browser = m_panel->browser();
        const auto found = browser->automlNotebooks();
        QCOMPARE(found.size(), 2);
        for (const auto &[run, path] : found) {
            QCOMPARE(run, QStringLiteral("automl-titanic"));
            QVERIFY(QFileInfo::exists(path));
        }
        browser->sections()->setCurrentIndex(2);
        QTreeWidget *tree = browser->automlView();
        QCOMPARE(tree->topLevelItemCount(), 1);
        QCOMPARE(tree->topLevelItem(0)->text(0), QStringLiteral("automl-titanic"));
        QCOMPARE(tree->topLevelItem(0)->childCount(), 2);
        QSignalSpy opened(m_panel, &NotebookPanel::notebookOpened);
        Q_EMIT tree->itemActivated(tree->topLevelItem(0)->child(1), 0);
        QVERIFY(opened.wait(10000));
        QCOMPARE(QFileInfo(m_panel->currentEditor()->filePath()).fileName(), QStringLiteral("data_exploration.ipynb"));
        QVERIFY(m_panel->grab().save(QStringLiteral(CAIRN_BUILD_DIR "/screenshots/notebook-browser-automl.png")));
    }

    void cleanupTestCase()
    {
        while (m_panel && m_panel->tabs()->count() > 0)
            m_panel->closeNotebook(0, false);
        delete m_panel;
    }
};

QTEST_MAIN(TestNotebookBrowser)
#include "tst_notebookbrowser.moc"
