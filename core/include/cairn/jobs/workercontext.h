#pragma once

#include "cairn/algorithms/jobcontext.h"
#include "cairn/jobs/jobevent.h"
#include "cairn/jobs/jobspec.h"

#include <atomic>
#include <cstdio>
#include <mutex>

namespace cairn {

/// The JobContext of `cairn worker`: every call becomes one JSON Lines event written (and
/// flushed) to `events`. Thread-safe, so trainers may report from their own threads.
class WorkerContext : public JobContext
{
public:
    WorkerContext(JobSpec spec, std::FILE *events);

    const JobSpec &spec() const override { return m_spec; }
    QString outputDir() const override { return m_spec.outputDir; }
    /// Throws cairn::Error when the spec asks for more CPUs than this machine has.
    void checkResources() const;
    int cpuCount() const override;
    bool stopRequested() const override { return m_stop.load(); }

    void logMetric(const QString &key, double value, qint64 step) override;
    void logParam(const QString &key, const QString &value) override;
    void setTag(const QString &key, const QString &value) override;
    void log(const QString &message, LogLevel level = LogLevel::Info) override;
    void progress(double fraction, const QString &message = {}) override;
    void artifact(const QString &relativePath, const QString &kind = {}) override;
    void tensorStats(const TensorStats &stats) override;
    bool collects(const QString &collection, qint64 step) const override;

    void emitEvent(const JobEvent &event);
    void requestStop() { m_stop.store(true); }
    /// Handles one control line from stdin; returns false for a line it does not understand.
    bool handleControlLine(QByteArrayView line);

private:
    JobSpec m_spec;
    std::FILE *m_events;
    std::mutex m_mutex;
    std::atomic<bool> m_stop{false};
};

} // namespace cairn
