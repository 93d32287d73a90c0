#include "cairn/algorithms/imagedata.h"

#include "cairn/data/idxreader.h"
#include "cairn/util/error.h"

#include <algorithm>

namespace cairn {

ImageData readIdxImages(const data::ChannelSpec &channel, qint64 limit)
{
    const data::IdxArray images = data::IdxReader::read(channel.path);
    if (images.dims.size() != 3 && images.dims.size() != 4)
        throw Error(QStringLiteral("%1 holds a %2-D array; images need 3 dimensions (items, rows, columns) or 4 (…, channels)")
                        .arg(channel.path).arg(images.dims.size()));
    ImageData d;
    d.count = images.items();
    if (limit > 0)
        d.count = std::min(d.count, limit);
    d.height = int(images.dims[1]);
    d.width = int(images.dims[2]);
    d.channels = images.dims.size() == 4 ? int(images.dims[3]) : 1;
    const qint64 item = d.itemSize();
    d.pixels.resize(size_t(d.count * item));
    const bool bytes = images.type == data::IdxArray::Type::UInt8;
    // Stored as rows × columns × channels; learners want channels first.
    for (qint64 i = 0; i < d.count; ++i)
        for (int y = 0; y < d.height; ++y)
            for (int x = 0; x < d.width; ++x)
                for (int c = 0; c < d.channels; ++c) {
                    const qint64 src = i * item + (qint64(y) * d.width + x) * d.channels + c;
                    const double v = bytes ? images.bytes[size_t(src)] / 255.0 : images.value(src);
                    d.pixels[size_t(i * item + (qint64(c) * d.height + y) * d.width + x)] = float(v);
                }
    if (!channel.labelsPath.isEmpty()) {
        const data::IdxArray labels = data::IdxReader::read(channel.labelsPath);
        if (labels.dims.size() != 1 || labels.items() < d.count)
            throw Error(QStringLiteral("%1 has %2 labels for the %3 images of %4").arg(channel.labelsPath).arg(labels.items()).arg(images.items()).arg(channel.path));
        int maxLabel = -1;
        d.labels.resize(size_t(d.count));
        for (qint64 i = 0; i < d.count; ++i) {
            const double v = labels.value(i);
            if (v < 0 || v > 100000 || v != double(qint64(v)))
                throw Error(QStringLiteral("%1: label %2 of item %3 is not a class index").arg(channel.labelsPath).arg(v).arg(i));
            d.labels[size_t(i)] = int(v);
            maxLabel = std::max(maxLabel, int(v));
        }
        // Classes are the indices seen in the full labels file, so a subset keeps every class.
        for (qint64 i = d.count; i < labels.items(); ++i)
            maxLabel = std::max(maxLabel, int(labels.value(i)));
        for (int c = 0; c <= maxLabel; ++c)
            d.classes << QString::number(c);
    }
    return d;
}

} // namespace cairn
