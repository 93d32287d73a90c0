// The Tuning panel: the form in tuning mode (tick, ranges checked while typing), a tuning job of
// three real XGBoost trials on titanic.csv with its live table, objective plot (with the best so
// far) and parallel coordinates; Open best run; Train the best fills the Training panel's form.
#include "../xgboostpanelsetup.h"
#include "datapicker.h"
#include "hostpicker.h"
#include "jobservice.h"
#include "parallelcoordinates.h"
#include "parameterform.h"
#include "qcustomplotinclude.h"
#include "studiocontext.h"
#include "trainingpanel.h"
#include "tuningpanel.h"

#include "cairn/algorithms/pluginmanager.h"
#include "cairn/store/experimentstore.h"

#include <QCheckBox>
#include <QComboBox>
#include <QLabel>
#include <QLineEdit>
#include <QProcess>
#include <QPushButton>
#include <QScrollArea>
#include <QScrollBar>
#include <QSignalSpy>
#include <QSpinBox>
#include <QStandardItemModel>
#include <QTabWidget>
#include <QTemporaryDir>
#include <QTreeWidget>
#include <QtTest>

#include <cmath>

using namespace cairn;

namespace {
QString titanic()
{
    return xgboostpanel::sharedTable(QStringLiteral("titanic.csv"));
}

} // namespace

class TestTuningPanel : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase()
    {
        if (const QString missing = xgboostpanel::setUp(titanic()); !missing.isEmpty())
            QSKIP(qPrintable(missing));
    }

    void rangesAreCheckedWhileTyping()
    {
        QTemporaryDir dir;
        gui::StudioContext context;
        context.openWorkspace(dir.path());
        panels::TuningPanel panel(&context);
        panel.show();
        QVERIFY(panel.selectAlgorithm(QStringLiteral("xgboost")));
        gui::ParameterForm *form = panel.parameterForm();
        QCOMPARE(form->mode(), gui::ParameterForm::Mode::Tuning);
        QVERIFY(form->isTunable(QStringLiteral("eta")));
        QVERIFY(!form->isTunable(QStringLiteral("eval_metric"))); // free text cannot be tuned
        QVERIFY(form->tunedNames().isEmpty());

        // The objective's direction follows the metric.
        panel.objectiveCombo()->setCurrentText(QStringLiteral("validation.log_loss"));
        QCOMPARE(panel.directionCombo()->currentData().toBool(), false);
        panel.objectiveCombo()->setCurrentText(QStringLiteral("validation.auc"));
        QCOMPARE(panel.directionCombo()->currentData().toBool(), true);

        // Ticking eta enables its range (log scale from the schema) and disables its fixed value.
        auto *tick = form->findChild<QCheckBox *>(QStringLiteral("tune_eta"));
        QVERIFY(tick);
        tick->click();
        QVERIFY(form->isTuned(QStringLiteral("eta")));
        QVERIFY(!form->editor(QStringLiteral("eta"))->isEnabled());
        QVERIFY(form->findChild<QCheckBox *>(QStringLiteral("log_eta"))->isChecked());
        QCOMPARE(form->ranges().size(), 1);
        QVERIFY(form->ranges().first().startsWith(QStringLiteral("eta=")));
        QVERIFY(form->ranges().first().endsWith(QStringLiteral(":log")));
        QVERIFY(form->isValid());

        // A log range from 0 is refused with the reason under the row.
        auto *low = form->findChild<QLineEdit *>(QStringLiteral("low_eta"));
        low->selectAll();
        QTest::keyClicks(low, QStringLiteral("0"));
        QVERIFY(!form->isValid());
        QVERIFY(form->messageLabel(QStringLiteral("eta"))->isVisible());
        QVERIFY2(form->messageLabel(QStringLiteral("eta"))->text().contains(QStringLiteral("log scale")),
                 qPrintable(form->messageLabel(QStringLiteral("eta"))->text()));
        QVERIFY(!panel.startButton()->isEnabled());
        low->selectAll();
        QTest::keyClicks(low, QStringLiteral("0.01"));
        QVERIFY(form->isValid());

        // Choices: a list of the values to pick from (at least two).
        form->setTuned(QStringLiteral("booster"), true);
        form->setRange(QStringLiteral("booster"), QStringLiteral("gbtree"));
        QVERIFY(!form->isValid());
        form->setRange(QStringLiteral("booster"), QStringLiteral("gbtree,dart"));
        QVERIFY(form->isValid());
        QVERIFY(form->ranges().contains(QStringLiteral("booster=gbtree,dart")));
    }

    // The form refuses what `cairn tune` refuses, before any trial exists: a ragged row far down
    // the table (the preview reads only its head) and a value outside a parameter's choices.
    void formRefusesBadDataAndValues()
    {
        QTemporaryDir dir;
        gui::StudioContext context;
        context.openWorkspace(dir.path());
        panels::TuningPanel panel(&context);
        panel.show();
        QVERIFY(panel.selectAlgorithm(QStringLiteral("xgboost")));
        QByteArray text = "a,b,y\n";
        for (int i = 0; i < 1200; ++i)
            text += QByteArray::number(i) + "," + QByteArray::number(i % 7) + "," + QByteArray::number(i % 2) + "\n";
        text += "5,6,1,9\n"; // line 1202
        const QString ragged = dir.filePath(QStringLiteral("ragged.csv"));
        QFile f(ragged);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(text);
        f.close();
        QSignalSpy loaded(panel.dataPicker(), &gui::DataPicker::previewLoaded);
        panel.dataPicker()->setTrainPath(ragged);
        QVERIFY(loaded.wait(20000));
        QCOMPARE(loaded.first().first().toBool(), false);
        panel.parameterForm()->setTuned(QStringLiteral("eta"), true);
        QVERIFY(!panel.startButton()->isEnabled());
        QVERIFY2(panel.formMessage()->text().contains(QStringLiteral("ragged.csv:1202:")), qPrintable(panel.formMessage()->text()));

        loaded.clear();
        panel.dataPicker()->setTrainPath(titanic());
        QVERIFY(loaded.wait(20000));
        QVERIFY2(panel.startButton()->isEnabled(), qPrintable(panel.formMessage()->text()));
        QVERIFY(panel.parameterForm()->setText(QStringLiteral("eval_metric"), QStringLiteral("auc,bogus")));
        QVERIFY(!panel.parameterForm()->isValid());
        QVERIFY(!panel.startButton()->isEnabled());
        QVERIFY2(panel.formMessage()->text().contains(QStringLiteral("'bogus'")), qPrintable(panel.formMessage()->text()));
        QVERIFY(panel.parameterForm()->setText(QStringLiteral("eval_metric"), QStringLiteral("logloss,auc")));
        QVERIFY(panel.startButton()->isEnabled());
        QVERIFY(context.store().searchRuns({}).isEmpty()); // nothing was created
    }

    void runsThreeTrials()
    {
        QTemporaryDir dir;
        gui::StudioContext context;
        context.openWorkspace(dir.path());
        panels::TuningPanel panel(&context);
        panels::TrainingPanel training(&context); // receives "Train the best"
        panel.resize(1400, 900);
        panel.show();
        QVERIFY(QTest::qWaitForWindowExposed(&panel));
        QVERIFY(panel.selectAlgorithm(QStringLiteral("xgboost")));
        QSignalSpy loaded(panel.dataPicker(), &gui::DataPicker::previewLoaded);
        panel.dataPicker()->setTrainPath(titanic());
        QVERIFY(loaded.wait(10000));
        QCOMPARE(panel.dataPicker()->target(), QStringLiteral("survived"));

        gui::ParameterForm *form = panel.parameterForm();
        QVERIFY(form->setText(QStringLiteral("num_round"), QStringLiteral("4")));
        form->setTuned(QStringLiteral("eta"), true);
        form->setRange(QStringLiteral("eta"), QStringLiteral("0.05:0.5:log"));
        form->setTuned(QStringLiteral("max_depth"), true);
        form->setRange(QStringLiteral("max_depth"), QStringLiteral("2:6"));
        QCOMPARE(form->ranges(), (QStringList{QStringLiteral("eta=0.05:0.5:log"), QStringLiteral("max_depth=2:6:int")}));
        panel.strategyCombo()->setCurrentIndex(panel.strategyCombo()->findData(QStringLiteral("random")));
        panel.objectiveCombo()->setCurrentText(QStringLiteral("validation.auc"));
        panel.maxTrialsSpin()->setValue(3);
        panel.parallelSpin()->setValue(1);
        panel.experimentCombo()->setCurrentText(QStringLiteral("titanic-tuning"));
        panel.nameEdit()->setText(QStringLiteral("tune-eta-depth"));
        QVERIFY2(panel.startButton()->isEnabled(), qPrintable(panel.formMessage()->text()));

        const tuning::TuningSpec spec = panel.currentSpec();
        QCOMPARE(spec.base.hyperparameters.value(QStringLiteral("num_round")).toInt(), 4);
        QCOMPARE(spec.space.size(), 2);
        QVERIFY(spec.maximize);
        // One host ticked: every trial runs there, as `cairn tune --host` sets it.
        QCOMPARE(panel.hostList()->hosts(), QStringList{QStringLiteral("local")});
        QCOMPARE(spec.base.resources.host, QStringLiteral("local"));
        QVERIFY(spec.hosts.isEmpty());

        QSignalSpy finished(&panel, &panels::TuningPanel::tuningFinished);
        QTest::mouseClick(panel.startButton(), Qt::LeftButton);
        QVERIFY(panel.job());
        QVERIFY(panel.stopButton()->isEnabled());
        QVERIFY(!panel.startButton()->isEnabled()); // one tuning job at a time
        QTRY_VERIFY_WITH_TIMEOUT(!finished.isEmpty(), 90000);

        // The table: three finished trials with their parameters and objective.
        QStandardItemModel *table = panel.trialsModel();
        QCOMPARE(table->rowCount(), 3);
        QCOMPARE(table->horizontalHeaderItem(2)->text(), QStringLiteral("validation.auc"));
        QCOMPARE(table->horizontalHeaderItem(3)->text(), QStringLiteral("eta"));
        QCOMPARE(table->horizontalHeaderItem(4)->text(), QStringLiteral("max_depth"));
        QCOMPARE(table->horizontalHeaderItem(5)->text(), QStringLiteral("Host"));
        double bestSeen = -1;
        for (int row = 0; row < 3; ++row) {
            QCOMPARE(table->item(row, 0)->text(), QString::number(row + 1));
            QCOMPARE(table->item(row, 1)->text(), QStringLiteral("Finished"));
            const double auc = table->item(row, 2)->text().toDouble();
            QVERIFY2(auc > 0.7 && auc <= 1, qPrintable(table->item(row, 2)->text()));
            bestSeen = std::max(bestSeen, auc);
            const double eta = table->item(row, 3)->text().toDouble();
            QVERIFY(eta >= 0.05 && eta <= 0.5);
            const int depth = table->item(row, 4)->text().toInt();
            QVERIFY(depth >= 2 && depth <= 6);
            QCOMPARE(table->item(row, 5)->text(), QStringLiteral("local"));
        }
        const tuning::Trial *best = panel.job()->best();
        QVERIFY(best);
        QCOMPARE(best->objective, panel.job()->trials().at(best->index - 1).objective);
        QVERIFY(std::abs(best->objective - bestSeen) < 1e-5);
        QVERIFY(table->item(best->index - 1, 0)->font().bold());
        QVERIFY(panel.statusLabel()->text().contains(QStringLiteral("Best validation.auc")));

        // The plot: one point per trial, and the best so far never goes down.
        QCPGraph *trials = panel.objectivePlot()->graph(0);
        QCPGraph *bestLine = panel.objectivePlot()->graph(1);
        QCOMPARE(trials->dataCount(), 3);
        QCOMPARE(bestLine->dataCount(), 3);
        for (int i = 1; i < 3; ++i)
            QVERIFY(bestLine->data()->at(i)->value >= bestLine->data()->at(i - 1)->value);
        QCOMPARE(bestLine->data()->at(2)->value, best->objective);

        // Parallel coordinates: eta, max_depth, objective; one line per trial.
        QCOMPARE(panel.parallelCoordinates()->axisCount(), 3);
        QCOMPARE(panel.parallelCoordinates()->itemCount(), 3);

        // The store: a tuning run with three child runs and the objective per trial.
        ExperimentStore &store = context.store();
        const Run tuningRun = store.run(panel.job()->runUuid());
        QCOMPARE(tuningRun.status, RunStatus::Finished);
        QCOMPARE(store.childRuns(tuningRun.uuid).size(), 3);
        QCOMPARE(store.metricHistory(tuningRun.id, QStringLiteral("trial_objective")).values.size(), 3);

        QVERIFY(!panel.stopButton()->isEnabled());
        QVERIFY(panel.startButton()->isEnabled());
        QApplication::processEvents();
        QVERIFY(panel.grab().save(xgboostpanel::screenshotPath(QStringLiteral("tuning.png"))));
        // The form fits its side of the panel: no sideways scrolling.
        auto *scroll = panel.findChild<QScrollArea *>();
        QVERIFY(scroll);
        QVERIFY2(!scroll->horizontalScrollBar()->isVisible(), qPrintable(QString::number(scroll->widget()->minimumSizeHint().width())));
        QVERIFY(scroll->widget()->grab().save(xgboostpanel::screenshotPath(QStringLiteral("tuning-form.png"))));
        panel.plotTabs()->setCurrentIndex(1);
        QApplication::processEvents();
        QVERIFY(panel.grab().save(xgboostpanel::screenshotPath(QStringLiteral("tuning-parallel.png"))));

        // Open best run asks the Experiments panel for the best trial's run.
        QSignalSpy show(&context, &gui::StudioContext::showRunRequested);
        QTest::mouseClick(panel.openBestButton(), Qt::LeftButton);
        QCOMPARE(show.size(), 1);
        QCOMPARE(show.first().first().toString(), best->runUuid);

        // Train the best: the Training panel's form gets the best trial's settings.
        QTest::mouseClick(panel.trainBestButton(), Qt::LeftButton);
        QCOMPARE(training.algorithmId(), QStringLiteral("xgboost"));
        const QJsonObject values = training.parameterForm()->values();
        QVERIFY(std::abs(values.value(QStringLiteral("eta")).toDouble() - best->params.value(QStringLiteral("eta")).toDouble()) < 1e-9);
        QCOMPARE(values.value(QStringLiteral("max_depth")).toInt(), best->params.value(QStringLiteral("max_depth")).toInt());
        QCOMPARE(values.value(QStringLiteral("num_round")).toInt(), 4);
        QCOMPARE(training.dataPicker()->trainPath(), QFileInfo(titanic()).absoluteFilePath());
        QCOMPARE(training.experimentCombo()->currentText(), QStringLiteral("titanic-tuning"));
        QCOMPARE(training.runNameEdit()->text(), QStringLiteral("tune-eta-depth-best"));
        QTRY_VERIFY_WITH_TIMEOUT(!training.dataPicker()->isLoading(), 10000);
        QCOMPARE(training.dataPicker()->target(), QStringLiteral("survived"));
    }

    void stopEndsTheSearch()
    {
        QTemporaryDir dir;
        gui::StudioContext context;
        context.openWorkspace(dir.path());
        panels::TuningPanel panel(&context);
        panel.show();
        QVERIFY(panel.selectAlgorithm(QStringLiteral("xgboost")));
        QSignalSpy loaded(panel.dataPicker(), &gui::DataPicker::previewLoaded);
        panel.dataPicker()->setTrainPath(titanic());
        QVERIFY(loaded.wait(10000));
        // Long trials, so that Stop lands while the first one runs.
        QVERIFY(panel.parameterForm()->setText(QStringLiteral("num_round"), QStringLiteral("100000")));
        panel.parameterForm()->setTuned(QStringLiteral("eta"), true);
        panel.maxTrialsSpin()->setValue(5);
        panel.parallelSpin()->setValue(1);
        QSignalSpy finished(&panel, &panels::TuningPanel::tuningFinished);
        QVERIFY(panel.start());
        QTRY_VERIFY_WITH_TIMEOUT(panel.trialsModel()->rowCount() == 1 && panel.trialsModel()->item(0, 1)->text() == QStringLiteral("Running"), 30000);
        QTest::mouseClick(panel.stopButton(), Qt::LeftButton);
        QTRY_VERIFY_WITH_TIMEOUT(!finished.isEmpty(), 30000);
        QCOMPARE(panel.trialsModel()->rowCount(), 1);
        QCOMPARE(panel.trialsModel()->item(0, 1)->text(), QStringLiteral("Stopped"));
        QCOMPARE(context.store().run(panel.job()->runUuid()).status, RunStatus::Killed);
    }

    // One workspace, every panel: tuning runs made with `cairn tune` are listed with their
    // trials, finished ones from before the panel opened and a running one as it goes.
    void showsTuningRunsMadeWithTheCli()
    {
        QTemporaryDir dir;
        const QString ws = dir.path();
        auto tuneArgs = [&](const QString &name, int trials) {
            return QStringList{QStringLiteral("--workspace"), ws, QStringLiteral("tune"), QStringLiteral("--algorithm"), QStringLiteral("xgboost"),
                               QStringLiteral("--train"), titanic(), QStringLiteral("--target"), QStringLiteral("survived"),
                               QStringLiteral("--objective"), QStringLiteral("validation:auc"), QStringLiteral("--range"), QStringLiteral("eta=0.05:0.5:log"),
                               QStringLiteral("--range"), QStringLiteral("max_depth=2:6:int"), QStringLiteral("--hp"), QStringLiteral("num_round=4"),
                               QStringLiteral("--strategy"), QStringLiteral("random"), QStringLiteral("--max-trials"), QString::number(trials),
                               QStringLiteral("--parallel"), QStringLiteral("2"), QStringLiteral("--name"), name, QStringLiteral("-q")};
        };
        QProcess first;
        first.start(QStringLiteral(CAIRN_CLI_PATH), tuneArgs(QStringLiteral("cli-tune"), 4));
        QVERIFY(first.waitForFinished(120000));
        QVERIFY2(first.exitCode() == 0, first.readAllStandardError().constData());

        gui::StudioContext context;
        context.setPollInterval(200);
        context.openWorkspace(ws);
        panels::TuningPanel panel(&context);
        panels::TrainingPanel training(&context);
        panel.resize(1400, 900);
        panel.show();
        QVERIFY(QTest::qWaitForWindowExposed(&panel));

        // The finished run from the CLI, shown at once: not "No tuning job yet".
        QTreeWidget *runs = panel.runsView();
        QCOMPARE(runs->topLevelItemCount(), 1);
        QCOMPARE(runs->topLevelItem(0)->text(0), QStringLiteral("cli-tune"));
        QCOMPARE(runs->topLevelItem(0)->text(1), QStringLiteral("finished"));
        QVERIFY2(!panel.statusLabel()->text().contains(QStringLiteral("No tuning job")), qPrintable(panel.statusLabel()->text()));
        QVERIFY2(panel.statusLabel()->text().contains(QStringLiteral("cli-tune")), qPrintable(panel.statusLabel()->text()));
        QStandardItemModel *table = panel.trialsModel();
        QCOMPARE(table->rowCount(), 4);
        QCOMPARE(table->horizontalHeaderItem(2)->text(), QStringLiteral("validation.auc"));
        QCOMPARE(table->horizontalHeaderItem(3)->text(), QStringLiteral("eta"));
        for (int row = 0; row < 4; ++row) {
            QCOMPARE(table->item(row, 1)->text(), QStringLiteral("Finished"));
            const double auc = table->item(row, 2)->text().toDouble();
            QVERIFY2(auc > 0.7 && auc <= 1, qPrintable(table->item(row, 2)->text()));
            const double eta = table->item(row, 3)->text().toDouble();
            QVERIFY(eta >= 0.05 && eta <= 0.5);
        }
        // The best trial as the CLI reported it (the tuning run's best_run tag).
        const tuning::Trial *best = panel.shown().best();
        QVERIFY(best);
        QString bestRun;
        for (const Tag &t : context.store().tags(context.store().run(panel.shown().runUuid).id))
            if (t.key == QLatin1String("best_run"))
                bestRun = t.value;
        QCOMPARE(best->runUuid, bestRun);
        QVERIFY(table->item(best->index - 1, 0)->font().bold());
        QVERIFY(panel.statusLabel()->text().contains(QStringLiteral("Best validation.auc")));
        QCOMPARE(panel.objectivePlot()->graph(0)->dataCount(), 4);
        QCOMPARE(panel.parallelCoordinates()->itemCount(), 4);
        QVERIFY(panel.openBestButton()->isEnabled());
        QVERIFY(!panel.stopButton()->isEnabled()); // another process runs it
        QApplication::processEvents();
        QVERIFY(panel.grab().save(xgboostpanel::screenshotPath(QStringLiteral("tuning-cli-run.png"))));
        // Train the best works on it too.
        QTest::mouseClick(panel.trainBestButton(), Qt::LeftButton);
        QCOMPARE(training.algorithmId(), QStringLiteral("xgboost"));
        QCOMPARE(training.parameterForm()->values().value(QStringLiteral("max_depth")).toInt(), best->params.value(QStringLiteral("max_depth")).toInt());

        // A tuning run started from the CLI while the panel is open appears and fills in live.
        QProcess second;
        second.start(QStringLiteral(CAIRN_CLI_PATH), tuneArgs(QStringLiteral("cli-live"), 3));
        QVERIFY(second.waitForStarted());
        QTRY_VERIFY_WITH_TIMEOUT(runs->topLevelItemCount() == 2, 60000);
        QVERIFY(panel.selectRun(context.store().run(runs->topLevelItem(0)->data(0, Qt::UserRole + 1).toString()).uuid));
        QCOMPARE(runs->currentItem()->text(0), QStringLiteral("cli-live"));
        QTRY_VERIFY_WITH_TIMEOUT(table->rowCount() >= 1, 60000);
        // On a fast machine the run may already have ended inside the waits above, and
        // waitForFinished() answers false for a process that has finished.
        QVERIFY(second.state() == QProcess::NotRunning || second.waitForFinished(120000));
        QCOMPARE(second.exitStatus(), QProcess::NormalExit);
        QCOMPARE(second.exitCode(), 0);
        QTRY_VERIFY_WITH_TIMEOUT(runs->currentItem() && runs->currentItem()->text(1) == QStringLiteral("finished"), 30000);
        QTRY_COMPARE_WITH_TIMEOUT(table->rowCount(), 3, 30000);
        for (int row = 0; row < 3; ++row)
            QTRY_COMPARE_WITH_TIMEOUT(table->item(row, 1)->text(), QStringLiteral("Finished"), 30000);
        QVERIFY2(panel.statusLabel()->text().contains(QStringLiteral("finished")), qPrintable(panel.statusLabel()->text()));
    }
};

QTEST_MAIN(TestTuningPanel)
#include "tst_tuningpanel.moc"
