#pragma once

#include "cairn/store/types.h"

#include <QFuture>
#include <QList>
#include <QString>

namespace cairn::panels {

/// One run's history of one metric.
struct RunHistory
{
    Run run;
    MetricSeries series;
};

/// Reads the histories of one metric for many runs in a worker thread (its own connection).
/// Errors leave a run's series empty.
QFuture<QList<RunHistory>> loadHistoriesAsync(const QString &databasePath, const QList<Run> &runs, const QString &key);

/// x for a point of a history: the step, seconds since the run started, or epoch seconds.
enum class XAxisKind { Step, RelativeSeconds, WallTime };
void historyToXY(const RunHistory &history, XAxisKind kind, QList<double> &x, QList<double> &y);

} // namespace cairn::panels
