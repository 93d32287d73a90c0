#pragma once

#include "cairn/store/searchfilter.h"
#include "cairn/store/types.h"

#include <QHash>
#include <QStringList>

#include <memory>

namespace cairn {

class SqliteDatabase;

/// What to list: which experiments, a filter in the search language, an order, a page.
struct RunQuery
{
    QList<qint64> experimentIds; ///< empty: every experiment
    QString filter;
    QString orderBy;             ///< e.g. "metrics.acc DESC, start_time"; empty: newest first
    ViewType view = ViewType::ActiveOnly;
    bool topLevelOnly = false;   ///< only runs without a parent (children are listed under them)
    int limit = -1;
    int offset = 0;
};

/// The workspace's record of experiments and runs (MLflow's entities), over one SQLite
/// connection. Not thread-safe: one ExperimentStore per thread. Every method throws
/// cairn::Error with a message a user can act on.
class ExperimentStore
{
public:
    /// Opens (creating if needed) the database and brings its schema up to date.
    explicit ExperimentStore(const QString &databasePath);
    ~ExperimentStore();

    QString databasePath() const;
    SqliteDatabase &database();
    /// The schema version this build writes; newer databases are refused.
    static int schemaVersion();

    // Experiments
    QList<Experiment> experiments(ViewType view = ViewType::ActiveOnly);
    Experiment experiment(qint64 id);
    Experiment experimentByName(const QString &name);
    std::optional<Experiment> findExperiment(const QString &name);
    /// Accepts an id ("3") or a name.
    Experiment resolveExperiment(const QString &idOrName);
    qint64 createExperiment(const QString &name);
    /// The experiment named so, created if it does not exist yet.
    qint64 ensureExperiment(const QString &name);
    void renameExperiment(qint64 id, const QString &newName);
    void deleteExperiment(qint64 id);
    void restoreExperiment(qint64 id);

    // Runs
    struct NewRun
    {
        qint64 experimentId = 0;
        QString name;
        QString sourceType = QStringLiteral("LOCAL");
        QString sourceRef;
        QString parentUuid;
        QString host;
        RunStatus status = RunStatus::Running;
        qint64 pid = 0;
    };
    Run createRun(const NewRun &spec);
    Run run(const QString &uuidOrPrefix);
    QList<Run> runsByIds(const QList<qint64> &ids);
    QList<Run> searchRuns(const RunQuery &query);
    QList<qint64> searchRunIds(const RunQuery &query);
    qint64 countRuns(const RunQuery &query);
    QList<Run> childRuns(const QString &parentUuid);
    /// How many active child runs each of the given runs has (runs without children are absent).
    QHash<qint64, int> childCounts(const QList<qint64> &runIds);
    void setRunStatus(const QString &uuid, RunStatus status, qint64 endTime = 0);
    void renameRun(const QString &uuid, const QString &name);
    void deleteRun(const QString &uuid);
    void restoreRun(const QString &uuid);
    /// Runs left RUNNING on this host whose process no longer exists are marked FAILED.
    int failLostRuns(const QString &host);
    /// Whether a process with this id exists on this host (cairn::processExists).
    static bool processExists(qint64 pid);

    // Params, tags, metrics (one at a time: use StoreWriter for many)
    void logParam(const QString &uuid, const QString &key, const QString &value);
    void setTag(const QString &uuid, const QString &key, const QString &value);
    void deleteTag(const QString &uuid, const QString &key);
    void logMetric(const QString &uuid, const MetricPoint &point);

    QList<Param> params(qint64 runId);
    QList<Tag> tags(qint64 runId);
    QList<MetricSummary> metricSummaries(qint64 runId);
    MetricSeries metricHistory(qint64 runId, const QString &key);

    /// Values for many runs at once (tables): runId → key → value.
    QHash<qint64, QHash<QString, QString>> paramsOf(const QList<qint64> &runIds);
    QHash<qint64, QHash<QString, QString>> tagsOf(const QList<qint64> &runIds);
    QHash<qint64, QHash<QString, MetricSummary>> metricSummariesOf(const QList<qint64> &runIds);

    /// Keys in use among the experiments' runs (all experiments when empty), sorted.
    QStringList metricKeys(const QList<qint64> &experimentIds = {});
    QStringList paramKeys(const QList<qint64> &experimentIds = {});
    QStringList tagKeys(const QList<qint64> &experimentIds = {});

    /// Numeric id of a metric key, created if needed (writers cache these).
    qint64 metricKeyId(const QString &key);
    /// A change counter: it moves whenever any process commits to the database.
    qint64 dataVersion();

private:
    struct Private;
    std::unique_ptr<Private> d;
};

} // namespace cairn
