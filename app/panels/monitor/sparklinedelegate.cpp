#include "sparklinedelegate.h"

#include "plotcolors.h"

#include <QPainter>
#include <QPainterPath>
#include <QStyle>
#include <QWidget>

#include <cmath>

namespace cairn::panels {

void SparklineDelegate::paint(QPainter *painter, const QStyleOptionViewItem &option, const QModelIndex &index) const
{
    QStyleOptionViewItem base = option;
    initStyleOption(&base, index);
    base.text.clear();
    option.widget ? option.widget->style()->drawControl(QStyle::CE_ItemViewItem, &base, painter, option.widget)
                  : QStyledItemDelegate::paint(painter, base, index);

    const QList<double> values = index.data(SeriesRole).value<QList<double>>();
    double lo = INFINITY, hi = -INFINITY;
    for (double v : values)
        if (std::isfinite(v)) {
            lo = std::min(lo, v);
            hi = std::max(hi, v);
        }
    if (!std::isfinite(lo))
        return;
    const QRectF r = QRectF(option.rect).adjusted(4, 4, -4, -4);
    const double span = hi - lo > 0 ? hi - lo : 1.0;
    const int n = int(values.size());
    auto point = [&](int i) {
        const double x = n > 1 ? r.left() + r.width() * i / (n - 1) : r.center().x();
        // A flat series sits in the middle rather than on the floor.
        const double y = hi > lo ? r.bottom() - r.height() * (values[i] - lo) / span : r.center().y();
        return QPointF(x, y);
    };
    const bool flagged = index.data(FlagRole).toBool();
    const QColor line = flagged ? QColor(0xd6, 0x27, 0x28) : gui::seriesColor(0);
    painter->save();
    painter->setRenderHint(QPainter::Antialiasing);
    QPainterPath path;
    bool open = false;
    for (int i = 0; i < n; ++i) {
        if (!std::isfinite(values[i])) {
            open = false;
            continue;
        }
        if (open)
            path.lineTo(point(i));
        else
            path.moveTo(point(i));
        open = true;
    }
    painter->setPen(QPen(line, 1.5));
    painter->drawPath(path);
    bool ok = false;
    const int mark = index.data(MarkRole).toInt(&ok);
    if (ok && mark >= 0 && mark < n && std::isfinite(values[mark])) {
        painter->setBrush(line);
        painter->setPen(Qt::NoPen);
        painter->drawEllipse(point(mark), 2.5, 2.5);
    }
    painter->restore();
}

QSize SparklineDelegate::sizeHint(const QStyleOptionViewItem &option, const QModelIndex &index) const
{
    return QStyledItemDelegate::sizeHint(option, index).expandedTo(QSize(90, 22));
}

} // namespace cairn::panels
