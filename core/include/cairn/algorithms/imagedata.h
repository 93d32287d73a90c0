#pragma once

#include "cairn/data/channel.h"

#include <QStringList>

#include <vector>

namespace cairn {

/// Images as one float array (items × channels × height × width, values scaled to [0, 1]) with
/// labels: what image learners train on. IDX channels are read here; image folders and
/// manifests need an image decoder (QtGui), which the plugins that accept them supply.
struct ImageData
{
    qint64 count = 0;
    int channels = 1;
    int height = 0;
    int width = 0;
    std::vector<float> pixels;
    std::vector<int> labels;   ///< -1 where unknown; empty when the channel has no labels
    QStringList classes;

    qint64 itemSize() const { return qint64(channels) * height * width; }
};

/// Reads an IDX channel (images: 3-D items × rows × columns, or 4-D with channels last) and its
/// labels file. `limit` > 0 keeps only the first `limit` items. Throws cairn::Error naming the
/// file when the shapes do not fit together.
ImageData readIdxImages(const data::ChannelSpec &channel, qint64 limit = 0);

} // namespace cairn
