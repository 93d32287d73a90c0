// No notebook edit is lost: the real main window on the xcb platform of a private Xvfb, a notebook
// made dirty by typing into its cell, then File ▸ Quit, the window's close() and a tab's close
// button, each answered with Save, Discard or Cancel in the real QMessageBox; autosave on a timer;
// saves that are atomic (a reader never sees a half-written file).
#include "cellwidget.h"
#include "codeeditor.h"
#include "mainwindow.h"
#include "notebookeditor.h"
#include "notebookpanel.h"
#include "panelregistry.h"
#include "studiocontext.h"
#include "../xvfbserver.h"

#include "cairn/notebook/notebook.h"
#include "cairn/workspace/workspace.h"

#include <QAbstractButton>
#include <QApplication>
#include <QJsonDocument>
#include <QMenuBar>
#include <QMessageBox>
#include <QSettings>
#include <QTabBar>
#include <QTabWidget>
#include <QTemporaryDir>
#include <QThread>
#include <QtTest>

#include <atomic>

using namespace cairn;
using namespace cairn::panels;

namespace {

QString g_noDisplay; // why there is no X server, when there is none

/// Answers the message boxes that open, one after another, with the given buttons; keeps their texts.
class Answerer : public QObject
{
public:
    explicit Answerer(QList<QMessageBox::StandardButton> answers) : m_answers(std::move(answers))
    {
        connect(&m_timer, &QTimer::timeout, this, [this] {
            auto *box = qobject_cast<QMessageBox *>(QApplication::activeModalWidget());
            if (!box || !box->isVisible() || m_answers.isEmpty())
                return;
            texts << box->text();
            box->button(m_answers.takeFirst())->click();
        });
        m_timer.start(50);
    }
    QStringList texts;
    bool done() const { return m_answers.isEmpty(); }

private:
    QList<QMessageBox::StandardButton> m_answers;
    QTimer m_timer;
};

QString fileText(const QString &path)
{
    QFile file(path);
    return file.open(QIODevice::ReadOnly) ? QString::fromUtf8(file.readAll()) : QString();
}

} // namespace

class TestNotebookClose : public QObject
{
    Q_OBJECT
private:
    QTemporaryDir m_dir;
    std::unique_ptr<gui::StudioContext> m_context;
    std::unique_ptr<studio::MainWindow> m_window;
    NotebookPanel *m_panel = nullptr;

    /// A new notebook in the workspace with `text` typed into its first cell (dirty, not saved).
    NotebookEditor *dirtyNotebook(const QString &text)
    {
        NotebookEditor *editor = m_panel->newNotebook();
        if (!editor || editor->isDirty())
            return nullptr;
        editor->selectCell(0, true);
        QTest::keyClicks(editor->cellAt(0)->editor(), text);
        return editor->isDirty() ? editor : nullptr;
    }

    QAction *quitAction() const
    {
        for (QAction *menu : m_window->menuBar()->actions()) {
            if (!menu->menu())
                continue;
            for (QAction *a : menu->menu()->actions()) {
                if (a->menuRole() == QAction::QuitRole)
                    return a;
            }
        }
        return nullptr;
    }

private Q_SLOTS:
    void initTestCase()
    {
        if (!g_noDisplay.isEmpty())
            QSKIP(qPrintable(g_noDisplay));
        QCOMPARE(QGuiApplication::platformName(), QStringLiteral("xcb"));
        // Autosave stays out of the way unless a test turns it on.
        QSettings().setValue(QStringLiteral("notebooks/autosaveSeconds"), 0);
    }

    void init()
    {
        m_context = std::make_unique<gui::StudioContext>();
        m_window = std::make_unique<studio::MainWindow>(m_context.get(), studio::createPanels(m_context.get()));
        m_window->resize(1300, 820);
        // A workspace per test: notebooks left open by one test are not reopened in the next.
        QVERIFY(m_window->openWorkspace(m_dir.filePath(QString::fromLatin1(QTest::currentTestFunction()))));
        QVERIFY(m_window->raisePanel(QStringLiteral("notebooks")));
        m_window->show();
        QVERIFY(QTest::qWaitForWindowExposed(m_window.get()));
        m_panel = m_window->findChild<NotebookPanel *>();
        QVERIFY(m_panel);
    }

    void cleanup()
    {
        // Tests that leave the window open drop their edits without a prompt.
        if (m_panel) {
            while (m_panel->tabs()->count() > 0)
                m_panel->closeNotebook(0, false);
        }
        m_window.reset();
        m_context.reset();
        m_panel = nullptr;
    }

    void quitAsksAndSaves()
    {
        NotebookEditor *editor = dirtyNotebook(QStringLiteral("saved_on_quit = 1"));
        QVERIFY(editor);
        const QString path = editor->filePath();
        QVERIFY(m_panel->tabs()->tabText(0).endsWith(QStringLiteral("●")));
        QVERIFY(!fileText(path).contains(QStringLiteral("saved_on_quit")));

        Answerer answerer({QMessageBox::Save});
        QAction *quit = quitAction();
        QVERIFY(quit);
        quit->trigger();
        QVERIFY(answerer.done());
        QCOMPARE(answerer.texts.size(), 1);
        QVERIFY2(answerer.texts.first().contains(QFileInfo(path).fileName()), qPrintable(answerer.texts.first()));
        QVERIFY(!m_window->isVisible());
        QCOMPARE(Notebook::load(path).cells().at(0).source(), QStringLiteral("saved_on_quit = 1"));
    }

    void closeDiscards()
    {
        NotebookEditor *editor = dirtyNotebook(QStringLiteral("discarded = 1"));
        QVERIFY(editor);
        const QString path = editor->filePath();
        Answerer answerer({QMessageBox::Discard});
        QVERIFY(m_window->close());
        QVERIFY(answerer.done());
        QVERIFY(!m_window->isVisible());
        QVERIFY(!fileText(path).contains(QStringLiteral("discarded")));
    }

    void cancelKeepsTheWindowAndTheEdit()
    {
        NotebookEditor *editor = dirtyNotebook(QStringLiteral("kept = 1"));
        QVERIFY(editor);
        Answerer answerer({QMessageBox::Cancel});
        QVERIFY(!m_window->close());
        QVERIFY(answerer.done());
        QVERIFY(m_window->isVisible());
        QVERIFY(editor->isDirty());
        QCOMPARE(editor->cellAt(0)->source(), QStringLiteral("kept = 1"));
        QCOMPARE(m_panel->tabs()->count(), 1);
    }

    void everyDirtyNotebookIsAsked()
    {
        NotebookEditor *first = dirtyNotebook(QStringLiteral("first = 1"));
        NotebookEditor *second = dirtyNotebook(QStringLiteral("second = 2"));
        QVERIFY(first && second);
        const QString firstPath = first->filePath(), secondPath = second->filePath();
        Answerer answerer({QMessageBox::Save, QMessageBox::Discard});
        QVERIFY(m_window->close());
        QVERIFY(answerer.done());
        QCOMPARE(answerer.texts.size(), 2);
        QCOMPARE(Notebook::load(firstPath).cells().at(0).source(), QStringLiteral("first = 1"));
        QVERIFY(!fileText(secondPath).contains(QStringLiteral("second")));
    }

    void tabCloseButtonAsks()
    {
        NotebookEditor *editor = dirtyNotebook(QStringLiteral("tab_saved = 1"));
        QVERIFY(editor);
        const QString path = editor->filePath();
        QWidget *closeButton = m_panel->tabs()->tabBar()->tabButton(0, QTabBar::RightSide);
        QVERIFY(closeButton);

        {
            Answerer cancel({QMessageBox::Cancel});
            QTest::mouseClick(closeButton, Qt::LeftButton);
            QTRY_VERIFY(cancel.done());
            QCOMPARE(m_panel->tabs()->count(), 1);
        }
        Answerer save({QMessageBox::Save});
        QTest::mouseClick(closeButton, Qt::LeftButton);
        QTRY_VERIFY(save.done());
        QCOMPARE(m_panel->tabs()->count(), 0);
        QCOMPARE(Notebook::load(path).cells().at(0).source(), QStringLiteral("tab_saved = 1"));
        // Nothing left to ask about: the window closes at once.
        QVERIFY(m_window->close());
    }

    void autosaveOnATimer()
    {
        QSettings().setValue(QStringLiteral("notebooks/autosaveSeconds"), 1);
        NotebookEditor *editor = dirtyNotebook(QStringLiteral("autosaved = 1"));
        QSettings().setValue(QStringLiteral("notebooks/autosaveSeconds"), 0);
        QVERIFY(editor);
        QTRY_VERIFY_WITH_TIMEOUT(!editor->isDirty(), 10000);
        QCOMPARE(Notebook::load(editor->filePath()).cells().at(0).source(), QStringLiteral("autosaved = 1"));
        QVERIFY(!m_panel->tabs()->tabText(0).contains(QStringLiteral("●")));
        // Saved: closing asks nothing.
        QVERIFY(m_window->close());
    }

    void savesAreAtomic()
    {
        NotebookEditor *editor = dirtyNotebook(QStringLiteral("x = 0"));
        QVERIFY(editor);
        const QString path = editor->filePath();
        QVERIFY(editor->save());
        // A reader on another thread reads the file over and over while it is rewritten with
        // ever longer content: every read must be one whole notebook, old or new.
        std::atomic<bool> stop{false};
        std::atomic<int> reads{0}, torn{0};
        QThread *reader = QThread::create([&] {
            while (!stop) {
                QFile file(path);
                if (!file.open(QIODevice::ReadOnly))
                    continue;
                QJsonParseError error;
                QJsonDocument::fromJson(file.readAll(), &error);
                if (error.error != QJsonParseError::NoError)
                    ++torn;
                ++reads;
            }
        });
        reader->start();
        const QString block = QString(20000, QLatin1Char('x'));
        for (int i = 1; i <= 40; ++i) {
            editor->cellAt(0)->setSource(QStringLiteral("x = '%1'").arg(block.left(i * 500)));
            QVERIFY(editor->save());
        }
        QTRY_VERIFY_WITH_TIMEOUT(reads > 40, 10000);
        stop = true;
        reader->wait();
        delete reader;
        QCOMPARE(torn.load(), 0);
        QVERIFY(m_window->close());
    }
};

int main(int argc, char **argv)
{
    // The window must be a real one: start a private X server before the application.
    XvfbServer xvfb;
    if (xvfb.start()) {
        qputenv("DISPLAY", xvfb.display().toLocal8Bit());
        qputenv("QT_QPA_PLATFORM", "xcb");
    } else {
        g_noDisplay = xvfb.error();
    }
    QApplication app(argc, argv);
    QApplication::setQuitOnLastWindowClosed(false);
    TestNotebookClose test;
    QTEST_SET_MAIN_SOURCE_PATH
    return QTest::qExec(&test, argc, argv);
}

#include "tst_notebookclose.moc"
