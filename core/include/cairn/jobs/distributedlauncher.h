#pragma once

#include "cairn/remote/host.h"

#include <QList>
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
///
/// With `hosts`, instance k runs on hosts[k]: `processesPerHost` ranks each, as processes here
/// for the local host and through an SshRunner each (its own spec, with its place in it, in
/// <jobDir>/ranks/rank-<k>) for an SSH host. Rank 0's host serves the rendezvous store at its
/// address (see rendezvousAddress); the SSH ranks' events and stderr come back into
/// rank-<k>.jsonl and rank-<k>.log, and rank 0's output (model, artifacts) into the job's.
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
        QList<remote::Host> hosts; ///< empty: every rank on this machine
        int processesPerHost = 1;
        QString specPath;         ///< the job's spec: SSH ranks get a copy with their place
    };

    /// Where the other ranks reach rank 0's store: CAIRN_MASTER_ADDR when set; for this machine,
    /// 127.0.0.1 when every other host is on loopback, else this machine's first non-loopback
    /// IPv4 address; for an SSH host, its address as given (resolved here when it is a name).
    static QString rendezvousAddress(const remote::Host &rank0Host, const QList<remote::Host> &all);

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
