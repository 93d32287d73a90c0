// The Experiments panel in the real main window, on the offscreen platform: typing a filter
// (with completion and an inline error), sorting from the header, selecting runs, the run detail,
// the compare view's four views, CSV and plot export, and a run written by another connection
// showing up without a reload. Screenshots go to <build>/screenshots/experiments-*.png.
#include "demoworkspace.h"

#include "compareview.h"
#include "curveplot.h"
#include "experimentlistmodel.h"
#include "experimentspanel.h"
#include "filterlineedit.h"
#include "mainwindow.h"
#include "panel.h"
#include "panelregistry.h"
#include "parallelcoordinates.h"
#include "plotexport.h"
#include "rundetailview.h"
#include "runstablemodel.h"
#include "studiocontext.h"
#include "theme.h"

#include "cairn/store/experimentstore.h"
#include "cairn/workspace/workspace.h"

#include <QAbstractItemView>
#include <QCompleter>
#include <QHeaderView>
#include <QLabel>
#include <QPainter>
#include <QSignalSpy>
#include <QTabWidget>
#include <QTableWidget>
#include <QTemporaryDir>
#include <QTreeView>
#include <QtTest>

using namespace cairn;
using namespace cairn::panels;

class TestExperimentsPanel : public QObject
{
    Q_OBJECT

    static QString shotPath(const QString &name)
    {
        const QString dir = QDir(QStringLiteral(CAIRN_BUILD_DIR)).filePath(QStringLiteral("screenshots"));
        QDir().mkpath(dir);
        return QDir(dir).filePath(QStringLiteral("experiments-%1.png").arg(name));
    }
    void shoot(const QString &name)
    {
        QCoreApplication::processEvents();
        const QString path = shotPath(name);
        QPixmap shot = m_window->grab();
        // Popups (the completer) are windows of their own: paint them where they are.
        QPainter painter(&shot);
        for (QWidget *w : QApplication::topLevelWidgets())
            if (w != m_window.get() && w->isVisible() && (w->windowFlags() & Qt::Popup) == Qt::Popup)
                painter.drawPixmap(m_window->mapFromGlobal(w->mapToGlobal(QPoint(0, 0))), w->grab());
        painter.end();
        QVERIFY(shot.save(path));
        QVERIFY(QFileInfo(path).size() > 5000);
    }
    bool waitLoaded()
    {
        RunsTableModel *model = m_panel->runsModel();
        if (!model->isLoading())
            return true;
        QSignalSpy spy(model, &RunsTableModel::loaded);
        return spy.wait(10000);
    }
    void clickRow(int row, Qt::KeyboardModifiers modifiers = Qt::NoModifier)
    {
        QTreeView *view = m_panel->runsView();
        const QModelIndex index = m_panel->runsModel()->index(row, 0);
        view->scrollTo(index);
        QTest::mouseClick(view->viewport(), Qt::LeftButton, modifiers, view->visualRect(index).center());
    }

private Q_SLOTS:
    void initTestCase()
    {
        // Settings of its own: the main window records the last workspace, and tst_mainwindow
        // (maybe running at the same time under ctest -j) checks that record in the shared folder.
        m_config = std::make_unique<QTemporaryDir>();
        qputenv("XDG_CONFIG_HOME", m_config->path().toLocal8Bit());
        m_dir = std::make_unique<QTemporaryDir>();
        {
            Workspace ws(m_dir->path());
            m_ids = demo::create(ws);
        }
        m_context = new gui::StudioContext(this);
        m_context->setPollInterval(100);
        m_window = std::make_unique<studio::MainWindow>(m_context, studio::createPanels(m_context));
        m_window->resize(1400, 880);
        QVERIFY(m_window->openWorkspace(m_dir->path()));
        QVERIFY(m_window->raisePanel(QStringLiteral("experiments")));
        m_window->show();
        QVERIFY(QTest::qWaitForWindowExposed(m_window.get()));
        for (gui::Panel *p : m_window->panels())
            if (auto *e = qobject_cast<ExperimentsPanel *>(p))
                m_panel = e;
        QVERIFY(m_panel);
        m_panel->selectExperiments({m_ids.xgbExperiment});
        QVERIFY(waitLoaded());
    }
    void cleanupTestCase()
    {
        m_window.reset();
    }

    void showsTheRunsOfTheSelectedExperiment()
    {
        QCOMPARE(m_panel->selectedExperimentIds(), QList<qint64>{m_ids.xgbExperiment});
        QCOMPARE(m_panel->runsModel()->rowCount(), m_ids.xgbTopLevelRuns);
        QVERIFY(!m_panel->icon().isNull());
        // First columns picked for a new experiment: its metrics and params.
        QTRY_VERIFY(m_panel->runsModel()->columnCount() > 6);
        QTRY_VERIFY(m_panel->filterEdit()->completions().contains(QStringLiteral("metrics.val_accuracy")));
        QTRY_VERIFY(m_panel->countLabel()->text().contains(QStringLiteral("runs")));
        // The tuning parent expands to its trials.
        const qint64 parentId = m_context->store().run(m_ids.tuningParent).id;
        m_panel->runsView()->expand(m_panel->runsModel()->indexOfRun(parentId));
        QTRY_COMPARE(m_panel->runsModel()->rowCount(m_panel->runsModel()->indexOfRun(parentId)), m_ids.trials);
        shoot(QStringLiteral("table"));
        m_panel->runsView()->collapse(m_panel->runsModel()->indexOfRun(parentId));
    }

    void completesKeysInTheFilterBar()
    {
        FilterLineEdit *edit = m_panel->filterEdit();
        edit->setFocus();
        edit->clear();
        QTest::keyClicks(edit, QStringLiteral("metrics.val_acc"));
        QCOMPARE(edit->wordAtCursor(), QStringLiteral("metrics.val_acc"));
        QTRY_VERIFY(edit->completer()->popup()->isVisible());
        QCOMPARE(edit->completer()->currentCompletion(), QStringLiteral("metrics.val_accuracy"));
        shoot(QStringLiteral("completion"));
        QTest::keyClick(edit->completer()->popup(), Qt::Key_Return);
        QCOMPARE(edit->text(), QStringLiteral("metrics.val_accuracy "));
        edit->clear();
    }

    void showsFilterErrorsInline()
    {
        FilterLineEdit *edit = m_panel->filterEdit();
        edit->setFocus();
        QTest::keyClicks(edit, QStringLiteral("metrics.val_accuracy >> 0.8"));
        edit->completer()->popup()->hide();
        QTest::keyClick(edit, Qt::Key_Return);
        QVERIFY(m_panel->filterError()->isVisible());
        const QString error = m_panel->filterError()->text();
        QVERIFY2(error.contains(QStringLiteral("position 23")), qPrintable(error));
        shoot(QStringLiteral("filter-error"));
        // The table keeps showing the last good result.
        QCOMPARE(m_panel->runsModel()->rowCount(), m_ids.xgbTopLevelRuns);
        edit->clear();
        QVERIFY(!m_panel->filterError()->isVisible());
    }

    void filtersAndSortsFromTheHeader()
    {
        FilterLineEdit *edit = m_panel->filterEdit();
        edit->setFocus();
        QTest::keyClicks(edit, QStringLiteral("params.booster = 'dart' and status = 'FINISHED'"));
        edit->completer()->popup()->hide();
        QTest::keyClick(edit, Qt::Key_Return);
        QVERIFY(!m_panel->filterError()->isVisible());
        QVERIFY(waitLoaded());
        QCOMPARE(m_panel->runsModel()->rowCount(), 8); // 9 dart runs, one of them failed
        for (int row = 0; row < m_panel->runsModel()->rowCount(); ++row)
            QCOMPARE(m_panel->runsModel()->index(row, 1).data().toString(), QStringLiteral("Finished"));

        // Sort by val_accuracy, best first: click its header (twice if it starts ascending).
        m_panel->setExtraColumns({{RunColumn::Metric, QStringLiteral("val_accuracy")}, {RunColumn::Metric, QStringLiteral("val_loss")},
                                  {RunColumn::Param, QStringLiteral("eta")}, {RunColumn::Param, QStringLiteral("max_depth")},
                                  {RunColumn::Param, QStringLiteral("booster")}});
        const int column = m_panel->runsModel()->columnOf({RunColumn::Metric, QStringLiteral("val_accuracy")});
        QHeaderView *header = m_panel->runsView()->header();
        const QPoint at(header->sectionViewportPosition(column) + header->sectionSize(column) / 2, header->height() / 2);
        QTest::mouseClick(header->viewport(), Qt::LeftButton, {}, at);
        QVERIFY(waitLoaded());
        if (header->sortIndicatorOrder() != Qt::DescendingOrder) {
            QTest::mouseClick(header->viewport(), Qt::LeftButton, {}, at);
            QVERIFY(waitLoaded());
        }
        QCOMPARE(m_panel->runsModel()->query().orderBy, QStringLiteral("metrics.val_accuracy DESC"));
        double previous = INFINITY;
        for (int row = 0; row < m_panel->runsModel()->rowCount(); ++row) {
            const double v = m_panel->runsModel()->index(row, column).data().toDouble();
            QVERIFY(v <= previous);
            previous = v;
        }
        shoot(QStringLiteral("filtered-sorted"));
    }

    void showsTheDetailOfOneRun()
    {
        // The run with artifacts: select it through the context's request, as other panels do.
        m_panel->filterEdit()->clear();
        QVERIFY(waitLoaded());
        Q_EMIT m_context->showRunRequested(m_ids.artifactRun);
        QTRY_COMPARE(m_panel->selectedRunIds().size(), 1);
        m_panel->updateSidePane();
        RunDetailView *detail = m_panel->detailView();
        QCOMPARE(detail->runId(), m_context->store().run(m_ids.artifactRun).id);
        QCOMPARE(m_panel->sideTabs()->currentWidget(), detail);
        // A run opens on its training and validation losses together.
        QTRY_VERIFY(detail->curvePlot()->graphCount() == 2);
        shoot(QStringLiteral("run-detail"));
        detail->tabs()->setCurrentIndex(1);
        shoot(QStringLiteral("run-curves"));
        detail->tabs()->setCurrentIndex(3);
        auto *artifacts = detail->findChild<QTreeWidget *>(QStringLiteral("artifactList"));
        QVERIFY(artifacts);
        QTRY_COMPARE(artifacts->topLevelItemCount(), 2);
        artifacts->setCurrentItem(artifacts->topLevelItem(1)); // importance.png
        shoot(QStringLiteral("run-artifacts"));
        // Editing a tag writes it to the store.
        detail->tabs()->setCurrentIndex(2);
        QTableWidget *tags = detail->tagsTable();
        QCOMPARE(tags->rowCount(), 2);
        tags->item(1, 1)->setText(QStringLiteral("xgboost-hist"));
        QCOMPARE(m_context->store().tagsOf({detail->runId()}).value(detail->runId()).value(QStringLiteral("model")),
                 QStringLiteral("xgboost-hist"));
        detail->tabs()->setCurrentIndex(0);
    }

    void showsTheRanksOfADistributedRun()
    {
        // Rank 0 of a distributed job records its ranks and hosts; the run's header shows them.
        const QString uuid = m_ids.artifactRun;
        m_context->store().setTag(uuid, QStringLiteral("distributed.ranks"), QStringLiteral("0=node1, 1=node2"));
        Q_EMIT m_context->showRunRequested(uuid);
        QTRY_COMPARE(m_panel->selectedRunIds().size(), 1);
        m_panel->updateSidePane();
        RunDetailView *detail = m_panel->detailView();
        detail->reload();
        auto *info = detail->findChild<QLabel *>(QStringLiteral("runInfo"));
        QVERIFY(info);
        QTRY_VERIFY2(info->text().contains(QStringLiteral("Distributed over 2 rank(s): 0=node1, 1=node2")), qPrintable(info->text()));
        m_context->store().deleteTag(uuid, QStringLiteral("distributed.ranks"));
        detail->reload();
        QTRY_VERIFY(!info->text().contains(QStringLiteral("Distributed")));
    }

    void comparesSelectedRuns()
    {
        m_panel->runsView()->clearSelection();
        clickRow(1);
        for (int row : {2, 3, 4, 5})
            clickRow(row, Qt::ControlModifier);
        QCOMPARE(m_panel->selectedRunIds().size(), 5);
        CompareView *compare = m_panel->compareView();
        QSignalSpy ready(compare, &CompareView::curvesReady);
        m_panel->updateSidePane();
        QCOMPARE(m_panel->sideTabs()->currentWidget(), compare);
        QCOMPARE(compare->runs().size(), 5);
        QVERIFY(ready.wait(5000) || compare->curvesLoaded() > 0);
        QTRY_COMPARE(compare->curvePlot()->graphCount(), 5);
        // The curves open on the validation loss: a series with steps (see tst_chartdefaults).
        QCOMPARE(compare->curveMetricBox()->currentText(), QStringLiteral("val_loss"));
        compare->tabs()->setCurrentIndex(0);
        shoot(QStringLiteral("compare-curves"));

        compare->tabs()->setCurrentIndex(1);
        gui::ParallelCoordinates *parallel = compare->parallelCoordinates();
        QVERIFY(parallel->axisCount() >= 3); // eta, max_depth, subsample/booster → metric
        QCOMPARE(parallel->itemCount(), 5);
        QSignalSpy brushed(parallel, &gui::ParallelCoordinates::brushChanged);
        parallel->setBrush(int(parallel->axisCount()) - 1, std::make_pair(-INFINITY, INFINITY));
        QCOMPARE(brushed.size(), 1);
        shoot(QStringLiteral("compare-parallel"));
        parallel->clearBrushes();

        compare->tabs()->setCurrentIndex(2);
        QVERIFY(compare->scatterPlot()->graphCount() == 1);
        QCOMPARE(compare->scatterPlot()->graph(0)->dataCount(), 5);
        shoot(QStringLiteral("compare-scatter"));

        compare->tabs()->setCurrentIndex(3);
        QTableWidget *diff = compare->diffTable();
        QCOMPARE(diff->columnCount(), 2 + 5);
        QVERIFY(diff->rowCount() > 3);
        bool sawEta = false;
        for (int row = 0; row < diff->rowCount(); ++row)
            sawEta = sawEta || (diff->item(row, 1) && diff->item(row, 1)->text() == QStringLiteral("eta"));
        QVERIFY(sawEta);
        shoot(QStringLiteral("compare-diff"));
        compare->tabs()->setCurrentIndex(0);
    }

    void exportsPlotsAndCsv()
    {
        QTemporaryDir out;
        CompareView *compare = m_panel->compareView();
        QString error;
        QVERIFY2(gui::savePlot(compare->curvePlot(), out.filePath(QStringLiteral("curves.png")), &error), qPrintable(error));
        QVERIFY2(gui::savePlot(compare->curvePlot(), out.filePath(QStringLiteral("curves.svg")), &error), qPrintable(error));
        QVERIFY2(gui::savePlot(compare->parallelCoordinates(), out.filePath(QStringLiteral("parallel.svg")), &error), qPrintable(error));
        QFile svg(out.filePath(QStringLiteral("curves.svg")));
        QVERIFY(svg.open(QIODevice::ReadOnly));
        const QByteArray text = svg.readAll();
        QVERIFY(text.contains("<svg"));
        QVERIFY(text.contains("<path") || text.contains("<polyline"));
        QVERIFY(!gui::savePlot(compare->curvePlot(), out.filePath(QStringLiteral("curves.bmpx")), &error));
        QVERIFY(error.contains(QStringLiteral(".svg")));

        const QString csv = out.filePath(QStringLiteral("runs.csv"));
        QCOMPARE(m_panel->exportCsv(csv), QString());
        QFile file(csv);
        QVERIFY(file.open(QIODevice::ReadOnly));
        const QStringList lines = QString::fromUtf8(file.readAll()).split(QLatin1Char('\n'), Qt::SkipEmptyParts);
        // Every run the table matches, trials included, not only the loaded rows.
        QCOMPARE(lines.size(), 1 + m_ids.xgbTopLevelRuns + m_ids.trials);
        QVERIFY(lines.first().startsWith(QStringLiteral("run_id,name,status")));
        QVERIFY(lines.first().contains(QStringLiteral("metrics.val_accuracy")));
    }

    void aRunWrittenElsewhereAppearsWithoutAReload()
    {
        const QList<qint64> selected = m_panel->selectedRunIds();
        QCOMPARE(selected.size(), 5);
        const int before = m_panel->runsModel()->rowCount();
        QString uuid;
        {
            // A second connection, as a training process or a notebook would write.
            ExperimentStore other(m_context->workspace().databasePath());
            const Run run = other.createRun({.experimentId = m_ids.xgbExperiment, .name = QStringLiteral("arrived-live")});
            other.logParam(run.uuid, QStringLiteral("eta"), QStringLiteral("0.05"));
            other.logMetric(run.uuid, {.key = QStringLiteral("val_accuracy"), .value = 0.5, .step = 0});
            uuid = run.uuid;
        }
        QElapsedTimer timer;
        timer.start();
        // The panel polls the store; a generous limit for a loaded machine (the speed is
        // bench material, not a test's).
        QTRY_COMPARE_WITH_TIMEOUT(m_panel->runsModel()->rowCount(), before + 1, 30000);
        qInfo("new run visible after %lld ms", timer.elapsed());
        QVERIFY(m_panel->runsModel()->indexOfRun(m_context->store().run(uuid).id).isValid());
        QList<qint64> after = m_panel->selectedRunIds();
        QList<qint64> expected = selected;
        std::sort(after.begin(), after.end());
        std::sort(expected.begin(), expected.end());
        QCOMPARE(after, expected);
        // The live run's status changes show too.
        {
            ExperimentStore other(m_context->workspace().databasePath());
            other.setRunStatus(uuid, RunStatus::Finished);
        }
        const qint64 id = m_context->store().run(uuid).id;
        QTRY_COMPARE_WITH_TIMEOUT(m_panel->runsModel()->indexOfRun(id, 1).data().toString(), QStringLiteral("Finished"), 30000);
        shoot(QStringLiteral("live"));
    }

    void followsTheDarkTheme()
    {
        gui::applyTheme(*qApp, gui::ThemeMode::Dark);
        QCoreApplication::processEvents();
        QVERIFY(gui::isDarkTheme());
        CompareView *compare = m_panel->compareView();
        m_panel->sideTabs()->setCurrentWidget(compare);
        compare->tabs()->setCurrentIndex(0);
        QTRY_VERIFY(compare->curvePlot()->grab().toImage().pixelColor(4, 4).lightness() < 100);
        shoot(QStringLiteral("dark-curves"));
        compare->tabs()->setCurrentIndex(1);
        shoot(QStringLiteral("dark-parallel"));
        compare->tabs()->setCurrentIndex(0);
        gui::applyTheme(*qApp, gui::ThemeMode::Light);
        QCoreApplication::processEvents();
    }

    void experimentsCanBeCreatedRenamedDeletedRestored()
    {
        ExperimentStore &store = m_context->store();
        const qint64 id = store.createExperiment(QStringLiteral("scratch"));
        m_context->notifyStoreChanged();
        QTRY_VERIFY(m_panel->experimentsModel()->rowOf(id) >= 0);
        store.renameExperiment(id, QStringLiteral("scratch-2"));
        m_context->notifyStoreChanged();
        QTRY_COMPARE(m_panel->experimentsModel()->experimentAt(m_panel->experimentsModel()->rowOf(id)).name, QStringLiteral("scratch-2"));
        m_panel->selectExperiments({id});
        QVERIFY(waitLoaded());
        QCOMPARE(m_panel->runsModel()->rowCount(), 0);
        store.deleteExperiment(id);
        m_context->notifyStoreChanged();
        QTRY_COMPARE(m_panel->experimentsModel()->rowOf(id), -1);
        store.restoreExperiment(id);
        m_context->notifyStoreChanged();
        QTRY_VERIFY(m_panel->experimentsModel()->rowOf(id) >= 0);
        m_panel->selectExperiments({m_ids.xgbExperiment});
        QVERIFY(waitLoaded());
    }

private:
    std::unique_ptr<QTemporaryDir> m_config;
    std::unique_ptr<QTemporaryDir> m_dir;
    demo::Ids m_ids;
    gui::StudioContext *m_context = nullptr;
    std::unique_ptr<studio::MainWindow> m_window;
    ExperimentsPanel *m_panel = nullptr;
};

QTEST_MAIN(TestExperimentsPanel)
#include "tst_experimentspanel.moc"
