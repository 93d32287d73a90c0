#include "cairn/remote/sshrunner.h"

#include "cairn/jobs/jobevent.h"
#include "cairn/jobs/jobspec.h"
#include "cairn/remote/probe.h"
#include "cairn/remote/remotecache.h"
#include "cairn/remote/sshconnection.h"
#include "jobs/outputlines.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QFutureWatcher>
#include <QJsonArray>
#include <QJsonDocument>
#include <QProcess>
#include <QSaveFile>
#include <QStandardPaths>
#include <QtConcurrent/QtConcurrentRun>

#include <atomic>
#include <memory>

namespace cairn::remote {

namespace {

/// Starts the worker detached in its job folder ("$1"): its own session (setsid) so that no
/// hang-up or dropped connection reaches it; the wrapper shell ignores the signals meant for the
/// worker and records its exit code. "$4" is the spec; "$5" the cache folder, then the content
/// hashes just sent there, marked complete. Prints the process group id. A shell function, so
/// that the prepare script can launch in the same round trip when nothing needs sending.
const char *kLaunchFn = R"SH(
launch() {
dir=$1; cmd=$2; dev=$3; spec=$4; cache=$5
shift 5
mkdir -p -- "$dir" && cd -- "$dir" || return 3
rm -f control exit_code exit_code.tmp pid gpus
printf '%s\n' "$spec" > spec.json || return 3
for h in "$@"; do : > "$cache/$h/.complete"; done
: > events.jsonl
if [ "$dev" != "-" ]; then CUDA_VISIBLE_DEVICES=$dev; export CUDA_VISIBLE_DEVICES; printf '%s\n' "$dev" > gpus; fi
setsid nohup sh -c 'trap "" HUP INT TERM; "$0" worker --spec spec.json --events-file events.jsonl --control-file control >worker.out 2>worker.err </dev/null; echo $? > exit_code.tmp; mv exit_code.tmp exit_code' "$cmd" >/dev/null 2>&1 </dev/null &
echo $! > pid
echo $!
}
)SH";

QString launchScript()
{
    return QString::fromLatin1(kLaunchFn) + QStringLiteral("launch \"$@\" || exit 3\n");
}

/// Whether process "$1" still runs: a zombie left to an init that does not reap counts as ended.
#define CAIRN_ALIVE_FN "alive() { kill -0 \"$1\" 2>/dev/null && [ \"$(sed 's/.*) //' /proc/$1/stat 2>/dev/null | cut -c1)\" != Z ]; }\n"

/// Streams events.jsonl from byte "$2" (1-based) until the worker "$3" has ended (its exit code
/// is written, or its process is gone). The caller reads what follows the last full line itself.
/// The end is looked for every 20 ms in the first 5 s (a short job's end is most of its fixed
/// cost), then every 100 ms; whether the process still runs (three processes) every fifth look.
const char *kFollowScript = CAIRN_ALIVE_FN R"SH(
cd -- "$1" || exit 3
tail -c +"$2" -s 0.2 -F events.jsonl 2>/dev/null &
t=$!
trap 'kill $t 2>/dev/null' EXIT HUP INT TERM
i=0
while [ ! -f exit_code ]; do
  i=$((i + 1))
  if [ $((i % 5)) = 0 ]; then alive "$3" || break; fi
  if [ $i -lt 250 ]; then sleep 0.02; else sleep 0.1; fi
done
)SH";

/// After the stream ended: is the worker really gone, how did it end, what did it say on stderr,
/// its output folder as a tar when that is small (up to 64 MiB: one remote command less than an
/// rsync, which matters where each command pays for the login shell's start-up files), and the
/// events from byte "$3" on. Header lines end with "stderr=N"; then N bytes of stderr, the tar's
/// bytes ("tar=M" among the headers) and the events.
const char *kStateScript = CAIRN_ALIVE_FN R"SH(
cd -- "$1" || { echo "gone"; exit 0; }
if [ ! -f exit_code ] && alive "$2"; then echo "alive"; exit 0; fi
if [ -f exit_code ]; then echo "exit=$(cat exit_code)"; else echo "exit=none"; fi
rm -f output.tar
if [ -d output ]; then
  echo "output=yes"
  k=$(du -sk output 2>/dev/null | cut -f1)
  if [ -n "$k" ] && [ "$k" -le 65536 ] && tar -C output -cf output.tar . 2>/dev/null; then echo "tar=$(wc -c < output.tar)"; else rm -f output.tar; fi
fi
tail -c 4000 worker.err > worker.err.tail 2>/dev/null
echo "stderr=$(wc -c < worker.err.tail 2>/dev/null || echo 0)"
cat worker.err.tail 2>/dev/null
if [ -f output.tar ]; then cat output.tar; rm -f output.tar; fi
tail -c +"$3" events.jsonl 2>/dev/null
)SH";

/// Unpacks a job's output folder sent as a tar into `target`; throws cairn::Error.
void untarInto(const QByteArray &tar, const QString &target)
{
    QDir().mkpath(target);
    QProcess p;
    p.start(QStringLiteral("tar"), {QStringLiteral("-x"), QStringLiteral("-C"), target, QStringLiteral("-f"), QStringLiteral("-")});
    if (!p.waitForStarted(10000))
        throw Error(QStringLiteral("cannot run tar: %1").arg(p.errorString()));
    p.write(tar);
    p.closeWriteChannel();
    if (!p.waitForFinished(300000) || p.exitStatus() != QProcess::NormalExit || p.exitCode() != 0)
        throw Error(QStringLiteral("unpacking the job's output into %1 failed: %2").arg(target, QString::fromLocal8Bit(p.readAllStandardError()).trimmed()));
}

/// Everything a job's start needs from the host in one round trip: the work folder ("$1",
/// created with the job's folder "$3"), the worker's handshake ("$2"; skipped when the program's
/// size and time are still "$4", the handshake then known), the GPUs and those this host's jobs
/// hold, and which content hashes (the rest) the cache lacks. What the install advice needs (the
/// system, sudo) only when the worker is not known good: `sudo -n` costs time and logs a line.
/// When the work folder is still "$5" (as the last job found it), the worker is known, the host
/// has no GPU to assign and nothing is missing, it launches the job with the spec "$6" at once:
/// one remote command per job start instead of two (each one pays for the login shell's rc files).
const char *kPrepareScript = CAIRN_ALIVE_FN R"SH(
job=$3; expected=$5; jobspec=$6
d=$1
case $d in "~") d=$HOME ;; "~/"*) d=$HOME/${d#"~/"} ;; esac
mkdir -p -- "$d/jobs/$3" "$d/cache" && cd -- "$d" || exit 3
d=$(pwd -P)
echo "workdir=$d"
c=$(command -v -- "$2" 2>/dev/null)
echo "cairn=$c"
known=no
if [ -n "$c" ]; then
  s=$(stat -L -c '%s-%Y' -- "$c" 2>/dev/null)
  echo "cairn_stamp=$s"
  if [ -z "$s" ] || [ "$s" != "$4" ]; then echo "handshake=$("$2" worker --handshake 2>&1 | tr '\n' ' ')"; else known=yes; fi
fi
if [ $known = no ]; then
  if [ -r /etc/os-release ]; then . /etc/os-release; echo "os_id=$ID $ID_LIKE"; fi
  if sudo -n true >/dev/null 2>&1; then echo "sudo=yes"; else echo "sudo=no"; fi
  echo "uid=$(id -u)"
  if command -v dpkg >/dev/null 2>&1; then echo "deb_arch=$(dpkg --print-architecture 2>/dev/null)"; fi
fi
if command -v nvidia-smi >/dev/null 2>&1; then
  out=$(nvidia-smi --query-gpu=name,memory.total,memory.used,utilization.gpu,temperature.gpu --format=csv,noheader,nounits 2>&1)
  rc=$?
  echo "$out" | sed 's/^/gpu=/'
  echo "gpu_rc=$rc"
  for f in jobs/*/gpus; do
    [ -f "$f" ] || continue
    j=${f%/gpus}
    [ -f "$j/exit_code" ] && continue
    p=$(cat "$j/pid" 2>/dev/null)
    [ -n "$p" ] && alive "$p" && tr ',' '\n' < "$f" | sed 's/^/taken=/'
  done
fi
shift 6
miss=0
for h in "$@"; do [ -e "cache/$h/.complete" ] || { mkdir -p -- "cache/$h" && echo "missing=$h"; miss=1; }; done
if [ "$expected" = "$d" ] && [ $known = yes ] && [ $miss = 0 ] && ! command -v nvidia-smi >/dev/null 2>&1; then
  p=$(launch "$d/jobs/$job" "$c" - "$jobspec" "$d/cache") && echo "launched=$p"
fi
)SH";


QByteArray logLine(const QString &message, const QString &level = QStringLiteral("info"))
{
    QByteArray line = JobEvent::log(level, message).toLine();
    if (line.endsWith('\n'))
        line.chop(1);
    return line;
}

QString remoteStatePath(const QString &jobDir)
{
    return QDir(jobDir).filePath(QStringLiteral("remote.json"));
}

struct Prepared
{
    QString error;
    bool cancelled = false;
    QString remoteDir;
    QString localOutput;
    qint64 pid = 0;
    QString gpus; ///< CUDA_VISIBLE_DEVICES given to the worker ("-": none), for the cost of GPU-hours
    QStringList messages;
};

Prepared prepare(const Host &host, const QString &specPath, std::shared_ptr<std::atomic<bool>> cancel)
{
    Prepared out;
    try {
        const SshConnection ssh(host);
        JobSpec spec = JobSpec::load(specPath);
        out.localOutput = spec.outputDir;
        // The data by content: what the host lacks goes over, the rest is reused.
        struct Item { QString *path; QString local; QString sha; };
        QList<Item> items;
        for (auto it = spec.channels.begin(); it != spec.channels.end(); ++it)
            for (QString *path : {&it->path, &it->labelsPath})
                if (!path->isEmpty())
                    items << Item{path, *path, RemoteCache::contentHash(*path)};
        // The worker's handshake is asked again only when its program changed (it starts a process).
        const QString handshakeCache = QDir(QStandardPaths::writableLocation(QStandardPaths::GenericCacheLocation))
                                           .filePath(QStringLiteral("cairn/worker-handshakes.json"));
        const QString handshakeKey = host.name + QLatin1Char('\n') + host.address() + QLatin1Char('\n') + host.cairnCommand;
        QJsonObject known;
        {
            QFile f(handshakeCache);
            if (f.open(QIODevice::ReadOnly))
                known = QJsonDocument::fromJson(f.readAll()).object();
        }
        const QJsonObject cached = known.value(handshakeKey).toObject();
        // The job's spec with the host's paths: the data in its cache, the output in the job's folder.
        auto placed = [&](const QString &workDir) {
            JobSpec remoteSpec = spec;
            for (auto it = remoteSpec.channels.begin(); it != remoteSpec.channels.end(); ++it)
                for (QString *path : {&it->path, &it->labelsPath})
                    for (const Item &i : std::as_const(items))
                        if (!path->isEmpty() && *path == i.local) {
                            *path = workDir + QStringLiteral("/cache/") + i.sha + QLatin1Char('/') + QFileInfo(i.local).fileName();
                            break;
                        }
            remoteSpec.outputDir = workDir + QStringLiteral("/jobs/") + spec.id + QStringLiteral("/output");
            return remoteSpec;
        };
        // Where the work folder was last time: with it the job can start in the same round trip.
        const QString workDirKey = QStringLiteral("workdir\n") + handshakeKey + QLatin1Char('\n') + host.workDir;
        const QString lastWorkDir = known.value(workDirKey).toString();
        QStringList args{host.workDir, host.cairnCommand, spec.id, cached.value(QStringLiteral("stamp")).toString(QStringLiteral("-")),
                         lastWorkDir.isEmpty() ? QStringLiteral("-") : lastWorkDir,
                         lastWorkDir.isEmpty() ? QStringLiteral("-")
                                               : QString::fromUtf8(QJsonDocument(placed(lastWorkDir).toJson()).toJson(QJsonDocument::Compact))};
        for (const Item &i : items)
            args << i.sha;
        const auto r = ssh.runScript(QString::fromLatin1(kLaunchFn) + QString::fromLatin1(kPrepareScript), args, 60000);
        QString report = QString::fromUtf8(r.out);
        QString stamp;
        bool asked = false;
        for (const QString &line : report.split(QLatin1Char('\n'))) {
            if (line.startsWith(QLatin1String("cairn_stamp=")))
                stamp = line.mid(12).trimmed();
            asked = asked || line.startsWith(QLatin1String("handshake="));
        }
        if (!asked && !stamp.isEmpty())
            report += QStringLiteral("\nhandshake=") + cached.value(QStringLiteral("handshake")).toString() + QLatin1Char('\n');
        const HostProbe probe = parseProbeOutput(host.name, report);
        const bool newWorkDir = probe.workerOk && !probe.workDir.isEmpty() && probe.workDir != lastWorkDir;
        if ((asked && probe.workerOk && !stamp.isEmpty()) || newWorkDir) {
            QDir().mkpath(QFileInfo(handshakeCache).absolutePath());
            if (asked && probe.workerOk && !stamp.isEmpty()) {
                QString handshake;
                for (const QString &line : report.split(QLatin1Char('\n')))
                    if (line.startsWith(QLatin1String("handshake=")))
                        handshake = line.mid(10).trimmed();
                known.insert(handshakeKey, QJsonObject{{QStringLiteral("stamp"), stamp}, {QStringLiteral("handshake"), handshake}});
            }
            if (newWorkDir)
                known.insert(workDirKey, probe.workDir);
            QSaveFile f(handshakeCache);
            if (f.open(QIODevice::WriteOnly)) {
                f.write(QJsonDocument(known).toJson(QJsonDocument::Compact));
                f.commit();
            }
        }
        if (r.exitCode != 0 || probe.workDir.isEmpty())
            throw Error(QStringLiteral("cannot create the work folder %1 on host '%2': %3").arg(host.workDir, host.name, QString::fromUtf8(r.err).trimmed()));
        if (!probe.workerOk)
            throw Error(probe.workerProblem);
        QSet<QString> missing;
        QSet<int> taken;
        qint64 launched = 0;
        for (const QString &line : QString::fromUtf8(r.out).split(QLatin1Char('\n'))) {
            if (line.startsWith(QLatin1String("missing=")))
                missing.insert(line.mid(8).trimmed());
            else if (line.startsWith(QLatin1String("taken=")))
                taken.insert(line.mid(6).trimmed().toInt());
            else if (line.startsWith(QLatin1String("launched=")))
                launched = line.mid(9).trimmed().toLongLong();
        }
        const QString workDir = probe.workDir;
        out.remoteDir = workDir + QStringLiteral("/jobs/") + spec.id;
        if (launched > 0) {
            // Started by the prepare script itself (the data was there, no GPU to choose).
            for (const Item &i : std::as_const(items))
                out.messages << QStringLiteral("host '%2' has %1 already (%3)").arg(i.local, host.name, i.sha.left(12));
            out.messages << QStringLiteral("host '%1' has no GPU (nvidia-smi absent or none found): the job runs on its CPUs").arg(host.name);
            out.gpus = QStringLiteral("-");
            out.pid = launched;
            out.messages << QStringLiteral("worker started on host '%1' (process group %2) in %3").arg(host.name).arg(out.pid).arg(out.remoteDir);
            return out;
        }
        QStringList sent;
        for (const Item &i : items) {
            const QFileInfo info(i.local);
            const QString remote = workDir + QStringLiteral("/cache/") + i.sha + QLatin1Char('/') + info.fileName();
            if (missing.contains(i.sha) && !sent.contains(i.sha)) {
                if (cancel->load())
                    break;
                ssh.upload({info.isDir() ? info.absoluteFilePath() + QLatin1Char('/') : info.absoluteFilePath()},
                           info.isDir() ? remote + QLatin1Char('/') : remote);
                sent << i.sha;
            }
            out.messages << (missing.contains(i.sha) ? QStringLiteral("sent %1 to host '%2' (%3)") : QStringLiteral("host '%2' has %1 already (%3)"))
                                .arg(i.local, host.name, i.sha.left(12));
            *i.path = remote;
        }
        spec.outputDir = out.remoteDir + QStringLiteral("/output");

        // GPUs: the free ones not held by this host's other jobs; none is a normal answer.
        QString devices = QStringLiteral("-");
        if (!probe.gpus.isEmpty()) {
            const QList<int> free = freeGpus(probe.gpus, taken, 1);
            devices = cudaVisibleDevices(free);
            if (free.isEmpty())
                out.messages << QStringLiteral("all %1 GPU(s) of host '%2' are busy: the job runs on its CPUs").arg(probe.gpus.size()).arg(host.name);
            else
                out.messages << QStringLiteral("GPU %1 (%2) of host '%3' assigned: CUDA_VISIBLE_DEVICES=%1")
                                    .arg(devices, probe.gpus.at(free.first()).name, host.name);
        } else {
            out.messages << QStringLiteral("host '%1' has no GPU (nvidia-smi absent or none found): the job runs on its CPUs").arg(host.name);
        }
        out.gpus = devices;
        if (cancel->load()) {
            out.cancelled = true;
            return out;
        }
        const QByteArray specJson = QJsonDocument(spec.toJson()).toJson(QJsonDocument::Compact);
        const auto launch = ssh.runScript(launchScript(),
                                          QStringList{out.remoteDir, host.cairnCommand, devices, QString::fromUtf8(specJson),
                                                      workDir + QStringLiteral("/cache")} + sent, 30000);
        bool ok = false;
        out.pid = QString::fromUtf8(launch.out).trimmed().toLongLong(&ok);
        if (launch.exitCode != 0 || !ok || out.pid <= 0)
            throw Error(QStringLiteral("could not start the worker on host '%1': %2").arg(host.name, QString::fromUtf8(launch.err + launch.out).trimmed()));
        out.messages << QStringLiteral("worker started on host '%1' (process group %2) in %3").arg(host.name).arg(out.pid).arg(out.remoteDir);
    } catch (const Error &e) {
        out.error = e.message();
    }
    return out;
}

struct Ending
{
    bool alive = false;
    bool retry = false;        ///< the connection failed: try again later
    QString error;
    QByteArray catchUp;
    int exitCode = -1;
    bool crashed = true;
    QByteArray stderrTail;
    QString fetchError;
};

Ending ending(const Host &host, const QString &remoteDir, qint64 pid, qint64 offset, const QString &localOutput)
{
    Ending e;
    try {
        const SshConnection ssh(host);
        const auto state = ssh.runScript(QString::fromLatin1(kStateScript), {remoteDir, QString::number(pid), QString::number(offset + 1)}, 300000);
        const QByteArray out = state.out;
        if (out.startsWith("alive")) {
            e.alive = true;
            return e;
        }
        if (out.startsWith("gone")) {
            e.error = QStringLiteral("the job's folder %1 is gone from host '%2'").arg(remoteDir, host.name);
            return e;
        }
        // Header lines up to "stderr=N", then N bytes of stderr, then the events not read yet.
        bool hasOutput = false;
        qsizetype pos = 0;
        qint64 stderrBytes = 0;
        qint64 tarBytes = -1;
        while (pos < out.size()) {
            const qsizetype nl = out.indexOf('\n', pos);
            if (nl < 0)
                break;
            const QByteArray l = out.mid(pos, nl - pos);
            pos = nl + 1;
            if (l.startsWith("exit=") && l != "exit=none") {
                e.exitCode = l.mid(5).trimmed().toInt();
                e.crashed = false;
            }
            hasOutput = hasOutput || l == "output=yes";
            if (l.startsWith("tar="))
                tarBytes = l.mid(4).trimmed().toLongLong();
            if (l.startsWith("stderr=")) {
                stderrBytes = l.mid(7).trimmed().toLongLong();
                break;
            }
        }
        e.stderrTail = out.mid(pos, stderrBytes);
        e.catchUp = out.mid(pos + stderrBytes + std::max<qint64>(0, tarBytes));
        if (hasOutput && !localOutput.isEmpty()) {
            try {
                if (tarBytes >= 0)
                    untarInto(out.mid(pos + stderrBytes, tarBytes), localOutput);
                else
                    ssh.download(remoteDir + QStringLiteral("/output/"), localOutput + QLatin1Char('/'));
            } catch (const SshError &) {
                throw;
            } catch (const Error &err) {
                e.fetchError = err.message();
            }
        }
    } catch (const SshError &err) {
        e.retry = true;
        e.error = err.message();
    } catch (const Error &err) {
        e.error = err.message();
    }
    return e;
}

} // namespace

SshRunner::SshRunner(Host host, QObject *parent) : Runner(parent), m_host(std::move(host))
{
    m_retryTimer.setSingleShot(true);
    connect(&m_retryTimer, &QTimer::timeout, this, [this] {
        if (m_running)
            follow();
    });
}

SshRunner::~SshRunner()
{
    // Only the local end goes: the worker on the host runs on, and a later process re-attaches.
    if (m_follow) {
        m_follow->disconnect(this);
        m_follow->kill();
        m_follow->waitForFinished(2000);
    }
}

QJsonObject SshRunner::remoteState(const QString &jobDir)
{
    QFile f(remoteStatePath(jobDir));
    if (!f.open(QIODevice::ReadOnly))
        return {};
    return QJsonDocument::fromJson(f.readAll()).object();
}

void SshRunner::fail(const QString &message)
{
    if (!m_running)
        return;
    m_running = false;
    if (m_follow) {
        m_follow->disconnect(this);
        m_follow->kill();
    }
    Q_EMIT finished(-1, true, message);
}

void SshRunner::start(const WorkerLaunch &launch)
{
    m_jobDir = launch.jobDir;
    m_running = true;
    auto cancel = std::make_shared<std::atomic<bool>>(false);
    connect(this, &QObject::destroyed, [cancel] { cancel->store(true); });
    m_cancel = cancel;
    Q_EMIT stdoutLine(logLine(QStringLiteral("preparing the job on host '%1' (%2)").arg(m_host.name, m_host.address())));
    auto *watcher = new QFutureWatcher<Prepared>(this);
    connect(watcher, &QFutureWatcher<Prepared>::finished, this, [this, watcher] {
        const Prepared p = watcher->result();
        watcher->deleteLater();
        for (const QString &m : p.messages)
            Q_EMIT stdoutLine(logLine(m));
        if (p.cancelled) {
            m_running = false;
            Q_EMIT finished(0, false, {});
            return;
        }
        if (!p.error.isEmpty()) {
            fail(p.error);
            return;
        }
        m_remoteDir = p.remoteDir;
        m_localOutput = p.localOutput;
        m_pid = p.pid;
        m_offset = 0;
        QSaveFile f(remoteStatePath(m_jobDir));
        if (f.open(QIODevice::WriteOnly)) {
            f.write(QJsonDocument(QJsonObject{{QStringLiteral("host"), m_host.toJson()},
                                              {QStringLiteral("remoteDir"), m_remoteDir},
                                              {QStringLiteral("localOutput"), m_localOutput},
                                              {QStringLiteral("pid"), m_pid},
                                              {QStringLiteral("gpus"), p.gpus}}).toJson());
            f.commit();
        }
        Q_EMIT started(m_pid);
        if (m_stopRequested)
            sendControl(QByteArrayLiteral("{\"type\":\"stop\"}"));
        follow();
    });
    const Host host = m_host;
    const QString specPath = launch.specPath;
    watcher->setFuture(QtConcurrent::run([host, specPath, cancel] { return prepare(host, specPath, cancel); }));
}

void SshRunner::attach(const QString &jobDir, qint64 offset)
{
    m_jobDir = jobDir;
    const QJsonObject state = remoteState(jobDir);
    m_running = true;
    if (state.isEmpty()) {
        fail(QStringLiteral("the job never reached its host (no %1)").arg(remoteStatePath(jobDir)));
        return;
    }
    m_host = Host::fromJson(state.value(QStringLiteral("host")).toObject());
    m_remoteDir = state.value(QStringLiteral("remoteDir")).toString();
    m_localOutput = state.value(QStringLiteral("localOutput")).toString();
    m_pid = qint64(state.value(QStringLiteral("pid")).toDouble());
    m_offset = std::max<qint64>(0, offset);
    follow();
}

void SshRunner::follow()
{
    if (!m_running)
        return;
    m_partial.clear(); // the stream starts again at m_offset
    QStringList args;
    try {
        args = SshConnection(m_host).scriptArguments(QString::fromLatin1(kFollowScript),
                                                     {m_remoteDir, QString::number(m_offset + 1), QString::number(m_pid)});
    } catch (const Error &e) {
        fail(e.message());
        return;
    }
    auto *p = new QProcess(this);
    m_follow = p;
    connect(p, &QProcess::readyReadStandardOutput, this, &SshRunner::onFollowOutput);
    connect(p, &QProcess::finished, this, [this, p](int code, QProcess::ExitStatus status) {
        if (p != m_follow)
            return;
        onFollowOutput();
        const QByteArray err = p->readAllStandardError();
        p->deleteLater();
        m_follow = nullptr;
        if (code == 255 || status == QProcess::CrashExit) {
            ++m_retries;
            const int delay = std::min(15000, 1000 * (1 << std::min(m_retries, 4)));
            QString why = QString::fromUtf8(err).trimmed();
            try {
                why = SshConnection(m_host).explain(err).message();
            } catch (const Error &) {
            }
            if (m_retries == 1 || m_retries % 10 == 0)
                Q_EMIT stdoutLine(logLine(QStringLiteral("lost the connection to host '%1' (%2); the job runs on there, reconnecting every %3 s")
                                              .arg(m_host.name, why).arg(delay / 1000), QStringLiteral("warning")));
            m_retryTimer.start(delay);
            return;
        }
        onFollowFinished(code);
    });
    connect(p, &QProcess::errorOccurred, this, [this, p](QProcess::ProcessError e) {
        if (e == QProcess::FailedToStart && p == m_follow)
            fail(QStringLiteral("cannot run ssh: %1").arg(p->errorString()));
    });
    p->start(SshConnection::program(), args);
}

void SshRunner::onFollowOutput()
{
    if (m_follow)
        emitLines(m_follow->readAllStandardOutput(), false);
}

void SshRunner::emitLines(const QByteArray &bytes, bool flushPartial)
{
    if (bytes.isEmpty() && !flushPartial)
        return;
    if (m_retries > 0 && !bytes.isEmpty()) {
        Q_EMIT stdoutLine(logLine(QStringLiteral("connected to host '%1' again; events resume at byte %2").arg(m_host.name).arg(m_offset)));
        m_retries = 0;
    }
    m_partial.append(bytes);
    qsizetype start = 0;
    for (;;) {
        const qsizetype lineStart = start;
        const std::optional<QByteArray> line = nextOutputLine(m_partial, start);
        if (!line)
            break;
        m_offset += start - lineStart; // before the signal: the receiver stores the offset with the line
        Q_EMIT stdoutLine(*line);
    }
    m_partial.remove(0, start);
    if (flushPartial && !m_partial.isEmpty()) {
        m_offset += m_partial.size();
        const QByteArray last = m_partial;
        m_partial.clear();
        Q_EMIT stdoutLine(last);
    }
}

void SshRunner::onFollowFinished(int exitCode)
{
    Q_UNUSED(exitCode);
    if (!m_running || m_finishing)
        return;
    m_finishing = true;
    auto *watcher = new QFutureWatcher<Ending>(this);
    connect(watcher, &QFutureWatcher<Ending>::finished, this, [this, watcher] {
        const Ending e = watcher->result();
        watcher->deleteLater();
        m_finishing = false;
        if (!m_running)
            return;
        if (e.alive) {
            follow();
            return;
        }
        if (e.retry) {
            ++m_retries;
            Q_EMIT stdoutLine(logLine(QStringLiteral("lost the connection to host '%1' while collecting the job's end (%2); retrying")
                                          .arg(m_host.name, e.error), QStringLiteral("warning")));
            m_retryTimer.start(std::min(15000, 1000 * (1 << std::min(m_retries, 4))));
            return;
        }
        m_partial.clear();
        emitLines(e.catchUp, true);
        if (!e.stderrTail.trimmed().isEmpty() && (e.crashed || e.exitCode != 0))
            Q_EMIT stderrText(e.stderrTail);
        m_running = false;
        QString error = e.error;
        if (error.isEmpty() && !e.fetchError.isEmpty())
            error = QStringLiteral("the job ended on host '%1' but its model and artifacts could not be fetched: %2").arg(m_host.name, e.fetchError);
        else if (error.isEmpty() && !m_localOutput.isEmpty())
            Q_EMIT stdoutLine(logLine(QStringLiteral("fetched the job's output from host '%1' into %2").arg(m_host.name, m_localOutput)));
        Q_EMIT finished(e.exitCode, e.crashed || !error.isEmpty(), error);
    });
    const Host host = m_host;
    const QString remoteDir = m_remoteDir;
    const qint64 pid = m_pid;
    const qint64 offset = m_offset;
    const QString localOutput = m_localOutput;
    watcher->setFuture(QtConcurrent::run([=] { return ending(host, remoteDir, pid, offset, localOutput); }));
}

void SshRunner::sendControl(const QByteArray &line)
{
    if (m_remoteDir.isEmpty()) {
        // Still preparing: the stop goes as soon as the worker exists (or it is never started).
        m_stopRequested = true;
        if (m_cancel)
            m_cancel->store(true);
        return;
    }
    QStringList args;
    try {
        args = SshConnection(m_host).scriptArguments(QStringLiteral("printf '%s\\n' \"$2\" >> \"$1/control\""),
                                                     {m_remoteDir, QString::fromUtf8(line.trimmed())});
    } catch (const Error &) {
        return;
    }
    auto *p = new QProcess(this);
    connect(p, &QProcess::finished, p, &QObject::deleteLater);
    p->start(SshConnection::program(), args);
}

void SshRunner::signalGroup(const QString &signal)
{
    if (m_pid <= 0) {
        if (m_cancel)
            m_cancel->store(true);
        return;
    }
    QStringList args;
    try {
        args = SshConnection(m_host).scriptArguments(QStringLiteral("kill -s \"$1\" -- \"-$2\" 2>/dev/null || kill -s \"$1\" \"$2\""),
                                                     {signal, QString::number(m_pid)});
    } catch (const Error &) {
        return;
    }
    auto *p = new QProcess(this);
    connect(p, &QProcess::finished, p, &QObject::deleteLater);
    p->start(SshConnection::program(), args);
}

void SshRunner::terminate()
{
    signalGroup(QStringLiteral("TERM"));
}

void SshRunner::kill()
{
    signalGroup(QStringLiteral("KILL"));
}

} // namespace cairn::remote
