#include "thumbnailmodel.h"

#include "cairn/labeling/labelingjob.h"

#include <QColor>
#include <QFileInfo>
#include <QFutureWatcher>
#include <QImageReader>
#include <QPainter>
#include <QtConcurrent>

namespace cairn::panels {

using namespace cairn::labeling;

namespace {

constexpr int kMaxQueued = 256;     // requests beyond this are stale (scrolled past)
constexpr int kMaxThumbnails = 4000; // about 40 MB of 96 px thumbnails

QImage readThumbnail(const QString &path, int size)
{
    QImageReader reader(path);
    reader.setAutoTransform(true);
    const QSize full = reader.size();
    if (full.isValid() && (full.width() > size || full.height() > size))
        reader.setScaledSize(full.scaled(size, size, Qt::KeepAspectRatio));
    return reader.read();
}

} // namespace

QColor statusColor(ItemStatus status)
{
    switch (status) {
    case ItemStatus::Unlabeled: return QColor(0x9e, 0x9e, 0x9e);
    case ItemStatus::Labeled: return QColor(0x4c, 0xaf, 0x50);
    case ItemStatus::Skipped: return QColor(0x60, 0x7d, 0x8b);
    case ItemStatus::NeedsReview: return QColor(0xff, 0x98, 0x00);
    }
    return {};
}

ThumbnailModel::ThumbnailModel(QObject *parent) : QAbstractListModel(parent)
{
    m_pool.setMaxThreadCount(2);
    setThumbnailSize(96);
}

ThumbnailModel::~ThumbnailModel()
{
    m_queue.clear();
    m_pool.clear();
    m_pool.waitForDone();
}

void ThumbnailModel::setThumbnailSize(int pixels)
{
    m_size = pixels;
    m_placeholder = QPixmap(pixels, pixels);
    m_placeholder.fill(Qt::transparent);
    QPainter p(&m_placeholder);
    p.setPen(QColor(128, 128, 128, 90));
    p.setBrush(QColor(128, 128, 128, 40));
    p.drawRoundedRect(QRectF(4.5, 4.5, pixels - 9, pixels - 9), 4, 4);
    beginResetModel();
    m_thumbs.clear();
    endResetModel();
}

void ThumbnailModel::setSequence(const LabelingJob *job, const QList<int> &items)
{
    beginResetModel();
    if (job != m_job) {
        ++m_generation;
        m_thumbs.clear();
        m_queue.clear();
        m_queued.clear();
    }
    m_job = job;
    m_items = items;
    m_rowOf.clear();
    m_rowOf.reserve(items.size());
    for (int r = 0; r < items.size(); ++r)
        m_rowOf.insert(items.at(r), r);
    endResetModel();
}

void ThumbnailModel::itemChanged(int itemIndex)
{
    const int row = rowOf(itemIndex);
    if (row >= 0)
        Q_EMIT dataChanged(index(row), index(row));
}

void ThumbnailModel::refreshAll()
{
    if (!m_items.isEmpty())
        Q_EMIT dataChanged(index(0), index(int(m_items.size()) - 1));
}

int ThumbnailModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_items.size());
}

QVariant ThumbnailModel::data(const QModelIndex &index, int role) const
{
    if (!m_job || !index.isValid() || index.row() >= m_items.size())
        return {};
    const int itemIndex = m_items.at(index.row());
    if (itemIndex < 0 || itemIndex >= m_job->itemCount())
        return {};
    const Item &item = m_job->item(itemIndex);
    switch (role) {
    case Qt::DisplayRole:
        return QFileInfo(item.source).fileName();
    case Qt::ToolTipRole:
        return tr("%1\n%2").arg(item.source, statusName(item.status));
    case Qt::DecorationRole: {
        const auto it = m_thumbs.constFind(itemIndex);
        if (it != m_thumbs.constEnd())
            return *it;
        requestThumbnail(itemIndex);
        return m_placeholder;
    }
    case ItemIndexRole:
        return itemIndex;
    case StatusRole:
        return int(item.status);
    case ClassColorRole: {
        const Annotation &a = item.annotation;
        const int cls = !a.classes.isEmpty() ? a.classes.first() : !a.boxes.isEmpty() ? a.boxes.first().classId : -1;
        if (cls < 0 || cls >= m_job->classes().size() || item.status == ItemStatus::Unlabeled || item.status == ItemStatus::Skipped)
            return {};
        return QColor(m_job->classes().at(cls).color);
    }
    case ThumbnailReadyRole:
        return m_thumbs.contains(itemIndex);
    default:
        return {};
    }
}

void ThumbnailModel::requestThumbnail(int itemIndex) const
{
    if (m_queued.contains(itemIndex)) {
        // Asked again (visible again): move it to the front.
        if (m_queue.removeOne(itemIndex))
            m_queue.append(itemIndex);
        return;
    }
    m_queued.insert(itemIndex);
    m_queue.append(itemIndex);
    while (m_queue.size() > kMaxQueued)
        m_queued.remove(m_queue.takeFirst());
    // Start from the event loop: data() may be called while a view paints.
    QMetaObject::invokeMethod(const_cast<ThumbnailModel *>(this), [this] { startLoads(); }, Qt::QueuedConnection);
}

void ThumbnailModel::startLoads() const
{
    auto *self = const_cast<ThumbnailModel *>(this);
    while (m_running < m_pool.maxThreadCount() && !m_queue.isEmpty() && m_job) {
        const int itemIndex = m_queue.takeLast();
        if (itemIndex >= m_job->itemCount())
            continue;
        ++m_running;
        const QString path = m_job->item(itemIndex).source;
        const int size = m_size;
        const quint64 generation = m_generation;
        auto *watcher = new QFutureWatcher<QImage>(self);
        connect(watcher, &QFutureWatcher<QImage>::finished, self, [self, watcher, itemIndex, generation] {
            watcher->deleteLater();
            self->onLoaded(itemIndex, generation, watcher->result());
        });
        watcher->setFuture(QtConcurrent::run(&m_pool, readThumbnail, path, size));
    }
}

void ThumbnailModel::onLoaded(int itemIndex, quint64 generation, const QImage &image)
{
    --m_running;
    if (generation == m_generation) {
        m_queued.remove(itemIndex);
        if (m_thumbs.size() >= kMaxThumbnails)
            m_thumbs.clear(); // rare: a very long scroll; visible rows reload
        QPixmap pixmap = QPixmap::fromImage(image);
        if (pixmap.isNull())
            pixmap = m_placeholder;
        m_thumbs.insert(itemIndex, pixmap);
        itemChanged(itemIndex);
        Q_EMIT thumbnailLoaded(itemIndex);
    }
    startLoads();
}

} // namespace cairn::panels
