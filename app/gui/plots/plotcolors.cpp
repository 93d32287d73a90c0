#include "plotcolors.h"

#include <QList>

#include <algorithm>
#include <cmath>

namespace cairn::gui {

QColor seriesColor(int index)
{
    static const QList<QColor> palette = {
        QColor(0x1f, 0x77, 0xb4), QColor(0xff, 0x7f, 0x0e), QColor(0x2c, 0xa0, 0x2c), QColor(0xd6, 0x27, 0x28),
        QColor(0x94, 0x67, 0xbd), QColor(0x8c, 0x56, 0x4b), QColor(0xe3, 0x77, 0xc2), QColor(0x7f, 0x7f, 0x7f),
        QColor(0xbc, 0xbd, 0x22), QColor(0x17, 0xbe, 0xcf)};
    if (index < palette.size())
        return palette.at(index);
    // Golden-angle hues keep neighbours apart however many series there are.
    const double hue = std::fmod(index * 0.618033988749895, 1.0);
    return QColor::fromHsvF(float(hue), 0.65f, 0.85f);
}

QColor rampColor(double t)
{
    static const QList<QColor> stops = {QColor(68, 1, 84), QColor(59, 82, 139), QColor(33, 145, 140),
                                        QColor(94, 201, 98), QColor(253, 231, 37)};
    if (!std::isfinite(t))
        return QColor(150, 150, 150);
    t = std::clamp(t, 0.0, 1.0) * double(stops.size() - 1);
    const int i = std::min(int(t), int(stops.size()) - 2);
    const double f = t - i;
    const QColor &a = stops.at(i), &b = stops.at(i + 1);
    return QColor::fromRgbF(float(a.redF() + (b.redF() - a.redF()) * f), float(a.greenF() + (b.greenF() - a.greenF()) * f),
                            float(a.blueF() + (b.blueF() - a.blueF()) * f));
}

} // namespace cairn::gui
