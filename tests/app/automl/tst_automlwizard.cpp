// The AutoML panel and its wizard on the offscreen platform: a CSV dropped onto the data page
// (and a broken one refused), the target page's profile and its errors, the budget page's
// checks, then a real AutoML job on iris.csv (two XGBoost candidates) followed live to the
// finish page, the panel's list of AutoML runs read back from the store, the notebook and run
// requests, a batch prediction, and a job that keeps running in the panel once the wizard closes.
#include "../xgboostpanelsetup.h"
#include "automlpanel.h"
#include "automlplots.h"
#include "automlresultview.h"
#include "automlwizard.h"
#include "batchpredictiondialog.h"
#include "hostpicker.h"
#include "leaderboardmodel.h"
#include "studiocontext.h"

#include "cairn/algorithms/pluginmanager.h"
#include "cairn/remote/host.h"
#include "cairn/store/experimentstore.h"
#include "cairn/workspace/workspace.h"

#include <QAbstractButton>
#include <QCheckBox>
#include <QComboBox>
#include <QDropEvent>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QMimeData>
#include <QPushButton>
#include <QSignalSpy>
#include <QSpinBox>
#include <QStandardItemModel>
#include <QTableView>
#include <QTemporaryDir>
#include <QTimeEdit>
#include <QTreeWidget>
#include <QtTest>

using namespace cairn;
using namespace cairn::panels;

namespace {
QString iris()
{
    return xgboostpanel::sharedTable(QStringLiteral("iris.csv"));
}

void writeFile(const QString &path, const QByteArray &content)
{
    QFile f(path);
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write(content);
}

/// What a file manager does when a file is dragged onto the page and let go.
bool dropFile(QWidget *target, const QString &path)
{
    QMimeData mime;
    mime.setUrls({QUrl::fromLocalFile(path)});
    QDragEnterEvent enter(QPoint(20, 20), Qt::CopyAction, &mime, Qt::LeftButton, Qt::NoModifier);
    QCoreApplication::sendEvent(target, &enter);
    if (!enter.isAccepted())
        return false;
    QDropEvent drop(QPointF(20, 20), Qt::CopyAction, &mime, Qt::LeftButton, Qt::NoModifier);
    QCoreApplication::sendEvent(target, &drop);
    return drop.isAccepted();
}

void save(QWidget *widget, const QString &name)
{
    QVERIFY(widget->grab().save(xgboostpanel::screenshotPath(name)));
}
} // namespace

class TestAutoMLWizard : public QObject
{
    Q_OBJECT
    QTemporaryDir m_config;

private Q_SLOTS:
    void initTestCase()
    {
        if (const QString missing = xgboostpanel::setUp(iris()); !missing.isEmpty())
            QSKIP(qPrintable(missing));
        // A hosts list of its own with one SSH host besides this machine, for the Hosts checklist
        // (nothing connects to it: the candidates in these tests train locally).
        qputenv("CAIRN_HOSTS_FILE", m_config.filePath(QStringLiteral("hosts.json")).toLocal8Bit());
        qputenv("CAIRN_SSH_CONFIG", "/dev/null");
        remote::Host gpu;
        gpu.name = QStringLiteral("gpu1");
        gpu.hostname = QStringLiteral("gpu1.example.org");
        gpu.jobLimit = 2;
        gpu.source = QStringLiteral("manual");
        remote::HostStore().add(gpu);
        QCoreApplication::setOrganizationName(QStringLiteral("cairn-tests"));
        QCoreApplication::setApplicationName(QStringLiteral("tst_automlwizard"));
    }

    void dataPageTakesADroppedCsvAndRefusesABrokenOne()
    {
        QTemporaryDir dir;
        gui::StudioContext context;
        context.openWorkspace(dir.filePath(QStringLiteral("ws")));
        AutoMLPanel panel(&context);
        AutoMLWizard *wizard = panel.newJob();
        QVERIFY(QTest::qWaitForWindowExposed(wizard));
        AutoMLDataPage *page = wizard->dataPage();
        QPushButton *next = qobject_cast<QPushButton *>(wizard->button(QWizard::NextButton));
        QVERIFY(!page->isComplete());
        QVERIFY(!next->isEnabled());
        save(wizard, QStringLiteral("automl-data-empty.png"));

        // A ragged row: the reader's message (file:line) is shown on the page, Next stays off.
        const QString bad = dir.filePath(QStringLiteral("bad.csv"));
        writeFile(bad, "a,b,c\n1,2,3\n4,5\n");
        QSignalSpy loaded(page, &AutoMLDataPage::loaded);
        QVERIFY(dropFile(page, bad));
        QVERIFY(loaded.wait(10000));
        QCOMPARE(loaded.last().first().toBool(), false);
        QVERIFY(page->errorLabel()->isVisible());
        QVERIFY2(page->errorLabel()->text().contains(QStringLiteral("bad.csv")), qPrintable(page->errorLabel()->text()));
        QVERIFY(!page->isComplete());
        QVERIFY(!next->isEnabled());
        save(wizard, QStringLiteral("automl-data-error.png"));

        // Something that is not a CSV is not taken.
        const QString picture = dir.filePath(QStringLiteral("picture.png"));
        writeFile(picture, "not a table");
        QVERIFY(!dropFile(page, picture));

        // iris.csv dropped: read in full, previewed with the inferred types, counted.
        QVERIFY(dropFile(page, iris()));
        QVERIFY(loaded.wait(10000));
        QCOMPARE(loaded.last().first().toBool(), true);
        QVERIFY(!page->errorLabel()->isVisible());
        QCOMPARE(page->table()->rowCount(), 150);
        QCOMPARE(page->previewView()->model()->columnCount(), 5);
        QCOMPARE(page->previewView()->model()->rowCount(), 50);
        QVERIFY(page->previewView()->model()->headerData(0, Qt::Horizontal).toString().contains(QStringLiteral("numeric")));
        QVERIFY2(page->statusLabel()->text().contains(QStringLiteral("150 rows")), qPrintable(page->statusLabel()->text()));
        QVERIFY(next->isEnabled());
        QCOMPARE(AutoMLDataPage::recentFiles().value(0), iris());
        save(wizard, QStringLiteral("automl-data.png"));
        wizard->close();
    }

    void targetPageProfilesAndRefusesOneClass()
    {
        QTemporaryDir dir;
        gui::StudioContext context;
        context.openWorkspace(dir.filePath(QStringLiteral("ws")));
        AutoMLPanel panel(&context);
        AutoMLWizard *wizard = panel.newJob();
        QVERIFY(QTest::qWaitForWindowExposed(wizard));
        QPushButton *next = qobject_cast<QPushButton *>(wizard->button(QWizard::NextButton));

        // A constant target and an ID column: one class cannot be learnt.
        const QString csv = dir.filePath(QStringLiteral("oneclass.csv"));
        QByteArray content = "id,x,label\n";
        for (int i = 0; i < 40; ++i)
            content += QByteArray::number(i) + ',' + QByteArray::number(i % 7) + ",yes\n";
        writeFile(csv, content);
        QSignalSpy loaded(wizard->dataPage(), &AutoMLDataPage::loaded);
        wizard->dataPage()->setPath(csv);
        QVERIFY(loaded.wait(10000));
        QSignalSpy profiled(wizard->targetPage(), &AutoMLTargetPage::profiled);
        wizard->next();
        QCOMPARE(wizard->currentId(), int(AutoMLWizard::TargetPageId));
        QVERIFY(profiled.wait(10000));
        AutoMLTargetPage *target = wizard->targetPage();
        QCOMPARE(target->target(), QStringLiteral("label"));
        QCOMPARE(profiled.last().first().toBool(), false);
        QVERIFY(target->errorLabel()->isVisible());
        QVERIFY2(!target->errorLabel()->text().isEmpty(), "the reason is shown");
        QVERIFY(!next->isEnabled());
        save(wizard, QStringLiteral("automl-target-error.png"));

        // Back to iris: its "target" column is guessed, multiclass detected, accuracy by default.
        wizard->back();
        wizard->dataPage()->setPath(iris());
        QVERIFY(loaded.wait(10000));
        wizard->next();
        QVERIFY(profiled.wait(10000));
        QCOMPARE(profiled.last().first().toBool(), true);
        QCOMPARE(target->target(), QStringLiteral("target"));
        QCOMPARE(target->task(), Task::Multiclass);
        QVERIFY2(target->problemTypeCombo()->itemText(0).contains(QStringLiteral("multiclass")), qPrintable(target->problemTypeCombo()->itemText(0)));
        QCOMPARE(target->metric(), QStringLiteral("auto"));
        QVERIFY(target->metricCombo()->itemText(0).contains(QStringLiteral("accuracy")));
        QVERIFY(target->metricCombo()->findData(QStringLiteral("f1_macro")) > 0);
        QCOMPARE(target->profileView()->model()->rowCount(), 5);
        QVERIFY(!target->errorLabel()->isVisible());
        QVERIFY(next->isEnabled());

        // Regression on a categorical target cannot work: said on the page.
        target->problemTypeCombo()->setCurrentIndex(target->problemTypeCombo()->findData(QStringLiteral("regression")));
        QVERIFY(profiled.wait(10000));
        QCOMPARE(profiled.last().first().toBool(), false);
        QVERIFY(target->errorLabel()->isVisible());
        QVERIFY(!next->isEnabled());
        target->problemTypeCombo()->setCurrentIndex(0);
        QVERIFY(profiled.wait(10000));
        QVERIFY(next->isEnabled());
        save(wizard, QStringLiteral("automl-target.png"));

        // Budget: zero time or no algorithm is refused with the reason.
        wizard->next();
        AutoMLBudgetPage *budget = wizard->budgetPage();
        QCOMPARE(wizard->currentId(), int(AutoMLWizard::BudgetPageId));
        QCOMPARE(budget->timeLimitSeconds(), 600);
        QVERIFY(budget->algorithmList()->count() >= 1);
        QVERIFY(budget->validationLabel()->text().contains(QStringLiteral("5-fold")));
        QPushButton *start = qobject_cast<QPushButton *>(wizard->button(QWizard::CommitButton));
        QVERIFY(start->isEnabled());
        budget->setTimeLimitSeconds(0);
        QVERIFY(!start->isEnabled());
        QVERIFY(budget->errorLabel()->isVisible());
        budget->setTimeLimitSeconds(600);
        QVERIFY(start->isEnabled());
        for (int i = 0; i < budget->algorithmList()->count(); ++i)
            budget->algorithmList()->item(i)->setCheckState(Qt::Unchecked);
        QVERIFY(!start->isEnabled());
        QVERIFY(budget->errorLabel()->isVisible());
        for (int i = 0; i < budget->algorithmList()->count(); ++i)
            budget->algorithmList()->item(i)->setCheckState(Qt::Checked);
        QVERIFY(start->isEnabled());
        // Hosts: this machine ticked at first; no host ticked is refused; two ticked spread the
        // candidates over both (the spec's hosts), one ticked puts them all there.
        gui::HostChecklist *hosts = budget->hostList();
        QCOMPARE(hosts->hosts(), QStringList{QStringLiteral("local")});
        QCOMPARE(hosts->count(), 2);
        hosts->setHosts({});
        QVERIFY(!start->isEnabled());
        QVERIFY(budget->errorLabel()->text().contains(QStringLiteral("host")));
        hosts->setHosts({QStringLiteral("gpu1")});
        QVERIFY(start->isEnabled());
        QCOMPARE(wizard->runPage()->specFromWizard().host, QStringLiteral("gpu1"));
        QVERIFY(wizard->runPage()->specFromWizard().hosts.isEmpty());
        hosts->setHosts({QStringLiteral("local"), QStringLiteral("gpu1")});
        QCOMPARE(wizard->runPage()->specFromWizard().hosts, (QStringList{QStringLiteral("local"), QStringLiteral("gpu1")}));
        save(wizard, QStringLiteral("automl-budget.png"));
        hosts->setHosts({QStringLiteral("local")});
        wizard->close();
    }

    void runsToTheFinishPage()
    {
        QTemporaryDir dir;
        gui::StudioContext context;
        context.openWorkspace(dir.filePath(QStringLiteral("ws")));
        AutoMLPanel panel(&context);
        panel.resize(1300, 800);
        panel.show();
        AutoMLWizard *wizard = panel.newJob();
        QVERIFY(QTest::qWaitForWindowExposed(wizard));

        QSignalSpy loaded(wizard->dataPage(), &AutoMLDataPage::loaded);
        QVERIFY(dropFile(wizard->dataPage(), iris()));
        QVERIFY(loaded.wait(10000));
        QSignalSpy profiled(wizard->targetPage(), &AutoMLTargetPage::profiled);
        wizard->next();
        QVERIFY(profiled.wait(10000));
        wizard->next();
        AutoMLBudgetPage *budget = wizard->budgetPage();
        budget->setTimeLimitSeconds(120); // ends at two candidates; the long limit only guards slow machines
        budget->maxCandidatesSpin()->setValue(2);
        for (int i = 0; i < budget->algorithmList()->count(); ++i) {
            QListWidgetItem *item = budget->algorithmList()->item(i);
            item->setCheckState(item->data(Qt::UserRole).toString() == QLatin1String("xgboost") ? Qt::Checked : Qt::Unchecked);
        }
        QCOMPARE(budget->algorithms(), QStringList{QStringLiteral("xgboost")});
        budget->nameEdit()->setText(QStringLiteral("iris-automl"));

        // Start with Ctrl+Enter from a field of the page, the button in view below it; the panel owns
        // the job and the run page follows it.
        QVERIFY(wizard->button(QWizard::CommitButton)->isVisible());
        wizard->activateWindow();
        QVERIFY(QTest::qWaitForWindowActive(wizard));
        budget->nameEdit()->setFocus();
        QTest::keyClick(budget->nameEdit(), Qt::Key_Return, Qt::ControlModifier);
        QCOMPARE(wizard->currentId(), int(AutoMLWizard::RunPageId));
        AutoMLRunPage *run = wizard->runPage();
        QVERIFY2(run->job(), qPrintable(run->errorLabel()->text()));
        QCOMPARE(panel.jobs().size(), 1);
        QCOMPARE(panel.jobs().first(), run->job());
        QVERIFY(run->stopButton()->isEnabled());
        QVERIFY(!wizard->button(QWizard::NextButton)->isEnabled());
        QSignalSpy ended(run, &AutoMLRunPage::jobEnded);
        QSignalSpy candidate(run->job(), &automl::AutoMLJob::candidateFinished);
        if (candidate.isEmpty())
            QVERIFY(candidate.wait(60000) || ended.count() > 0);
        QTRY_VERIFY_WITH_TIMEOUT(run->leaderboardModel()->rowCount() >= 1, 10000);
        QVERIFY(!run->timeLabel()->text().isEmpty());
        save(wizard, QStringLiteral("automl-run.png"));
        if (ended.isEmpty())
            QVERIFY(ended.wait(180000));
        QVERIFY2(ended.last().first().toBool(), qPrintable(run->errorLabel()->text()));
        QVERIFY(run->hasEnded());
        QVERIFY(!run->stopButton()->isEnabled());

        // The leaderboard: both candidates (and perhaps the ensemble), best first and ranked.
        LeaderboardModel *board = run->leaderboardModel();
        QVERIFY2(board->rowCount() >= 2, qPrintable(QString::number(board->rowCount())));
        QCOMPARE(board->metric(), QStringLiteral("accuracy"));
        QCOMPARE(board->headerData(LeaderboardModel::ObjectiveColumn, Qt::Horizontal).toString(), QStringLiteral("accuracy"));
        QCOMPARE(board->item(0, LeaderboardModel::RankColumn)->text(), QStringLiteral("1"));
        QVERIFY(board->metricColumn(QStringLiteral("f1_macro")) > 0);
        const double bestAccuracy = board->item(0, LeaderboardModel::ObjectiveColumn)->text().toDouble();
        QVERIFY2(bestAccuracy > 0.8, qPrintable(QString::number(bestAccuracy)));
        QVERIFY(run->objectivePlot()->pointCount() >= 2);
        // Each candidate names the host that trained it (this machine here).
        QCOMPARE(board->headerData(board->hostColumn(), Qt::Horizontal).toString(), QStringLiteral("Host"));
        for (int r = 0; r < board->rowCount(); ++r)
            if (!board->candidates().at(r).ensemble)
                QCOMPARE(board->item(r, board->hostColumn())->text(), QStringLiteral("local"));
        QVERIFY(run->progressLabel()->text().contains(QStringLiteral("accuracy")));
        save(wizard, QStringLiteral("automl-run-finished.png"));

        // Finish: the best model in words, its importance over iris's four features, the buttons.
        QVERIFY(wizard->button(QWizard::NextButton)->isEnabled());
        wizard->next();
        QCOMPARE(wizard->currentId(), int(AutoMLWizard::FinishPageId));
        AutoMLResultView *result = wizard->finishPage()->resultView();
        QVERIFY2(result->summaryLabel()->text().contains(QStringLiteral("Best model")), qPrintable(result->summaryLabel()->text()));
        QVERIFY(result->summaryLabel()->text().contains(QStringLiteral("<b>target</b>")));
        QCOMPARE(result->importancePlot()->featureCount(), 4);
        // The notebook buttons follow the notebooks the run has.
        const QString artifacts = context.workspace().artifactDir(panel.jobs().first()->runUuid());
        const QString dataNotebook = QDir(artifacts).filePath(QStringLiteral("notebooks/data_exploration.ipynb"));
        const QString candidateNotebook = QDir(artifacts).filePath(QStringLiteral("notebooks/candidate_definitions.ipynb"));
        QCOMPARE(result->dataNotebookButton()->isEnabled(), QFileInfo::exists(dataNotebook));
        QCOMPARE(result->candidateNotebookButton()->isEnabled(), QFileInfo::exists(candidateNotebook));
        QVERIFY(result->openRunButton()->isEnabled());
        QVERIFY(result->batchPredictionButton()->isEnabled());
        save(wizard, QStringLiteral("automl-finish.png"));

        QSignalSpy notebook(&context, &gui::StudioContext::openNotebookRequested);
        result->dataNotebookButton()->click();
        result->candidateNotebookButton()->click();
        QStringList requested;
        for (const QList<QVariant> &args : notebook)
            requested << args.first().toString();
        QStringList expected;
        for (const QString &path : {dataNotebook, candidateNotebook})
            if (QFileInfo::exists(path))
                expected << path;
        QCOMPARE(requested, expected);
        QSignalSpy showRun(&context, &gui::StudioContext::showRunRequested);
        result->openRunButton()->click();
        QCOMPARE(showRun.size(), 1);
        const QString runUuid = showRun.first().first().toString();
        QCOMPARE(runUuid, panel.jobs().first()->runUuid());

        // Batch prediction: the best model scores iris.csv into another CSV.
        result->batchPredictionButton()->click();
        auto *batch = result->findChild<BatchPredictionDialog *>();
        QVERIFY(batch);
        batch->setInputPath(iris());
        const QString out = dir.filePath(QStringLiteral("predictions.csv"));
        batch->setOutputPath(out);
        QSignalSpy predicted(batch, &BatchPredictionDialog::predictionFinished);
        QVERIFY(batch->start());
        QVERIFY(predicted.wait(60000));
        QVERIFY2(predicted.first().first().toBool(), qPrintable(batch->statusLabel()->text()));
        QFile predictions(out);
        QVERIFY(predictions.open(QIODevice::ReadOnly));
        const QList<QByteArray> lines = predictions.readAll().trimmed().split('\n');
        QCOMPARE(lines.size(), 151);
        QVERIFY(lines.first().startsWith("prediction"));
        QVERIFY(batch->statusLabel()->text().contains(QStringLiteral("150")));
        batch->close();
        wizard->accept();

        // The panel lists the run (tagged cairn.automl) and shows it.
        panel.refreshRuns();
        QVERIFY(panel.selectRun(runUuid));
        QCOMPARE(panel.resultView()->leaderboardModel()->rowCount(), board->rowCount());
        save(&panel, QStringLiteral("automl-panel.png"));

        // Another window's panel reads the same run back from its artifacts.
        AutoMLPanel other(&context);
        QCOMPARE(other.runsView()->topLevelItemCount(), 1);
        QSignalSpy shown(other.resultView(), &AutoMLResultView::resultShown);
        QVERIFY(other.selectRun(runUuid));
        if (other.resultView()->isLoading())
            QVERIFY(shown.wait(10000));
        AutoMLResultView *stored = other.resultView();
        QCOMPARE(stored->leaderboardModel()->rowCount(), board->rowCount());
        QCOMPARE(stored->leaderboardModel()->metric(), QStringLiteral("accuracy"));
        QCOMPARE(stored->importancePlot()->featureCount(), 4);
        QVERIFY2(stored->summaryLabel()->text().contains(QStringLiteral("Best model")), qPrintable(stored->summaryLabel()->text()));
        QCOMPARE(stored->dataNotebookButton()->isEnabled(), QFileInfo::exists(dataNotebook));
        QVERIFY(stored->batchPredictionButton()->isEnabled());
    }

    void importancePlotShowsPermutationAndShap()
    {
        ImportancePlot plot;
        plot.resize(600, 400);
        QList<ImportancePlot::Bar> permutation, shap;
        for (int i = 0; i < 20; ++i) {
            permutation << ImportancePlot::Bar{QStringLiteral("f%1").arg(i), double(i), 0.1};
            shap << ImportancePlot::Bar{QStringLiteral("f%1").arg(i), double(20 - i), 0};
        }
        plot.setImportance(permutation, {}, QStringLiteral("auc"));
        QCOMPARE(plot.featureCount(), ImportancePlot::kMaxFeatures);
        QVERIFY(!plot.hasShap());
        QVERIFY(!plot.legend->visible());
        // The most important feature by permutation is on top (the axis runs downwards).
        auto *ticker = dynamic_cast<QCPAxisTickerText *>(plot.yAxis->ticker().data());
        QVERIFY(ticker);
        QCOMPARE(ticker->ticks().value(0), QStringLiteral("f19"));
        plot.setImportance(permutation, shap, QStringLiteral("auc"));
        QVERIFY(plot.hasShap());
        QVERIFY(plot.legend->visible());
        QVERIFY(plot.xAxis2->visible());
        QCOMPARE(plot.plottableCount(), 3); // permutation bars, their error bars, SHAP bars
        plot.setImportance({}, shap, QStringLiteral("auc"));
        QCOMPARE(dynamic_cast<QCPAxisTickerText *>(plot.yAxis->ticker().data())->ticks().value(0), QStringLiteral("f0"));
        QVERIFY(!plot.xAxis2->visible());
        plot.setImportance({}, {}, QString());
        QCOMPARE(plot.featureCount(), 0);
    }

    void closingTheWizardLeavesTheJobRunning()
    {
        QTemporaryDir dir;
        gui::StudioContext context;
        context.openWorkspace(dir.filePath(QStringLiteral("ws")));
        AutoMLPanel panel(&context);
        AutoMLWizard *wizard = panel.newJob();
        QVERIFY(QTest::qWaitForWindowExposed(wizard));
        QSignalSpy loaded(wizard->dataPage(), &AutoMLDataPage::loaded);
        wizard->dataPage()->setPath(iris());
        QVERIFY(loaded.wait(10000));
        QSignalSpy profiled(wizard->targetPage(), &AutoMLTargetPage::profiled);
        wizard->next();
        QVERIFY(profiled.wait(10000));
        wizard->next();
        wizard->budgetPage()->setTimeLimitSeconds(300);
        wizard->next();
        QPointer<automl::AutoMLJob> job = wizard->runPage()->job();
        QVERIFY(job);
        QCOMPARE(wizard->button(QWizard::CancelButton)->text(), AutoMLWizard::tr("Close"));
        QPointer<AutoMLWizard> gone = wizard;
        wizard->close();
        QTRY_VERIFY(gone.isNull());
        QVERIFY(job);
        QVERIFY(!job->isFinished());
        QCOMPARE(panel.selectedRun(), job->runUuid());

        // The panel's Stop ends it with what was done.
        QSignalSpy finished(&panel, &AutoMLPanel::jobFinished);
        QVERIFY(panel.stopButton()->isEnabled());
        panel.stopButton()->click();
        QVERIFY(finished.wait(60000));
        QVERIFY(job->isFinished());
        QVERIFY(!panel.stopButton()->isEnabled());
    }
};

QTEST_MAIN(TestAutoMLWizard)
#include "tst_automlwizard.moc"
