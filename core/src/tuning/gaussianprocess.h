#pragma once

#include <Eigen/Cholesky>
#include <Eigen/Core>

#include <random>

namespace cairn::tuning::Internal {

/// A Gaussian process regressor for a few hundred points at most: Matérn 5/2 kernel with one
/// length scale per input, signal and noise variance, all fitted by maximising the log marginal
/// likelihood (random search then coordinate refinement: cheap at these sizes, and robust).
class GaussianProcess
{
public:
    void fit(const Eigen::MatrixXd &x, const Eigen::VectorXd &y, std::mt19937_64 &rng);
    /// Predictive mean and standard deviation of the (un-normalised) objective at x.
    void predict(const Eigen::VectorXd &x, double &mean, double &stddev) const;

private:
    struct Hyper
    {
        Eigen::VectorXd logLength;
        double logSignal = 0;
        double logNoise = -8;
    };
    double kernel(const Hyper &h, const Eigen::VectorXd &a, const Eigen::VectorXd &b) const;
    double logMarginal(const Hyper &h) const;
    void factorise(const Hyper &h);

    Eigen::MatrixXd m_x;
    Eigen::VectorXd m_y; // normalised
    double m_yMean = 0;
    double m_yStd = 1;
    Hyper m_hyper;
    bool m_haveHyper = false;
    Eigen::LLT<Eigen::MatrixXd> m_llt;
    Eigen::VectorXd m_alpha;
};

} // namespace cairn::tuning::Internal
