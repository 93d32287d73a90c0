#include "kmeans.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <random>
#include <thread>

namespace cairn::plugins {

namespace {

inline double sqDist(const float *a, const float *b, int width)
{
    double s = 0;
    for (int j = 0; j < width; ++j) {
        const double d = double(a[j]) - double(b[j]);
        s += d * d;
    }
    return s;
}

template<typename F>
void parallelRows(qsizetype rows, int threads, F f)
{
    threads = std::max(1, std::min<int>(threads, int(rows / 2048) + 1));
    if (threads == 1) {
        f(0, rows, 0);
        return;
    }
    std::vector<std::thread> pool;
    const qsizetype chunk = (rows + threads - 1) / threads;
    for (int t = 0; t < threads; ++t) {
        const qsizetype begin = t * chunk;
        const qsizetype end = std::min(rows, begin + chunk);
        if (begin < end)
            pool.emplace_back([=] { f(begin, end, t); });
    }
    for (auto &th : pool)
        th.join();
}

} // namespace

KMeans::KMeans(const float *x, qsizetype rows, int width, Options options)
    : m_x(x), m_rows(rows), m_width(width), m_options(options)
{
    // Scale the tolerance by the data's total variance, as scikit-learn does.
    double var = 0;
    for (int j = 0; j < width; ++j) {
        double s = 0, sq = 0;
        for (qsizetype r = 0; r < rows; ++r) {
            const double v = x[r * width + j];
            s += v;
            sq += v * v;
        }
        const double mean = rows ? s / double(rows) : 0;
        var += rows ? sq / double(rows) - mean * mean : 0;
    }
    m_tolerance = options.tolerance * var;
    m_assignment.assign(size_t(rows), -1);
}

void KMeans::initialize()
{
    const int k = m_options.k;
    std::mt19937_64 rng(m_options.seed);
    m_centers.assign(size_t(k) * size_t(m_width), 0.0f);
    auto copyRow = [&](int c, qsizetype r) {
        std::copy(m_x + r * m_width, m_x + (r + 1) * m_width, m_centers.begin() + qsizetype(c) * m_width);
    };
    std::uniform_int_distribution<qsizetype> pick(0, m_rows - 1);
    if (!m_options.plusPlus) {
        std::vector<qsizetype> idx;
        idx.resize(size_t(m_rows));
        for (qsizetype i = 0; i < m_rows; ++i)
            idx[size_t(i)] = i;
        for (int c = 0; c < k; ++c) {
            std::uniform_int_distribution<qsizetype> d(c, m_rows - 1);
            std::swap(idx[size_t(c)], idx[size_t(d(rng))]);
            copyRow(c, idx[size_t(c)]);
        }
        return;
    }
    // k-means++: each next center drawn with probability proportional to D(x)².
    copyRow(0, pick(rng));
    std::vector<double> d2(static_cast<size_t>(m_rows));
    for (qsizetype r = 0; r < m_rows; ++r)
        d2[size_t(r)] = sqDist(m_x + r * m_width, m_centers.data(), m_width);
    for (int c = 1; c < k; ++c) {
        double total = 0;
        for (double v : d2)
            total += v;
        qsizetype chosen = pick(rng);
        if (total > 0) {
            double u = std::uniform_real_distribution<double>(0, total)(rng);
            for (qsizetype r = 0; r < m_rows; ++r) {
                u -= d2[size_t(r)];
                if (u <= 0) {
                    chosen = r;
                    break;
                }
            }
        }
        copyRow(c, chosen);
        const float *center = m_centers.data() + qsizetype(c) * m_width;
        parallelRows(m_rows, m_options.threads, [&](qsizetype b, qsizetype e, int) {
            for (qsizetype r = b; r < e; ++r)
                d2[size_t(r)] = std::min(d2[size_t(r)], sqDist(m_x + r * m_width, center, m_width));
        });
    }
}

std::vector<int> KMeans::assign(const std::vector<float> &centers, int k, const float *y, qsizetype rows, int width,
                                int threads, double *inertia)
{
    std::vector<int> out(static_cast<size_t>(rows));
    std::vector<double> partial(size_t(std::max(1, threads)), 0.0);
    parallelRows(rows, threads, [&](qsizetype b, qsizetype e, int t) {
        double sum = 0;
        for (qsizetype r = b; r < e; ++r) {
            double best = std::numeric_limits<double>::max();
            int bestC = 0;
            for (int c = 0; c < k; ++c) {
                const double d = sqDist(y + r * width, centers.data() + qsizetype(c) * width, width);
                if (d < best) {
                    best = d;
                    bestC = c;
                }
            }
            out[size_t(r)] = bestC;
            sum += best;
        }
        partial[size_t(t)] = sum;
    });
    if (inertia) {
        *inertia = 0;
        for (double p : partial)
            *inertia += p;
    }
    return out;
}

double KMeans::step(double *shift)
{
    const int k = m_options.k;
    double inertia = 0;
    m_assignment = assign(m_centers, k, m_x, m_rows, m_width, m_options.threads, &inertia);
    std::vector<double> sums(size_t(k) * size_t(m_width), 0.0);
    std::vector<qsizetype> counts(size_t(k), 0);
    for (qsizetype r = 0; r < m_rows; ++r) {
        const int c = m_assignment[size_t(r)];
        ++counts[size_t(c)];
        double *s = sums.data() + qsizetype(c) * m_width;
        const float *x = m_x + r * m_width;
        for (int j = 0; j < m_width; ++j)
            s[j] += x[j];
    }
    double moved = 0;
    for (int c = 0; c < k; ++c) {
        float *center = m_centers.data() + qsizetype(c) * m_width;
        if (counts[size_t(c)] == 0) {
            // An empty cluster takes the point farthest from its center.
            qsizetype far = 0;
            double farD = -1;
            for (qsizetype r = 0; r < m_rows; ++r) {
                const double d = sqDist(m_x + r * m_width, m_centers.data() + qsizetype(m_assignment[size_t(r)]) * m_width, m_width);
                if (d > farD) {
                    farD = d;
                    far = r;
                }
            }
            moved += sqDist(center, m_x + far * m_width, m_width);
            std::copy(m_x + far * m_width, m_x + (far + 1) * m_width, center);
            continue;
        }
        for (int j = 0; j < m_width; ++j) {
            const float v = float(sums[size_t(c) * size_t(m_width) + size_t(j)] / double(counts[size_t(c)]));
            moved += (double(v) - center[j]) * (double(v) - center[j]);
            center[j] = v;
        }
    }
    if (shift)
        *shift = moved;
    return inertia;
}

} // namespace cairn::plugins
