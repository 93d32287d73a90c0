// Bayesian vs random search: how many trials Bayesian optimisation needs to reach the best value
// random search finds in 50 trials, median over seeds (target <= 25), on Branin and Hartmann-6.
#include "../core/tuning/testfunctions.h"

#include "cairn/tuning/strategy.h"

#include <QCoreApplication>

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

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    const int seeds = qEnvironmentVariableIsSet("CAIRN_SEEDS") ? qEnvironmentVariableIntValue("CAIRN_SEEDS") : 11;
    compare("Branin", testfunctions::braninSpace(), true, seeds);
    compare("Hartmann-6", testfunctions::hartmannSpace(), false, seeds);
    return 0;
}
