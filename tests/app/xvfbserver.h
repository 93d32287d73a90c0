#pragma once
// A private X server (Xvfb) for tests that need real windows: close events from a window system,
// modal dialogs on the xcb platform, keys typed by xdotool into another process. Xvfb picks a free
// display itself (-displayfd), so tests running side by side never collide.
#include <QProcess>
#include <QStandardPaths>
#include <QString>

class XvfbServer
{
public:
    ~XvfbServer()
    {
        if (m_process.state() != QProcess::NotRunning) {
            m_process.terminate();
            if (!m_process.waitForFinished(5000))
                m_process.kill();
            m_process.waitForFinished(2000);
        }
    }

    /// Starts Xvfb; false with the reason in error() when it cannot.
    bool start()
    {
        const QString xvfb = QStandardPaths::findExecutable(QStringLiteral("Xvfb"));
        if (xvfb.isEmpty()) {
            m_error = QStringLiteral("Xvfb is not installed (Debian package xvfb, in scripts/setup)");
            return false;
        }
        m_process.setProgram(xvfb);
        m_process.setArguments({QStringLiteral("-displayfd"), QStringLiteral("1"), QStringLiteral("-screen"), QStringLiteral("0"),
                                QStringLiteral("1600x1000x24"), QStringLiteral("-nolisten"), QStringLiteral("tcp")});
        m_process.setProcessChannelMode(QProcess::SeparateChannels);
        m_process.start();
        if (!m_process.waitForStarted(10000)) {
            m_error = QStringLiteral("Xvfb did not start: %1").arg(m_process.errorString());
            return false;
        }
        // Xvfb writes the display number and a newline once it accepts connections.
        QByteArray out;
        while (!out.contains('\n') && m_process.waitForReadyRead(30000))
            out += m_process.readAllStandardOutput();
        bool ok = false;
        const int number = out.trimmed().toInt(&ok);
        if (!ok) {
            m_error = QStringLiteral("Xvfb gave no display: %1").arg(QString::fromLocal8Bit(m_process.readAllStandardError()));
            return false;
        }
        m_display = QStringLiteral(":%1").arg(number);
        return true;
    }

    QString display() const { return m_display; }
    QString error() const { return m_error; }

private:
    QProcess m_process;
    QString m_display;
    QString m_error;
};
