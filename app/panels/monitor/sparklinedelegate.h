#pragma once

#include <QStyledItemDelegate>

namespace cairn::panels {

/// Draws a cell's series (a QList<double> under SeriesRole) as a small line: one point per
/// monitoring run, the run shown marked with a dot (its index under MarkRole), drawn red when
/// the cell's FlagRole is true. Points that are NaN (a run without the feature) leave a gap.
class SparklineDelegate : public QStyledItemDelegate
{
    Q_OBJECT
public:
    enum Role { SeriesRole = Qt::UserRole + 40, MarkRole, FlagRole };

    using QStyledItemDelegate::QStyledItemDelegate;
    void paint(QPainter *painter, const QStyleOptionViewItem &option, const QModelIndex &index) const override;
    QSize sizeHint(const QStyleOptionViewItem &option, const QModelIndex &index) const override;
};

} // namespace cairn::panels
