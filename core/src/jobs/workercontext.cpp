#include "cairn/jobs/workercontext.h"

#include "cairn/store/types.h"
#include "cairn/util/error.h"

#include <QDir>
#include <QJsonArray>
#include <QJsonDocument>
#include <QThread>

namespace cairn {

WorkerContext::WorkerContext(JobSpec spec, std::FILE *events) : m_spec(std::move(spec)), m_events(events)
{
    if (!m_spec.outputDir.isEmpty())
        QDir().mkpath(m_spec.outputDir);
}

int WorkerContext::cpuCount() const
{
    return m_spec.resources.cpus > 0 ? m_spec.resources.cpus : std::max(1, QThread::idealThreadCount());
}

void WorkerContext::checkResources() const
{
    // More threads than the machine has only slows training down, and a huge count makes the
    // libraries' thread pools fail (a worker died with SIGSEGV at --cpus 40000).
    const int cores = std::max(1, QThread::idealThreadCount());
    if (m_spec.resources.cpus > cores)
        throw Error(QStringLiteral("the job asks for %1 CPUs, but this machine has %2 (set --cpus or resources.cpus to at most %2, "
                                   "or 0 for all)")
                        .arg(m_spec.resources.cpus)
                        .arg(cores));
}

void WorkerContext::emitEvent(const JobEvent &event)
{
    const QByteArray line = event.toLine();
    std::lock_guard<std::mutex> lock(m_mutex);
    const size_t written = std::fwrite(line.constData(), 1, size_t(line.size()), m_events);
    // Nobody reads the events any more (the supervisor is gone): training on would be lost work
    // holding the CPU, so wind down as if asked to stop.
    if (std::fflush(m_events) != 0 || written != size_t(line.size()))
        m_stop.store(true);
}

void WorkerContext::logMetric(const QString &key, double value, qint64 step)
{
    emitEvent(JobEvent::metric(key, value, step));
}

void WorkerContext::logParam(const QString &key, const QString &value)
{
    JobEvent e;
    e.type = JobEvent::Type::Param;
    e.timestamp = nowMs();
    e.data = QJsonObject{{QStringLiteral("key"), key}, {QStringLiteral("value"), value}};
    emitEvent(e);
}

void WorkerContext::setTag(const QString &key, const QString &value)
{
    JobEvent e;
    e.type = JobEvent::Type::Tag;
    e.timestamp = nowMs();
    e.data = QJsonObject{{QStringLiteral("key"), key}, {QStringLiteral("value"), value}};
    emitEvent(e);
}

void WorkerContext::log(const QString &message, LogLevel level)
{
    static const char *names[] = {"debug", "info", "warning", "error"};
    emitEvent(JobEvent::log(QLatin1String(names[int(level)]), message));
}

void WorkerContext::progress(double fraction, const QString &message)
{
    emitEvent(JobEvent::progress(std::clamp(fraction, 0.0, 1.0), message));
}

void WorkerContext::artifact(const QString &relativePath, const QString &kind)
{
    JobEvent e;
    e.type = JobEvent::Type::Artifact;
    e.timestamp = nowMs();
    e.data = QJsonObject{{QStringLiteral("path"), relativePath}, {QStringLiteral("kind"), kind}};
    emitEvent(e);
}

void WorkerContext::tensorStats(const TensorStats &s)
{
    JobEvent e;
    e.type = JobEvent::Type::Histogram;
    e.timestamp = nowMs();
    QJsonArray edges, counts;
    for (double v : s.edges)
        edges.append(v);
    for (qint64 c : s.counts)
        counts.append(double(c));
    e.data = QJsonObject{{QStringLiteral("name"), s.name}, {QStringLiteral("step"), double(s.step)},
                         {QStringLiteral("count"), double(s.count)}, {QStringLiteral("nan"), double(s.nanCount)},
                         {QStringLiteral("inf"), double(s.infCount)}, {QStringLiteral("min"), jsonNumber(s.min)},
                         {QStringLiteral("max"), jsonNumber(s.max)}, {QStringLiteral("mean"), jsonNumber(s.mean)},
                         {QStringLiteral("std"), jsonNumber(s.std)}, {QStringLiteral("edges"), edges},
                         {QStringLiteral("counts"), counts}, {QStringLiteral("zeros"), double(s.zeroCount)},
                         {QStringLiteral("l1"), jsonNumber(s.l1)}, {QStringLiteral("l2"), jsonNumber(s.l2)}};
    if (!s.collection.isEmpty())
        e.data.insert(QStringLiteral("collection"), s.collection);
    emitEvent(e);
}

bool WorkerContext::collects(const QString &collection, qint64 step) const
{
    return m_spec.debugger.collections.contains(collection) && step % std::max(1, m_spec.debugger.interval) == 0;
}

bool WorkerContext::handleControlLine(QByteArrayView line)
{
    const QJsonDocument doc = QJsonDocument::fromJson(line.toByteArray().trimmed());
    if (!doc.isObject())
        return false;
    if (doc.object().value(QStringLiteral("type")).toString() == QLatin1String("stop")) {
        requestStop();
        return true;
    }
    return false;
}

} // namespace cairn
