#pragma once

// A JobContext that keeps everything in memory, so plugin tests run trainers in-process.
#include "cairn/algorithms/jobcontext.h"
#include "cairn/jobs/jobspec.h"

#include <QDir>
#include <QHash>
#include <QMap>
#include <QStringList>
#include <QThread>

#include <atomic>

namespace cairn::test {

class RecordingContext : public JobContext
{
public:
    explicit RecordingContext(JobSpec spec) : m_spec(std::move(spec)) { QDir().mkpath(m_spec.outputDir); }

    const JobSpec &spec() const override { return m_spec; }
    QString outputDir() const override { return m_spec.outputDir; }
    int cpuCount() const override { return m_spec.resources.cpus > 0 ? m_spec.resources.cpus : QThread::idealThreadCount(); }
    bool stopRequested() const override { return m_stopAfterMetrics > 0 && metricCount >= m_stopAfterMetrics; }

    void logMetric(const QString &key, double value, qint64 step) override
    {
        last[key] = value;
        steps[key] << step;
        values[key] << value;
        ++metricCount;
    }
    void logParam(const QString &key, const QString &value) override { params[key] = value; }
    void setTag(const QString &key, const QString &value) override { tags[key] = value; }
    void log(const QString &message, LogLevel) override { logs << message; }
    void progress(double fraction, const QString &) override { lastProgress = fraction; }
    void artifact(const QString &path, const QString &kind) override { artifacts.insert(path, kind); }
    void tensorStats(const TensorStats &s) override { tensors << s.name; }
    bool collects(const QString &collection, qint64 step) const override
    {
        return m_spec.debugger.collections.contains(collection) && step % m_spec.debugger.interval == 0;
    }

    /// stopRequested() turns true once this many metrics were logged (0: never).
    void stopAfterMetrics(int n) { m_stopAfterMetrics = n; }

    QMap<QString, double> last;
    QHash<QString, QList<qint64>> steps;
    QHash<QString, QList<double>> values; ///< every value of each metric, in logging order
    QHash<QString, QString> params;
    QHash<QString, QString> tags;
    QStringList logs;
    QHash<QString, QString> artifacts;
    QStringList tensors;
    double lastProgress = 0;
    int metricCount = 0;

private:
    JobSpec m_spec;
    int m_stopAfterMetrics = 0;
};

inline JobSpec tabularSpec(const QString &algorithm, const QString &csv, const QString &target, const QString &outputDir,
                           const QJsonObject &hp = {})
{
    JobSpec s;
    s.id = QStringLiteral("test-job");
    s.algorithm = algorithm;
    s.hyperparameters = hp;
    data::ChannelSpec train;
    train.path = csv;
    s.channels.insert(QStringLiteral("train"), train);
    s.target = target;
    s.outputDir = outputDir;
    s.resources.cpus = 2;
    return s;
}

} // namespace cairn::test
