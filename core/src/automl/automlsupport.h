#pragma once

// Internals of the AutoML engine shared by its source files: the prepared data, the search
// spaces of the candidate algorithms, and the scoring of out-of-fold predictions.
#include "cairn/algorithms/ensemble.h"
#include "cairn/algorithms/parameterschema.h"
#include "cairn/algorithms/task.h"
#include "cairn/automl/automljob.h"
#include "cairn/automl/dataprofile.h"
#include "cairn/data/table.h"
#include "cairn/tuning/searchspace.h"

#include <QJsonObject>
#include <QMap>
#include <QString>
#include <QStringList>

#include <functional>
#include <limits>
#include <optional>
#include <vector>

namespace cairn::automl::detail {

/// Rows up to which AutoML validates with k folds; above, one hold-out split.
constexpr qsizetype kMaxRowsForKFold = 20000;
/// Rows up to which AutoML tries k-nearest neighbours without being asked.
constexpr qsizetype kMaxRowsForNeighbours = 5000;
/// Training rows of a fold from which an algorithm's cost is measured on a subsample first.
constexpr qsizetype kProbeMinRows = 2000;

/// The training table after profiling, ready for candidates: rows with a known target, the
/// kept columns, the truth, and each row's validation fold.
struct PreparedData
{
    QString error;                   ///< set when preparation failed
    DataProfile profile;
    Task task = Task::Regression;
    QString metric;
    bool maximize = false;
    data::Table table;               ///< rows with a target; dropped columns removed
    qsizetype sourceRows = 0;        ///< rows in the file, with or without a target
    QStringList classes;             ///< classification: the full class list
    std::vector<int> labels;         ///< classification: class index per row
    std::vector<double> values;      ///< regression: the target per row
    std::vector<int> fold;           ///< validation fold per row (first repeat); -1: always trains
    /// Per repeat of k-fold (small tables): the validation fold of every row.
    std::vector<std::vector<int>> repeatFold;
    int folds = 1;
    int repeats = 1;                 ///< repeated k-fold: each candidate trains folds × repeats jobs
    bool holdout = false;
    QStringList trainCsv;            ///< per fold job (repeat-major)
    QStringList validationCsv;       ///< per fold job
    /// A strictly positive, heavily skewed regression target (skewedPositiveTarget): some
    /// candidates learn log1p(target) from these fold CSVs instead; none otherwise.
    TargetTransform logTarget;       ///< bounds from every row, for the saved models
    std::vector<TargetTransform> logFoldTransform; ///< per fold job: bounds from its training rows
    QStringList logTrainCsv;
    QStringList logValidationCsv;
    /// A random subsample of fold 0 (its training rows / probeScale, its validation rows alike)
    /// that each algorithm is timed on before its first candidate; empty for small folds.
    QString probeTrainCsv;
    QString probeValidationCsv;
    double probeScale = 0;

    int width() const { return task == Task::Regression ? 1 : int(classes.size()); }
    /// Training jobs per candidate.
    int foldJobs() const { return folds * repeats; }
    /// The validation fold of `row` in fold job `job`'s repeat, compared with its fold.
    bool validates(int job, qsizetype row) const { return repeatFold[size_t(job / folds)][size_t(row)] == job % folds; }
    /// Rows with an out-of-fold prediction (fold ≥ 0), in row order.
    std::vector<qsizetype> scoredRows() const;
};

/// Reads and profiles the CSV, decides task, metric and validation, writes the fold CSVs under
/// `artifactDir`/automl/folds/ and the profile to automl/profile.json. Never throws: errors
/// come back in `error`.
PreparedData prepareData(const AutoMLSpec &spec, const QString &artifactDir);

/// How many folds for `rows` usable rows within a time limit (1: a hold-out split).
int chooseFolds(qsizetype rows, int timeLimitSeconds);
/// How often k-fold is repeated with other seeds: small tables are noisy, and repeats cost little.
int chooseRepeats(qsizetype rows, int folds, int timeLimitSeconds);

/// Writes `rows` of `table` as CSV with RFC 4180 quoting; throws cairn::Error on failure.
void writeCsv(const QString &path, const data::Table &table, const std::vector<qsizetype> &rows);

/// A class name of the target, spelled as the tabular trainers spell it.
QString className(const data::Column &column, qsizetype row);
QStringList classNames(const data::Column &column);

/// The search space and fixed settings AutoML uses for one algorithm.
struct AlgorithmPlan
{
    tuning::SearchSpace space;
    QJsonObject fixed;        ///< every trial, the first (defaults) included
    QJsonObject tunedFixed;   ///< only tuned trials (e.g. early stopping for boosted trees)
    bool impute = false;      ///< pipelines: impute missing numbers
    /// Proven configurations trained after the defaults and before any tuning, each with a
    /// short label ("random forest") and its hyperparameters (over `fixed`).
    struct Preset
    {
        QString label;
        QJsonObject hyper;
        bool logTarget = false;   ///< learns log1p(target) (PreparedData::logTarget)
    };
    QList<Preset> presets;
};
/// The plan for a known algorithm; for another one, the schema's tunable numeric parameters.
/// `task` refines task-specific settings (the metric boosted trees stop early on).
AlgorithmPlan planFor(const QString &algorithm, const ParameterSchema &schema, std::optional<Task> task = std::nullopt,
                      int columns = 0, qsizetype rows = 0);

/// Every metric of metricsFor(task) on the rows `rows` of the out-of-fold predictions `oof`
/// (rows × width, row-major over all table rows).
QMap<QString, double> scoreRows(const PreparedData &data, const std::vector<double> &oof, const std::vector<qsizetype> &rows);
/// The same for compact predictions that hold the scored rows only, in the order of `rows`.
QMap<QString, double> scoreCompact(const PreparedData &data, const std::vector<double> &compact, const std::vector<qsizetype> &rows);

/// How candidates and ensembles are compared: the objective metric of the out-of-fold
/// predictions. For a skewed positive target (PreparedData::logTarget set) the rows whose target
/// lies outside the range their fold trained on are left out of it: the largest row is always
/// beyond its fold's training rows, where no tree model can reach it, and on a table of a few
/// hundred rows that one row decides R²; the saved model trains on every row, and a new row
/// beyond all of them is rare (about one in n + 1). The leaderboard's metrics stay pooled.
/// `compact` holds the rows `rows` (scoredRows()) in order, as for scoreCompact.
double selectionScore(const PreparedData &data, const std::vector<double> &compact, const std::vector<qsizetype> &rows);

/// Positions 0..n-1 in `groups` seeded random groups of nearly equal size: each group is
/// predicted by a combiner fitted on the others (cross-fitting).
std::vector<int> rowGroups(size_t n, int groups, quint64 seed);

/// The cross-fitted predictions of a combiner learnt from out-of-fold predictions, so that its
/// score is as honest as a single candidate's: for each group, `fitPredict` learns on the other
/// groups' positions and returns predictions for every position (compact layout, `width` per
/// position), of which the group's are kept. Empty when `fitPredict` returns empty (no time).
std::vector<double> crossFit(size_t n, int width, const std::vector<int> &group,
                             const std::function<std::vector<double>(const std::vector<size_t> &fit)> &fitPredict);

/// Whether a combination of candidates beats the best single candidate by more than the noise.
struct GuardDecision
{
    double gain = std::numeric_limits<double>::quiet_NaN();   ///< selection score gained (positive: better)
    double noise = std::numeric_limits<double>::quiet_NaN();  ///< bootstrap standard error of the gain
    int resamples = 0;
    bool keep = false;
    /// Why it is kept or not, naming the single candidate.
    QString reason(const QString &what, const QString &single) const;
};
/// A paired bootstrap over the rows `rows` (compact predictions of both, as for scoreCompact):
/// `keep` when the combination's selection score beats the single's by more than one standard
/// error of the difference. Stops resampling at `deadlineReached`; fewer than 30 resamples keep
/// the single candidate.
GuardDecision guardGain(const PreparedData &data, const std::vector<double> &single, const std::vector<double> &combined,
                        const std::vector<qsizetype> &rows, quint64 seed, int resamples = 200,
                        const std::function<bool()> &deadlineReached = {});

/// A one-level stack over the candidates' compact out-of-fold predictions (`members`, each rows ×
/// width in the order of `rows`), fitted on the positions `fit`: for regression a ridge
/// regression with an intercept, for classes a log-linear pool with class biases (a multinomial
/// logistic model on the members' log-probabilities); both regularised towards member `prior`
/// alone (the best single candidate), so little data gives little change. `start`, when given, is
/// where the classes' fit begins (the fit on every row, for the cross-fitted ones).
StackCombiner fitStack(const PreparedData &data, const std::vector<std::vector<double>> &members, const std::vector<qsizetype> &rows,
                       const std::vector<size_t> &fit, size_t prior, const StackCombiner *start = nullptr);
/// The stack's predictions for every position (compact layout).
std::vector<double> applyStack(const StackCombiner &stack, const std::vector<std::vector<double>> &members, int width);

} // namespace cairn::automl::detail
