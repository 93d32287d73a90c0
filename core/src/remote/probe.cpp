#include "cairn/remote/probe.h"

#include "cairn/remote/sshconnection.h"

#include <QElapsedTimer>
#include <QJsonArray>
#include <QJsonDocument>
#include <QProcess>
#include <QStandardPaths>

namespace cairn::remote {

namespace {

/// Reports the machine as key=value lines. A fixed text: the work folder and the cairn command
/// arrive as "$1" and "$2", never inside the script.
const char *kProbeScript = R"SH(
d=$1
case $d in "~") d=$HOME ;; "~/"*) d=$HOME/${d#"~/"} ;; esac
mkdir -p -- "$d" 2>/dev/null
echo "workdir=$(cd -- "$d" 2>/dev/null && pwd -P)"
if [ -r /etc/os-release ]; then . /etc/os-release; echo "os=$PRETTY_NAME"; echo "os_id=$ID $ID_LIKE"; else echo "os=$(uname -s)"; fi
echo "kernel=$(uname -sr)"
echo "arch=$(uname -m)"
echo "cpu=$(grep -m1 'model name' /proc/cpuinfo 2>/dev/null | cut -d: -f2- | sed 's/^ *//')"
echo "cores=$(nproc 2>/dev/null || getconf _NPROCESSORS_ONLN)"
echo "mem_total_kb=$(awk '/^MemTotal:/{print $2}' /proc/meminfo 2>/dev/null)"
echo "mem_available_kb=$(awk '/^MemAvailable:/{print $2}' /proc/meminfo 2>/dev/null)"
echo "disk_free_kb=$(df -Pk -- "$d" 2>/dev/null | awk 'NR==2{print $4}')"
echo "load=$(cut -d' ' -f1 /proc/loadavg 2>/dev/null)"
if command -v nvidia-smi >/dev/null 2>&1; then
  out=$(nvidia-smi --query-gpu=name,memory.total,memory.used,utilization.gpu,temperature.gpu --format=csv,noheader,nounits 2>&1)
  rc=$?
  echo "$out" | sed 's/^/gpu=/'
  echo "gpu_rc=$rc"
fi
p=$(command -v python3 2>/dev/null)
echo "python3=$p"
if [ -n "$p" ]; then
  echo "python_version=$(python3 -c 'import sys; print(sys.version.split()[0])' 2>/dev/null)"
  if python3 -c 'import ipykernel' >/dev/null 2>&1; then echo "ipykernel=yes"; else echo "ipykernel=no"; fi
fi
if sudo -n true >/dev/null 2>&1; then echo "sudo=yes"; else echo "sudo=no"; fi
echo "uid=$(id -u)"
if command -v dpkg >/dev/null 2>&1; then echo "deb_arch=$(dpkg --print-architecture 2>/dev/null)"; fi
c=$(command -v -- "$2" 2>/dev/null)
echo "cairn=$c"
if [ -n "$c" ]; then echo "handshake=$("$2" worker --handshake 2>&1 | tr '\n' ' ')"; fi
)SH";

double number(const QString &s)
{
    bool ok = false;
    const double v = s.trimmed().toDouble(&ok);
    return ok ? v : -1;
}

QString installAdvice(const HostProbe &p)
{
    QString advice = QStringLiteral("install Cairn Studio %1 (worker protocol %2) on the host").arg(QStringLiteral(CAIRN_VERSION)).arg(kWorkerProtocol);
    if (isDebianLike(p)) {
        const QString deb = QStringLiteral("cairn-studio_%1_%2.deb").arg(QStringLiteral(CAIRN_VERSION), p.debArch.isEmpty() ? QStringLiteral("amd64") : p.debArch);
        advice += QStringLiteral(": the project's package %1 (`cpack -G DEB` in a build folder makes it)").arg(deb);
        if (p.canSudo || p.isRoot)
            advice += QStringLiteral("; `cairn hosts install-worker %1 --deb %2` copies it there and runs `%3apt-get install -y ./%2`")
                          .arg(shellQuote(p.host), deb, p.isRoot ? QString() : QStringLiteral("sudo -n "));
        else
            advice += QStringLiteral("; copy it there and run `sudo apt-get install ./%1` (your user cannot sudo there without a "
                                     "password, so Cairn cannot install it for you: ask the machine's administrator)").arg(deb);
    } else {
        advice += QStringLiteral(": build it from source (scripts/setup, then scripts/build) and put `cairn` on the PATH of "
                                 "non-interactive SSH sessions");
    }
    advice += QStringLiteral(", or set the host's cairn command to where it is installed");
    return advice;
}

} // namespace

bool isDebianLike(const HostProbe &p)
{
    const QStringList ids = p.osId.split(QLatin1Char(' '), Qt::SkipEmptyParts);
    return ids.contains(QLatin1String("debian")) || ids.contains(QLatin1String("ubuntu"));
}

QJsonObject workerHandshake()
{
    return QJsonObject{{QStringLiteral("program"), QStringLiteral("cairn")},
                       {QStringLiteral("version"), QStringLiteral(CAIRN_VERSION)},
                       {QStringLiteral("protocol"), kWorkerProtocol}};
}

QJsonObject GpuInfo::toJson() const
{
    return QJsonObject{{QStringLiteral("index"), index}, {QStringLiteral("name"), name},
                       {QStringLiteral("memoryTotalMiB"), memoryTotalMiB}, {QStringLiteral("memoryUsedMiB"), memoryUsedMiB},
                       {QStringLiteral("utilizationPercent"), utilizationPercent}, {QStringLiteral("temperatureC"), temperatureC}};
}

QList<GpuInfo> parseNvidiaSmi(const QString &csv, QStringList *errors)
{
    QList<GpuInfo> out;
    const QStringList lines = csv.split(QLatin1Char('\n'));
    for (int i = 0; i < lines.size(); ++i) {
        const QString line = lines.at(i).trimmed();
        if (line.isEmpty())
            continue;
        QStringList f = line.split(QLatin1Char(','));
        if (f.size() < 5) {
            if (errors)
                *errors << QStringLiteral("line %1: expected 5 fields, got '%2'").arg(i + 1).arg(line);
            continue;
        }
        // The name may hold commas; the four numbers are the last fields.
        GpuInfo g;
        g.temperatureC = number(f.takeLast());
        g.utilizationPercent = number(f.takeLast());
        g.memoryUsedMiB = number(f.takeLast());
        g.memoryTotalMiB = number(f.takeLast());
        g.name = f.join(QLatin1Char(',')).trimmed();
        g.index = int(out.size());
        out << g;
    }
    return out;
}

QList<int> freeGpus(const QList<GpuInfo> &gpus, const QSet<int> &taken, int wanted)
{
    QList<int> out;
    for (const GpuInfo &g : gpus) {
        if (taken.contains(g.index))
            continue;
        if (g.utilizationPercent >= 10)
            continue;
        if (g.memoryTotalMiB > 0 && g.memoryUsedMiB > 0.5 * g.memoryTotalMiB)
            continue;
        out << g.index;
        if (wanted > 0 && out.size() >= wanted)
            break;
    }
    return out;
}

QString cudaVisibleDevices(const QList<int> &indices)
{
    QStringList s;
    for (int i : indices)
        s << QString::number(i);
    return s.join(QLatin1Char(','));
}

QJsonObject HostProbe::toJson() const
{
    QJsonArray g;
    for (const GpuInfo &x : gpus)
        g.append(x.toJson());
    QJsonObject o{{QStringLiteral("host"), host}, {QStringLiteral("reachable"), reachable}};
    if (!reachable) {
        o.insert(QStringLiteral("error"), error);
        o.insert(QStringLiteral("reason"), errorReason);
        if (!fingerprint.isEmpty())
            o.insert(QStringLiteral("fingerprint"), fingerprint);
        return o;
    }
    o.insert(QStringLiteral("latencyMs"), latencyMs);
    o.insert(QStringLiteral("os"), os);
    o.insert(QStringLiteral("kernel"), kernel);
    o.insert(QStringLiteral("arch"), arch);
    o.insert(QStringLiteral("cpu"), cpuModel);
    o.insert(QStringLiteral("cores"), cores);
    o.insert(QStringLiteral("memoryTotalKiB"), memoryTotalKiB);
    o.insert(QStringLiteral("memoryAvailableKiB"), memoryAvailableKiB);
    o.insert(QStringLiteral("diskFreeKiB"), diskFreeKiB);
    o.insert(QStringLiteral("workDir"), workDir);
    o.insert(QStringLiteral("load1"), load1);
    o.insert(QStringLiteral("gpus"), g);
    if (!gpuError.isEmpty())
        o.insert(QStringLiteral("gpuError"), gpuError);
    o.insert(QStringLiteral("python3"), python3);
    o.insert(QStringLiteral("pythonVersion"), pythonVersion);
    o.insert(QStringLiteral("ipykernel"), ipykernel);
    o.insert(QStringLiteral("sudo"), canSudo);
    o.insert(QStringLiteral("root"), isRoot);
    o.insert(QStringLiteral("debian"), isDebianLike(*this));
    if (!debArch.isEmpty())
        o.insert(QStringLiteral("debArch"), debArch);
    o.insert(QStringLiteral("cairn"), cairnPath);
    o.insert(QStringLiteral("workerVersion"), workerVersion);
    o.insert(QStringLiteral("workerProtocol"), workerProtocol);
    o.insert(QStringLiteral("workerOk"), workerOk);
    if (!workerProblem.isEmpty())
        o.insert(QStringLiteral("workerProblem"), workerProblem);
    return o;
}

HostProbe parseProbeOutput(const QString &hostName, const QString &output)
{
    HostProbe p;
    p.host = hostName;
    p.reachable = true;
    QString gpuCsv;
    int gpuRc = 0;
    bool hasSmi = false;
    QString handshake;
    for (const QString &line : output.split(QLatin1Char('\n'))) {
        const qsizetype eq = line.indexOf(QLatin1Char('='));
        if (eq <= 0)
            continue;
        const QString key = line.left(eq);
        const QString value = line.mid(eq + 1).trimmed();
        if (key == QLatin1String("workdir")) p.workDir = value;
        else if (key == QLatin1String("os")) p.os = value;
        else if (key == QLatin1String("os_id")) p.osId = value;
        else if (key == QLatin1String("kernel")) p.kernel = value;
        else if (key == QLatin1String("arch")) p.arch = value;
        else if (key == QLatin1String("cpu")) p.cpuModel = value;
        else if (key == QLatin1String("cores")) p.cores = value.toInt();
        else if (key == QLatin1String("mem_total_kb")) p.memoryTotalKiB = value.toLongLong();
        else if (key == QLatin1String("mem_available_kb")) p.memoryAvailableKiB = value.toLongLong();
        else if (key == QLatin1String("disk_free_kb")) p.diskFreeKiB = value.toLongLong();
        else if (key == QLatin1String("load")) p.load1 = value.toDouble();
        else if (key == QLatin1String("gpu")) { hasSmi = true; gpuCsv += value + QLatin1Char('\n'); }
        else if (key == QLatin1String("gpu_rc")) { hasSmi = true; gpuRc = value.toInt(); }
        else if (key == QLatin1String("python3")) p.python3 = value;
        else if (key == QLatin1String("python_version")) p.pythonVersion = value;
        else if (key == QLatin1String("ipykernel")) p.ipykernel = value == QLatin1String("yes");
        else if (key == QLatin1String("sudo")) p.canSudo = value == QLatin1String("yes");
        else if (key == QLatin1String("uid")) p.isRoot = value == QLatin1String("0");
        else if (key == QLatin1String("deb_arch")) p.debArch = value;
        else if (key == QLatin1String("cairn")) p.cairnPath = value;
        else if (key == QLatin1String("handshake")) handshake = value;
    }
    if (hasSmi && gpuRc != 0) {
        // nvidia-smi without a working driver ("couldn't communicate with the NVIDIA driver").
        p.gpuError = gpuCsv.trimmed();
    } else if (hasSmi) {
        QStringList errors;
        p.gpus = parseNvidiaSmi(gpuCsv, &errors);
        if (!errors.isEmpty())
            p.gpuError = errors.join(QStringLiteral("; "));
    }
    if (p.cairnPath.isEmpty()) {
        p.workerProblem = QStringLiteral("no cairn worker on the host (the command was not found on the PATH of SSH sessions): %1").arg(installAdvice(p));
    } else {
        const QJsonObject hs = QJsonDocument::fromJson(handshake.toUtf8()).object();
        p.workerVersion = hs.value(QStringLiteral("version")).toString();
        p.workerProtocol = hs.value(QStringLiteral("protocol")).toInt();
        if (hs.isEmpty()) {
            p.workerProblem = QStringLiteral("%1 on the host did not answer the handshake (it is older than the worker protocol, or not "
                                             "Cairn's): %2; %3").arg(p.cairnPath, handshake.left(200), installAdvice(p));
        } else if (p.workerProtocol != kWorkerProtocol) {
            p.workerProblem = QStringLiteral("the host's cairn %1 (%2) speaks worker protocol %3, this one speaks %4: %5")
                                  .arg(p.workerVersion, p.cairnPath).arg(p.workerProtocol).arg(kWorkerProtocol).arg(installAdvice(p));
        } else {
            p.workerOk = true;
        }
    }
    return p;
}

HostProbe probeHost(const Host &host)
{
    HostProbe p;
    p.host = host.name;
    QElapsedTimer timer;
    timer.start();
    if (host.isLocal()) {
        QProcess sh;
        sh.start(QStringLiteral("sh"), {QStringLiteral("-c"), QString::fromLatin1(kProbeScript), QStringLiteral("sh"),
                                         QStandardPaths::writableLocation(QStandardPaths::TempLocation),
                                         QStringLiteral("true")});
        sh.waitForFinished(60000);
        p = parseProbeOutput(host.name, QString::fromUtf8(sh.readAllStandardOutput()));
        p.workDir.clear();
        p.cairnPath.clear();
        p.workerOk = true; // jobs here run this very build
        p.workerProblem.clear();
        p.workerVersion = QStringLiteral(CAIRN_VERSION);
        p.workerProtocol = kWorkerProtocol;
        p.latencyMs = timer.elapsed();
        return p;
    }
    try {
        const SshConnection ssh(host);
        const auto r = ssh.runScript(QString::fromLatin1(kProbeScript), {host.workDir, host.cairnCommand}, 60000);
        p = parseProbeOutput(host.name, QString::fromUtf8(r.out));
        p.latencyMs = timer.elapsed();
    } catch (const SshError &e) {
        p.reachable = false;
        p.error = e.message();
        p.errorReason = SshError::reasonName(e.reason());
        p.fingerprint = e.fingerprint();
    } catch (const Error &e) {
        p.reachable = false;
        p.error = e.message();
        p.errorReason = QStringLiteral("other");
    }
    return p;
}

} // namespace cairn::remote
