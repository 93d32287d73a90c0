#include "plotexport.h"
#include "studiocontext.h"

#include "qcustomplotinclude.h"

#include <QCoreApplication>
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QMessageBox>
#include <QPainter>
#include <QSvgGenerator>

namespace cairn::gui {

namespace {
struct PlotExport
{
    Q_DECLARE_TR_FUNCTIONS(cairn::gui::PlotExport)
};
} // namespace

bool savePlot(QWidget *plot, const QString &path, QString *error)
{
    const QString suffix = QFileInfo(path).suffix().toLower();
    const QSize size = plot->size().isEmpty() ? QSize(800, 500) : plot->size();
    if (suffix == QLatin1String("svg")) {
        QSvgGenerator generator;
        generator.setFileName(path);
        generator.setSize(size);
        generator.setViewBox(QRect(QPoint(0, 0), size));
        generator.setTitle(plot->windowTitle());
        if (auto *custom = qobject_cast<QCustomPlot *>(plot)) {
            QCPPainter painter;
            if (!painter.begin(&generator)) {
                if (error)
                    *error = PlotExport::tr("Cannot write %1: check that the folder exists and is writable.").arg(path);
                return false;
            }
            custom->toPainter(&painter, size.width(), size.height());
            painter.end();
        } else {
            QPainter painter;
            if (!painter.begin(&generator)) {
                if (error)
                    *error = PlotExport::tr("Cannot write %1: check that the folder exists and is writable.").arg(path);
                return false;
            }
            plot->render(&painter);
            painter.end();
        }
        if (!QFileInfo::exists(path)) {
            if (error)
                *error = PlotExport::tr("Cannot write %1: check that the folder exists and is writable.").arg(path);
            return false;
        }
        return true;
    }
    if (suffix != QLatin1String("png")) {
        if (error)
            *error = PlotExport::tr("Unknown image type '.%1': save as .png or .svg.").arg(suffix);
        return false;
    }
    bool saved = false;
    if (auto *custom = qobject_cast<QCustomPlot *>(plot))
        saved = custom->savePng(path, size.width(), size.height(), 2.0);
    else
        saved = plot->grab().save(path, "PNG");
    if (!saved && error)
        *error = PlotExport::tr("Cannot write %1: check that the folder exists and is writable.").arg(path);
    return saved;
}

void exportPlotInteractively(QWidget *plot, QWidget *dialogParent, const QString &suggestedName)
{
    QString selectedFilter;
    const QString png = PlotExport::tr("PNG image (*.png)");
    const QString svg = PlotExport::tr("SVG image (*.svg)");
    QString path = QFileDialog::getSaveFileName(dialogParent, PlotExport::tr("Export Plot"),
                                                QDir(StudioContext::dialogFolder()).filePath(suggestedName + QStringLiteral(".png")),
                                                png + QStringLiteral(";;") + svg, &selectedFilter);
    if (path.isEmpty())
        return;
    StudioContext::rememberDialogPath(path);
    if (QFileInfo(path).suffix().isEmpty())
        path += selectedFilter == svg ? QStringLiteral(".svg") : QStringLiteral(".png");
    QString error;
    if (!savePlot(plot, path, &error))
        QMessageBox::warning(dialogParent, PlotExport::tr("Export Plot"), error);
}

} // namespace cairn::gui
