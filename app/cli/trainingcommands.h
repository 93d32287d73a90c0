#pragma once

// Commands of the training side of the CLI: worker, algorithms, train, predict, jobs.
#include "clicontext.h"

#include <QList>
#include <QStringList>

namespace cairn::debugger {
struct RuleResult;
}

namespace cairn::cli {

int runWorkerCommand(Context &context, const QString &verb);
int runAlgorithmsCommand(Context &context, const QString &verb);
int runTrainCommand(Context &context, const QString &verb);
int runPredictCommand(Context &context, const QString &verb);
int runJobsCommand(Context &context, const QString &verb);
int runTuneCommand(Context &context, const QString &verb);

/// Prints rows as aligned columns (the first row is the header).
void printAligned(QTextStream &out, const QList<QStringList> &rows);
/// The verdict of each debugger rule: RULE, STATUS, STEP, EXPLANATION.
void printRuleResults(QTextStream &out, const QList<debugger::RuleResult> &results);
/// "1m 05s", "2h 03m", "850 ms".
QString formatDuration(qint64 ms);

} // namespace cairn::cli
