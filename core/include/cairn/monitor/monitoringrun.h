#pragma once

#include "cairn/monitor/checks.h"
#include "cairn/monitor/drift.h"
#include "cairn/monitor/quality.h"

#include <QDateTime>
#include <QJsonObject>
#include <QList>
#include <QMap>
#include <QString>
#include <QStringList>

#include <optional>

namespace cairn::monitor {

/// One monitoring run (what the Monitor panel's timeline lists). Its folder
/// <workspace>/monitoring/<endpoint>/runs/<id>/ holds:
///   run.json                     this summary (toJson())
///   statistics.json              the window's statistics (SageMaker shape)
///   constraint_violations.json   SageMaker shape
///   drift.json                   DriftReport::toJson() of the inputs (histograms included)
///   prediction_drift.json        DriftReport of the model's answers (when the baseline has outputs)
///   report.md, report.html       for people
/// `id` is the UTC start time "yyyyMMddTHHmmssZ" (sorts by time).
struct MonitoringRun
{
    QString id;
    QString endpoint;          ///< empty for `cairn monitor compare`
    QString directory;
    QString status;            ///< "Completed", "CompletedWithViolations" or "Failed"
    QString error;             ///< why it failed
    QDateTime started;         ///< UTC
    QDateTime finished;
    QDateTime windowStart;     ///< captured records read: [windowStart, windowEnd)
    QDateTime windowEnd;
    qint64 records = 0;        ///< captured invocations in the window
    qint64 rows = 0;           ///< data rows they carried
    qint64 malformedLines = 0; ///< capture lines skipped
    QList<Violation> violations;
    /// Per feature: its drift score (FeatureDrift::score()) and verdict, for sparklines
    /// over runs without loading each drift.json.
    QMap<QString, double> featureScores;
    QStringList driftedFeatures;
    QStringList driftedOutputs;   ///< prediction drift
    QualityMetrics quality;       ///< measured (ground truth) or estimated (CBPE); may be empty
    QualityMetrics estimatedQuality; ///< CBPE, also when labels exist (to compare)

    bool hasViolations() const { return !violations.isEmpty(); }
    QJsonObject toJson() const;
    static MonitoringRun fromJson(const QJsonObject &json);

    /// The full drift reports (read from the run folder; empty when absent).
    DriftReport drift() const;
    DriftReport predictionDrift() const;
    QString reportPath() const;       ///< report.html
};

/// What a monitoring run reads and compares.
struct MonitoringRunOptions
{
    QString workspacePath;
    QString endpoint;
    QString baselineDirectory;    ///< default <ws>/monitoring/<endpoint>/baseline
    QDateTime windowStart;        ///< default: windowEnd minus one hour
    QDateTime windowEnd;          ///< default: now
    QString groundTruth;          ///< optional labels file (loadGroundTruth())
    DriftOptions drift;
};

/// Runs one monitoring job over the captured window and writes its folder. A failure (no
/// baseline, no records) is recorded as a run with status "Failed" and returned, not thrown;
/// throws cairn::Error only when the run folder cannot be written.
MonitoringRun runMonitoring(const MonitoringRunOptions &options);

/// `cairn monitor compare`: the same report between two tables (no endpoint); writes
/// statistics/drift/violations/report files into `outputDirectory` when non-empty.
/// The reference gets a temporary baseline (statistics and suggested constraints).
MonitoringRun compareTables(const data::Table &reference, const data::Table &current, const QString &outputDirectory,
                            const DriftOptions &options = {});

/// The runs of one endpoint, oldest first (reads every runs/<id>/run.json; skips unreadable).
QList<MonitoringRun> listRuns(const QString &workspacePath, const QString &endpoint);
/// Endpoints with a monitoring folder (baseline, capture or runs), sorted.
QStringList monitoredEndpoints(const QString &workspacePath);

/// A monitoring schedule, stored in <workspace>/monitoring/<endpoint>/schedule.json.
/// Each firing runs over the window since the previous one (at most one period back).
struct MonitoringSchedule
{
    QString endpoint;
    QString frequency = QStringLiteral("hourly"); ///< "hourly" or "daily"
    QString baselineDirectory;    ///< empty: the endpoint's baseline
    QString groundTruth;          ///< optional
    bool enabled = true;
    QDateTime lastRun;            ///< UTC end of the last window monitored (invalid: never)

    qint64 periodSeconds() const; ///< 3600 or 86400
    /// When it fires next: lastRun + period, or now when it never ran.
    QDateTime nextRun(const QDateTime &now = QDateTime::currentDateTimeUtc()) const;
    bool isDue(const QDateTime &now = QDateTime::currentDateTimeUtc()) const;
    QJsonObject toJson() const;
    static MonitoringSchedule fromJson(const QJsonObject &json);

    static QString pathOf(const QString &workspacePath, const QString &endpoint);
    /// nullopt when the endpoint has no schedule; throws cairn::Error for a broken file.
    static std::optional<MonitoringSchedule> load(const QString &workspacePath, const QString &endpoint);
    void save(const QString &workspacePath) const;   ///< atomically; throws cairn::Error
    static void remove(const QString &workspacePath, const QString &endpoint);
    /// Every endpoint's schedule.
    static QList<MonitoringSchedule> list(const QString &workspacePath);
};

/// Runs every enabled schedule that is due at `now` (and records lastRun); what the studio
/// calls on a timer and `cairn monitor daemon` in its loop. Safe between processes: a schedule
/// is claimed with a lock file so the studio and a daemon never run it twice.
/// Call it off the GUI thread (it reads capture files and computes drift).
QList<MonitoringRun> runDueSchedules(const QString &workspacePath, const QDateTime &now = QDateTime::currentDateTimeUtc());

} // namespace cairn::monitor
