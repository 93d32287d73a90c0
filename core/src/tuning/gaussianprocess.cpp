#include "gaussianprocess.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace cairn::tuning::Internal {

namespace {
constexpr double kMinLogLength = -3.5; // length scales in the unit cube: ~0.03 …
constexpr double kMaxLogLength = 1.5;  // … ~4.5
constexpr double kMinLogNoise = -13.8; // 1e-6 (relative to the normalised signal)
constexpr double kMaxLogNoise = -1.0;
}

double GaussianProcess::kernel(const Hyper &h, const Eigen::VectorXd &a, const Eigen::VectorXd &b) const
{
    const double r2 = ((a - b).array() / h.logLength.array().exp()).square().sum();
    const double r = std::sqrt(5.0 * r2);
    return std::exp(h.logSignal) * (1.0 + r + 5.0 * r2 / 3.0) * std::exp(-r);
}

double GaussianProcess::logMarginal(const Hyper &h) const
{
    const Eigen::Index n = m_x.rows();
    Eigen::MatrixXd k(n, n);
    for (Eigen::Index i = 0; i < n; ++i)
        for (Eigen::Index j = 0; j <= i; ++j)
            k(i, j) = k(j, i) = kernel(h, m_x.row(i).transpose(), m_x.row(j).transpose());
    k.diagonal().array() += std::exp(h.logNoise) + 1e-10;
    Eigen::LLT<Eigen::MatrixXd> llt(k);
    if (llt.info() != Eigen::Success)
        return -std::numeric_limits<double>::infinity();
    const Eigen::VectorXd alpha = llt.solve(m_y);
    const double logDet = 2.0 * llt.matrixL().toDenseMatrix().diagonal().array().log().sum();
    // A weak prior keeps length scales away from the degenerate extremes on tiny data sets.
    const double prior = -0.5 * (h.logLength.array() - std::log(0.5)).square().sum() / 4.0;
    return -0.5 * m_y.dot(alpha) - 0.5 * logDet + prior;
}

void GaussianProcess::factorise(const Hyper &h)
{
    const Eigen::Index n = m_x.rows();
    Eigen::MatrixXd k(n, n);
    for (Eigen::Index i = 0; i < n; ++i)
        for (Eigen::Index j = 0; j <= i; ++j)
            k(i, j) = k(j, i) = kernel(h, m_x.row(i).transpose(), m_x.row(j).transpose());
    k.diagonal().array() += std::exp(h.logNoise) + 1e-10;
    m_llt.compute(k);
    m_alpha = m_llt.solve(m_y);
}

void GaussianProcess::fit(const Eigen::MatrixXd &x, const Eigen::VectorXd &y, std::mt19937_64 &rng)
{
    m_x = x;
    m_yMean = y.mean();
    const double var = (y.array() - m_yMean).square().mean();
    m_yStd = var > 1e-24 ? std::sqrt(var) : 1.0;
    m_y = (y.array() - m_yMean) / m_yStd;

    const int d = int(x.cols());
    std::uniform_real_distribution<double> length(kMinLogLength, kMaxLogLength);
    std::uniform_real_distribution<double> signal(-1.0, 1.5);
    std::uniform_real_distribution<double> noise(kMinLogNoise, kMaxLogNoise);

    Hyper best;
    double bestScore = -std::numeric_limits<double>::infinity();
    auto consider = [&](const Hyper &h) {
        const double score = logMarginal(h);
        if (score > bestScore) {
            bestScore = score;
            best = h;
        }
    };
    if (m_haveHyper && m_hyper.logLength.size() == d)
        consider(m_hyper);
    Hyper start;
    start.logLength = Eigen::VectorXd::Constant(d, std::log(0.3));
    start.logNoise = -9;
    consider(start);
    for (int i = 0; i < 60; ++i) {
        Hyper h;
        h.logLength.resize(d);
        for (int k = 0; k < d; ++k)
            h.logLength(k) = length(rng);
        h.logSignal = signal(rng);
        h.logNoise = noise(rng);
        consider(h);
    }
    // Coordinate refinement around the best sample.
    for (double step : {0.8, 0.4, 0.2, 0.1}) {
        for (int k = 0; k < d + 2; ++k) {
            for (double sign : {-1.0, 1.0}) {
                Hyper h = best;
                if (k < d)
                    h.logLength(k) = std::clamp(h.logLength(k) + sign * step, kMinLogLength, kMaxLogLength);
                else if (k == d)
                    h.logSignal = std::clamp(h.logSignal + sign * step, -2.0, 3.0);
                else
                    h.logNoise = std::clamp(h.logNoise + sign * 2 * step, kMinLogNoise, kMaxLogNoise);
                consider(h);
            }
        }
    }
    m_hyper = best;
    m_haveHyper = true;
    factorise(m_hyper);
}

void GaussianProcess::predict(const Eigen::VectorXd &x, double &mean, double &stddev) const
{
    const Eigen::Index n = m_x.rows();
    Eigen::VectorXd k(n);
    for (Eigen::Index i = 0; i < n; ++i)
        k(i) = kernel(m_hyper, x, m_x.row(i).transpose());
    const double mu = k.dot(m_alpha);
    const Eigen::VectorXd v = m_llt.matrixL().solve(k);
    const double var = std::max(std::exp(m_hyper.logSignal) - v.squaredNorm(), 1e-12);
    mean = m_yMean + m_yStd * mu;
    stddev = m_yStd * std::sqrt(var);
}

} // namespace cairn::tuning::Internal
