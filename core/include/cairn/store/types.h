#pragma once

#include <QDateTime>
#include <QList>
#include <QMetaType>
#include <QString>

#include <cmath>
#include <limits>
#include <optional>

namespace cairn {

/// Milliseconds since the Unix epoch, the unit of every time in the store.
inline qint64 nowMs() { return QDateTime::currentMSecsSinceEpoch(); }

enum class Lifecycle { Active, Deleted };
/// Which lifecycle states a listing includes.
enum class ViewType { ActiveOnly, DeletedOnly, All };

enum class RunStatus { Scheduled, Running, Finished, Failed, Killed };
QString runStatusName(RunStatus status);
/// Parses "FINISHED", "finished", …; nullopt for anything else.
std::optional<RunStatus> runStatusFromName(const QString &name);
bool isTerminal(RunStatus status);

struct Experiment
{
    qint64 id = -1;
    QString name;
    Lifecycle lifecycle = Lifecycle::Active;
    qint64 creationTime = 0;
    qint64 lastUpdateTime = 0;
    qint64 runCount = 0; ///< active runs
};

struct Run
{
    qint64 id = -1;      ///< row id, stable inside one workspace
    QString uuid;        ///< the id users see and type (32 hex digits)
    qint64 experimentId = 0;
    QString name;
    RunStatus status = RunStatus::Running;
    qint64 startTime = 0;
    qint64 endTime = 0;  ///< 0 while the run has not ended
    QString sourceType;  ///< LOCAL, NOTEBOOK, JOB, TUNING, …
    QString sourceRef;   ///< script path, notebook path, job id
    QString parentUuid;  ///< empty unless this is a child run (e.g. a tuning trial)
    QString host;
    Lifecycle lifecycle = Lifecycle::Active;

    qint64 durationMs(qint64 now = nowMs()) const
    {
        if (startTime <= 0)
            return 0;
        return (endTime > 0 ? endTime : now) - startTime;
    }
};

struct Param
{
    QString key;
    QString value;
};

struct Tag
{
    QString key;
    QString value;
};

struct MetricPoint
{
    QString key;
    double value = 0;
    qint64 step = 0;
    qint64 timestamp = 0;
};

/// One metric of one run without its history: what tables, filters and sorting use.
struct MetricSummary
{
    QString key;
    double last = std::numeric_limits<double>::quiet_NaN();
    qint64 lastStep = 0;
    qint64 lastTimestamp = 0;
    double min = std::numeric_limits<double>::quiet_NaN();
    double max = std::numeric_limits<double>::quiet_NaN();
    qint64 count = 0;
};

/// A metric's history as parallel arrays (what plots want).
struct MetricSeries
{
    QString key;
    QList<qint64> steps;
    QList<qint64> timestamps;
    QList<double> values;
};

struct ArtifactInfo
{
    QString path; ///< relative to the run's artifact folder, '/'-separated
    qint64 size = 0;
    bool isDir = false;
};

} // namespace cairn

Q_DECLARE_METATYPE(cairn::Run)
