#pragma once

#include "cairn/remote/host.h"

#include <QDateTime>
#include <QHash>
#include <QObject>
#include <QPointer>
#include <QProcess>
#include <QTimer>

#include <functional>

namespace cairn::remote {

/// What keeps a host from being idle right now.
struct HostActivity
{
    int jobs = 0;           ///< jobs queued to or running on it
    int busyKernels = 0;    ///< notebook kernels executing (an idle kernel left open does not count)
    int gpusInUse = 0;      ///< GPUs above the utilization threshold (any process)
    bool known = true;      ///< false: the host could not be looked at (never stopped blind)
    bool isIdle() const { return known && jobs == 0 && busyKernels == 0 && gpusInUse == 0; }
};

/// Idle shutdown: each host with an idle timeout and a stop command is watched; when it has had
/// no job, no busy kernel and no GPU in use for its timeout, its stop command runs (as the
/// user's own shell line, here, like `cairn hosts stop`), once, and the decision and the
/// command's output are appended to a log. A host stopped this way is left alone until work
/// shows up on it again or markStarted() is called. The Start and Stop buttons and commands go
/// through startHost() and stopHost(), so every run of those lines is in the same log.
class IdleMonitor : public QObject
{
    Q_OBJECT
public:
    using HostsProvider = std::function<QList<Host>()>;
    using ActivitySource = std::function<HostActivity(const Host &)>;

    explicit IdleMonitor(QObject *parent = nullptr);
    ~IdleMonitor() override;

    void setHostsProvider(HostsProvider provider) { m_hosts = std::move(provider); }
    void setActivitySource(ActivitySource source) { m_activity = std::move(source); }
    /// How often check() runs on its own (default 30 s; 0: only when called).
    void setCheckInterval(int ms);
    /// How long a "minute" of the idle timeout lasts (default 60 000 ms; tests shorten it).
    void setMinuteMs(qint64 ms) { m_minuteMs = ms; }
    /// The log of idle shutdowns (default: idle-shutdown.log next to hosts.json).
    void setLogFile(const QString &path) { m_logFile = path; }
    QString logFile() const { return m_logFile; }
    static QString defaultLogFile();

    /// Looks at every watched host now.
    void check();
    /// The host was started (or its state is unknown again): watch it from now.
    void markStarted(const QString &host);
    /// Runs the host's start or stop command now (asynchronously), logged with `reason`.
    /// Throws cairn::Error when the host has no such command.
    void startHost(const Host &host, const QString &reason = QStringLiteral("started by the user"));
    void stopHost(const Host &host, const QString &reason = QStringLiteral("stopped by the user"));
    /// True while a start or stop command of the host runs.
    bool isBusy(const QString &host) const;

    /// Since when the host has been idle (0: busy, not watched, or stopped).
    qint64 idleSince(const QString &host) const;
    /// True while the host's stop command runs, and after it ran, until work shows up again.
    bool isStopped(const QString &host) const;
    /// Milliseconds left before the stop command runs (-1: not counting down).
    qint64 remainingMs(const QString &host, qint64 now = QDateTime::currentMSecsSinceEpoch()) const;

Q_SIGNALS:
    /// The start (`start` true) or stop command of `host` is about to run.
    void commandStarted(const QString &host, bool start, const QString &reason);
    /// It ended: ok when it exited 0; `output` is what it printed.
    void commandFinished(const QString &host, bool start, bool ok, const QString &output);

private:
    struct Watch
    {
        qint64 idleSince = 0;
        bool stopped = false;
        QPointer<QProcess> process;
    };
    void runCommand(const Host &host, bool start, const QString &reason);
    void log(const QString &line) const;

    HostsProvider m_hosts;
    ActivitySource m_activity;
    qint64 m_minuteMs = 60000;
    QString m_logFile;
    QTimer m_timer;
    QHash<QString, Watch> m_watch;
};

} // namespace cairn::remote
