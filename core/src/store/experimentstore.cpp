#include "cairn/store/experimentstore.h"

#include "cairn/store/runnames.h"
#include "cairn/store/sqlitedatabase.h"
#include "cairn/util/process.h"
#include "schemasql.h"

#include <QDir>
#include <QFile>
#include <QRegularExpression>
#include <QSysInfo>
#include <QUuid>

#include <csignal>
#include <cerrno>

namespace cairn {

namespace {

Lifecycle lifecycleFromName(const QString &name)
{
    return name == QLatin1String("deleted") ? Lifecycle::Deleted : Lifecycle::Active;
}

QString viewCondition(ViewType view, const QString &column)
{
    switch (view) {
    case ViewType::ActiveOnly: return QStringLiteral("%1 = 'active'").arg(column);
    case ViewType::DeletedOnly: return QStringLiteral("%1 = 'deleted'").arg(column);
    case ViewType::All: break;
    }
    return QStringLiteral("1");
}

QString readResource(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        throw Error(QStringLiteral("missing built-in resource %1").arg(path));
    return QString::fromUtf8(file.readAll());
}

QString idList(const QList<qint64> &ids)
{
    QStringList parts;
    parts.reserve(ids.size());
    for (qint64 id : ids)
        parts << QString::number(id);
    return parts.join(QLatin1Char(','));
}

constexpr const char *kRunColumns =
    "r.id, r.uuid, r.experiment_id, r.name, r.status, r.start_time, r.end_time, r.source_type, r.source_ref, "
    "(SELECT pr.uuid FROM runs pr WHERE pr.id = r.parent_id), r.host, r.lifecycle";

Run readRun(const SqliteQuery &q)
{
    Run run;
    run.id = q.int64(0);
    run.uuid = q.text(1);
    run.experimentId = q.int64(2);
    run.name = q.text(3);
    run.status = runStatusFromName(q.text(4)).value_or(RunStatus::Running);
    run.startTime = q.int64(5);
    run.endTime = q.isNull(6) ? 0 : q.int64(6);
    run.sourceType = q.text(7);
    run.sourceRef = q.text(8);
    run.parentUuid = q.isNull(9) ? QString() : q.text(9);
    run.host = q.text(10);
    run.lifecycle = lifecycleFromName(q.text(11));
    return run;
}

void checkName(const QString &name, const char *what)
{
    if (name.trimmed().isEmpty())
        throw Error(QStringLiteral("%1 name must not be empty").arg(QString::fromLatin1(what)));
}

} // namespace

QString runStatusName(RunStatus status)
{
    switch (status) {
    case RunStatus::Scheduled: return QStringLiteral("SCHEDULED");
    case RunStatus::Running: return QStringLiteral("RUNNING");
    case RunStatus::Finished: return QStringLiteral("FINISHED");
    case RunStatus::Failed: return QStringLiteral("FAILED");
    case RunStatus::Killed: return QStringLiteral("KILLED");
    }
    return QStringLiteral("RUNNING");
}

std::optional<RunStatus> runStatusFromName(const QString &name)
{
    const QString upper = name.trimmed().toUpper();
    for (RunStatus s : {RunStatus::Scheduled, RunStatus::Running, RunStatus::Finished, RunStatus::Failed, RunStatus::Killed})
        if (runStatusName(s) == upper)
            return s;
    return std::nullopt;
}

bool isTerminal(RunStatus status)
{
    return status == RunStatus::Finished || status == RunStatus::Failed || status == RunStatus::Killed;
}

struct ExperimentStore::Private
{
    explicit Private(const QString &path) : db(path) {}
    SqliteDatabase db;
    QHash<QString, qint64> keyIds;
    QHash<qint64, QString> keyNames;

    QString keyName(qint64 id)
    {
        auto it = keyNames.constFind(id);
        if (it != keyNames.constEnd())
            return *it;
        // A key another connection added since: read them all again (there are few).
        auto q = db.query(QStringLiteral("SELECT id, name FROM metric_keys"));
        while (q.next())
            keyNames.insert(q.int64(0), q.text(1));
        return keyNames.value(id);
    }

    qint64 runId(const QString &uuid)
    {
        auto q = db.query(QStringLiteral("SELECT id FROM runs WHERE uuid = ?"));
        q.bind(1, uuid);
        if (!q.next())
            throw Error(QStringLiteral("no run with id %1").arg(uuid));
        return q.int64(0);
    }

    void touchExperiment(qint64 experimentId)
    {
        auto q = db.query(QStringLiteral("UPDATE experiments SET last_update_time = ? WHERE id = ?"));
        q.bind(1, nowMs()).bind(2, experimentId).exec();
    }

    void migrate()
    {
        const QDir dir(QStringLiteral(":/cairn/schema"));
        const QStringList files = dir.entryList({QStringLiteral("[0-9][0-9][0-9][0-9]_*.sql")}, QDir::Files, QDir::Name);
        const int latest = files.isEmpty() ? 0 : files.last().left(4).toInt();
        if (db.userVersion() == latest)
            return;
        db.write([&] {
            const int current = db.userVersion(); // re-read under the write lock
            if (current > latest)
                throw Error(QStringLiteral("%1 was written by a newer Cairn Studio (schema %2; this one knows %3)")
                                .arg(db.path()).arg(current).arg(latest));
            for (const QString &file : files) {
                const int version = file.left(4).toInt();
                if (version <= current)
                    continue;
                db.exec(readResource(dir.filePath(file)));
                db.setUserVersion(version);
            }
        });
    }

    struct BuiltQuery
    {
        QString sql;
        QList<QVariant> bindings;
    };

    BuiltQuery build(const RunQuery &query, const QString &select, bool ordered)
    {
        BuiltQuery out;
        QStringList where;
        where << viewCondition(query.view, QStringLiteral("r.lifecycle"));
        if (!query.experimentIds.isEmpty())
            where << QStringLiteral("r.experiment_id IN (%1)").arg(idList(query.experimentIds));
        if (query.topLevelOnly)
            where << QStringLiteral("r.parent_id IS NULL");
        const CompiledFilter filter = SearchFilter::compile(query.filter);
        if (!filter.sql.isEmpty()) {
            where << filter.sql;
            out.bindings = filter.bindings;
        }
        out.sql = QStringLiteral("SELECT %1 FROM runs r WHERE %2").arg(select, where.join(QStringLiteral(" AND ")));
        if (ordered) {
            QStringList order;
            for (const OrderTerm &term : SearchFilter::parseOrderBy(query.orderBy))
                order << QStringLiteral("%1 %2 NULLS LAST")
                             .arg(SearchFilter::orderExpression(term.field, out.bindings),
                                  term.descending ? QStringLiteral("DESC") : QStringLiteral("ASC"));
            order << QStringLiteral("r.start_time DESC") << QStringLiteral("r.id DESC");
            out.sql += QStringLiteral(" ORDER BY ") + order.join(QStringLiteral(", "));
            if (query.limit >= 0 || query.offset > 0)
                out.sql += QStringLiteral(" LIMIT %1 OFFSET %2").arg(query.limit).arg(query.offset);
        }
        return out;
    }

    void bindAll(SqliteQuery &q, const QList<QVariant> &bindings)
    {
        for (int i = 0; i < bindings.size(); ++i)
            q.bind(i + 1, bindings.at(i));
    }

    QHash<qint64, QHash<QString, QString>> keyValuesOf(const char *table, const QList<qint64> &runIds)
    {
        QHash<qint64, QHash<QString, QString>> out;
        if (runIds.isEmpty())
            return out;
        auto q = db.query(QStringLiteral("SELECT run_id, key, value FROM %1 WHERE run_id IN (%2)")
                              .arg(QString::fromLatin1(table), idList(runIds)));
        while (q.next())
            out[q.int64(0)].insert(q.text(1), q.text(2));
        return out;
    }

    QStringList keysOf(const QString &sql, const QList<qint64> &experimentIds)
    {
        const QString scope = experimentIds.isEmpty()
                                  ? QStringLiteral("1")
                                  : QStringLiteral("r.experiment_id IN (%1)").arg(idList(experimentIds));
        auto q = db.query(sql.arg(scope));
        QStringList keys;
        while (q.next())
            keys << q.text(0);
        return keys;
    }
};

ExperimentStore::ExperimentStore(const QString &databasePath)
    : d(std::make_unique<Private>(databasePath))
{
    d->migrate();
}

ExperimentStore::~ExperimentStore() = default;

QString ExperimentStore::databasePath() const
{
    return d->db.path();
}

SqliteDatabase &ExperimentStore::database()
{
    return d->db;
}

int ExperimentStore::schemaVersion()
{
    const QStringList files = QDir(QStringLiteral(":/cairn/schema"))
                                  .entryList({QStringLiteral("[0-9][0-9][0-9][0-9]_*.sql")}, QDir::Files, QDir::Name);
    return files.isEmpty() ? 0 : files.last().left(4).toInt();
}

// ---- Experiments ---------------------------------------------------------------------------

QList<Experiment> ExperimentStore::experiments(ViewType view)
{
    auto q = d->db.query(QStringLiteral(
        "SELECT e.id, e.name, e.lifecycle, e.creation_time, e.last_update_time, "
        "(SELECT COUNT(*) FROM runs r WHERE r.experiment_id = e.id AND r.lifecycle = 'active') "
        "FROM experiments e WHERE %1 ORDER BY e.id").arg(viewCondition(view, QStringLiteral("e.lifecycle"))));
    QList<Experiment> out;
    while (q.next()) {
        Experiment e;
        e.id = q.int64(0);
        e.name = q.text(1);
        e.lifecycle = lifecycleFromName(q.text(2));
        e.creationTime = q.int64(3);
        e.lastUpdateTime = q.int64(4);
        e.runCount = q.int64(5);
        out << e;
    }
    return out;
}

Experiment ExperimentStore::experiment(qint64 id)
{
    for (const Experiment &e : experiments(ViewType::All))
        if (e.id == id)
            return e;
    throw Error(QStringLiteral("no experiment with id %1").arg(id));
}

std::optional<Experiment> ExperimentStore::findExperiment(const QString &name)
{
    for (const Experiment &e : experiments(ViewType::All))
        if (e.name == name)
            return e;
    return std::nullopt;
}

Experiment ExperimentStore::experimentByName(const QString &name)
{
    if (auto e = findExperiment(name))
        return *e;
    throw Error(QStringLiteral("no experiment named '%1'").arg(name));
}

Experiment ExperimentStore::resolveExperiment(const QString &idOrName)
{
    if (auto e = findExperiment(idOrName))
        return *e;
    bool isId = false;
    const qint64 id = idOrName.toLongLong(&isId);
    if (isId)
        return experiment(id);
    throw Error(QStringLiteral("no experiment named '%1'").arg(idOrName));
}

qint64 ExperimentStore::createExperiment(const QString &name)
{
    checkName(name, "experiment");
    return d->db.write([&] {
        if (auto existing = findExperiment(name))
            throw Error(QStringLiteral("an experiment named '%1' already exists%2")
                            .arg(name, existing->lifecycle == Lifecycle::Deleted
                                           ? QStringLiteral(" (deleted: restore it, or pick another name)")
                                           : QString()));
        auto q = d->db.query(QStringLiteral("INSERT INTO experiments (name, creation_time, last_update_time) VALUES (?, ?, ?)"));
        const qint64 now = nowMs();
        q.bind(1, name.trimmed()).bind(2, now).bind(3, now).exec();
        return d->db.lastInsertRowId();
    });
}

qint64 ExperimentStore::ensureExperiment(const QString &name)
{
    return d->db.write([&] {
        if (auto existing = findExperiment(name)) {
            if (existing->lifecycle == Lifecycle::Deleted)
                throw Error(QStringLiteral("experiment '%1' is deleted: restore it first").arg(name));
            return existing->id;
        }
        return createExperiment(name);
    });
}

void ExperimentStore::renameExperiment(qint64 id, const QString &newName)
{
    checkName(newName, "experiment");
    d->db.write([&] {
        experiment(id);
        if (auto other = findExperiment(newName); other && other->id != id)
            throw Error(QStringLiteral("an experiment named '%1' already exists").arg(newName));
        auto q = d->db.query(QStringLiteral("UPDATE experiments SET name = ?, last_update_time = ? WHERE id = ?"));
        q.bind(1, newName.trimmed()).bind(2, nowMs()).bind(3, id).exec();
    });
}

void ExperimentStore::deleteExperiment(qint64 id)
{
    d->db.write([&] {
        experiment(id);
        if (id == 0)
            throw Error(QStringLiteral("the Default experiment cannot be deleted"));
        auto q = d->db.query(QStringLiteral("UPDATE experiments SET lifecycle = 'deleted', last_update_time = ? WHERE id = ?"));
        q.bind(1, nowMs()).bind(2, id).exec();
    });
}

void ExperimentStore::restoreExperiment(qint64 id)
{
    d->db.write([&] {
        experiment(id);
        auto q = d->db.query(QStringLiteral("UPDATE experiments SET lifecycle = 'active', last_update_time = ? WHERE id = ?"));
        q.bind(1, nowMs()).bind(2, id).exec();
    });
}

// ---- Runs --------------------------------------------------------------------------------

Run ExperimentStore::createRun(const NewRun &spec)
{
    return d->db.write([&] {
        const Experiment e = experiment(spec.experimentId);
        if (e.lifecycle == Lifecycle::Deleted)
            throw Error(QStringLiteral("experiment '%1' is deleted: restore it before adding runs").arg(e.name));
        QVariant parentId;
        if (!spec.parentUuid.isEmpty())
            parentId = d->runId(spec.parentUuid);
        const QString uuid = QUuid::createUuid().toString(QUuid::Id128);
        auto q = d->db.query(QStringLiteral(
            "INSERT INTO runs (uuid, experiment_id, name, status, start_time, source_type, source_ref, parent_id, host, pid) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"));
        q.bind(1, uuid)
            .bind(2, spec.experimentId)
            .bind(3, spec.name.isEmpty() ? generateRunName() : spec.name)
            .bind(4, runStatusName(spec.status))
            .bind(5, nowMs())
            .bind(6, spec.sourceType)
            .bind(7, spec.sourceRef)
            .bind(8, parentId)
            .bind(9, spec.host.isEmpty() ? QSysInfo::machineHostName() : spec.host)
            .bind(10, spec.pid > 0 ? QVariant(spec.pid) : QVariant());
        q.exec();
        d->touchExperiment(spec.experimentId);
        return run(uuid);
    });
}

Run ExperimentStore::run(const QString &uuidOrPrefix)
{
    const QString key = uuidOrPrefix.trimmed().toLower();
    static const QRegularExpression hex(QStringLiteral("^[0-9a-f]{4,32}$"));
    if (!hex.match(key).hasMatch())
        throw Error(QStringLiteral("'%1' is not a run id (32 hex digits, or a unique prefix of at least 4)").arg(uuidOrPrefix));
    auto q = d->db.query(QStringLiteral("SELECT %1 FROM runs r WHERE r.uuid >= ? AND r.uuid < ? ORDER BY r.uuid LIMIT 2")
                             .arg(QString::fromLatin1(kRunColumns)));
    q.bind(1, key).bind(2, key + QStringLiteral("g"));
    if (!q.next())
        throw Error(QStringLiteral("no run with id %1").arg(uuidOrPrefix));
    Run found = readRun(q);
    if (q.next())
        throw Error(QStringLiteral("run id prefix %1 is ambiguous: give more digits").arg(uuidOrPrefix));
    return found;
}

QList<Run> ExperimentStore::runsByIds(const QList<qint64> &ids)
{
    QList<Run> out;
    if (ids.isEmpty())
        return out;
    QHash<qint64, Run> byId;
    auto q = d->db.query(QStringLiteral("SELECT %1 FROM runs r WHERE r.id IN (%2)")
                             .arg(QString::fromLatin1(kRunColumns), idList(ids)));
    while (q.next()) {
        Run run = readRun(q);
        byId.insert(run.id, run);
    }
    out.reserve(ids.size());
    for (qint64 id : ids)
        if (byId.contains(id))
            out << byId.value(id);
    return out;
}

QList<Run> ExperimentStore::searchRuns(const RunQuery &query)
{
    const auto built = d->build(query, QString::fromLatin1(kRunColumns), true);
    auto q = d->db.query(built.sql);
    d->bindAll(q, built.bindings);
    QList<Run> out;
    while (q.next())
        out << readRun(q);
    return out;
}

QList<qint64> ExperimentStore::searchRunIds(const RunQuery &query)
{
    const auto built = d->build(query, QStringLiteral("r.id"), true);
    auto q = d->db.query(built.sql);
    d->bindAll(q, built.bindings);
    QList<qint64> out;
    while (q.next())
        out << q.int64(0);
    return out;
}

qint64 ExperimentStore::countRuns(const RunQuery &query)
{
    const auto built = d->build(query, QStringLiteral("COUNT(*)"), false);
    auto q = d->db.query(built.sql);
    d->bindAll(q, built.bindings);
    return q.next() ? q.int64(0) : 0;
}

QList<Run> ExperimentStore::childRuns(const QString &parentUuid)
{
    const qint64 parentId = d->runId(parentUuid);
    auto q = d->db.query(QStringLiteral("SELECT %1 FROM runs r WHERE r.parent_id = ? ORDER BY r.start_time, r.id")
                             .arg(QString::fromLatin1(kRunColumns)));
    q.bind(1, parentId);
    QList<Run> out;
    while (q.next())
        out << readRun(q);
    return out;
}

QHash<qint64, int> ExperimentStore::childCounts(const QList<qint64> &runIds)
{
    QHash<qint64, int> out;
    if (runIds.isEmpty())
        return out;
    auto q = d->db.query(QStringLiteral("SELECT parent_id, COUNT(*) FROM runs WHERE parent_id IN (%1) AND lifecycle = 'active' "
                                        "GROUP BY parent_id").arg(idList(runIds)));
    while (q.next())
        out.insert(q.int64(0), int(q.int64(1)));
    return out;
}

void ExperimentStore::setRunStatus(const QString &uuid, RunStatus status, qint64 endTime)
{
    d->db.write([&] {
        const qint64 id = d->runId(uuid);
        auto q = d->db.query(QStringLiteral("UPDATE runs SET status = ?, end_time = ? WHERE id = ?"));
        q.bind(1, runStatusName(status));
        if (isTerminal(status))
            q.bind(2, endTime > 0 ? endTime : nowMs());
        else
            q.bindNull(2);
        q.bind(3, id).exec();
    });
}

void ExperimentStore::renameRun(const QString &uuid, const QString &name)
{
    checkName(name, "run");
    d->db.write([&] {
        auto q = d->db.query(QStringLiteral("UPDATE runs SET name = ? WHERE id = ?"));
        q.bind(1, name.trimmed()).bind(2, d->runId(uuid)).exec();
    });
}

void ExperimentStore::deleteRun(const QString &uuid)
{
    d->db.write([&] {
        auto q = d->db.query(QStringLiteral("UPDATE runs SET lifecycle = 'deleted', deleted_time = ? WHERE id = ?"));
        q.bind(1, nowMs()).bind(2, d->runId(uuid)).exec();
    });
}

void ExperimentStore::restoreRun(const QString &uuid)
{
    d->db.write([&] {
        auto q = d->db.query(QStringLiteral("UPDATE runs SET lifecycle = 'active', deleted_time = NULL WHERE id = ?"));
        q.bind(1, d->runId(uuid)).exec();
    });
}

bool ExperimentStore::processExists(qint64 pid)
{
    return cairn::processExists(pid);
}

int ExperimentStore::failLostRuns(const QString &host)
{
    // Readers call this on every listing: look first, and take the write lock only when a run
    // is really lost.
    // A SCHEDULED run whose process is gone is lost too (killed between creating the run and
    // starting its job).
    QList<qint64> lost;
    QHash<qint64, qint64> pids;
    {
        auto q = d->db.query(QStringLiteral("SELECT id, pid FROM runs WHERE status IN ('RUNNING', 'SCHEDULED') AND host = ? AND pid IS NOT NULL"));
        q.bind(1, host);
        while (q.next())
            if (!processExists(q.int64(1))) {
                lost << q.int64(0);
                pids.insert(q.int64(0), q.int64(1));
            }
    }
    if (lost.isEmpty())
        return 0;
    return d->db.write([&] {
        d->db.exec(QStringLiteral("UPDATE runs SET status = 'FAILED', end_time = %1 WHERE status IN ('RUNNING', 'SCHEDULED') AND id IN (%2)")
                       .arg(nowMs())
                       .arg(idList(lost)));
        const int changed = d->db.changes();
        // The reason, for whoever reads the run later (a job's supervisor may say more).
        auto tag = d->db.query(QStringLiteral("INSERT INTO tags (run_id, key, value) VALUES (?, 'cairn.error', ?) "
                                              "ON CONFLICT (run_id, key) DO NOTHING"));
        for (qint64 id : lost) {
            tag.bind(1, id).bind(2, QStringLiteral("lost: the process that recorded the run (pid %1 on %2) is gone").arg(pids.value(id)).arg(host));
            tag.exec();
            tag.reset();
        }
        return changed;
    });
}

// ---- Params, tags, metrics -----------------------------------------------------------------

void ExperimentStore::logParam(const QString &uuid, const QString &key, const QString &value)
{
    if (key.isEmpty())
        throw Error(QStringLiteral("a param needs a key"));
    d->db.write([&] {
        const qint64 id = d->runId(uuid);
        auto existing = d->db.query(QStringLiteral("SELECT value FROM params WHERE run_id = ? AND key = ?"));
        existing.bind(1, id).bind(2, key);
        if (existing.next()) {
            if (existing.text(0) != value)
                throw Error(QStringLiteral("param '%1' of run %2 is already '%3'; params cannot change (log a new run instead)")
                                .arg(key, uuid, existing.text(0)));
            return;
        }
        auto q = d->db.query(QStringLiteral("INSERT INTO params (run_id, key, value) VALUES (?, ?, ?)"));
        q.bind(1, id).bind(2, key).bind(3, value).exec();
    });
}

void ExperimentStore::setTag(const QString &uuid, const QString &key, const QString &value)
{
    if (key.isEmpty())
        throw Error(QStringLiteral("a tag needs a key"));
    d->db.write([&] {
        auto q = d->db.query(QStringLiteral("INSERT INTO tags (run_id, key, value) VALUES (?, ?, ?) "
                                            "ON CONFLICT (run_id, key) DO UPDATE SET value = excluded.value"));
        q.bind(1, d->runId(uuid)).bind(2, key).bind(3, value).exec();
    });
}

void ExperimentStore::deleteTag(const QString &uuid, const QString &key)
{
    d->db.write([&] {
        auto q = d->db.query(QStringLiteral("DELETE FROM tags WHERE run_id = ? AND key = ?"));
        q.bind(1, d->runId(uuid)).bind(2, key).exec();
    });
}

void ExperimentStore::logMetric(const QString &uuid, const MetricPoint &point)
{
    if (point.key.isEmpty())
        throw Error(QStringLiteral("a metric needs a key"));
    d->db.write([&] {
        const qint64 runId = d->runId(uuid);
        const qint64 keyId = metricKeyId(point.key);
        const qint64 ts = point.timestamp > 0 ? point.timestamp : nowMs();
        auto insert = d->db.query(QStringLiteral("INSERT INTO metrics (run_id, key_id, step, timestamp, value) VALUES (?, ?, ?, ?, ?)"));
        insert.bind(1, runId).bind(2, keyId).bind(3, point.step).bind(4, ts).bind(5, point.value).exec();
        auto summary = d->db.query(Internal::metricSummaryUpsertSql());
        summary.bind(1, runId).bind(2, keyId).bind(3, point.value).bind(4, point.step).bind(5, ts);
        summary.bind(6, point.value).bind(7, point.value).bind(8, qint64(1)).exec();
    });
}

QList<Param> ExperimentStore::params(qint64 runId)
{
    auto q = d->db.query(QStringLiteral("SELECT key, value FROM params WHERE run_id = ? ORDER BY key"));
    q.bind(1, runId);
    QList<Param> out;
    while (q.next())
        out << Param{q.text(0), q.text(1)};
    return out;
}

QList<Tag> ExperimentStore::tags(qint64 runId)
{
    auto q = d->db.query(QStringLiteral("SELECT key, value FROM tags WHERE run_id = ? ORDER BY key"));
    q.bind(1, runId);
    QList<Tag> out;
    while (q.next())
        out << Tag{q.text(0), q.text(1)};
    return out;
}

QList<MetricSummary> ExperimentStore::metricSummaries(qint64 runId)
{
    const auto all = metricSummariesOf({runId}).value(runId);
    QList<MetricSummary> out = all.values();
    std::sort(out.begin(), out.end(), [](const MetricSummary &a, const MetricSummary &b) { return a.key < b.key; });
    return out;
}

MetricSeries ExperimentStore::metricHistory(qint64 runId, const QString &key)
{
    MetricSeries series;
    series.key = key;
    auto q = d->db.query(QStringLiteral(
        "SELECT m.step, m.timestamp, m.value FROM metrics m WHERE m.run_id = ? AND "
        "m.key_id = (SELECT id FROM metric_keys WHERE name = ?) ORDER BY m.step, m.timestamp"));
    q.bind(1, runId).bind(2, key);
    while (q.next()) {
        series.steps << q.int64(0);
        series.timestamps << q.int64(1);
        series.values << q.real(2);
    }
    return series;
}

QHash<qint64, QHash<QString, QString>> ExperimentStore::paramsOf(const QList<qint64> &runIds)
{
    return d->keyValuesOf("params", runIds);
}

QHash<qint64, QHash<QString, QString>> ExperimentStore::tagsOf(const QList<qint64> &runIds)
{
    return d->keyValuesOf("tags", runIds);
}

QHash<qint64, QHash<QString, MetricSummary>> ExperimentStore::metricSummariesOf(const QList<qint64> &runIds)
{
    QHash<qint64, QHash<QString, MetricSummary>> out;
    if (runIds.isEmpty())
        return out;
    // Key names come from a small cache instead of a join per row (a page of 100 runs × 30
    // metrics is 3,000 rows).
    auto q = d->db.query(QStringLiteral(
        "SELECT s.run_id, s.key_id, s.last_value, s.last_step, s.last_timestamp, s.min_value, s.max_value, s.count "
        "FROM metric_summaries s WHERE s.run_id IN (%1)").arg(idList(runIds)));
    while (q.next()) {
        MetricSummary s;
        s.key = d->keyName(q.int64(1));
        s.last = q.real(2);
        s.lastStep = q.int64(3);
        s.lastTimestamp = q.int64(4);
        s.min = q.real(5);
        s.max = q.real(6);
        s.count = q.int64(7);
        out[q.int64(0)].insert(s.key, s);
    }
    return out;
}

QStringList ExperimentStore::metricKeys(const QList<qint64> &experimentIds)
{
    return d->keysOf(QStringLiteral("SELECT k.name FROM metric_keys k WHERE EXISTS (SELECT 1 FROM metric_summaries s "
                                    "JOIN runs r ON r.id = s.run_id WHERE s.key_id = k.id AND %1) ORDER BY k.name"),
                     experimentIds);
}

// Distinct keys by skipping through the (key, value) index one key at a time: a few index seeks
// per key instead of a scan of every param of every run (200,000 rows at 10,000 runs).
static QString distinctKeysSql(const char *table)
{
    return QStringLiteral("WITH RECURSIVE k(key) AS (SELECT MIN(key) FROM %1 UNION ALL "
                          "SELECT (SELECT MIN(key) FROM %1 WHERE key > k.key) FROM k WHERE k.key IS NOT NULL) "
                          "SELECT k.key FROM k WHERE k.key IS NOT NULL AND EXISTS "
                          "(SELECT 1 FROM %1 x JOIN runs r ON r.id = x.run_id WHERE x.key = k.key AND %2) ORDER BY k.key")
        .arg(QString::fromLatin1(table), QStringLiteral("%1"));
}

QStringList ExperimentStore::paramKeys(const QList<qint64> &experimentIds)
{
    return d->keysOf(distinctKeysSql("params"), experimentIds);
}

QStringList ExperimentStore::tagKeys(const QList<qint64> &experimentIds)
{
    return d->keysOf(distinctKeysSql("tags"), experimentIds);
}

qint64 ExperimentStore::metricKeyId(const QString &key)
{
    if (auto it = d->keyIds.constFind(key); it != d->keyIds.constEnd())
        return *it;
    const qint64 id = d->db.write([&] {
        auto insert = d->db.query(QStringLiteral("INSERT INTO metric_keys (name) VALUES (?) ON CONFLICT (name) DO NOTHING"));
        insert.bind(1, key).exec();
        auto select = d->db.query(QStringLiteral("SELECT id FROM metric_keys WHERE name = ?"));
        select.bind(1, key);
        select.next();
        return select.int64(0);
    });
    // Only cache once committed: a rolled-back outer transaction would leave a dangling id.
    if (!d->db.inTransaction())
        d->keyIds.insert(key, id);
    return id;
}

qint64 ExperimentStore::dataVersion()
{
    auto q = d->db.query(QStringLiteral("PRAGMA data_version"));
    return q.next() ? q.int64(0) : 0;
}

} // namespace cairn
