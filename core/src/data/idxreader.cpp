#include "cairn/data/idxreader.h"

#include "cairn/util/error.h"

#include <QFileInfo>

#include <zlib.h>

#include <algorithm>
#include <cstring>

namespace cairn::data {

int IdxArray::elementSize(Type type)
{
    switch (type) {
    case Type::UInt8:
    case Type::Int8: return 1;
    case Type::Int16: return 2;
    case Type::Int32:
    case Type::Float32: return 4;
    case Type::Float64: return 8;
    }
    return 1;
}

qint64 IdxArray::count() const
{
    qint64 n = dims.empty() ? 0 : 1;
    for (qint64 d : dims)
        n *= d;
    return n;
}

qint64 IdxArray::itemSize() const
{
    qint64 n = 1;
    for (size_t i = 1; i < dims.size(); ++i)
        n *= dims[i];
    return n;
}

double IdxArray::value(qint64 i) const
{
    const unsigned char *p = bytes.data() + size_t(i) * size_t(elementSize(type));
    switch (type) {
    case Type::UInt8: return *p;
    case Type::Int8: return static_cast<signed char>(*p);
    case Type::Int16: { qint16 v; std::memcpy(&v, p, 2); return v; }
    case Type::Int32: { qint32 v; std::memcpy(&v, p, 4); return v; }
    case Type::Float32: { float v; std::memcpy(&v, p, 4); return v; }
    case Type::Float64: { double v; std::memcpy(&v, p, 8); return v; }
    }
    return 0;
}

namespace {
struct GzFile
{
    gzFile f = nullptr;
    ~GzFile() { if (f) gzclose(f); }
};

qint64 readFully(gzFile f, void *buffer, qint64 n, const QString &path)
{
    qint64 done = 0;
    auto *out = static_cast<unsigned char *>(buffer);
    while (done < n) {
        const unsigned chunk = unsigned(std::min<qint64>(n - done, 1 << 30));
        const int got = gzread(f, out + done, chunk);
        if (got < 0) {
            int errnum = 0;
            const char *msg = gzerror(f, &errnum);
            throw Error(QStringLiteral("%1: the compressed data is damaged (%2); re-download or re-extract the file")
                            .arg(path, QString::fromLocal8Bit(msg)));
        }
        if (got == 0)
            break;
        done += got;
    }
    return done;
}
} // namespace

IdxArray IdxReader::read(const QString &path)
{
    if (!QFileInfo(path).isFile())
        throw Error(QStringLiteral("IDX file %1 does not exist").arg(path));
    GzFile gz;
    gz.f = gzopen(QFile::encodeName(path).constData(), "rb");
    if (!gz.f)
        throw Error(QStringLiteral("cannot open IDX file %1").arg(path));
    gzbuffer(gz.f, 1 << 20);
    unsigned char magic[4];
    if (readFully(gz.f, magic, 4, path) != 4)
        throw Error(QStringLiteral("%1: too short to be an IDX file (no 4-byte header)").arg(path));
    if (magic[0] != 0 || magic[1] != 0)
        throw Error(QStringLiteral("%1: not an IDX file (the first two bytes must be zero; found 0x%2%3)")
                        .arg(path).arg(magic[0], 2, 16, QLatin1Char('0')).arg(magic[1], 2, 16, QLatin1Char('0')));
    IdxArray a;
    switch (magic[2]) {
    case 0x08: case 0x09: case 0x0B: case 0x0C: case 0x0D: case 0x0E:
        a.type = IdxArray::Type(magic[2]);
        break;
    default:
        throw Error(QStringLiteral("%1: unknown IDX element type 0x%2 (expected 08, 09, 0B, 0C, 0D or 0E)")
                        .arg(path).arg(magic[2], 2, 16, QLatin1Char('0')));
    }
    const int ndims = magic[3];
    if (ndims < 1)
        throw Error(QStringLiteral("%1: the IDX header declares no dimensions").arg(path));
    qint64 count = 1;
    for (int i = 0; i < ndims; ++i) {
        unsigned char d[4];
        if (readFully(gz.f, d, 4, path) != 4)
            throw Error(QStringLiteral("%1: the IDX header ends before dimension %2 of %3").arg(path).arg(i + 1).arg(ndims));
        const qint64 dim = (qint64(d[0]) << 24) | (qint64(d[1]) << 16) | (qint64(d[2]) << 8) | qint64(d[3]);
        a.dims.push_back(dim);
        constexpr qint64 kMaxElements = qint64(1) << 36;
        if (dim > 0 && count > kMaxElements / dim)
            throw Error(QStringLiteral("%1: the IDX dimensions describe more than 64 G elements; the header is probably damaged").arg(path));
        count *= dim;
    }
    const int es = IdxArray::elementSize(a.type);
    const qint64 expected = count * es;
    // The buffer grows with the data that is really there: a damaged header must not make a
    // small file allocate gigabytes (found by fuzzing: 39 bytes asked for 4 GB).
    qint64 got = 0;
    for (qint64 step = std::min<qint64>(expected, 1 << 20); got < expected; step = std::min(expected - got, step * 2)) {
        if (a.bytes.capacity() < size_t(got + step))
            a.bytes.reserve(size_t(std::min(expected, std::max<qint64>(got + step, qint64(a.bytes.capacity()) * 2))));
        a.bytes.resize(size_t(got + step));
        const qint64 n = readFully(gz.f, a.bytes.data() + got, step, path);
        got += n;
        if (n < step)
            break;
    }
    if (got != expected)
        throw Error(QStringLiteral("%1: truncated: the header promises %2 bytes of data but only %3 are there")
                        .arg(path).arg(expected).arg(got));
    unsigned char extra;
    if (readFully(gz.f, &extra, 1, path) != 0)
        throw Error(QStringLiteral("%1: there are bytes after the %2 the header describes; the dimensions are probably wrong")
                        .arg(path).arg(expected));
    // IDX is big-endian; convert multi-byte elements to host order.
    if (es > 1 && QSysInfo::ByteOrder == QSysInfo::LittleEndian) {
        for (qint64 i = 0; i < count; ++i)
            std::reverse(a.bytes.begin() + i * es, a.bytes.begin() + (i + 1) * es);
    }
    return a;
}

} // namespace cairn::data
