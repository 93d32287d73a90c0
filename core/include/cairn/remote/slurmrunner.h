#pragma once

#include "cairn/jobs/runner.h"
#include "cairn/remote/host.h"
#include "cairn/remote/slurm.h"

#include <QJsonObject>
#include <QTimer>

#include <atomic>
#include <memory>

namespace cairn::remote {

/// Runs a job as a Slurm batch job. The job's folder goes to <workDir>/jobs/<job>/ on the
/// cluster's shared filesystem (spec.json, job.sbatch written from the job's resources), the
/// data channels too when the cluster is reached through a login host (content-hash cache), and
/// `sbatch --parsable` submits it. From then on one poll (every 250 ms here, 1 s over SSH) asks
/// `scontrol show job` (then `sacct`) for its state and reads events.jsonl from a byte offset:
/// PENDING and its reason, RUNNING on which nodes, then the end mapped to the run's status
/// (COMPLETED / FAILED with the exit code, TIMEOUT, OUT_OF_MEMORY, CANCELLED with their reason).
/// When slurmctld does not answer (restarting) the job stays followed and is asked again.
/// Stop: a control line into the job's control file while it runs, `scancel` when pending or
/// when the worker does not stop. The model and artifacts come back from <job>/output.
/// The local job folder gets slurm.json (cluster, folder, Slurm job id, last state), so a later
/// process re-attaches and `cairn hosts queue` / the Resources panel know the job.
/// Children of one run (a tuning job's trials) started in the same turn of the event loop with
/// the same resources are submitted together as one job array (`sbatch --array`); each task is
/// still its own job here, followed and stopped (`scancel 12_3`) by its own runner.
class SlurmRunner : public Runner
{
    Q_OBJECT
public:
    explicit SlurmRunner(Host host, QObject *parent = nullptr);
    ~SlurmRunner() override;

    QString kind() const override { return QStringLiteral("slurm"); }
    void start(const WorkerLaunch &launch) override;
    void sendControl(const QByteArray &line) override;
    void terminate() override;
    void kill() override;
    /// The Slurm job id ("12"; a job array's "12" for its task "12_3").
    qint64 processId() const override { return m_slurmJobId.section(QLatin1Char('_'), 0, 0).toLongLong(); }
    bool isRunning() const override { return m_running; }
    bool outlivesParent() const override { return true; }
    void attach(const QString &jobDir, qint64 offset) override;
    qint64 eventOffset() const override { return m_offset; }

    /// What slurm.json holds for a job folder (empty when the job was never submitted).
    static QJsonObject slurmState(const QString &jobDir);

    /// The outcome of sbatch for one job (or one task of a job array: jobId "12_3").
    struct Submission
    {
        QString error;
        bool cancelled = false;
        QString remoteDir;
        QString localOutput;
        QString jobId;
        QStringList messages;
    };

private:
    void submitAlone(const QString &specPath);
    static void submitPending(const QString &key);
    void onSubmitted(const Submission &s);
    void poll();
    void handlePoll(const SlurmPoll &p);
    void finishWith(const SlurmJobState &state, int exitFileCode);
    void emitLines(const QByteArray &bytes, bool flushPartial);
    void saveState();
    void cancelAsync(const QString &signal);
    void fail(const QString &message);

    Host m_host;
    QString m_jobDir;
    QString m_remoteDir;
    QString m_localOutput;
    QString m_slurmJobId;
    qint64 m_offset = 0;
    bool m_running = false;
    bool m_polling = false;
    bool m_stopRequested = false;   ///< before submission ended: cancel as soon as submitted
    bool m_cancelRequested = false; ///< scancel sent by us
    bool m_wasRunning = false;
    int m_controllerDownPolls = 0;
    int m_stepWaits = 0;            ///< polls spent waiting for a killed step's accounting
    SlurmJobState m_last;
    std::shared_ptr<std::atomic<bool>> m_cancel;
    QTimer m_pollTimer;
};

} // namespace cairn::remote
