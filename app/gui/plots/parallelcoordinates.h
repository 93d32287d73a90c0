#pragma once

#include <QList>
#include <QStringList>
#include <QWidget>

#include <optional>

namespace cairn::gui {

/// Parallel coordinates: one vertical axis per dimension (params, then a metric), one polyline
/// per item (a run, a trial). Lines are coloured by the last axis. Dragging along an axis brushes
/// a range; items outside any brush fade out and brushChanged() reports the ones left.
/// A click on an axis without dragging clears its brush. Hovering a line highlights it and names
/// its item with its values (a tooltip). Reused by the tuning panel.
class ParallelCoordinates : public QWidget
{
    Q_OBJECT
public:
    struct Axis
    {
        QString name;
        QList<double> values;   ///< one per item; NaN where the item has no value
        QStringList categories; ///< non-empty: values are indices into these labels
        bool logScale = false;
    };

    explicit ParallelCoordinates(QWidget *parent = nullptr);

    void setData(const QList<Axis> &axes, const QStringList &itemLabels);
    qsizetype axisCount() const { return m_axes.size(); }
    qsizetype itemCount() const { return m_labels.size(); }
    /// Brush [low, high] in data units on an axis; nullopt clears it.
    void setBrush(int axis, std::optional<std::pair<double, double>> range);
    void clearBrushes();
    /// Items inside every brush (all when nothing is brushed).
    QList<int> brushedItems() const;
    void setEmptyMessage(const QString &message);
    /// Draws the plot into any painter (SVG export goes through QWidget::render, which calls this).
    void paintTo(QPainter &painter, const QRect &rect) const;
    /// The item whose line passes within a few pixels of `pos` (widget coordinates), else -1.
    int itemAt(const QPointF &pos) const;
    int hoveredItem() const { return m_hovered; }
    /// The item's label and its value on every axis, as the hover tooltip shows them.
    QString itemText(int item) const;

    QSize sizeHint() const override { return {640, 360}; }

Q_SIGNALS:
    void brushChanged(const QList<int> &items);

protected:
    void paintEvent(QPaintEvent *event) override;
    void mousePressEvent(QMouseEvent *event) override;
    void mouseMoveEvent(QMouseEvent *event) override;
    void mouseReleaseEvent(QMouseEvent *event) override;
    void leaveEvent(QEvent *event) override;

private:
    struct Scale
    {
        double min = 0, max = 1;
        bool log = false;
    };
    QRectF plotRect(const QRect &rect) const;
    double axisX(int axis, const QRectF &plot) const;
    /// Position 0 (bottom) .. 1 (top) of a value on an axis; NaN when missing.
    double toUnit(int axis, double value) const;
    double fromUnit(int axis, double unit) const;
    int axisAt(const QPoint &pos) const;
    bool passes(int item) const;
    void computeScales();
    QString formatTick(int axis, double value) const;
    QPainterPath itemPath(int item, const QRectF &plot) const;
    void setHovered(int item, const QPoint &globalPos);

    QList<Axis> m_axes;
    QStringList m_labels;
    QList<Scale> m_scales;
    QList<std::optional<std::pair<double, double>>> m_brushes;
    QString m_emptyMessage;
    int m_hovered = -1;
    int m_dragAxis = -1;
    double m_dragStart = 0;
    bool m_dragMoved = false;
};

} // namespace cairn::gui
