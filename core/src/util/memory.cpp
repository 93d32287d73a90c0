#include "cairn/util/memory.h"

#include <QByteArray>
#include <QFile>
#include <QLocale>

#include <limits>

namespace cairn {

namespace {

QByteArray readSmallFile(const QString &path)
{
    QFile f(path);
    // /proc and /sys files report size 0: read until the end.
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

/// A number in a file that holds one ("max" or a huge v1 value means no limit: -1).
qint64 numberIn(const QString &path)
{
    const QByteArray text = readSmallFile(path).trimmed();
    bool ok = false;
    const qint64 v = text.toLongLong(&ok);
    // cgroup v1 writes "no limit" as a page-rounded 2^63-1.
    return ok && v < (qint64(1) << 60) ? v : -1;
}

/// The value of `key` in a "key value" file (memory.stat), or 0.
qint64 statValue(const QString &path, const QByteArray &key)
{
    const QByteArray text = readSmallFile(path);
    for (const QByteArray &line : text.split('\n')) {
        const QList<QByteArray> parts = line.simplified().split(' ');
        if (parts.size() == 2 && parts.at(0) == key)
            return parts.at(1).toLongLong();
    }
    return 0;
}

/// The room left under one cgroup folder's limit, or -1 when it has none.
qint64 cgroupRoom(const QString &dir, bool v2)
{
    const qint64 limit = numberIn(dir + (v2 ? QStringLiteral("/memory.max") : QStringLiteral("/memory.limit_in_bytes")));
    if (limit < 0)
        return -1;
    const qint64 used = numberIn(dir + (v2 ? QStringLiteral("/memory.current") : QStringLiteral("/memory.usage_in_bytes")));
    const qint64 cache = statValue(dir + QStringLiteral("/memory.stat"), v2 ? QByteArrayLiteral("inactive_file") : QByteArrayLiteral("total_inactive_file"));
    return std::max<qint64>(0, limit - std::max<qint64>(0, used) + cache);
}

} // namespace

AvailableMemory availableMemory()
{
    AvailableMemory m;
    for (const QByteArray &line : readSmallFile(QStringLiteral("/proc/meminfo")).split('\n'))
        if (line.startsWith("MemAvailable:")) {
            const QList<QByteArray> parts = line.simplified().split(' ');
            if (parts.size() >= 2) {
                m.bytes = parts.at(1).toLongLong() * 1024;
                m.source = QStringLiteral("MemAvailable in /proc/meminfo");
            }
        }
    if (m.bytes < 0)
        return m;
    auto bound = [&](qint64 room, const QString &source) {
        if (room >= 0 && room < m.bytes) {
            m.bytes = room;
            m.source = source;
        }
    };
    // /proc/self/cgroup: "0::/path" (v2) and "N:memory:/path" (v1). In a container the path may
    // not exist under the mount, whose root is then the container's own cgroup.
    for (const QByteArray &line : readSmallFile(QStringLiteral("/proc/self/cgroup")).split('\n')) {
        const QList<QByteArray> parts = line.split(':');
        if (parts.size() < 3)
            continue;
        const QString path = QString::fromUtf8(line.mid(parts.at(0).size() + parts.at(1).size() + 2));
        const bool v2 = parts.at(0) == "0" && parts.at(1).isEmpty();
        const bool v1 = parts.at(1).split(',').contains("memory");
        if (!v2 && !v1)
            continue;
        const QString root = v2 ? QStringLiteral("/sys/fs/cgroup") : QStringLiteral("/sys/fs/cgroup/memory");
        const QString file = v2 ? QStringLiteral("/memory.max") : QStringLiteral("/memory.limit_in_bytes");
        QString dir = root + path;
        while (dir.endsWith(QLatin1Char('/')))
            dir.chop(1);
        if (!QFile::exists(dir + file))
            dir = root;
        // v2 limits nest: every level up to the root bounds the process.
        for (;;) {
            bound(cgroupRoom(dir, v2), QStringLiteral("the room under the cgroup limit in %1%2").arg(dir, file));
            if (!v2 || dir.size() <= root.size())
                break;
            dir.truncate(dir.lastIndexOf(QLatin1Char('/')));
        }
    }
    return m;
}

QString formatBytes(qint64 bytes)
{
    return QLocale::c().formattedDataSize(bytes, 1, QLocale::DataSizeIecFormat);
}

} // namespace cairn
