#pragma once

#include "cairn/algorithms/algorithmplugin.h"
#include "cairn/jobs/jobspec.h"

#include <QFutureWatcher>
#include <QHash>

#include <QObject>

#include <memory>

namespace cairn {
class JobManager;
class PluginManager;
class Workspace;
}

namespace cairn::gui {

class StudioContext;

/// The one JobManager of the GUI process for the open workspace, shared by the Training and
/// Tuning panels, with the plugin manager they both read schemas from. It has its own
/// connection to the workspace (so its writes reach every view through StudioContext's
/// storeChanged() like those of any other process) and is rebuilt when the workspace changes;
/// jobs still running then are stopped with their supervisor.
class JobService : public QObject
{
    Q_OBJECT
public:
    /// The service of `context`, created on first use as a child of it.
    static JobService *of(StudioContext *context);
    ~JobService() override;

    StudioContext *context() const { return m_context; }
    /// Null while no workspace is open.
    JobManager *manager() const { return m_manager.get(); }
    /// The workspace the manager writes through (its own connection); null without one.
    Workspace *workspace() const { return m_workspace.get(); }
    PluginManager &plugins();
    /// An algorithm's description with its schema, loaded once per process and kept (both panels
    /// ask for the same ones). Throws cairn::Error for an unknown id or a plugin that fails to load.
    AlgorithmInfo algorithm(const QString &algorithmId);
    /// The algorithm a new form starts with: XGBoost when installed (a light plugin that fits most
    /// tables), else the first one; empty when there is none.
    QString defaultAlgorithm();

    /// The `cairn` executable the GUI runs jobs and other commands with.
    QString cliProgram();
    /// Asks the Training panel to show `spec` in its form (Clone, "Train the best").
    void requestTraining(const JobSpec &spec);

Q_SIGNALS:
    /// The manager is about to go (another workspace): drop what refers to it.
    void aboutToChangeManager();
    /// The manager was replaced (another workspace) or created.
    void managerChanged();
    void trainingRequested(const cairn::JobSpec &spec);

private:
    explicit JobService(StudioContext *context);
    void rebuild();
    void markLostRuns();

    StudioContext *m_context;
    std::unique_ptr<PluginManager> m_plugins;
    QHash<QString, AlgorithmInfo> m_algorithms;
    std::unique_ptr<Workspace> m_workspace;
    std::unique_ptr<JobManager> m_manager;
    QFutureWatcher<int> m_lostWatcher;
};

} // namespace cairn::gui
