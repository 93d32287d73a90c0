#pragma once

#include "cairn/labeling/labelingtypes.h"

#include <QAbstractListModel>
#include <QHash>
#include <QList>
#include <QPixmap>
#include <QSet>
#include <QThreadPool>

namespace cairn::labeling {
class LabelingJob;
}

namespace cairn::panels {

/// The thumbnail grid's model: one row per item of the current sequence (the job filtered by
/// status, or the review queue). Thumbnails are read lazily, only for rows a view asks about,
/// with QImageReader's scaled reading in a small thread pool (most recent requests first), so a
/// 10,000-image job opens at once and scrolling never blocks the GUI thread.
class ThumbnailModel : public QAbstractListModel
{
    Q_OBJECT
public:
    enum Roles { ItemIndexRole = Qt::UserRole + 1, StatusRole, ClassColorRole, ThumbnailReadyRole };

    explicit ThumbnailModel(QObject *parent = nullptr);
    ~ThumbnailModel() override;

    /// The job (not owned) and the item indexes to show, in order.
    void setSequence(const cairn::labeling::LabelingJob *job, const QList<int> &items);
    const QList<int> &sequence() const { return m_items; }
    /// The row of an item, or -1.
    int rowOf(int itemIndex) const { return m_rowOf.value(itemIndex, -1); }
    int itemAt(int row) const { return m_items.value(row, -1); }
    /// Call after an item's label or status changed.
    void itemChanged(int itemIndex);
    void refreshAll();

    void setThumbnailSize(int pixels);
    int thumbnailSize() const { return m_size; }
    int loadedCount() const { return int(m_thumbs.size()); }
    int pendingCount() const { return int(m_queue.size()) + m_running; }

    int rowCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role) const override;

Q_SIGNALS:
    void thumbnailLoaded(int itemIndex);

private:
    void requestThumbnail(int itemIndex) const;
    void startLoads() const;
    void onLoaded(int itemIndex, quint64 generation, const QImage &image);

    const cairn::labeling::LabelingJob *m_job = nullptr;
    QList<int> m_items;
    QHash<int, int> m_rowOf;
    int m_size = 96;
    QPixmap m_placeholder;
    // Filled from const data(): lazy loading is an implementation detail of the model.
    mutable QHash<int, QPixmap> m_thumbs;
    mutable QList<int> m_queue; // most recent last
    mutable QSet<int> m_queued;
    mutable int m_running = 0;
    mutable QThreadPool m_pool;
    quint64 m_generation = 0;
};

/// Colours for item statuses (the grid's status bar and the counts).
QColor statusColor(cairn::labeling::ItemStatus status);

} // namespace cairn::panels
