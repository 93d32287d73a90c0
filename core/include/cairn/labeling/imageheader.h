#pragma once

#include "cairn/labeling/labelingtypes.h"

#include <QString>

namespace cairn::labeling {

/// Reads the width, height and channel count of a PNG, JPEG, BMP, GIF or WebP file from its
/// header only (a few hundred bytes), without decoding. Core cannot link QtGui, and the CLI must
/// export box labels (which need image sizes) where no GUI library is installed.
/// Returns an invalid size for other formats or broken files.
ImageSize readImageSize(const QString &path);

} // namespace cairn::labeling
