#include "cairn/jobs/localrunner.h"

#include "jobs/outputlines.h"

#include <QFileInfo>

#include <csignal>
#include <cstring>

namespace cairn {

QString LocalRunner::signalMessage(int signal)
{
    if (signal <= 0)
        return QStringLiteral("the worker crashed or was killed");
    const char *abbrev = sigabbrev_np(signal);
    const char *description = strsignal(signal);
    const QString name = QStringLiteral("signal %1 (%2%3)")
                             .arg(signal)
                             .arg(abbrev ? QStringLiteral("SIG") + QString::fromLatin1(abbrev) : QStringLiteral("unknown"),
                                  description ? QStringLiteral(", ") + QString::fromLocal8Bit(description) : QString());
    switch (signal) {
    case SIGSEGV:
    case SIGBUS:
    case SIGILL:
    case SIGFPE:
    case SIGABRT:
        return QStringLiteral("the worker crashed with %1").arg(name);
    case SIGKILL:
        return QStringLiteral("the worker was killed by %1: by a person or another program, or by the system when memory ran out").arg(name);
    default:
        return QStringLiteral("the worker was killed by %1").arg(name);
    }
}

LocalRunner::LocalRunner(QObject *parent) : Runner(parent)
{
    connect(&m_process, &QProcess::readyReadStandardOutput, this, &LocalRunner::readStdout);
    connect(&m_process, &QProcess::readyReadStandardError, this, [this] {
        const QByteArray text = m_process.readAllStandardError();
        if (!text.isEmpty())
            Q_EMIT stderrText(text);
    });
    connect(&m_process, &QProcess::started, this, [this] {
        m_pid = m_process.processId();
        Q_EMIT started(m_pid);
    });
    connect(&m_process, &QProcess::finished, this, [this](int exitCode, QProcess::ExitStatus status) {
        if (m_finished)
            return;
        m_finished = true;
        readStdout();
        if (!m_partial.isEmpty()) {
            Q_EMIT stdoutLine(m_partial);
            m_partial.clear();
        }
        const QByteArray rest = m_process.readAllStandardError();
        if (!rest.isEmpty())
            Q_EMIT stderrText(rest);
        // On a crash QProcess's exit code is the signal's number: name it.
        Q_EMIT finished(exitCode, status == QProcess::CrashExit, status == QProcess::CrashExit ? signalMessage(exitCode) : QString());
    });
    connect(&m_process, &QProcess::errorOccurred, this, [this](QProcess::ProcessError error) {
        if (error == QProcess::FailedToStart && !m_finished) {
            m_finished = true;
            Q_EMIT finished(-1, true, QStringLiteral("cannot start %1: %2").arg(m_process.program(), m_process.errorString()));
        }
    });
}

LocalRunner::~LocalRunner()
{
    if (m_process.state() != QProcess::NotRunning) {
        m_process.kill();
        m_process.waitForFinished(2000);
    }
}

void LocalRunner::start(const WorkerLaunch &launch)
{
    QStringList args = launch.arguments;
    args << QStringLiteral("--spec") << launch.specPath;
    m_process.setWorkingDirectory(launch.jobDir);
    m_process.setProcessChannelMode(QProcess::SeparateChannels);
    m_process.start(launch.program, args);
}

void LocalRunner::readStdout()
{
    m_partial.append(m_process.readAllStandardOutput());
    qsizetype start = 0;
    while (const std::optional<QByteArray> line = nextOutputLine(m_partial, start))
        Q_EMIT stdoutLine(*line);
    m_partial.remove(0, start);
    // A worker that never ends its lines must not grow memory without bound.
    if (m_partial.size() > (16 << 20)) {
        Q_EMIT stdoutLine(m_partial);
        m_partial.clear();
    }
}

void LocalRunner::sendControl(const QByteArray &line)
{
    if (m_process.state() != QProcess::Running)
        return;
    QByteArray l = line;
    if (!l.endsWith('\n'))
        l.append('\n');
    m_process.write(l);
}

void LocalRunner::terminate()
{
    if (m_process.state() != QProcess::NotRunning)
        m_process.terminate();
}

void LocalRunner::kill()
{
    if (m_process.state() != QProcess::NotRunning)
        m_process.kill();
}

qint64 LocalRunner::processId() const
{
    return m_pid;
}

bool LocalRunner::isRunning() const
{
    return m_process.state() != QProcess::NotRunning;
}

} // namespace cairn
