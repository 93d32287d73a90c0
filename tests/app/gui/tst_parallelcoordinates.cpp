// Parallel coordinates say which run a line is: pointing at a line highlights it and names it
// with its values.
#include "parallelcoordinates.h"

#include <QApplication>
#include <QDir>
#include <QMouseEvent>
#include <QtTest>

using namespace cairn::gui;

class TestParallelCoordinates : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void hoverNamesTheLine()
    {
        ParallelCoordinates plot;
        plot.resize(640, 360);
        ParallelCoordinates::Axis eta{QStringLiteral("eta"), {0.01, 0.1, 0.3}, {}, false};
        ParallelCoordinates::Axis booster{QStringLiteral("booster"), {0, 1, 0}, {QStringLiteral("dart"), QStringLiteral("gbtree")}, false};
        ParallelCoordinates::Axis auc{QStringLiteral("validation.auc"), {0.81, 0.86, 0.84}, {}, false};
        plot.setData({eta, booster, auc}, {QStringLiteral("xgb-01"), QStringLiteral("xgb-02"), QStringLiteral("xgb-03")});
        plot.show();
        QVERIFY(QTest::qWaitForWindowExposed(&plot));

        // The first axis sits at the plot's left edge; xgb-02 has the middle eta there, halfway
        // up, and the highest AUC on the last axis, at the top.
        const QRect r = plot.rect();
        const double left = 56, right = r.width() - 56.0, top = 36, bottom = r.height() - 40.0;
        const QPointF onSecond((left + (left + right) / 2) / 2, 0);
        // Halfway between the first two axes: between eta 0.1 (bottom + ~1/3 up) and gbtree (the top).
        const double yEta = bottom - (0.1 - 0.01) / (0.3 - 0.01) * (bottom - top);
        const double yBooster = bottom - (1 + 0.5) / 2.0 * (bottom - top);
        const QPointF mid(onSecond.x(), (yEta + yBooster) / 2);
        QCOMPARE(plot.itemAt(mid), 1);
        QCOMPARE(plot.itemAt(QPointF(5, 5)), -1);

        QMouseEvent move(QEvent::MouseMove, mid, plot.mapToGlobal(mid), Qt::NoButton, Qt::NoButton, Qt::NoModifier);
        QApplication::sendEvent(&plot, &move);
        QCOMPARE(plot.hoveredItem(), 1);
        const QString text = plot.itemText(1);
        QVERIFY2(text.contains(QStringLiteral("xgb-02")) && text.contains(QStringLiteral("booster: gbtree"))
                     && text.contains(QStringLiteral("validation.auc: 0.86")),
                 qPrintable(text));
        const QString shot = QDir(QStringLiteral(CAIRN_BUILD_DIR)).filePath(QStringLiteral("screenshots/parallel-hover.png"));
        QDir().mkpath(QFileInfo(shot).absolutePath());
        QVERIFY(plot.grab().save(shot));

        // Leaving the plot lets go of the line; new data forgets it.
        QEvent leave(QEvent::Leave);
        QApplication::sendEvent(&plot, &leave);
        QCOMPARE(plot.hoveredItem(), -1);
    }
};

QTEST_MAIN(TestParallelCoordinates)
#include "tst_parallelcoordinates.moc"
