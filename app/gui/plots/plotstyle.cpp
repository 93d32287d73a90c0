#include "plotstyle.h"

#include "qcustomplotinclude.h"
#include "theme.h"

#include <QApplication>

namespace cairn::gui {

void applyPlotPalette(QCustomPlot *plot)
{
    const QPalette pal = QApplication::palette();
    const QColor fg = pal.color(QPalette::WindowText);
    const QColor grid = isDarkTheme() ? QColor(255, 255, 255, 40) : QColor(0, 0, 0, 30);
    plot->setBackground(pal.color(QPalette::Base));
    for (QCPAxis *axis : {plot->xAxis, plot->yAxis, plot->xAxis2, plot->yAxis2}) {
        axis->setBasePen(QPen(fg));
        axis->setTickPen(QPen(fg));
        axis->setSubTickPen(QPen(fg));
        axis->setTickLabelColor(fg);
        axis->setLabelColor(fg);
        axis->grid()->setPen(QPen(grid, 1, Qt::DotLine));
    }
    plot->legend->setBrush(pal.color(QPalette::Base));
    plot->legend->setTextColor(fg);
    plot->legend->setBorderPen(QPen(grid));
}

} // namespace cairn::gui
