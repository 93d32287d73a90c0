#include "cairn/remote/idlemonitor.h"

#include "cairn/util/error.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QSet>

#include <algorithm>
#include <utility>

namespace cairn::remote {

IdleMonitor::IdleMonitor(QObject *parent)
    : QObject(parent), m_logFile(defaultLogFile())
{
    m_hosts = [] { return HostStore().hosts(); };
    m_activity = [](const Host &) { return HostActivity(); };
    connect(&m_timer, &QTimer::timeout, this, &IdleMonitor::check);
    setCheckInterval(30000);
}

IdleMonitor::~IdleMonitor()
{
    // A stop command cut off half-way (a cloud CLI call) could leave the machine up and paid
    // for: give a running one time to finish.
    for (const Watch &w : std::as_const(m_watch))
        if (w.process && w.process->state() != QProcess::NotRunning)
            w.process->waitForFinished(15000);
}

QString IdleMonitor::defaultLogFile()
{
    return QFileInfo(HostStore::defaultPath()).dir().filePath(QStringLiteral("idle-shutdown.log"));
}

void IdleMonitor::setCheckInterval(int ms)
{
    if (ms > 0)
        m_timer.start(ms);
    else
        m_timer.stop();
}

void IdleMonitor::check()
{
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    QList<Host> hosts;
    try {
        hosts = m_hosts();
    } catch (const std::exception &) {
        return; // hosts.json unreadable right now: the next check sees it again
    }
    QSet<QString> seen;
    for (const Host &h : std::as_const(hosts)) {
        if (h.isLocal() || h.idleTimeoutMinutes <= 0 || h.stopCommand.trimmed().isEmpty())
            continue;
        seen.insert(h.name);
        Watch &w = m_watch[h.name];
        const HostActivity a = m_activity(h);
        if (!a.known) {
            w.idleSince = 0; // what cannot be seen is not stopped: the clock starts when it can
            continue;
        }
        if (!a.isIdle()) {
            if (w.stopped && !(w.process && w.process->state() != QProcess::NotRunning))
                log(QStringLiteral("%1: work again (%2 job(s), %3 busy kernel(s), %4 GPU(s) in use); watching for idleness")
                        .arg(h.name).arg(a.jobs).arg(a.busyKernels).arg(a.gpusInUse));
            w.idleSince = 0;
            w.stopped = false;
            continue;
        }
        if (w.stopped)
            continue;
        if (w.idleSince == 0) {
            w.idleSince = now;
            continue;
        }
        const qint64 idleMs = now - w.idleSince;
        if (idleMs >= qint64(h.idleTimeoutMinutes) * m_minuteMs && !isBusy(h.name))
            runCommand(h, false, QStringLiteral("idle for %1 min (no job, no busy kernel, no GPU in use; timeout %2 min)")
                                     .arg(double(idleMs) / double(m_minuteMs), 0, 'f', 1)
                                     .arg(h.idleTimeoutMinutes));
    }
    for (auto it = m_watch.begin(); it != m_watch.end();) {
        if (!seen.contains(it.key()) && !(it->process && it->process->state() != QProcess::NotRunning))
            it = m_watch.erase(it);
        else
            ++it;
    }
}

void IdleMonitor::markStarted(const QString &host)
{
    Watch &w = m_watch[host];
    w.stopped = false;
    w.idleSince = 0;
}

qint64 IdleMonitor::idleSince(const QString &host) const
{
    const auto it = m_watch.constFind(host);
    return it == m_watch.cend() || it->stopped ? 0 : it->idleSince;
}

bool IdleMonitor::isStopped(const QString &host) const
{
    const auto it = m_watch.constFind(host);
    return it != m_watch.cend() && it->stopped;
}

qint64 IdleMonitor::remainingMs(const QString &host, qint64 now) const
{
    const auto it = m_watch.constFind(host);
    if (it == m_watch.cend() || it->stopped || it->idleSince == 0)
        return -1;
    try {
        for (const Host &h : m_hosts())
            if (h.name == host)
                return std::max<qint64>(0, it->idleSince + qint64(h.idleTimeoutMinutes) * m_minuteMs - now);
    } catch (const std::exception &) {
    }
    return -1;
}

void IdleMonitor::startHost(const Host &host, const QString &reason)
{
    if (host.startCommand.trimmed().isEmpty())
        throw Error(QStringLiteral("host '%1' has no start command (set one in its settings)").arg(host.name));
    markStarted(host.name);
    runCommand(host, true, reason);
}

void IdleMonitor::stopHost(const Host &host, const QString &reason)
{
    if (host.stopCommand.trimmed().isEmpty())
        throw Error(QStringLiteral("host '%1' has no stop command (set one in its settings)").arg(host.name));
    runCommand(host, false, reason);
}

bool IdleMonitor::isBusy(const QString &host) const
{
    const auto it = m_watch.constFind(host);
    return it != m_watch.cend() && it->process && it->process->state() != QProcess::NotRunning;
}

void IdleMonitor::runCommand(const Host &host, bool start, const QString &reason)
{
    Watch &w = m_watch[host.name];
    if (w.process && w.process->state() != QProcess::NotRunning)
        throw Error(QStringLiteral("a start or stop command of host '%1' is still running").arg(host.name));
    w.stopped = !start;
    w.idleSince = 0;
    const QString line = start ? host.startCommand : host.stopCommand;
    const QString what = start ? QStringLiteral("start") : QStringLiteral("stop");
    log(QStringLiteral("%1: %2: running its %3 command: %4").arg(host.name, reason, what, line));
    Q_EMIT commandStarted(host.name, start, reason);
    // The command is the user's own shell line (like a cloud CLI call): it runs as one.
    auto *p = new QProcess(this);
    p->setProcessChannelMode(QProcess::MergedChannels);
    w.process = p;
    const QString name = host.name;
    connect(p, &QProcess::finished, this, [this, p, name, start, what](int code, QProcess::ExitStatus status) {
        const QString output = QString::fromLocal8Bit(p->readAll()).trimmed();
        const bool ok = status == QProcess::NormalExit && code == 0;
        const QString tail = output.isEmpty() ? QString() : QStringLiteral(": ") + output;
        log(ok ? QStringLiteral("%1: %2 command done%3").arg(name, what, tail)
               : QStringLiteral("%1: %2 command failed (exit %3)%4").arg(name, what).arg(code).arg(tail));
        p->deleteLater();
        Q_EMIT commandFinished(name, start, ok, output);
    });
    connect(p, &QProcess::errorOccurred, this, [this, p, name, start, what](QProcess::ProcessError e) {
        if (e != QProcess::FailedToStart)
            return;
        log(QStringLiteral("%1: %2 command could not start: %3").arg(name, what, p->errorString()));
        p->deleteLater();
        Q_EMIT commandFinished(name, start, false, p->errorString());
    });
    p->start(QStringLiteral("/bin/sh"), {QStringLiteral("-c"), line});
}

void IdleMonitor::log(const QString &line) const
{
    if (m_logFile.isEmpty())
        return;
    QDir().mkpath(QFileInfo(m_logFile).absolutePath());
    QFile f(m_logFile);
    if (f.open(QIODevice::WriteOnly | QIODevice::Append | QIODevice::Text))
        f.write((QDateTime::currentDateTimeUtc().toString(Qt::ISODate) + QLatin1Char(' ') + line + QLatin1Char('\n')).toUtf8());
}

} // namespace cairn::remote
