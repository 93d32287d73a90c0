#pragma once

#include "cairn/jobs/jobevent.h"
#include "cairn/jobs/jobrecord.h"
#include "cairn/jobs/jobspec.h"
#include "cairn/jobs/runner.h"

#include <QHash>
#include <QSet>
#include <QObject>
#include <QStringList>
#include <QTimer>

#include <functional>
#include <memory>

namespace cairn {

class StoreWriter;
class Workspace;

/// Launches workers for training jobs and is the one writer of their events into the store.
/// Each job gets a run (created when it is submitted, SCHEDULED until its worker starts) and a
/// folder <workspace>/jobs/<job>/ with spec.json, job.json, job.log and events.jsonl. Events
/// are batched through one StoreWriter flushed on a timer, so many jobs at once cost a few
/// transactions a second. At most maxConcurrentJobs() workers run at once; the rest queue.
/// Stopping a job sends {"type":"stop"} on the worker's stdin, then SIGTERM after the control
/// grace period, then SIGKILL after the terminate grace period.
class JobManager : public QObject
{
    Q_OBJECT
public:
    using RunnerFactory = std::function<Runner *(const JobSpec &spec)>;

    explicit JobManager(Workspace &workspace, QObject *parent = nullptr);
    ~JobManager() override;

    /// The program that runs `worker --spec FILE` (default: the `cairn` next to this program,
    /// else $CAIRN_CLI). `arguments` come before "--spec FILE".
    void setWorkerCommand(const QString &program, const QStringList &arguments = {QStringLiteral("worker")});
    QString workerProgram() const { return m_program; }
    void setMaxConcurrentJobs(int n);
    int maxConcurrentJobs() const { return m_maxConcurrent; }
    void setStopGracePeriods(int controlMs, int terminateMs);
    void setFlushInterval(int ms);
    void setRunnerFactory(RunnerFactory factory);

    /// Marks RUNNING runs of this host whose process is gone as FAILED, and the same for job
    /// records left queued or running by a process that no longer exists. Returns how many
    /// runs were marked. Call once at start-up.
    int recoverLostRuns();
    /// The same for any reader of a workspace (runs list, jobs list, the studio's refresh):
    /// jobs in supervisedHere are this process's own and are left alone.
    static int markLostRuns(Workspace &workspace, const QSet<QString> &supervisedHere = {});

    /// Queues a job: gives it an id (if it has none), creates its run and folder, writes the
    /// spec. Returns the job id. Throws cairn::Error if the run or folder cannot be made.
    QString submit(JobSpec spec);
    /// Supervises a job whose folder and spec were prepared by prepareJob() (`--detach`).
    QString adopt(const QString &jobId);
    /// Writes a job's folder and spec without running it: another process adopts it.
    static QString prepareJob(Workspace &workspace, JobSpec &spec);

    /// Jobs of the workspace whose worker runs on another host (it outlives its supervisor) and
    /// that no live process follows: after the studio or the CLI exited, or lost the network.
    static QStringList detachedJobs(const QString &workspacePath);
    /// Follows such a job again: reads its events from the offset the store last committed, so
    /// no point is lost or written twice. Throws cairn::Error when the job cannot be re-attached.
    void reattach(const QString &jobId);

    void stop(const QString &jobId, const QString &reason = {});
    /// Asks the process supervising a job (possibly another one) to stop it.
    static void requestStop(const QString &workspacePath, const QString &jobId);

    JobRecord job(const QString &jobId) const;
    QStringList activeJobs() const;
    int runningCount() const;
    bool isIdle() const { return m_jobs.isEmpty(); }
    /// Writes pending events now.
    void flush();

Q_SIGNALS:
    void jobQueued(const QString &jobId, const QString &runUuid);
    void jobStarted(const QString &jobId, const QString &runUuid);
    void jobEvent(const QString &jobId, const cairn::JobEvent &event);
    void jobLogLine(const QString &jobId, const QString &line);
    void jobProgress(const QString &jobId, double fraction, const QString &message);
    void jobFinished(const QString &jobId, cairn::JobState state, const QString &message);
    void idle();

private:
    struct Job;
    void startQueued();
    void launch(Job &job);
    void connectRunner(Job &job, Runner *runner);
    void onLine(const QString &jobId, const QByteArray &line);
    void onStderr(const QString &jobId, const QByteArray &text);
    void onFinished(const QString &jobId, int exitCode, bool crashed, const QString &error);
    void appendLog(Job &job, const QString &line);
    void saveRecord(Job &job);
    void tick();
    QString createRunFor(JobSpec &spec, JobRecord &record);

    Workspace &m_workspace;
    std::unique_ptr<StoreWriter> m_writer;
    QString m_program;
    QStringList m_arguments;
    int m_maxConcurrent = 1;
    int m_controlGraceMs = 10000;
    int m_terminateGraceMs = 5000;
    RunnerFactory m_factory;
    QTimer m_flushTimer;
    QHash<QString, std::shared_ptr<Job>> m_jobs;
    QStringList m_queue;
    QString m_host;
};

} // namespace cairn
