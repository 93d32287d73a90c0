#include "cairn/remote/hostsampler.h"

#include "cairn/remote/sshconnection.h"

#include <QDateTime>
#include <QFile>
#include <QProcess>
#include <QStandardPaths>

#include <algorithm>

namespace cairn::remote {

namespace {

/// A fixed text with no inputs: what a few seconds' sample needs, nothing more.
const char *kSampleScript = R"SH(
head -n1 /proc/stat
grep -E '^(MemTotal|MemAvailable):' /proc/meminfo
echo "loadavg $(cat /proc/loadavg)"
if command -v nvidia-smi >/dev/null 2>&1; then
  nvidia-smi --query-gpu=name,memory.total,memory.used,utilization.gpu,temperature.gpu --format=csv,noheader,nounits 2>/dev/null | sed 's/^/gpu=/'
fi
)SH";

QByteArray readProc(const char *path)
{
    QFile f(QString::fromLatin1(path));
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

} // namespace

double HostSample::gpuPercent() const
{
    double sum = 0;
    int n = 0;
    for (const GpuInfo &g : gpus) {
        if (g.utilizationPercent >= 0) {
            sum += g.utilizationPercent;
            ++n;
        }
    }
    return n ? sum / n : -1;
}

int HostSample::gpusInUse(double threshold) const
{
    int n = 0;
    for (const GpuInfo &g : gpus)
        n += g.utilizationPercent > threshold ? 1 : 0;
    return n;
}

HostSample HostSampler::parse(const QString &output)
{
    HostSample s;
    QString gpuCsv;
    for (const QString &raw : output.split(QLatin1Char('\n'))) {
        const QString line = raw.trimmed();
        if (line.startsWith(QLatin1String("cpu "))) {
            const QStringList f = line.split(QLatin1Char(' '), Qt::SkipEmptyParts);
            // user nice system idle iowait irq softirq steal: idle time is idle + iowait.
            for (int i = 1; i < f.size() && i <= 8; ++i)
                s.cpuTotal += f.at(i).toULongLong();
            s.cpuIdle = f.value(4).toULongLong() + f.value(5).toULongLong();
        } else if (line.startsWith(QLatin1String("MemTotal:"))) {
            s.memoryTotalKiB = line.section(QLatin1Char(' '), 1, 1, QString::SectionSkipEmpty).toLongLong();
        } else if (line.startsWith(QLatin1String("MemAvailable:"))) {
            s.memoryAvailableKiB = line.section(QLatin1Char(' '), 1, 1, QString::SectionSkipEmpty).toLongLong();
        } else if (line.startsWith(QLatin1String("loadavg "))) {
            s.load1 = line.section(QLatin1Char(' '), 1, 1, QString::SectionSkipEmpty).toDouble();
        } else if (line.startsWith(QLatin1String("gpu="))) {
            gpuCsv += line.mid(4) + QLatin1Char('\n');
        }
    }
    s.gpus = parseNvidiaSmi(gpuCsv);
    s.ok = s.cpuTotal > 0 && s.memoryTotalKiB > 0;
    if (!s.ok)
        s.error = QStringLiteral("the host did not report its load (no /proc/stat or /proc/meminfo)");
    return s;
}

HostSample HostSampler::sample(const Host &host)
{
    HostSample s;
    QString text;
    if (host.isLocal() || (host.isSlurm() && !host.usesSsh())) { // a cluster run from here: this machine
        text = QString::fromLatin1(readProc("/proc/stat")).section(QLatin1Char('\n'), 0, 0) + QLatin1Char('\n') + QString::fromLatin1(readProc("/proc/meminfo"))
             + QStringLiteral("loadavg ") + QString::fromLatin1(readProc("/proc/loadavg"));
        const QString smi = QStandardPaths::findExecutable(QStringLiteral("nvidia-smi"));
        if (!smi.isEmpty()) {
            QProcess p;
            p.start(smi, {QStringLiteral("--query-gpu=name,memory.total,memory.used,utilization.gpu,temperature.gpu"),
                          QStringLiteral("--format=csv,noheader,nounits")});
            if (p.waitForFinished(10000) && p.exitCode() == 0)
                for (const QString &l : QString::fromUtf8(p.readAllStandardOutput()).split(QLatin1Char('\n'), Qt::SkipEmptyParts))
                    text += QStringLiteral("\ngpu=") + l;
        }
        s = parse(text);
    } else {
        try {
            const SshConnection ssh(host);
            const auto r = ssh.runScript(QString::fromLatin1(kSampleScript), {}, 20000);
            s = parse(QString::fromUtf8(r.out));
        } catch (const SshError &e) {
            s.ok = false;
            s.error = e.message();
            s.errorReason = SshError::reasonName(e.reason());
        } catch (const Error &e) {
            s.ok = false;
            s.error = e.message();
            s.errorReason = QStringLiteral("other");
        }
    }
    s.time = QDateTime::currentMSecsSinceEpoch();
    if (!s.ok)
        return s;
    QMutexLocker lock(&m_mutex);
    const auto prev = m_previous.value(host.name);
    if (prev.first > 0 && s.cpuTotal > prev.first) {
        const double total = double(s.cpuTotal - prev.first);
        const double idle = double(s.cpuIdle >= prev.second ? s.cpuIdle - prev.second : 0);
        s.cpuPercent = std::clamp(100.0 * (total - idle) / total, 0.0, 100.0);
    }
    m_previous.insert(host.name, qMakePair(s.cpuTotal, s.cpuIdle));
    return s;
}

} // namespace cairn::remote
