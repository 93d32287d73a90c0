#include "cairn/registry/modelregistry.h"

#include "cairn/algorithms/ensemble.h"
#include "cairn/algorithms/modelcard.h"
#include "cairn/jobs/jobrecord.h"
#include "cairn/jobs/jobspec.h"
#include "cairn/serving/endpointrecord.h"
#include "cairn/store/experimentstore.h"
#include "cairn/store/runexport.h"
#include "cairn/store/sqlitedatabase.h"
#include "cairn/util/error.h"
#include "cairn/workspace/workspace.h"

#include <QCryptographicHash>
#include <QDir>
#include <QDirIterator>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QRegularExpression>
#include <QTextStream>
#include <QUuid>

#include <algorithm>
#include <functional>

#include <pwd.h>
#include <unistd.h>

namespace cairn {

namespace {

const QString kVersionColumns = QStringLiteral(
    "v.id, m.name, v.version, v.approval, v.source, v.source_ref, v.run_uuid, v.model_dir, v.description, "
    "v.lineage, v.created_by, v.creation_time");

/// A parsed reference: a version number, an alias, or neither (the latest version).
struct Ref
{
    QString name;
    int version = 0;
    QString alias;
};

Ref parseRef(const QString &text)
{
    QString ref = text.trimmed();
    // MLflow's URIs: models:/NAME/3, models:/NAME@alias
    if (ref.startsWith(QLatin1String("models:/"))) {
        ref = ref.mid(8);
        const qsizetype slash = ref.indexOf(QLatin1Char('/'));
        if (slash > 0)
            ref = ref.left(slash) + QLatin1Char(':') + ref.mid(slash + 1);
    }
    Ref out;
    const qsizetype at = ref.indexOf(QLatin1Char('@'));
    const qsizetype colon = ref.indexOf(QLatin1Char(':'));
    if (at >= 0) {
        out.name = ref.left(at);
        out.alias = ref.mid(at + 1);
        if (out.alias.isEmpty())
            throw Error(QStringLiteral("'%1' names no alias after '@' (e.g. %2@champion)").arg(text, out.name));
    } else if (colon >= 0) {
        out.name = ref.left(colon);
        bool ok = false;
        out.version = ref.mid(colon + 1).toInt(&ok);
        if (!ok || out.version <= 0)
            throw Error(QStringLiteral("'%1' is not a model version: use NAME:VERSION with a version number, e.g. %2:1")
                            .arg(text, out.name));
    } else {
        out.name = ref;
    }
    if (out.name.isEmpty())
        throw Error(QStringLiteral("'%1' names no model: use NAME, NAME:VERSION or NAME@ALIAS").arg(text));
    return out;
}

QString joinNumbers(const QList<int> &numbers)
{
    QStringList parts;
    for (int n : numbers)
        parts << QString::number(n);
    return parts.join(QStringLiteral(", "));
}

QString jsonText(const QJsonObject &o)
{
    return QString::fromUtf8(QJsonDocument(o).toJson(QJsonDocument::Compact));
}

QJsonObject jsonObject(const QString &text)
{
    return QJsonDocument::fromJson(text.toUtf8()).object();
}

QString valueText(const QJsonValue &v)
{
    if (v.isDouble())
        return formatMetricValue(v.toDouble());
    if (v.isBool())
        return v.toBool() ? QStringLiteral("true") : QStringLiteral("false");
    if (v.isString())
        return v.toString();
    if (v.isNull() || v.isUndefined())
        return {};
    return QString::fromUtf8(v.isArray() ? QJsonDocument(v.toArray()).toJson(QJsonDocument::Compact)
                                         : QJsonDocument(v.toObject()).toJson(QJsonDocument::Compact));
}

/// The run's model folder, as `cairn predict --model RUN` finds it: artifacts/<run>/model, or
/// for a tuning run without one, its best trial's.
QString runModelDir(Workspace &ws, const QString &runRef, Run *resolved)
{
    ExperimentStore &store = ws.store();
    Run run = store.run(runRef);
    QString dir = QDir(ws.artifactDir(run.uuid)).filePath(QStringLiteral("model"));
    if (!QFileInfo::exists(QDir(dir).filePath(ModelCard::fileName()))) {
        QString best;
        for (const Tag &t : store.tags(run.id))
            if (t.key == QLatin1String("best_run"))
                best = t.value;
        if (best.isEmpty())
            throw Error(QStringLiteral("run %1 has no saved model (no %2)").arg(run.uuid, QDir(dir).filePath(ModelCard::fileName())));
        run = store.run(best);
        dir = QDir(ws.artifactDir(run.uuid)).filePath(QStringLiteral("model"));
        if (!QFileInfo::exists(QDir(dir).filePath(ModelCard::fileName())))
            throw Error(QStringLiteral("the best trial %1 of run %2 has no saved model (no %3)")
                            .arg(run.uuid, runRef, QDir(dir).filePath(ModelCard::fileName())));
    }
    if (resolved)
        *resolved = run;
    return dir;
}

bool looksLikeRegistryRef(const QString &ref)
{
    return ref.startsWith(QLatin1String("models:/")) || ref.contains(QLatin1Char('@')) || ref.contains(QLatin1Char(':'));
}

/// A data channel's lineage: where it was and what it held when the version was registered.
QJsonObject channelLineage(const QString &name, const data::ChannelSpec &channel)
{
    QJsonObject o{{QStringLiteral("name"), name},
                  {QStringLiteral("type"), data::ChannelSpec::typeName(channel.type)},
                  {QStringLiteral("path"), channel.path}};
    auto hash = [&](const QString &path, const QString &prefix) {
        const QFileInfo info(path);
        if (!info.exists()) {
            o.insert(prefix + QStringLiteral("missing"), true);
            return;
        }
        o.insert(prefix + QStringLiteral("sha256"), contentSha256(path));
        if (info.isFile()) {
            o.insert(prefix + QStringLiteral("bytes"), info.size());
        } else {
            qint64 bytes = 0, files = 0;
            QDirIterator it(path, QDir::Files | QDir::NoDotAndDotDot, QDirIterator::Subdirectories);
            while (it.hasNext()) {
                it.next();
                bytes += it.fileInfo().size();
                ++files;
            }
            o.insert(prefix + QStringLiteral("bytes"), bytes);
            o.insert(prefix + QStringLiteral("files"), files);
        }
    };
    hash(channel.path, QString());
    if (!channel.labelsPath.isEmpty()) {
        o.insert(QStringLiteral("labels_path"), channel.labelsPath);
        hash(channel.labelsPath, QStringLiteral("labels_"));
    }
    return o;
}

/// Everything known about how the model in `modelDir` was made (model_sha256 is added once the
/// registry's copy exists).
QJsonObject buildLineage(Workspace &ws, const ModelCard &card, const std::optional<Run> &run, const QString &source,
                         const QString &sourcePath)
{
    ExperimentStore &store = ws.store();
    QJsonObject lineage{{QStringLiteral("source"), source},
                        {QStringLiteral("source_path"), sourcePath},
                        {QStringLiteral("cairn_version"), QStringLiteral(CAIRN_VERSION)},
                        {QStringLiteral("algorithm"), card.algorithm},
                        {QStringLiteral("plugin"), card.plugin},
                        {QStringLiteral("task"), card.task},
                        {QStringLiteral("target"), card.target},
                        {QStringLiteral("classes"), QJsonArray::fromStringList(card.classes)},
                        {QStringLiteral("model_created"), card.createdAt}};
    QJsonObject hyperparameters = card.hyperparameters;
    QJsonObject metrics;
    QString jobId = card.jobId;
    if (run) {
        QJsonObject params, tags;
        for (const Param &p : store.params(run->id))
            params.insert(p.key, p.value);
        for (const Tag &t : store.tags(run->id)) {
            tags.insert(t.key, t.value);
            if (t.key == QLatin1String("cairn.job") && jobId.isEmpty())
                jobId = t.value;
        }
        for (const MetricSummary &m : store.metricSummaries(run->id))
            metrics.insert(m.key, metricValueToJson(m.last));
        if (hyperparameters.isEmpty())
            hyperparameters = params;
        QJsonObject r{{QStringLiteral("uuid"), run->uuid},
                      {QStringLiteral("name"), run->name},
                      {QStringLiteral("experiment"), store.experiment(run->experimentId).name},
                      {QStringLiteral("status"), runStatusName(run->status)},
                      {QStringLiteral("start_time"), run->startTime},
                      {QStringLiteral("end_time"), run->endTime},
                      {QStringLiteral("source_type"), run->sourceType},
                      {QStringLiteral("source_ref"), run->sourceRef},
                      {QStringLiteral("params"), params},
                      {QStringLiteral("tags"), tags}};
        if (!run->parentUuid.isEmpty())
            r.insert(QStringLiteral("parent"), run->parentUuid);
        lineage.insert(QStringLiteral("run"), r);
    }
    // The card's final metrics win over the run's last logged points.
    for (auto it = card.metrics.begin(); it != card.metrics.end(); ++it)
        metrics.insert(it.key(), it.value());
    lineage.insert(QStringLiteral("hyperparameters"), hyperparameters);
    lineage.insert(QStringLiteral("metrics"), metrics);

    // The spec: a training job's spec.json, else an AutoML run's automl/spec.json.
    QJsonArray channels;
    const QString jobSpec = jobId.isEmpty() ? QString() : QDir(JobRecord::dirOf(ws.path(), jobId)).filePath(QStringLiteral("spec.json"));
    const QString automlSpec = run ? QDir(ws.artifactDir(run->uuid)).filePath(QStringLiteral("automl/spec.json")) : QString();
    if (!jobId.isEmpty())
        lineage.insert(QStringLiteral("job"), jobId);
    if (!jobSpec.isEmpty() && QFileInfo::exists(jobSpec)) {
        const JobSpec spec = JobSpec::load(jobSpec);
        lineage.insert(QStringLiteral("spec"), spec.toJson());
        for (auto it = spec.channels.cbegin(); it != spec.channels.cend(); ++it)
            channels.append(channelLineage(it.key(), it.value()));
    } else if (!automlSpec.isEmpty() && QFileInfo::exists(automlSpec)) {
        QFile f(automlSpec);
        if (f.open(QIODevice::ReadOnly)) {
            const QJsonObject spec = QJsonDocument::fromJson(f.readAll()).object();
            lineage.insert(QStringLiteral("spec"), spec);
            data::ChannelSpec train;
            train.path = spec.value(QStringLiteral("train")).toString();
            if (!train.path.isEmpty())
                channels.append(channelLineage(QStringLiteral("train"), train));
        }
    }
    lineage.insert(QStringLiteral("channels"), channels);
    return lineage;
}

QString escapeCell(QString text)
{
    return text.replace(QLatin1Char('|'), QStringLiteral("\\|")).replace(QLatin1Char('\n'), QLatin1Char(' '));
}

} // namespace

QString approvalName(Approval approval)
{
    switch (approval) {
    case Approval::PendingManualApproval: return QStringLiteral("PendingManualApproval");
    case Approval::Approved: return QStringLiteral("Approved");
    case Approval::Rejected: return QStringLiteral("Rejected");
    }
    return QStringLiteral("PendingManualApproval");
}

std::optional<Approval> approvalFromName(const QString &name)
{
    for (Approval a : {Approval::PendingManualApproval, Approval::Approved, Approval::Rejected})
        if (approvalName(a).compare(name.trimmed(), Qt::CaseInsensitive) == 0)
            return a;
    return std::nullopt;
}

QString contentSha256(const QString &path)
{
    QCryptographicHash hash(QCryptographicHash::Sha256);
    auto addFile = [&](const QString &file) {
        QFile f(file);
        if (!f.open(QIODevice::ReadOnly))
            throw Error(QStringLiteral("cannot read %1: %2").arg(file, f.errorString()));
        if (!hash.addData(&f))
            throw Error(QStringLiteral("cannot read %1: %2").arg(file, f.errorString()));
    };
    const QFileInfo info(path);
    if (info.isFile()) {
        addFile(path);
        return QString::fromLatin1(hash.result().toHex());
    }
    if (!info.isDir())
        throw Error(QStringLiteral("%1 does not exist").arg(path));
    QStringList files;
    QDirIterator it(path, QDir::Files | QDir::Hidden | QDir::NoDotAndDotDot, QDirIterator::Subdirectories);
    while (it.hasNext())
        files << QDir(path).relativeFilePath(it.next());
    files.sort();
    for (const QString &relative : std::as_const(files)) {
        // The name and a separator, so that moving bytes between files changes the hash.
        hash.addData(relative.toUtf8());
        hash.addData(QByteArrayView("\0", 1));
        addFile(QDir(path).filePath(relative));
        hash.addData(QByteArrayView("\0", 1));
    }
    return QString::fromLatin1(hash.result().toHex());
}

QString resolveModelDir(Workspace &workspace, const QString &ref)
{
    const QFileInfo info(ref);
    if (info.exists())
        return ModelCard::folderOf(ref);
    const ModelRegistry registry(workspace);
    if (looksLikeRegistryRef(ref) || (ModelRegistry::isValidName(ref) && registry.hasModel(ref)))
        return registry.resolve(ref).modelDir;
    return runModelDir(workspace, ref, nullptr);
}

// ---- ModelRegistry -------------------------------------------------------------------------

ModelRegistry::ModelRegistry(Workspace &workspace) : m_workspace(&workspace) {}

bool ModelRegistry::isValidName(const QString &name)
{
    static const QRegularExpression re(QStringLiteral("^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$"));
    return re.match(name).hasMatch();
}

bool ModelRegistry::isValidAlias(const QString &alias)
{
    static const QRegularExpression re(QStringLiteral("^[A-Za-z][A-Za-z0-9_-]{0,63}$"));
    return re.match(alias).hasMatch() && alias.compare(QLatin1String("latest"), Qt::CaseInsensitive) != 0;
}

QString ModelRegistry::currentUser()
{
    for (const char *var : {"USER", "LOGNAME", "USERNAME"})
        if (const QString v = qEnvironmentVariable(var); !v.isEmpty())
            return v;
    // Services and containers often run without $USER: ask the password database.
    if (const passwd *pw = ::getpwuid(::getuid()); pw && pw->pw_name)
        return QString::fromLocal8Bit(pw->pw_name);
    return QStringLiteral("unknown");
}

QString ModelRegistry::modelsRoot() const
{
    return QDir(m_workspace->path()).filePath(QStringLiteral("models"));
}

QString ModelRegistry::endpointsDir() const
{
    return serving::EndpointRecord::directory(m_workspace->path());
}

namespace {

qint64 modelId(SqliteDatabase &db, const QString &name)
{
    auto q = db.query(QStringLiteral("SELECT id FROM registered_models WHERE name = ?"));
    q.bind(1, name);
    if (q.next())
        return q.int64(0);
    QStringList known;
    auto all = db.query(QStringLiteral("SELECT name FROM registered_models ORDER BY name LIMIT 8"));
    while (all.next())
        known << all.text(0);
    throw Error(QStringLiteral("no registered model named '%1' (%2)")
                    .arg(name, known.isEmpty() ? QStringLiteral("none is registered yet: cairn models register NAME --run RUN")
                                               : QStringLiteral("registered: ") + known.join(QStringLiteral(", "))));
}

QList<int> versionNumbers(SqliteDatabase &db, qint64 model)
{
    QList<int> out;
    auto q = db.query(QStringLiteral("SELECT version FROM model_versions WHERE model_id = ? ORDER BY version"));
    q.bind(1, model);
    while (q.next())
        out << int(q.int64(0));
    return out;
}

/// The row id of the version `ref` names.
qint64 versionId(SqliteDatabase &db, const QString &text)
{
    const Ref ref = parseRef(text);
    const qint64 model = modelId(db, ref.name);
    if (ref.version > 0) {
        auto q = db.query(QStringLiteral("SELECT id FROM model_versions WHERE model_id = ? AND version = ?"));
        q.bind(1, model).bind(2, ref.version);
        if (q.next())
            return q.int64(0);
        const QList<int> have = versionNumbers(db, model);
        throw Error(QStringLiteral("model '%1' has no version %2 (%3)")
                        .arg(ref.name)
                        .arg(ref.version)
                        .arg(have.isEmpty() ? QStringLiteral("it has no versions") : QStringLiteral("versions: ") + joinNumbers(have)));
    }
    if (!ref.alias.isEmpty() && ref.alias.compare(QLatin1String("latest"), Qt::CaseInsensitive) != 0) {
        auto q = db.query(QStringLiteral("SELECT version_id FROM model_aliases WHERE model_id = ? AND alias = ?"));
        q.bind(1, model).bind(2, ref.alias);
        if (q.next())
            return q.int64(0);
        QStringList aliases;
        auto a = db.query(QStringLiteral("SELECT alias FROM model_aliases WHERE model_id = ? ORDER BY alias"));
        a.bind(1, model);
        while (a.next())
            aliases << QLatin1Char('@') + a.text(0);
        throw Error(QStringLiteral("model '%1' has no alias '%2' (%3)")
                        .arg(ref.name, ref.alias,
                             aliases.isEmpty() ? QStringLiteral("it has no aliases: cairn models alias %1 %2 VERSION").arg(ref.name, ref.alias)
                                               : QStringLiteral("aliases: ") + aliases.join(QStringLiteral(", "))));
    }
    auto q = db.query(QStringLiteral("SELECT id FROM model_versions WHERE model_id = ? ORDER BY version DESC LIMIT 1"));
    q.bind(1, model);
    if (q.next())
        return q.int64(0);
    throw Error(QStringLiteral("model '%1' has no versions").arg(ref.name));
}

ModelVersion readVersion(SqliteDatabase &db, const QString &workspacePath, const SqliteQuery &q)
{
    ModelVersion v;
    const qint64 id = q.int64(0);
    v.name = q.text(1);
    v.version = int(q.int64(2));
    v.approval = q.text(3);
    v.source = q.text(4);
    v.sourceRef = q.text(5);
    v.runUuid = q.text(6);
    v.modelDir = QDir(workspacePath).filePath(q.text(7));
    v.description = q.text(8);
    v.lineage = jsonObject(q.text(9));
    v.createdBy = q.text(10);
    v.createdAt = q.int64(11);
    auto a = db.query(QStringLiteral("SELECT alias FROM model_aliases WHERE version_id = ? ORDER BY alias"));
    a.bind(1, id);
    while (a.next())
        v.aliases << a.text(0);
    auto t = db.query(QStringLiteral("SELECT key, value FROM model_version_tags WHERE version_id = ? ORDER BY key"));
    t.bind(1, id);
    while (t.next())
        v.tags.insert(t.text(0), t.text(1));
    return v;
}

ModelVersion versionById(SqliteDatabase &db, const QString &workspacePath, qint64 id)
{
    auto q = db.query(QStringLiteral("SELECT %1 FROM model_versions v JOIN registered_models m ON m.id = v.model_id WHERE v.id = ?")
                          .arg(kVersionColumns));
    q.bind(1, id);
    if (!q.next())
        throw Error(QStringLiteral("model version %1 vanished (deleted by another process?)").arg(id));
    return readVersion(db, workspacePath, q);
}

void touchModel(SqliteDatabase &db, qint64 model)
{
    auto q = db.query(QStringLiteral("UPDATE registered_models SET last_update_time = ? WHERE id = ?"));
    q.bind(1, nowMs()).bind(2, model).exec();
}

void requireTagKey(const QString &key)
{
    if (key.trimmed().isEmpty())
        throw Error(QStringLiteral("a tag needs a non-empty key"));
}

// model_tags and model_version_tags map (owner id, key) to a value; setting a key again replaces it.
void upsertTag(SqliteDatabase &db, const QString &table, const QString &ownerColumn, qint64 owner, const QString &key,
               const QString &value)
{
    auto q = db.query(QStringLiteral("INSERT INTO %1 (%2, key, value) VALUES (?, ?, ?) "
                                     "ON CONFLICT (%2, key) DO UPDATE SET value = excluded.value")
                          .arg(table, ownerColumn));
    q.bind(1, owner).bind(2, key).bind(3, value).exec();
}

// Deletes one (owner id, key) row of an alias or tag table; false when there was no such row.
bool deleteKeyedRow(SqliteDatabase &db, const QString &table, const QString &ownerColumn, const QString &keyColumn,
                    qint64 owner, const QString &key)
{
    auto q = db.query(QStringLiteral("DELETE FROM %1 WHERE %2 = ? AND %3 = ?").arg(table, ownerColumn, keyColumn));
    q.bind(1, owner).bind(2, key).exec();
    return db.changes() > 0;
}

} // namespace

ResolvedModel ModelRegistry::resolve(const QString &ref) const
{
    const ModelVersion v = version(ref);
    return ResolvedModel{v.name, v.version, v.modelDir, v.runUuid, v.approval};
}

bool ModelRegistry::hasModel(const QString &name) const
{
    auto q = m_workspace->store().database().query(QStringLiteral("SELECT 1 FROM registered_models WHERE name = ?"));
    q.bind(1, name);
    return q.next();
}

RegisteredModel ModelRegistry::model(const QString &name) const
{
    SqliteDatabase &db = m_workspace->store().database();
    const qint64 id = modelId(db, name);
    auto q = db.query(QStringLiteral(
        "SELECT m.name, m.description, m.creation_time, m.last_update_time, "
        "(SELECT COUNT(*) FROM model_versions v WHERE v.model_id = m.id), "
        "(SELECT MAX(version) FROM model_versions v WHERE v.model_id = m.id), "
        "(SELECT approval FROM model_versions v WHERE v.model_id = m.id ORDER BY version DESC LIMIT 1) "
        "FROM registered_models m WHERE m.id = ?"));
    q.bind(1, id);
    q.next();
    RegisteredModel m;
    m.name = q.text(0);
    m.description = q.text(1);
    m.createdAt = q.int64(2);
    m.updatedAt = q.int64(3);
    m.versionCount = int(q.int64(4));
    m.latestVersion = q.isNull(5) ? 0 : int(q.int64(5));
    m.latestApproval = q.isNull(6) ? QString() : q.text(6);
    auto a = db.query(QStringLiteral("SELECT a.alias, v.version FROM model_aliases a JOIN model_versions v ON v.id = a.version_id "
                                     "WHERE a.model_id = ? ORDER BY a.alias"));
    a.bind(1, id);
    while (a.next())
        m.aliases.insert(a.text(0), int(a.int64(1)));
    auto t = db.query(QStringLiteral("SELECT key, value FROM model_tags WHERE model_id = ? ORDER BY key"));
    t.bind(1, id);
    while (t.next())
        m.tags.insert(t.text(0), t.text(1));
    return m;
}

QList<RegisteredModel> ModelRegistry::models() const
{
    QStringList names;
    auto q = m_workspace->store().database().query(QStringLiteral("SELECT name FROM registered_models ORDER BY name"));
    while (q.next())
        names << q.text(0);
    QList<RegisteredModel> out;
    for (const QString &name : std::as_const(names))
        out << model(name);
    return out;
}

QList<ModelVersion> ModelRegistry::versions(const QString &name) const
{
    SqliteDatabase &db = m_workspace->store().database();
    const qint64 id = modelId(db, name);
    QList<qint64> ids;
    auto q = db.query(QStringLiteral("SELECT id FROM model_versions WHERE model_id = ? ORDER BY version"));
    q.bind(1, id);
    while (q.next())
        ids << q.int64(0);
    QList<ModelVersion> out;
    for (qint64 v : std::as_const(ids))
        out << versionById(db, m_workspace->path(), v);
    return out;
}

ModelVersion ModelRegistry::version(const QString &ref) const
{
    SqliteDatabase &db = m_workspace->store().database();
    return versionById(db, m_workspace->path(), versionId(db, ref));
}

QList<ModelVersion> ModelRegistry::versionsOfRun(const QString &runUuid) const
{
    SqliteDatabase &db = m_workspace->store().database();
    QList<qint64> ids;
    auto q = db.query(QStringLiteral("SELECT v.id FROM model_versions v JOIN registered_models m ON m.id = v.model_id "
                                     "WHERE v.run_uuid = ? ORDER BY m.name, v.version"));
    q.bind(1, runUuid);
    while (q.next())
        ids << q.int64(0);
    QList<ModelVersion> out;
    for (qint64 id : std::as_const(ids))
        out << versionById(db, m_workspace->path(), id);
    return out;
}

bool ModelRegistry::filesIntact(const ModelVersion &version) const
{
    if (!QFileInfo(version.modelDir).isDir())
        return false;
    try {
        return contentSha256(version.modelDir) == version.lineage.value(QStringLiteral("model_sha256")).toString();
    } catch (const Error &) {
        return false;
    }
}

ModelVersion ModelRegistry::registerRun(const QString &name, const QString &runRef, const RegisterOptions &options)
{
    Run run;
    const QString dir = runModelDir(*m_workspace, runRef, &run);
    const ModelCard card = ModelCard::load(dir);
    if (!isValidName(name))
        throw Error(QStringLiteral("'%1' is not a valid model name: use 1-64 letters, digits, '.', '_' or '-', starting with a letter or digit")
                        .arg(name));
    const QJsonObject lineage = buildLineage(*m_workspace, card, run, QStringLiteral("run"), dir);
    return registerCopy(name, QStringLiteral("run"), run.uuid, run.uuid, dir, lineage, options);
}

ModelVersion ModelRegistry::registerFolder(const QString &name, const QString &modelPath, const RegisterOptions &options)
{
    if (!QFileInfo::exists(modelPath))
        throw Error(QStringLiteral("model folder %1 does not exist").arg(modelPath));
    const QString dir = QFileInfo(ModelCard::folderOf(modelPath)).absoluteFilePath();
    const ModelCard card = ModelCard::load(dir);
    if (!isValidName(name))
        throw Error(QStringLiteral("'%1' is not a valid model name: use 1-64 letters, digits, '.', '_' or '-', starting with a letter or digit")
                        .arg(name));
    // A card that names a run of this workspace brings that run's lineage along.
    std::optional<Run> run;
    if (!card.runUuid.isEmpty()) {
        auto q = m_workspace->store().database().query(QStringLiteral("SELECT 1 FROM runs WHERE uuid = ?"));
        q.bind(1, card.runUuid);
        if (q.next())
            run = m_workspace->store().run(card.runUuid);
    }
    const QJsonObject lineage = buildLineage(*m_workspace, card, run, QStringLiteral("folder"), dir);
    return registerCopy(name, QStringLiteral("folder"), dir, run ? run->uuid : QString(), dir, lineage, options);
}

ModelVersion ModelRegistry::registerCopy(const QString &name, const QString &sourceKind, const QString &sourceRef, const QString &runUuid,
                                         const QString &dir, QJsonObject lineage, const RegisterOptions &options)
{
    SqliteDatabase &db = m_workspace->store().database();
    const QString by = options.by.isEmpty() ? currentUser() : options.by;
    // Copy outside the write transaction (models can be large), then move into place inside it.
    const QString staging = QDir(modelsRoot()).filePath(QStringLiteral(".staging-") + QUuid::createUuid().toString(QUuid::Id128));
    copyFolder(dir, staging);
    try {
        lineage.insert(QStringLiteral("model_sha256"), contentSha256(staging));
        const qint64 versionRowId = db.write([&] {
            const qint64 now = nowMs();
            auto find = db.query(QStringLiteral("SELECT id, last_version FROM registered_models WHERE name = ?"));
            find.bind(1, name);
            qint64 model = 0;
            int next = 1;
            if (find.next()) {
                model = find.int64(0);
                next = int(find.int64(1)) + 1;
            } else {
                auto ins = db.query(QStringLiteral("INSERT INTO registered_models (name, description, creation_time, last_update_time) VALUES (?, '', ?, ?)"));
                ins.bind(1, name).bind(2, now).bind(3, now).exec();
                model = db.lastInsertRowId();
            }
            auto bump = db.query(QStringLiteral("UPDATE registered_models SET last_version = ?, last_update_time = ? WHERE id = ?"));
            bump.bind(1, next).bind(2, now).bind(3, model).exec();

            const QString relative = QStringLiteral("models/%1/%2").arg(name).arg(next);
            const QString target = QDir(m_workspace->path()).filePath(relative);
            if (QFileInfo::exists(target) && !QDir(target).removeRecursively())
                throw Error(QStringLiteral("cannot clear %1 for version %2 of '%3'").arg(target).arg(next).arg(name));
            QDir().mkpath(QFileInfo(target).absolutePath());
            if (!QDir().rename(staging, target))
                throw Error(QStringLiteral("cannot move the model's copy into %1").arg(target));

            try {
                auto ins = db.query(QStringLiteral(
                    "INSERT INTO model_versions (model_id, version, approval, source, source_ref, run_uuid, model_dir, description, "
                    "lineage, card, created_by, creation_time) VALUES (?, ?, 'PendingManualApproval', ?, ?, ?, ?, ?, ?, '{}', ?, ?)"));
                ins.bind(1, model).bind(2, next).bind(3, sourceKind).bind(4, sourceRef).bind(5, runUuid).bind(6, relative)
                    .bind(7, options.description).bind(8, jsonText(lineage)).bind(9, by).bind(10, now).exec();
                const qint64 id = db.lastInsertRowId();
                auto trail = db.query(QStringLiteral("INSERT INTO model_approvals (version_id, status, changed_by, time, comment) VALUES (?, ?, ?, ?, ?)"));
                trail.bind(1, id).bind(2, approvalName(Approval::PendingManualApproval)).bind(3, by).bind(4, now)
                    .bind(5, sourceKind == QLatin1String("run") ? QStringLiteral("registered from run %1").arg(sourceRef)
                                                                : QStringLiteral("registered from %1").arg(sourceRef))
                    .exec();
                for (auto it = options.tags.cbegin(); it != options.tags.cend(); ++it) {
                    auto tag = db.query(QStringLiteral("INSERT INTO model_version_tags (version_id, key, value) VALUES (?, ?, ?)"));
                    tag.bind(1, id).bind(2, it.key()).bind(3, it.value()).exec();
                }
                return id;
            } catch (...) {
                QDir(target).removeRecursively(); // the transaction rolls back: leave no orphan copy
                throw;
            }
        });
        return versionById(db, m_workspace->path(), versionRowId);
    } catch (...) {
        QDir(staging).removeRecursively();
        throw;
    }
}

ModelVersion ModelRegistry::setApproval(const QString &ref, Approval approval, const QString &by, const QString &comment)
{
    SqliteDatabase &db = m_workspace->store().database();
    const QString who = by.isEmpty() ? currentUser() : by;
    const qint64 id = db.write([&] {
        const qint64 vid = versionId(db, ref);
        if (approval == Approval::Rejected) {
            // An alias is what endpoints and users follow: it never points at a rejected version.
            QStringList aliases;
            auto a = db.query(QStringLiteral("SELECT alias FROM model_aliases WHERE version_id = ? ORDER BY alias"));
            a.bind(1, vid);
            while (a.next())
                aliases << QLatin1Char('@') + a.text(0);
            if (!aliases.isEmpty()) {
                const ModelVersion v = versionById(db, m_workspace->path(), vid);
                throw Error(QStringLiteral("version %1 of '%2' is %3: move or delete %4 before rejecting it (cairn models alias %2 ALIAS VERSION)")
                                .arg(v.version)
                                .arg(v.name, aliases.join(QStringLiteral(", ")), aliases.size() == 1 ? QStringLiteral("that alias") : QStringLiteral("those aliases")));
            }
        }
        const qint64 now = nowMs();
        auto u = db.query(QStringLiteral("UPDATE model_versions SET approval = ? WHERE id = ?"));
        u.bind(1, approvalName(approval)).bind(2, vid).exec();
        auto t = db.query(QStringLiteral("INSERT INTO model_approvals (version_id, status, changed_by, time, comment) VALUES (?, ?, ?, ?, ?)"));
        t.bind(1, vid).bind(2, approvalName(approval)).bind(3, who).bind(4, now).bind(5, comment).exec();
        auto m = db.query(QStringLiteral("UPDATE registered_models SET last_update_time = ? WHERE id = (SELECT model_id FROM model_versions WHERE id = ?)"));
        m.bind(1, now).bind(2, vid).exec();
        return vid;
    });
    return versionById(db, m_workspace->path(), id);
}

QList<ApprovalEvent> ModelRegistry::approvalTrail(const QString &ref) const
{
    SqliteDatabase &db = m_workspace->store().database();
    const qint64 vid = versionId(db, ref);
    auto q = db.query(QStringLiteral("SELECT status, changed_by, time, comment FROM model_approvals WHERE version_id = ? ORDER BY id"));
    q.bind(1, vid);
    QList<ApprovalEvent> out;
    while (q.next())
        out << ApprovalEvent{q.text(0), q.text(1), q.int64(2), q.text(3)};
    return out;
}

void ModelRegistry::setAlias(const QString &name, const QString &alias, int version)
{
    if (!isValidAlias(alias))
        throw Error(QStringLiteral("'%1' is not a valid alias: use a letter, then letters, digits, '_' or '-' ('latest' is reserved)").arg(alias));
    SqliteDatabase &db = m_workspace->store().database();
    db.write([&] {
        const qint64 model = modelId(db, name);
        const qint64 vid = versionId(db, QStringLiteral("%1:%2").arg(name).arg(version));
        const ModelVersion v = versionById(db, m_workspace->path(), vid);
        if (v.approval == approvalName(Approval::Rejected))
            throw Error(QStringLiteral("version %1 of '%2' is Rejected: an alias cannot point at it (approve it first, or pick another version)")
                            .arg(version)
                            .arg(name));
        auto q = db.query(QStringLiteral("INSERT INTO model_aliases (model_id, alias, version_id) VALUES (?, ?, ?) "
                                         "ON CONFLICT (model_id, alias) DO UPDATE SET version_id = excluded.version_id"));
        q.bind(1, model).bind(2, alias).bind(3, vid).exec();
        touchModel(db, model);
    });
}

void ModelRegistry::deleteAlias(const QString &name, const QString &alias)
{
    SqliteDatabase &db = m_workspace->store().database();
    db.write([&] {
        const qint64 model = modelId(db, name);
        if (!deleteKeyedRow(db, QStringLiteral("model_aliases"), QStringLiteral("model_id"), QStringLiteral("alias"), model, alias))
            throw Error(QStringLiteral("model '%1' has no alias '%2'").arg(name, alias));
        touchModel(db, model);
    });
}

void ModelRegistry::setModelTag(const QString &name, const QString &key, const QString &value)
{
    requireTagKey(key);
    SqliteDatabase &db = m_workspace->store().database();
    db.write([&] {
        const qint64 model = modelId(db, name);
        upsertTag(db, QStringLiteral("model_tags"), QStringLiteral("model_id"), model, key, value);
        touchModel(db, model);
    });
}

void ModelRegistry::deleteModelTag(const QString &name, const QString &key)
{
    SqliteDatabase &db = m_workspace->store().database();
    db.write([&] {
        const qint64 model = modelId(db, name);
        if (!deleteKeyedRow(db, QStringLiteral("model_tags"), QStringLiteral("model_id"), QStringLiteral("key"), model, key))
            throw Error(QStringLiteral("model '%1' has no tag '%2'").arg(name, key));
        touchModel(db, model);
    });
}

void ModelRegistry::setVersionTag(const QString &ref, const QString &key, const QString &value)
{
    requireTagKey(key);
    SqliteDatabase &db = m_workspace->store().database();
    db.write([&] { upsertTag(db, QStringLiteral("model_version_tags"), QStringLiteral("version_id"), versionId(db, ref), key, value); });
}

void ModelRegistry::deleteVersionTag(const QString &ref, const QString &key)
{
    SqliteDatabase &db = m_workspace->store().database();
    db.write([&] {
        const qint64 vid = versionId(db, ref);
        if (!deleteKeyedRow(db, QStringLiteral("model_version_tags"), QStringLiteral("version_id"), QStringLiteral("key"), vid, key))
            throw Error(QStringLiteral("%1 has no tag '%2'").arg(ref, key));
    });
}

void ModelRegistry::setModelDescription(const QString &name, const QString &description)
{
    SqliteDatabase &db = m_workspace->store().database();
    db.write([&] {
        const qint64 model = modelId(db, name);
        auto q = db.query(QStringLiteral("UPDATE registered_models SET description = ?, last_update_time = ? WHERE id = ?"));
        q.bind(1, description).bind(2, nowMs()).bind(3, model).exec();
    });
}

void ModelRegistry::setVersionDescription(const QString &ref, const QString &description)
{
    SqliteDatabase &db = m_workspace->store().database();
    db.write([&] {
        const qint64 vid = versionId(db, ref);
        auto q = db.query(QStringLiteral("UPDATE model_versions SET description = ? WHERE id = ?"));
        q.bind(1, description).bind(2, vid).exec();
    });
}

ModelCardText ModelRegistry::card(const QString &ref) const
{
    SqliteDatabase &db = m_workspace->store().database();
    const qint64 vid = versionId(db, ref);
    auto q = db.query(QStringLiteral("SELECT card FROM model_versions WHERE id = ?"));
    q.bind(1, vid);
    q.next();
    const QJsonObject o = jsonObject(q.text(0));
    ModelCardText c;
    c.intendedUse = o.value(QStringLiteral("intended_use")).toString();
    c.trainingData = o.value(QStringLiteral("training_data")).toString();
    c.metrics = o.value(QStringLiteral("metrics")).toString();
    c.limitations = o.value(QStringLiteral("limitations")).toString();
    c.updatedBy = o.value(QStringLiteral("updated_by")).toString();
    c.updatedAt = o.value(QStringLiteral("updated_at")).toInteger();
    return c;
}

void ModelRegistry::setCard(const QString &ref, ModelCardText card)
{
    if (card.updatedBy.isEmpty())
        card.updatedBy = currentUser();
    card.updatedAt = nowMs();
    const QJsonObject o{{QStringLiteral("intended_use"), card.intendedUse},
                        {QStringLiteral("training_data"), card.trainingData},
                        {QStringLiteral("metrics"), card.metrics},
                        {QStringLiteral("limitations"), card.limitations},
                        {QStringLiteral("updated_by"), card.updatedBy},
                        {QStringLiteral("updated_at"), card.updatedAt}};
    SqliteDatabase &db = m_workspace->store().database();
    db.write([&] {
        const qint64 vid = versionId(db, ref);
        auto q = db.query(QStringLiteral("UPDATE model_versions SET card = ? WHERE id = ?"));
        q.bind(1, jsonText(o)).bind(2, vid).exec();
    });
}

QJsonObject ModelRegistry::cardJson(const QString &ref) const
{
    const ModelVersion v = version(ref);
    const QString exact = QStringLiteral("%1:%2").arg(v.name).arg(v.version);
    const ModelCardText text = card(exact);
    QJsonArray trail;
    for (const ApprovalEvent &e : approvalTrail(exact))
        trail.append(QJsonObject{{QStringLiteral("status"), e.status},
                                 {QStringLiteral("by"), e.by},
                                 {QStringLiteral("time"), formatTime(e.time)},
                                 {QStringLiteral("comment"), e.comment}});
    const QJsonObject &l = v.lineage;
    return QJsonObject{
        {QStringLiteral("model"), v.name},
        {QStringLiteral("version"), v.version},
        {QStringLiteral("description"), v.description},
        {QStringLiteral("approval"), v.approval},
        {QStringLiteral("aliases"), QJsonArray::fromStringList(v.aliases)},
        {QStringLiteral("registered"), formatTime(v.createdAt)},
        {QStringLiteral("registered_by"), v.createdBy},
        {QStringLiteral("algorithm"), l.value(QStringLiteral("algorithm"))},
        {QStringLiteral("task"), l.value(QStringLiteral("task"))},
        {QStringLiteral("target"), l.value(QStringLiteral("target"))},
        {QStringLiteral("intended_use"), text.intendedUse},
        {QStringLiteral("training_data"), QJsonObject{{QStringLiteral("notes"), text.trainingData},
                                                      {QStringLiteral("channels"), l.value(QStringLiteral("channels"))}}},
        {QStringLiteral("metrics"), QJsonObject{{QStringLiteral("notes"), text.metrics},
                                                {QStringLiteral("values"), l.value(QStringLiteral("metrics"))}}},
        {QStringLiteral("hyperparameters"), l.value(QStringLiteral("hyperparameters"))},
        {QStringLiteral("limitations"), text.limitations},
        {QStringLiteral("run"), v.runUuid},
        {QStringLiteral("model_sha256"), l.value(QStringLiteral("model_sha256"))},
        {QStringLiteral("cairn_version"), l.value(QStringLiteral("cairn_version"))},
        {QStringLiteral("approval_history"), trail},
        {QStringLiteral("card_updated_by"), text.updatedBy},
        {QStringLiteral("card_updated"), formatTime(text.updatedAt)},
    };
}

QString ModelRegistry::cardMarkdown(const QString &ref) const
{
    const QJsonObject c = cardJson(ref);
    auto str = [&](const char *key) { return c.value(QLatin1String(key)).toString(); };
    auto paragraph = [](const QString &text) { return text.trimmed().isEmpty() ? QStringLiteral("_Not written yet._\n") : text.trimmed() + QLatin1Char('\n'); };
    QString md;
    QTextStream o(&md);
    o << "# Model card: " << str("model") << ", version " << c.value(QStringLiteral("version")).toInt() << "\n\n";
    if (!str("description").isEmpty())
        o << str("description") << "\n\n";
    o << "| | |\n|---|---|\n";
    o << "| Approval | " << str("approval") << " |\n";
    const QJsonArray aliases = c.value(QStringLiteral("aliases")).toArray();
    if (!aliases.isEmpty()) {
        QStringList a;
        for (const auto &v : aliases)
            a << QLatin1Char('@') + v.toString();
        o << "| Aliases | " << a.join(QStringLiteral(", ")) << " |\n";
    }
    o << "| Algorithm | " << escapeCell(str("algorithm")) << " |\n";
    if (!str("task").isEmpty())
        o << "| Task | " << escapeCell(str("task")) << (str("target").isEmpty() ? QString() : QStringLiteral(" (target: %1)").arg(escapeCell(str("target")))) << " |\n";
    o << "| Registered | " << str("registered") << " by " << escapeCell(str("registered_by")) << " |\n";
    if (!str("run").isEmpty())
        o << "| Run | `" << str("run") << "` |\n";
    o << "| Model files (SHA-256) | `" << str("model_sha256") << "` |\n";
    o << "| Cairn version | " << str("cairn_version") << " |\n\n";

    o << "## Intended use\n\n" << paragraph(str("intended_use")) << "\n";

    const QJsonObject training = c.value(QStringLiteral("training_data")).toObject();
    o << "## Training data\n\n" << paragraph(training.value(QStringLiteral("notes")).toString()) << "\n";
    const QJsonArray channels = training.value(QStringLiteral("channels")).toArray();
    if (!channels.isEmpty()) {
        o << "| Channel | Type | Path | Bytes | SHA-256 |\n|---|---|---|---|---|\n";
        for (const auto &ch : channels) {
            const QJsonObject co = ch.toObject();
            o << "| " << co.value(QStringLiteral("name")).toString() << " | " << co.value(QStringLiteral("type")).toString() << " | "
              << escapeCell(co.value(QStringLiteral("path")).toString()) << " | "
              << (co.contains(QStringLiteral("bytes")) ? QString::number(co.value(QStringLiteral("bytes")).toInteger()) : QString()) << " | "
              << (co.value(QStringLiteral("missing")).toBool() ? QStringLiteral("(missing at registration)")
                                                              : QStringLiteral("`%1`").arg(co.value(QStringLiteral("sha256")).toString()))
              << " |\n";
        }
        o << "\n";
    }

    const QJsonObject metrics = c.value(QStringLiteral("metrics")).toObject();
    o << "## Metrics\n\n";
    if (!metrics.value(QStringLiteral("notes")).toString().trimmed().isEmpty())
        o << metrics.value(QStringLiteral("notes")).toString().trimmed() << "\n\n";
    const QJsonObject values = metrics.value(QStringLiteral("values")).toObject();
    if (values.isEmpty()) {
        o << "_No metrics were recorded._\n\n";
    } else {
        o << "| Metric | Value |\n|---|---|\n";
        // Six significant digits read well in a document; the JSON export keeps every digit.
        for (auto it = values.begin(); it != values.end(); ++it)
            o << "| " << escapeCell(it.key()) << " | "
              << (it.value().isDouble() ? QString::number(it.value().toDouble(), 'g', 6) : valueText(it.value())) << " |\n";
        o << "\n";
    }

    const QJsonObject hp = c.value(QStringLiteral("hyperparameters")).toObject();
    if (!hp.isEmpty()) {
        o << "## Hyperparameters\n\n| Name | Value |\n|---|---|\n";
        for (auto it = hp.begin(); it != hp.end(); ++it)
            o << "| " << escapeCell(it.key()) << " | " << escapeCell(valueText(it.value())) << " |\n";
        o << "\n";
    }

    o << "## Limitations\n\n" << paragraph(str("limitations")) << "\n";

    o << "## Approval history\n\n| When | Status | By | Comment |\n|---|---|---|---|\n";
    for (const auto &e : c.value(QStringLiteral("approval_history")).toArray()) {
        const QJsonObject eo = e.toObject();
        o << "| " << eo.value(QStringLiteral("time")).toString() << " | " << eo.value(QStringLiteral("status")).toString() << " | "
          << escapeCell(eo.value(QStringLiteral("by")).toString()) << " | " << escapeCell(eo.value(QStringLiteral("comment")).toString()) << " |\n";
    }
    o.flush();
    return md;
}

// ---- compare -------------------------------------------------------------------------------

const VersionComparison::Row *VersionComparison::metric(const QString &key) const
{
    for (const Row &r : rows)
        if (r.section == QLatin1String("metrics") && r.key == key)
            return &r;
    return nullptr;
}

QJsonObject VersionComparison::toJson(bool onlyDifferences) const
{
    QJsonArray versionArray;
    for (int v : versions)
        versionArray.append(v);
    QJsonArray rowArray;
    for (const Row &row : rows) {
        if (onlyDifferences && !row.differs)
            continue;
        rowArray.append(row.toJson());
    }
    return QJsonObject{{QStringLiteral("model"), name}, {QStringLiteral("versions"), versionArray}, {QStringLiteral("rows"), rowArray}};
}

QString VersionComparison::toText(bool onlyDifferences) const
{
    RunTable table;
    table.columns = {QStringLiteral("field"), QString()};
    for (int v : versions)
        table.columns << QStringLiteral("v%1").arg(v);
    for (const Row &row : rows) {
        if (onlyDifferences && !row.differs)
            continue;
        const QString field = row.section == QLatin1String("attributes") ? row.key : row.section + QLatin1Char('.') + row.key;
        table.rows << (QStringList{field, row.differs ? QStringLiteral("*") : QString()} + row.values);
    }
    return table.toText();
}

VersionComparison ModelRegistry::compare(const QString &name, const QList<int> &wanted) const
{
    QList<ModelVersion> all = versions(name);
    VersionComparison cmp;
    cmp.name = name;
    QList<ModelVersion> chosen;
    if (wanted.isEmpty()) {
        chosen = all;
    } else {
        for (int n : wanted) {
            auto it = std::find_if(all.cbegin(), all.cend(), [&](const ModelVersion &v) { return v.version == n; });
            if (it == all.cend())
                version(QStringLiteral("%1:%2").arg(name).arg(n)); // throws naming the versions there are
            chosen << *it;
        }
    }
    if (chosen.isEmpty())
        throw Error(QStringLiteral("model '%1' has no versions to compare").arg(name));
    for (const ModelVersion &v : chosen)
        cmp.versions << v.version;

    auto addRow = [&](const QString &section, const QString &key, const std::function<QString(const ModelVersion &)> &value, bool flag = true) {
        VersionComparison::Row row{section, key, {}, false};
        for (const ModelVersion &v : chosen)
            row.values << value(v);
        for (const QString &v : std::as_const(row.values))
            row.differs = flag && (row.differs || v != row.values.first());
        cmp.rows << row;
    };
    auto lineageText = [](const char *key) {
        return [key](const ModelVersion &v) { return valueText(v.lineage.value(QLatin1String(key))); };
    };
    auto keysOf = [&](auto get) {
        QStringList keys;
        for (const ModelVersion &v : chosen)
            for (const QString &k : get(v))
                if (!keys.contains(k))
                    keys << k;
        keys.sort();
        return keys;
    };

    addRow(QStringLiteral("attributes"), QStringLiteral("approval"), [](const ModelVersion &v) { return v.approval; });
    addRow(QStringLiteral("attributes"), QStringLiteral("aliases"), [](const ModelVersion &v) { return v.aliases.join(QLatin1Char(',')); });
    addRow(QStringLiteral("attributes"), QStringLiteral("registered"), [](const ModelVersion &v) { return formatTime(v.createdAt); }, false);
    addRow(QStringLiteral("attributes"), QStringLiteral("run"), [](const ModelVersion &v) { return v.runUuid; });
    for (const char *key : {"algorithm", "task", "target", "cairn_version", "model_sha256"})
        addRow(QStringLiteral("attributes"), QString::fromLatin1(key), lineageText(key));

    const QStringList hpKeys = keysOf([](const ModelVersion &v) { return v.lineage.value(QStringLiteral("hyperparameters")).toObject().keys(); });
    for (const QString &k : hpKeys)
        addRow(QStringLiteral("hyperparameters"), k,
               [k](const ModelVersion &v) { return valueText(v.lineage.value(QStringLiteral("hyperparameters")).toObject().value(k)); });
    const QStringList metricKeys = keysOf([](const ModelVersion &v) { return v.lineage.value(QStringLiteral("metrics")).toObject().keys(); });
    for (const QString &k : metricKeys)
        addRow(QStringLiteral("metrics"), k, [k](const ModelVersion &v) { return valueText(v.lineage.value(QStringLiteral("metrics")).toObject().value(k)); });

    auto channelsOf = [](const ModelVersion &v) {
        QMap<QString, QJsonObject> out;
        for (const auto &c : v.lineage.value(QStringLiteral("channels")).toArray())
            out.insert(c.toObject().value(QStringLiteral("name")).toString(), c.toObject());
        return out;
    };
    const QStringList channelNames = keysOf([&](const ModelVersion &v) { return channelsOf(v).keys(); });
    for (const QString &ch : channelNames) {
        addRow(QStringLiteral("data"), ch + QStringLiteral(".path"),
               [&, ch](const ModelVersion &v) { return channelsOf(v).value(ch).value(QStringLiteral("path")).toString(); });
        addRow(QStringLiteral("data"), ch + QStringLiteral(".sha256"),
               [&, ch](const ModelVersion &v) { return channelsOf(v).value(ch).value(QStringLiteral("sha256")).toString(); });
    }
    const QStringList tagKeys = keysOf([](const ModelVersion &v) { return v.tags.keys(); });
    for (const QString &k : tagKeys)
        addRow(QStringLiteral("tags"), k, [k](const ModelVersion &v) { return v.tags.value(k); });
    return cmp;
}

// ---- endpoints and deletion ----------------------------------------------------------------

QList<EndpointUse> ModelRegistry::endpointsServing(const QString &name, int version) const
{
    QList<EndpointUse> out;
    // Only live records: a file left behind by a crashed server does not hold a version.
    for (const serving::EndpointRecord &r : serving::EndpointRecord::list(m_workspace->path(), true)) {
        bool serves = false;
        for (const auto &m : r.models) {
            const QJsonObject mo = m.toObject();
            serves = serves || (mo.value(QStringLiteral("name")).toString() == name && mo.value(QStringLiteral("version")).toInt() == version);
        }
        if (serves)
            out << EndpointUse{r.name, r.pid, r.host, r.port};
    }
    return out;
}

namespace {

QString describeEndpoints(const QList<EndpointUse> &uses)
{
    QStringList parts;
    for (const EndpointUse &u : uses)
        parts << QStringLiteral("'%1' (pid %2, %3:%4)").arg(u.endpoint).arg(u.pid).arg(u.host).arg(u.port);
    return parts.join(QStringLiteral(", "));
}

} // namespace

void ModelRegistry::deleteVersion(const QString &ref)
{
    const ModelVersion v = version(ref);
    const QList<EndpointUse> uses = endpointsServing(v.name, v.version);
    if (!uses.isEmpty())
        throw Error(QStringLiteral("version %1 of '%2' is served by endpoint %3: stop it first (cairn endpoints stop NAME)")
                        .arg(v.version)
                        .arg(v.name, describeEndpoints(uses)));
    SqliteDatabase &db = m_workspace->store().database();
    db.write([&] {
        const qint64 vid = versionId(db, QStringLiteral("%1:%2").arg(v.name).arg(v.version));
        for (const char *sql : {"DELETE FROM model_aliases WHERE version_id = ?", "DELETE FROM model_version_tags WHERE version_id = ?",
                                "DELETE FROM model_approvals WHERE version_id = ?", "DELETE FROM model_versions WHERE id = ?"}) {
            auto q = db.query(QString::fromLatin1(sql));
            q.bind(1, vid).exec();
        }
        touchModel(db, modelId(db, v.name));
    });
    if (QFileInfo::exists(v.modelDir) && !QDir(v.modelDir).removeRecursively())
        throw Error(QStringLiteral("version %1 of '%2' is deleted, but its files in %3 could not all be removed").arg(v.version).arg(v.name, v.modelDir));
}

void ModelRegistry::deleteModel(const QString &name)
{
    const QList<ModelVersion> all = versions(name);
    for (const ModelVersion &v : all) {
        const QList<EndpointUse> uses = endpointsServing(v.name, v.version);
        if (!uses.isEmpty())
            throw Error(QStringLiteral("version %1 of '%2' is served by endpoint %3: stop it first (cairn endpoints stop NAME)")
                            .arg(v.version)
                            .arg(v.name, describeEndpoints(uses)));
    }
    SqliteDatabase &db = m_workspace->store().database();
    db.write([&] {
        const qint64 model = modelId(db, name);
        for (const char *sql : {"DELETE FROM model_aliases WHERE model_id = ?",
                                "DELETE FROM model_version_tags WHERE version_id IN (SELECT id FROM model_versions WHERE model_id = ?)",
                                "DELETE FROM model_approvals WHERE version_id IN (SELECT id FROM model_versions WHERE model_id = ?)",
                                "DELETE FROM model_versions WHERE model_id = ?", "DELETE FROM model_tags WHERE model_id = ?",
                                "DELETE FROM registered_models WHERE id = ?"}) {
            auto q = db.query(QString::fromLatin1(sql));
            q.bind(1, model).exec();
        }
    });
    const QString dir = QDir(modelsRoot()).filePath(name);
    if (QFileInfo::exists(dir) && !QDir(dir).removeRecursively())
        throw Error(QStringLiteral("model '%1' is deleted, but its files in %2 could not all be removed").arg(name, dir));
}

} // namespace cairn
