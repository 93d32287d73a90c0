#pragma once

#include "cairn/jobs/jobrecord.h"
#include "cairn/jobs/jobspec.h"
#include "cairn/remote/hostplacement.h"
#include "cairn/tuning/earlystopping.h"
#include "cairn/tuning/searchspace.h"

#include <QHash>
#include <QJsonObject>
#include <QObject>

#include <memory>
#include <vector>

namespace cairn {
class JobManager;
class Workspace;
struct JobEvent;
}

namespace cairn::tuning {

class Strategy;

/// What a tuning job searches and how: a base training job whose hyperparameters the trials
/// vary over `space`, a strategy, an objective metric, a budget and a parallelism limit.
struct TuningSpec
{
    static constexpr int kVersion = 1;
    JobSpec base;                 ///< algorithm, channels, target, fixed hyperparameters
    SearchSpace space;
    QString strategy = QStringLiteral("bayesian");
    QString objective = QStringLiteral("validation.auc"); ///< a metric the trials log
    bool maximize = true;
    int maxTrials = 20;
    int maxParallel = 2;
    bool earlyStopping = false;   ///< the median stopping rule on the objective's curve
    QStringList warmStartFrom;    ///< earlier tuning runs whose trials seed the strategy
    quint64 seed = 1;
    QString name;
    /// Hosts the trials are spread over ("local" and SSH host names); empty: every trial runs on
    /// base.resources.host. A trial goes to the host with the most free room (its job limit;
    /// local: the JobManager's), at most maxParallel at once in all.
    QStringList hosts;

    QJsonObject toJson() const;
    static TuningSpec fromJson(const QJsonObject &json);
    /// "validation:auc" (SageMaker's spelling) or "validation.auc" → "validation.auc".
    static QString normaliseObjective(const QString &objective);
};

struct Trial
{
    int index = 0;            ///< 1-based
    QString jobId;
    QString runUuid;
    QJsonObject params;       ///< the tuned hyperparameters
    JobState state = JobState::Queued;
    double objective = std::numeric_limits<double>::quiet_NaN();
    bool earlyStopped = false;
    QString host;             ///< where it runs when the trials are spread over hosts
    QString message;
};

/// Runs a tuning job through the JobManager: each trial is a training job whose run is a child of
/// the tuning run; at most maxParallel run at once; a trial that fails is recorded and the search
/// goes on. The tuning run logs the objective of each trial and the best so far (step = trial).
class TuningJob : public QObject
{
    Q_OBJECT
public:
    TuningJob(Workspace &workspace, JobManager &jobs, TuningSpec spec, QObject *parent = nullptr);
    ~TuningJob() override;

    /// Creates the tuning run, applies warm start, and launches the first trials. Throws
    /// cairn::Error for a spec that cannot run (unknown objective direction, bad warm start).
    void start();
    /// Stops the running trials and launches no more.
    void stop();

    const TuningSpec &spec() const { return m_spec; }
    QString runUuid() const { return m_runUuid; }
    const QList<Trial> &trials() const { return m_trials; }
    /// The best finished trial, or nullptr.
    const Trial *best() const;
    bool isFinished() const { return m_finished; }
    int runningCount() const;
    /// Why the tuning job failed as a whole (every host of spec().hosts unreachable); empty if not.
    QString failure() const { return m_failure; }

Q_SIGNALS:
    void trialStarted(const cairn::tuning::Trial &trial);
    void trialFinished(const cairn::tuning::Trial &trial);
    void bestChanged(const cairn::tuning::Trial &trial);
    /// A host of spec().hosts could not run a trial: no more trials go there; the trial runs again
    /// on another host, or, with none left, failure() says why and the job ends.
    void hostDropped(const QString &host, const QString &message);
    void finished();

private:
    void launchMore();
    bool submit(Trial &trial);
    QString pickHost() const;
    void finish();
    void onJobEvent(const QString &jobId, const cairn::JobEvent &event);
    void onJobFinished(const QString &jobId, cairn::JobState state, const QString &message);
    double oriented(double value) const { return m_spec.maximize ? -value : value; }
    int warmStart();
    Trial *trialForJob(const QString &jobId);

    Workspace &m_workspace;
    JobManager &m_jobs;
    TuningSpec m_spec;
    std::unique_ptr<Strategy> m_strategy;
    MedianStoppingRule m_stopping;
    QList<Trial> m_trials;
    std::vector<std::vector<double>> m_points; ///< unit point of each trial, by index - 1
    QString m_runUuid;
    qint64 m_runId = -1;
    int m_bestIndex = 0;
    bool m_stopRequested = false;
    bool m_finished = false;
    bool m_exhausted = false;
    remote::HostPlacement m_placement;///< the hosts of spec().hosts, their room, those dropped
    QList<int> m_retry;               ///< trials to run again on another host
    QString m_failure;
};

} // namespace cairn::tuning
