#pragma once
// Shared by the libFuzzer targets: a Qt core application for the parsers that need one, and a
// scratch file for the parsers that read paths.

#include "cairn/util/error.h"

#include <QByteArray>
#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QString>

#include <cstdint>
#include <unistd.h>

namespace fuzz {

inline void ensureApp()
{
    static int argc = 1;
    static char name[] = "fuzz";
    static char *argv[] = {name, nullptr};
    static QCoreApplication *app = QCoreApplication::instance() ? nullptr : new QCoreApplication(argc, argv);
    (void)app;
}

/// A folder of this process under /dev/shm (or the temp folder), created once and removed when
/// the process exits normally.
inline QString scratchDir()
{
    struct Scratch
    {
        QString path;
        Scratch()
        {
            const QString base = QDir(QStringLiteral("/dev/shm")).exists() ? QStringLiteral("/dev/shm") : QDir::tempPath();
            path = QStringLiteral("%1/cairn-fuzz-%2").arg(base).arg(::getpid());
            QDir().mkpath(path);
        }
        ~Scratch() { QDir(path).removeRecursively(); }
    };
    static const Scratch scratch;
    return scratch.path;
}

inline QString writeScratch(const QString &name, const uint8_t *data, size_t size)
{
    const QString path = scratchDir() + QLatin1Char('/') + name;
    QFile f(path);
    if (f.open(QIODevice::WriteOnly | QIODevice::Truncate))
        f.write(reinterpret_cast<const char *>(data), qsizetype(size));
    return path;
}

inline QByteArray bytes(const uint8_t *data, size_t size)
{
    return QByteArray(reinterpret_cast<const char *>(data), qsizetype(size));
}

} // namespace fuzz
