// The Training panel's chart tells the truth about a job's curves: the CNN opens on its training
// and validation losses per epoch (not on a per-batch loss of one point at step 0 next to them),
// each chart says what a step is, the caption says where each last value was taken, and a series
// of one value is a marker, not an empty line.
#include "../algorithmruns.h"

#include "curveplot.h"
#include "jobmonitor.h"
#include "studiocontext.h"

#include "cairn/jobs/jobrecord.h"

#include <QApplication>
#include <QComboBox>
#include <QDir>
#include <QLabel>
#include <QTemporaryDir>
#include <QtTest>

using namespace cairn;

class TestTrainingCurves : public QObject
{
    Q_OBJECT

    static QStringList curveNames(gui::CurvePlot *plot)
    {
        QStringList names;
        for (int i = 0; i < plot->graphCount(); ++i)
            names << plot->graph(i)->name();
        return names;
    }

private Q_SLOTS:
    void cnnOpensOnItsPerEpochLosses()
    {
        QTemporaryDir dir;
        gui::StudioContext context;
        context.openWorkspace(dir.path());
        const qint64 experiment = context.store().createExperiment(QStringLiteral("fashion"));
        const Run run = algorithmruns::cnnRun(context.store(), experiment, QStringLiteral("cnn-3-epochs"));

        panels::JobMonitor monitor(&context);
        monitor.resize(900, 500);
        JobRecord record;
        record.id = QStringLiteral("job-cnn");
        record.algorithm = QStringLiteral("cnn");
        record.runUuid = run.uuid;
        record.state = JobState::Finished;
        monitor.setJob(record);
        QTRY_VERIFY_WITH_TIMEOUT(monitor.metricKeys().contains(QStringLiteral("train.epoch_loss")), 10000);

        QComboBox *charts = monitor.metricCombo();
        QTRY_COMPARE(charts->currentText(), QStringLiteral("loss · per epoch"));
        QCOMPARE(curveNames(monitor.plot()), (QStringList{QStringLiteral("train.epoch_loss"), QStringLiteral("validation.loss")}));
        QCOMPARE(monitor.plot()->xAxis->label(), QStringLiteral("epoch"));
        // The caption: each last value with the epoch it belongs to.
        const QString caption = monitor.summaryLabel()->text();
        QVERIFY2(caption.contains(QStringLiteral("train.epoch_loss = 0.5 (epoch 3)")), qPrintable(caption));
        QVERIFY2(!caption.contains(QStringLiteral("train.loss =")), qPrintable(caption));
        const QString shot = QDir(QStringLiteral(CAIRN_BUILD_DIR)).filePath(QStringLiteral("screenshots/training-cnn-curves.png"));
        QDir().mkpath(QFileInfo(shot).absolutePath());
        QVERIFY(monitor.grab().save(shot));

        // The per-batch loss is a chart of its own, per step; its one point is a marker.
        const int perStep = charts->findText(QStringLiteral("loss · per step"));
        QVERIFY(perStep >= 0);
        charts->setCurrentIndex(perStep);
        QCOMPARE(curveNames(monitor.plot()), QStringList{QStringLiteral("train.loss")});
        QCOMPARE(monitor.plot()->xAxis->label(), QStringLiteral("step"));
        QCOMPARE(monitor.plot()->graph(0)->lineStyle(), QCPGraph::lsNone);
        QVERIFY(monitor.summaryLabel()->text().contains(QStringLiteral("(step 0)")));
        // Feature importance and the like never make a chart; learning rate does, last.
        for (int i = 0; i < charts->count(); ++i)
            QVERIFY2(!charts->itemText(i).contains(QStringLiteral("importance")), qPrintable(charts->itemText(i)));
    }

    void xgboostOpensOnLogLossPerRound()
    {
        QTemporaryDir dir;
        gui::StudioContext context;
        context.openWorkspace(dir.path());
        const qint64 experiment = context.store().createExperiment(QStringLiteral("titanic"));
        Workspace &ws = context.workspace();
        const Run run = algorithmruns::xgboostRun(ws, experiment, QStringLiteral("xgb"), 20, 0.8);

        panels::JobMonitor monitor(&context);
        JobRecord record;
        record.id = QStringLiteral("job-xgb");
        record.algorithm = QStringLiteral("xgboost");
        record.runUuid = run.uuid;
        record.state = JobState::Finished;
        monitor.setJob(record);
        QTRY_COMPARE_WITH_TIMEOUT(monitor.metricCombo()->currentText(), QStringLiteral("log_loss · per boosting round"), 10000);
        QCOMPARE(curveNames(monitor.plot()), (QStringList{QStringLiteral("train.log_loss"), QStringLiteral("validation.log_loss")}));
        QCOMPARE(monitor.plot()->xAxis->label(), QStringLiteral("boosting round"));
        // A final score of one value is drawn as a marker when chosen.
        const int accuracy = monitor.metricCombo()->findText(QStringLiteral("accuracy · per boosting round"));
        QVERIFY(accuracy >= 0);
        monitor.metricCombo()->setCurrentIndex(accuracy);
        QCOMPARE(monitor.plot()->graphCount(), 1);
        QCOMPARE(monitor.plot()->graph(0)->lineStyle(), QCPGraph::lsNone);
    }
};

QTEST_MAIN(TestTrainingCurves)
#include "tst_trainingcurves.moc"
