#include "cairn/labeling/imageheader.h"

#include <QFile>

namespace cairn::labeling {

namespace {

quint32 be32(const uchar *p) { return (quint32(p[0]) << 24) | (quint32(p[1]) << 16) | (quint32(p[2]) << 8) | p[3]; }
quint16 be16(const uchar *p) { return quint16((p[0] << 8) | p[1]); }
quint16 le16(const uchar *p) { return quint16(p[0] | (p[1] << 8)); }
quint32 le32(const uchar *p) { return quint32(p[0]) | (quint32(p[1]) << 8) | (quint32(p[2]) << 16) | (quint32(p[3]) << 24); }

ImageSize pngSize(const QByteArray &h)
{
    // Signature, then the IHDR chunk: length, "IHDR", width, height, bit depth, colour type.
    if (h.size() < 26 || h.mid(12, 4) != "IHDR")
        return {};
    const auto *p = reinterpret_cast<const uchar *>(h.constData());
    int depth = 3;
    switch (p[25]) {
    case 0: depth = 1; break;
    case 2: depth = 3; break;
    case 3: depth = 3; break;
    case 4: depth = 2; break;
    case 6: depth = 4; break;
    default: return {};
    }
    return {int(be32(p + 16)), int(be32(p + 20)), depth};
}

ImageSize jpegSize(QFile &file)
{
    // Walk the markers up to the first start-of-frame, which holds height, width, components.
    file.seek(2);
    for (int guard = 0; guard < 10000; ++guard) {
        uchar marker[2];
        if (file.read(reinterpret_cast<char *>(marker), 2) != 2)
            return {};
        if (marker[0] != 0xFF)
            return {};
        while (marker[1] == 0xFF) { // fill bytes
            if (file.read(reinterpret_cast<char *>(marker + 1), 1) != 1)
                return {};
        }
        const uchar m = marker[1];
        if (m == 0xD8 || m == 0x01 || (m >= 0xD0 && m <= 0xD7))
            continue; // markers without a length
        uchar len[2];
        if (file.read(reinterpret_cast<char *>(len), 2) != 2)
            return {};
        const int length = be16(len);
        if (length < 2)
            return {};
        const bool sof = m >= 0xC0 && m <= 0xCF && m != 0xC4 && m != 0xC8 && m != 0xCC;
        if (sof) {
            uchar f[6];
            if (file.read(reinterpret_cast<char *>(f), 6) != 6)
                return {};
            return {int(be16(f + 3)), int(be16(f + 1)), int(f[5])};
        }
        if (!file.seek(file.pos() + length - 2))
            return {};
    }
    return {};
}

} // namespace

ImageSize readImageSize(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return {};
    const QByteArray h = file.read(64);
    const auto *p = reinterpret_cast<const uchar *>(h.constData());
    if (h.startsWith("\x89PNG\r\n\x1a\n"))
        return pngSize(h);
    if (h.size() >= 3 && p[0] == 0xFF && p[1] == 0xD8 && p[2] == 0xFF)
        return jpegSize(file);
    if (h.startsWith("BM") && h.size() >= 30) {
        const int w = int(le32(p + 18));
        const int hgt = int(le32(p + 22));
        const int bits = le16(p + 28);
        return {w, hgt < 0 ? -hgt : hgt, bits >= 32 ? 4 : bits <= 8 ? 3 : 3};
    }
    if ((h.startsWith("GIF87a") || h.startsWith("GIF89a")) && h.size() >= 10)
        return {le16(p + 6), le16(p + 8), 3};
    if (h.startsWith("RIFF") && h.mid(8, 4) == "WEBP" && h.size() >= 30) {
        const QByteArray chunk = h.mid(12, 4);
        if (chunk == "VP8X")
            return {int((le32(p + 24) & 0xFFFFFF) + 1), int((le32(p + 27) & 0xFFFFFF) + 1), (p[20] & 0x10) ? 4 : 3};
        if (chunk == "VP8 ")
            return {le16(p + 26) & 0x3FFF, le16(p + 28) & 0x3FFF, 3};
        if (chunk == "VP8L") {
            const quint32 b = le32(p + 21);
            return {int((b & 0x3FFF) + 1), int(((b >> 14) & 0x3FFF) + 1), 4};
        }
    }
    return {};
}

} // namespace cairn::labeling
