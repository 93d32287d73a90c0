#pragma once

#include "cairn/data/channel.h"

#include <QJsonArray>
#include <QJsonObject>
#include <QMap>
#include <QString>
#include <QStringList>

#include <algorithm>

namespace cairn {

/// A training job, as written to <workspace>/jobs/<job>/spec.json and read by `cairn worker`.
/// The same spec runs locally, over SSH or under Slurm: nothing in it is specific to a runner
/// except `resources.host`.
///
/// {"version": 1, "id": "...", "algorithm": "xgboost", "hyperparameters": {...},
///  "channels": {"train": {"type": "csv", "path": "..."}, "validation": {...}},
///  "target": "survived", "task": "binary", "validationFraction": 0.2, "seed": 42,
///  "outputDir": "...", "resources": {"cpus": 2, "host": "local"},
///  "debugger": {"collections": ["weights"], "interval": 100, "rules": []},
///  "stopping": {"maxRuntimeSeconds": 0},
///  "preprocessing": {"categoricalEncoding": "auto", "impute": true},
///  "experiment": "Default", "runName": "", "runUuid": ""}
struct JobSpec
{
    static constexpr int kVersion = 1;

    int version = kVersion;
    QString id;
    QString algorithm;
    QJsonObject hyperparameters;
    QMap<QString, data::ChannelSpec> channels; ///< "train", "validation", "test"
    QString target;            ///< the label column (tabular)
    QString task;              ///< empty: inferred from the target
    double validationFraction = 0.2; ///< used when there is no validation channel
    quint64 seed = 42;
    QString outputDir;         ///< where the worker writes the model and artifacts
    struct Resources
    {
        int cpus = 0;          ///< 0: all of the machine's
        QString host = QStringLiteral("local");
        /// Data-parallel training (torch algorithms): machines (SSH hosts, Slurm nodes; on this
        /// machine, processes) and ranks on each. The job has instances × processesPerInstance ranks.
        int instances = 1;
        int processesPerInstance = 1;
        int worldSize() const { return std::max(1, instances) * std::max(1, processesPerInstance); }
        /// Data-parallel training over several hosts (names from `cairn hosts list`): instance k
        /// runs on hosts[k], started from this machine (`host` is then `local`). Empty: all the
        /// ranks run on `host`.
        QStringList hosts;
        // For a Slurm cluster (ignored elsewhere): written as #SBATCH lines.
        QString partition;     ///< empty: the cluster's default partition
        QString timeLimit;     ///< Slurm's forms ("2:00:00", "30", "1-0"); empty: the partition's
        int gpusPerInstance = 0;
        int memoryMb = 0;      ///< per node; 0: the partition's default
    } resources;
    struct Debugger
    {
        QStringList collections; ///< e.g. "weights", "gradients", "losses"
        int interval = 100;      ///< steps between collections
        QJsonArray rules;
    } debugger;
    struct Stopping
    {
        qint64 maxRuntimeSeconds = 0; ///< 0: no limit; the job manager stops the job after it
    } stopping;
    /// Feature pipeline settings for tabular algorithms, refining the algorithm's own (see
    /// docs/training.md): "exclude", "categoricalEncoding", "oneHotMaxCardinality",
    /// "datetimeParts", "textFeatures", "impute", "scale". Empty: the algorithm's defaults.
    QJsonObject preprocessing;
    QString experiment;
    QString runName;
    QString runUuid;
    QString parentRunUuid;     ///< makes the job's run a child (a tuning trial)
    /// One rank's place in a distributed job started over SSH (see DistributedPlace::toJson),
    /// written by the launcher into that rank's own spec; empty in every other spec.
    QJsonObject distributed;

    bool hasChannel(const QString &name) const { return channels.contains(name); }
    QJsonObject toJson() const;
    /// Throws cairn::Error naming `where` for a missing field or a version this build cannot run.
    static JobSpec fromJson(const QJsonObject &json, const QString &where = QStringLiteral("job spec"));
    static JobSpec load(const QString &path);
    void save(const QString &path) const;
};

} // namespace cairn
