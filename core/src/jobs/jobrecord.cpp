#include "cairn/jobs/jobrecord.h"

#include "cairn/store/types.h"
#include "cairn/util/error.h"

#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QJsonDocument>
#include <QRandomGenerator>
#include <QSaveFile>

#include <algorithm>

namespace cairn {

QString jobStateName(JobState state)
{
    switch (state) {
    case JobState::Queued: return QStringLiteral("queued");
    case JobState::Running: return QStringLiteral("running");
    case JobState::Stopping: return QStringLiteral("stopping");
    case JobState::Finished: return QStringLiteral("finished");
    case JobState::Failed: return QStringLiteral("failed");
    case JobState::Stopped: return QStringLiteral("stopped");
    }
    return {};
}

std::optional<JobState> jobStateFromName(const QString &name)
{
    for (JobState s : {JobState::Queued, JobState::Running, JobState::Stopping, JobState::Finished, JobState::Failed, JobState::Stopped})
        if (jobStateName(s) == name)
            return s;
    return std::nullopt;
}

QString JobRecord::jobsRoot(const QString &workspacePath)
{
    return QDir(workspacePath).filePath(QStringLiteral("jobs"));
}

QString JobRecord::dirOf(const QString &workspacePath, const QString &jobId)
{
    return QDir(jobsRoot(workspacePath)).filePath(jobId);
}

QString JobRecord::newId()
{
    // Sortable by time, unique enough across processes starting in the same second.
    return QStringLiteral("job-%1-%2")
        .arg(QDateTime::currentDateTimeUtc().toString(QStringLiteral("yyyyMMdd-HHmmss")))
        .arg(QRandomGenerator::global()->bounded(0x10000), 4, 16, QLatin1Char('0'));
}

QJsonObject JobRecord::toJson() const
{
    return QJsonObject{{QStringLiteral("id"), id},
                       {QStringLiteral("algorithm"), algorithm},
                       {QStringLiteral("runUuid"), runUuid},
                       {QStringLiteral("experiment"), experiment},
                       {QStringLiteral("host"), host},
                       {QStringLiteral("runner"), runner},
                       {QStringLiteral("state"), jobStateName(state)},
                       {QStringLiteral("submitted"), double(submitted)},
                       {QStringLiteral("started"), double(started)},
                       {QStringLiteral("ended"), double(ended)},
                       {QStringLiteral("managerPid"), double(managerPid)},
                       {QStringLiteral("workerPid"), double(workerPid)},
                       {QStringLiteral("exitCode"), exitCode},
                       {QStringLiteral("progress"), progress},
                       {QStringLiteral("message"), message}};
}

JobRecord JobRecord::fromJson(const QJsonObject &o)
{
    JobRecord r;
    r.id = o.value(QStringLiteral("id")).toString();
    r.algorithm = o.value(QStringLiteral("algorithm")).toString();
    r.runUuid = o.value(QStringLiteral("runUuid")).toString();
    r.experiment = o.value(QStringLiteral("experiment")).toString();
    r.host = o.value(QStringLiteral("host")).toString();
    r.runner = o.value(QStringLiteral("runner")).toString();
    r.state = jobStateFromName(o.value(QStringLiteral("state")).toString()).value_or(JobState::Failed);
    r.submitted = qint64(o.value(QStringLiteral("submitted")).toDouble());
    r.started = qint64(o.value(QStringLiteral("started")).toDouble());
    r.ended = qint64(o.value(QStringLiteral("ended")).toDouble());
    r.managerPid = qint64(o.value(QStringLiteral("managerPid")).toDouble());
    r.workerPid = qint64(o.value(QStringLiteral("workerPid")).toDouble());
    r.exitCode = o.value(QStringLiteral("exitCode")).toInt();
    r.progress = o.value(QStringLiteral("progress")).toDouble();
    r.message = o.value(QStringLiteral("message")).toString();
    return r;
}

void JobRecord::save(const QString &dir) const
{
    QDir().mkpath(dir);
    QSaveFile f(QDir(dir).filePath(QStringLiteral("job.json")));
    if (!f.open(QIODevice::WriteOnly))
        throw Error(QStringLiteral("cannot write %1: %2").arg(f.fileName(), f.errorString()));
    f.write(QJsonDocument(toJson()).toJson(QJsonDocument::Indented));
    if (!f.commit())
        throw Error(QStringLiteral("cannot write %1: %2").arg(f.fileName(), f.errorString()));
}

JobRecord JobRecord::load(const QString &dir)
{
    QFile f(QDir(dir).filePath(QStringLiteral("job.json")));
    if (!f.open(QIODevice::ReadOnly))
        throw Error(QStringLiteral("no job at %1").arg(dir));
    const QJsonDocument doc = QJsonDocument::fromJson(f.readAll());
    if (!doc.isObject())
        throw Error(QStringLiteral("%1 is damaged (not a JSON object)").arg(f.fileName()));
    return fromJson(doc.object());
}

QList<JobRecord> JobRecord::list(const QString &workspacePath)
{
    QList<JobRecord> out;
    const QDir root(jobsRoot(workspacePath));
    for (const QString &name : root.entryList(QDir::Dirs | QDir::NoDotAndDotDot)) {
        try {
            out << load(root.filePath(name));
        } catch (const Error &) {
            // A folder being created right now, or not a job: skip it.
        }
    }
    std::sort(out.begin(), out.end(), [](const JobRecord &a, const JobRecord &b) {
        return a.submitted != b.submitted ? a.submitted > b.submitted : a.id > b.id;
    });
    return out;
}

JobRecord JobRecord::resolve(const QString &workspacePath, const QString &idOrPrefix)
{
    if (QFile::exists(QDir(dirOf(workspacePath, idOrPrefix)).filePath(QStringLiteral("job.json"))))
        return load(dirOf(workspacePath, idOrPrefix));
    QList<JobRecord> matches;
    for (const JobRecord &r : list(workspacePath))
        if (r.id.startsWith(idOrPrefix) || (!r.runUuid.isEmpty() && r.runUuid.startsWith(idOrPrefix)))
            matches << r;
    if (matches.size() == 1)
        return matches.first();
    if (matches.isEmpty())
        throw Error(QStringLiteral("no job '%1' in this workspace (see cairn jobs list)").arg(idOrPrefix));
    throw Error(QStringLiteral("'%1' matches %2 jobs; give more of the id").arg(idOrPrefix).arg(matches.size()));
}

qint64 JobRecord::elapsedMs(qint64 now) const
{
    if (started <= 0)
        return 0;
    return (ended > 0 ? ended : now) - started;
}

} // namespace cairn
