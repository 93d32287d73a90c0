#pragma once

// The options that describe a training job (algorithm, data, target, hyperparameters, …),
// shared by `cairn train` and `cairn tune`.
#include "clicontext.h"

#include "cairn/algorithms/pluginmanager.h"
#include "cairn/jobs/jobspec.h"

namespace cairn::cli {

/// `distributedHosts`: whether --hosts means one instance per host (cairn train); cairn tune has
/// its own --hosts (trials spread over hosts) and passes false to both functions.
void addJobSpecOptions(QCommandLineParser &parser, bool distributedHosts = true);
/// Builds and checks the spec (hyperparameters resolved against the schema, defaults filled in);
/// `command` names the command in messages ("cairn train"). Throws UsageError for a mistake.
JobSpec jobSpecFromOptions(const QCommandLineParser &parser, PluginManager &plugins, const QString &command, bool distributedHosts = true);
/// Checks the spec against the algorithm and its data before any job or run exists (see
/// checkJobSpec): UsageError for a setting, InputError when only the data is at fault.
void checkSpec(const JobSpec &spec, const AlgorithmInfo &info);
/// A whole number option ≥ min, or a UsageError naming it.
int intOption(const QCommandLineParser &parser, const QString &name, int min);
/// The number given to --NAME: at least `low` (Bound::Inclusive) or above it (Bound::Exclusive);
/// anything else is a usage error that names the option and what it was given.
enum class Bound { Inclusive, Exclusive };
double numberOption(const QCommandLineParser &parser, const QString &name, double low, Bound bound = Bound::Inclusive);
/// The hosts given to --hosts LIST (cairn tune and cairn automl: work spread over them), checked
/// against the known hosts before any run exists; empty when --hosts is not given. A usage error
/// with --host as well.
QStringList spreadHostsOption(const QCommandLineParser &parser);

} // namespace cairn::cli
