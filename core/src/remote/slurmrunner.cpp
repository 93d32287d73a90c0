#include "cairn/remote/slurmrunner.h"

#include "cairn/jobs/jobevent.h"
#include "cairn/jobs/jobspec.h"
#include "cairn/remote/remotecache.h"
#include "cairn/remote/sshconnection.h"
#include "jobs/outputlines.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QFutureWatcher>
#include <QJsonDocument>
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

struct Submitted
{
    QString error;
    bool cancelled = false;
    QString remoteDir;
    QString localOutput;
    QString jobId;
    QStringList messages;
};

Submitted submit(const Host &host, const QString &specPath, std::shared_ptr<std::atomic<bool>> cancel)
{
    Submitted out;
    try {
        const SlurmCluster cluster(host);
        JobSpec spec = JobSpec::load(specPath);
        out.localOutput = spec.outputDir;
        const QString workDir = cluster.resolvedWorkDir();
        out.remoteDir = workDir + QStringLiteral("/jobs/") + spec.id;
        if (host.usesSsh()) {
            // Through a login host the data goes to the cluster's filesystem by content hash.
            const SshConnection ssh(host);
            const RemoteCache cache(ssh, RemoteCache::resolveWorkDir(ssh));
            for (auto it = spec.channels.begin(); it != spec.channels.end(); ++it) {
                for (QString *path : {&it->path, &it->labelsPath}) {
                    if (path->isEmpty() || cancel->load())
                        continue;
                    bool sent = false;
                    const QString local = *path;
                    *path = cache.put(local, &sent);
                    out.messages << (sent ? QStringLiteral("sent %1 to cluster '%2'") : QStringLiteral("cluster '%2' has %1 already")).arg(local, host.name);
                }
            }
        } else {
            // Here the cluster sees this machine's paths (its filesystem is shared with the nodes).
            for (auto it = spec.channels.begin(); it != spec.channels.end(); ++it)
                for (QString *path : {&it->path, &it->labelsPath})
                    if (!path->isEmpty())
                        *path = QFileInfo(*path).absoluteFilePath();
        }
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
    auto *watcher = new QFutureWatcher<Submitted>(this);
    connect(watcher, &QFutureWatcher<Submitted>::finished, this, [this, watcher] {
        const Submitted s = watcher->result();
        watcher->deleteLater();
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
        Q_EMIT started(m_slurmJobId.toLongLong());
        if (m_stopRequested)
            cancelAsync({});
        poll();
    });
    const Host host = m_host;
    const QString specPath = launch.specPath;
    watcher->setFuture(QtConcurrent::run([host, specPath, cancel] { return submit(host, specPath, cancel); }));
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
        // the exit code the batch script wrote is the last word.
        emitLines(p.events, true);
        SlurmJobState end;
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
        if (p.state.state == QLatin1String("RUNNING") && !p.state.nodeList.isEmpty())
            text += QStringLiteral(" on %1").arg(p.state.nodeList);
        Q_EMIT stdoutLine(logLine(text));
        m_last = p.state;
        m_wasRunning = m_wasRunning || p.state.state == QLatin1String("RUNNING");
        saveState();
    }
    if (p.state.isTerminal()) {
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
