#pragma once
// Drives the real cairn-studio process on a private Xvfb: its environment (own config and data
// folders, the xcb platform), keys and clicks through xdotool, and a start that waits for a line
// the studio logs. Shared by tst_studiolaunch and tst_crashstudio.
#include "../app/xvfbserver.h"

#include <QElapsedTimer>
#include <QProcess>
#include <QProcessEnvironment>
#include <QStandardPaths>
#include <QString>
#include <QStringList>

class StudioDriver
{
public:
    /// The environment of a studio whose settings live under `root` (config/, data/).
    explicit StudioDriver(const QString &root)
    {
        m_env = QProcessEnvironment::systemEnvironment();
        m_env.remove(QStringLiteral("DISPLAY"));
        m_env.remove(QStringLiteral("WAYLAND_DISPLAY"));
        m_env.remove(QStringLiteral("QT_QPA_PLATFORM"));
        m_env.insert(QStringLiteral("XDG_CONFIG_HOME"), root + QStringLiteral("/config"));
        m_env.insert(QStringLiteral("XDG_DATA_HOME"), root + QStringLiteral("/data"));
        m_conf = root + QStringLiteral("/config/Cairn/Cairn Studio.conf");
    }

    QProcessEnvironment &env() { return m_env; }
    /// The studio's settings file (QSettings, IniFormat).
    QString configFile() const { return m_conf; }

    /// Starts Xvfb and points the environment at it; false with the reason in error() when
    /// Xvfb or xdotool is missing.
    bool startDisplay(const QString &loggingRules)
    {
        if (!m_xvfb.start()) {
            m_error = m_xvfb.error();
            return false;
        }
        if (QStandardPaths::findExecutable(QStringLiteral("xdotool")).isEmpty()) {
            m_error = QStringLiteral("xdotool is not installed (Debian package xdotool, in scripts/setup)");
            return false;
        }
        m_env.insert(QStringLiteral("DISPLAY"), m_xvfb.display());
        m_env.insert(QStringLiteral("QT_QPA_PLATFORM"), QStringLiteral("xcb"));
        m_env.insert(QStringLiteral("QT_LOGGING_RULES"), loggingRules);
        return true;
    }
    QString error() const { return m_error; }

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

    /// Gives the studio's main window the X input focus, so that xdotool's keys reach it.
    bool focusMainWindow()
    {
        return xdotool({QStringLiteral("search"), QStringLiteral("--sync"), QStringLiteral("--onlyvisible"), QStringLiteral("--name"),
                        QStringLiteral("Cairn Studio"), QStringLiteral("windowfocus"), QStringLiteral("--sync")});
    }

    /// Starts `studio ARGS` and waits (up to 60 s) until its log (stderr) contains `readyLine`,
    /// then focuses its window. *log receives what it logged so far.
    bool launch(QProcess &studio, const QString &program, const QStringList &args, const QByteArray &readyLine, QByteArray *log)
    {
        studio.setProcessEnvironment(m_env);
        studio.setProcessChannelMode(QProcess::SeparateChannels);
        studio.start(program, args);
        if (!studio.waitForStarted(10000))
            return false;
        QElapsedTimer timer;
        timer.start();
        while (!log->contains(readyLine) && timer.elapsed() < 60000 && studio.state() == QProcess::Running) {
            studio.waitForReadyRead(500);
            *log += studio.readAllStandardError();
        }
        if (!log->contains(readyLine)) {
            qWarning("studio: %s", log->constData());
            return false;
        }
        return focusMainWindow();
    }

private:
    XvfbServer m_xvfb;
    QProcessEnvironment m_env;
    QString m_conf;
    QString m_error;
};
