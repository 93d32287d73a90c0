#pragma once

#include <QJsonObject>
#include <QList>
#include <QString>

#include <optional>

namespace cairn {

enum class JobState { Queued, Running, Stopping, Finished, Failed, Stopped };
QString jobStateName(JobState state);
std::optional<JobState> jobStateFromName(const QString &name);
inline bool isTerminal(JobState s) { return s == JobState::Finished || s == JobState::Failed || s == JobState::Stopped; }

/// The state of one job, kept in <workspace>/jobs/<job>/job.json next to spec.json, job.log
/// (the human-readable log) and events.jsonl (the worker's event stream). Written by the
/// process that supervises the job; read by `cairn jobs list` and the Training panel.
struct JobRecord
{
    QString id;
    QString algorithm;
    QString runUuid;
    QString experiment;
    QString host;
    QString runner;
    JobState state = JobState::Queued;
    qint64 submitted = 0;
    qint64 started = 0;
    qint64 ended = 0;
    qint64 managerPid = 0;   ///< the process that writes this job's events into the store
    qint64 workerPid = 0;
    int exitCode = 0;
    double progress = 0;
    QString message;

    static QString jobsRoot(const QString &workspacePath);
    static QString dirOf(const QString &workspacePath, const QString &jobId);
    static QString newId();

    QJsonObject toJson() const;
    static JobRecord fromJson(const QJsonObject &json);
    /// Writes job.json atomically into `dir`.
    void save(const QString &dir) const;
    /// Throws cairn::Error when the job does not exist.
    static JobRecord load(const QString &dir);
    /// Every job of the workspace, newest first.
    static QList<JobRecord> list(const QString &workspacePath);
    /// Accepts a full id or a unique prefix.
    static JobRecord resolve(const QString &workspacePath, const QString &idOrPrefix);
    qint64 elapsedMs(qint64 now) const;
};

} // namespace cairn
