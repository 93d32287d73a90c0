// The real cairn-studio process: --help and usage errors without a display; then, on a private
// Xvfb with keys typed by xdotool, a notebook edit that survives kill -9 through autosave, the
// notebook reopened at the next start, and File ▸ Quit (Ctrl+Q) that asks to save and saves.
#include "../app/xvfbserver.h"

#include "cairn/notebook/notebook.h"

#include <QDir>
#include <QProcess>
#include <QSettings>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QtTest>

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
    XvfbServer m_xvfb;
    QProcessEnvironment m_env;
    QString m_notebook;
    QString m_conf;

    bool xdotool(const QStringList &args, QString *out = nullptr)
    {
        QProcess p;
        p.setProcessEnvironment(m_env);
        p.start(QStringLiteral("xdotool"), args);
        if (!p.waitForFinished(30000)) {
            p.kill();
            p.waitForFinished();
            return false;
        }
        if (out)
            *out = QString::fromLocal8Bit(p.readAllStandardOutput());
        return p.exitCode() == 0;
    }

    /// Starts the studio on the workspace and waits until it has opened the notebook.
    bool launch(QProcess &studio, const QStringList &extra)
    {
        studio.setProcessEnvironment(m_env);
        studio.setProcessChannelMode(QProcess::SeparateChannels);
        studio.start(kStudio, QStringList{QStringLiteral("--workspace"), m_dir.filePath(QStringLiteral("ws")), QStringLiteral("--panel"),
                                          QStringLiteral("notebooks"), QStringLiteral("--size"), QStringLiteral("1200x800")}
                                  + extra);
        if (!studio.waitForStarted(10000))
            return false;
        QByteArray err;
        QElapsedTimer timer;
        timer.start();
        while (!err.contains("opened ") && timer.elapsed() < 60000 && studio.state() == QProcess::Running) {
            studio.waitForReadyRead(500);
            err += studio.readAllStandardError();
        }
        if (!err.contains("opened ")) {
            qWarning("studio: %s", err.constData());
            return false;
        }
        // The window holds the X input focus, so that xdotool's keys reach it.
        return xdotool({QStringLiteral("search"), QStringLiteral("--sync"), QStringLiteral("--onlyvisible"), QStringLiteral("--name"),
                        QStringLiteral("Cairn Studio"), QStringLiteral("windowfocus"), QStringLiteral("--sync")});
    }

    void setAutosave(int seconds)
    {
        QSettings conf(m_conf, QSettings::IniFormat);
        conf.setValue(QStringLiteral("notebooks/autosaveSeconds"), seconds);
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY2(QFileInfo::exists(kStudio), qPrintable(kStudio));
        m_env = QProcessEnvironment::systemEnvironment();
        m_env.remove(QStringLiteral("DISPLAY"));
        m_env.remove(QStringLiteral("WAYLAND_DISPLAY"));
        m_env.remove(QStringLiteral("QT_QPA_PLATFORM"));
        m_env.insert(QStringLiteral("XDG_CONFIG_HOME"), m_dir.filePath(QStringLiteral("config")));
        m_env.insert(QStringLiteral("XDG_DATA_HOME"), m_dir.filePath(QStringLiteral("data")));
        m_conf = m_dir.filePath(QStringLiteral("config/Cairn/Cairn Studio.conf"));
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
        if (!m_xvfb.start())
            QSKIP(qPrintable(m_xvfb.error()));
        if (QStandardPaths::findExecutable(QStringLiteral("xdotool")).isEmpty())
            QSKIP("xdotool is not installed (Debian package xdotool, in scripts/setup)");
        m_env.insert(QStringLiteral("DISPLAY"), m_xvfb.display());
        m_env.insert(QStringLiteral("QT_QPA_PLATFORM"), QStringLiteral("xcb"));
        m_env.insert(QStringLiteral("QT_LOGGING_RULES"), QStringLiteral("cairn.notebook.ui.info=true"));

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
