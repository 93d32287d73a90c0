#pragma once

#include <QCoreApplication>
#include <QHash>
#include <QList>
#include <QString>
#include <QStringList>

namespace cairn::gui {

/// What the metrics of a run are, for the charts and tables that show them: what a metric's steps
/// count (batches, epochs, boosting rounds…), which metrics share a chart, which curves to show
/// first and which columns rank runs. Knows the algorithms of the bundled plugins; metrics of
/// anything else (the Python client, a notebook) fall back to plain steps.
class MetricCatalog
{
    Q_DECLARE_TR_FUNCTIONS(cairn::gui::MetricCatalog)
public:
    /// What one step of a metric's series is.
    enum class Unit { Step, Epoch, Round, Iteration, Candidate, Trial };

    /// The unit of `key` as logged by `algorithm` (an algorithm id such as "cnn"; may be empty).
    static Unit unitOf(const QString &algorithm, const QString &key);
    /// "per step", "per epoch", … (a label next to a curve's name).
    static QString unitText(Unit unit);
    /// "step", "epoch", … (the x axis).
    static QString axisText(Unit unit);
    /// The quantity a metric measures, without its data split: "validation.loss",
    /// "train.epoch_loss" and "train.loss" all measure "loss".
    static QString quantityOf(const QString &key);
    /// Metrics that are one value per run by nature (feature importance, an objective, a time):
    /// never a curve, never a default.
    static bool isSingleValue(const QString &key);

    /// Metrics drawn on one chart: the same quantity in the same unit (the per-epoch training
    /// and validation losses together; the per-step training loss on its own).
    struct Group
    {
        QString quantity;
        Unit unit = Unit::Step;
        QStringList keys;
        qint64 points = 0; ///< the most points any of its metrics has
        /// "loss · per epoch"
        QString title() const;
    };
    /// The groups of a run's metrics (`points`: metric → number of logged points), the one to
    /// show first at the front: a group with a series to draw, the quantity the algorithm
    /// optimises (the loss before accuracy), per epoch or round before per batch.
    static QList<Group> groups(const QString &algorithm, const QHash<QString, qint64> &points);
    /// The metrics to plot first for a run: the keys of the first group (empty when none).
    static QStringList defaultCurves(const QString &algorithm, const QHash<QString, qint64> &points);
    /// The one metric to compare runs by on a curve chart: a validation metric of the first group.
    static QString defaultCompareMetric(const QString &algorithm, const QHash<QString, qint64> &points);
    /// Metric keys in the order a runs table shows them: the objective and the validation
    /// metrics that rank runs first, then test, then training metrics; single values such as
    /// feature importance last.
    static QStringList rankForTable(const QStringList &keys);
};

} // namespace cairn::gui
