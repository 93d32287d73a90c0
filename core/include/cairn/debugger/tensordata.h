#pragma once

#include <QByteArray>
#include <QJsonObject>
#include <QList>
#include <QString>
#include <QStringList>

#include <limits>
#include <vector>

namespace cairn {
struct TensorStats;
}

namespace cairn::debugger {

/// SageMaker Debugger's built-in collection names, as Cairn records them.
namespace collections {
inline const QString weights = QStringLiteral("weights");
inline const QString biases = QStringLiteral("biases");
inline const QString gradients = QStringLiteral("gradients");
inline const QString activations = QStringLiteral("activations");
inline const QString losses = QStringLiteral("losses");
inline const QString updateRatios = QStringLiteral("update_ratios");
inline const QString labels = QStringLiteral("labels");
inline const QString featureImportance = QStringLiteral("feature_importance");
inline const QString treeDepth = QStringLiteral("tree_depth");
/// Every built-in name, in the order the GUI lists them.
QStringList all();
} // namespace collections

/// The collection a tensor belongs to when its producer did not say: "fc1.weight.grad" →
/// gradients, "fc1.bias" → biases, "fc1.weight" → weights, "relu1.output" → activations,
/// "loss" → losses, "fc1.weight.update_ratio" → update_ratios.
QString inferCollection(const QString &tensorName);

/// Statistics and histogram of one tensor at one step. Statistics are over finite values;
/// NaN when the tensor had none.
struct TensorSample
{
    static constexpr double nan = std::numeric_limits<double>::quiet_NaN();

    qint64 step = 0;
    qint64 timestamp = 0;
    qint64 count = 0;      ///< elements, finite or not
    qint64 nanCount = 0;
    qint64 infCount = 0;
    qint64 zeroCount = 0;
    double min = nan, max = nan, mean = nan, std = nan;
    double l1 = nan;       ///< sum of absolute values
    double l2 = nan;       ///< Euclidean norm
    std::vector<double> edges;  ///< bins + 1 ascending edges (empty: no histogram)
    std::vector<double> counts; ///< per bin

    int bins() const { return int(counts.size()); }
    double zeroFraction() const { return count > 0 ? double(zeroCount) / double(count) : nan; }
    double variance() const { return std * std; }
    /// Mean absolute value (L1 over the finite count).
    double meanAbs() const;
    /// Elements with a value below x, estimated from the histogram (linear inside a bin).
    double countBelow(double x) const;
    /// Elements with a value above x, estimated from the histogram.
    double countAbove(double x) const;

    /// The compact blob of the schema (see 0002_debugger.sql); empty for no histogram.
    QByteArray encodeHistogram() const;
    /// Reads a blob written by encodeHistogram() or the Python client; false if malformed
    /// (edges and counts are left empty).
    bool decodeHistogram(const QByteArray &blob);

    /// From a "histogram" job event; *name and *collection receive the tensor's.
    static TensorSample fromEvent(const QJsonObject &event, QString *name, QString *collection);
    static TensorSample fromStats(const TensorStats &stats);
    /// Computes the statistics and a `bins`-bin histogram of `data` (for tests and tools).
    static TensorSample of(const double *data, qint64 n, qint64 step, int bins = 64);
};

/// A tensor of a run and the extent of its samples.
struct TensorInfo
{
    qint64 id = -1;
    qint64 runId = -1;
    QString name;
    QString collection;
    qint64 firstStep = -1; ///< -1: no sample yet
    qint64 lastStep = -1;
};

/// One tensor across steps, ascending by step.
struct TensorSeries
{
    TensorInfo info;
    std::vector<TensorSample> samples;
};

} // namespace cairn::debugger
