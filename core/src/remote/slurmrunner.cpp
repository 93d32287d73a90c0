#include "cairn/remote/slurmrunner.h"

#include "cairn/jobs/jobevent.h"
#include "cairn/jobs/jobspec.h"
#include "cairn/remote/remotecache.h"
#include "cairn/remote/sshconnection.h"
#include "jobs/outputlines.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QCoreApplication>
#include <QFutureWatcher>
#include <QJsonDocument>
#include <QPointer>
#include <QRegularExpression>
#include <QSaveFile>
#include <QtConcurrent/QtConcurrentRun>

namespace cairn::remote {

namespace {

/// Writes the job's folder "$1" (spec "$2", batch script "$3") and submits it from there, so
/// that the job's relative paths (output, events) are in that folder.
const char *kSubmitScript = R"SH(
mkdir -p -- "$1" && cd -- "$1" || exit 3
rm -f control exit_code exit_code.tmp rank-*.jsonl
printf '%s\n' "$2" > spec.json && printf '%s' "$3" > job.sbatch || exit 3
: > events.jsonl
sbatch --parsable job.sbatch
)SH";

/// A job array: its folder "$1" (beside the jobs' own), its batch script "$2", then for each
/// task the job's id and spec. Writes each job's folder, the `tasks` list, submits, and links
/// each task's Slurm output into its job's folder (where a poll looks for it).
const char *kSubmitArrayScript = R"SH(
adir=$1; script=$2; shift 2
mkdir -p -- "$adir" && cd -- "$adir" && : > tasks || exit 3
while [ $# -ge 2 ]; do
  mkdir -p -- "../$1" && printf '%s\n' "$2" > "../$1/spec.json" && : > "../$1/events.jsonl" || exit 3
  rm -f -- "../$1/control" "../$1/exit_code" "../$1/exit_code.tmp" "../$1"/rank-*.jsonl
  printf '%s\n' "$1" >> tasks
  shift 2
done
printf '%s' "$script" > job.sbatch || exit 3
id=$(sbatch --parsable job.sbatch) || exit 4
id=${id%%;*}
here=${PWD##*/}; i=0
while read -r t; do ln -sf "../$here/slurm-${id}_$i.out" "../$t/slurm-${id}_$i.out"; i=$((i + 1)); done < tasks
echo "$id"
)SH";

/// Copies the job's output folder "$1" into "$2" (a cluster run from this machine).
const char *kCopyOutputScript = R"SH(
[ -d "$1" ] || exit 0
mkdir -p -- "$2" && cp -R -- "$1"/. "$2"/
)SH";

QByteArray logLine(const QString &message, const QString &level = QStringLiteral("info"))
{
    QByteArray line = JobEvent::log(level, message).toLine();
    if (line.endsWith('\n'))
        line.chop(1);
    return line;
}

QString statePath(const QString &jobDir)
{
    return QDir(jobDir).filePath(QStringLiteral("slurm.json"));
}

using Submitted = SlurmRunner::Submission;

/// The job's data channels as the cluster's nodes read them.
void placeChannels(const Host &host, JobSpec &spec, const std::atomic<bool> &cancel, QStringList &messages)
{
    if (host.usesSsh()) {
        // Through a login host the data goes to the cluster's filesystem by content hash.
        const SshConnection ssh(host);
        const RemoteCache cache(ssh, RemoteCache::resolveWorkDir(ssh));
        for (auto it = spec.channels.begin(); it != spec.channels.end(); ++it) {
            for (QString *path : {&it->path, &it->labelsPath}) {
                if (path->isEmpty() || cancel.load())
                    continue;
                bool sent = false;
                const QString local = *path;
                *path = cache.put(local, &sent);
                messages << (sent ? QStringLiteral("sent %1 to cluster '%2'") : QStringLiteral("cluster '%2' has %1 already")).arg(local, host.name);
            }
        }
    } else {
        // Here the cluster sees this machine's paths (its filesystem is shared with the nodes).
        for (auto it = spec.channels.begin(); it != spec.channels.end(); ++it)
            for (QString *path : {&it->path, &it->labelsPath})
                if (!path->isEmpty())
                    *path = QFileInfo(*path).absoluteFilePath();
    }
}

/// Several jobs of the same resources as one job array; task i is specPaths[i]'s job.
QList<Submitted> submitArray(const Host &host, const QStringList &specPaths)
{
    QList<Submitted> out(specPaths.size());
    const std::atomic<bool> never{false};
    try {
        const SlurmCluster cluster(host);
        const QString workDir = cluster.resolvedWorkDir();
        QList<JobSpec> specs;
        for (qsizetype i = 0; i < specPaths.size(); ++i) {
            JobSpec spec = JobSpec::load(specPaths.at(i));
            out[i].localOutput = spec.outputDir;
            out[i].remoteDir = workDir + QStringLiteral("/jobs/") + spec.id;
            placeChannels(host, spec, never, out[i].messages);
            spec.outputDir = out[i].remoteDir + QStringLiteral("/output");
            specs << spec;
        }
        // "tune-xgboost-trial-3" → the array "cairn-tune-xgboost-trials".
        JobSpec head = specs.first();
        static const QRegularExpression trial(QStringLiteral("-trial-\\d+$"));
        if (head.runName.contains(trial))
            head.runName = head.runName.replace(trial, QStringLiteral("-trials"));
        const QString arrayDir = workDir + QStringLiteral("/jobs/array-") + head.id;
        QStringList args{arrayDir, slurm::batchScript(head, host.cairnCommand, int(specs.size()))};
        for (const JobSpec &spec : std::as_const(specs))
            args << spec.id << QString::fromUtf8(QJsonDocument(spec.toJson()).toJson(QJsonDocument::Compact));
        const auto r = cluster.runScript(QString::fromLatin1(kSubmitArrayScript), args, 120000);
        const QString id = QString::fromUtf8(r.out).trimmed().section(QLatin1Char('\n'), -1);
        bool ok = false;
        id.toLongLong(&ok);
        if (r.exitCode != 0 || !ok)
            throw Error(QStringLiteral("Slurm on '%1' refused the job array: %2").arg(host.name, QString::fromUtf8(r.err + r.out).trimmed()));
        for (qsizetype i = 0; i < out.size(); ++i) {
            out[i].jobId = QStringLiteral("%1_%2").arg(id).arg(i);
            out[i].messages << QStringLiteral("submitted to Slurm on '%1' as task %2 of job array %3 (%4 tasks, %5/job.sbatch)")
                                   .arg(host.name).arg(i).arg(id).arg(out.size()).arg(arrayDir);
        }
    } catch (const Error &e) {
        for (Submitted &s : out)
            s.error = e.message();
    }
    return out;
}

/// Jobs started in the same turn of the event loop that may go as one array, by group key.
struct PendingArray
{
    Host host;
    QList<QPointer<SlurmRunner>> runners;
    QStringList specPaths;
};
QHash<QString, PendingArray> &pendingArrays()
{
    static QHash<QString, PendingArray> pending; // the GUI (main) thread's only
    return pending;
}

Submitted submit(const Host &host, const QString &specPath, std::shared_ptr<std::atomic<bool>> cancel)
{
    Submitted out;
    try {
        const SlurmCluster cluster(host);
        JobSpec spec = JobSpec::load(specPath);
        out.localOutput = spec.outputDir;
        const QString workDir = cluster.resolvedWorkDir();
        out.remoteDir = workDir + QStringLiteral("/jobs/") + spec.id;
        placeChannels(host, spec, *cancel, out.messages);
        spec.outputDir = out.remoteDir + QStringLiteral("/output");
        const QString script = slurm::batchScript(spec, host.cairnCommand);
        if (cancel->load()) {
            out.cancelled = true;
            return out;
        }
        const QByteArray specJson = QJsonDocument(spec.toJson()).toJson(QJsonDocument::Compact);
        const auto r = cluster.runScript(QString::fromLatin1(kSubmitScript), {out.remoteDir, QString::fromUtf8(specJson), script}, 60000);
        const QString id = QString::fromUtf8(r.out).trimmed().section(QLatin1Char(';'), 0, 0);
        bool ok = false;
        id.toLongLong(&ok);
        if (r.exitCode != 0 || !ok)
            throw Error(QStringLiteral("Slurm on '%1' refused the job: %2").arg(host.name, QString::fromUtf8(r.err + r.out).trimmed()));
        out.jobId = id;
        out.messages << QStringLiteral("submitted to Slurm on '%1' as job %2 (%3/job.sbatch)").arg(host.name, id, out.remoteDir);
    } catch (const Error &e) {
        out.error = e.message();
    }
    return out;
}

} // namespace

SlurmRunner::SlurmRunner(Host host, QObject *parent) : Runner(parent), m_host(std::move(host))
{
    m_pollTimer.setSingleShot(true);
    connect(&m_pollTimer, &QTimer::timeout, this, &SlurmRunner::poll);
}

SlurmRunner::~SlurmRunner() = default; // the job runs on in Slurm; a later process re-attaches

QJsonObject SlurmRunner::slurmState(const QString &jobDir)
{
    QFile f(statePath(jobDir));
    if (!f.open(QIODevice::ReadOnly))
        return {};
    return QJsonDocument::fromJson(f.readAll()).object();
}

void SlurmRunner::saveState()
{
    QSaveFile f(statePath(m_jobDir));
    if (!f.open(QIODevice::WriteOnly))
        return;
    f.write(QJsonDocument(QJsonObject{{QStringLiteral("host"), m_host.toJson()},
                                      {QStringLiteral("remoteDir"), m_remoteDir},
                                      {QStringLiteral("localOutput"), m_localOutput},
                                      {QStringLiteral("slurmJobId"), m_slurmJobId},
                                      {QStringLiteral("state"), m_last.state},
                                      {QStringLiteral("reason"), m_last.reason},
                                      {QStringLiteral("source"), m_last.source},
                                      {QStringLiteral("nodes"), m_last.nodeList}})
                .toJson());
    f.commit();
}

void SlurmRunner::fail(const QString &message)
{
    if (!m_running)
        return;
    m_running = false;
    m_pollTimer.stop();
    Q_EMIT finished(-1, true, message);
}

void SlurmRunner::start(const WorkerLaunch &launch)
{
    m_jobDir = launch.jobDir;
    m_running = true;
    auto cancel = std::make_shared<std::atomic<bool>>(false);
    connect(this, &QObject::destroyed, [cancel] { cancel->store(true); });
    m_cancel = cancel;
    Q_EMIT stdoutLine(logLine(QStringLiteral("submitting the job to Slurm on '%1' (%2)").arg(m_host.name, m_host.address())));
    // Children of one run (a tuning job's trials) started together with the same resources go
    // as one job array: one sbatch, one entry in the queue, each task its own trial.
    QString key;
    try {
        const JobSpec spec = JobSpec::load(launch.specPath);
        if (!spec.parentRunUuid.isEmpty() && spec.resources.worldSize() == 1)
            key = m_host.name + QLatin1Char('\n') + spec.parentRunUuid + QLatin1Char('\n')
                  + QString::fromUtf8(QJsonDocument(spec.toJson().value(QStringLiteral("resources")).toObject()).toJson(QJsonDocument::Compact));
    } catch (const Error &) {
    }
    if (key.isEmpty()) {
        submitAlone(launch.specPath);
        return;
    }
    PendingArray &group = pendingArrays()[key];
    if (group.runners.isEmpty())
        QTimer::singleShot(0, QCoreApplication::instance(), [key] { submitPending(key); });
    group.host = m_host;
    group.runners << QPointer<SlurmRunner>(this);
    group.specPaths << launch.specPath;
}

void SlurmRunner::submitAlone(const QString &specPath)
{
    auto *watcher = new QFutureWatcher<Submitted>(this);
    connect(watcher, &QFutureWatcher<Submitted>::finished, this, [this, watcher] {
        const Submitted s = watcher->result();
        watcher->deleteLater();
        onSubmitted(s);
    });
    const Host host = m_host;
    const auto cancel = m_cancel;
    watcher->setFuture(QtConcurrent::run([host, specPath, cancel] { return submit(host, specPath, cancel); }));
}

void SlurmRunner::submitPending(const QString &key)
{
    PendingArray group = pendingArrays().take(key);
    QList<QPointer<SlurmRunner>> runners;
    QStringList paths;
    for (qsizetype i = 0; i < group.runners.size(); ++i) {
        SlurmRunner *r = group.runners.at(i);
        if (!r)
            continue;
        if (r->m_stopRequested) { // stopped before anything was submitted
            r->onSubmitted(Submitted{.cancelled = true});
            continue;
        }
        runners << group.runners.at(i);
        paths << group.specPaths.at(i);
    }
    if (runners.size() == 1)
        runners.first()->submitAlone(paths.first());
    if (runners.size() < 2)
        return;
    auto *watcher = new QFutureWatcher<QList<Submitted>>(QCoreApplication::instance());
    QObject::connect(watcher, &QFutureWatcher<QList<Submitted>>::finished, watcher, [watcher, runners] {
        const QList<Submitted> results = watcher->result();
        watcher->deleteLater();
        for (qsizetype i = 0; i < runners.size() && i < results.size(); ++i)
            if (runners.at(i))
                runners.at(i)->onSubmitted(results.at(i));
    });
    const Host host = group.host;
    watcher->setFuture(QtConcurrent::run([host, paths] { return submitArray(host, paths); }));
}

void SlurmRunner::onSubmitted(const Submission &s)
{
    for (const QString &m : s.messages)
        Q_EMIT stdoutLine(logLine(m));
    if (s.cancelled) {
        m_running = false;
        Q_EMIT finished(0, false, {});
        return;
    }
    if (!s.error.isEmpty()) {
        fail(s.error);
        return;
    }
    m_remoteDir = s.remoteDir;
    m_localOutput = s.localOutput;
    m_slurmJobId = s.jobId;
    m_offset = 0;
    saveState();
    Q_EMIT started(processId());
    if (m_stopRequested)
        cancelAsync({});
    poll();
}

void SlurmRunner::attach(const QString &jobDir, qint64 offset)
{
    m_jobDir = jobDir;
    m_running = true;
    const QJsonObject state = slurmState(jobDir);
    if (state.value(QStringLiteral("slurmJobId")).toString().isEmpty()) {
        fail(QStringLiteral("the job was never submitted to Slurm (no %1)").arg(statePath(jobDir)));
        return;
    }
    m_host = Host::fromJson(state.value(QStringLiteral("host")).toObject());
    m_remoteDir = state.value(QStringLiteral("remoteDir")).toString();
    m_localOutput = state.value(QStringLiteral("localOutput")).toString();
    m_slurmJobId = state.value(QStringLiteral("slurmJobId")).toString();
    m_last.state = state.value(QStringLiteral("state")).toString();
    m_last.reason = state.value(QStringLiteral("reason")).toString();
    m_last.source = state.value(QStringLiteral("source")).toString();
    m_wasRunning = m_last.state == QLatin1String("RUNNING");
    m_offset = std::max<qint64>(0, offset);
    poll();
}

void SlurmRunner::poll()
{
    if (!m_running || m_polling || m_slurmJobId.isEmpty())
        return;
    m_polling = true;
    auto *watcher = new QFutureWatcher<SlurmPoll>(this);
    connect(watcher, &QFutureWatcher<SlurmPoll>::finished, this, [this, watcher] {
        const SlurmPoll p = watcher->result();
        watcher->deleteLater();
        m_polling = false;
        if (m_running)
            handlePoll(p);
    });
    const Host host = m_host;
    const QString dir = m_remoteDir;
    const QString id = m_slurmJobId;
    const qint64 offset = m_offset;
    watcher->setFuture(QtConcurrent::run([host, dir, id, offset] { return SlurmCluster(host).poll(dir, id, offset); }));
}

void SlurmRunner::handlePoll(const SlurmPoll &p)
{
    const int interval = m_host.usesSsh() ? 1000 : 250;
    if (!p.error.isEmpty()) {
        // The login host is out of reach: the job runs on in Slurm; ask again.
        if (m_controllerDownPolls++ % 40 == 0)
            Q_EMIT stdoutLine(logLine(QStringLiteral("cannot reach Slurm on '%1' (%2); the job runs on there, asking again")
                                          .arg(m_host.name, p.error), QStringLiteral("warning")));
        m_pollTimer.start(std::min(15000, interval * 4));
        return;
    }
    if (p.folderGone) {
        fail(QStringLiteral("the job's folder %1 is gone from cluster '%2'").arg(m_remoteDir, m_host.name));
        return;
    }
    if (p.state.controllerDown) {
        if (m_controllerDownPolls++ % 40 == 0)
            Q_EMIT stdoutLine(logLine(QStringLiteral("slurmctld on '%1' does not answer (%2); still following Slurm job %3")
                                          .arg(m_host.name, p.state.error, m_slurmJobId), QStringLiteral("warning")));
        emitLines(p.events, false);
        m_pollTimer.start(std::min(5000, interval * 4));
        return;
    }
    if (m_controllerDownPolls > 0) {
        Q_EMIT stdoutLine(logLine(QStringLiteral("Slurm on '%1' answers again; job %2 is still followed").arg(m_host.name, m_slurmJobId)));
        m_controllerDownPolls = 0;
    }
    if (!p.state.known) {
        // Neither scontrol nor sacct knows the job (no accounting, and slurmctld forgot it):
        // what the job left in its folder is the last word: slurmstepd's memory kill, else the
        // exit code the batch script wrote.
        emitLines(p.events, true);
        if (!p.memoryKill.isEmpty()) {
            SlurmJobState end = slurm::memoryKilled(m_last, p.memoryKill, p.steps);
            end.source = QStringLiteral("job folder");
            finishWith(end, p.exitFileCode);
            return;
        }
        if (!p.hasExitFile && m_cancelRequested) {
            // A pending task of a job array that we cancelled leaves no record at all.
            SlurmJobState end = m_last;
            end.state = QStringLiteral("CANCELLED");
            finishWith(end, 0);
            return;
        }
        SlurmJobState end;
        end.source = QStringLiteral("job folder");
        end.state = p.hasExitFile ? (p.exitFileCode == 0 ? QStringLiteral("COMPLETED") : QStringLiteral("FAILED")) : QString();
        end.exitCode = p.exitFileCode;
        if (!p.hasExitFile) {
            fail(QStringLiteral("Slurm on '%1' no longer knows job %2 and it left no exit code (%3)")
                     .arg(m_host.name, m_slurmJobId, p.state.error));
            return;
        }
        finishWith(end, p.exitFileCode);
        return;
    }
    if (p.state.state != m_last.state || p.state.reason != m_last.reason) {
        QString text = QStringLiteral("Slurm job %1: %2").arg(m_slurmJobId, p.state.state);
        if (!p.state.reason.isEmpty())
            text += QStringLiteral(" (%1)").arg(p.state.reason);
        if (p.state.source == QLatin1String("sacct"))
            text += QStringLiteral(", from the accounting database (sacct): slurmctld no longer knows the job");
        if (p.state.state == QLatin1String("RUNNING") && !p.state.nodeList.isEmpty())
            text += QStringLiteral(" on %1").arg(p.state.nodeList);
        Q_EMIT stdoutLine(logLine(text));
        m_last = p.state;
        m_wasRunning = m_wasRunning || p.state.state == QLatin1String("RUNNING");
        saveState();
    }
    if (p.state.isTerminal()) {
        if (!p.memoryKill.isEmpty() && p.state.state != QLatin1String("COMPLETED") && !m_cancelRequested) {
            // With accounting, slurmdbd gets the killed step's peak (and which task reached
            // it) shortly after the job ends: wait a few polls for it.
            bool stepKnown = false;
            for (const SlurmPoll::StepMemory &st : p.steps)
                stepKnown = stepKnown || st.maxRssTask >= 0;
            if (p.accountingKnowsJob && !stepKnown && m_stepWaits++ < (m_host.usesSsh() ? 10 : 40)) {
                m_pollTimer.start(interval);
                return;
            }
            emitLines(p.events, true);
            const SlurmJobState oom = slurm::memoryKilled(p.state, p.memoryKill, p.steps);
            Q_EMIT stdoutLine(logLine(QStringLiteral("Slurm job %1: %2 (%3); slurmstepd killed it for its memory: %4")
                                          .arg(m_slurmJobId, p.state.state, p.state.reason, p.memoryKill)));
            finishWith(oom, p.hasExitFile ? p.exitFileCode : p.state.exitCode);
            return;
        }
        emitLines(p.events, true);
        finishWith(p.state, p.hasExitFile ? p.exitFileCode : p.state.exitCode);
        return;
    }
    emitLines(p.events, false);
    m_pollTimer.start(interval);
}

void SlurmRunner::finishWith(const SlurmJobState &state, int exitFileCode)
{
    m_running = false;
    m_last = state;
    saveState();
    // The model and artifacts come back (off this thread) before the job is reported as ended.
    auto *watcher = new QFutureWatcher<QString>(this);
    connect(watcher, &QFutureWatcher<QString>::finished, this, [this, watcher, state, exitFileCode] {
        const QString fetchError = watcher->result();
        watcher->deleteLater();
        if (!fetchError.isEmpty())
            Q_EMIT stdoutLine(logLine(QStringLiteral("the job's model and artifacts could not be fetched from %1: %2").arg(m_remoteDir, fetchError),
                                      QStringLiteral("error")));
        const QString s = state.state;
        if (s == QLatin1String("COMPLETED")) {
            Q_EMIT finished(exitFileCode, false, fetchError.isEmpty() ? QString() : QStringLiteral("the model could not be fetched: ") + fetchError);
        } else if (s == QLatin1String("FAILED")) {
            Q_EMIT stdoutLine(logLine(slurm::describeEnd(state), QStringLiteral("error")));
            Q_EMIT finished(exitFileCode != 0 ? exitFileCode : std::max(1, state.exitCode), false, {});
        } else if (s == QLatin1String("CANCELLED") && !m_cancelRequested) {
            // Cancelled outside Cairn (scancel, an administrator): a stop, with who did it.
            Q_EMIT stdoutLine(JobEvent::status(QStringLiteral("stopped"), slurm::describeEnd(state)).toLine().trimmed());
            Q_EMIT finished(0, false, {});
        } else if (s == QLatin1String("CANCELLED") && !m_wasRunning) {
            Q_EMIT finished(0, false, {}); // taken out of the queue before it ran
        } else {
            Q_EMIT finished(-1, true, slurm::describeEnd(state));
        }
    });
    const Host host = m_host;
    const QString remoteOutput = m_remoteDir + QStringLiteral("/output");
    const QString localOutput = m_localOutput;
    watcher->setFuture(QtConcurrent::run([host, remoteOutput, localOutput]() -> QString {
        if (localOutput.isEmpty())
            return {};
        try {
            if (host.usesSsh()) {
                const SshConnection ssh(host);
                if (ssh.run({QStringLiteral("test"), QStringLiteral("-d"), remoteOutput}, 30000).exitCode == 0)
                    ssh.download(remoteOutput + QLatin1Char('/'), localOutput + QLatin1Char('/'));
                return {};
            }
            const auto r = SlurmCluster(host).runScript(QString::fromLatin1(kCopyOutputScript), {remoteOutput, localOutput}, 300000);
            return r.exitCode == 0 ? QString() : QString::fromUtf8(r.err).trimmed();
        } catch (const Error &e) {
            return e.message();
        }
    }));
}

void SlurmRunner::emitLines(const QByteArray &bytes, bool flushPartial)
{
    // Each poll reads from m_offset again, so a line still being written is read whole later.
    qsizetype start = 0;
    for (;;) {
        const qsizetype lineStart = start;
        const std::optional<QByteArray> line = nextOutputLine(bytes, start);
        if (!line)
            break;
        m_offset += start - lineStart; // before the signal: the receiver stores the offset with the line
        Q_EMIT stdoutLine(*line);
    }
    if (flushPartial && start < bytes.size()) {
        m_offset += bytes.size() - start;
        Q_EMIT stdoutLine(bytes.mid(start));
    }
}

void SlurmRunner::cancelAsync(const QString &signal)
{
    m_cancelRequested = true;
    const Host host = m_host;
    const QString id = m_slurmJobId;
    auto *watcher = new QFutureWatcher<QString>(this);
    connect(watcher, &QFutureWatcher<QString>::finished, this, [this, watcher] {
        const QString err = watcher->result();
        watcher->deleteLater();
        if (!err.isEmpty())
            Q_EMIT stdoutLine(logLine(err, QStringLiteral("warning")));
    });
    watcher->setFuture(QtConcurrent::run([host, id, signal]() -> QString {
        try {
            SlurmCluster(host).cancel(id, signal);
        } catch (const Error &e) {
            return e.message();
        }
        return {};
    }));
}

void SlurmRunner::sendControl(const QByteArray &line)
{
    if (m_slurmJobId.isEmpty()) {
        // Still submitting: cancel as soon as there is a job (or never submit it).
        m_stopRequested = true;
        if (m_cancel)
            m_cancel->store(true);
        return;
    }
    if (m_last.state != QLatin1String("RUNNING")) {
        // No worker to read the line yet: Slurm takes the job out of its queue.
        cancelAsync({});
        return;
    }
    const Host host = m_host;
    const QString dir = m_remoteDir;
    const QString text = QString::fromUtf8(line.trimmed());
    (void)QtConcurrent::run([host, dir, text] {
        try {
            SlurmCluster(host).runScript(QStringLiteral("printf '%s\\n' \"$2\" >> \"$1/control\""), {dir, text}, 30000);
        } catch (const Error &) {
        }
    });
}

void SlurmRunner::terminate()
{
    if (m_slurmJobId.isEmpty()) {
        sendControl({});
        return;
    }
    cancelAsync({});
}

void SlurmRunner::kill()
{
    if (m_slurmJobId.isEmpty()) {
        sendControl({});
        return;
    }
    cancelAsync(QStringLiteral("KILL"));
}

} // namespace cairn::remote
