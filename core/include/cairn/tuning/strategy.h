#pragma once

#include "cairn/tuning/searchspace.h"

#include <QString>

#include <memory>
#include <random>
#include <vector>

namespace cairn::tuning {

/// A search strategy proposes points in the unit cube and learns from results. Values are
/// minimised: a tuner that maximises passes the negated objective.
class Strategy
{
public:
    explicit Strategy(SearchSpace space, quint64 seed) : m_space(std::move(space)), m_rng(seed) {}
    virtual ~Strategy() = default;

    /// The next point to try; false when the strategy has nothing left (a finished grid).
    virtual bool suggest(std::vector<double> &unit) = 0;
    /// A finished trial. Pending points are forgotten when observed.
    virtual void observe(const std::vector<double> &unit, double value);
    /// A point being evaluated right now (parallel trials): strategies avoid proposing it again.
    void addPending(const std::vector<double> &unit) { m_pending.push_back(unit); }
    void removePending(const std::vector<double> &unit);

    const SearchSpace &space() const { return m_space; }
    int observations() const { return int(m_x.size()); }

    /// "random", "grid" or "bayesian"; throws cairn::Error for anything else.
    static std::unique_ptr<Strategy> create(const QString &name, const SearchSpace &space, quint64 seed, int gridPoints = 5);
    static QStringList names();

protected:
    std::vector<double> randomPoint();

    SearchSpace m_space;
    std::mt19937_64 m_rng;
    std::vector<std::vector<double>> m_x;
    std::vector<double> m_y;
    std::vector<std::vector<double>> m_pending;
};

class RandomStrategy : public Strategy
{
public:
    using Strategy::Strategy;
    bool suggest(std::vector<double> &unit) override;
};

/// Every combination of `pointsPerDimension` evenly spaced values (all choices for categories),
/// in a shuffled order so that a budget smaller than the grid still spreads out.
class GridStrategy : public Strategy
{
public:
    GridStrategy(SearchSpace space, quint64 seed, int pointsPerDimension);
    bool suggest(std::vector<double> &unit) override;

private:
    std::vector<std::vector<double>> m_grid;
    size_t m_next = 0;
};

/// Bayesian optimisation: a Gaussian process (Matérn 5/2, one length scale per dimension fitted by
/// marginal likelihood) over the observations, expected improvement maximised over random and
/// local candidates; pending points enter as their predicted mean (the kriging believer), so
/// parallel trials spread out. The first points are random (a space-filling start).
class BayesianStrategy : public Strategy
{
public:
    BayesianStrategy(SearchSpace space, quint64 seed, int initialRandom = -1);
    bool suggest(std::vector<double> &unit) override;

private:
    int m_initialRandom;
};

} // namespace cairn::tuning
