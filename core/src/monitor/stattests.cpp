// Drift statistics computed the way scipy computes them, so that a verdict here is the verdict
// the Python tools (Evidently) give on the same data.
#include "cairn/monitor/stattests.h"

#include <QtGlobal>

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

namespace cairn::monitor::stats {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

/// scipy's _compute_prob_outside_square: P(D_{n,n} >= h/n) without cancellation.
double probOutsideSquare(qint64 n, qint64 h)
{
    double p = 0;
    qint64 k = n / h;
    while (k >= 0) {
        double p1 = 1.0;
        for (qint64 j = 0; j < h; ++j)
            p1 = double(n - k * h - j) * p1 / double(n + k * h + j + 1);
        p = p1 * (1.0 - p);
        --k;
    }
    return 2 * p;
}

/// scipy's _compute_outer_prob_inside_method (Hodges' inside method, computing p directly).
double outerProbInside(qint64 m, qint64 n, qint64 g, qint64 h)
{
    if (m < n)
        std::swap(m, n);
    const qint64 mg = m / g;
    const qint64 ng = n / g;
    qint64 minj = 0;
    qint64 maxj = std::min<qint64>(qint64(std::ceil(double(h) / double(mg))), n + 1);
    qint64 curlen = maxj - minj;
    const qint64 lenA = std::min<qint64>(2 * maxj + 2, n + 1);
    std::vector<double> a(size_t(std::max<qint64>(lenA, 1)), 1.0);
    for (qint64 j = minj; j < maxj && j < lenA; ++j)
        a[size_t(j)] = 0.0;
    for (qint64 i = 1; i <= m; ++i) {
        const qint64 lastminj = minj, lastlen = curlen;
        minj = std::max<qint64>(qint64(std::floor(double(ng * i - h) / double(mg))) + 1, 0);
        minj = std::min<qint64>(minj, n);
        maxj = std::min<qint64>(qint64(std::ceil(double(ng * i + h) / double(mg))), n + 1);
        if (maxj <= minj)
            return 1.0;
        double val = minj == 0 ? 0.0 : 1.0;
        for (qint64 jj = 0; jj < maxj - minj; ++jj) {
            const qint64 j = jj + minj;
            val = (a[size_t(jj + minj - lastminj)] * double(i) + val * double(j)) / double(i + j);
            a[size_t(jj)] = val;
        }
        curlen = maxj - minj;
        if (lastlen > curlen)
            for (qint64 k = maxj - minj; k < maxj - minj + (lastlen - curlen) && k < qint64(a.size()); ++k)
                a[size_t(k)] = 1;
    }
    return a[size_t(maxj - minj - 1)];
}

/// Regularised lower incomplete gamma by its series (x < a + 1).
double gammaSeries(double a, double x)
{
    double sum = 1.0 / a, term = sum, ap = a;
    for (int n = 0; n < 100000; ++n) {
        ap += 1;
        term *= x / ap;
        sum += term;
        if (std::fabs(term) < std::fabs(sum) * 1e-17)
            break;
    }
    return sum * std::exp(-x + a * std::log(x) - std::lgamma(a));
}

/// Regularised upper incomplete gamma by Lentz's continued fraction (x >= a + 1).
double gammaContinuedFraction(double a, double x)
{
    const double tiny = 1e-300;
    double b = x + 1 - a, c = 1 / tiny, d = 1 / b, h = d;
    for (int i = 1; i < 100000; ++i) {
        const double an = -i * (i - a);
        b += 2;
        d = an * d + b;
        if (std::fabs(d) < tiny)
            d = tiny;
        c = b + an / c;
        if (std::fabs(c) < tiny)
            c = tiny;
        d = 1 / d;
        const double del = d * c;
        h *= del;
        if (std::fabs(del - 1) < 1e-17)
            break;
    }
    return std::exp(-x + a * std::log(x) - std::lgamma(a)) * h;
}

} // namespace

double chiSquaredSf(double x, double k)
{
    if (std::isnan(x) || k <= 0)
        return kNaN;
    if (x <= 0)
        return 1.0;
    if (std::isinf(x))
        return 0.0;
    const double a = k / 2, z = x / 2;
    return z < a + 1 ? 1.0 - gammaSeries(a, z) : gammaContinuedFraction(a, z);
}

double kolmogorovSf(double x)
{
    if (std::isnan(x))
        return kNaN;
    if (x <= 0)
        return 1.0;
    if (x < 1.0) {
        // Theta form of the CDF converges fast for small x.
        const double pi2 = M_PI * M_PI;
        double cdf = 0;
        for (int k = 1; k < 100; ++k) {
            const double t = std::exp(-(2.0 * k - 1) * (2.0 * k - 1) * pi2 / (8 * x * x));
            cdf += t;
            if (t < 1e-300)
                break;
        }
        return 1.0 - std::sqrt(2 * M_PI) / x * cdf;
    }
    double sf = 0;
    for (int k = 1; k < 100; ++k) {
        const double t = std::exp(-2.0 * k * k * x * x);
        sf += (k % 2 ? 2.0 : -2.0) * t;
        if (t < 1e-300)
            break;
    }
    return std::clamp(sf, 0.0, 1.0);
}

TestResult ks2samp(std::vector<double> a, std::vector<double> b)
{
    std::sort(a.begin(), a.end());
    std::sort(b.begin(), b.end());
    return ks2sampSorted(a, b);
}

TestResult ks2sampSorted(const std::vector<double> &a, const std::vector<double> &b)
{
    TestResult r;
    const qint64 n1 = qint64(a.size()), n2 = qint64(b.size());
    if (n1 == 0 || n2 == 0)
        return {kNaN, kNaN};
    // Walk both sorted samples: the ECDF difference changes only at data points.
    double maxS = -std::numeric_limits<double>::infinity(), minS = std::numeric_limits<double>::infinity();
    size_t i = 0, j = 0;
    while (i < a.size() || j < b.size()) {
        const double v = j >= b.size() || (i < a.size() && a[i] <= b[j]) ? a[i] : b[j];
        while (i < a.size() && a[i] <= v)
            ++i;
        while (j < b.size() && b[j] <= v)
            ++j;
        const double diff = double(i) / double(n1) - double(j) / double(n2);
        maxS = std::max(maxS, diff);
        minS = std::min(minS, diff);
    }
    const double minAbs = std::clamp(-minS, 0.0, 1.0);
    double d = minAbs > maxS ? minAbs : maxS;
    const qint64 g = std::gcd(n1, n2);
    double prob = kNaN;
    bool exact = std::max(n1, n2) <= 10000;
    if (exact) {
        const qint64 lcm = (n1 / g) * n2;
        const qint64 h = qint64(std::nearbyint(d * double(lcm)));
        d = double(h) / double(lcm);
        if (h == 0)
            prob = 1.0;
        else
            prob = n1 == n2 ? probOutsideSquare(n1, h) : outerProbInside(n1, n2, g, h);
        if (!(prob >= 0 && prob <= 1))
            exact = false;
    }
    if (!exact) {
        // Large samples: Smirnov's limiting distribution at sqrt(en)·D (scipy evaluates the
        // finite-n distribution at round(en); the two differ by O(1/sqrt(en))).
        const double m = double(std::max(n1, n2)), n = double(std::min(n1, n2));
        const double en = m * n / (m + n);
        prob = kolmogorovSf(std::sqrt(std::nearbyint(en)) * d);
    }
    r.statistic = d;
    r.pValue = std::clamp(prob, 0.0, 1.0);
    return r;
}

TestResult chiSquare(const std::vector<double> &observed, const std::vector<double> &expected)
{
    TestResult r;
    double chi = 0;
    for (size_t i = 0; i < observed.size(); ++i) {
        const double e = i < expected.size() ? expected[i] : 0;
        const double d = observed[i] - e;
        chi += d * d / e; // e == 0 with d != 0 gives inf, as scipy does
    }
    r.statistic = chi;
    const double k = double(observed.size()) - 1;
    r.pValue = k <= 0 ? kNaN : chiSquaredSf(chi, k);
    return r;
}

TestResult proportionZTest(double successA, double totalA, double successB, double totalB)
{
    if (totalA <= 0 || totalB <= 0)
        return {kNaN, kNaN};
    const double p1 = successA / totalA, p2 = successB / totalB;
    const double p = (p1 * totalA + p2 * totalB) / (totalA + totalB);
    const double z = (p1 - p2) / std::sqrt(p * (1 - p) * (1.0 / totalA + 1.0 / totalB));
    if (std::isnan(z))
        return {0, 1};
    return {z, std::erfc(std::fabs(z) / M_SQRT2)};
}

double wassersteinDistance(std::vector<double> u, std::vector<double> v)
{
    std::sort(u.begin(), u.end());
    std::sort(v.begin(), v.end());
    return wassersteinDistanceSorted(u, v);
}

double wassersteinDistanceSorted(const std::vector<double> &u, const std::vector<double> &v)
{
    if (u.empty() || v.empty())
        return kNaN;
    // Integral of |U(x) - V(x)| over the merged support, one step at a time.
    const double nu = double(u.size()), nv = double(v.size());
    size_t i = 0, j = 0;
    double prev = std::min(u.front(), v.front());
    double sum = 0;
    while (i < u.size() || j < v.size()) {
        const double x = j >= v.size() || (i < u.size() && u[i] <= v[j]) ? u[i] : v[j];
        sum += std::fabs(double(i) / nu - double(j) / nv) * (x - prev);
        prev = x;
        while (i < u.size() && u[i] <= x)
            ++i;
        while (j < v.size() && v[j] <= x)
            ++j;
    }
    return sum;
}

double jensenShannon(const std::vector<double> &p, const std::vector<double> &q, double base)
{
    const double sp = std::accumulate(p.begin(), p.end(), 0.0);
    const double sq = std::accumulate(q.begin(), q.end(), 0.0);
    auto relEntr = [](double x, double y) {
        if (x > 0 && y > 0)
            return x * std::log(x / y);
        if (x == 0 && y >= 0)
            return 0.0;
        return std::numeric_limits<double>::infinity();
    };
    double left = 0, right = 0;
    for (size_t i = 0; i < p.size() && i < q.size(); ++i) {
        const double a = p[i] / sp, b = q[i] / sq, m = (a + b) / 2.0;
        left += relEntr(a, m);
        right += relEntr(b, m);
    }
    double js = left + right;
    if (base > 0)
        js /= std::log(base);
    return std::sqrt(js / 2.0);
}

double psi(const std::vector<double> &referenceShares, const std::vector<double> &currentShares)
{
    double sum = 0;
    for (size_t i = 0; i < referenceShares.size() && i < currentShares.size(); ++i) {
        const double r = referenceShares[i] == 0 ? 0.0001 : referenceShares[i];
        const double c = currentShares[i] == 0 ? 0.0001 : currentShares[i];
        sum += (r - c) * std::log(r / c);
    }
    return sum;
}

std::vector<double> benjaminiHochberg(const std::vector<double> &pValues)
{
    std::vector<size_t> order;
    for (size_t i = 0; i < pValues.size(); ++i)
        if (!std::isnan(pValues[i]))
            order.push_back(i);
    std::sort(order.begin(), order.end(), [&](size_t a, size_t b) { return pValues[a] < pValues[b]; });
    std::vector<double> out(pValues.size(), kNaN);
    const double m = double(order.size());
    double running = 1.0;
    for (size_t r = order.size(); r-- > 0;) {
        running = std::min(running, pValues[order[r]] * m / double(r + 1));
        out[order[r]] = std::min(running, 1.0);
    }
    return out;
}

std::vector<double> bonferroni(const std::vector<double> &pValues)
{
    double m = 0;
    for (double p : pValues)
        m += std::isnan(p) ? 0 : 1;
    std::vector<double> out;
    for (double p : pValues)
        out.push_back(std::isnan(p) ? kNaN : std::min(1.0, p * m));
    return out;
}

double cramersV(const std::vector<double> &referenceCounts, const std::vector<double> &currentCounts)
{
    const double nr = std::accumulate(referenceCounts.begin(), referenceCounts.end(), 0.0);
    const double nc = std::accumulate(currentCounts.begin(), currentCounts.end(), 0.0);
    const double n = nr + nc;
    if (nr <= 0 || nc <= 0)
        return kNaN;
    double chi = 0;
    for (size_t i = 0; i < referenceCounts.size() && i < currentCounts.size(); ++i) {
        const double col = referenceCounts[i] + currentCounts[i];
        if (col <= 0)
            continue;
        const double er = nr * col / n, ec = nc * col / n;
        chi += (referenceCounts[i] - er) * (referenceCounts[i] - er) / er + (currentCounts[i] - ec) * (currentCounts[i] - ec) / ec;
    }
    // A 2×k table: min(rows, columns) - 1 = 1.
    return std::sqrt(chi / n);
}

double cohensH(double p1, double p2)
{
    return 2 * std::asin(std::sqrt(std::clamp(p1, 0.0, 1.0))) - 2 * std::asin(std::sqrt(std::clamp(p2, 0.0, 1.0)));
}

std::vector<double> sturgesEdges(const std::vector<double> &a, const std::vector<double> &b)
{
    double lo = std::numeric_limits<double>::infinity(), hi = -lo;
    for (const auto *v : {&a, &b})
        for (double x : *v) {
            lo = std::min(lo, x);
            hi = std::max(hi, x);
        }
    const double n = double(a.size() + b.size());
    if (n == 0)
        return {0, 1};
    if (lo == hi) {
        lo -= 0.5;
        hi += 0.5;
    }
    const double width = (hi - lo) / (std::log2(n) + 1.0);
    const qint64 bins = std::max<qint64>(1, qint64(std::ceil((hi - lo) / width)));
    // numpy.linspace: start + i·step, the last edge exactly `hi`.
    const double step = (hi - lo) / double(bins);
    std::vector<double> edges(size_t(bins + 1));
    for (qint64 i = 0; i <= bins; ++i)
        edges[size_t(i)] = double(i) * step + lo;
    edges.back() = hi;
    return edges;
}

std::vector<double> histogramCounts(const std::vector<double> &values, const std::vector<double> &edges)
{
    const qint64 bins = qint64(edges.size()) - 1;
    std::vector<double> counts(size_t(std::max<qint64>(bins, 0)), 0.0);
    if (bins <= 0)
        return counts;
    const double first = edges.front(), last = edges.back();
    const double norm = double(bins) / (last - first);
    // numpy.histogram's uniform-bin fast path, with its corrections at the edges.
    for (double x : values) {
        if (!(x >= first && x <= last))
            continue;
        qint64 i = qint64((x - first) * norm);
        if (i >= bins)
            i = bins - 1;
        if (x < edges[size_t(i)])
            --i;
        else if (i != bins - 1 && x >= edges[size_t(i + 1)])
            ++i;
        counts[size_t(i)] += 1;
    }
    return counts;
}

} // namespace cairn::monitor::stats
