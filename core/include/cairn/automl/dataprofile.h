#pragma once

#include "cairn/algorithms/task.h"
#include "cairn/data/table.h"

#include <QJsonObject>
#include <QList>
#include <QString>
#include <QStringList>

#include <optional>

namespace cairn::automl {

/// What the data analysis found about one column of an AutoML training table.
struct ColumnProfile
{
    QString name;
    data::ColumnType type = data::ColumnType::Numeric;
    qsizetype missing = 0;
    qsizetype distinct = 0;   ///< distinct non-missing values
    /// "" (a feature), "target", "constant", "id" (ID-like) or "leak" (predicts the target alone).
    QString flag;
    QString reason;           ///< why the column is flagged, in words a user can read
    bool dropped = false;     ///< never used as a feature (constant, ID-like and leaking columns)
    /// Numeric: min, max, mean, std, integer. Datetime: min, max (ISO text).
    /// Categorical, boolean, text: top (up to 5 {value, count}, most frequent first);
    /// text also meanLength and meanWords.
    QJsonObject summary;

    QJsonObject toJson() const;
    static ColumnProfile fromJson(const QJsonObject &object);
};

/// The data analysis of an AutoML run: column types, missing values, cardinality, the target's
/// distribution and the columns that are dropped (constant, ID-like, leaking) with their reasons.
struct DataProfile
{
    qsizetype rows = 0;
    QString target;
    Task task = Task::Regression;
    QList<ColumnProfile> columns;   ///< in the table's order, the target included
    /// Classification: {kind: "classes", classes: [{value, count}], missing}.
    /// Regression: {kind: "numeric", min, max, mean, std, missing,
    ///              quantiles: {"0.05", "0.25", "0.5", "0.75", "0.95"}, histogram: {edges, counts}}.
    QJsonObject targetDistribution;

    QStringList droppedColumns() const;
    /// The columns that stay as features (neither dropped nor the target).
    QStringList featureColumns() const;
    /// nullptr when no column has that name.
    const ColumnProfile *column(const QString &name) const;
    QJsonObject toJson() const;
    static DataProfile fromJson(const QJsonObject &object);
};

/// Profiles `table` for predicting `target`. The problem type is inferred with inferTask()
/// unless `problemType` says otherwise; throws cairn::Error when the target does not exist or
/// the problem type cannot work (regression on a categorical or text target, classification
/// with fewer than two classes, binary with more than two).
DataProfile profileTable(const data::Table &table, const QString &target,
                         std::optional<Task> problemType = {});

/// The objective AutoML optimises unless told otherwise: f1 (binary), accuracy (multiclass),
/// mse (regression).
QString defaultMetric(Task task);
/// The metrics AutoML reports (and accepts as objective) for a task, the default first.
QStringList metricsFor(Task task);
/// false for losses and errors (log_loss, mse, rmse, mae), true otherwise.
bool metricMaximized(const QString &metric);

} // namespace cairn::automl
