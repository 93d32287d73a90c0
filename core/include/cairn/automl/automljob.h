#pragma once

#include "cairn/algorithms/explain.h"
#include "cairn/automl/dataprofile.h"

#include <QJsonObject>
#include <QList>
#include <QMap>
#include <QObject>
#include <QString>
#include <QStringList>

#include <functional>
#include <limits>
#include <memory>
#include <vector>

namespace cairn {
class JobManager;
class Workspace;
}

namespace cairn::automl {

/// What an AutoML run learns from and within which budget.
struct AutoMLSpec
{
    static constexpr int kVersion = 1;
    QString trainPath;                    ///< CSV with a header row
    QString target;
    QString problemType = QStringLiteral("auto"); ///< auto, binary, multiclass or regression
    QString metric = QStringLiteral("auto");      ///< auto or a name of metricsFor(task)
    int timeLimitSeconds = 600;
    int maxCandidates = 0;                ///< 0: as many as the time allows
    int maxParallel = 0;                  ///< training jobs at once; 0: the machine's cores
    QString experiment;                   ///< empty: "Default"
    QString name;                         ///< the AutoML run's name; empty: automl-<csv stem>
    quint64 seed = 42;
    QStringList algorithms;               ///< empty: every tabular algorithm for the task
    bool ensemble = true;
    QString host = QStringLiteral("local"); ///< where the candidates' training jobs run
    /// Hosts the candidates are spread over ("local" and SSH host names); empty: every candidate
    /// runs on `host`. A candidate (all its folds) goes to the host with the most free room: its
    /// job limit, or maxParallel for this machine.
    QStringList hosts;

    QJsonObject toJson() const;
    static AutoMLSpec fromJson(const QJsonObject &json);
};

/// One entry of the leaderboard: a set of hyperparameters of one algorithm, trained on every
/// fold (or the hold-out split) and scored on its out-of-fold predictions; or the ensemble.
struct Candidate
{
    int index = 0;                        ///< 1-based, in the order candidates were started
    QString algorithm;                    ///< "ensemble" for the ensemble of candidates
    QJsonObject params;                   ///< the tuned hyperparameters (ensemble: member → weight)
    QString runUuid;                      ///< the candidate's run (a child of the AutoML run)
    QString state;                        ///< running, scoring, finished, failed or stopped
    QString message;                      ///< why it failed or stopped
    double objective = std::numeric_limits<double>::quiet_NaN();
    QMap<QString, double> metrics;        ///< every metric of metricsFor(task), out of fold
    double trainSeconds = 0;              ///< sum over the candidate's fold jobs
    double predictMicrosPerRow = 0;
    bool ensemble = false;
    /// What the candidate's settings are: "defaults", a preset ("random forest") or empty (tuned).
    QString preset;
    QString host;                         ///< where its training jobs ran (empty: the ensemble)
    /// "log1p" when it learnt log(1 + target) and maps its predictions back (see
    /// skewedPositiveTarget); empty when it learnt the target itself.
    QString targetTransform;

    /// "xgboost-3" (the algorithm and the index), or "ensemble": how the leaderboard, the
    /// ensemble's members and the notebooks name it.
    QString name() const;
    QJsonObject toJson() const;
    static Candidate fromJson(const QJsonObject &json);
};

/// Automatic machine learning on a table: profiles the data, picks the validation scheme by its
/// size, tunes every applicable tabular algorithm with one Bayesian strategy each within the
/// time budget (each candidate is one training job per fold through the JobManager), scores all
/// candidates identically on their out-of-fold predictions, optionally builds a greedy ensemble,
/// and saves the best model, its feature importance, the leaderboard and notebooks in the
/// AutoML run's artifacts. start() returns at once; data preparation, scoring, the ensemble and
/// explanations run on worker threads, and signals arrive on the thread that owns the object.
class AutoMLJob : public QObject
{
    Q_OBJECT
public:
    AutoMLJob(Workspace &workspace, JobManager &jobs, AutoMLSpec spec, QObject *parent = nullptr);
    ~AutoMLJob() override;

    /// Creates the AutoML run and begins. Throws cairn::Error for a spec that cannot start
    /// (no training file, no target, a problem type or metric that does not exist); problems
    /// found in the data arrive through finished(false, message).
    void start();
    /// Stops the running training jobs, launches no more, and finishes with what is done.
    void stop();

    const AutoMLSpec &spec() const;
    QString runUuid() const;
    const DataProfile &profile() const;
    QString metric() const;
    bool maximize() const;
    /// "k-fold" or "holdout", and the number of folds (1 for a hold-out split).
    QString validation() const;
    int folds() const;
    /// How often k-fold is repeated with other seeds (small tables; 1 otherwise).
    int repeats() const;
    /// Finished candidates (and the ensemble) best first, then failed and stopped ones.
    QList<Candidate> leaderboard() const;
    /// Every candidate so far, in start order.
    QList<Candidate> candidates() const;
    bool isFinished() const;
    /// The time limit left (ms): how long until the job has ended at the latest.
    qint64 remainingMs() const;
    /// The AutoML run's model folder (empty until it exists).
    QString modelDir() const;
    QStringList notebooks() const;
    QList<FeatureImportance> importance() const;

Q_SIGNALS:
    void profileReady();
    void phaseChanged(const QString &phase, const QString &message);
    void candidateStarted(const cairn::automl::Candidate &candidate);
    void candidateFinished(const cairn::automl::Candidate &candidate);
    void leaderboardChanged();
    /// A host of spec().hosts could not run a candidate: no more candidates go there, and that
    /// candidate trains again on another host; with none left the job fails saying why.
    void hostDropped(const QString &host, const QString &message);
    void finished(bool ok, const QString &message);

private:
    struct Private;
    std::unique_ptr<Private> d;
    friend struct Private;
};

/// Rows 0..n-1 assigned to `k` folds at random (seeded), in equal shares of every class when
/// `strata` (a class id per row) is given. Rows whose class has fewer than `k` rows, and rows
/// with a negative class id, get -1: they are never validated on and always train.
std::vector<int> kFoldAssignment(qsizetype n, int k, quint64 seed, const std::vector<int> *strata = nullptr);

/// True for a regression target whose values are all positive and heavily right-skewed
/// (skewness above 2, at least 20 values): AutoML then also tries candidates that learn
/// log1p(target), scored on the original scale, so that a few very large rows do not decide
/// which model family wins. NaN values are ignored.
bool skewedPositiveTarget(const std::vector<double> &values);

/// Caruana's greedy ensemble selection with replacement: `rounds` times, adds the candidate
/// whose addition gives the best score of the averaged predictions. `score` is minimised and
/// receives the averaged predictions (same layout as each entry of `predictions`). Returns
/// the weight of each candidate (how often it was picked / rounds).
std::vector<double> greedyEnsemble(const std::vector<std::vector<double>> &predictions, int rounds,
                                   const std::function<double(const std::vector<double> &)> &score);

} // namespace cairn::automl

Q_DECLARE_METATYPE(cairn::automl::Candidate)
