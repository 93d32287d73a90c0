#pragma once

#include "cairn/automl/automljob.h"
#include "cairn/automl/dataprofile.h"

#include <QList>
#include <QString>
#include <QStringList>

namespace cairn::automl {

/// Writes the two notebooks of an AutoML run into `runArtifactDir`/notebooks/:
/// data_exploration.ipynb (the data analysis: types, missing values, cardinality, the target's
/// distribution with a plot, the dropped columns and why) and candidate_definitions.ipynb (per
/// leaderboard candidate its algorithm, hyperparameters and objective, and a cell that trains it
/// again with `cairn train`; a last cell scores the models with `cairn predict`). Both run with
/// the python3 kernel (pandas, matplotlib) and find the CLI on PATH or in $CAIRN_CLI. The
/// workspace is the folder holding `runArtifactDir` (<workspace>/artifacts/<run>). Returns the
/// paths written; throws cairn::Error when a file cannot be written.
QStringList writeAutoMLNotebooks(const QString &runArtifactDir, const AutoMLSpec &spec, const DataProfile &profile,
                                 const QList<Candidate> &leaderboard, const QString &runUuid);

/// The feature pipeline settings of an AutoML candidate (JobSpec::preprocessing): the profile's
/// dropped columns excluded, categorical encoding by cardinality, datetime parts, text features,
/// and median imputation when `impute` (for models that cannot take missing values).
QJsonObject candidatePreprocessing(const DataProfile &profile, bool impute);

} // namespace cairn::automl
