#pragma once

#include <QString>
#include <QStringList>

namespace cairn {

class WorkerContext;

/// Runs the ranks of a data-parallel job as processes of this machine and watches them: rank
/// 0's events become this worker's events (its final status held until every rank has ended);
/// the other ranks write rank-<k>.jsonl and rank-<k>.log in the job's folder. When one rank dies
/// or fails, the others are given a few seconds to end and are then killed, and the job fails
/// with the rank that caused it named. A stop request goes to every rank; the ranks agree on
/// the step to stop after.
class DistributedLauncher
{
public:
    struct Options
    {
        QString program;          ///< the `cairn` executable
        QStringList arguments;    ///< each rank's arguments ("worker", "--spec", FILE)
        QString jobDir;           ///< where the per-rank logs go
        int worldSize = 2;
        int threadsPerRank = 1;
        int graceMs = 5000;       ///< after a failure, before the other ranks are killed
    };

    DistributedLauncher(Options options, WorkerContext &context);
    /// Runs the ranks to their end; returns the worker's exit code (0: every rank finished).
    /// Emits the job's final status event.
    int run();

    /// "rank-<k>.jsonl" / "rank-<k>.log" in `jobDir`: a rank's events and its output.
    static QString rankEventsPath(const QString &jobDir, int rank);
    static QString rankLogPath(const QString &jobDir, int rank);

private:
    Options m_options;
    WorkerContext &m_context;
};

} // namespace cairn
