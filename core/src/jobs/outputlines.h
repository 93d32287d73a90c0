#pragma once
// Splits a worker's stdout, read in pieces, into its JSON Lines.

#include <QByteArray>

#include <optional>

namespace cairn {

/// The line of `buffer` that begins at `start`, without its "\n" or "\r\n", and moves `start`
/// past it; nullopt (and `start` unchanged) while that line has not fully arrived.
inline std::optional<QByteArray> nextOutputLine(const QByteArray &buffer, qsizetype &start)
{
    const qsizetype nl = buffer.indexOf('\n', start);
    if (nl < 0)
        return std::nullopt;
    QByteArray line = buffer.mid(start, nl - start);
    start = nl + 1;
    if (line.endsWith('\r'))
        line.chop(1);
    return line;
}

} // namespace cairn
