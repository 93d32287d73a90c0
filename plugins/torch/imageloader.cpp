#include "imageloader.h"

#include "cairn/data/imagefolder.h"
#include "cairn/data/manifest.h"
#include "cairn/util/error.h"

#include <QImage>
#include <QImageReader>

namespace cairn::plugins {

namespace {

QImage readImage(const QString &path)
{
    QImageReader reader(path);
    QImage image = reader.read();
    if (image.isNull())
        throw Error(QStringLiteral("cannot read image %1: %2").arg(path, reader.errorString()));
    return image;
}

ImageData decode(const QStringList &files, const std::vector<int> &labels, QStringList classes, int channels, int height, int width)
{
    ImageData d;
    d.classes = std::move(classes);
    d.count = files.size();
    if (files.isEmpty())
        throw Error(QStringLiteral("no images to read"));
    if (height <= 0 || width <= 0) {
        const QImage first = readImage(files.first());
        height = first.height();
        width = first.width();
    }
    if (channels <= 0) {
        channels = 1;
        for (const QString &f : files)
            if (!readImage(f).isGrayscale()) {
                channels = 3;
                break;
            }
    }
    d.channels = channels;
    d.height = height;
    d.width = width;
    const qint64 item = d.itemSize();
    d.pixels.resize(size_t(d.count * item));
    for (qint64 i = 0; i < d.count; ++i) {
        QImage img = readImage(files.at(i));
        if (img.height() != height || img.width() != width)
            img = img.scaled(width, height, Qt::IgnoreAspectRatio, Qt::SmoothTransformation);
        img = img.convertToFormat(channels == 1 ? QImage::Format_Grayscale8 : QImage::Format_RGB888);
        float *out = d.pixels.data() + i * item;
        for (int y = 0; y < height; ++y) {
            const uchar *line = img.constScanLine(y);
            for (int x = 0; x < width; ++x)
                for (int c = 0; c < channels; ++c)
                    out[(qint64(c) * height + y) * width + x] = line[x * channels + c] / 255.0f;
        }
    }
    d.labels = labels;
    return d;
}

std::vector<int> remap(const std::vector<int> &labels, const QStringList &from, const QStringList &to, const QString &source)
{
    if (to.isEmpty())
        return labels;
    std::vector<int> out;
    for (int l : labels) {
        if (l < 0) {
            out.push_back(-1);
            continue;
        }
        const int i = int(to.indexOf(from.at(l)));
        if (i < 0)
            throw Error(QStringLiteral("%1 has class '%2', which the model does not know (classes: %3)").arg(source, from.at(l), to.join(QStringLiteral(", "))));
        out.push_back(i);
    }
    return out;
}

} // namespace

ImageData loadImages(const data::ChannelSpec &channel, int channels, int height, int width, qint64 limit, const QStringList &classes)
{
    switch (channel.type) {
    case data::ChannelSpec::Type::Idx: {
        ImageData d = readIdxImages(channel, limit);
        if ((height > 0 && d.height != height) || (width > 0 && d.width != width))
            throw Error(QStringLiteral("%1 has %2×%3 images; the model needs %4×%5").arg(channel.path).arg(d.height).arg(d.width).arg(height).arg(width));
        if (!classes.isEmpty())
            d.classes = classes;
        return d;
    }
    case data::ChannelSpec::Type::ImageFolder: {
        const data::ImageFolder f = data::ImageFolder::scan(channel.path);
        QStringList files = f.files;
        std::vector<int> labels = f.labels;
        if (limit > 0 && files.size() > limit) {
            files = files.mid(0, limit);
            labels.resize(size_t(limit));
        }
        return decode(files, remap(labels, f.classes, classes, channel.path), classes.isEmpty() ? f.classes : classes, channels, height, width);
    }
    case data::ChannelSpec::Type::Manifest: {
        const data::Manifest m = data::Manifest::read(channel.path, channel.labelAttribute);
        QStringList files;
        std::vector<int> labels;
        for (const auto &e : m.entries) {
            if (limit > 0 && files.size() >= limit)
                break;
            files << e.source;
            labels.push_back(e.label);
        }
        return decode(files, remap(labels, m.classes, classes, channel.path), classes.isEmpty() ? m.classes : classes, channels, height, width);
    }
    case data::ChannelSpec::Type::Csv:
        break;
    }
    throw Error(QStringLiteral("%1 is a table; the CNN needs images (IDX, an image folder or a manifest)").arg(channel.path));
}

} // namespace cairn::plugins
