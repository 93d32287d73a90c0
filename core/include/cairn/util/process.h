#pragma once

#include <QByteArray>
#include <QFile>
#include <QString>

#include <cerrno>
#include <csignal>

namespace cairn {

/// Whether a process with this id exists on this host. A process that was killed but not yet
/// reaped by its parent (a zombie) is gone all the same.
inline bool processExists(qint64 pid)
{
    if (pid <= 0 || (::kill(pid_t(pid), 0) != 0 && errno == ESRCH))
        return false;
    QFile stat(QStringLiteral("/proc/%1/stat").arg(pid));
    if (stat.open(QIODevice::ReadOnly)) {
        const QByteArray text = stat.readAll();
        const qsizetype close = text.lastIndexOf(')');
        if (close >= 0 && close + 2 < text.size() && text.at(close + 2) == 'Z')
            return false;
    }
    return true;
}

} // namespace cairn
