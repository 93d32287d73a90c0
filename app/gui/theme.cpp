#include "theme.h"

#include <QApplication>
#include <QPainter>
#include <QPalette>
#include <QProxyStyle>
#include <QStyle>
#include <QStyleOption>
#include <QStyleFactory>
#include <QStyleHints>

namespace cairn::gui {

namespace {

QPalette &systemPalette()
{
    static QPalette palette; // captured before the first change
    return palette;
}

QPalette darkPalette()
{
    QPalette p;
    const QColor window(0x2b, 0x2d, 0x30), base(0x1e, 0x1f, 0x22), text(0xdf, 0xe1, 0xe5);
    const QColor highlight(0x35, 0x74, 0xf0), disabled(0x80, 0x80, 0x80);
    p.setColor(QPalette::Window, window);
    p.setColor(QPalette::WindowText, text);
    p.setColor(QPalette::Base, base);
    p.setColor(QPalette::AlternateBase, QColor(0x26, 0x28, 0x2b));
    p.setColor(QPalette::ToolTipBase, window);
    p.setColor(QPalette::ToolTipText, text);
    p.setColor(QPalette::PlaceholderText, disabled);
    p.setColor(QPalette::Text, text);
    p.setColor(QPalette::Button, QColor(0x3c, 0x3f, 0x41));
    p.setColor(QPalette::ButtonText, text);
    p.setColor(QPalette::BrightText, Qt::red);
    p.setColor(QPalette::Link, QColor(0x58, 0x9d, 0xf6));
    p.setColor(QPalette::Highlight, highlight);
    p.setColor(QPalette::HighlightedText, Qt::white);
    p.setColor(QPalette::Light, QColor(0x45, 0x48, 0x4a));
    p.setColor(QPalette::Midlight, QColor(0x3c, 0x3f, 0x41));
    p.setColor(QPalette::Mid, QColor(0x32, 0x34, 0x36));
    p.setColor(QPalette::Dark, QColor(0x1a, 0x1b, 0x1d));
    p.setColor(QPalette::Shadow, Qt::black);
    for (auto role : {QPalette::WindowText, QPalette::Text, QPalette::ButtonText})
        p.setColor(QPalette::Disabled, role, disabled);
    return p;
}

QPalette lightPalette()
{
    QPalette p = QStyleFactory::create(QStringLiteral("Fusion"))->standardPalette();
    p.setColor(QPalette::Highlight, QColor(0x26, 0x6e, 0xe0));
    p.setColor(QPalette::AlternateBase, QColor(0xf4, 0xf6, 0xf8));
    return p;
}

// Fusion outlines check boxes and radio buttons in a darker shade of the window colour: on a dark
// palette an unchecked box all but vanishes. This style draws a light outline over it.
class CairnStyle : public QProxyStyle
{
public:
    CairnStyle() : QProxyStyle(QStyleFactory::create(QStringLiteral("Fusion"))) {}

    void drawPrimitive(PrimitiveElement element, const QStyleOption *option, QPainter *painter, const QWidget *widget) const override
    {
        QProxyStyle::drawPrimitive(element, option, painter, widget);
        if ((element != PE_IndicatorCheckBox && element != PE_IndicatorRadioButton)
            || option->palette.color(QPalette::Base).lightness() >= 128)
            return;
        painter->save();
        painter->setRenderHint(QPainter::Antialiasing, element == PE_IndicatorRadioButton);
        const bool enabled = option->state & State_Enabled;
        painter->setPen(QPen(enabled ? QColor(0x9a, 0x9e, 0xa6) : QColor(0x5a, 0x5d, 0x61), 1));
        painter->setBrush(Qt::NoBrush);
        const QRect box = option->rect.adjusted(0, 0, -1, -1);
        if (element == PE_IndicatorRadioButton)
            painter->drawEllipse(QRectF(box).adjusted(0.5, 0.5, -0.5, -0.5));
        else
            painter->drawRect(box);
        painter->restore();
    }
};

} // namespace

QString themeModeName(ThemeMode mode)
{
    switch (mode) {
    case ThemeMode::Light: return QStringLiteral("light");
    case ThemeMode::Dark: return QStringLiteral("dark");
    case ThemeMode::System: break;
    }
    return QStringLiteral("system");
}

ThemeMode themeModeFromName(const QString &name)
{
    if (name == QLatin1String("light"))
        return ThemeMode::Light;
    if (name == QLatin1String("dark"))
        return ThemeMode::Dark;
    return ThemeMode::System;
}

void applyTheme(QApplication &app, ThemeMode mode)
{
    static bool captured = false;
    if (!captured) {
        systemPalette() = app.palette();
        captured = true;
    }
    app.setStyle(new CairnStyle);
    switch (mode) {
    case ThemeMode::Light:
        app.setPalette(lightPalette());
        break;
    case ThemeMode::Dark:
        app.setPalette(darkPalette());
        break;
    case ThemeMode::System: {
        // Qt 6.4 has no colour-scheme hint: a dark system palette shows as a dark window colour.
        const bool systemIsDark = systemPalette().color(QPalette::Window).lightness() < 128;
        app.setPalette(systemIsDark ? darkPalette() : lightPalette());
        break;
    }
    }
}

bool isDarkTheme()
{
    return QApplication::palette().color(QPalette::Window).lightness() < 128;
}

} // namespace cairn::gui
