#include "cairn/tuning/tuningjob.h"

#include "cairn/jobs/jobevent.h"
#include "cairn/jobs/jobmanager.h"
#include "cairn/store/experimentstore.h"
#include "cairn/tuning/strategy.h"
#include "cairn/util/error.h"
#include "cairn/workspace/workspace.h"

#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QSysInfo>

#include <cmath>

namespace cairn::tuning {

QString TuningSpec::normaliseObjective(const QString &objective)
{
    QString o = objective.trimmed();
    const qsizetype colon = o.indexOf(QLatin1Char(':'));
    if (colon > 0)
        o[colon] = QLatin1Char('.');
    return o;
}

QJsonObject TuningSpec::toJson() const
{
    return QJsonObject{{QStringLiteral("version"), kVersion},
                       {QStringLiteral("name"), name},
                       {QStringLiteral("base"), base.toJson()},
                       {QStringLiteral("space"), space.toJson()},
                       {QStringLiteral("strategy"), strategy},
                       {QStringLiteral("objective"), objective},
                       {QStringLiteral("maximize"), maximize},
                       {QStringLiteral("maxTrials"), maxTrials},
                       {QStringLiteral("maxParallel"), maxParallel},
                       {QStringLiteral("earlyStopping"), earlyStopping},
                       {QStringLiteral("warmStartFrom"), QJsonArray::fromStringList(warmStartFrom)},
                       {QStringLiteral("seed"), QString::number(seed)},
                       {QStringLiteral("hosts"), QJsonArray::fromStringList(hosts)}};
}

TuningSpec TuningSpec::fromJson(const QJsonObject &json)
{
    if (json.value(QStringLiteral("version")).toInt() > kVersion)
        throw Error(QStringLiteral("this tuning spec needs a newer Cairn Studio (version %1)").arg(json.value(QStringLiteral("version")).toInt()));
    TuningSpec s;
    s.name = json.value(QStringLiteral("name")).toString();
    s.base = JobSpec::fromJson(json.value(QStringLiteral("base")).toObject(), QStringLiteral("tuning spec (base job)"));
    s.space = SearchSpace::fromJson(json.value(QStringLiteral("space")).toArray());
    s.strategy = json.value(QStringLiteral("strategy")).toString(s.strategy);
    s.objective = normaliseObjective(json.value(QStringLiteral("objective")).toString(s.objective));
    s.maximize = json.value(QStringLiteral("maximize")).toBool(true);
    s.maxTrials = json.value(QStringLiteral("maxTrials")).toInt(s.maxTrials);
    s.maxParallel = json.value(QStringLiteral("maxParallel")).toInt(s.maxParallel);
    s.earlyStopping = json.value(QStringLiteral("earlyStopping")).toBool();
    for (const QJsonValue &v : json.value(QStringLiteral("warmStartFrom")).toArray())
        s.warmStartFrom << v.toString();
    s.seed = json.value(QStringLiteral("seed")).toString(QStringLiteral("1")).toULongLong();
    for (const QJsonValue &v : json.value(QStringLiteral("hosts")).toArray())
        s.hosts << v.toString();
    return s;
}

TuningJob::TuningJob(Workspace &workspace, JobManager &jobs, TuningSpec spec, QObject *parent)
    : QObject(parent), m_workspace(workspace), m_jobs(jobs), m_spec(std::move(spec))
{
    m_spec.objective = TuningSpec::normaliseObjective(m_spec.objective);
    connect(&m_jobs, &JobManager::jobEvent, this, &TuningJob::onJobEvent);
    connect(&m_jobs, &JobManager::jobFinished, this, &TuningJob::onJobFinished);
}

TuningJob::~TuningJob() = default;

void TuningJob::start()
{
    if (m_spec.maxTrials < 1)
        throw Error(QStringLiteral("a tuning job needs at least one trial (--max-trials)"));
    if (m_spec.maxParallel < 1)
        throw Error(QStringLiteral("--parallel must be at least 1"));
    if (m_spec.space.size() == 0)
        throw Error(QStringLiteral("a tuning job needs at least one parameter range"));
    m_strategy = Strategy::create(m_spec.strategy, m_spec.space, m_spec.seed);
    m_spec.hosts.removeDuplicates();
    m_placement = remote::HostPlacement(m_spec.hosts, m_jobs.maxConcurrentJobs()); // throws for an unknown name

    ExperimentStore &store = m_workspace.store();
    const QString experiment = m_spec.base.experiment.isEmpty() ? QStringLiteral("Default") : m_spec.base.experiment;
    m_spec.base.experiment = experiment;
    if (m_spec.name.isEmpty())
        m_spec.name = QStringLiteral("tune-%1").arg(m_spec.base.algorithm);
    const Run run = store.createRun({.experimentId = store.ensureExperiment(experiment),
                                     .name = m_spec.name,
                                     .sourceType = QStringLiteral("TUNING"),
                                     .sourceRef = m_spec.base.algorithm,
                                     .host = QSysInfo::machineHostName(),
                                     .pid = QCoreApplication::applicationPid()});
    m_runUuid = run.uuid;
    m_runId = run.id;
    store.logParam(m_runUuid, QStringLiteral("algorithm"), m_spec.base.algorithm);
    store.logParam(m_runUuid, QStringLiteral("strategy"), m_spec.strategy);
    store.logParam(m_runUuid, QStringLiteral("objective"), m_spec.objective);
    store.logParam(m_runUuid, QStringLiteral("direction"), m_spec.maximize ? QStringLiteral("maximize") : QStringLiteral("minimize"));
    store.logParam(m_runUuid, QStringLiteral("max_trials"), QString::number(m_spec.maxTrials));
    store.logParam(m_runUuid, QStringLiteral("max_parallel"), QString::number(m_spec.maxParallel));
    store.logParam(m_runUuid, QStringLiteral("early_stopping"), m_spec.earlyStopping ? QStringLiteral("median") : QStringLiteral("off"));
    if (!m_spec.hosts.isEmpty())
        store.logParam(m_runUuid, QStringLiteral("hosts"), m_spec.hosts.join(QLatin1Char(',')));
    for (const Dimension &d : m_spec.space.dimensions())
        store.logParam(m_runUuid, QStringLiteral("range.") + d.name,
                       d.kind == Dimension::Kind::Categorical
                           ? d.choices.join(QLatin1Char(','))
                           : QStringLiteral("%1:%2%3").arg(d.low).arg(d.high).arg(
                                 d.kind == Dimension::Kind::Integer ? QStringLiteral(":int") : d.logScale ? QStringLiteral(":log") : QString()));
    store.setTag(m_runUuid, QStringLiteral("cairn.kind"), QStringLiteral("tuning"));

    // The spec travels with the run, so a later tuning job can warm-start from it.
    const QString dir = m_workspace.artifactDir(m_runUuid);
    QDir().mkpath(dir);
    QFile file(QDir(dir).filePath(QStringLiteral("tuning.json")));
    if (file.open(QIODevice::WriteOnly))
        file.write(QJsonDocument(m_spec.toJson()).toJson());

    const int warm = warmStart();
    if (warm > 0)
        store.logParam(m_runUuid, QStringLiteral("warm_start_trials"), QString::number(warm));
    launchMore();
}

int TuningJob::warmStart()
{
    ExperimentStore &store = m_workspace.store();
    int used = 0;
    for (const QString &previous : std::as_const(m_spec.warmStartFrom)) {
        const Run parent = store.run(previous);
        for (const Run &child : store.childRuns(parent.uuid)) {
            if (child.status != RunStatus::Finished)
                continue;
            QJsonObject params;
            bool complete = true;
            const QList<Param> logged = store.params(child.id);
            for (const Dimension &d : m_spec.space.dimensions()) {
                auto it = std::find_if(logged.begin(), logged.end(), [&](const Param &p) { return p.key == d.name; });
                if (it == logged.end()) {
                    complete = false;
                    break;
                }
                params.insert(d.name, d.kind == Dimension::Kind::Categorical ? QJsonValue(it->value) : QJsonValue(it->value.toDouble()));
            }
            if (!complete)
                continue;
            for (const MetricSummary &m : store.metricSummaries(child.id))
                if (m.key == m_spec.objective && std::isfinite(m.last)) {
                    m_strategy->observe(m_spec.space.toUnit(params), oriented(m.last));
                    ++used;
                }
        }
    }
    return used;
}

QString TuningJob::pickHost() const
{
    return m_placement.pick([this](const QString &h) {
        int running = 0;
        for (const Trial &t : m_trials)
            running += t.host == h && !t.jobId.isEmpty() && !isTerminal(t.state) ? 1 : 0;
        return running;
    });
}

bool TuningJob::submit(Trial &trial)
{
    JobSpec job = m_spec.base;
    job.id.clear();
    job.runUuid.clear();
    job.outputDir.clear();
    for (auto it = trial.params.constBegin(); it != trial.params.constEnd(); ++it)
        job.hyperparameters.insert(it.key(), it.value());
    job.runName = QStringLiteral("%1-trial-%2").arg(m_spec.name).arg(trial.index);
    job.parentRunUuid = m_runUuid;
    if (!m_spec.hosts.isEmpty()) {
        trial.host = pickHost();
        if (trial.host.isEmpty())
            return false; // every host is full: wait for a trial to end
        job.resources.host = trial.host;
    }
    // Same seed for every trial: the same validation split, so objectives compare.
    try {
        trial.jobId = m_jobs.submit(job);
        trial.runUuid = m_jobs.job(trial.jobId).runUuid;
        trial.state = JobState::Queued;
        trial.message.clear();
        m_workspace.store().setTag(trial.runUuid, QStringLiteral("tuning.trial"), QString::number(trial.index));
    } catch (const Error &e) {
        trial.state = JobState::Failed;
        trial.message = e.message();
        m_strategy->removePending(m_points.at(size_t(trial.index - 1)));
    }
    return true;
}

void TuningJob::launchMore()
{
    auto room = [this] { return !m_stopRequested && m_failure.isEmpty() && runningCount() < m_spec.maxParallel
                                && (m_spec.hosts.isEmpty() || !pickHost().isEmpty()); };
    while (room() && !m_retry.isEmpty()) {
        Trial &trial = m_trials[m_retry.takeFirst() - 1];
        submit(trial);
        Q_EMIT trialStarted(trial);
    }
    while (room() && m_retry.isEmpty() && !m_exhausted && m_trials.size() < m_spec.maxTrials) {
        std::vector<double> point;
        if (!m_strategy->suggest(point)) {
            m_exhausted = true;
            break;
        }
        m_strategy->addPending(point);
        Trial trial;
        trial.index = int(m_trials.size()) + 1;
        trial.params = m_spec.space.toParams(point);
        m_trials.append(trial);
        m_points.push_back(point);
        submit(m_trials.last());
        Q_EMIT trialStarted(m_trials.last());
    }
    if (!m_finished && runningCount() == 0
        && (m_stopRequested || !m_failure.isEmpty() || (m_retry.isEmpty() && (m_exhausted || m_trials.size() >= m_spec.maxTrials))))
        finish();
}

void TuningJob::finish()
{
    m_finished = true;
    ExperimentStore &store = m_workspace.store();
    if (const Trial *b = best()) {
        store.setTag(m_runUuid, QStringLiteral("best_run"), b->runUuid);
        store.setTag(m_runUuid, QStringLiteral("best_trial"), QString::number(b->index));
    }
    if (!m_failure.isEmpty())
        store.setTag(m_runUuid, QStringLiteral("cairn.error"), m_failure);
    store.setRunStatus(m_runUuid, !m_failure.isEmpty() ? RunStatus::Failed : m_stopRequested ? RunStatus::Killed : RunStatus::Finished);
    Q_EMIT finished();
}

Trial *TuningJob::trialForJob(const QString &jobId)
{
    for (Trial &t : m_trials)
        if (t.jobId == jobId)
            return &t;
    return nullptr;
}

int TuningJob::runningCount() const
{
    int n = 0;
    for (const Trial &t : m_trials)
        if (!t.jobId.isEmpty() && !isTerminal(t.state))
            ++n;
    return n;
}

const Trial *TuningJob::best() const
{
    return m_bestIndex > 0 ? &m_trials.at(m_bestIndex - 1) : nullptr;
}

void TuningJob::onJobEvent(const QString &jobId, const JobEvent &event)
{
    Trial *trial = trialForJob(jobId);
    if (!trial)
        return;
    if (event.type == JobEvent::Type::Status && event.status() == QLatin1String("running"))
        trial->state = JobState::Running;
    if (!m_spec.earlyStopping || event.type != JobEvent::Type::Metric || event.key() != m_spec.objective || trial->earlyStopped)
        return;
    m_stopping.report(trial->index, event.step(), oriented(event.value()));
    if (m_stopping.shouldStop(trial->index, event.step())) {
        trial->earlyStopped = true;
        trial->message = tr("stopped early at step %1: worse than the median of the other trials").arg(event.step());
        m_jobs.stop(jobId, trial->message);
    }
}

void TuningJob::onJobFinished(const QString &jobId, JobState state, const QString &message)
{
    Trial *trial = trialForJob(jobId);
    if (!trial)
        return;
    const bool reachedWorker = trial->state == JobState::Running;
    trial->state = state;
    if (trial->message.isEmpty())
        trial->message = message;
    m_jobs.flush(); // the trial's last metrics must be in the store before we read them
    ExperimentStore &store = m_workspace.store();
    // A trial that failed on an SSH host before its worker ran says the host cannot run trials
    // (no connection, no worker, no room): the host is dropped and the trial runs elsewhere.
    if (state == JobState::Failed && !m_placement.isEmpty() && remote::HostPlacement::failureDropsHost(trial->host, reachedWorker)
        && !m_stopRequested) {
        const QString host = trial->host;
        if (m_placement.drop(host, message)) {
            store.setTag(m_runUuid, QStringLiteral("tuning.dropped_hosts"), m_placement.dropped().join(QStringLiteral(", ")));
            if (m_placement.allDropped())
                m_failure = tr("no host is left to run the trials (%1)").arg(m_placement.reasons());
            Q_EMIT hostDropped(host, message);
        }
        if (!m_failure.isEmpty()) {
            m_strategy->removePending(m_points.at(size_t(trial->index - 1)));
        } else {
            store.setTag(trial->runUuid, QStringLiteral("tuning.retried"), tr("host '%1' could not run it: the trial ran again on another host").arg(host));
            trial->jobId.clear();
            trial->runUuid.clear();
            trial->host.clear();
            trial->state = JobState::Queued;
            m_retry << trial->index;
        }
        launchMore();
        return;
    }
    const Run run = store.run(trial->runUuid);
    for (const MetricSummary &m : store.metricSummaries(run.id))
        if (m.key == m_spec.objective)
            trial->objective = m.last;
    const bool usable = (state == JobState::Finished || trial->earlyStopped) && std::isfinite(trial->objective);
    if (state != JobState::Finished && !trial->earlyStopped)
        trial->objective = std::numeric_limits<double>::quiet_NaN();
    m_strategy->observe(m_points.at(size_t(trial->index - 1)), usable ? oriented(trial->objective) : NAN);
    if (trial->earlyStopped)
        store.setTag(trial->runUuid, QStringLiteral("tuning.early_stopped"), QStringLiteral("true"));
    if (usable) {
        store.logMetric(m_runUuid, {QStringLiteral("trial_objective"), trial->objective, trial->index, 0});
        const Trial *current = best();
        if (!trial->earlyStopped && (!current || oriented(trial->objective) < oriented(current->objective))) {
            m_bestIndex = trial->index;
            Q_EMIT bestChanged(*trial);
        }
        if (const Trial *b = best())
            store.logMetric(m_runUuid, {QStringLiteral("best_objective"), b->objective, trial->index, 0});
    }
    Q_EMIT trialFinished(*trial);
    launchMore();
}

void TuningJob::stop()
{
    m_stopRequested = true;
    for (const Trial &t : std::as_const(m_trials))
        if (!t.jobId.isEmpty() && !isTerminal(t.state))
            m_jobs.stop(t.jobId, tr("the tuning job was stopped"));
    launchMore();
}

} // namespace cairn::tuning
