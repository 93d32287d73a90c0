#include "imagecache.h"

#include <QFutureWatcher>
#include <QImageReader>
#include <QPointer>
#include <QtConcurrent>

namespace cairn::panels {

QImage readImage(const QString &path)
{
    QImageReader reader(path);
    reader.setAutoTransform(true);
    QImage image = reader.read();
    // Grey PNGs (Fashion-MNIST) and palettes are shown as they are; convert only what paints slowly.
    if (!image.isNull() && image.format() != QImage::Format_RGB32 && image.format() != QImage::Format_ARGB32_Premultiplied
        && image.format() != QImage::Format_Grayscale8)
        image = image.convertToFormat(image.hasAlphaChannel() ? QImage::Format_ARGB32_Premultiplied : QImage::Format_RGB32);
    return image;
}

ImageCache::ImageCache(QObject *parent) : QObject(parent)
{
    m_pool.setMaxThreadCount(2);
}

ImageCache::~ImageCache()
{
    m_pool.clear();
    m_pool.waitForDone();
}

void ImageCache::request(const QStringList &paths)
{
    for (const QString &p : paths) {
        m_recent.removeAll(p);
        m_recent.prepend(p);
    }
    for (const QString &p : paths) {
        if (p.isEmpty() || m_images.contains(p) || m_pending.contains(p))
            continue;
        m_pending.insert(p);
        auto *watcher = new QFutureWatcher<QImage>(this);
        const quint64 generation = m_generation;
        connect(watcher, &QFutureWatcher<QImage>::finished, this, [this, watcher, p, generation] {
            watcher->deleteLater();
            if (generation != m_generation)
                return;
            m_pending.remove(p);
            insert(p, watcher->result());
        });
        watcher->setFuture(QtConcurrent::run(&m_pool, readImage, p));
    }
    while (m_recent.size() > m_capacity)
        m_images.remove(m_recent.takeLast());
}

QImage ImageCache::loadNow(const QString &path)
{
    if (!m_images.contains(path))
        insert(path, readImage(path));
    return m_images.value(path);
}

void ImageCache::insert(const QString &path, const QImage &image)
{
    if (!m_recent.contains(path))
        m_recent.append(path);
    m_images.insert(path, image);
    while (m_recent.size() > m_capacity)
        m_images.remove(m_recent.takeLast());
    Q_EMIT loaded(path);
}

void ImageCache::clear()
{
    ++m_generation;
    m_images.clear();
    m_recent.clear();
    m_pending.clear();
}

} // namespace cairn::panels
