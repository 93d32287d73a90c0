#pragma once

#include <QString>

#include <vector>

namespace cairn {

struct JobSpec;

/// Summary statistics of one tensor at one step: what the debugger's collections record.
struct TensorStats
{
    QString name;
    QString collection;           ///< the debugger collection; empty: inferred from the name
    qint64 step = 0;
    qint64 count = 0;
    qint64 nanCount = 0;
    qint64 infCount = 0;
    qint64 zeroCount = 0;
    double min = 0, max = 0, mean = 0, std = 0;
    double l1 = 0, l2 = 0;        ///< norms of the finite values
    std::vector<double> edges;    ///< bins + 1 edges
    std::vector<qint64> counts;   ///< per bin

    /// Computes the statistics and a `bins`-bin histogram of finite values.
    static TensorStats of(const QString &name, qint64 step, const float *data, qint64 n, int bins = 64);
    static TensorStats of(const QString &name, qint64 step, const double *data, qint64 n, int bins = 64);
};

enum class LogLevel { Debug, Info, Warning, Error };

/// What a trainer sees of the job it runs: its spec, where to write, and the channels back to
/// the parent (metrics, logs, progress, artifacts, tensor statistics). In the worker each call
/// becomes one JSON Lines event on stdout. Trainers poll stopRequested() between steps and
/// return early (after saving what they have) when it turns true.
class JobContext
{
public:
    virtual ~JobContext() = default;

    virtual const JobSpec &spec() const = 0;
    /// The folder for the model and other artifacts (created by the context).
    virtual QString outputDir() const = 0;
    /// CPU threads the job may use (≥ 1): torch and XGBoost thread pools are sized to it.
    virtual int cpuCount() const = 0;
    virtual bool stopRequested() const = 0;

    virtual void logMetric(const QString &key, double value, qint64 step) = 0;
    virtual void logParam(const QString &key, const QString &value) = 0;
    virtual void setTag(const QString &key, const QString &value) = 0;
    virtual void log(const QString &message, LogLevel level = LogLevel::Info) = 0;
    /// fraction in [0, 1]; message says where training is ("epoch 2/10").
    virtual void progress(double fraction, const QString &message = {}) = 0;
    /// A file written under outputDir(), given relative to it.
    virtual void artifact(const QString &relativePath, const QString &kind = {}) = 0;
    virtual void tensorStats(const TensorStats &stats) = 0;
    /// Whether the debugger collection named so (e.g. "weights", "gradients") is on and due
    /// at this step; trainers skip computing statistics nobody asked for.
    virtual bool collects(const QString &collection, qint64 step) const = 0;
};

} // namespace cairn
