#include "cairn/remote/sshrunner.h"

#include "cairn/jobs/jobevent.h"
#include "cairn/jobs/jobspec.h"
#include "cairn/remote/probe.h"
#include "cairn/remote/remotecache.h"
#include "cairn/remote/remotescript.h"
#include "cairn/remote/sshconnection.h"
#include "jobs/outputlines.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QFutureWatcher>
#include <QJsonArray>
#include <QJsonDocument>
#include <QProcess>
#include <QRandomGenerator>
#include <QSaveFile>
#include <QStandardPaths>
#include <QtConcurrent/QtConcurrentRun>

#include <atomic>
#include <memory>

namespace cairn::remote {

namespace {

/// Everything a job does on its host, as one script run with `sh -c SCRIPT sh MODE TOKEN ARGS…`:
///
/// - `start`: prepares the job (see below) and, when nothing needs sending, launches the worker
///   and follows it in the same command: a warm job costs one remote command from start to end.
/// - `launch`: launches the worker (after rsync sent what the host lacked) and follows it.
/// - `follow`: follows a worker started earlier (re-attach, or after a dropped connection).
///
/// The answer on stdout: report lines (key=value), then a line "TOKEN events", the raw bytes of
/// events.jsonl from the offset asked for, then "TOKEN end" (right after the last event byte,
/// even when the last line is cut short) and the end record: "size=N" (events.jsonl's length,
/// so that the reader can tell it missed nothing), "exit=…", "output=yes", "tar=N", and last
/// "stderr=N" followed by N bytes of the worker's stderr and the output folder's tar. TOKEN is
/// random per command, so no event can look like the end. "TOKEN end" then "alive" means the
/// stream stopped while the worker runs on; "gone" that the job's folder is no longer there.
const char *kJobScript = R"SH(
alive() { kill -0 "$1" 2>/dev/null && [ "$(sed 's/.*) //' /proc/$1/stat 2>/dev/null | cut -c1)" != Z ]; }

# Starts the worker detached in its job folder "$1": its own session (setsid) so that no hang-up
# or dropped connection reaches it (nohup is not needed: the new session has no terminal, the
# output goes to files and HUP is ignored); the wrapper shell ignores the signals meant for the worker and
# records its exit code. "$4" is the spec; "$5" the cache folder, then the content hashes just
# sent there, marked complete. Sets L to the process (group) id; this shell is its parent.
launch() {
dir=$1; cmd=$2; dev=$3; spec=$4; cache=$5
shift 5
# Each program started here is time before the worker starts: builtins where they do.
{ [ -d "$dir" ] || mkdir -p -- "$dir"; } && cd -- "$dir" || return 3
for f in control exit_code exit_code.tmp pid gpus; do [ ! -e "$f" ] || rm -f -- "$f"; done
printf '%s\n' "$spec" > spec.json || return 3
for h in "$@"; do : > "$cache/$h/.complete"; done
: > events.jsonl
if [ "$dev" != "-" ]; then CUDA_VISIBLE_DEVICES=$dev; export CUDA_VISIBLE_DEVICES; printf '%s\n' "$dev" > gpus; fi
setsid sh -c 'trap "" HUP INT TERM; "$0" worker --spec spec.json --events-file events.jsonl --control-file control >worker.out 2>worker.err </dev/null; echo $? > exit_code.tmp; mv exit_code.tmp exit_code' "$cmd" >/dev/null 2>&1 </dev/null &
L=$!
echo $L > pid
}

# Streams events.jsonl of job folder "$1" from byte "$2" (1-based) until worker "$3" has ended,
# then the end record ("$4" is the token). With "$5" = child this shell is the worker's parent:
# tail ends by itself when the worker is gone (the shell reaps it while waiting for tail), within
# 20 ms. Otherwise a watcher looks for the exit code every 100 ms (and whether the process still
# runs: a zombie left to an init that does not reap counts as ended) and tail ends with it.
# tail --pid reads what the writer wrote before it ended; "size=" lets the reader check that.
follow() {
cd -- "$1" 2>/dev/null || { printf '%s end\ngone\n' "$4"; return 0; }
printf '%s events\n' "$4"
w=$3
if [ "$5" != child ]; then
  (i=0; while [ ! -f exit_code ]; do i=$((i + 1)); if [ $((i % 5)) = 0 ]; then alive "$3" || break; fi; sleep 0.1; done) &
  w=$!
fi
# Polled every 20 ms rather than woken by each write (inotify): a job logging hundreds of points
# a second would wake tail, sshd and ssh as often, which on a busy host takes CPU from the worker.
# The interval is also how long the end of a job takes to be seen (10 ms on average).
p=
tail ---disable-inotify -c 0 /dev/null >/dev/null 2>&1 && p=---disable-inotify
tail $p -c +"$2" -s 0.02 -F --pid="$w" events.jsonl 2>/dev/null
printf '%s end\n' "$4"
if [ ! -f exit_code ] && alive "$3"; then echo alive; return 0; fi
echo "size=$(wc -c < events.jsonl 2>/dev/null)"
x=
[ -f exit_code ] && read -r x < exit_code
echo "exit=${x:-none}"
t=.end.$$.tar
if [ -d output ]; then
  echo "output=yes"
  k=$(du -sk output 2>/dev/null)
  k=${k%%[!0-9]*}
  if [ -n "$k" ] && [ "$k" -le 65536 ] && tar -C output -cf "$t" . 2>/dev/null; then echo "tar=$(wc -c < "$t")"; else rm -f "$t"; fi
fi
e=$(wc -c < worker.err 2>/dev/null)
if [ "${e:-0}" -gt 4000 ]; then echo "stderr=4000"; tail -c 4000 worker.err; else echo "stderr=${e:-0}"; [ "${e:-0}" = 0 ] || cat worker.err; fi
if [ -f "$t" ]; then cat "$t"; rm -f "$t"; fi
return 0
}

mode=$1; tok=$2
shift 2
case $mode in
start)
# One round trip for everything a job's start needs from the host: the work folder ("$1",
# created with the job's folder "$3"), the worker's handshake ("$2"; skipped when the program's
# size and time are still "$4", the handshake then known), the GPUs and those this host's jobs
# hold, and which content hashes (the rest) the cache lacks. What the install advice needs (the
# system, sudo) only when the worker is not known good: `sudo -n` costs time and logs a line.
# When the work folder is still "$5" (as the last job found it), the worker is known, the host
# has no GPU to assign and nothing is missing, it launches the job with the spec "$6" and follows
# it: the whole job in this one command (each command pays for the login shell's rc files).
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
gpu=no
if command -v nvidia-smi >/dev/null 2>&1; then
  gpu=yes
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
if [ "$expected" = "$d" ] && [ $known = yes ] && [ $miss = 0 ] && [ $gpu = no ]; then
  launch "$d/jobs/$job" "$c" - "$jobspec" "$d/cache" && echo "launched=$L" && follow "$d/jobs/$job" 1 "$L" "$tok" child
fi
;;
launch)
launch "$@" || exit 3
echo "launched=$L"
follow "$1" 1 "$L" "$tok" child
;;
follow)
follow "$1" "$2" "$3" "$tok" -
;;
esac
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

QStringList reportLines(const QByteArray &report)
{
    return QString::fromUtf8(report).split(QLatin1Char('\n'));
}

} // namespace

/// What a job's start knows before asking the host: worked out here, off the GUI thread (content
/// hashes read files), from the spec, the data channels and what earlier jobs learnt of the host.
struct SshJobPlan
{
    QString error;
    JobSpec spec;
    struct Item { QString local; QString sha; };
    QList<Item> items;
    QString handshakeCache; ///< the user's cache of worker handshakes and work folders
    QString handshakeKey;
    QString workDirKey;
    QString lastWorkDir;
    QJsonObject known;      ///< the cache's content
    QJsonObject cached;     ///< the handshake known for this host's worker
    QStringList startArgs;  ///< for the script's start mode

    /// The job's spec with the host's paths: the data in its cache, the output in the job's folder.
    JobSpec placed(const QString &workDir) const
    {
        JobSpec remoteSpec = spec;
        for (auto it = remoteSpec.channels.begin(); it != remoteSpec.channels.end(); ++it)
            for (QString *path : {&it->path, &it->labelsPath})
                for (const Item &i : items)
                    if (!path->isEmpty() && *path == i.local) {
                        *path = workDir + QStringLiteral("/cache/") + i.sha + QLatin1Char('/') + QFileInfo(i.local).fileName();
                        break;
                    }
        remoteSpec.outputDir = workDir + QStringLiteral("/jobs/") + spec.id + QStringLiteral("/output");
        return remoteSpec;
    }
};

namespace {

std::shared_ptr<SshJobPlan> makePlan(const Host &host, const QString &specPath)
{
    auto plan = std::make_shared<SshJobPlan>();
    try {
        host.validate();
        plan->spec = JobSpec::load(specPath);
        // The data by content: what the host lacks goes over, the rest is reused.
        for (const auto &channel : std::as_const(plan->spec.channels))
            for (const QString &path : {channel.path, channel.labelsPath})
                if (!path.isEmpty())
                    plan->items << SshJobPlan::Item{path, RemoteCache::contentHash(path)};
        // The worker's handshake is asked again only when its program changed (it starts a process).
        plan->handshakeCache = QDir(QStandardPaths::writableLocation(QStandardPaths::GenericCacheLocation))
                                   .filePath(QStringLiteral("cairn/worker-handshakes.json"));
        plan->handshakeKey = host.name + QLatin1Char('\n') + host.address() + QLatin1Char('\n') + host.cairnCommand;
        QFile f(plan->handshakeCache);
        if (f.open(QIODevice::ReadOnly))
            plan->known = QJsonDocument::fromJson(f.readAll()).object();
        plan->cached = plan->known.value(plan->handshakeKey).toObject();
        // Where the work folder was last time: with it the job can start in the same round trip.
        plan->workDirKey = QStringLiteral("workdir\n") + plan->handshakeKey + QLatin1Char('\n') + host.workDir;
        plan->lastWorkDir = plan->known.value(plan->workDirKey).toString();
        plan->startArgs = QStringList{host.workDir, host.cairnCommand, plan->spec.id,
                                      plan->cached.value(QStringLiteral("stamp")).toString(QStringLiteral("-")),
                                      plan->lastWorkDir.isEmpty() ? QStringLiteral("-") : plan->lastWorkDir,
                                      plan->lastWorkDir.isEmpty() ? QStringLiteral("-")
                                                                  : QString::fromUtf8(QJsonDocument(plan->placed(plan->lastWorkDir).toJson())
                                                                                          .toJson(QJsonDocument::Compact))};
        for (const auto &i : std::as_const(plan->items))
            plan->startArgs << i.sha;
    } catch (const Error &e) {
        plan->error = e.message();
    }
    return plan;
}

/// What the start command's report says, with the handshake cache brought up to date.
struct Report
{
    QString error;
    QString workDir;
    QList<GpuInfo> gpus;
    QSet<QString> missing;
    QSet<int> taken;
    qint64 launched = 0;
};

Report readReport(const Host &host, SshJobPlan &plan, const QByteArray &out, const QByteArray &err, int exitCode)
{
    Report rep;
    QString report = QString::fromUtf8(out);
    QString stamp;
    bool asked = false;
    for (const QString &line : reportLines(out)) {
        if (line.startsWith(QLatin1String("cairn_stamp=")))
            stamp = line.mid(12).trimmed();
        asked = asked || line.startsWith(QLatin1String("handshake="));
    }
    if (!asked && !stamp.isEmpty())
        report += QStringLiteral("\nhandshake=") + plan.cached.value(QStringLiteral("handshake")).toString() + QLatin1Char('\n');
    const HostProbe probe = parseProbeOutput(host.name, report);
    const bool newWorkDir = probe.workerOk && !probe.workDir.isEmpty() && probe.workDir != plan.lastWorkDir;
    if ((asked && probe.workerOk && !stamp.isEmpty()) || newWorkDir) {
        QDir().mkpath(QFileInfo(plan.handshakeCache).absolutePath());
        if (asked && probe.workerOk && !stamp.isEmpty()) {
            QString handshake;
            for (const QString &line : reportLines(out))
                if (line.startsWith(QLatin1String("handshake=")))
                    handshake = line.mid(10).trimmed();
            plan.known.insert(plan.handshakeKey, QJsonObject{{QStringLiteral("stamp"), stamp}, {QStringLiteral("handshake"), handshake}});
        }
        if (newWorkDir)
            plan.known.insert(plan.workDirKey, probe.workDir);
        QSaveFile f(plan.handshakeCache);
        if (f.open(QIODevice::WriteOnly)) {
            f.write(QJsonDocument(plan.known).toJson(QJsonDocument::Compact));
            f.commit();
        }
    }
    if (exitCode != 0 || probe.workDir.isEmpty()) {
        rep.error = QStringLiteral("cannot create the work folder %1 on host '%2': %3").arg(host.workDir, host.name, QString::fromUtf8(err).trimmed());
        return rep;
    }
    if (!probe.workerOk) {
        rep.error = probe.workerProblem;
        return rep;
    }
    rep.workDir = probe.workDir;
    rep.gpus = probe.gpus;
    for (const QString &line : reportLines(out)) {
        if (line.startsWith(QLatin1String("missing=")))
            rep.missing.insert(line.mid(8).trimmed());
        else if (line.startsWith(QLatin1String("taken=")))
            rep.taken.insert(line.mid(6).trimmed().toInt());
        else if (line.startsWith(QLatin1String("launched=")))
            rep.launched = line.mid(9).trimmed().toLongLong();
    }
    return rep;
}

/// The cold start, off the GUI thread: sends what the host's cache lacks with rsync, picks a
/// free GPU, and gives the arguments of the script's launch mode.
struct Placement
{
    QString error;
    bool cancelled = false;
    QStringList launchArgs;
    QString gpus = QStringLiteral("-");
    QStringList messages;
};

Placement place(const Host &host, const SshJobPlan &plan, const Report &rep, const QString &remoteDir,
                const std::shared_ptr<std::atomic<bool>> &cancel)
{
    Placement out;
    try {
        const SshConnection ssh(host);
        QStringList sent;
        for (const auto &i : plan.items) {
            const QFileInfo info(i.local);
            const QString remote = rep.workDir + QStringLiteral("/cache/") + i.sha + QLatin1Char('/') + info.fileName();
            if (rep.missing.contains(i.sha) && !sent.contains(i.sha)) {
                if (cancel->load()) {
                    out.cancelled = true;
                    return out;
                }
                ssh.upload({info.isDir() ? info.absoluteFilePath() + QLatin1Char('/') : info.absoluteFilePath()},
                           info.isDir() ? remote + QLatin1Char('/') : remote);
                sent << i.sha;
            }
            out.messages << (rep.missing.contains(i.sha) ? QStringLiteral("sent %1 to host '%2' (%3)") : QStringLiteral("host '%2' has %1 already (%3)"))
                                .arg(i.local, host.name, i.sha.left(12));
        }
        // GPUs: the free ones not held by this host's other jobs; none is a normal answer.
        if (!rep.gpus.isEmpty()) {
            const QList<int> free = freeGpus(rep.gpus, rep.taken, 1);
            out.gpus = cudaVisibleDevices(free);
            if (free.isEmpty())
                out.messages << QStringLiteral("all %1 GPU(s) of host '%2' are busy: the job runs on its CPUs").arg(rep.gpus.size()).arg(host.name);
            else
                out.messages << QStringLiteral("GPU %1 (%2) of host '%3' assigned: CUDA_VISIBLE_DEVICES=%1")
                                    .arg(out.gpus, rep.gpus.at(free.first()).name, host.name);
        } else {
            out.messages << QStringLiteral("host '%1' has no GPU (nvidia-smi absent or none found): the job runs on its CPUs").arg(host.name);
        }
        if (cancel->load()) {
            out.cancelled = true;
            return out;
        }
        const QByteArray specJson = QJsonDocument(plan.placed(rep.workDir).toJson()).toJson(QJsonDocument::Compact);
        out.launchArgs = QStringList{remoteDir, host.cairnCommand, out.gpus, QString::fromUtf8(specJson), rep.workDir + QStringLiteral("/cache")} + sent;
    } catch (const Error &e) {
        out.error = e.message();
    }
    return out;
}

/// The end record after "TOKEN end", parsed.
struct EndRecord
{
    bool alive = false;
    bool gone = false;
    qint64 size = -1;
    int exitCode = -1;
    bool crashed = true;
    bool hasOutput = false;
    QByteArray stderrTail;
    qint64 tarBytes = -1;
    QByteArray tar;
    bool complete = false; ///< every byte announced arrived
};

EndRecord parseEndRecord(const QByteArray &out)
{
    EndRecord e;
    qsizetype pos = 0;
    qint64 stderrBytes = -1;
    while (pos < out.size()) {
        const qsizetype nl = out.indexOf('\n', pos);
        if (nl < 0)
            break;
        const QByteArray l = out.mid(pos, nl - pos);
        pos = nl + 1;
        if (l == "alive" || l == "gone") {
            e.alive = l == "alive";
            e.gone = l == "gone";
            e.complete = true;
            return e;
        }
        if (l.startsWith("size=")) {
            bool ok = false;
            e.size = l.mid(5).trimmed().toLongLong(&ok);
            if (!ok)
                e.size = -1;
        } else if (l.startsWith("exit=") && l != "exit=none") {
            e.exitCode = l.mid(5).trimmed().toInt();
            e.crashed = false;
        } else if (l == "output=yes") {
            e.hasOutput = true;
        } else if (l.startsWith("tar=")) {
            e.tarBytes = l.mid(4).trimmed().toLongLong();
        } else if (l.startsWith("stderr=")) {
            stderrBytes = l.mid(7).trimmed().toLongLong();
            break;
        }
    }
    if (stderrBytes < 0)
        return e;
    e.stderrTail = out.mid(pos, stderrBytes);
    if (e.tarBytes >= 0)
        e.tar = out.mid(pos + stderrBytes, e.tarBytes);
    e.complete = out.size() - pos >= stderrBytes + std::max<qint64>(0, e.tarBytes);
    return e;
}

/// Brings the job's output folder into `localOutput`: from the tar that came with the end record,
/// else (a folder over 64 MiB) with rsync. The error, if any.
QString fetchOutput(const Host &host, const QString &remoteDir, const EndRecord &e, const QString &localOutput, bool *retry)
{
    try {
        if (e.tarBytes >= 0)
            untarInto(e.tar, localOutput);
        else
            SshConnection(host).download(remoteDir + QStringLiteral("/output/"), localOutput + QLatin1Char('/'));
    } catch (const SshError &err) {
        *retry = true;
        return err.message();
    } catch (const Error &err) {
        return err.message();
    }
    return {};
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
    if (m_stream) {
        m_stream->disconnect(this);
        m_stream->kill();
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
    if (m_stream) {
        m_stream->disconnect(this);
        m_stream->kill();
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
    auto *watcher = new QFutureWatcher<std::shared_ptr<SshJobPlan>>(this);
    connect(watcher, &QFutureWatcher<std::shared_ptr<SshJobPlan>>::finished, this, [this, watcher] {
        m_plan = watcher->result();
        watcher->deleteLater();
        if (!m_plan->error.isEmpty()) {
            fail(m_plan->error);
            return;
        }
        if (m_cancel->load()) {
            m_running = false;
            Q_EMIT finished(0, false, {});
            return;
        }
        m_localOutput = m_plan->spec.outputDir;
        m_offset = 0;
        startStream(Mode::Start, m_plan->startArgs);
    });
    const Host host = m_host;
    const QString specPath = launch.specPath;
    watcher->setFuture(QtConcurrent::run([host, specPath] { return makePlan(host, specPath); }));
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
    startStream(Mode::Follow, {m_remoteDir, QString::number(m_offset + 1), QString::number(m_pid)});
}

void SshRunner::startStream(Mode mode, const QStringList &args)
{
    if (!m_running)
        return;
    m_mode = mode;
    m_phase = Phase::Header;
    m_header.clear();
    m_partial.clear(); // the stream starts again at m_offset
    m_trailer.clear();
    m_streamStart = m_offset;
    m_token = "cairn-" + QByteArray::number(QRandomGenerator::system()->generate64(), 16)
              + QByteArray::number(QRandomGenerator::system()->generate64(), 16);
    const QString modeName = mode == Mode::Start ? QStringLiteral("start") : mode == Mode::Launch ? QStringLiteral("launch") : QStringLiteral("follow");
    auto *s = new RemoteScript(m_host, QString::fromLatin1(kJobScript), QStringList{modeName, QString::fromLatin1(m_token)} + args, this);
    s->setJobScript();
    m_stream = s;
    connect(s, &RemoteScript::output, this, [this, s](const QByteArray &bytes) {
        if (s == m_stream)
            onStreamOutput(bytes);
    });
    connect(s, &RemoteScript::finished, this, [this, s](int code, const QByteArray &err) {
        if (s != m_stream)
            return;
        s->deleteLater();
        m_stream = nullptr;
        onStreamFinished(code, err);
    });
    connect(s, &RemoteScript::failedToStart, this, [this, s](const QString &error) {
        if (s == m_stream)
            fail(error);
    });
    s->start();
}

void SshRunner::onStreamOutput(QByteArray bytes)
{
    if (!m_running || bytes.isEmpty())
        return;
    if (m_phase == Phase::Trailer) {
        m_trailer.append(bytes);
        return;
    }
    if (m_phase == Phase::Header) {
        m_header.append(bytes);
        const QByteArray events = m_token + " events\n";
        const qsizetype at = m_header.indexOf(events);
        if (at < 0) {
            const QByteArray end = m_token + " end\n";
            const qsizetype e = m_header.indexOf(end);
            if (e >= 0) {
                m_trailer = m_header.mid(e + end.size());
                m_phase = Phase::Trailer;
            }
            return;
        }
        const QByteArray report = m_header.left(at);
        bytes = m_header.mid(at + events.size());
        m_header.clear();
        m_phase = Phase::Events;
        if (m_mode != Mode::Follow && !onLaunched(report))
            return;
    }
    // The end marker is one line with one "\n" at its end: a complete line holding any part of
    // it holds all of it, so looking for it before splitting lines is enough.
    const QByteArray end = m_token + " end\n";
    m_partial.append(bytes);
    const qsizetype at = m_partial.indexOf(end);
    if (at >= 0) {
        m_trailer = m_partial.mid(at + end.size());
        m_partial.truncate(at);
        m_phase = Phase::Trailer;
    }
    emitLines(false);
}

bool SshRunner::onLaunched(const QByteArray &report)
{
    qint64 pid = 0;
    for (const QString &line : reportLines(report))
        if (line.startsWith(QLatin1String("launched=")))
            pid = line.mid(9).trimmed().toLongLong();
    if (m_mode == Mode::Start) {
        // Launched by the start command itself: the data was there and no GPU to choose.
        const Report rep = readReport(m_host, *m_plan, report, {}, 0);
        if (!rep.error.isEmpty() || pid <= 0) {
            fail(rep.error.isEmpty() ? QStringLiteral("could not start the worker on host '%1'").arg(m_host.name) : rep.error);
            return false;
        }
        m_remoteDir = rep.workDir + QStringLiteral("/jobs/") + m_plan->spec.id;
        for (const auto &i : std::as_const(m_plan->items))
            Q_EMIT stdoutLine(logLine(QStringLiteral("host '%2' has %1 already (%3)").arg(i.local, m_host.name, i.sha.left(12))));
        Q_EMIT stdoutLine(logLine(QStringLiteral("host '%1' has no GPU (nvidia-smi absent or none found): the job runs on its CPUs").arg(m_host.name)));
        m_gpus = QStringLiteral("-");
    } else if (pid <= 0) {
        fail(QStringLiteral("could not start the worker on host '%1': %2").arg(m_host.name, QString::fromUtf8(report).trimmed()));
        return false;
    }
    m_pid = pid;
    Q_EMIT stdoutLine(logLine(QStringLiteral("worker started on host '%1' (process group %2) in %3").arg(m_host.name).arg(m_pid).arg(m_remoteDir)));
    QSaveFile f(remoteStatePath(m_jobDir));
    if (f.open(QIODevice::WriteOnly)) {
        f.write(QJsonDocument(QJsonObject{{QStringLiteral("host"), m_host.toJson()},
                                          {QStringLiteral("remoteDir"), m_remoteDir},
                                          {QStringLiteral("localOutput"), m_localOutput},
                                          {QStringLiteral("pid"), m_pid},
                                          {QStringLiteral("gpus"), m_gpus}}).toJson());
        f.commit();
    }
    Q_EMIT started(m_pid);
    if (m_stopRequested)
        sendControl(QByteArrayLiteral("{\"type\":\"stop\"}"));
    return m_running;
}

void SshRunner::onStreamFinished(int exitCode, const QByteArray &err)
{
    if (!m_running || m_finishing)
        return;
    if (m_phase == Phase::Header && m_mode == Mode::Start && exitCode != 255) {
        coldStart(exitCode, err);
        return;
    }
    if (m_phase == Phase::Header && m_mode != Mode::Follow) {
        // The worker was not started (as far as this process knows): nothing to re-attach to.
        // Explaining an ssh failure may scan the host's key: off the GUI thread.
        auto *watcher = new QFutureWatcher<QString>(this);
        connect(watcher, &QFutureWatcher<QString>::finished, this, [this, watcher] {
            const QString why = watcher->result();
            watcher->deleteLater();
            fail(m_mode == Mode::Start ? why : QStringLiteral("could not start the worker on host '%1': %2").arg(m_host.name, why));
        });
        const Host host = m_host;
        watcher->setFuture(QtConcurrent::run([host, exitCode, err] {
            QString why = QString::fromUtf8(err).trimmed();
            if (exitCode == 255) {
                try {
                    why = SshConnection(host).explain(err).message();
                } catch (const Error &) {
                }
            }
            return why;
        }));
        return;
    }
    const EndRecord e = m_phase == Phase::Trailer ? parseEndRecord(m_trailer) : EndRecord{};
    if (exitCode == 255 || !e.complete) {
        // The connection dropped (or the answer was cut short): the worker runs on; follow again.
        ++m_retries;
        const int delay = std::min(15000, 1000 * (1 << std::min(m_retries, 4)));
        QString why = QString::fromUtf8(err).trimmed();
        if (exitCode == 255) {
            try {
                why = SshConnection(m_host).explain(err).message();
            } catch (const Error &) {
            }
        } else if (why.isEmpty()) {
            why = QStringLiteral("the stream of events ended early (ssh exit %1)").arg(exitCode);
        }
        if (m_retries == 1 || m_retries % 10 == 0)
            Q_EMIT stdoutLine(logLine(QStringLiteral("lost the connection to host '%1' (%2); the job runs on there, reconnecting every %3 s")
                                          .arg(m_host.name, why).arg(delay / 1000), QStringLiteral("warning")));
        m_retryTimer.start(delay);
        return;
    }
    if (e.alive) {
        // The stream stopped while the worker runs on (tail ended): follow again, not in a tight
        // loop when it sent nothing at all.
        if (m_offset + m_partial.size() == m_streamStart)
            m_retryTimer.start(1000);
        else
            follow();
        return;
    }
    if (e.gone) {
        fail(QStringLiteral("the job's folder %1 is gone from host '%2'").arg(m_remoteDir, m_host.name));
        return;
    }
    if (e.size >= 0 && m_offset + m_partial.size() < e.size) {
        // tail stopped before the end of the file: read the rest (the worker has ended).
        if (m_offset + m_partial.size() == m_streamStart) {
            fail(QStringLiteral("host '%1' sends none of the job's events from byte %2 of %3 (is GNU tail there?)").arg(m_host.name).arg(m_offset).arg(e.size));
            return;
        }
        follow();
        return;
    }
    emitLines(true);
    if (!e.stderrTail.trimmed().isEmpty() && (e.crashed || e.exitCode != 0))
        Q_EMIT stderrText(e.stderrTail);
    if (!e.hasOutput || m_localOutput.isEmpty()) {
        m_running = false;
        Q_EMIT finished(e.exitCode, e.crashed, {});
        return;
    }
    // The output folder: unpacked (or fetched with rsync when large) off the GUI thread.
    m_finishing = true;
    auto *watcher = new QFutureWatcher<QPair<QString, bool>>(this);
    connect(watcher, &QFutureWatcher<QPair<QString, bool>>::finished, this, [this, watcher, e] {
        const auto [fetchError, retry] = watcher->result();
        watcher->deleteLater();
        m_finishing = false;
        if (!m_running)
            return;
        if (retry) {
            ++m_retries;
            Q_EMIT stdoutLine(logLine(QStringLiteral("lost the connection to host '%1' while fetching the job's output (%2); retrying")
                                          .arg(m_host.name, fetchError), QStringLiteral("warning")));
            m_retryTimer.start(std::min(15000, 1000 * (1 << std::min(m_retries, 4))));
            return;
        }
        m_running = false;
        QString error;
        if (!fetchError.isEmpty())
            error = QStringLiteral("the job ended on host '%1' but its model and artifacts could not be fetched: %2").arg(m_host.name, fetchError);
        else
            Q_EMIT stdoutLine(logLine(QStringLiteral("fetched the job's output from host '%1' into %2").arg(m_host.name, m_localOutput)));
        Q_EMIT finished(e.exitCode, e.crashed || !error.isEmpty(), error);
    });
    const Host host = m_host;
    const QString remoteDir = m_remoteDir;
    const QString localOutput = m_localOutput;
    watcher->setFuture(QtConcurrent::run([host, remoteDir, e, localOutput] {
        bool retry = false;
        const QString error = fetchOutput(host, remoteDir, e, localOutput, &retry);
        return QPair<QString, bool>(error, retry);
    }));
}

void SshRunner::coldStart(int exitCode, const QByteArray &err)
{
    // The start command did not launch: data to send, a GPU to choose, or a worker to check.
    const Report rep = readReport(m_host, *m_plan, m_header, err, exitCode);
    m_header.clear();
    if (!rep.error.isEmpty()) {
        fail(rep.error);
        return;
    }
    m_remoteDir = rep.workDir + QStringLiteral("/jobs/") + m_plan->spec.id;
    auto *watcher = new QFutureWatcher<Placement>(this);
    connect(watcher, &QFutureWatcher<Placement>::finished, this, [this, watcher] {
        const Placement p = watcher->result();
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
        m_gpus = p.gpus;
        startStream(Mode::Launch, p.launchArgs);
    });
    const Host host = m_host;
    const auto plan = m_plan;
    const QString remoteDir = m_remoteDir;
    const auto cancel = m_cancel;
    watcher->setFuture(QtConcurrent::run([host, plan, rep, remoteDir, cancel] { return place(host, *plan, rep, remoteDir, cancel); }));
}

void SshRunner::emitLines(bool flushPartial)
{
    if (m_retries > 0 && (!m_partial.isEmpty() || flushPartial)) {
        Q_EMIT stdoutLine(logLine(QStringLiteral("connected to host '%1' again; events resume at byte %2").arg(m_host.name).arg(m_offset)));
        m_retries = 0;
    }
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

void SshRunner::sendControl(const QByteArray &line)
{
    if (m_remoteDir.isEmpty() || m_pid <= 0) {
        // Still preparing: the stop goes as soon as the worker exists (or it is never started).
        m_stopRequested = true;
        if (m_cancel)
            m_cancel->store(true);
        return;
    }
    sendScript(QStringLiteral("printf '%s\\n' \"$2\" >> \"$1/control\""), {m_remoteDir, QString::fromUtf8(line.trimmed())});
}

void SshRunner::sendScript(const QString &script, const QStringList &args)
{
    // Through the host's agent when it answers, like the job's stream; nobody waits for it.
    auto *s = new RemoteScript(m_host, script, args, this);
    connect(s, &RemoteScript::finished, s, &QObject::deleteLater);
    connect(s, &RemoteScript::failedToStart, s, &QObject::deleteLater);
    s->start();
}

void SshRunner::signalGroup(const QString &signal)
{
    if (m_pid <= 0) {
        if (m_cancel)
            m_cancel->store(true);
        return;
    }
    sendScript(QStringLiteral("kill -s \"$1\" -- \"-$2\" 2>/dev/null || kill -s \"$1\" \"$2\""), {signal, QString::number(m_pid)});
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
