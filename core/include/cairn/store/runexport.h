#pragma once

#include "cairn/store/comparisonrow.h"
#include "cairn/store/types.h"

#include <QJsonObject>
#include <QStringList>

namespace cairn {

class ExperimentStore;

/// A metric value as text: shortest round-trip form, "NaN", "Infinity", "-Infinity".
QString formatMetricValue(double value);
/// A metric value for JSON, which has no NaN or infinities: those become the strings above.
QJsonValue metricValueToJson(double value);
/// Milliseconds since the epoch as local ISO 8601 ("" for 0).
QString formatTime(qint64 ms);
QString formatDuration(qint64 ms);

/// A run as JSON (run_id, name, status, times, source, params, tags, metrics with last/min/max,
/// and with withHistory every metric's points).
QJsonObject runToJson(ExperimentStore &store, const Run &run, bool withHistory);

/// Runs as rows of text under chosen columns: attributes (run_id, name, status, start_time,
/// end_time, duration, source_type, source_ref, host, parent_run_id, experiment_id) and
/// params.KEY, metrics.KEY, tags.KEY.
struct RunTable
{
    QStringList columns;
    QList<QStringList> rows;

    /// RFC 4180 CSV with a header row.
    QString toCsv() const;
    /// Aligned columns for a terminal.
    QString toText() const;
};
RunTable buildRunTable(ExperimentStore &store, const QList<Run> &runs, const QStringList &columns);
/// The attribute columns, then every param, metric and tag key that the runs use.
QStringList defaultRunColumns(ExperimentStore &store, const QList<Run> &runs, bool withKeys);

/// Two or more runs side by side: one row per attribute, param, metric and tag, and whether
/// the runs differ on it.
struct RunComparison
{
    QList<Run> runs;
    using Row = ComparisonRow; ///< sections "attributes", "params", "metrics", "tags"; one value per run
    QList<Row> rows;

    QJsonObject toJson() const;
    QString toText(bool onlyDifferences = false) const;
};
RunComparison compareRuns(ExperimentStore &store, const QList<Run> &runs);

} // namespace cairn
