// The Training panel: the schema-driven form validates while typing, a filled form runs a real
// XGBoost job through `cairn worker` that finishes with metrics, the monitor shows its log and
// curves, Clone refills the form, Open run asks for the run, and jobs started by the CLI show up.
#include "../xgboostpanelsetup.h"
#include "../../e2e/sparsecsv.h"
#include "datapicker.h"
#include "joblistmodel.h"
#include "jobmonitor.h"
#include "jobservice.h"
#include "parameterform.h"
#include "studiocontext.h"
#include "debuggerconfigwidget.h"
#include "featureprocessingwidget.h"
#include "hostpicker.h"
#include "trainingpanel.h"

#include "cairn/debugger/rule.h"
#include "curveplot.h"

#include "cairn/algorithms/modelcard.h"
#include "cairn/algorithms/pluginmanager.h"
#include "cairn/jobs/jobmanager.h"
#include "cairn/remote/host.h"
#include "cairn/store/experimentstore.h"
#include "cairn/workspace/workspace.h"

#include <QAbstractItemModelTester>
#include <QApplication>
#include <QComboBox>
#include <QCheckBox>
#include <QLabel>
#include <QListWidget>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QProcess>
#include <QPushButton>
#include <QScrollArea>
#include <QScrollBar>
#include <QSignalSpy>
#include <QSpinBox>
#include <QStandardItemModel>
#include <QTableView>
#include <QTemporaryDir>
#include <QTreeView>
#include <QJsonArray>
#include <QTreeWidget>
#include <QtTest>

using namespace cairn;

namespace {
QString titanic()
{
    return xgboostpanel::sharedTable(QStringLiteral("titanic.csv"));
}

/// Picks XGBoost and titanic.csv and waits for the data preview.
bool xgboostOnTitanic(panels::TrainingPanel &panel)
{
    if (!panel.selectAlgorithm(QStringLiteral("xgboost")))
        return false;
    QSignalSpy loaded(panel.dataPicker(), &gui::DataPicker::previewLoaded);
    panel.dataPicker()->setTrainPath(titanic());
    return loaded.wait(10000) && loaded.first().first().toBool();
}

} // namespace

class TestTrainingPanel : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase()
    {
        if (const QString missing = xgboostpanel::setUp(titanic()); !missing.isEmpty())
            QSKIP(qPrintable(missing));
    }

    void debuggerSettingsGoIntoTheSpec()
    {
        QTemporaryDir dir;
        gui::StudioContext context;
        context.openWorkspace(dir.path());
        panels::TrainingPanel panel(&context);
        QVERIFY(panel.selectAlgorithm(QStringLiteral("xgboost")));
        panels::DebuggerConfigWidget *debuggerBox = panel.debuggerConfig();
        QVERIFY(debuggerBox);
        // Off by default: nothing is collected.
        QVERIFY(!debuggerBox->isChecked());
        QVERIFY(debuggerBox->config().collections.isEmpty());
        QVERIFY(debuggerBox->config().rules.isEmpty());

        debuggerBox->setChecked(true);
        auto *rules = debuggerBox->findChild<QTreeWidget *>(QStringLiteral("rules"));
        QVERIFY(rules && rules->topLevelItemCount() >= 16);
        const auto found = rules->findItems(QStringLiteral("FeatureImportanceOverweight"), Qt::MatchExactly);
        QCOMPARE(found.size(), 1);
        found.first()->setCheckState(0, Qt::Checked);
        found.first()->setCheckState(1, Qt::Checked);
        debuggerBox->findChild<QSpinBox *>(QStringLiteral("collectEvery"))->setValue(5);
        const JobSpec::Debugger config = debuggerBox->config();
        QVERIFY(config.collections.contains(QStringLiteral("weights")));
        QCOMPARE(config.interval, 5);
        QCOMPARE(config.rules.size(), 1);
        const QJsonObject rule = config.rules.first().toObject();
        QCOMPARE(rule.value(QStringLiteral("name")).toString(), QStringLiteral("FeatureImportanceOverweight"));
        QVERIFY(rule.value(QStringLiteral("actions")).toArray().contains(QStringLiteral("stop")));
        // The rules are valid for the job system, and a cloned job gets them back.
        debugger::RuleConfig::listFromJson(config.rules);
        JobSpec spec;
        spec.debugger = config;
        panels::DebuggerConfigWidget other;
        other.setConfig(spec.debugger);
        QCOMPARE(other.config().rules, config.rules);
        QCOMPARE(other.config().collections, config.collections);
        QCOMPARE(other.config().interval, 5);
    }

    void formValidatesWhileTyping()
    {
        QTemporaryDir dir;
        gui::StudioContext context;
        context.openWorkspace(dir.path());
        panels::TrainingPanel panel(&context);
        panel.resize(1300, 850);
        panel.show();
        QVERIFY(panel.selectAlgorithm(QStringLiteral("xgboost")));
        gui::ParameterForm *form = panel.parameterForm();

        // Every schema parameter has a row with its default and its help as tooltip.
        QCOMPARE(form->values().value(QStringLiteral("num_round")).toInt(), 100);
        QCOMPARE(form->values().value(QStringLiteral("booster")).toString(), QStringLiteral("gbtree"));
        auto *rounds = qobject_cast<QSpinBox *>(form->editor(QStringLiteral("num_round")));
        QVERIFY(rounds);
        QCOMPARE(rounds->minimum(), 1);
        QCOMPARE(rounds->maximum(), 100000);
        QVERIFY(rounds->toolTip().contains(QStringLiteral("Boosting rounds")));
        QVERIFY(qobject_cast<QComboBox *>(form->editor(QStringLiteral("booster"))));

        // No data yet: Train is off and says why.
        QVERIFY(!panel.trainButton()->isEnabled());
        QVERIFY(!panel.formMessage()->text().isEmpty());

        // Typing a bad learning rate shows a message under the row at once.
        auto *eta = qobject_cast<QLineEdit *>(form->editor(QStringLiteral("eta")));
        QVERIFY(eta);
        eta->selectAll();
        QTest::keyClicks(eta, QStringLiteral("fast"));
        QVERIFY(!form->isValid());
        QVERIFY(form->messageLabel(QStringLiteral("eta"))->isVisible());
        QVERIFY2(form->messageLabel(QStringLiteral("eta"))->text().contains(QStringLiteral("eta")),
                 qPrintable(form->messageLabel(QStringLiteral("eta"))->text()));
        eta->selectAll();
        QTest::keyClicks(eta, QStringLiteral("2"));
        QVERIFY(form->messageLabel(QStringLiteral("eta"))->text().contains(QStringLiteral("[0.0001, 1]")));
        eta->selectAll();
        QTest::keyClicks(eta, QStringLiteral("0.25"));
        QVERIFY(form->isValid());
        QVERIFY(!form->messageLabel(QStringLiteral("eta"))->isVisible());
        QCOMPARE(form->values().value(QStringLiteral("eta")).toDouble(), 0.25);

        // The data preview: the head of the file with the types inferred; the target is guessed.
        QSignalSpy loaded(panel.dataPicker(), &gui::DataPicker::previewLoaded);
        panel.dataPicker()->setTrainPath(titanic());
        QVERIFY(loaded.wait(10000));
        QCOMPARE(loaded.first().first().toBool(), true);
        QCOMPARE(panel.dataPicker()->columns(), (QStringList{QStringLiteral("name"), QStringLiteral("survived"), QStringLiteral("sex"),
                                                            QStringLiteral("age"), QStringLiteral("passengerClass")}));
        QCOMPARE(panel.dataPicker()->columnTypes().at(3), QStringLiteral("numeric"));
        QCOMPARE(panel.dataPicker()->columnTypes().at(2), QStringLiteral("categorical"));
        const auto *preview = qobject_cast<QStandardItemModel *>(panel.dataPicker()->previewView()->model());
        QCOMPARE(preview->rowCount(), gui::DataPicker::kPreviewRows);
        QCOMPARE(preview->item(0, 1)->text(), QStringLiteral("yes"));
        QCOMPARE(panel.dataPicker()->target(), QStringLiteral("survived"));
        QVERIFY2(panel.trainButton()->isEnabled(), qPrintable(panel.formMessage()->text()));

        // A file that does not exist is named.
        panel.dataPicker()->setTrainPath(dir.filePath(QStringLiteral("missing.csv")));
        QVERIFY(!panel.trainButton()->isEnabled());
        QVERIFY(panel.formMessage()->text().contains(QStringLiteral("missing.csv")));
    }

    // A CSV too big for this machine's memory is refused by the form, from the file's head (a
    // sparse file: a real header and rows, then a hole of at least 10 GB and of the memory).
    void csvTooBigForMemoryTurnsTrainOff()
    {
        QTemporaryDir dir;
        const QString csv = dir.filePath(QStringLiteral("huge.csv"));
        if (!writeSparseCsv(csv, 20, tooBigForMemory()))
            QSKIP("this file system cannot hold a sparse file of 10 GB or this machine's memory");
        gui::StudioContext context;
        context.openWorkspace(dir.filePath(QStringLiteral("ws")));
        panels::TrainingPanel panel(&context);
        QVERIFY(panel.selectAlgorithm(QStringLiteral("xgboost")));
        QSignalSpy loaded(panel.dataPicker(), &gui::DataPicker::previewLoaded);
        panel.dataPicker()->setTrainPath(csv);
        QVERIFY(loaded.wait(30000));
        QVERIFY(!panel.trainButton()->isEnabled());
        QVERIFY2(panel.formMessage()->text().contains(QLatin1String("is too big to read into memory")), qPrintable(panel.formMessage()->text()));
    }

    void trainsAJobAndWatchesIt()
    {
        QTemporaryDir dir;
        gui::StudioContext context;
        context.setPollInterval(100);
        context.openWorkspace(dir.path());
        panels::TrainingPanel panel(&context);
        QAbstractItemModelTester tester(panel.jobsModel(), QAbstractItemModelTester::FailureReportingMode::QtTest);
        panel.resize(1400, 900);
        panel.show();
        QVERIFY(QTest::qWaitForWindowExposed(&panel));
        QVERIFY(xgboostOnTitanic(panel));
        QVERIFY(panel.parameterForm()->setText(QStringLiteral("num_round"), QStringLiteral("5")));
        QVERIFY(panel.parameterForm()->setText(QStringLiteral("max_depth"), QStringLiteral("3")));
        panel.experimentCombo()->setCurrentText(QStringLiteral("titanic-gui"));
        panel.runNameEdit()->setText(QStringLiteral("five-rounds"));
        panel.cpusSpin()->setValue(1);
        QVERIFY2(panel.trainButton()->isEnabled(), qPrintable(panel.formMessage()->text()));

        QSignalSpy ended(&panel, &panels::TrainingPanel::jobEnded);
        QTest::mouseClick(panel.trainButton(), Qt::LeftButton);
        const QString jobId = panel.selectedJobId();
        QVERIFY(!jobId.isEmpty());
        QTRY_VERIFY_WITH_TIMEOUT(!ended.isEmpty(), 60000);
        QCOMPARE(ended.first().at(0).toString(), jobId);
        const auto state = ended.first().at(1).value<JobState>();
        QVERIFY2(state == JobState::Finished, qPrintable(panel.monitor()->logView()->toPlainText()));

        // The job in the list, finished, at 100%.
        const int row = panel.jobsModel()->rowOf(jobId);
        QVERIFY(row >= 0);
        QTRY_COMPARE_WITH_TIMEOUT(panel.jobsModel()->record(row).state, JobState::Finished, 5000);
        QCOMPARE(panel.jobsModel()->index(row, panels::JobListModel::StatusColumn).data().toString(), QStringLiteral("Finished"));
        QCOMPARE(panel.jobsModel()->index(row, panels::JobListModel::ProgressColumn).data().toString(), QStringLiteral("100%"));
        const QString runUuid = panel.jobsModel()->record(row).runUuid;
        QVERIFY(!runUuid.isEmpty());

        // Its run has the metrics of five rounds, and a sane AUC.
        ExperimentStore &store = context.store();
        const Run run = store.run(runUuid);
        QCOMPARE(run.status, RunStatus::Finished);
        QCOMPARE(run.name, QStringLiteral("five-rounds"));
        QCOMPARE(store.experiment(run.experimentId).name, QStringLiteral("titanic-gui"));
        const MetricSeries auc = store.metricHistory(run.id, QStringLiteral("validation.auc"));
        // One point per round (steps 0–4), then the final score.
        QVERIFY2(auc.steps.size() >= 5, qPrintable(QString::number(auc.steps.size())));
        QCOMPARE(auc.steps.mid(0, 5), (QList<qint64>{0, 1, 2, 3, 4}));
        QVERIFY2(auc.values.last() > 0.75, qPrintable(QString::number(auc.values.last())));
        bool hasParam = false;
        for (const Param &p : store.params(run.id))
            hasParam = hasParam || (p.key == QLatin1String("num_round") && p.value == QLatin1String("5"));
        QVERIFY(hasParam);

        // The monitor: the log (tailed from job.log) and the curves of every round.
        QTRY_VERIFY_WITH_TIMEOUT(panel.monitor()->logView()->toPlainText().contains(QStringLiteral("job finished")), 5000);
        QVERIFY(panel.monitor()->logView()->toPlainText().contains(QStringLiteral("worker started")));
        QTRY_COMPARE_WITH_TIMEOUT(panel.monitor()->points(QStringLiteral("validation.auc")).size(), auc.steps.size(), 5000);
        QTRY_VERIFY_WITH_TIMEOUT(panel.monitor()->plot()->curveCount() >= 2, 5000);
        QVERIFY(!panel.stopButton()->isEnabled());
        QVERIFY(panel.openRunButton()->isEnabled());

        // XGBoost's chart opens on its log loss per boosting round (train and validation), under
        // our metric name; AUC is a chart of its own.
        QComboBox *charts = panel.monitor()->metricCombo();
        QTRY_COMPARE_WITH_TIMEOUT(charts->currentText(), QStringLiteral("log_loss · per boosting round"), 5000);
        QVERIFY(charts->findText(QStringLiteral("logloss"), Qt::MatchContains) < 0);
        charts->setCurrentIndex(charts->findText(QStringLiteral("auc · per boosting round")));
        QVERIFY(panel.monitor()->summaryLabel()->text().contains(QStringLiteral("validation.auc")));
        QApplication::processEvents();
        QVERIFY(panel.grab().save(xgboostpanel::screenshotPath(QStringLiteral("training.png"))));
        auto *scroll = panel.findChild<QScrollArea *>();
        QVERIFY(scroll);
        QVERIFY2(!scroll->horizontalScrollBar()->isVisible(), qPrintable(QString::number(scroll->widget()->minimumSizeHint().width())));
        QVERIFY(scroll->widget()->grab().save(xgboostpanel::screenshotPath(QStringLiteral("training-form.png"))));

        // Open run asks the Experiments panel for the run.
        QSignalSpy show(&context, &gui::StudioContext::showRunRequested);
        QTest::mouseClick(panel.openRunButton(), Qt::LeftButton);
        QCOMPARE(show.size(), 1);
        QCOMPARE(show.first().first().toString(), runUuid);

        // Register and Deploy hand the finished job's run to the Models panel.
        QVERIFY(panel.registerModelButton()->isEnabled());
        QVERIFY(panel.deployModelButton()->isEnabled());
        QSignalSpy registerAsked(&context, &gui::StudioContext::registerModelRequested);
        QSignalSpy deployAsked(&context, &gui::StudioContext::deployModelRequested);
        QTest::mouseClick(panel.registerModelButton(), Qt::LeftButton);
        QTest::mouseClick(panel.deployModelButton(), Qt::LeftButton);
        QCOMPARE(registerAsked.size(), 1);
        QCOMPARE(registerAsked.first().first().toString(), runUuid);
        QCOMPARE(deployAsked.size(), 1);
        QCOMPARE(deployAsked.first().first().toString(), runUuid);

        // Clone fills the form with the job's settings.
        panel.parameterForm()->resetToDefaults();
        panel.dataPicker()->setTrainPath(QString());
        QTest::mouseClick(panel.cloneButton(), Qt::LeftButton);
        QCOMPARE(panel.parameterForm()->values().value(QStringLiteral("num_round")).toInt(), 5);
        QCOMPARE(panel.parameterForm()->values().value(QStringLiteral("max_depth")).toInt(), 3);
        QCOMPARE(panel.dataPicker()->trainPath(), QFileInfo(titanic()).absoluteFilePath());
        QCOMPARE(panel.experimentCombo()->currentText(), QStringLiteral("titanic-gui"));
        QCOMPARE(panel.cpusSpin()->value(), 1);
        QTRY_VERIFY_WITH_TIMEOUT(!panel.dataPicker()->isLoading(), 10000);
        QCOMPARE(panel.dataPicker()->target(), QStringLiteral("survived"));
        const JobSpec again = panel.currentSpec();
        QCOMPARE(again.target, QStringLiteral("survived"));
        QCOMPARE(again.hyperparameters.value(QStringLiteral("num_round")).toInt(), 5);
    }

    void hostPickerSetsTheJobsHost()
    {
        // The form's Host sets the job's host as `cairn train --host` does; the hosts are those of
        // this test's own hosts.json.
        QTemporaryDir dir;
        qputenv("CAIRN_HOSTS_FILE", dir.filePath(QStringLiteral("hosts.json")).toUtf8());
        qputenv("CAIRN_SSH_CONFIG", dir.filePath(QStringLiteral("no-ssh-config")).toUtf8());
        remote::Host gpu;
        gpu.name = QStringLiteral("gpu box");
        gpu.hostname = QStringLiteral("gpu.example.org");
        remote::HostStore().add(gpu);
        gui::StudioContext context;
        context.openWorkspace(dir.filePath(QStringLiteral("ws")));
        panels::TrainingPanel panel(&context);
        QVERIFY(xgboostOnTitanic(panel));
        QCOMPARE(panel.hostPicker()->host(), QStringLiteral("local"));
        QCOMPARE(panel.currentSpec().resources.host, QStringLiteral("local"));
        QVERIFY(panel.hostPicker()->findData(QStringLiteral("gpu box")) >= 0);
        panel.hostPicker()->setHost(QStringLiteral("gpu box"));
        JobSpec spec = panel.currentSpec();
        QCOMPARE(spec.resources.host, QStringLiteral("gpu box"));
        // A cloned job keeps its host, even one no longer in the list (shown as such, not replaced).
        spec.resources.host = QStringLiteral("retired box");
        panel.fillForm(spec);
        QCOMPARE(panel.hostPicker()->host(), QStringLiteral("retired box"));
        QVERIFY(panel.hostPicker()->currentText().contains(QStringLiteral("retired box")));
        qunsetenv("CAIRN_HOSTS_FILE");
        qunsetenv("CAIRN_SSH_CONFIG");
    }

    void slurmClusterAsksForItsShare()
    {
        // A Slurm cluster as the host: partition, time limit, GPUs and memory go into the job's
        // resources (#SBATCH lines), checked as cairn train checks them; other hosts hide them.
        QTemporaryDir dir;
        qputenv("CAIRN_HOSTS_FILE", dir.filePath(QStringLiteral("hosts.json")).toUtf8());
        qputenv("CAIRN_SSH_CONFIG", dir.filePath(QStringLiteral("no-ssh-config")).toUtf8());
        remote::Host hpc;
        hpc.name = QStringLiteral("hpc");
        hpc.kind = remote::Host::Kind::Slurm;
        remote::HostStore().add(hpc);
        gui::StudioContext context;
        context.openWorkspace(dir.filePath(QStringLiteral("ws")));
        panels::TrainingPanel panel(&context);
        QVERIFY(xgboostOnTitanic(panel));
        QVERIFY(panel.partitionEdit()->isHidden());
        panel.hostPicker()->setHost(QStringLiteral("hpc"));
        QVERIFY(!panel.partitionEdit()->isHidden());
        panel.partitionEdit()->setText(QStringLiteral("gpu"));
        panel.timeLimitEdit()->setText(QStringLiteral("2h"));
        QVERIFY_THROWS_EXCEPTION(Error, panel.currentSpec());
        panel.timeLimitEdit()->setText(QStringLiteral("2:00:00"));
        panel.gpusPerInstanceSpin()->setValue(1);
        JobSpec spec = panel.currentSpec();
        QCOMPARE(spec.resources.host, QStringLiteral("hpc"));
        QCOMPARE(spec.resources.partition, QStringLiteral("gpu"));
        QCOMPARE(spec.resources.timeLimit, QStringLiteral("2:00:00"));
        QCOMPARE(spec.resources.gpusPerInstance, 1);
        panel.resize(1100, 1000);
        panel.show();
        const QString shots = QDir(QStringLiteral(CAIRN_BUILD_DIR)).filePath(QStringLiteral("screenshots"));
        QDir().mkpath(shots);
        QTest::qWait(100);
        QVERIFY(panel.partitionEdit()->parentWidget()->grab().save(QDir(shots).filePath(QStringLiteral("training-slurm.png")))); // the Run box
        panel.hostPicker()->setHost(QStringLiteral("local"));
        QVERIFY(panel.partitionEdit()->isHidden());
        QVERIFY(panel.currentSpec().resources.partition.isEmpty());
        // A cloned cluster job brings its settings back.
        panel.fillForm(spec);
        QCOMPARE(panel.partitionEdit()->text(), QStringLiteral("gpu"));
        QVERIFY(!panel.partitionEdit()->isHidden());
        qunsetenv("CAIRN_HOSTS_FILE");
        qunsetenv("CAIRN_SSH_CONFIG");
    }

    void instancesGoIntoTheSpec()
    {
        // Instances × processes for the algorithms that train data-parallel, as --instances does.
        QTemporaryDir dir;
        gui::StudioContext context;
        context.openWorkspace(dir.path());
        panels::TrainingPanel panel(&context);
        QVERIFY(xgboostOnTitanic(panel));
        QVERIFY(panel.instancesSpin()->isEnabled());
        panel.instancesSpin()->setValue(3);
        panel.processesSpin()->setValue(2);
        JobSpec spec = panel.currentSpec();
        QCOMPARE(spec.resources.instances, 3);
        QCOMPARE(spec.resources.processesPerInstance, 2);
        QCOMPARE(spec.resources.worldSize(), 6);
        // A cloned distributed job brings its instances back.
        spec.resources.instances = 4;
        spec.resources.processesPerInstance = 1;
        panel.fillForm(spec);
        QCOMPARE(panel.instancesSpin()->value(), 4);
        QCOMPARE(panel.processesSpin()->value(), 1);
        // An algorithm that trains on one process only: the boxes go back to 1 and are disabled.
        if (panel.selectAlgorithm(QStringLiteral("kmeans"))) {
            QVERIFY(!panel.instancesSpin()->isEnabled());
            QCOMPARE(panel.currentSpec().resources.worldSize(), 1);
        }
    }

    void spreadOverHostsGoesIntoTheSpec()
    {
        // One instance on each ticked host, as `cairn train --hosts gpu1,gpu2` does: the job runs
        // from this machine, the instance count follows the hosts.
        QTemporaryDir dir;
        qputenv("CAIRN_HOSTS_FILE", dir.filePath(QStringLiteral("hosts.json")).toUtf8());
        qputenv("CAIRN_SSH_CONFIG", dir.filePath(QStringLiteral("no-ssh-config")).toUtf8());
        for (const QString &name : {QStringLiteral("gpu1"), QStringLiteral("gpu2")}) {
            remote::Host h;
            h.name = name;
            h.hostname = name + QStringLiteral(".example.org");
            remote::HostStore().add(h);
        }
        gui::StudioContext context;
        context.openWorkspace(dir.filePath(QStringLiteral("ws")));
        panels::TrainingPanel panel(&context);
        QVERIFY(xgboostOnTitanic(panel));
        auto *spread = panel.findChild<QCheckBox *>(QStringLiteral("spreadOverHosts"));
        auto *hosts = panel.findChild<gui::HostChecklist *>(QStringLiteral("spreadHosts"));
        QVERIFY(spread && hosts);
        QVERIFY(spread->isEnabled());
        QVERIFY(panel.currentSpec().resources.hosts.isEmpty());
        spread->setChecked(true);
        hosts->setHosts({QStringLiteral("gpu1")});
        QVERIFY_THROWS_EXCEPTION(Error, panel.currentSpec()); // one host spreads nothing
        hosts->setHosts({QStringLiteral("gpu1"), QStringLiteral("gpu2")});
        JobSpec spec = panel.currentSpec();
        QCOMPARE(spec.resources.hosts, (QStringList{QStringLiteral("gpu1"), QStringLiteral("gpu2")}));
        QCOMPARE(spec.resources.instances, 2);
        QCOMPARE(spec.resources.host, QStringLiteral("local"));
        QCOMPARE(panel.instancesSpin()->value(), 2);
        QVERIFY(!panel.instancesSpin()->isEnabled());
        QVERIFY(!panel.hostPicker()->isEnabled());
        panel.resize(1100, 1100);
        panel.show();
        const QString shots = QDir(QStringLiteral(CAIRN_BUILD_DIR)).filePath(QStringLiteral("screenshots"));
        QDir().mkpath(shots);
        QTest::qWait(100);
        QVERIFY(spread->parentWidget()->grab().save(QDir(shots).filePath(QStringLiteral("training-hosts.png")))); // the Run box
        // Unticked: back to one host.
        spread->setChecked(false);
        QVERIFY(panel.currentSpec().resources.hosts.isEmpty());
        QVERIFY(panel.hostPicker()->isEnabled());
        // A cloned spread job brings its hosts back.
        panel.fillForm(spec);
        QVERIFY(spread->isChecked());
        QCOMPARE(panel.currentSpec().resources.hosts, spec.resources.hosts);
        qunsetenv("CAIRN_HOSTS_FILE");
        qunsetenv("CAIRN_SSH_CONFIG");
    }

    void featureProcessingGoesIntoTheSpecAndTheModel()
    {
        QTemporaryDir dir;
        gui::StudioContext context;
        context.setPollInterval(100);
        context.openWorkspace(dir.path());
        panels::TrainingPanel panel(&context);
        panel.resize(1400, 1000);
        panel.show();
        panels::FeatureProcessingWidget *features = panel.featureProcessing();
        QVERIFY(!features->isVisible()); // until there is a table
        QVERIFY(xgboostOnTitanic(panel));
        QVERIFY(features->isVisible());
        // Off by default: the algorithm's own pipeline.
        QVERIFY(!features->isChecked());
        QVERIFY(panel.currentSpec().preprocessing.isEmpty());

        // Every column but the target can be left out.
        features->setChecked(true);
        auto *exclude = features->findChild<QListWidget *>(QStringLiteral("excludeColumns"));
        QCOMPARE(exclude->count(), 4);
        QCOMPARE(exclude->item(0)->text(), QStringLiteral("name (text)"));
        exclude->item(0)->setCheckState(Qt::Checked);
        auto *encoding = features->findChild<QComboBox *>(QStringLiteral("categoricalEncoding"));
        auto *oneHotMax = features->findChild<QSpinBox *>(QStringLiteral("oneHotMaxCardinality"));
        encoding->setCurrentIndex(encoding->findData(QStringLiteral("auto")));
        QVERIFY(oneHotMax->isEnabled());
        oneHotMax->setValue(1); // sex (two categories) goes over it: target encoding
        features->findChild<QCheckBox *>(QStringLiteral("impute"))->setChecked(true);
        const QJsonObject expected{{QStringLiteral("exclude"), QJsonArray{QStringLiteral("name")}},
                                   {QStringLiteral("categoricalEncoding"), QStringLiteral("auto")},
                                   {QStringLiteral("oneHotMaxCardinality"), 1},
                                   {QStringLiteral("impute"), true}};
        QCOMPARE(panel.currentSpec().preprocessing, expected);
        QApplication::processEvents();
        QVERIFY(features->grab().save(xgboostpanel::screenshotPath(QStringLiteral("training-features.png"))));

        // A real job: the model's pipeline has no name column, target-encodes sex and flags
        // the missing ages.
        QVERIFY(panel.parameterForm()->setText(QStringLiteral("num_round"), QStringLiteral("5")));
        panel.cpusSpin()->setValue(1);
        QSignalSpy ended(&panel, &panels::TrainingPanel::jobEnded);
        const QString jobId = panel.submit();
        QVERIFY2(!jobId.isEmpty(), qPrintable(panel.formMessage()->text()));
        QTRY_VERIFY_WITH_TIMEOUT(!ended.isEmpty(), 60000);
        QVERIFY2(ended.first().at(1).value<JobState>() == JobState::Finished, qPrintable(panel.monitor()->logView()->toPlainText()));
        const QString runUuid = panel.jobsModel()->record(panel.jobsModel()->rowOf(jobId)).runUuid;
        const ModelCard card = ModelCard::load(QDir(dir.path()).filePath(QStringLiteral("artifacts/%1/model").arg(runUuid)));
        QMap<QString, QJsonObject> encoded;
        for (const QJsonValue &f : card.preprocessing.value(QStringLiteral("encoder")).toObject().value(QStringLiteral("features")).toArray())
            encoded.insert(f.toObject().value(QStringLiteral("column")).toString(), f.toObject());
        QVERIFY(!encoded.contains(QStringLiteral("name")));
        QCOMPARE(encoded.value(QStringLiteral("sex")).value(QStringLiteral("encoding")).toString(), QStringLiteral("target"));
        QVERIFY(encoded.value(QStringLiteral("age")).value(QStringLiteral("missingIndicator")).toBool());

        // Another target: it leaves the list, the old one comes in, the exclusion stays.
        panel.dataPicker()->setTarget(QStringLiteral("sex"));
        QCOMPARE(exclude->count(), 4);
        QVERIFY(exclude->findItems(QStringLiteral("sex (categorical)"), Qt::MatchExactly).isEmpty());
        QCOMPARE(exclude->findItems(QStringLiteral("survived"), Qt::MatchStartsWith).size(), 1);
        QCOMPARE(panel.currentSpec().preprocessing.value(QStringLiteral("exclude")).toArray(), QJsonArray{QStringLiteral("name")});

        // Clone brings the settings back, once the data is read again.
        features->setChecked(false);
        panel.dataPicker()->setTrainPath(QString());
        QVERIFY(panel.selectJob(jobId));
        QTest::mouseClick(panel.cloneButton(), Qt::LeftButton);
        QTRY_VERIFY_WITH_TIMEOUT(!panel.dataPicker()->isLoading() && !panel.dataPicker()->columns().isEmpty(), 10000);
        QVERIFY(features->isChecked());
        QCOMPARE(panel.currentSpec().preprocessing, expected);

        // Images have no feature pipeline.
        const QString images = QStringLiteral(CAIRN_SHARED_DATA_DIR "/fashion-mnist/t10k-images-idx3-ubyte.gz");
        if (QFileInfo::exists(images)) {
            panel.dataPicker()->setTrainPath(images);
            QVERIFY(!features->isVisible());
            QVERIFY(panel.currentSpec().preprocessing.isEmpty() || !panel.trainButton()->isEnabled());
        }
    }

    void stopsARunningJob()
    {
        QTemporaryDir dir;
        gui::StudioContext context;
        context.openWorkspace(dir.path());
        panels::TrainingPanel panel(&context);
        panel.show();
        QVERIFY(xgboostOnTitanic(panel));
        // Enough rounds that the job is still running when Stop is pressed.
        QVERIFY(panel.parameterForm()->setText(QStringLiteral("num_round"), QStringLiteral("100000")));
        QSignalSpy ended(&panel, &panels::TrainingPanel::jobEnded);
        const QString jobId = panel.submit();
        QVERIFY(!jobId.isEmpty());
        QTRY_VERIFY_WITH_TIMEOUT(panel.jobsModel()->record(panel.jobsModel()->rowOf(jobId)).progress > 0, 30000);
        QVERIFY(panel.stopButton()->isEnabled());
        QTest::mouseClick(panel.stopButton(), Qt::LeftButton);
        QTRY_VERIFY_WITH_TIMEOUT(!ended.isEmpty(), 30000);
        QCOMPARE(ended.first().at(1).value<JobState>(), JobState::Stopped);
        QCOMPARE(context.store().run(panel.jobsModel()->record(panel.jobsModel()->rowOf(jobId)).runUuid).status, RunStatus::Killed);
    }

    void listsJobsFromTheCli()
    {
        QTemporaryDir dir;
        // A job run by `cairn train` in another process, before the panel opens.
        QProcess cli;
        cli.start(QStringLiteral(CAIRN_CLI_PATH),
                  {QStringLiteral("--workspace"), dir.path(), QStringLiteral("train"), QStringLiteral("--algorithm"), QStringLiteral("xgboost"),
                   QStringLiteral("--train"), titanic(), QStringLiteral("--target"), QStringLiteral("survived"), QStringLiteral("--hp"),
                   QStringLiteral("num_round=3"), QStringLiteral("--cpus"), QStringLiteral("1"), QStringLiteral("--quiet")});
        QVERIFY(cli.waitForFinished(60000));
        QVERIFY2(cli.exitCode() == 0, cli.readAllStandardError().constData());

        gui::StudioContext context;
        context.openWorkspace(dir.path());
        panels::TrainingPanel panel(&context);
        QAbstractItemModelTester tester(panel.jobsModel(), QAbstractItemModelTester::FailureReportingMode::QtTest);
        panel.show();
        QTRY_COMPARE_WITH_TIMEOUT(panel.jobsModel()->rowCount(), 1, 5000);
        const JobRecord r = panel.jobsModel()->record(0);
        QCOMPARE(r.state, JobState::Finished);
        QCOMPARE(r.algorithm, QStringLiteral("xgboost"));
        QVERIFY(panel.selectJob(r.id));
        QTRY_VERIFY_WITH_TIMEOUT(panel.monitor()->logView()->toPlainText().contains(QStringLiteral("job finished")), 5000);
        QTRY_VERIFY_WITH_TIMEOUT(panel.monitor()->points(QStringLiteral("validation.auc")).size() >= 3, 5000);
        QVERIFY(panel.monitor()->points(QStringLiteral("validation.auc")).contains(2));
        QVERIFY(panel.monitor()->plot()->curveCount() >= 1);
    }
};

QTEST_MAIN(TestTrainingPanel)
#include "tst_trainingpanel.moc"
