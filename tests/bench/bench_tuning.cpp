// Bayesian vs random search: how many trials Bayesian optimisation needs to reach the best value
// random search finds in 50 trials, median over seeds (target <= 25), on Branin and Hartmann-6.
#include "../core/tuning/testfunctions.h"

#include "cairn/jobs/jobmanager.h"
#include "cairn/tuning/strategy.h"
#include "cairn/tuning/tuningjob.h"
#include "cairn/workspace/workspace.h"

#include <QCoreApplication>
#include <QEventLoop>
#include <QTemporaryDir>

#include <algorithm>
#include <cstdio>
#include <vector>

using namespace cairn::tuning;

namespace {

std::vector<double> bestSoFar(Strategy &s, bool isBranin, int trials)
{
    std::vector<double> curve;
    double best = INFINITY;
    for (int i = 0; i < trials; ++i) {
        std::vector<double> x;
        s.suggest(x);
        const double y = testfunctions::evaluate(s.space(), x, isBranin);
        s.observe(x, y);
        best = std::min(best, y);
        curve.push_back(best);
    }
    return curve;
}

void compare(const char *name, const SearchSpace &space, bool isBranin, int seeds)
{
    std::vector<int> needed;
    std::vector<double> randomBest, bayesBest;
    for (int seed = 1; seed <= seeds; ++seed) {
        RandomStrategy random(space, 1000 + seed);
        const double target = bestSoFar(random, isBranin, 50).back();
        BayesianStrategy bayes(space, seed);
        const std::vector<double> curve = bestSoFar(bayes, isBranin, 50);
        const auto hit = std::find_if(curve.begin(), curve.end(), [&](double v) { return v <= target; });
        needed.push_back(hit == curve.end() ? 51 : int(hit - curve.begin()) + 1);
        randomBest.push_back(target);
        bayesBest.push_back(curve.back());
    }
    std::vector<int> sorted = needed;
    std::sort(sorted.begin(), sorted.end());
    const double median = sorted.size() % 2 ? sorted[sorted.size() / 2] : 0.5 * (sorted[sorted.size() / 2 - 1] + sorted[sorted.size() / 2]);
    std::printf("%-12s trials Bayesian needs to reach random's 50-trial best, per seed:", name);
    for (int n : needed)
        std::printf(" %d", n);
    std::printf("\n%-12s median %.1f (target <= 25: %s)\n", "", median, median <= 25 ? "met" : "NOT met");
    std::sort(randomBest.begin(), randomBest.end());
    std::sort(bayesBest.begin(), bayesBest.end());
    std::printf("%-12s median best after 50 trials: random %.5f, bayesian %.5f\n", "", randomBest[randomBest.size() / 2],
                bayesBest[bayesBest.size() / 2]);
}

// Best-so-far validation AUC of a real tuning job: XGBoost on titanic.csv through the job manager.
std::vector<double> xgboostCurve(const QString &strategy, quint64 seed, int trials)
{
    QTemporaryDir dir;
    cairn::Workspace ws(dir.path());
    cairn::JobManager jobs(ws);
    jobs.setWorkerCommand(QStringLiteral(CAIRN_CLI_PATH));
    jobs.setMaxConcurrentJobs(2);
    cairn::tuning::TuningSpec spec;
    spec.base.algorithm = QStringLiteral("xgboost");
    cairn::data::ChannelSpec train;
    train.path = qEnvironmentVariable("CAIRN_SHARED_DATA_DIR", QStringLiteral(CAIRN_SHARED_DATA_DIR)) + QStringLiteral("/tabular/titanic.csv");
    train.type = cairn::data::ChannelSpec::Type::Csv;
    spec.base.channels.insert(QStringLiteral("train"), train);
    spec.base.target = QStringLiteral("survived");
    spec.base.hyperparameters = QJsonObject{{QStringLiteral("num_round"), 40}};
    spec.base.resources.cpus = 1;
    using D = Dimension;
    spec.space = SearchSpace({D{QStringLiteral("eta"), D::Kind::Real, 0.01, 0.5, true},
                              D{QStringLiteral("max_depth"), D::Kind::Integer, 2, 10},
                              D{QStringLiteral("min_child_weight"), D::Kind::Real, 0.5, 20, true},
                              D{QStringLiteral("subsample"), D::Kind::Real, 0.5, 1.0},
                              D{QStringLiteral("colsample_bytree"), D::Kind::Real, 0.4, 1.0},
                              D{QStringLiteral("lambda"), D::Kind::Real, 0.01, 10, true}});
    spec.objective = QStringLiteral("validation.auc");
    spec.maximize = true;
    spec.maxTrials = trials;
    spec.maxParallel = 2;
    spec.strategy = strategy;
    spec.seed = seed;
    cairn::tuning::TuningJob job(ws, jobs, spec);
    QEventLoop loop;
    QObject::connect(&job, &cairn::tuning::TuningJob::finished, &loop, &QEventLoop::quit);
    job.start();
    if (!job.isFinished())
        loop.exec();
    // Trials in the order they were proposed; the objective is negated (lower is better).
    std::vector<double> curve;
    double best = INFINITY;
    for (const auto &t : job.trials()) {
        if (std::isfinite(t.objective))
            best = std::min(best, -t.objective);
        curve.push_back(best);
    }
    return curve;
}

void compareXgboost(int seeds)
{
    std::vector<int> needed;
    std::vector<double> randomBest, bayesBest;
    for (int seed = 1; seed <= seeds; ++seed) {
        const double target = xgboostCurve(QStringLiteral("random"), 1000 + seed, 50).back();
        const std::vector<double> curve = xgboostCurve(QStringLiteral("bayesian"), seed, 50);
        const auto hit = std::find_if(curve.begin(), curve.end(), [&](double v) { return v <= target; });
        needed.push_back(hit == curve.end() ? 51 : int(hit - curve.begin()) + 1);
        randomBest.push_back(-target);
        bayesBest.push_back(-curve.back());
        std::printf("  seed %d: random best AUC %.4f, bayesian reaches it at trial %d (bayesian best %.4f)\n", seed, -target,
                    needed.back(), -curve.back());
        std::fflush(stdout);
    }
    std::vector<int> sorted = needed;
    std::sort(sorted.begin(), sorted.end());
    const double median = sorted.size() % 2 ? sorted[sorted.size() / 2] : 0.5 * (sorted[sorted.size() / 2 - 1] + sorted[sorted.size() / 2]);
    std::printf("%-12s median trials %.1f (target <= 25: %s)\n", "XGBoost", median, median <= 25 ? "met" : "NOT met");
}

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    const int seeds = qEnvironmentVariableIsSet("CAIRN_SEEDS") ? qEnvironmentVariableIntValue("CAIRN_SEEDS") : 11;
    compare("Branin", testfunctions::braninSpace(), true, seeds);
    compare("Hartmann-6", testfunctions::hartmannSpace(), false, seeds);
    if (qEnvironmentVariableIsSet("CAIRN_BENCH_QUICK"))
        return 0;
    std::printf("XGBoost on titanic.csv (6 hyperparameters, 40 rounds, validation AUC), real jobs:\n");
    compareXgboost(5);
    return 0;
}
