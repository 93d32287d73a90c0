#include "imagecanvas.h"

#include <QGraphicsPixmapItem>
#include <QGraphicsScene>
#include <QGraphicsSimpleTextItem>
#include <QMouseEvent>
#include <QPainter>
#include <QScrollBar>
#include <QStyleOptionGraphicsItem>
#include <QWheelEvent>

#include <cmath>

namespace cairn::panels {

using LBox = cairn::labeling::Box;

namespace {
constexpr double kHandlePx = 8.0;   // handle size on screen
constexpr double kCaptionPx = 18.0; // caption height on screen
constexpr double kMinZoom = 0.02;
constexpr double kMaxZoom = 64.0;

double viewScaleOf(const QPainter *painter)
{
    const QTransform t = painter->worldTransform();
    const double s = std::sqrt(t.m11() * t.m11() + t.m12() * t.m12());
    return s > 0 ? s : 1.0;
}
} // namespace

// ---- BoxItem ------------------------------------------------------------------------------

BoxItem::BoxItem(const LBox &box, const QColor &color, const QString &caption)
    : QGraphicsRectItem(QRectF(box.left, box.top, box.width, box.height)), m_box(box), m_color(color), m_caption(caption)
{
}

LBox BoxItem::box() const
{
    const QRectF r = rect().normalized();
    LBox b = m_box;
    b.left = int(std::lround(r.left()));
    b.top = int(std::lround(r.top()));
    b.width = int(std::lround(r.right())) - b.left;
    b.height = int(std::lround(r.bottom())) - b.top;
    return b;
}

void BoxItem::setBoxRect(const QRectF &r)
{
    prepareGeometryChange();
    setRect(r);
}

void BoxItem::setClass(int classId, const QColor &color, const QString &caption)
{
    m_box.classId = classId;
    m_color = color;
    m_caption = caption;
    update();
}

QRectF BoxItem::handleRect(const QRectF &r, int handle, double viewScale)
{
    const double s = kHandlePx / viewScale;
    QPointF c;
    switch (handle) {
    case 0: c = r.topLeft(); break;
    case 1: c = QPointF(r.center().x(), r.top()); break;
    case 2: c = r.topRight(); break;
    case 3: c = QPointF(r.right(), r.center().y()); break;
    case 4: c = r.bottomRight(); break;
    case 5: c = QPointF(r.center().x(), r.bottom()); break;
    case 6: c = r.bottomLeft(); break;
    default: c = QPointF(r.left(), r.center().y()); break;
    }
    return QRectF(c.x() - s / 2, c.y() - s / 2, s, s);
}

int BoxItem::handleAt(const QPointF &scenePos, double viewScale) const
{
    for (int h = 0; h < 8; ++h) {
        // A little larger than drawn: easier to grab.
        const QRectF r = handleRect(rect(), h, viewScale);
        if (r.adjusted(-3 / viewScale, -3 / viewScale, 3 / viewScale, 3 / viewScale).contains(scenePos))
            return h;
    }
    return -1;
}

QRectF BoxItem::boundingRect() const
{
    // Handles and the caption are drawn at screen size; 4 px per image pixel is the smallest
    // zoom that needs no more than this margin at default sizes, and it is cheap to over-cover.
    const double m = 40;
    return rect().adjusted(-m, -m, m, m);
}

void BoxItem::paint(QPainter *painter, const QStyleOptionGraphicsItem *, QWidget *)
{
    const double scale = viewScaleOf(painter);
    const QRectF r = rect();
    QColor fill = m_color;
    fill.setAlpha(isSelected() ? 70 : 40);
    painter->setBrush(fill);
    QPen pen(m_color, isSelected() ? 3 : 2);
    pen.setCosmetic(true);
    painter->setPen(pen);
    painter->drawRect(r);

    // Caption and handles at screen size.
    const QTransform world = painter->worldTransform();
    painter->save();
    painter->resetTransform();
    const QPointF topLeft = world.map(r.topLeft());
    QFont font = painter->font();
    font.setPixelSize(12);
    painter->setFont(font);
    const QFontMetricsF fm(font);
    const QRectF captionRect(topLeft.x(), topLeft.y() - kCaptionPx, fm.horizontalAdvance(m_caption) + 8, kCaptionPx);
    painter->fillRect(captionRect, m_color);
    painter->setPen(m_color.lightness() > 150 ? Qt::black : Qt::white);
    painter->drawText(captionRect.adjusted(4, 0, 0, 0), Qt::AlignVCenter | Qt::AlignLeft, m_caption);
    if (isSelected()) {
        painter->setPen(QPen(m_color.darker(150), 1));
        painter->setBrush(Qt::white);
        for (int h = 0; h < 8; ++h)
            painter->drawRect(world.mapRect(handleRect(r, h, scale)));
    }
    painter->restore();
}

// ---- ImageCanvas --------------------------------------------------------------------------

ImageCanvas::ImageCanvas(QWidget *parent) : QGraphicsView(parent), m_scene(new QGraphicsScene(this))
{
    setScene(m_scene);
    setBackgroundBrush(palette().color(QPalette::Dark));
    setRenderHint(QPainter::Antialiasing, false);
    setTransformationAnchor(QGraphicsView::AnchorUnderMouse);
    setResizeAnchor(QGraphicsView::AnchorViewCenter);
    setViewportUpdateMode(QGraphicsView::FullViewportUpdate);
    setMouseTracking(true);
    viewport()->setMouseTracking(true);
    setFocusPolicy(Qt::StrongFocus);
    setFrameShape(QFrame::NoFrame);
}

void ImageCanvas::setImage(const QImage &image)
{
    qDeleteAll(m_boxes);
    m_boxes.clear();
    m_selected = -1;
    if (m_message) {
        delete m_message;
        m_message = nullptr;
    }
    if (!m_pixmap) {
        m_pixmap = m_scene->addPixmap(QPixmap());
        m_pixmap->setZValue(-1);
    }
    m_pixmap->setPixmap(QPixmap::fromImage(image));
    m_imageSize = image.size();
    m_scene->setSceneRect(QRectF(QPointF(0, 0), QSizeF(image.size())));
    fitToView();
}

bool ImageCanvas::hasImage() const
{
    return m_pixmap && !m_pixmap->pixmap().isNull();
}

void ImageCanvas::setMessage(const QString &text, bool isError)
{
    qDeleteAll(m_boxes);
    m_boxes.clear();
    m_selected = -1;
    if (m_pixmap)
        m_pixmap->setPixmap(QPixmap());
    m_imageSize = {};
    if (!m_message)
        m_message = m_scene->addSimpleText(QString());
    // Hints ("No labeling jobs yet") in the text colour; red only for an error.
    m_message->setBrush(palette().color(isError ? QPalette::BrightText : QPalette::WindowText));
    m_message->setText(text);
    m_scene->setSceneRect(m_message->boundingRect());
    resetTransform();
    centerOn(m_message);
}

void ImageCanvas::setBoxMode(bool on)
{
    m_boxMode = on;
    viewport()->setCursor(on ? Qt::CrossCursor : Qt::OpenHandCursor);
    viewport()->update();
}

void ImageCanvas::setClasses(const QList<QColor> &colors, const QStringList &names)
{
    m_colors = colors;
    m_names = names;
}

void ImageCanvas::setBoxes(const QList<LBox> &boxes)
{
    const int keep = m_selected;
    qDeleteAll(m_boxes);
    m_boxes.clear();
    for (const LBox &b : boxes) {
        auto *item = new BoxItem(b, m_colors.value(b.classId, Qt::red), m_names.value(b.classId, QString::number(b.classId)));
        m_scene->addItem(item);
        m_boxes << item;
    }
    m_selected = -1;
    selectBox(keep < boxes.size() ? keep : -1);
}

QList<LBox> ImageCanvas::boxes() const
{
    QList<LBox> list;
    for (BoxItem *item : m_boxes)
        list << item->box();
    return list;
}

BoxItem *ImageCanvas::boxItem(int index) const
{
    return index >= 0 && index < m_boxes.size() ? m_boxes.at(index) : nullptr;
}

void ImageCanvas::selectBox(int index)
{
    if (index == m_selected)
        return;
    if (BoxItem *old = boxItem(m_selected))
        old->setSelected(false);
    m_selected = boxItem(index) ? index : -1;
    if (BoxItem *item = boxItem(m_selected)) {
        item->setFlag(QGraphicsItem::ItemIsSelectable, true);
        item->setSelected(true);
        item->setZValue(1);
    }
    for (int i = 0; i < m_boxes.size(); ++i)
        if (i != m_selected)
            m_boxes.at(i)->setZValue(0);
    Q_EMIT selectionChanged(m_selected);
}

double ImageCanvas::zoom() const
{
    return transform().m11();
}

void ImageCanvas::scaleBy(double factor)
{
    const double z = zoom() * factor;
    if (z < kMinZoom || z > kMaxZoom)
        return;
    scale(factor, factor);
    m_fitted = false;
    Q_EMIT zoomChanged(zoom());
}

void ImageCanvas::zoomIn()
{
    const auto anchor = transformationAnchor();
    setTransformationAnchor(QGraphicsView::AnchorViewCenter);
    scaleBy(1.25);
    setTransformationAnchor(anchor);
}

void ImageCanvas::zoomOut()
{
    const auto anchor = transformationAnchor();
    setTransformationAnchor(QGraphicsView::AnchorViewCenter);
    scaleBy(0.8);
    setTransformationAnchor(anchor);
}

void ImageCanvas::fitToView()
{
    m_fitted = true;
    if (!hasImage())
        return;
    resetTransform();
    const QRectF r = m_scene->sceneRect();
    fitInView(r.adjusted(-r.width() * 0.02, -r.height() * 0.02, r.width() * 0.02, r.height() * 0.02), Qt::KeepAspectRatio);
    Q_EMIT zoomChanged(zoom());
}

void ImageCanvas::resizeEvent(QResizeEvent *event)
{
    QGraphicsView::resizeEvent(event);
    if (m_fitted)
        fitToView();
}

void ImageCanvas::wheelEvent(QWheelEvent *event)
{
    if (!hasImage())
        return;
    const double steps = event->angleDelta().y() / 120.0;
    if (steps != 0)
        scaleBy(std::pow(1.2, steps));
    event->accept();
}

QPointF ImageCanvas::clampToImage(const QPointF &p) const
{
    return QPointF(std::clamp(p.x(), 0.0, double(m_imageSize.width())), std::clamp(p.y(), 0.0, double(m_imageSize.height())));
}

void ImageCanvas::mousePressEvent(QMouseEvent *event)
{
    setFocus(Qt::MouseFocusReason);
    m_pressView = event->position().toPoint();
    m_pressScene = mapToScene(m_pressView);
    if (!hasImage())
        return;
    if (event->button() == Qt::MiddleButton || event->button() == Qt::RightButton || (event->button() == Qt::LeftButton && !m_boxMode)) {
        m_drag = Drag::Pan;
        viewport()->setCursor(Qt::ClosedHandCursor);
        return;
    }
    if (event->button() != Qt::LeftButton)
        return;
    m_before = boxes();
    if (BoxItem *sel = boxItem(m_selected)) {
        const int h = sel->handleAt(m_pressScene, zoom());
        if (h >= 0) {
            m_drag = Drag::Resize;
            m_handle = h;
            m_pressRect = sel->rect();
            return;
        }
    }
    // The selected box wins where boxes overlap, so that it can be moved.
    int hit = -1;
    if (BoxItem *sel = boxItem(m_selected); sel && sel->rect().contains(m_pressScene))
        hit = m_selected;
    for (int i = int(m_boxes.size()) - 1; hit < 0 && i >= 0; --i)
        if (m_boxes.at(i)->rect().contains(m_pressScene))
            hit = i;
    if (hit >= 0) {
        selectBox(hit);
        m_drag = Drag::Move;
        m_pressRect = m_boxes.at(hit)->rect();
        viewport()->setCursor(Qt::SizeAllCursor);
        return;
    }
    // Draw a new box.
    const QPointF start = clampToImage(m_pressScene);
    m_pressScene = start;
    LBox b;
    b.classId = m_drawClass;
    b.left = int(start.x());
    b.top = int(start.y());
    auto *item = new BoxItem(b, m_colors.value(m_drawClass, Qt::red), m_names.value(m_drawClass));
    item->setRect(QRectF(start, QSizeF(0, 0)));
    m_scene->addItem(item);
    m_boxes << item;
    selectBox(int(m_boxes.size()) - 1);
    m_drag = Drag::Draw;
}

void ImageCanvas::mouseMoveEvent(QMouseEvent *event)
{
    const QPoint pos = event->position().toPoint();
    m_mouseScene = mapToScene(pos);
    m_mouseInside = true;
    switch (m_drag) {
    case Drag::None:
        if (m_boxMode) {
            BoxItem *sel = boxItem(m_selected);
            const int h = sel ? sel->handleAt(m_mouseScene, zoom()) : -1;
            static const Qt::CursorShape shapes[8] = {Qt::SizeFDiagCursor, Qt::SizeVerCursor, Qt::SizeBDiagCursor, Qt::SizeHorCursor,
                                                      Qt::SizeFDiagCursor, Qt::SizeVerCursor, Qt::SizeBDiagCursor, Qt::SizeHorCursor};
            viewport()->setCursor(h >= 0 ? shapes[h] : Qt::CrossCursor);
        }
        break;
    case Drag::Pan: {
        const QPoint delta = pos - m_pressView;
        m_pressView = pos;
        horizontalScrollBar()->setValue(horizontalScrollBar()->value() - delta.x());
        verticalScrollBar()->setValue(verticalScrollBar()->value() - delta.y());
        m_fitted = false;
        break;
    }
    case Drag::Draw:
        if (BoxItem *item = boxItem(m_selected))
            item->setBoxRect(QRectF(m_pressScene, clampToImage(m_mouseScene)).normalized());
        break;
    case Drag::Move:
        if (BoxItem *item = boxItem(m_selected)) {
            // Whole pixels, so that moving never changes the box's size.
            const QPointF delta = m_mouseScene - m_pressScene;
            const QPointF offset(std::round(delta.x()), std::round(delta.y()));
            QRectF r = m_pressRect.translated(offset);
            // Keep the whole box on the image.
            r.moveLeft(std::clamp(r.left(), 0.0, m_imageSize.width() - r.width()));
            r.moveTop(std::clamp(r.top(), 0.0, m_imageSize.height() - r.height()));
            item->setBoxRect(r);
        }
        break;
    case Drag::Resize:
        if (BoxItem *item = boxItem(m_selected)) {
            QRectF r = m_pressRect;
            const QPointF p = clampToImage(m_mouseScene);
            if (m_handle == 0 || m_handle == 6 || m_handle == 7)
                r.setLeft(p.x());
            if (m_handle == 2 || m_handle == 3 || m_handle == 4)
                r.setRight(p.x());
            if (m_handle == 0 || m_handle == 1 || m_handle == 2)
                r.setTop(p.y());
            if (m_handle == 4 || m_handle == 5 || m_handle == 6)
                r.setBottom(p.y());
            item->setBoxRect(r.normalized());
        }
        break;
    }
    if (m_boxMode && m_crosshair)
        viewport()->update();
    QGraphicsView::mouseMoveEvent(event);
}

void ImageCanvas::mouseReleaseEvent(QMouseEvent *event)
{
    const Drag drag = m_drag;
    m_drag = Drag::None;
    m_handle = -1;
    if (drag == Drag::Pan) {
        viewport()->setCursor(m_boxMode ? Qt::CrossCursor : Qt::OpenHandCursor);
        return;
    }
    if (m_boxMode)
        viewport()->setCursor(Qt::CrossCursor);
    if (drag == Drag::Draw) {
        BoxItem *item = boxItem(m_selected);
        const LBox b = item ? item->box() : LBox{};
        if (!item || b.width < 2 || b.height < 2) {
            // A click, not a drag: deselect.
            if (item) {
                m_boxes.removeAt(m_selected);
                delete item;
                m_selected = -1;
            }
            Q_EMIT selectionChanged(-1);
            return;
        }
    }
    if (drag == Drag::Draw || drag == Drag::Move || drag == Drag::Resize)
        finishEdit();
    QGraphicsView::mouseReleaseEvent(event);
}

void ImageCanvas::finishEdit()
{
    const QList<LBox> after = boxes();
    if (after != m_before)
        Q_EMIT boxesEdited(m_before, after);
}

void ImageCanvas::leaveEvent(QEvent *event)
{
    m_mouseInside = false;
    viewport()->update();
    QGraphicsView::leaveEvent(event);
}

void ImageCanvas::drawForeground(QPainter *painter, const QRectF &)
{
    if (!m_boxMode || !m_crosshair || !m_mouseInside || !hasImage())
        return;
    const QRectF image(QPointF(0, 0), QSizeF(m_imageSize));
    if (!image.contains(m_mouseScene))
        return;
    QPen pen(QColor(255, 255, 255, 200), 1, Qt::DashLine);
    pen.setCosmetic(true);
    painter->setPen(pen);
    painter->drawLine(QPointF(image.left(), m_mouseScene.y()), QPointF(image.right(), m_mouseScene.y()));
    painter->drawLine(QPointF(m_mouseScene.x(), image.top()), QPointF(m_mouseScene.x(), image.bottom()));
    QPen dark(QColor(0, 0, 0, 160), 1, Qt::DashLine);
    dark.setCosmetic(true);
    dark.setDashOffset(3);
    painter->setPen(dark);
    painter->drawLine(QPointF(image.left(), m_mouseScene.y()), QPointF(image.right(), m_mouseScene.y()));
    painter->drawLine(QPointF(m_mouseScene.x(), image.top()), QPointF(m_mouseScene.x(), image.bottom()));
}

} // namespace cairn::panels
