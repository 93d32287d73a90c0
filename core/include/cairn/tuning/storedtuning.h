#pragma once

#include "cairn/store/types.h"
#include "cairn/tuning/tuningjob.h"

#include <QList>
#include <QString>

namespace cairn {
class Workspace;
}

namespace cairn::tuning {

/// A tuning run as the workspace holds it, whoever made it (`cairn tune`, the Tuning panel,
/// another studio) and whether it is still going: its spec (artifacts/<run>/tuning.json) and one
/// Trial per child run (tag tuning.trial), with the state, tuned parameters and objective the
/// store has for it. This is what the Tuning panel shows of work it did not start.
struct StoredTuning
{
    QString runUuid;
    QString name;
    RunStatus status = RunStatus::Running;
    TuningSpec spec;
    QList<Trial> trials;   ///< by index
    int bestIndex = 0;     ///< 1-based; 0 when no trial has a usable objective

    const Trial *best() const { return bestIndex > 0 && bestIndex <= trials.size() ? &trials.at(bestIndex - 1) : nullptr; }
    bool isFinished() const { return isTerminal(status); }

    /// Throws cairn::Error when the run is not a tuning run or its spec cannot be read.
    static StoredTuning load(Workspace &workspace, const QString &runUuid);
    /// The workspace's tuning runs, newest first.
    static QList<Run> list(Workspace &workspace);
};

} // namespace cairn::tuning
