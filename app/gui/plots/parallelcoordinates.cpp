#include "parallelcoordinates.h"

#include "plotcolors.h"
#include "theme.h"

#include <QMouseEvent>
#include <QPainter>
#include <QPainterPath>
#include <QPainterPathStroker>
#include <QToolTip>

#include <algorithm>
#include <cmath>

namespace cairn::gui {

namespace {
constexpr int kTopMargin = 36;
constexpr int kBottomMargin = 40;
constexpr int kSideMargin = 56;
constexpr int kAxisHitWidth = 14;
} // namespace

ParallelCoordinates::ParallelCoordinates(QWidget *parent) : QWidget(parent)
{
    setMinimumSize(240, 160);
    setMouseTracking(true); // hover names the line under the pointer
    setAttribute(Qt::WA_OpaquePaintEvent);
}

void ParallelCoordinates::setData(const QList<Axis> &axes, const QStringList &itemLabels)
{
    m_axes = axes;
    m_labels = itemLabels;
    m_hovered = -1;
    m_brushes = QList<std::optional<std::pair<double, double>>>(axes.size());
    computeScales();
    update();
    Q_EMIT brushChanged(brushedItems());
}

void ParallelCoordinates::computeScales()
{
    m_scales.clear();
    for (const Axis &axis : std::as_const(m_axes)) {
        Scale s;
        if (!axis.categories.isEmpty()) {
            s.min = -0.5;
            s.max = axis.categories.size() - 0.5;
        } else {
            s.log = axis.logScale;
            double lo = INFINITY, hi = -INFINITY;
            for (double v : axis.values) {
                if (!std::isfinite(v) || (s.log && v <= 0))
                    continue;
                lo = std::min(lo, v);
                hi = std::max(hi, v);
            }
            if (!std::isfinite(lo)) {
                lo = 0;
                hi = 1;
            } else if (lo == hi) {
                const double pad = lo == 0 ? 1 : std::abs(lo) * 0.1;
                lo -= pad;
                hi += pad;
                if (s.log && lo <= 0)
                    lo = hi / 10;
            }
            s.min = lo;
            s.max = hi;
        }
        m_scales.append(s);
    }
}

void ParallelCoordinates::setBrush(int axis, std::optional<std::pair<double, double>> range)
{
    if (axis < 0 || axis >= m_brushes.size())
        return;
    if (range && range->first > range->second)
        range = std::make_pair(range->second, range->first);
    m_brushes[axis] = range;
    update();
    Q_EMIT brushChanged(brushedItems());
}

void ParallelCoordinates::clearBrushes()
{
    for (auto &brush : m_brushes)
        brush.reset();
    update();
    Q_EMIT brushChanged(brushedItems());
}

bool ParallelCoordinates::passes(int item) const
{
    for (int a = 0; a < m_axes.size(); ++a) {
        if (!m_brushes.at(a))
            continue;
        const double v = m_axes.at(a).values.value(item, NAN);
        if (!std::isfinite(v) || v < m_brushes.at(a)->first || v > m_brushes.at(a)->second)
            return false;
    }
    return true;
}

QList<int> ParallelCoordinates::brushedItems() const
{
    QList<int> out;
    for (int i = 0; i < m_labels.size(); ++i)
        if (passes(i))
            out.append(i);
    return out;
}

void ParallelCoordinates::setEmptyMessage(const QString &message)
{
    m_emptyMessage = message;
    update();
}

QRectF ParallelCoordinates::plotRect(const QRect &rect) const
{
    return QRectF(rect).adjusted(kSideMargin, kTopMargin, -kSideMargin, -kBottomMargin);
}

double ParallelCoordinates::axisX(int axis, const QRectF &plot) const
{
    if (m_axes.size() <= 1)
        return plot.center().x();
    return plot.left() + plot.width() * axis / double(m_axes.size() - 1);
}

double ParallelCoordinates::toUnit(int axis, double value) const
{
    const Scale &s = m_scales.at(axis);
    if (!std::isfinite(value) || (s.log && value <= 0))
        return NAN;
    if (s.log)
        return (std::log10(value) - std::log10(s.min)) / (std::log10(s.max) - std::log10(s.min));
    return (value - s.min) / (s.max - s.min);
}

double ParallelCoordinates::fromUnit(int axis, double unit) const
{
    const Scale &s = m_scales.at(axis);
    unit = std::clamp(unit, 0.0, 1.0);
    if (s.log)
        return std::pow(10.0, std::log10(s.min) + unit * (std::log10(s.max) - std::log10(s.min)));
    return s.min + unit * (s.max - s.min);
}

QString ParallelCoordinates::formatTick(int axis, double value) const
{
    const Axis &a = m_axes.at(axis);
    if (!a.categories.isEmpty()) {
        const int i = int(std::lround(value));
        return i >= 0 && i < a.categories.size() ? a.categories.at(i) : QString();
    }
    return QString::number(value, 'g', 4);
}

int ParallelCoordinates::axisAt(const QPoint &pos) const
{
    const QRectF plot = plotRect(rect());
    for (int a = 0; a < m_axes.size(); ++a)
        if (std::abs(pos.x() - axisX(a, plot)) <= kAxisHitWidth && pos.y() >= plot.top() - 4 && pos.y() <= plot.bottom() + 4)
            return a;
    return -1;
}

void ParallelCoordinates::paintEvent(QPaintEvent *)
{
    QPainter painter(this);
    paintTo(painter, rect());
}

void ParallelCoordinates::paintTo(QPainter &painter, const QRect &rect) const
{
    const QPalette pal = palette();
    const QColor fg = pal.color(QPalette::WindowText);
    painter.fillRect(rect, pal.color(QPalette::Base));
    painter.setRenderHint(QPainter::Antialiasing);
    if (m_axes.isEmpty() || m_labels.isEmpty()) {
        painter.setPen(pal.color(QPalette::PlaceholderText));
        painter.drawText(rect, Qt::AlignCenter | Qt::TextWordWrap, m_emptyMessage);
        return;
    }
    const QRectF plot = plotRect(rect);
    const int colorAxis = int(m_axes.size()) - 1;
    const bool anyBrush = std::any_of(m_brushes.cbegin(), m_brushes.cend(), [](const auto &b) { return b.has_value(); });

    // Faded lines first, then the brushed ones on top.
    for (int pass = 0; pass < 2; ++pass) {
        for (int item = 0; item < m_labels.size(); ++item) {
            const bool inside = passes(item);
            if ((pass == 0) == inside && anyBrush)
                continue;
            if (!anyBrush && pass == 0)
                continue;
            // Each end of the ramp vanishes on one background: skip the light end on white, the dark end on black.
            const double unit = toUnit(colorAxis, m_axes.at(colorAxis).values.value(item, NAN));
            QColor color = rampColor(isDarkTheme() ? 0.25 + 0.75 * unit : unit * 0.85);
            if (!inside)
                color = isDarkTheme() ? QColor(255, 255, 255, 28) : QColor(0, 0, 0, 22);
            else
                color.setAlpha(m_labels.size() > 200 ? 120 : 220);
            painter.setPen(QPen(color, inside ? 1.6 : 1.0));
            painter.drawPath(itemPath(item, plot));
        }
    }
    // The hovered line on top, with its name at its last point.
    if (m_hovered >= 0 && m_hovered < m_labels.size()) {
        const QPainterPath path = itemPath(m_hovered, plot);
        painter.setPen(QPen(pal.color(QPalette::Highlight), 3.0));
        painter.drawPath(path);
        const QPointF end = path.currentPosition();
        const QFontMetrics fm(painter.font());
        const QString name = fm.elidedText(m_labels.at(m_hovered), Qt::ElideRight, kSideMargin * 3);
        // Left of the line's end, below it in the upper half (clear of the axis names), else above.
        const double y = end.y() < plot.center().y() ? end.y() + 6 : end.y() - fm.height() - 6;
        QRectF box(end.x() - fm.horizontalAdvance(name) - 14, y, fm.horizontalAdvance(name) + 8, fm.height() + 2);
        box.moveLeft(std::max(box.left(), rect.left() + 2.0));
        painter.fillRect(box, pal.color(QPalette::Highlight));
        painter.setPen(pal.color(QPalette::HighlightedText));
        painter.drawText(box, Qt::AlignCenter, name);
    }

    // Axes, ticks, names and brushes.
    QFont small = painter.font();
    small.setPointSizeF(std::max(7.0, small.pointSizeF() * 0.85));
    const QFontMetrics fm(small);
    for (int a = 0; a < m_axes.size(); ++a) {
        const double x = axisX(a, plot);
        painter.setPen(QPen(fg, 1.2));
        painter.drawLine(QPointF(x, plot.top()), QPointF(x, plot.bottom()));
        if (m_brushes.at(a)) {
            const double u1 = toUnit(a, m_brushes.at(a)->first), u2 = toUnit(a, m_brushes.at(a)->second);
            const double y1 = plot.bottom() - (std::isfinite(u1) ? u1 : 0) * plot.height();
            const double y2 = plot.bottom() - (std::isfinite(u2) ? u2 : 1) * plot.height();
            QColor brush = pal.color(QPalette::Highlight);
            brush.setAlpha(90);
            painter.fillRect(QRectF(x - 7, std::min(y1, y2), 14, std::abs(y1 - y2)), brush);
            painter.setPen(QPen(pal.color(QPalette::Highlight), 1));
            painter.drawRect(QRectF(x - 7, std::min(y1, y2), 14, std::abs(y1 - y2)));
        }
        painter.setFont(small);
        painter.setPen(fg);
        const Axis &axis = m_axes.at(a);
        QList<double> ticks;
        if (!axis.categories.isEmpty()) {
            for (int i = 0; i < axis.categories.size(); ++i)
                ticks << i;
        } else if (m_scales.at(a).log) {
            for (double decade = std::pow(10.0, std::floor(std::log10(m_scales.at(a).min))); decade <= m_scales.at(a).max * 1.0001;
                 decade *= 10)
                if (decade >= m_scales.at(a).min * 0.9999)
                    ticks << decade;
            if (ticks.size() < 2)
                ticks = {m_scales.at(a).min, m_scales.at(a).max};
        } else {
            // Round numbers: a step of 1, 2 or 5 times a power of ten, about five ticks.
            const double lo = m_scales.at(a).min, hi = m_scales.at(a).max;
            const double raw = (hi - lo) / 4;
            const double magnitude = std::pow(10.0, std::floor(std::log10(raw)));
            double step = magnitude;
            for (double m : {1.0, 2.0, 5.0, 10.0})
                if (raw <= m * magnitude) {
                    step = m * magnitude;
                    break;
                }
            for (double t = std::ceil(lo / step) * step; t <= hi + step * 1e-9; t += step)
                ticks << (std::abs(t) < step * 1e-9 ? 0.0 : t);
        }
        for (double t : ticks) {
            const double u = toUnit(a, t);
            if (!std::isfinite(u))
                continue;
            const double y = plot.bottom() - u * plot.height();
            painter.drawLine(QPointF(x - 3, y), QPointF(x + 3, y));
            const QString label = fm.elidedText(formatTick(a, t), Qt::ElideRight, kSideMargin + 20);
            // A backing of the background colour keeps labels readable over the lines.
            const QRectF box(x + 5, y - fm.height() / 2.0, fm.horizontalAdvance(label) + 4, fm.height());
            QColor backing = pal.color(QPalette::Base);
            backing.setAlpha(200);
            painter.fillRect(box, backing);
            painter.drawText(box.adjusted(2, 0, 0, 0), Qt::AlignLeft | Qt::AlignVCenter, label);
        }
        QFont bold = painter.font();
        bold.setBold(true);
        painter.setFont(bold);
        const double spacing = m_axes.size() > 1 ? plot.width() / (m_axes.size() - 1) : plot.width();
        const QString name = QFontMetrics(bold).elidedText(axis.name, Qt::ElideMiddle, int(std::max(40.0, spacing - 6)));
        painter.drawText(QRectF(x - spacing / 2, rect.top() + 6, spacing, kTopMargin - 12), Qt::AlignCenter, name);
    }
    painter.setFont(small);
    painter.setPen(pal.color(QPalette::PlaceholderText));
    const int shown = anyBrush ? int(brushedItems().size()) : int(m_labels.size());
    painter.drawText(QRectF(rect.left() + 8, plot.bottom() + 14, rect.width() - 16, kBottomMargin - 16),
                     Qt::AlignLeft | Qt::AlignVCenter,
                     tr("%1 of %2 shown · drag along an axis to brush, click it to clear · point at a line to name it").arg(shown).arg(m_labels.size()));
}

QPainterPath ParallelCoordinates::itemPath(int item, const QRectF &plot) const
{
    QPainterPath path;
    bool started = false;
    for (int a = 0; a < m_axes.size(); ++a) {
        const double u = toUnit(a, m_axes.at(a).values.value(item, NAN));
        if (!std::isfinite(u)) { // a missing value breaks the line
            started = false;
            continue;
        }
        const QPointF p(axisX(a, plot), plot.bottom() - u * plot.height());
        if (started)
            path.lineTo(p);
        else
            path.moveTo(p);
        started = true;
    }
    return path;
}

int ParallelCoordinates::itemAt(const QPointF &pos) const
{
    if (m_axes.isEmpty())
        return -1;
    const QRectF plot = plotRect(rect());
    const bool anyBrush = std::any_of(m_brushes.cbegin(), m_brushes.cend(), [](const auto &b) { return b.has_value(); });
    QPainterPathStroker stroker;
    stroker.setWidth(8);
    // Later lines are drawn on top: the topmost under the pointer wins.
    for (int item = int(m_labels.size()) - 1; item >= 0; --item) {
        if (anyBrush && !passes(item))
            continue;
        if (stroker.createStroke(itemPath(item, plot)).contains(pos))
            return item;
    }
    return -1;
}

QString ParallelCoordinates::itemText(int item) const
{
    if (item < 0 || item >= m_labels.size())
        return {};
    QStringList lines{QStringLiteral("<b>%1</b>").arg(m_labels.at(item).toHtmlEscaped())};
    for (int a = 0; a < m_axes.size(); ++a) {
        const double v = m_axes.at(a).values.value(item, NAN);
        const QString value = !std::isfinite(v) ? tr("(none)")
                              : m_axes.at(a).categories.isEmpty() ? QString::number(v, 'g', 6)
                                                                  : formatTick(a, v);
        lines << QStringLiteral("%1: %2").arg(m_axes.at(a).name.toHtmlEscaped(), value.toHtmlEscaped());
    }
    return lines.join(QStringLiteral("<br>"));
}

void ParallelCoordinates::setHovered(int item, const QPoint &globalPos)
{
    if (item == m_hovered)
        return;
    m_hovered = item;
    update();
    if (item >= 0)
        QToolTip::showText(globalPos, itemText(item), this);
    else
        QToolTip::hideText();
}

void ParallelCoordinates::leaveEvent(QEvent *event)
{
    QWidget::leaveEvent(event);
    setHovered(-1, {});
}

void ParallelCoordinates::mousePressEvent(QMouseEvent *event)
{
    m_dragAxis = axisAt(event->position().toPoint());
    m_dragMoved = false;
    if (m_dragAxis >= 0) {
        const QRectF plot = plotRect(rect());
        m_dragStart = fromUnit(m_dragAxis, (plot.bottom() - event->position().y()) / plot.height());
    }
}

void ParallelCoordinates::mouseMoveEvent(QMouseEvent *event)
{
    if (m_dragAxis < 0) {
        setHovered(itemAt(event->position()), event->globalPosition().toPoint());
        return;
    }
    m_dragMoved = true;
    const QRectF plot = plotRect(rect());
    const double v = fromUnit(m_dragAxis, (plot.bottom() - event->position().y()) / plot.height());
    setBrush(m_dragAxis, std::make_pair(std::min(m_dragStart, v), std::max(m_dragStart, v)));
}

void ParallelCoordinates::mouseReleaseEvent(QMouseEvent *)
{
    if (m_dragAxis >= 0 && !m_dragMoved)
        setBrush(m_dragAxis, std::nullopt);
    m_dragAxis = -1;
}

} // namespace cairn::gui
