// What the Experiments panel shows first is never blank and ranks runs: the runs table's metric
// columns are the validation scores (not feature importance or training times, and they appear
// in a first session as runs arrive), the latest run opens, Run ▸ Curves and Compare ▸ Curves
// start on a series with steps, a single value is a marker, parallel-coordinates lines name
// their run, and a confusion matrix artifact is a coloured grid.
#include "../algorithmruns.h"

#include "compareview.h"
#include "curveplot.h"
#include "experimentspanel.h"
#include "parallelcoordinates.h"
#include "rundetailview.h"
#include "runstablemodel.h"
#include "studiocontext.h"

#include <QComboBox>
#include <QListWidget>
#include <QSettings>
#include <QStackedWidget>
#include <QTabWidget>
#include <QTableWidget>
#include <QTemporaryDir>
#include <QTreeView>
#include <QTreeWidget>
#include <QtTest>

using namespace cairn;
using namespace cairn::panels;

class TestChartDefaults : public QObject
{
    Q_OBJECT

    std::unique_ptr<QTemporaryDir> m_config;
    QTemporaryDir m_dir;
    gui::StudioContext *m_context = nullptr;
    std::unique_ptr<ExperimentsPanel> m_panel;
    qint64 m_titanic = -1, m_fashion = -1, m_fresh = -1;
    Run m_xgbA, m_xgbB, m_cnn;

    QStringList metricColumns() const
    {
        QStringList keys;
        for (const RunColumn &c : m_panel->runsModel()->extraColumns())
            if (c.kind == RunColumn::Metric)
                keys << c.key;
        return keys;
    }
    void shoot(const QString &name)
    {
        const QString path = QDir(QStringLiteral(CAIRN_BUILD_DIR)).filePath(QStringLiteral("screenshots/chartdefaults-%1.png").arg(name));
        QDir().mkpath(QFileInfo(path).absolutePath());
        QCoreApplication::processEvents();
        QVERIFY(m_panel->grab().save(path));
    }

private Q_SLOTS:
    void initTestCase()
    {
        m_config = std::make_unique<QTemporaryDir>();
        qputenv("XDG_CONFIG_HOME", m_config->path().toLocal8Bit());
        m_context = new gui::StudioContext(this);
        m_context->setPollInterval(100);
        m_context->openWorkspace(m_dir.path());
        ExperimentStore &store = m_context->store();
        m_titanic = store.createExperiment(QStringLiteral("titanic"));
        m_fashion = store.createExperiment(QStringLiteral("fashion"));
        m_fresh = store.createExperiment(QStringLiteral("first-session"));
        m_xgbA = algorithmruns::xgboostRun(m_context->workspace(), m_titanic, QStringLiteral("xgb-a"), 30, 0.6);
        QTest::qWait(5); // distinct start times: xgb-b is the latest
        m_xgbB = algorithmruns::xgboostRun(m_context->workspace(), m_titanic, QStringLiteral("xgb-b"), 40, 0.9);
        m_cnn = algorithmruns::cnnRun(store, m_fashion, QStringLiteral("cnn"));
        m_panel = std::make_unique<ExperimentsPanel>(m_context);
        m_panel->resize(1300, 800);
        m_panel->show();
        QVERIFY(QTest::qWaitForWindowExposed(m_panel.get()));
    }
    void cleanupTestCase()
    {
        m_panel.reset();
    }

    void tableRanksByValidationScores()
    {
        m_panel->selectExperiments({m_titanic});
        // Validation scores first, feature importance never (it sorted first alphabetically).
        QTRY_VERIFY_WITH_TIMEOUT(!metricColumns().isEmpty(), 10000);
        QCOMPARE(metricColumns().mid(0, 3), (QStringList{QStringLiteral("validation.accuracy"), QStringLiteral("validation.auc"),
                                                          QStringLiteral("validation.log_loss")}));
        for (const QString &k : metricColumns())
            QVERIFY2(!k.startsWith(QLatin1String("importance.")), qPrintable(k));
        // The latest run is open.
        QTRY_COMPARE_WITH_TIMEOUT(m_panel->detailView()->runId(), m_xgbB.id, 10000);
        shoot(QStringLiteral("table"));
    }

    void runCurvesStartOnSeriesWithSteps()
    {
        RunDetailView *detail = m_panel->detailView();
        QTRY_COMPARE_WITH_TIMEOUT(detail->runId(), m_xgbB.id, 10000);
        detail->tabs()->setCurrentIndex(1);
        QTRY_COMPARE_WITH_TIMEOUT(detail->curvePlot()->graphCount(), 2, 10000);
        QStringList names;
        for (int i = 0; i < detail->curvePlot()->graphCount(); ++i) {
            names << detail->curvePlot()->graph(i)->name();
            QVERIFY(detail->curvePlot()->graph(i)->dataCount() > 1);
        }
        QCOMPARE(names, (QStringList{QStringLiteral("train.log_loss"), QStringLiteral("validation.log_loss")}));
        QCOMPARE(detail->curvePlot()->xAxis->label(), QStringLiteral("boosting round"));
        // The list says what each series is.
        auto *list = detail->findChild<QListWidget *>();
        QVERIFY(list);
        bool perRound = false, oneValue = false;
        for (int i = 0; i < list->count(); ++i) {
            perRound = perRound || list->item(i)->text() == QStringLiteral("validation.auc (per boosting round)");
            oneValue = oneValue || list->item(i)->text() == QStringLiteral("importance.age (one value)");
        }
        QVERIFY(perRound);
        QVERIFY(oneValue);
        shoot(QStringLiteral("run-curves"));
    }

    void confusionMatrixIsAColouredGrid()
    {
        RunDetailView *detail = m_panel->detailView();
        detail->tabs()->setCurrentIndex(3);
        auto *artifacts = detail->findChild<QTreeWidget *>(QStringLiteral("artifactList"));
        QVERIFY(artifacts);
        QTRY_COMPARE(artifacts->topLevelItemCount(), 1);
        artifacts->setCurrentItem(artifacts->topLevelItem(0));
        QTableWidget *matrix = detail->confusionMatrix();
        QTRY_VERIFY(matrix->isVisible());
        QCOMPARE(matrix->rowCount(), 2);
        QCOMPARE(matrix->columnCount(), 2);
        QCOMPARE(matrix->horizontalHeaderItem(1)->text(), QStringLiteral("yes"));
        QCOMPARE(matrix->verticalHeaderItem(0)->text(), QStringLiteral("no"));
        QCOMPARE(matrix->item(1, 1)->text(), QStringLiteral("50"));
        // Colour by the share of the row: the diagonal is stronger than the mistakes.
        const QColor right = matrix->item(0, 0)->background().color(), wrong = matrix->item(0, 1)->background().color();
        QVERIFY(right != wrong);
        QVERIFY(right.lightnessF() < wrong.lightnessF());
        shoot(QStringLiteral("confusion-matrix"));
    }

    void compareCurvesStartOnSeriesWithSteps()
    {
        QTreeView *view = m_panel->runsView();
        view->selectAll();
        CompareView *compare = m_panel->compareView();
        QTRY_VERIFY(compare->isVisible());
        // validation.accuracy has one value per run: the curves open on the validation log loss.
        QTRY_COMPARE(compare->curveMetricBox()->currentText(), QStringLiteral("validation.log_loss"));
        QTRY_COMPARE_WITH_TIMEOUT(compare->curvePlot()->graphCount(), 2, 10000);
        for (int i = 0; i < 2; ++i)
            QVERIFY(compare->curvePlot()->graph(i)->dataCount() > 1);
        shoot(QStringLiteral("compare"));
        // Picked anyway, a single value per run is a marker for each run.
        const int loaded = compare->curvesLoaded();
        compare->curveMetricBox()->setCurrentText(QStringLiteral("validation.accuracy"));
        QTRY_VERIFY_WITH_TIMEOUT(compare->curvesLoaded() > loaded, 10000);
        QCOMPARE(compare->curvePlot()->graphCount(), 2);
        for (int i = 0; i < 2; ++i)
            QCOMPARE(compare->curvePlot()->graph(i)->lineStyle(), QCPGraph::lsNone);
        shoot(QStringLiteral("compare-single-values"));
        // Parallel coordinates name each line.
        gui::ParallelCoordinates *parallel = compare->parallelCoordinates();
        QCOMPARE(parallel->itemCount(), 2);
        QVERIFY(parallel->itemText(0).contains(QStringLiteral("xgb-")));
    }

    void cnnRunOpensOnItsEpochLosses()
    {
        m_panel->selectExperiments({m_fashion});
        RunDetailView *detail = m_panel->detailView();
        QTRY_COMPARE_WITH_TIMEOUT(detail->runId(), m_cnn.id, 10000);
        detail->tabs()->setCurrentIndex(1);
        // The plot may still show the run shown before for a moment: wait for this run's curves.
        QTRY_VERIFY_WITH_TIMEOUT(detail->curvePlot()->graphCount() == 2
                                     && detail->curvePlot()->graph(0)->name() == QLatin1String("train.epoch_loss"),
                                 10000);
        QCOMPARE(detail->curvePlot()->graph(1)->name(), QStringLiteral("validation.loss"));
        QCOMPARE(detail->curvePlot()->xAxis->label(), QStringLiteral("epoch"));
    }

    void firstSessionGetsColumnsAsRunsArrive()
    {
        // An experiment with no run yet has no metric columns; its first runs bring them.
        m_panel->selectExperiments({m_fresh});
        QTRY_VERIFY_WITH_TIMEOUT(m_panel->runsModel()->rowCount() == 0, 10000);
        QTest::qWait(200);
        QVERIFY(metricColumns().isEmpty());
        {
            // Another connection (a CLI run): seen through the store's change polling.
            Workspace other(m_dir.path());
            algorithmruns::xgboostRun(other, m_fresh, QStringLiteral("from-cli"), 10, 0.7);
        }
        QTRY_VERIFY_WITH_TIMEOUT(!metricColumns().isEmpty(), 10000);
        QCOMPARE(metricColumns().first(), QStringLiteral("validation.accuracy"));
    }
};

QTEST_MAIN(TestChartDefaults)
#include "tst_chartdefaults.moc"
