#pragma once
// Standard optimisation test functions with known optima (Branin: 0.397887; Hartmann-6: -3.32237).

#include "cairn/tuning/searchspace.h"

#include <cmath>
#include <vector>

namespace testfunctions {

inline double branin(double x1, double x2)
{
    const double a = 1, b = 5.1 / (4 * M_PI * M_PI), c = 5 / M_PI, r = 6, s = 10, t = 1 / (8 * M_PI);
    return a * std::pow(x2 - b * x1 * x1 + c * x1 - r, 2) + s * (1 - t) * std::cos(x1) + s;
}

inline double hartmann6(const std::vector<double> &x)
{
    static const double alpha[4] = {1.0, 1.2, 3.0, 3.2};
    static const double A[4][6] = {{10, 3, 17, 3.5, 1.7, 8}, {0.05, 10, 17, 0.1, 8, 14}, {3, 3.5, 1.7, 10, 17, 8}, {17, 8, 0.05, 10, 0.1, 14}};
    static const double P[4][6] = {{0.1312, 0.1696, 0.5569, 0.0124, 0.8283, 0.5886}, {0.2329, 0.4135, 0.8307, 0.3736, 0.1004, 0.9991},
                                   {0.2348, 0.1451, 0.3522, 0.2883, 0.3047, 0.6650}, {0.4047, 0.8828, 0.8732, 0.5743, 0.1091, 0.0381}};
    double sum = 0;
    for (int i = 0; i < 4; ++i) {
        double inner = 0;
        for (int j = 0; j < 6; ++j)
            inner += A[i][j] * std::pow(x[j] - P[i][j], 2);
        sum += alpha[i] * std::exp(-inner);
    }
    return -sum;
}

inline cairn::tuning::SearchSpace braninSpace()
{
    using cairn::tuning::Dimension;
    return cairn::tuning::SearchSpace({Dimension{QStringLiteral("x1"), Dimension::Kind::Real, -5, 10},
                                       Dimension{QStringLiteral("x2"), Dimension::Kind::Real, 0, 15}});
}

inline cairn::tuning::SearchSpace hartmannSpace()
{
    using cairn::tuning::Dimension;
    QList<Dimension> dims;
    for (int i = 0; i < 6; ++i)
        dims << Dimension{QStringLiteral("x%1").arg(i), Dimension::Kind::Real, 0, 1};
    return cairn::tuning::SearchSpace(dims);
}

inline double evaluate(const cairn::tuning::SearchSpace &space, const std::vector<double> &unit, bool isBranin)
{
    const QJsonObject p = space.toParams(unit);
    if (isBranin)
        return branin(p.value(QStringLiteral("x1")).toDouble(), p.value(QStringLiteral("x2")).toDouble());
    std::vector<double> x;
    for (int i = 0; i < 6; ++i)
        x.push_back(p.value(QStringLiteral("x%1").arg(i)).toDouble());
    return hartmann6(x);
}

} // namespace testfunctions
