#pragma once

#include "cairn/algorithms/imagedata.h"

namespace cairn::plugins {

/// Reads the images of any image channel: IDX (through core), an image folder or a labeling
/// manifest (decoded with QImage). channels 0 = grey if every image is grey, else RGB; height
/// and width 0 = the first image's size. Class names come from the folder names or the
/// manifest; `classes` (non-empty) maps them to the indices a trained model uses.
ImageData loadImages(const data::ChannelSpec &channel, int channels, int height, int width, qint64 limit,
                     const QStringList &classes = {});

} // namespace cairn::plugins
