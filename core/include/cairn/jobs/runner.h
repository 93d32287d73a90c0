#pragma once

#include <QObject>
#include <QString>
#include <QStringList>

namespace cairn {

/// How to start one worker: the program (`cairn`), the arguments before "--spec FILE"
/// (normally {"worker"}), the spec file and the job's folder.
struct WorkerLaunch
{
    QString program;
    QStringList arguments;     ///< "--spec <file>" is appended by the runner
    QString specPath;
    QString jobDir;
    int cpus = 0;
};

/// Starts and controls one worker process somewhere: here (LocalRunner), on an SSH host, or
/// as a Slurm job. The JobManager talks only to this interface, and trainers only to
/// JobContext, so a new place to run needs a new Runner and nothing else.
class Runner : public QObject
{
    Q_OBJECT
public:
    using QObject::QObject;
    ~Runner() override = default;

    virtual QString kind() const = 0;
    virtual void start(const WorkerLaunch &launch) = 0;
    /// Writes one control line (a JSON object, newline added) to the worker's stdin.
    virtual void sendControl(const QByteArray &line) = 0;
    /// SIGTERM (or the runner's equivalent: scancel, remote kill).
    virtual void terminate() = 0;
    /// SIGKILL.
    virtual void kill() = 0;
    virtual qint64 processId() const = 0;
    virtual bool isRunning() const = 0;

    /// True when the worker outlives this process: it runs on another machine and writes its
    /// events to a file there. The JobManager then leaves it running when it exits, and a later
    /// one re-attaches (see attach()).
    virtual bool outlivesParent() const { return false; }
    /// Follows a worker started earlier, by this or another process, for the job in `jobDir`,
    /// reading its event stream from byte `offset` on. Only runners that outlive their parent
    /// can do this; the others report the job as failed.
    virtual void attach(const QString &jobDir, qint64 offset)
    {
        Q_UNUSED(jobDir);
        Q_UNUSED(offset);
        Q_EMIT finished(-1, true, QStringLiteral("a %1 worker cannot be re-attached").arg(kind()));
    }
    /// The byte offset in the worker's event stream just after the line last given by
    /// stdoutLine(), or -1 where the runner does not count (local workers).
    virtual qint64 eventOffset() const { return -1; }

Q_SIGNALS:
    void started(qint64 pid);
    /// One complete line of the worker's stdout, without the line end.
    void stdoutLine(const QByteArray &line);
    void stderrText(const QByteArray &text);
    /// crashed: killed by a signal (SIGKILL, a segfault) or never started (with `error`).
    void finished(int exitCode, bool crashed, const QString &error);
};

} // namespace cairn
