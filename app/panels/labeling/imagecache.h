#pragma once

#include <QHash>
#include <QImage>
#include <QObject>
#include <QSet>
#include <QStringList>
#include <QThreadPool>

namespace cairn::panels {

/// Decoded images for the canvas, read off the GUI thread (QImageReader in a thread pool) so that
/// next/previous show at once: the panel asks for the current image and its neighbours.
class ImageCache : public QObject
{
    Q_OBJECT
public:
    explicit ImageCache(QObject *parent = nullptr);
    ~ImageCache() override;

    /// The decoded image, or a null image if it is not loaded yet.
    QImage image(const QString &path) const { return m_images.value(path); }
    bool contains(const QString &path) const { return m_images.contains(path); }
    /// Loads these paths (the first one first) and forgets the least recently wanted beyond the
    /// capacity.
    void request(const QStringList &paths);
    /// Reads path on this thread (when the user is waiting for exactly this image).
    QImage loadNow(const QString &path);
    void setCapacity(int images) { m_capacity = images; }
    void clear();
    /// Waits for every load in flight (tests and benchmarks).
    void waitForDone() { m_pool.waitForDone(); }

Q_SIGNALS:
    void loaded(const QString &path);

private:
    void insert(const QString &path, const QImage &image);

    QThreadPool m_pool;
    QHash<QString, QImage> m_images;
    QStringList m_recent; // most recent first
    QSet<QString> m_pending;
    int m_capacity = 12;
    quint64 m_generation = 0;
};

/// Reads an image with QImageReader, applying EXIF orientation; a null image on failure.
QImage readImage(const QString &path);

} // namespace cairn::panels
