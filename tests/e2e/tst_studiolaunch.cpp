// The real cairn-studio process: --help and usage errors without a display; then, on a private
// Xvfb with keys typed by xdotool, a notebook edit that survives kill -9 through autosave, the
// notebook reopened at the next start, and File ▸ Quit (Ctrl+Q) that asks to save and saves.
#include "studioprocess.h"

#include "cairn/notebook/notebook.h"

#include <QDir>
#include <QProcess>
#include <QSettings>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QtTest>

#include <memory>

using namespace cairn;

namespace {

const QString kStudio = QStringLiteral(CAIRN_STUDIO_PATH);

struct Result
{
    int code = -1;
    QString out, err;
};

Result runStudio(const QStringList &args, const QProcessEnvironment &env)
{
    QProcess p;
    p.setProcessEnvironment(env);
    p.start(kStudio, args);
    Result r;
    if (!p.waitForFinished(60000)) {
        p.kill();
        p.waitForFinished();
        r.err = QStringLiteral("timed out");
        return r;
    }
    r.code = p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1;
    r.out = QString::fromLocal8Bit(p.readAllStandardOutput());
    r.err = QString::fromLocal8Bit(p.readAllStandardError());
    return r;
}

} // namespace

class TestStudioLaunch : public QObject
{
    Q_OBJECT
private:
    QTemporaryDir m_dir;
    std::unique_ptr<StudioDriver> m_driver;
    QProcessEnvironment m_env; // without a display
    QString m_notebook;

    bool xdotool(const QStringList &args, QString *out = nullptr) { return m_driver->xdotool(args, out); }

    /// Starts the studio on the workspace and waits until it has opened the notebook.
    bool launch(QProcess &studio, const QStringList &extra)
    {
        QByteArray log;
        return m_driver->launch(studio, kStudio,
                                QStringList{QStringLiteral("--workspace"), m_dir.filePath(QStringLiteral("ws")), QStringLiteral("--panel"),
                                            QStringLiteral("notebooks"), QStringLiteral("--size"), QStringLiteral("1200x800")}
                                    + extra,
                                QByteArrayLiteral("opened "), &log);
    }

    void setAutosave(int seconds)
    {
        QSettings conf(m_driver->configFile(), QSettings::IniFormat);
        conf.setValue(QStringLiteral("notebooks/autosaveSeconds"), seconds);
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY2(QFileInfo::exists(kStudio), qPrintable(kStudio));
        m_driver = std::make_unique<StudioDriver>(m_dir.path());
        m_env = m_driver->env();
    }

    void helpNeedsNoDisplay()
    {
        const Result help = runStudio({QStringLiteral("--help")}, m_env);
        QCOMPARE(help.code, 0);
        QVERIFY2(help.out.contains(QStringLiteral("--workspace")), qPrintable(help.out));
        for (const char *panel : {"experiments", "training", "labeling", "tuning", "automl", "notebooks", "debugger"})
            QVERIFY2(help.out.contains(QLatin1String(panel)), qPrintable(help.out));
        const Result version = runStudio({QStringLiteral("--version")}, m_env);
        QCOMPARE(version.code, 0);
        QVERIFY(version.out.startsWith(QStringLiteral("cairn-studio ")));
    }

    void usageErrorsExitTwo()
    {
        const Result bogus = runStudio({QStringLiteral("--panel"), QStringLiteral("bogus"), QStringLiteral("--screenshot"),
                                        m_dir.filePath(QStringLiteral("never.png"))},
                                       m_env);
        QCOMPARE(bogus.code, 2);
        QVERIFY2(bogus.err.contains(QStringLiteral("no panel 'bogus'")), qPrintable(bogus.err));
        QVERIFY2(bogus.err.contains(QStringLiteral("experiments, training")), qPrintable(bogus.err));
        QVERIFY(!QFileInfo::exists(m_dir.filePath(QStringLiteral("never.png"))));
        const Result option = runStudio({QStringLiteral("--no-such-option")}, m_env);
        QCOMPARE(option.code, 2);
        const Result missing = runStudio({m_dir.filePath(QStringLiteral("missing.ipynb"))}, m_env);
        QCOMPARE(missing.code, 2);
        QVERIFY2(missing.err.contains(QStringLiteral("no such notebook")), qPrintable(missing.err));
    }

    void editSurvivesKillAndQuitAsksToSave()
    {
        if (!m_driver->startDisplay(QStringLiteral("cairn.notebook.ui.info=true")))
            QSKIP(qPrintable(m_driver->error()));

        QVERIFY(QDir().mkpath(m_dir.filePath(QStringLiteral("ws/notebooks"))));
        m_notebook = m_dir.filePath(QStringLiteral("ws/notebooks/recover.ipynb"));
        Notebook empty; // one empty code cell
        empty.save(m_notebook);
        setAutosave(2);

        // 1. Type into the cell; autosave writes it within seconds; then the process is killed.
        {
            QProcess studio;
            QVERIFY(launch(studio, {m_notebook}));
            QVERIFY(xdotool({QStringLiteral("key"), QStringLiteral("Return")}));
            QVERIFY(xdotool({QStringLiteral("type"), QStringLiteral("--delay"), QStringLiteral("30"), QStringLiteral("recovered = 42")}));
            QVERIFY(xdotool({QStringLiteral("key"), QStringLiteral("Escape")}));
            QByteArray err;
            QTRY_VERIFY_WITH_TIMEOUT((err += studio.readAllStandardError()).contains("autosaved "), 30000);
            studio.kill(); // SIGKILL: no close event, no chance to save
            QVERIFY(studio.waitForFinished(10000));
            QCOMPARE(studio.exitStatus(), QProcess::CrashExit);
        }
        QCOMPARE(Notebook::load(m_notebook).cells().at(0).source(), QStringLiteral("recovered = 42"));

        // 2. The next start reopens the notebook by itself; Ctrl+Q with an unsaved edit asks, and
        //    Return (Save, the default) saves it.
        setAutosave(0);
        {
            QProcess studio;
            QVERIFY(launch(studio, {}));
            QVERIFY(xdotool({QStringLiteral("key"), QStringLiteral("Return")}));
            QVERIFY(xdotool({QStringLiteral("key"), QStringLiteral("ctrl+End")}));
            QVERIFY(xdotool({QStringLiteral("type"), QStringLiteral("--delay"), QStringLiteral("30"), QStringLiteral(" + 1")}));
            QVERIFY(xdotool({QStringLiteral("key"), QStringLiteral("Escape")}));
            QVERIFY(xdotool({QStringLiteral("key"), QStringLiteral("ctrl+q")}));
            QString box;
            QVERIFY(xdotool({QStringLiteral("search"), QStringLiteral("--sync"), QStringLiteral("--onlyvisible"), QStringLiteral("--name"),
                             QStringLiteral("Save changes"), QStringLiteral("windowfocus"), QStringLiteral("--sync")},
                            &box));
            QVERIFY(studio.state() == QProcess::Running); // waiting for the answer
            QVERIFY(xdotool({QStringLiteral("key"), QStringLiteral("Return")}));
            QVERIFY(studio.waitForFinished(30000));
            QCOMPARE(studio.exitStatus(), QProcess::NormalExit);
            QCOMPARE(studio.exitCode(), 0);
        }
        QCOMPARE(Notebook::load(m_notebook).cells().at(0).source(), QStringLiteral("recovered = 42 + 1"));
    }
};

QTEST_GUILESS_MAIN(TestStudioLaunch)
#include "tst_studiolaunch.moc"
