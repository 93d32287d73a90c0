#pragma once

#include <QtGlobal>

#include <vector>

namespace cairn::plugins {

/// Lloyd's k-means over a dense row-major matrix, with k-means++ or random seeding.
class KMeans
{
public:
    struct Options
    {
        int k = 8;
        bool plusPlus = true;
        int maxIterations = 100;
        double tolerance = 1e-4; ///< stop when centers move less than this (relative to the data's variance)
        quint64 seed = 42;
        int threads = 1;
    };

    KMeans(const float *x, qsizetype rows, int width, Options options);

    void initialize();
    /// One assignment + update step; returns the inertia (sum of squared distances) before
    /// the update and sets *shift to the total squared movement of the centers.
    double step(double *shift);
    bool converged(double shift) const { return shift <= m_tolerance; }

    const std::vector<float> &centers() const { return m_centers; }
    const std::vector<int> &assignment() const { return m_assignment; }

    /// Nearest center of each row of y (rows × width); *inertia gets the sum of squared distances.
    static std::vector<int> assign(const std::vector<float> &centers, int k, const float *y, qsizetype rows, int width,
                                   int threads, double *inertia);

private:
    const float *m_x;
    qsizetype m_rows;
    int m_width;
    Options m_options;
    double m_tolerance = 0;
    std::vector<float> m_centers;
    std::vector<int> m_assignment;
};

} // namespace cairn::plugins
