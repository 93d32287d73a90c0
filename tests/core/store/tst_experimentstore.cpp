#include "cairn/store/experimentstore.h"
#include "cairn/store/runexport.h"
#include "cairn/store/sqlitedatabase.h"
#include "cairn/store/storewriter.h"
#include "cairn/workspace/workspace.h"

#include <QDir>
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>

#include <cmath>

using namespace cairn;

class TestExperimentStore : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init()
    {
        m_dir = std::make_unique<QTemporaryDir>();
        m_ws = std::make_unique<Workspace>(m_dir->path());
    }
    void cleanup()
    {
        m_ws.reset();
        m_dir.reset();
    }

    void migrationsCreateTheSchemaOnce()
    {
        ExperimentStore &store = m_ws->store();
        QCOMPARE(store.database().userVersion(), ExperimentStore::schemaVersion());
        QVERIFY(ExperimentStore::schemaVersion() >= 1);
        // Opening again applies nothing and keeps the data.
        store.createExperiment(QStringLiteral("keep"));
        ExperimentStore again(m_ws->databasePath());
        QVERIFY(again.findExperiment(QStringLiteral("keep")).has_value());
        QCOMPARE(again.database().userVersion(), ExperimentStore::schemaVersion());
        // The default experiment exists, as in MLflow.
        QCOMPARE(again.experiment(0).name, QStringLiteral("Default"));
    }

    void newerSchemaIsRefused()
    {
        m_ws->store().database().setUserVersion(ExperimentStore::schemaVersion() + 1);
        try {
            ExperimentStore store(m_ws->databasePath());
            QFAIL("a database from a newer version must be refused");
        } catch (const Error &e) {
            QVERIFY2(e.message().contains(QStringLiteral("newer")), qPrintable(e.message()));
        }
    }

    void notADatabaseIsAClearError()
    {
        QFile junk(m_dir->filePath(QStringLiteral("junk.db")));
        QVERIFY(junk.open(QIODevice::WriteOnly));
        junk.write(QByteArray(4096, 'x'));
        junk.close();
        // Refused without keeping the file open (the connection once leaked, with its descriptor).
        const auto openFiles = [] { return QDir(QStringLiteral("/proc/self/fd")).entryList(QDir::Files | QDir::System).size(); };
        const qsizetype before = openFiles();
        for (int i = 0; i < 20; ++i)
            QVERIFY_THROWS_EXCEPTION(Error, ExperimentStore(junk.fileName()));
        QCOMPARE(openFiles(), before);
    }

    void experimentsLifecycle()
    {
        ExperimentStore &store = m_ws->store();
        const qint64 id = store.createExperiment(QStringLiteral("titanic"));
        QVERIFY_THROWS_EXCEPTION(Error, store.createExperiment(QStringLiteral("titanic")));
        QVERIFY_THROWS_EXCEPTION(Error, store.createExperiment(QStringLiteral("  ")));
        store.renameExperiment(id, QStringLiteral("titanic-v2"));
        QCOMPARE(store.experiment(id).name, QStringLiteral("titanic-v2"));
        QVERIFY_THROWS_EXCEPTION(Error, store.renameExperiment(id, QStringLiteral("Default")));
        store.deleteExperiment(id);
        QCOMPARE(store.experiments().size(), 1);
        QCOMPARE(store.experiments(ViewType::DeletedOnly).size(), 1);
        QVERIFY_THROWS_EXCEPTION(Error, store.createRun({.experimentId = id}));
        store.restoreExperiment(id);
        QCOMPARE(store.experiments().size(), 2);
        QVERIFY_THROWS_EXCEPTION(Error, store.deleteExperiment(0));
        QCOMPARE(store.resolveExperiment(QString::number(id)).id, id);
        QCOMPARE(store.resolveExperiment(QStringLiteral("titanic-v2")).id, id);
        QCOMPARE(store.ensureExperiment(QStringLiteral("titanic-v2")), id);
    }

    void runsLifecycle()
    {
        ExperimentStore &store = m_ws->store();
        const qint64 exp = store.createExperiment(QStringLiteral("e"));
        const Run parent = store.createRun({.experimentId = exp, .name = QStringLiteral("tuning"), .sourceType = QStringLiteral("TUNING")});
        QCOMPARE(parent.uuid.size(), 32);
        QCOMPARE(parent.status, RunStatus::Running);
        QVERIFY(parent.startTime > 0);
        const Run child = store.createRun({.experimentId = exp, .parentUuid = parent.uuid});
        QVERIFY(!child.name.isEmpty()); // a generated name
        QCOMPARE(child.parentUuid, parent.uuid);
        QCOMPARE(store.childRuns(parent.uuid).size(), 1);
        QCOMPARE(store.experiment(exp).runCount, 2);

        store.setRunStatus(child.uuid, RunStatus::Finished);
        const Run done = store.run(child.uuid);
        QCOMPARE(done.status, RunStatus::Finished);
        QVERIFY(done.endTime >= done.startTime);
        QCOMPARE(store.run(child.uuid.left(8)).uuid, child.uuid); // unique prefix
        QVERIFY_THROWS_EXCEPTION(Error, store.run(QStringLiteral("not-an-id")));
        QVERIFY_THROWS_EXCEPTION(Error, store.run(QStringLiteral("ffffffffffffffffffffffffffffffff")));

        store.renameRun(child.uuid, QStringLiteral("trial-1"));
        QCOMPARE(store.run(child.uuid).name, QStringLiteral("trial-1"));
        store.deleteRun(child.uuid);
        RunQuery q;
        q.experimentIds = {exp};
        QCOMPARE(store.countRuns(q), 1);
        q.view = ViewType::DeletedOnly;
        QCOMPARE(store.countRuns(q), 1);
        store.restoreRun(child.uuid);
        q.view = ViewType::ActiveOnly;
        QCOMPARE(store.countRuns(q), 2);
    }

    void paramsAreImmutableTagsAreNot()
    {
        ExperimentStore &store = m_ws->store();
        const Run run = store.createRun({});
        store.logParam(run.uuid, QStringLiteral("eta"), QStringLiteral("0.1"));
        store.logParam(run.uuid, QStringLiteral("eta"), QStringLiteral("0.1")); // same value: fine
        QVERIFY_THROWS_EXCEPTION(Error, store.logParam(run.uuid, QStringLiteral("eta"), QStringLiteral("0.2")));
        store.setTag(run.uuid, QStringLiteral("model"), QStringLiteral("xgb"));
        store.setTag(run.uuid, QStringLiteral("model"), QStringLiteral("rf"));
        QCOMPARE(store.tags(run.id).size(), 1);
        QCOMPARE(store.tags(run.id).first().value, QStringLiteral("rf"));
        store.deleteTag(run.uuid, QStringLiteral("model"));
        QVERIFY(store.tags(run.id).isEmpty());
        QCOMPARE(store.params(run.id).first().value, QStringLiteral("0.1"));
    }

    void metricsKeepNanAndInfinities()
    {
        ExperimentStore &store = m_ws->store();
        const Run run = store.createRun({});
        store.logMetric(run.uuid, {QStringLiteral("loss"), 2.0, 0, 1000});
        store.logMetric(run.uuid, {QStringLiteral("loss"), std::nan(""), 1, 1001});
        store.logMetric(run.uuid, {QStringLiteral("loss"), INFINITY, 2, 1002});
        store.logMetric(run.uuid, {QStringLiteral("loss"), -INFINITY, 3, 1003});
        store.logMetric(run.uuid, {QStringLiteral("loss"), 0.5, 4, 1004});
        const MetricSeries series = store.metricHistory(run.id, QStringLiteral("loss"));
        QCOMPARE(series.values.size(), 5);
        QCOMPARE(series.values.at(0), 2.0);
        QVERIFY(std::isnan(series.values.at(1)));
        QVERIFY(std::isinf(series.values.at(2)) && series.values.at(2) > 0);
        QVERIFY(std::isinf(series.values.at(3)) && series.values.at(3) < 0);
        QCOMPARE(series.steps, (QList<qint64>{0, 1, 2, 3, 4}));

        const MetricSummary s = store.metricSummaries(run.id).first();
        QCOMPARE(s.last, 0.5);
        QCOMPARE(s.lastStep, 4);
        QCOMPARE(s.count, 5);
        QVERIFY(std::isinf(s.min) && s.min < 0);
        QVERIFY(std::isinf(s.max) && s.max > 0);
        QCOMPARE(formatMetricValue(series.values.at(1)), QStringLiteral("NaN"));
        QCOMPARE(formatMetricValue(series.values.at(3)), QStringLiteral("-Infinity"));
    }

    void latestIsByStepThenTime()
    {
        ExperimentStore &store = m_ws->store();
        const Run run = store.createRun({});
        store.logMetric(run.uuid, {QStringLiteral("acc"), 0.9, 10, 5000});
        store.logMetric(run.uuid, {QStringLiteral("acc"), 0.1, 3, 9000}); // later in time, earlier step
        store.logMetric(run.uuid, {QStringLiteral("acc"), std::nan(""), 10, 4000}); // same step, older
        const MetricSummary s = store.metricSummaries(run.id).first();
        QCOMPARE(s.last, 0.9);
        QCOMPARE(s.min, 0.1);
        QCOMPARE(s.max, 0.9);
    }

    void batchedWriterMatchesSingleWrites()
    {
        ExperimentStore &store = m_ws->store();
        const Run a = store.createRun({});
        const Run b = store.createRun({});
        {
            StoreWriter writer(store, 7); // small batches: several flushes
            for (int i = 0; i < 50; ++i) {
                const double v = i == 20 ? std::nan("") : std::sin(i);
                writer.logMetric(a.id, QStringLiteral("m"), v, i, 1000 + i);
                store.logMetric(b.uuid, {QStringLiteral("m"), v, i, 1000 + i});
            }
            writer.logParam(a.id, QStringLiteral("p"), QStringLiteral("1"));
            writer.setTag(a.id, QStringLiteral("t"), QStringLiteral("x"));
            writer.flush();
            QCOMPARE(writer.pending(), 0);
        }
        const MetricSummary sa = store.metricSummaries(a.id).first();
        const MetricSummary sb = store.metricSummaries(b.id).first();
        QCOMPARE(sa.count, sb.count);
        QCOMPARE(sa.last, sb.last);
        QCOMPARE(sa.min, sb.min);
        QCOMPARE(sa.max, sb.max);
        QCOMPARE(sa.lastStep, 49);
        const MetricSeries ha = store.metricHistory(a.id, QStringLiteral("m"));
        const MetricSeries hb = store.metricHistory(b.id, QStringLiteral("m"));
        QCOMPARE(ha.steps, hb.steps);
        QCOMPARE(ha.values.size(), 50);
        QVERIFY(std::isnan(ha.values.at(20)));
        QCOMPARE(store.params(a.id).first().value, QStringLiteral("1"));
        QCOMPARE(store.tags(a.id).first().value, QStringLiteral("x"));
    }

    void failedFlushKeepsThePoints()
    {
        ExperimentStore &store = m_ws->store();
        const Run run = store.createRun({});
        StoreWriter writer(store);
        writer.logMetric(run.id, QStringLiteral("m"), 1.0, 0);
        writer.logMetric(run.id, QStringLiteral("m"), 2.0, 1);
        store.database().exec(QStringLiteral("PRAGMA query_only = 1")); // every write now fails
        QVERIFY_THROWS_EXCEPTION(Error, writer.flush());
        QCOMPARE(writer.pending(), 2);
        store.database().exec(QStringLiteral("PRAGMA query_only = 0"));
        writer.flush();
        QCOMPARE(writer.pending(), 0);
        QCOMPARE(store.metricSummaries(run.id).first().count, 2);
        QCOMPARE(store.metricSummaries(run.id).first().last, 2.0);
    }

    void searchAndOrder()
    {
        ExperimentStore &store = m_ws->store();
        const qint64 exp = store.createExperiment(QStringLiteral("grid"));
        for (int i = 0; i < 10; ++i) {
            const Run run = store.createRun({.experimentId = exp, .name = QStringLiteral("run-%1").arg(i)});
            store.logParam(run.uuid, QStringLiteral("max_depth"), QString::number(i + 1));
            store.logParam(run.uuid, QStringLiteral("booster"), i % 2 ? QStringLiteral("gbtree") : QStringLiteral("dart"));
            store.logMetric(run.uuid, {QStringLiteral("auc"), 0.5 + i * 0.04, 0, 0});
            if (i % 3 == 0)
                store.setTag(run.uuid, QStringLiteral("kind"), QStringLiteral("baseline"));
            store.setRunStatus(run.uuid, i < 8 ? RunStatus::Finished : RunStatus::Failed);
        }
        auto names = [&](const QString &filter, const QString &order = {}) {
            RunQuery q;
            q.experimentIds = {exp};
            q.filter = filter;
            q.orderBy = order;
            QStringList out;
            for (const Run &r : store.searchRuns(q))
                out << r.name;
            return out;
        };
        QCOMPARE(names(QStringLiteral("metrics.auc > 0.8"), QStringLiteral("metrics.auc DESC")),
                 (QStringList{QStringLiteral("run-9"), QStringLiteral("run-8")}));
        // params compare as numbers when both sides are numbers: "10" > "9"
        QCOMPARE(names(QStringLiteral("params.max_depth >= 9"), QStringLiteral("params.max_depth")),
                 (QStringList{QStringLiteral("run-8"), QStringLiteral("run-9")}));
        QCOMPARE(names(QStringLiteral("params.max_depth = 10")), QStringList{QStringLiteral("run-9")});
        QCOMPARE(names(QStringLiteral("params.booster = 'dart' and status = 'failed'")), QStringList{QStringLiteral("run-8")});
        QCOMPARE(names(QStringLiteral("tags.kind = 'baseline' and metrics.auc < 0.7"), QStringLiteral("name")),
                 (QStringList{QStringLiteral("run-0"), QStringLiteral("run-3")}));
        QCOMPARE(names(QStringLiteral("tags.kind IS NULL and attributes.status = 'FINISHED' and params.max_depth in (2, 3, 5)"),
                       QStringLiteral("name")),
                 (QStringList{QStringLiteral("run-1"), QStringLiteral("run-2"), QStringLiteral("run-4")}));
        QCOMPARE(names(QStringLiteral("name LIKE 'run-1%' or name = 'run-7'"), QStringLiteral("name DESC")),
                 (QStringList{QStringLiteral("run-7"), QStringLiteral("run-1")}));
        QCOMPARE(names(QStringLiteral("name LIKE 'RUN-1'")).size(), 0); // LIKE is case-sensitive
        QCOMPARE(names(QStringLiteral("name ILIKE 'RUN-1'")).size(), 1);
        QCOMPARE(names(QStringLiteral("not (metrics.auc < 0.8)"), QStringLiteral("metrics.auc")).first(), QStringLiteral("run-8"));
        // sorting puts runs without the value last, either direction
        const Run bare = store.createRun({.experimentId = exp, .name = QStringLiteral("bare")});
        QCOMPARE(names(QString(), QStringLiteral("metrics.auc DESC")).last(), QStringLiteral("bare"));
        QCOMPARE(names(QString(), QStringLiteral("metrics.auc ASC")).last(), QStringLiteral("bare"));
        QCOMPARE(names(QStringLiteral("metrics.auc IS NULL")), QStringList{QStringLiteral("bare")});
        Q_UNUSED(bare);

        RunQuery page;
        page.experimentIds = {exp};
        page.orderBy = QStringLiteral("metrics.auc DESC");
        page.limit = 3;
        page.offset = 2;
        QCOMPARE(store.searchRunIds(page).size(), 3);
        QCOMPARE(store.searchRuns(page).first().name, QStringLiteral("run-7"));

        QCOMPARE(store.metricKeys({exp}), QStringList{QStringLiteral("auc")});
        QCOMPARE(store.paramKeys({exp}), (QStringList{QStringLiteral("booster"), QStringLiteral("max_depth")}));
        QCOMPARE(store.tagKeys(), QStringList{QStringLiteral("kind")});
    }

    void lostRunsAreMarkedFailed()
    {
        ExperimentStore &store = m_ws->store();
        QProcess gone;
        gone.start(QStringLiteral("true"));
        QVERIFY(gone.waitForFinished());
        const qint64 deadPid = gone.processId() > 0 ? gone.processId() : 999999;
        const Run lost = store.createRun({.host = QStringLiteral("here"), .pid = deadPid > 0 ? deadPid : 999999});
        const Run alive = store.createRun({.host = QStringLiteral("here"), .pid = QCoreApplication::applicationPid()});
        const Run elsewhere = store.createRun({.host = QStringLiteral("other"), .pid = 999999});
        Q_UNUSED(lost);
        // QProcess forgets the pid after exit; use one that is surely free instead.
        store.database().exec(QStringLiteral("UPDATE runs SET pid = 2147483 WHERE uuid = '%1'").arg(lost.uuid));
        QCOMPARE(store.failLostRuns(QStringLiteral("here")), 1);
        QCOMPARE(store.run(lost.uuid).status, RunStatus::Failed);
        QCOMPARE(store.run(alive.uuid).status, RunStatus::Running);
        QCOMPARE(store.run(elsewhere.uuid).status, RunStatus::Running);
    }

    void artifactsAreFilesInTheWorkspace()
    {
        const Run run = m_ws->store().createRun({});
        const QString file = m_dir->filePath(QStringLiteral("model.json"));
        QFile f(file);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write("{}");
        f.close();
        QCOMPARE(m_ws->logArtifact(run.uuid, file, QStringLiteral("models")), QStringLiteral("models/model.json"));
        const QList<ArtifactInfo> artifacts = m_ws->artifacts(run.uuid);
        QCOMPARE(artifacts.size(), 2); // the folder and the file
        QCOMPARE(artifacts.last().path, QStringLiteral("models/model.json"));
        QCOMPARE(artifacts.last().size, 2);
        QVERIFY_THROWS_EXCEPTION(Error, m_ws->logArtifact(run.uuid, file, QStringLiteral("../escape")));
        QVERIFY_THROWS_EXCEPTION(Error, m_ws->logArtifact(run.uuid, m_dir->filePath(QStringLiteral("missing"))));
    }

    void compareAndTables()
    {
        ExperimentStore &store = m_ws->store();
        const Run a = store.createRun({.name = QStringLiteral("a")});
        const Run b = store.createRun({.name = QStringLiteral("b")});
        store.logParam(a.uuid, QStringLiteral("eta"), QStringLiteral("0.1"));
        store.logParam(b.uuid, QStringLiteral("eta"), QStringLiteral("0.3"));
        store.logParam(a.uuid, QStringLiteral("depth"), QStringLiteral("4"));
        store.logParam(b.uuid, QStringLiteral("depth"), QStringLiteral("4"));
        store.logMetric(a.uuid, {QStringLiteral("auc"), 0.8, 0, 0});
        const RunComparison cmp = compareRuns(store, {a, b});
        auto row = [&](const QString &section, const QString &key) {
            for (const auto &r : cmp.rows)
                if (r.section == section && r.key == key)
                    return r;
            return RunComparison::Row{};
        };
        QVERIFY(row(QStringLiteral("params"), QStringLiteral("eta")).differs);
        QVERIFY(!row(QStringLiteral("params"), QStringLiteral("depth")).differs);
        QCOMPARE(row(QStringLiteral("metrics"), QStringLiteral("auc")).values, (QStringList{QStringLiteral("0.8"), QString()}));
        QVERIFY(row(QStringLiteral("metrics"), QStringLiteral("auc")).differs);
        QVERIFY(cmp.toText(true).contains(QStringLiteral("params.eta")));
        QVERIFY(!cmp.toText(true).contains(QStringLiteral("params.depth")));

        const RunTable table = buildRunTable(store, {a}, {QStringLiteral("name"), QStringLiteral("params.eta"), QStringLiteral("metrics.auc")});
        QCOMPARE(table.rows.first(), (QStringList{QStringLiteral("a"), QStringLiteral("0.1"), QStringLiteral("0.8")}));
        RunTable tricky;
        tricky.columns = {QStringLiteral("x")};
        tricky.rows = {{QStringLiteral("a,\"b\"")}};
        QCOMPARE(tricky.toCsv(), QStringLiteral("x\r\n\"a,\"\"b\"\"\"\r\n"));
    }

private:
    std::unique_ptr<QTemporaryDir> m_dir;
    std::unique_ptr<Workspace> m_ws;
};

QTEST_GUILESS_MAIN(TestExperimentStore)
#include "tst_experimentstore.moc"
