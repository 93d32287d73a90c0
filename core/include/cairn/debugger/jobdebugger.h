#pragma once

#include "cairn/debugger/rule.h"
#include "cairn/debugger/tensorstore.h"

#include <QHash>
#include <QObject>
#include <QTimer>

#include <memory>

namespace cairn {
class JobManager;
class Workspace;
struct JobEvent;
}

namespace cairn::debugger {

class RuleRunner;

/// The debugger beside running jobs: stores the workers' "histogram" events (batched, in the
/// job manager's process, the one writer) and evaluates each job's rules (spec.debugger.rules)
/// on a timer from the stored data, never in the training loop. When a rule fires, its
/// actions run: "stop" stops the job through the job manager, "notify" emits ruleFired() and
/// writes to the job's log (the GUI also shows it from the stored results). Every JobManager
/// makes one (see of()).
class JobDebugger : public QObject
{
    Q_OBJECT
public:
    JobDebugger(JobManager &manager, Workspace &workspace);
    ~JobDebugger() override;

    /// The debugger of a job manager.
    static JobDebugger *of(const JobManager *manager);
    void setEvaluationInterval(int ms);
    /// Writes buffered samples and evaluates every running job's rules now.
    void evaluateNow();

Q_SIGNALS:
    /// A rule whose actions include "notify" (or "stop") fired.
    void ruleFired(const QString &jobId, const QString &runUuid, const cairn::debugger::RuleResult &result);

private:
    struct Job;
    void onStarted(const QString &jobId, const QString &runUuid);
    void onEvent(const QString &jobId, const cairn::JobEvent &event);
    void onFinished(const QString &jobId);
    void flush();
    void evaluate(const QString &jobId, Job &job, bool finished);

    JobManager &m_manager;
    Workspace &m_workspace;
    TensorWriter m_writer;
    QTimer m_timer;
    QHash<QString, std::shared_ptr<Job>> m_jobs;
};

} // namespace cairn::debugger

Q_DECLARE_METATYPE(cairn::debugger::RuleResult)
