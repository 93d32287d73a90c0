#include "cairn/tuning/strategy.h"

#include "cairn/util/error.h"
#include "gaussianprocess.h"

#include <algorithm>
#include <cmath>
#include <numeric>

namespace cairn::tuning {

namespace {

bool samePoint(const std::vector<double> &a, const std::vector<double> &b)
{
    for (size_t i = 0; i < a.size(); ++i)
        if (std::abs(a[i] - b[i]) > 1e-9)
            return false;
    return true;
}

// Categorical dimensions become one-hot coordinates for the Gaussian process, so that no
// order is invented between choices.
Eigen::VectorXd encode(const SearchSpace &space, const std::vector<double> &unit)
{
    int width = 0;
    for (const Dimension &d : space.dimensions())
        width += d.kind == Dimension::Kind::Categorical ? int(d.choices.size()) : 1;
    Eigen::VectorXd x = Eigen::VectorXd::Zero(width);
    int at = 0;
    for (int i = 0; i < space.size(); ++i) {
        const Dimension &d = space.dimensions().at(i);
        if (d.kind == Dimension::Kind::Categorical) {
            const int k = int(d.choices.size());
            x(at + std::min(int(unit[i] * k), k - 1)) = 1.0;
            at += k;
        } else {
            x(at++) = unit[i];
        }
    }
    return x;
}

double normalPdf(double z) { return std::exp(-0.5 * z * z) / std::sqrt(2 * M_PI); }
double normalCdf(double z) { return 0.5 * std::erfc(-z / std::sqrt(2.0)); }

} // namespace

void Strategy::observe(const std::vector<double> &unit, double value)
{
    removePending(unit);
    if (!std::isfinite(value))
        return; // a failed or diverged trial teaches nothing about the surface
    m_x.push_back(unit);
    m_y.push_back(value);
}

void Strategy::removePending(const std::vector<double> &unit)
{
    auto it = std::find_if(m_pending.begin(), m_pending.end(), [&](const auto &p) { return samePoint(p, unit); });
    if (it != m_pending.end())
        m_pending.erase(it);
}

std::vector<double> Strategy::randomPoint()
{
    std::uniform_real_distribution<double> u(0.0, 1.0);
    std::vector<double> p(size_t(m_space.size()));
    for (double &v : p)
        v = u(m_rng);
    return m_space.canonical(p);
}

std::unique_ptr<Strategy> Strategy::create(const QString &name, const SearchSpace &space, quint64 seed, int gridPoints)
{
    const QString n = name.toLower();
    if (n == QLatin1String("random"))
        return std::make_unique<RandomStrategy>(space, seed);
    if (n == QLatin1String("grid"))
        return std::make_unique<GridStrategy>(space, seed, gridPoints);
    if (n == QLatin1String("bayesian") || n == QLatin1String("bayes"))
        return std::make_unique<BayesianStrategy>(space, seed);
    throw Error(QStringLiteral("unknown strategy '%1': use %2").arg(name, names().join(QStringLiteral(", "))));
}

QStringList Strategy::names()
{
    return {QStringLiteral("bayesian"), QStringLiteral("random"), QStringLiteral("grid")};
}

bool RandomStrategy::suggest(std::vector<double> &unit)
{
    unit = randomPoint();
    return true;
}

GridStrategy::GridStrategy(SearchSpace space, quint64 seed, int pointsPerDimension) : Strategy(std::move(space), seed)
{
    std::vector<std::vector<double>> axes;
    for (const Dimension &d : m_space.dimensions()) {
        std::vector<double> axis;
        const int count = d.kind == Dimension::Kind::Real ? std::max(2, pointsPerDimension)
                                                          : std::min(std::max(2, pointsPerDimension), d.cardinality());
        if (d.kind == Dimension::Kind::Categorical) {
            for (int i = 0; i < d.cardinality(); ++i)
                axis.push_back((i + 0.5) / d.cardinality());
        } else {
            for (int i = 0; i < count; ++i)
                axis.push_back(count == 1 ? 0.5 : double(i) / (count - 1));
        }
        axes.push_back(axis);
    }
    m_grid = {{}};
    for (const auto &axis : axes) {
        std::vector<std::vector<double>> next;
        for (const auto &prefix : m_grid)
            for (double v : axis) {
                auto p = prefix;
                p.push_back(v);
                next.push_back(p);
            }
        m_grid = std::move(next);
    }
    // Integer axes can collapse to the same value: keep each distinct point once.
    std::vector<std::vector<double>> distinct;
    for (const auto &p : m_grid) {
        const auto c = m_space.canonical(p);
        if (std::none_of(distinct.begin(), distinct.end(), [&](const auto &q) { return samePoint(q, c); }))
            distinct.push_back(c);
    }
    m_grid = std::move(distinct);
    std::shuffle(m_grid.begin(), m_grid.end(), m_rng);
}

bool GridStrategy::suggest(std::vector<double> &unit)
{
    if (m_next >= m_grid.size())
        return false;
    unit = m_grid[m_next++];
    return true;
}

BayesianStrategy::BayesianStrategy(SearchSpace space, quint64 seed, int initialRandom)
    : Strategy(std::move(space), seed), m_initialRandom(initialRandom >= 0 ? initialRandom : std::max(5, (m_space.size() + 1) / 2))
{
}

bool BayesianStrategy::suggest(std::vector<double> &unit)
{
    if (int(m_x.size()) < m_initialRandom) {
        unit = randomPoint();
        return true;
    }
    // Observations, then pending points at the model's predicted mean (the kriging believer).
    const int width = int(encode(m_space, m_x.front()).size());
    auto fitOn = [&](const std::vector<std::vector<double>> &xs, const std::vector<double> &ys, Internal::GaussianProcess &gp) {
        Eigen::MatrixXd x(Eigen::Index(xs.size()), width);
        Eigen::VectorXd y(Eigen::Index(ys.size()));
        for (size_t i = 0; i < xs.size(); ++i) {
            x.row(Eigen::Index(i)) = encode(m_space, xs[i]).transpose();
            y(Eigen::Index(i)) = ys[i];
        }
        gp.fit(x, y, m_rng);
    };
    Internal::GaussianProcess gp;
    fitOn(m_x, m_y, gp);
    if (!m_pending.empty()) {
        std::vector<std::vector<double>> xs = m_x;
        std::vector<double> ys = m_y;
        for (const auto &p : m_pending) {
            double mean = 0, sd = 0;
            gp.predict(encode(m_space, p), mean, sd);
            xs.push_back(p);
            ys.push_back(mean);
        }
        fitOn(xs, ys, gp);
    }
    const double best = *std::min_element(m_y.begin(), m_y.end());
    // Plain expected improvement (no exploration bonus): it measured best on Branin and
    // Hartmann-6 (tests/bench/bench_tuning).
    const double xi = 0.0;

    auto expectedImprovement = [&](const std::vector<double> &p) {
        double mean = 0, sd = 0;
        gp.predict(encode(m_space, p), mean, sd);
        if (sd < 1e-12)
            return std::max(best - mean - xi, 0.0);
        const double z = (best - mean - xi) / sd;
        return (best - mean - xi) * normalCdf(z) + sd * normalPdf(z);
    };
    auto taken = [&](const std::vector<double> &p) {
        for (const auto &q : m_x)
            if (samePoint(p, q))
                return true;
        for (const auto &q : m_pending)
            if (samePoint(p, q))
                return true;
        return false;
    };

    // Candidates: broad random points plus local moves around the best observations.
    std::vector<std::vector<double>> candidates;
    for (int i = 0; i < 3000; ++i)
        candidates.push_back(randomPoint());
    std::vector<size_t> order(m_y.size());
    std::iota(order.begin(), order.end(), 0);
    std::sort(order.begin(), order.end(), [&](size_t a, size_t b) { return m_y[a] < m_y[b]; });
    std::normal_distribution<double> jitter(0.0, 1.0);
    for (size_t r = 0; r < std::min<size_t>(5, order.size()); ++r)
        for (double scale : {0.15, 0.05, 0.01})
            for (int i = 0; i < 40; ++i) {
                std::vector<double> p = m_x[order[r]];
                for (double &v : p)
                    v = std::clamp(v + scale * jitter(m_rng), 0.0, 1.0);
                candidates.push_back(m_space.canonical(p));
            }

    double bestScore = -1;
    std::vector<double> chosen;
    for (const auto &c : candidates) {
        if (taken(c))
            continue;
        const double score = expectedImprovement(c);
        if (score > bestScore) {
            bestScore = score;
            chosen = c;
        }
    }
    // Refine the winner with shrinking local steps.
    for (double scale : {0.02, 0.005}) {
        for (int i = 0; i < 30 && !chosen.empty(); ++i) {
            std::vector<double> p = chosen;
            for (double &v : p)
                v = std::clamp(v + scale * jitter(m_rng), 0.0, 1.0);
            p = m_space.canonical(p);
            if (taken(p))
                continue;
            const double score = expectedImprovement(p);
            if (score > bestScore) {
                bestScore = score;
                chosen = p;
            }
        }
    }
    unit = chosen.empty() ? randomPoint() : chosen;
    return true;
}

} // namespace cairn::tuning
