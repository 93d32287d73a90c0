#pragma once

#include "cairn/labeling/labelingtypes.h"

#include <QGraphicsRectItem>
#include <QGraphicsView>
#include <QImage>
#include <QList>

class QGraphicsPixmapItem;
class QGraphicsSimpleTextItem;

namespace cairn::panels {

/// One box on the canvas: its class colour, a caption, and resize handles when selected.
class BoxItem : public QGraphicsRectItem
{
public:
    BoxItem(const cairn::labeling::Box &box, const QColor &color, const QString &caption);
    cairn::labeling::Box box() const;
    void setBoxRect(const QRectF &rect);
    void setClass(int classId, const QColor &color, const QString &caption);
    /// Which handle (0..7, clockwise from top-left) lies under scenePos, or -1.
    int handleAt(const QPointF &scenePos, double viewScale) const;
    static QRectF handleRect(const QRectF &rect, int handle, double viewScale);
    void paint(QPainter *painter, const QStyleOptionGraphicsItem *option, QWidget *widget) override;
    QRectF boundingRect() const override;

private:
    cairn::labeling::Box m_box;
    QColor m_color;
    QString m_caption;
};

/// The image canvas: zoom (wheel, +/-), pan (middle or right drag; left drag outside box jobs),
/// fit; for box jobs, drawing boxes by dragging, moving and resizing them by their handles, and a
/// crosshair that follows the pointer. Edits are reported as the new box list; the panel turns
/// them into undoable commands and commits them.
class ImageCanvas : public QGraphicsView
{
    Q_OBJECT
public:
    explicit ImageCanvas(QWidget *parent = nullptr);

    void setImage(const QImage &image);
    bool hasImage() const;
    QSize imageSize() const { return m_imageSize; }
    /// Clears the image and shows `text` instead; an error (an image that cannot be read) in red.
    void setMessage(const QString &text, bool isError = false);

    void setBoxMode(bool on);
    bool boxMode() const { return m_boxMode; }
    /// Classes' colours and names for captions.
    void setClasses(const QList<QColor> &colors, const QStringList &names);
    void setBoxes(const QList<cairn::labeling::Box> &boxes);
    QList<cairn::labeling::Box> boxes() const;
    /// The class a new box gets.
    void setDrawClass(int classId) { m_drawClass = classId; }
    int drawClass() const { return m_drawClass; }
    int selectedBox() const { return m_selected; }
    void selectBox(int index);

    void zoomIn();
    void zoomOut();
    void fitToView();
    bool isFitted() const { return m_fitted; }
    double zoom() const;
    void setCrosshairVisible(bool on) { m_crosshair = on; viewport()->update(); }
    bool crosshairVisible() const { return m_crosshair; }

Q_SIGNALS:
    /// The user drew, moved, resized or deleted a box: the boxes as they are now.
    void boxesEdited(const QList<cairn::labeling::Box> &before, const QList<cairn::labeling::Box> &after);
    void selectionChanged(int boxIndex);
    void zoomChanged(double zoom);

protected:
    void mousePressEvent(QMouseEvent *event) override;
    void mouseMoveEvent(QMouseEvent *event) override;
    void mouseReleaseEvent(QMouseEvent *event) override;
    void wheelEvent(QWheelEvent *event) override;
    void resizeEvent(QResizeEvent *event) override;
    void leaveEvent(QEvent *event) override;
    void drawForeground(QPainter *painter, const QRectF &rect) override;

private:
    enum class Drag { None, Pan, Draw, Move, Resize };
    QPointF clampToImage(const QPointF &p) const;
    BoxItem *boxItem(int index) const;
    void scaleBy(double factor);
    void finishEdit();

    QGraphicsScene *m_scene;
    QGraphicsPixmapItem *m_pixmap = nullptr;
    QGraphicsSimpleTextItem *m_message = nullptr;
    QList<BoxItem *> m_boxes;
    QList<QColor> m_colors;
    QStringList m_names;
    QSize m_imageSize;
    bool m_boxMode = false;
    bool m_fitted = true;
    bool m_crosshair = true;
    int m_drawClass = 0;
    int m_selected = -1;
    Drag m_drag = Drag::None;
    int m_handle = -1;
    QPointF m_pressScene;
    QPoint m_pressView;
    QRectF m_pressRect;
    QList<cairn::labeling::Box> m_before;
    QPointF m_mouseScene;
    bool m_mouseInside = false;
};

} // namespace cairn::panels
