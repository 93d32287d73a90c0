// The runs table and experiment list models: QAbstractItemModelTester throughout, lazy
// fetching, sorting and filtering through the store, child runs under parents, and live
// refreshes that insert and move rows without a reset (so selections survive).
#include "demoworkspace.h"
#include "experimentlistmodel.h"
#include "runstablemodel.h"

#include "cairn/store/experimentstore.h"
#include "cairn/store/storewriter.h"
#include "cairn/workspace/workspace.h"

#include <QAbstractItemModelTester>
#include <QItemSelectionModel>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QtTest>

using namespace cairn;
using namespace cairn::panels;

class TestRunsTableModel : public QObject
{
    Q_OBJECT

    static bool waitLoaded(RunsTableModel &model)
    {
        if (!model.isLoading())
            return true;
        QSignalSpy spy(&model, &RunsTableModel::loaded);
        return spy.wait(10000);
    }

    static int columnOf(RunsTableModel &model, RunColumn::Kind kind, const QString &key = {})
    {
        return model.columnOf(RunColumn{kind, key});
    }

private Q_SLOTS:
    void init()
    {
        m_dir = std::make_unique<QTemporaryDir>();
        m_ws = std::make_unique<Workspace>(m_dir->path());
        m_ids = demo::create(*m_ws);
    }
    void cleanup()
    {
        m_ws.reset();
        m_dir.reset();
    }

    void listsAnExperimentsRunsWithTrialsUnderTheirParent()
    {
        RunsTableModel model;
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        model.setStore(&m_ws->store());
        model.setExtraColumns({{RunColumn::Metric, QStringLiteral("val_accuracy")}, {RunColumn::Param, QStringLiteral("eta")}});
        RunQuery query;
        query.experimentIds = {m_ids.xgbExperiment};
        model.setQuery(query);
        QVERIFY(waitLoaded(model));
        QVERIFY(model.isTree());
        QCOMPARE(model.rowCount(), m_ids.xgbTopLevelRuns);
        QCOMPARE(model.totalCount(), m_ids.xgbTopLevelRuns);
        QCOMPARE(model.columnCount(), 8);
        QCOMPARE(model.headerData(6, Qt::Horizontal).toString(), QStringLiteral("val_accuracy"));

        // Newest first: the live run was created last.
        QCOMPARE(model.index(0, 0).data(RunsTableModel::RunUuidRole).toString(), m_ids.runningRun);
        QCOMPARE(model.index(0, 1).data().toString(), QStringLiteral("Running"));

        const QModelIndex parent = model.indexOfRun(m_ws->store().run(m_ids.tuningParent).id);
        QVERIFY(parent.isValid());
        QVERIFY(model.hasChildren(parent));
        QVERIFY(model.canFetchMore(parent));
        QCOMPARE(model.rowCount(parent), 0);
        model.fetchMore(parent);
        QCOMPARE(model.rowCount(parent), m_ids.trials);
        const QModelIndex trial = model.index(0, 0, parent);
        QCOMPARE(trial.parent(), parent);
        QCOMPARE(trial.data().toString(), QStringLiteral("trial-1"));
        QVERIFY(!model.index(0, 7, parent).data().toString().isEmpty()); // eta
        QVERIFY(!model.hasChildren(trial));
        // The live run's duration keeps counting without a query.
        QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);
        QVERIFY(model.tickRunningDurations());
        QCOMPARE(changed.size(), 1);
        QCOMPARE(changed.first().at(0).toModelIndex(), model.index(0, 3));

        // With a filter the matching runs come flat, trials included.
        query.filter = QStringLiteral("params.booster = 'gbtree' and metrics.val_accuracy > 0");
        model.setQuery(query);
        QVERIFY(waitLoaded(model));
        QVERIFY(!model.isTree());
        for (int row = 0; row < model.rowCount(); ++row)
            QVERIFY(!model.hasChildren(model.index(row, 0)));
        // 9 of the 18 runs alternate to gbtree, plus 12 trials and the live run.
        QCOMPARE(model.rowCount(), 9 + m_ids.trials + 1);
    }

    void fetchesLazilyInPages()
    {
        ExperimentStore &store = m_ws->store();
        const qint64 exp = store.createExperiment(QStringLiteral("many"));
        StoreWriter writer(store);
        store.database().write([&] {
            for (int i = 0; i < 1050; ++i) {
                const Run run = store.createRun({.experimentId = exp, .name = QStringLiteral("r%1").arg(i)});
                writer.logMetric(run.id, QStringLiteral("score"), i % 100, 0, 1);
            }
        });
        writer.flush();
        RunsTableModel model; // no tester here: it fetches more pages itself
        model.setStore(&store);
        model.setPageSize(100);
        model.setQuery({.experimentIds = {exp}});
        QVERIFY(waitLoaded(model));
        QCOMPARE(model.totalCount(), 1050);
        QCOMPARE(model.rowCount(), 100);
        QVERIFY(model.canFetchMore({}));
        model.fetchMore({});
        QCOMPARE(model.rowCount(), 200);
        while (model.canFetchMore({}))
            model.fetchMore({});
        QCOMPARE(model.rowCount(), 1050);
        QCOMPARE(model.allRunIds().size(), 1050);
    }

    void sortsThroughTheStore()
    {
        RunsTableModel model;
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        model.setStore(&m_ws->store());
        model.setExtraColumns({{RunColumn::Metric, QStringLiteral("val_accuracy")}, {RunColumn::Param, QStringLiteral("max_depth")}});
        model.setNestChildren(false);
        model.setQuery({.experimentIds = {m_ids.xgbExperiment}});
        QVERIFY(waitLoaded(model));
        const int acc = columnOf(model, RunColumn::Metric, QStringLiteral("val_accuracy"));
        model.sort(acc, Qt::DescendingOrder);
        QVERIFY(model.isLoading());
        QVERIFY(waitLoaded(model));
        QCOMPARE(model.query().orderBy, QStringLiteral("metrics.val_accuracy DESC"));
        double previous = INFINITY;
        for (int row = 0; row < model.rowCount(); ++row) {
            const double v = model.index(row, acc).data().toDouble();
            QVERIFY2(v <= previous, qPrintable(QStringLiteral("row %1: %2 after %3").arg(row).arg(v).arg(previous)));
            previous = v;
        }
        // A param that reads as a number sorts as one (10 after 9, not after 1).
        const int depth = columnOf(model, RunColumn::Param, QStringLiteral("max_depth"));
        model.sort(depth, Qt::AscendingOrder);
        QVERIFY(waitLoaded(model));
        int last = -1;
        bool sawEmpty = false;
        for (int row = 0; row < model.rowCount(); ++row) {
            const QString text = model.index(row, depth).data().toString();
            if (text.isEmpty()) { // runs without the param come last
                sawEmpty = true;
                continue;
            }
            QVERIFY(!sawEmpty);
            const int v = text.toInt();
            QVERIFY(v >= last);
            last = v;
        }
        model.sort(columnOf(model, RunColumn::Name), Qt::AscendingOrder);
        QVERIFY(waitLoaded(model));
        QVERIFY(model.index(0, 0).data().toString() <= model.index(1, 0).data().toString());
    }

    void reportsFilterErrorsWithTheirPosition()
    {
        RunsTableModel model;
        model.setStore(&m_ws->store());
        QSignalSpy failed(&model, &RunsTableModel::queryFailed);
        model.setQuery({.filter = QStringLiteral("metrics.acc >> 3")});
        QVERIFY(failed.wait(5000));
        QCOMPARE(failed.first().at(1).toInt(), 13);
        QCOMPARE(model.rowCount(), 0);
        QVERIFY(!model.isLoading());
    }

    void liveRefreshInsertsRowsAndKeepsTheSelection()
    {
        RunsTableModel model;
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        QItemSelectionModel selection(&model);
        model.setStore(&m_ws->store());
        model.setExtraColumns({{RunColumn::Metric, QStringLiteral("val_loss")}});
        model.setQuery({.experimentIds = {m_ids.xgbExperiment}});
        QVERIFY(waitLoaded(model));
        const int before = model.rowCount();
        const QModelIndex chosen = model.index(5, 0);
        const qint64 chosenId = chosen.data(RunsTableModel::RunIdRole).toLongLong();
        selection.select(chosen, QItemSelectionModel::Select | QItemSelectionModel::Rows);

        // Another connection (as a training process would) adds a run and logs to the live one.
        {
            ExperimentStore other(m_ws->databasePath());
            const Run added = other.createRun({.experimentId = m_ids.xgbExperiment, .name = QStringLiteral("from-outside")});
            other.logMetric(added.uuid, {.key = QStringLiteral("val_loss"), .value = 0.123, .step = 0});
            other.logMetric(m_ids.runningRun, {.key = QStringLiteral("val_loss"), .value = 0.001, .step = 1000});
        }
        QSignalSpy reset(&model, &QAbstractItemModel::modelReset);
        QSignalSpy inserted(&model, &QAbstractItemModel::rowsInserted);
        QSignalSpy refreshed(&model, &RunsTableModel::refreshed);
        model.refresh();
        QVERIFY(refreshed.wait(5000));
        QCOMPARE(reset.size(), 0);
        QCOMPARE(inserted.size(), 1);
        QCOMPARE(model.rowCount(), before + 1);
        QCOMPARE(model.index(0, 0).data().toString(), QStringLiteral("from-outside"));
        const int lossColumn = columnOf(model, RunColumn::Metric, QStringLiteral("val_loss"));
        QCOMPARE(model.index(0, lossColumn).data().toString(), QStringLiteral("0.123"));
        QCOMPARE(model.indexOfRun(m_ws->store().run(m_ids.runningRun).id, lossColumn).data().toString(), QStringLiteral("0.001"));
        // The selected run is still selected, one row lower.
        const QModelIndexList rows = selection.selectedRows();
        QCOMPARE(rows.size(), 1);
        QCOMPARE(rows.first().data(RunsTableModel::RunIdRole).toLongLong(), chosenId);
        QCOMPARE(rows.first().row(), 6);

        // A deleted run leaves through rowsRemoved.
        QSignalSpy removed(&model, &QAbstractItemModel::rowsRemoved);
        {
            ExperimentStore other(m_ws->databasePath());
            other.deleteRun(model.index(1, 0).data(RunsTableModel::RunUuidRole).toString());
        }
        model.refresh();
        QVERIFY(refreshed.wait(5000));
        QCOMPARE(removed.size(), 1);
        QCOMPARE(model.rowCount(), before);
        QCOMPARE(selection.selectedRows().first().data(RunsTableModel::RunIdRole).toLongLong(), chosenId);
    }

    void liveRefreshMovesRowsWhenTheSortedValueChanges()
    {
        RunsTableModel model;
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        QItemSelectionModel selection(&model);
        model.setStore(&m_ws->store());
        model.setNestChildren(false);
        model.setExtraColumns({{RunColumn::Metric, QStringLiteral("val_loss")}});
        model.setQuery({.experimentIds = {m_ids.xgbExperiment}, .orderBy = QStringLiteral("metrics.val_loss")});
        QVERIFY(waitLoaded(model));
        const QModelIndex last = model.index(model.rowCount() - 1, 0);
        const QString uuid = last.data(RunsTableModel::RunUuidRole).toString();
        selection.select(last, QItemSelectionModel::Select | QItemSelectionModel::Rows);
        {
            ExperimentStore other(m_ws->databasePath());
            other.logMetric(uuid, {.key = QStringLiteral("val_loss"), .value = -1.0, .step = 100000});
        }
        QSignalSpy layout(&model, &QAbstractItemModel::layoutChanged);
        QSignalSpy refreshed(&model, &RunsTableModel::refreshed);
        model.refresh();
        QVERIFY(refreshed.wait(5000));
        QCOMPARE(layout.size(), 1);
        QCOMPARE(model.index(0, 0).data(RunsTableModel::RunUuidRole).toString(), uuid);
        QCOMPARE(selection.selectedRows().size(), 1);
        QCOMPARE(selection.selectedRows().first().row(), 0);
    }

    void experimentListModel()
    {
        ExperimentListModel model;
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        model.reload(m_ws->store(), ViewType::ActiveOnly);
        QCOMPARE(model.rowCount(), 3); // Default + the two demo experiments
        const int xgb = model.rowOf(m_ids.xgbExperiment);
        QCOMPARE(model.index(xgb, 0).data().toString(), QStringLiteral("titanic-xgboost"));
        QCOMPARE(model.index(xgb, 1).data().toLongLong(), m_ids.xgbTopLevelRuns + m_ids.trials);
        QSignalSpy reset(&model, &QAbstractItemModel::modelReset);
        m_ws->store().deleteExperiment(m_ids.cnnExperiment);
        model.reload(m_ws->store(), ViewType::All);
        QCOMPARE(reset.size(), 0); // same rows: updated in place
        QVERIFY(model.index(model.rowOf(m_ids.cnnExperiment), 0).data(ExperimentListModel::DeletedRole).toBool());
        model.reload(m_ws->store(), ViewType::ActiveOnly);
        QCOMPARE(model.rowCount(), 2);
        QCOMPARE(model.rowOf(m_ids.cnnExperiment), -1);
    }

    void runColumnSpecsRoundTrip()
    {
        for (const RunColumn &c : RunColumn::attributeColumns())
            QCOMPARE(RunColumn::fromSpec(c.spec()).value(), c);
        const RunColumn odd{RunColumn::Metric, QStringLiteral("val loss/epoch")};
        QCOMPARE(RunColumn::fromSpec(odd.spec()).value(), odd);
        QCOMPARE(odd.orderField(), QStringLiteral("metrics.`val loss/epoch`"));
        QVERIFY(!RunColumn::fromSpec(QStringLiteral("bogus")).has_value());
    }

private:
    std::unique_ptr<QTemporaryDir> m_dir;
    std::unique_ptr<Workspace> m_ws;
    demo::Ids m_ids;
};

QTEST_MAIN(TestRunsTableModel)
#include "tst_runstablemodel.moc"
