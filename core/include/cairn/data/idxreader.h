#pragma once

#include <QString>

#include <cstdint>
#include <vector>

namespace cairn::data {

/// An array read from an IDX file (the MNIST format): element type, dimensions, and the
/// elements in host byte order.
struct IdxArray
{
    enum class Type : quint8 { UInt8 = 0x08, Int8 = 0x09, Int16 = 0x0B, Int32 = 0x0C, Float32 = 0x0D, Float64 = 0x0E };
    Type type = Type::UInt8;
    std::vector<qint64> dims;
    std::vector<unsigned char> bytes;

    static int elementSize(Type type);
    qint64 count() const;
    /// The first dimension (number of items), 0 for an empty array.
    qint64 items() const { return dims.empty() ? 0 : dims.front(); }
    /// Elements per item (28*28 for MNIST images, 1 for labels).
    qint64 itemSize() const;
    /// Element i converted to double, whatever the stored type.
    double value(qint64 i) const;
};

/// Reads IDX files, gzip-compressed or not (zlib reads both). Every malformed input throws
/// cairn::Error naming the file and what is wrong: bad magic, truncated data, trailing bytes.
class IdxReader
{
public:
    static IdxArray read(const QString &path);
};

} // namespace cairn::data
