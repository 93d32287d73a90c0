#include "cairn/jobs/jobmanager.h"

#include "cairn/debugger/jobdebugger.h"
#include "cairn/jobs/localrunner.h"
#include "cairn/remote/host.h"
#include "cairn/remote/hostusage.h"
#include "cairn/remote/slurmrunner.h"
#include "cairn/remote/sshrunner.h"
#include "cairn/store/experimentstore.h"
#include "cairn/store/storewriter.h"
#include "cairn/util/error.h"
#include "cairn/util/process.h"
#include "cairn/workspace/workspace.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QHostInfo>
#include <QPointer>
#include <QSet>
#include <QThread>

#include <csignal>
#include <limits>
#include <cerrno>

namespace cairn {

namespace {
QString stopRequestPath(const QString &dir)
{
    return QDir(dir).filePath(QStringLiteral("stop.request"));
}

/// The run tag that holds how far into a remote worker's event stream the store has read: it is
/// written in the same transaction as the points it covers, so re-attaching resumes exactly there.
const QString kEventOffsetTag = QStringLiteral("cairn.events.offset");

/// The host a job runs on, empty for this machine.
QString remoteHostOf(const JobSpec &spec)
{
    const QString h = spec.resources.host;
    return h.isEmpty() || h == QLatin1String(remote::Host::kLocalName) ? QString() : h;
}

/// Runners whose workers outlive this process and can be followed again.
bool reattachable(const QString &runnerKind)
{
    return runnerKind == QLatin1String("ssh") || runnerKind == QLatin1String("slurm");
}

bool processAlive(qint64 pid)
{
    return cairn::processExists(pid);
}

QString hpText(const QJsonValue &v)
{
    if (v.isDouble())
        return QString::number(v.toDouble(), 'g', 15);
    if (v.isBool())
        return v.toBool() ? QStringLiteral("true") : QStringLiteral("false");
    return v.toVariant().toString();
}
} // namespace

struct JobManager::Job
{
    JobSpec spec;
    JobRecord record;
    QString dir;
    qint64 runId = -1;
    QPointer<Runner> runner;
    QFile log;
    QFile events;
    bool userStopped = false;
    QString stopReason;
    QString workerStatus;
    QString workerMessage;
    QByteArray stderrTail;
    QHash<QString, QString> params;
    bool dirty = false;
    qint64 lines = 0;
    int malformed = 0;
    std::unique_ptr<QTimer> terminateTimer;
    std::unique_ptr<QTimer> killTimer;
};

JobManager::JobManager(Workspace &workspace, QObject *parent)
    : QObject(parent), m_workspace(workspace), m_writer(std::make_unique<StoreWriter>(workspace.store()))
{
    m_host = QHostInfo::localHostName();
    m_maxConcurrent = qEnvironmentVariableIntValue("CAIRN_MAX_JOBS");
    if (m_maxConcurrent <= 0)
        m_maxConcurrent = std::max(1, QThread::idealThreadCount() / 2);
    // The worker is the `cairn` executable: next to this program when installed, else
    // $CAIRN_CLI, else the build tree's, else whatever PATH finds.
    const QString sibling = QDir(QCoreApplication::applicationDirPath()).filePath(QStringLiteral("cairn"));
    if (QCoreApplication::instance() && QFileInfo(sibling).isExecutable())
        m_program = sibling;
    else if (!qEnvironmentVariable("CAIRN_CLI").isEmpty())
        m_program = qEnvironmentVariable("CAIRN_CLI");
#ifdef CAIRN_BUILD_CLI_PATH
    else if (QFileInfo(QStringLiteral(CAIRN_BUILD_CLI_PATH)).isExecutable())
        m_program = QStringLiteral(CAIRN_BUILD_CLI_PATH);
#endif
    else
        m_program = QStringLiteral("cairn");
    m_arguments = {QStringLiteral("worker")};
    m_factory = [](const JobSpec &spec) -> Runner * {
        const QString name = remoteHostOf(spec);
        if (name.isEmpty())
            return new LocalRunner;
        const remote::Host host = remote::HostStore().host(name); // throws for an unknown host
        if (host.isLocal())
            return new LocalRunner;
        if (host.isSlurm())
            return new remote::SlurmRunner(host);
        return new remote::SshRunner(host);
    };
    m_flushTimer.setInterval(250);
    connect(&m_flushTimer, &QTimer::timeout, this, &JobManager::tick);
    m_flushTimer.start();
    // Stores histogram events and runs the jobs' debugger rules (a child: see JobDebugger::of).
    new debugger::JobDebugger(*this, workspace);
}

JobManager::~JobManager()
{
    // Local workers die with their supervisor: nobody would record their events otherwise. A
    // worker on another host writes them to a file there and is followed again later.
    for (auto &job : m_jobs) {
        if (job->runner) {
            job->runner->disconnect(this);
            if (!job->runner->outlivesParent())
                job->runner->kill();
        }
    }
    try {
        m_writer->flush();
    } catch (const Error &) {
    }
    for (auto &job : m_jobs) {
        if (isTerminal(job->record.state))
            continue;
        if (job->runner && job->runner->outlivesParent() && job->runner->processId() > 0 && job->record.state != JobState::Queued) {
            job->record.message = QStringLiteral("detached: the worker runs on on host '%1'; `cairn jobs attach %2` or the studio follows it again")
                                      .arg(job->spec.resources.host, job->record.id);
            try {
                job->record.save(job->dir);
            } catch (const Error &) {
            }
            continue;
        }
        job->record.state = JobState::Failed;
        job->record.ended = nowMs();
        job->record.message = QStringLiteral("the supervising process exited before the job ended");
        try {
            job->record.save(job->dir);
            if (!job->record.runUuid.isEmpty())
                m_workspace.store().setRunStatus(job->record.runUuid, RunStatus::Failed, nowMs());
        } catch (const Error &) {
        }
    }
}

void JobManager::setWorkerCommand(const QString &program, const QStringList &arguments)
{
    m_program = program;
    m_arguments = arguments;
}

void JobManager::setMaxConcurrentJobs(int n)
{
    m_maxConcurrent = std::max(1, n);
    startQueued();
}

void JobManager::setStopGracePeriods(int controlMs, int terminateMs)
{
    m_controlGraceMs = std::max(0, controlMs);
    m_terminateGraceMs = std::max(0, terminateMs);
}

void JobManager::setFlushInterval(int ms)
{
    m_flushTimer.setInterval(std::max(10, ms));
}

void JobManager::setRunnerFactory(RunnerFactory factory)
{
    m_factory = std::move(factory);
}

int JobManager::recoverLostRuns()
{
    QSet<QString> supervised;
    for (auto it = m_jobs.cbegin(); it != m_jobs.cend(); ++it)
        supervised.insert(it.key());
    return markLostRuns(m_workspace, supervised);
}

int JobManager::markLostRuns(Workspace &workspace, const QSet<QString> &supervisedHere)
{
    const QString host = QHostInfo::localHostName();
    int marked = workspace.store().failLostRuns(host);
    for (JobRecord r : JobRecord::list(workspace.path())) {
        if (isTerminal(r.state) || r.host != host || processAlive(r.managerPid) || supervisedHere.contains(r.id))
            continue;
        if (r.workerPid > 0 && processAlive(r.workerPid))
            ::kill(pid_t(r.workerPid), SIGKILL); // an orphan nobody records: do not let it run on
        r.state = JobState::Failed;
        r.ended = nowMs();
        r.message = QStringLiteral("lost: the process supervising the job (pid %1) is gone").arg(r.managerPid);
        r.save(JobRecord::dirOf(workspace.path(), r.id));
        if (!r.runUuid.isEmpty()) {
            try {
                const Run run = workspace.store().run(r.runUuid);
                if (run.status == RunStatus::Running || run.status == RunStatus::Scheduled) {
                    workspace.store().setRunStatus(r.runUuid, RunStatus::Failed, nowMs());
                    ++marked;
                }
                // The job's reason is the precise one (failLostRuns may have marked the run first).
                if (run.status != RunStatus::Finished && run.status != RunStatus::Killed)
                    workspace.store().setTag(r.runUuid, QStringLiteral("cairn.error"), r.message);
            } catch (const Error &) {
            }
        }
    }
    return marked;
}

QString JobManager::prepareJob(Workspace &workspace, JobSpec &spec)
{
    QString dir;
    if (spec.id.isEmpty()) {
        // A generated id claims its folder with mkdir, which fails when the folder exists: jobs
        // started in the same second (AutoML's folds, other processes) may draw the same id.
        const QString jobs = JobRecord::jobsRoot(workspace.path());
        if (!QDir().mkpath(jobs))
            throw Error(QStringLiteral("cannot create the jobs folder %1").arg(jobs));
        for (int attempt = 0; dir.isEmpty(); ++attempt) {
            const QString id = JobRecord::newId();
            const QString candidate = JobRecord::dirOf(workspace.path(), id);
            if (QDir().mkdir(candidate)) {
                spec.id = id;
                dir = candidate;
            } else if (attempt == 100) {
                throw Error(QStringLiteral("cannot create a job folder in %1").arg(jobs));
            }
        }
    } else {
        dir = JobRecord::dirOf(workspace.path(), spec.id);
        if (QFileInfo::exists(QDir(dir).filePath(QStringLiteral("job.json"))))
            throw Error(QStringLiteral("job %1 already exists").arg(spec.id));
        if (!QDir().mkpath(dir))
            throw Error(QStringLiteral("cannot create the job folder %1").arg(dir));
    }
    spec.save(QDir(dir).filePath(QStringLiteral("spec.json")));
    JobRecord r;
    r.id = spec.id;
    r.algorithm = spec.algorithm;
    r.experiment = spec.experiment;
    r.host = QHostInfo::localHostName();
    r.runner = QStringLiteral("local");
    r.state = JobState::Queued;
    r.submitted = nowMs();
    r.managerPid = QCoreApplication::applicationPid();
    r.save(dir);
    return spec.id;
}

QString JobManager::submit(JobSpec spec)
{
    prepareJob(m_workspace, spec);
    return adopt(spec.id);
}

QString JobManager::createRunFor(JobSpec &spec, JobRecord &record)
{
    ExperimentStore &store = m_workspace.store();
    const QString experimentName = spec.experiment.isEmpty() ? QStringLiteral("Default") : spec.experiment;
    ExperimentStore::NewRun nr;
    nr.experimentId = store.ensureExperiment(experimentName);
    nr.name = spec.runName;
    nr.sourceType = QStringLiteral("JOB");
    nr.sourceRef = spec.id;
    nr.parentUuid = spec.parentRunUuid;
    // Each run records where it ran: this machine, the host's name, or the hosts a distributed
    // job was spread over (its ranks' hosts are in the distributed.ranks tag).
    nr.host = !spec.resources.hosts.isEmpty() ? spec.resources.hosts.join(QStringLiteral(", "))
              : remoteHostOf(spec).isEmpty()  ? m_host
                                              : remoteHostOf(spec);
    nr.status = RunStatus::Scheduled;
    nr.pid = QCoreApplication::applicationPid();
    const Run run = store.createRun(nr);
    spec.runUuid = run.uuid;
    spec.experiment = experimentName;
    if (spec.outputDir.isEmpty())
        spec.outputDir = m_workspace.artifactDir(run.uuid);
    record.runUuid = run.uuid;
    record.experiment = experimentName;
    return run.uuid;
}

QString JobManager::adopt(const QString &jobId)
{
    auto job = std::make_shared<Job>();
    job->dir = JobRecord::dirOf(m_workspace.path(), jobId);
    job->record = JobRecord::load(job->dir);
    const QString specPath = QDir(job->dir).filePath(QStringLiteral("spec.json"));
    job->spec = JobSpec::load(specPath);
    if (job->record.state != JobState::Queued)
        throw Error(QStringLiteral("job %1 is %2; only a queued job can be started").arg(jobId, jobStateName(job->record.state)));
    job->record.managerPid = QCoreApplication::applicationPid();
    job->record.host = remoteHostOf(job->spec).isEmpty() ? m_host : remoteHostOf(job->spec);
    const QString uuid = createRunFor(job->spec, job->record);
    job->spec.save(specPath);
    const Run run = m_workspace.store().run(uuid);
    job->runId = run.id;
    m_writer->logParam(job->runId, QStringLiteral("algorithm"), job->spec.algorithm);
    job->params.insert(QStringLiteral("algorithm"), job->spec.algorithm);
    for (auto it = job->spec.hyperparameters.begin(); it != job->spec.hyperparameters.end(); ++it) {
        m_writer->logParam(job->runId, it.key(), hpText(it.value()));
        job->params.insert(it.key(), hpText(it.value()));
    }
    m_writer->setTag(job->runId, QStringLiteral("cairn.job"), jobId);
    m_writer->setTag(job->runId, QStringLiteral("cairn.algorithm"), job->spec.algorithm);
    m_writer->setTag(job->runId, QStringLiteral("cairn.host"), remoteHostOf(job->spec).isEmpty() ? QString::fromLatin1(remote::Host::kLocalName) : remoteHostOf(job->spec));
    if (job->spec.hasChannel(QStringLiteral("train")))
        m_writer->setTag(job->runId, QStringLiteral("cairn.data.train"), job->spec.channels.value(QStringLiteral("train")).path);
    if (!job->spec.target.isEmpty())
        m_writer->setTag(job->runId, QStringLiteral("cairn.target"), job->spec.target);

    job->log.setFileName(QDir(job->dir).filePath(QStringLiteral("job.log")));
    job->log.open(QIODevice::WriteOnly | QIODevice::Append | QIODevice::Text);
    job->events.setFileName(QDir(job->dir).filePath(QStringLiteral("events.jsonl")));
    job->events.open(QIODevice::WriteOnly | QIODevice::Append);
    job->record.save(job->dir);
    m_jobs.insert(jobId, job);
    m_queue << jobId;
    appendLog(*job, QStringLiteral("[cairn] job %1 queued (run %2, algorithm %3)").arg(jobId, uuid, job->spec.algorithm));
    Q_EMIT jobQueued(jobId, uuid);
    startQueued();
    return jobId;
}

int JobManager::runningCount() const
{
    int n = 0;
    for (const auto &job : m_jobs)
        n += (job->record.state == JobState::Running || job->record.state == JobState::Stopping) ? 1 : 0;
    return n;
}

QStringList JobManager::activeJobs() const
{
    return m_jobs.keys();
}

JobRecord JobManager::job(const QString &jobId) const
{
    if (const auto it = m_jobs.constFind(jobId); it != m_jobs.cend())
        return (*it)->record;
    return JobRecord::load(JobRecord::dirOf(m_workspace.path(), jobId));
}

void JobManager::startQueued()
{
    // This machine's limit counts local workers; each SSH host has its own job limit.
    auto runningOn = [this](const QString &host) {
        int n = 0;
        for (const auto &j : std::as_const(m_jobs))
            n += (j->record.state == JobState::Running || j->record.state == JobState::Stopping) && remoteHostOf(j->spec) == host ? 1 : 0;
        return n;
    };
    for (qsizetype i = 0; i < m_queue.size();) {
        const auto job = m_jobs.value(m_queue.at(i));
        if (job) {
            const QString host = remoteHostOf(job->spec);
            int limit = m_maxConcurrent;
            if (!host.isEmpty()) {
                try {
                    if (const auto h = remote::HostStore().find(host))
                        limit = h->isSlurm() ? std::numeric_limits<int>::max() : std::max(1, h->jobLimit); // Slurm queues its own
                } catch (const Error &) {
                    limit = 1;
                }
            }
            if (runningOn(host) >= limit) {
                ++i;
                continue;
            }
        }
        const QString id = m_queue.takeAt(i);
        if (job)
            launch(*job);
    }
}

void JobManager::launch(Job &job)
{
    const QString id = job.record.id;
    job.record.state = JobState::Running;
    job.record.started = nowMs();
    try {
        m_workspace.store().setRunStatus(job.record.runUuid, RunStatus::Running);
    } catch (const Error &e) {
        appendLog(job, QStringLiteral("[cairn] cannot mark the run running: %1").arg(e.message()));
    }
    Runner *runner = nullptr;
    try {
        runner = m_factory(job.spec);
    } catch (const Error &e) {
        const QString message = e.message();
        QMetaObject::invokeMethod(this, [this, id, message] { onFinished(id, -1, true, message); }, Qt::QueuedConnection);
        saveRecord(job);
        return;
    }
    connectRunner(job, runner);
    saveRecord(job);
    Q_EMIT jobStarted(id, job.record.runUuid);
    WorkerLaunch launch;
    launch.program = m_program;
    launch.arguments = m_arguments;
    launch.specPath = QDir(job.dir).filePath(QStringLiteral("spec.json"));
    launch.jobDir = job.dir;
    launch.cpus = job.spec.resources.cpus;
    if (runner->outlivesParent())
        appendLog(job, QStringLiteral("[cairn] starting the job on host '%1'").arg(job.spec.resources.host));
    else
        appendLog(job, QStringLiteral("[cairn] starting %1 %2 --spec %3").arg(m_program, m_arguments.join(QLatin1Char(' ')), launch.specPath));
    runner->start(launch);
}

void JobManager::connectRunner(Job &job, Runner *runner)
{
    const QString id = job.record.id;
    runner->setParent(this);
    job.runner = runner;
    job.record.runner = runner->kind();
    connect(runner, &Runner::started, this, [this, id](qint64 pid) {
        if (const auto j = m_jobs.value(id)) {
            const bool remote = j->runner && j->runner->outlivesParent();
            // A remote process id means nothing here: lost-job recovery must never signal it.
            j->record.workerPid = remote ? 0 : pid;
            appendLog(*j, remote ? QStringLiteral("[cairn] worker started on host '%1' (process group %2)").arg(j->spec.resources.host).arg(pid)
                                 : QStringLiteral("[cairn] worker started (pid %1)").arg(pid));
            saveRecord(*j);
        }
    });
    connect(runner, &Runner::stdoutLine, this, [this, id](const QByteArray &line) { onLine(id, line); });
    connect(runner, &Runner::stderrText, this, [this, id](const QByteArray &text) { onStderr(id, text); });
    connect(runner, &Runner::finished, this, [this, id](int code, bool crashed, const QString &error) { onFinished(id, code, crashed, error); });
}

QStringList JobManager::detachedJobs(const QString &workspacePath)
{
    QStringList out;
    for (const JobRecord &r : JobRecord::list(workspacePath)) {
        if (!isTerminal(r.state) && r.state != JobState::Queued && reattachable(r.runner) && !processAlive(r.managerPid))
            out << r.id;
    }
    return out;
}

void JobManager::reattach(const QString &jobId)
{
    if (m_jobs.contains(jobId))
        return;
    auto job = std::make_shared<Job>();
    job->dir = JobRecord::dirOf(m_workspace.path(), jobId);
    job->record = JobRecord::load(job->dir);
    if (isTerminal(job->record.state))
        throw Error(QStringLiteral("job %1 has ended (%2)").arg(jobId, jobStateName(job->record.state)));
    if (!reattachable(job->record.runner))
        throw Error(QStringLiteral("job %1 ran on this machine: its worker ended with its supervisor and cannot be re-attached").arg(jobId));
    if (processAlive(job->record.managerPid) && job->record.managerPid != QCoreApplication::applicationPid())
        throw Error(QStringLiteral("job %1 is followed by process %2 already").arg(jobId).arg(job->record.managerPid));
    job->spec = JobSpec::load(QDir(job->dir).filePath(QStringLiteral("spec.json")));
    ExperimentStore &store = m_workspace.store();
    const Run run = store.run(job->record.runUuid);
    job->runId = run.id;
    for (const Param &p : store.params(run.id))
        job->params.insert(p.key, p.value);
    // Resume exactly after the last line whose points the store committed.
    qint64 offset = 0;
    for (const Tag &t : store.tags(run.id))
        if (t.key == kEventOffsetTag)
            offset = t.value.toLongLong();
    job->log.setFileName(QDir(job->dir).filePath(QStringLiteral("job.log")));
    job->log.open(QIODevice::WriteOnly | QIODevice::Append | QIODevice::Text);
    job->events.setFileName(QDir(job->dir).filePath(QStringLiteral("events.jsonl")));
    job->events.open(QIODevice::WriteOnly | QIODevice::Append);
    job->record.managerPid = QCoreApplication::applicationPid();
    if (job->record.state == JobState::Stopping)
        job->record.state = JobState::Running;
    job->record.message.clear();
    m_jobs.insert(jobId, job);
    // The host as the job was started with (remote.json), whatever hosts.json says now.
    Runner *runner = job->record.runner == QLatin1String("slurm") ? static_cast<Runner *>(new remote::SlurmRunner(remote::Host()))
                                                                  : new remote::SshRunner(remote::Host());
    connectRunner(*job, runner);
    saveRecord(*job);
    appendLog(*job, QStringLiteral("[cairn] re-attached to the worker on host '%1'; reading its events from byte %2").arg(job->spec.resources.host).arg(offset));
    Q_EMIT jobStarted(jobId, job->record.runUuid);
    runner->attach(job->dir, offset);
}

void JobManager::appendLog(Job &job, const QString &line)
{
    if (job.log.isOpen()) {
        const QString stamp = QDateTime::currentDateTime().toString(QStringLiteral("HH:mm:ss.zzz"));
        job.log.write((stamp + QLatin1Char(' ') + line + QLatin1Char('\n')).toUtf8());
        job.log.flush();
    }
    Q_EMIT jobLogLine(job.record.id, line);
}

void JobManager::saveRecord(Job &job)
{
    try {
        job.record.save(job.dir);
        job.dirty = false;
    } catch (const Error &e) {
        qWarning("cairn: %s", qPrintable(e.message()));
    }
}

void JobManager::onLine(const QString &jobId, const QByteArray &line)
{
    const auto job = m_jobs.value(jobId);
    if (!job)
        return;
    ++job->lines;
    // Before the line's own writes: a flush then commits the points and the position together.
    if (job->runner && job->runner->eventOffset() >= 0)
        m_writer->setLatestTag(job->runId, kEventOffsetTag, QString::number(job->runner->eventOffset()));
    if (line.trimmed().isEmpty())
        return;
    QString error;
    const auto event = JobEvent::parse(line, &error);
    if (!event) {
        ++job->malformed;
        // Keep the log readable when a library floods stdout: report the first few in full.
        if (job->malformed <= 20)
            appendLog(*job, QStringLiteral("[cairn] ignored malformed event line %1 (%2): %3")
                                .arg(job->lines).arg(error, QString::fromUtf8(line.left(300))));
        else if (job->malformed == 21)
            appendLog(*job, QStringLiteral("[cairn] more malformed event lines follow; not logging them"));
        return;
    }
    job->events.write(line);
    job->events.write("\n");
    const JobEvent &e = *event;
    switch (e.type) {
    case JobEvent::Type::Metric:
        m_writer->logMetric(job->runId, e.key(), e.value(), e.step(), e.timestamp);
        break;
    case JobEvent::Type::Param: {
        const QString key = e.key();
        const QString value = e.data.value(QStringLiteral("value")).toString();
        const auto it = job->params.constFind(key);
        if (it != job->params.cend()) {
            if (*it != value)
                appendLog(*job, QStringLiteral("[cairn] param '%1' is already '%2'; ignored the new value '%3' (params cannot change)").arg(key, *it, value));
            break;
        }
        job->params.insert(key, value);
        m_writer->logParam(job->runId, key, value);
        break;
    }
    case JobEvent::Type::Tag:
        m_writer->setTag(job->runId, e.key(), e.data.value(QStringLiteral("value")).toString());
        break;
    case JobEvent::Type::Log:
        appendLog(*job, QStringLiteral("%1: %2").arg(e.data.value(QStringLiteral("level")).toString(QStringLiteral("info")), e.message()));
        break;
    case JobEvent::Type::Progress:
        job->record.progress = std::clamp(e.fraction(), 0.0, 1.0);
        job->record.message = e.message();
        job->dirty = true;
        Q_EMIT jobProgress(jobId, job->record.progress, job->record.message);
        break;
    case JobEvent::Type::Artifact: {
        const QString path = e.data.value(QStringLiteral("path")).toString();
        const QString kind = e.data.value(QStringLiteral("kind")).toString();
        appendLog(*job, QStringLiteral("artifact: %1%2").arg(path, kind.isEmpty() ? QString() : QStringLiteral(" (%1)").arg(kind)));
        if (kind == QLatin1String("model"))
            m_writer->setTag(job->runId, QStringLiteral("cairn.model"), path);
        break;
    }
    case JobEvent::Type::Histogram:
        break; // stored by the debugger::JobDebugger child, which receives jobEvent()
    case JobEvent::Type::Status:
        job->workerStatus = e.status();
        job->workerMessage = e.message();
        appendLog(*job, QStringLiteral("status: %1%2").arg(e.status(), e.message().isEmpty() ? QString() : QStringLiteral(" (%1)").arg(e.message())));
        break;
    }
    Q_EMIT jobEvent(jobId, e);
}

void JobManager::onStderr(const QString &jobId, const QByteArray &text)
{
    const auto job = m_jobs.value(jobId);
    if (!job)
        return;
    job->stderrTail.append(text);
    if (job->stderrTail.size() > 4096)
        job->stderrTail = job->stderrTail.right(4096);
    for (const QByteArray &l : text.split('\n'))
        if (!l.trimmed().isEmpty())
            appendLog(*job, QStringLiteral("stderr: ") + QString::fromUtf8(l));
}

void JobManager::onFinished(const QString &jobId, int exitCode, bool crashed, const QString &error)
{
    const auto job = m_jobs.value(jobId);
    if (!job)
        return;
    flush();
    job->terminateTimer.reset();
    job->killTimer.reset();
    JobState state;
    RunStatus status;
    QString message;
    if (job->userStopped) {
        state = JobState::Stopped;
        status = RunStatus::Killed;
        message = job->stopReason.isEmpty() ? QStringLiteral("stopped") : job->stopReason;
        if (crashed)
            message += QStringLiteral(" (the worker had to be killed)");
    } else if (!crashed && exitCode == 0 && job->workerStatus == QLatin1String("finished")) {
        state = JobState::Finished;
        status = RunStatus::Finished;
        message = job->workerMessage;
    } else if (!crashed && exitCode == 0 && job->workerStatus == QLatin1String("stopped")) {
        state = JobState::Stopped;
        status = RunStatus::Killed;
        message = job->workerMessage.isEmpty() ? QStringLiteral("stopped") : job->workerMessage;
    } else {
        state = JobState::Failed;
        status = RunStatus::Failed;
        if (!error.isEmpty())
            message = error;
        else if (job->workerStatus == QLatin1String("failed") && !job->workerMessage.isEmpty())
            message = job->workerMessage;
        else if (crashed)
            message = QStringLiteral("the worker crashed or was killed");
        else if (exitCode == 0)
            message = QStringLiteral("the worker exited without reporting that it finished");
        else
            message = QStringLiteral("the worker exited with code %1").arg(exitCode);
        const QString tail = QString::fromUtf8(job->stderrTail).trimmed().split(QLatin1Char('\n')).last();
        if (!tail.isEmpty() && !message.contains(tail) && !tail.contains(message))
            message += QStringLiteral(" (last error output: %1)").arg(tail);
    }
    job->record.state = state;
    job->record.ended = nowMs();
    job->record.exitCode = exitCode;
    job->record.message = message;
    if (state == JobState::Finished)
        job->record.progress = 1;
    try {
        m_workspace.store().setRunStatus(job->record.runUuid, status, job->record.ended);
        if (status == RunStatus::Failed) // why, beside the run (runs describe, the studio's tags)
            m_workspace.store().setTag(job->record.runUuid, QStringLiteral("cairn.error"), message);
    } catch (const Error &e) {
        appendLog(*job, QStringLiteral("[cairn] cannot record the run's status: %1").arg(e.message()));
    }
    try {
        // A run on a priced host gets its cost (its share of the host) now that it is final.
        remote::HostUsage::recordRunCosts(m_workspace, remote::HostStore().hosts(), nowMs());
    } catch (const Error &e) {
        appendLog(*job, QStringLiteral("[cairn] cannot record the run's cost: %1").arg(e.message()));
    }
    appendLog(*job, message.isEmpty() ? QStringLiteral("[cairn] job %1").arg(jobStateName(state))
                                      : QStringLiteral("[cairn] job %1: %2").arg(jobStateName(state), message));
    QFile::remove(stopRequestPath(job->dir));
    saveRecord(*job);
    job->log.close();
    job->events.close();
    if (job->runner)
        job->runner->deleteLater();
    m_jobs.remove(jobId);
    Q_EMIT jobFinished(jobId, state, message);
    startQueued();
    if (m_jobs.isEmpty())
        Q_EMIT idle();
}

void JobManager::stop(const QString &jobId, const QString &reason)
{
    const auto job = m_jobs.value(jobId);
    if (!job)
        return;
    if (job->record.state == JobState::Queued) {
        m_queue.removeAll(jobId);
        job->userStopped = true;
        job->stopReason = reason.isEmpty() ? QStringLiteral("stopped before it started") : reason;
        onFinished(jobId, 0, false, {});
        return;
    }
    if (!job->runner)
        return;
    if (job->record.state == JobState::Stopping) {
        // Asked twice: stop waiting for the worker to wind down.
        job->runner->terminate();
        return;
    }
    job->userStopped = true;
    job->stopReason = reason.isEmpty() ? QStringLiteral("stopped by the user") : reason;
    job->record.state = JobState::Stopping;
    appendLog(*job, QStringLiteral("[cairn] stopping: %1").arg(job->stopReason));
    saveRecord(*job);
    job->runner->sendControl(QByteArrayLiteral("{\"type\":\"stop\"}"));
    QPointer<Runner> runner = job->runner;
    job->terminateTimer = std::make_unique<QTimer>();
    job->terminateTimer->setSingleShot(true);
    connect(job->terminateTimer.get(), &QTimer::timeout, this, [this, jobId, runner] {
        if (const auto j = m_jobs.value(jobId); j && runner && runner->isRunning()) {
            appendLog(*j, QStringLiteral("[cairn] the worker did not stop within %1 ms: sending SIGTERM").arg(m_controlGraceMs));
            runner->terminate();
        }
    });
    job->terminateTimer->start(m_controlGraceMs);
    job->killTimer = std::make_unique<QTimer>();
    job->killTimer->setSingleShot(true);
    connect(job->killTimer.get(), &QTimer::timeout, this, [this, jobId, runner] {
        if (const auto j = m_jobs.value(jobId); j && runner && runner->isRunning()) {
            appendLog(*j, QStringLiteral("[cairn] the worker ignored SIGTERM for %1 ms: sending SIGKILL").arg(m_terminateGraceMs));
            runner->kill();
        }
    });
    job->killTimer->start(m_controlGraceMs + m_terminateGraceMs);
}

void JobManager::requestStop(const QString &workspacePath, const QString &jobId)
{
    const QString dir = JobRecord::dirOf(workspacePath, jobId);
    QFile f(stopRequestPath(dir));
    if (!f.open(QIODevice::WriteOnly))
        throw Error(QStringLiteral("cannot write %1: %2").arg(f.fileName(), f.errorString()));
    f.write(QByteArray::number(QCoreApplication::applicationPid()));
}

void JobManager::flush()
{
    try {
        m_writer->flush();
    } catch (const Error &e) {
        for (auto &job : m_jobs)
            appendLog(*job, QStringLiteral("[cairn] cannot write events to the store yet (%1); will retry").arg(e.message()));
    }
}

void JobManager::tick()
{
    if (m_writer->pending() > 0)
        flush();
    const qint64 now = nowMs();
    for (const QString &id : m_jobs.keys()) {
        const auto job = m_jobs.value(id);
        if (!job)
            continue;
        if (job->dirty)
            saveRecord(*job);
        if (job->record.state == JobState::Running || job->record.state == JobState::Queued) {
            if (QFile::exists(stopRequestPath(job->dir))) {
                QFile::remove(stopRequestPath(job->dir));
                stop(id, QStringLiteral("stopped by request (cairn jobs stop)"));
                continue;
            }
            const qint64 limit = job->spec.stopping.maxRuntimeSeconds;
            if (limit > 0 && job->record.state == JobState::Running && now - job->record.started > limit * 1000)
                stop(id, QStringLiteral("stopped after the maximum run time of %1 s").arg(limit));
        }
    }
}

} // namespace cairn
