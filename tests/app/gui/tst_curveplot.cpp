// A series of one value (a final accuracy, a feature's importance) is drawn as a labelled marker:
// as a line it was an empty plot.
#include "curveplot.h"

#include <QApplication>
#include <QDir>
#include <QtTest>

using namespace cairn::gui;

class TestCurvePlot : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void singleValuesAreMarkers()
    {
        CurvePlot plot;
        plot.resize(640, 360);
        CurvePlot::Curve accuracy{QStringLiteral("validation.accuracy"), {3}, {0.912}};
        CurvePlot::Curve loss{QStringLiteral("validation.loss"), {1, 2, 3}, {0.6, 0.4, 0.3}};
        plot.setCurves({accuracy, loss});
        QCOMPARE(plot.graphCount(), 2);
        QCOMPARE(plot.graph(0)->lineStyle(), QCPGraph::lsNone);
        QCOMPARE(plot.graph(0)->scatterStyle().shape(), QCPScatterStyle::ssDisc);
        QCOMPARE(plot.graph(0)->dataCount(), 1);
        QCOMPARE(plot.graph(1)->lineStyle(), QCPGraph::lsLine);
        // The marker says its value.
        bool labelled = false;
        for (int i = 0; i < plot.itemCount(); ++i)
            if (auto *text = qobject_cast<QCPItemText *>(plot.item(i)); text && text->visible())
                labelled = labelled || text->text().trimmed() == QStringLiteral("0.912");
        QVERIFY(labelled);

        // Drawn: the marker's colour is on screen.
        plot.setCurves({accuracy});
        const QImage image = plot.grab().toImage();
        const QColor marker = plot.graph(0)->scatterStyle().brush().color();
        const QPointF at(plot.xAxis->coordToPixel(3), plot.yAxis->coordToPixel(0.912));
        QCOMPARE(image.pixelColor(at.toPoint()).rgb(), marker.rgb());
        const QString shot = QDir(QStringLiteral(CAIRN_BUILD_DIR)).filePath(QStringLiteral("screenshots/curveplot-single.png"));
        QDir().mkpath(QFileInfo(shot).absolutePath());
        QVERIFY(plot.grab().save(shot));

        // A rebuild leaves no stale labels behind.
        plot.setCurves({loss});
        int visibleTexts = 0;
        for (int i = 0; i < plot.itemCount(); ++i)
            if (auto *text = qobject_cast<QCPItemText *>(plot.item(i)); text && text->visible())
                ++visibleTexts;
        QCOMPARE(visibleTexts, 0);
    }
};

QTEST_MAIN(TestCurvePlot)
#include "tst_curveplot.moc"
