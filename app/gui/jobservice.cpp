#include "jobservice.h"

#include "studiocontext.h"

#include "cairn/algorithms/pluginmanager.h"
#include "cairn/jobs/jobmanager.h"
#include "cairn/util/error.h"
#include "cairn/workspace/workspace.h"

#include <QCoreApplication>
#include <QDir>
#include <QFileInfo>
#include <QSet>
#include <QTimer>
#include <QtConcurrent/QtConcurrentRun>

namespace cairn::gui {

JobService *JobService::of(StudioContext *context)
{
    if (auto *existing = context->findChild<JobService *>(QString(), Qt::FindDirectChildrenOnly))
        return existing;
    return new JobService(context);
}

JobService::JobService(StudioContext *context) : QObject(context), m_context(context)
{
    connect(context, &StudioContext::workspaceChanged, this, &JobService::rebuild);
    // A CLI or Python client killed with -9 leaves its runs RUNNING and writes nothing more:
    // look for such runs now and then, off the GUI thread, on a connection of its own.
    auto *lostTimer = new QTimer(this);
    lostTimer->setInterval(3000);
    connect(lostTimer, &QTimer::timeout, this, &JobService::markLostRuns);
    connect(&m_lostWatcher, &QFutureWatcher<int>::finished, this, [this] {
        const int lost = m_lostWatcher.result();
        if (lost > 0)
            Q_EMIT m_context->statusMessage(tr("%n run(s) left running by a process that is gone were marked failed.", nullptr, lost), 8000);
    });
    lostTimer->start();
    if (context->hasWorkspace())
        rebuild();
}

JobService::~JobService()
{
    m_lostWatcher.waitForFinished();
    // The manager's destructor stops its workers and writes through the workspace: it goes first,
    // after those holding on to it (a running tuning job) have let go.
    Q_EMIT aboutToChangeManager();
    m_manager.reset();
    m_workspace.reset();
}

void JobService::markLostRuns()
{
    if (!m_manager || m_lostWatcher.isRunning())
        return;
    const QString path = m_workspace->path();
    const QStringList active = m_manager->activeJobs();
    const QSet<QString> supervised(active.cbegin(), active.cend());
    m_lostWatcher.setFuture(QtConcurrent::run([path, supervised] {
        try {
            Workspace workspace(path);
            return JobManager::markLostRuns(workspace, supervised);
        } catch (const Error &) {
            return 0; // the workspace is being replaced or is unreadable: the next round tells
        }
    }));
}

PluginManager &JobService::plugins()
{
    if (!m_plugins)
        m_plugins = std::make_unique<PluginManager>();
    return *m_plugins;
}

AlgorithmInfo JobService::algorithm(const QString &algorithmId)
{
    if (const auto it = m_algorithms.constFind(algorithmId); it != m_algorithms.cend())
        return *it;
    AlgorithmInfo info = plugins().algorithm(algorithmId);
    m_algorithms.insert(algorithmId, info);
    return info;
}

QString JobService::defaultAlgorithm()
{
    QString first;
    for (const QJsonObject &meta : plugins().algorithmMetadata()) {
        const QString id = meta.value(QStringLiteral("id")).toString();
        if (id == QLatin1String("xgboost"))
            return id;
        if (first.isEmpty())
            first = id;
    }
    return first;
}

QString JobService::cliProgram()
{
    if (m_manager)
        return m_manager->workerProgram();
    const QString sibling = QDir(QCoreApplication::applicationDirPath()).filePath(QStringLiteral("cairn"));
    return QFileInfo(sibling).isExecutable() ? sibling : qEnvironmentVariable("CAIRN_CLI", QStringLiteral("cairn"));
}

void JobService::requestTraining(const JobSpec &spec)
{
    Q_EMIT trainingRequested(spec);
}

void JobService::rebuild()
{
    int stopped = 0;
    Q_EMIT aboutToChangeManager();
    if (m_manager) {
        stopped = int(m_manager->activeJobs().size());
        m_manager.reset();
    }
    m_workspace.reset();
    if (m_context->hasWorkspace()) {
        try {
            m_workspace = std::make_unique<Workspace>(m_context->workspacePath());
            m_manager = std::make_unique<JobManager>(*m_workspace);
            const int lost = m_manager->recoverLostRuns();
            if (lost > 0)
                Q_EMIT m_context->statusMessage(tr("%n run(s) left running by a process that is gone were marked failed.", nullptr, lost), 8000);
            // Jobs left running on SSH hosts (the studio was closed, the network dropped): follow
            // them again from where the store stopped reading.
            int followed = 0;
            for (const QString &id : JobManager::detachedJobs(m_workspace->path())) {
                try {
                    m_manager->reattach(id);
                    ++followed;
                } catch (const Error &e) {
                    Q_EMIT m_context->statusMessage(tr("Job %1 on its host cannot be followed: %2").arg(id, e.message()), 8000);
                }
            }
            if (followed > 0)
                Q_EMIT m_context->statusMessage(tr("Following %n job(s) still running on SSH hosts.", nullptr, followed), 8000);
        } catch (const Error &e) {
            m_manager.reset();
            m_workspace.reset();
            Q_EMIT m_context->statusMessage(tr("Training jobs are unavailable: %1").arg(e.message()), 8000);
        }
    }
    if (stopped > 0)
        Q_EMIT m_context->statusMessage(tr("%n job(s) of the previous workspace were stopped.", nullptr, stopped), 8000);
    Q_EMIT managerChanged();
}

} // namespace cairn::gui
