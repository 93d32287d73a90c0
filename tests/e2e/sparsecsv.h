#pragma once
// A CSV too big to read into this machine's memory, made at once and without using the disk: a
// real header and rows, then a hole (a sparse file). For the tests of the refusal to read one.

#include <QByteArrayList>
#include <QFile>
#include <QString>

#include <algorithm>

/// This machine's memory (MemTotal) in bytes; 0 when /proc/meminfo cannot be read.
inline qint64 machineMemory()
{
    QFile f(QStringLiteral("/proc/meminfo"));
    if (f.open(QIODevice::ReadOnly))
        for (const QByteArray &line : f.readAll().split('\n'))
            if (line.startsWith("MemTotal:"))
                return line.simplified().split(' ').value(1).toLongLong() * 1024;
    return 0;
}

/// A size whose rows no machine here holds as columns: at least 10 GB and at least its memory.
inline qint64 tooBigForMemory()
{
    return std::max(qint64(10) << 30, machineMemory());
}

/// Writes a header (a … o, y) and `rows` rows of 16 one-digit numbers (32 bytes of text a row,
/// 128 bytes as columns), then makes the file `size` bytes long with a hole. False when the file
/// cannot be written or its file system cannot hold a sparse file that long.
inline bool writeSparseCsv(const QString &path, int rows, qint64 size)
{
    QFile f(path);
    if (!f.open(QIODevice::WriteOnly))
        return false;
    f.write("a,b,c,d,e,f,g,h,i,j,k,l,m,n,o,y\n");
    for (int r = 0; r < rows; ++r) {
        QByteArrayList row;
        for (int c = 0; c < 16; ++c)
            row << QByteArray::number((r * 7 + c) % 10);
        f.write(row.join(',') + '\n');
    }
    return f.resize(size);
}
