#include "cairn/debugger/jobdebugger.h"

#include "cairn/debugger/rulerunner.h"
#include "cairn/jobs/jobevent.h"
#include "cairn/jobs/jobmanager.h"
#include "cairn/jobs/jobrecord.h"
#include "cairn/jobs/jobspec.h"
#include "cairn/store/experimentstore.h"
#include "cairn/util/error.h"
#include "cairn/workspace/workspace.h"

#include <QDir>

namespace cairn::debugger {

struct JobDebugger::Job
{
    QString runUuid;
    qint64 runId = -1;
    std::unique_ptr<RuleRunner> rules;
    bool stopping = false;
};

JobDebugger::JobDebugger(JobManager &manager, Workspace &workspace)
    : QObject(&manager), m_manager(manager), m_workspace(workspace), m_writer(workspace.store())
{
    setObjectName(QStringLiteral("cairn.debugger"));
    qRegisterMetaType<cairn::debugger::RuleResult>();
    connect(&manager, &JobManager::jobStarted, this, &JobDebugger::onStarted);
    connect(&manager, &JobManager::jobEvent, this, &JobDebugger::onEvent);
    connect(&manager, &JobManager::jobFinished, this, [this](const QString &jobId) { onFinished(jobId); });
    m_timer.setInterval(1000);
    connect(&m_timer, &QTimer::timeout, this, &JobDebugger::evaluateNow);
    m_timer.start();
}

JobDebugger::~JobDebugger() = default;

JobDebugger *JobDebugger::of(const JobManager *manager)
{
    return manager ? manager->findChild<JobDebugger *>(QStringLiteral("cairn.debugger"), Qt::FindDirectChildrenOnly) : nullptr;
}

void JobDebugger::setEvaluationInterval(int ms)
{
    m_timer.setInterval(std::max(10, ms));
}

void JobDebugger::onStarted(const QString &jobId, const QString &runUuid)
{
    auto job = std::make_shared<Job>();
    job->runUuid = runUuid;
    try {
        job->runId = m_workspace.store().run(runUuid).id;
        const JobSpec spec = JobSpec::load(QDir(JobRecord::dirOf(m_workspace.path(), jobId)).filePath(QStringLiteral("spec.json")));
        const QList<RuleConfig> rules = RuleConfig::listFromJson(spec.debugger.rules);
        if (!rules.isEmpty())
            job->rules = std::make_unique<RuleRunner>(m_workspace.store(), job->runId, rules);
    } catch (const Error &e) {
        qWarning("cairn: the debugger cannot watch job %s: %s", qPrintable(jobId), qPrintable(e.message()));
    }
    m_jobs.insert(jobId, job);
}

void JobDebugger::onEvent(const QString &jobId, const JobEvent &event)
{
    if (event.type != JobEvent::Type::Histogram)
        return;
    const auto job = m_jobs.value(jobId);
    if (!job || job->runId < 0)
        return;
    QString name, collection;
    TensorSample s = TensorSample::fromEvent(event.data, &name, &collection);
    if (name.isEmpty())
        return;
    s.timestamp = event.timestamp > 0 ? event.timestamp : nowMs();
    m_writer.add(job->runId, name, collection, std::move(s));
}

void JobDebugger::flush()
{
    try {
        m_writer.flush();
    } catch (const Error &e) {
        qWarning("cairn: cannot store debugger samples yet (%s); will retry", qPrintable(e.message()));
    }
}

void JobDebugger::evaluate(const QString &jobId, Job &job, bool finished)
{
    if (!job.rules)
        return;
    try {
        job.rules->evaluate(finished);
    } catch (const Error &e) {
        qWarning("cairn: debugger rules of job %s: %s", qPrintable(jobId), qPrintable(e.message()));
        return;
    }
    const QList<RuleConfig> &configs = job.rules->rules();
    for (const RuleResult &r : job.rules->newlyFired()) {
        const RuleConfig *config = nullptr;
        for (const RuleConfig &c : configs)
            if (c.name.compare(r.rule, Qt::CaseInsensitive) == 0)
                config = &c;
        const bool stop = config && (config->stops() || r.parameters.value(QStringLiteral("stop_training_on_fire")).toBool());
        Q_EMIT ruleFired(jobId, job.runUuid, r);
        if (stop && !finished && !job.stopping) {
            job.stopping = true;
            m_manager.stop(jobId, QStringLiteral("stopped by the debugger rule %1 at step %2: %3").arg(r.rule).arg(r.step).arg(r.message));
        }
    }
}

void JobDebugger::evaluateNow()
{
    if (m_writer.pending() > 0)
        flush();
    for (const QString &id : m_jobs.keys())
        if (const auto job = m_jobs.value(id))
            evaluate(id, *job, false);
}

void JobDebugger::onFinished(const QString &jobId)
{
    const auto job = m_jobs.take(jobId);
    flush();
    if (job)
        evaluate(jobId, *job, true);
}

} // namespace cairn::debugger
