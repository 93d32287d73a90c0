// Combinations of AutoML candidates judged honestly: cross-fitting over the out-of-fold
// predictions, a paired bootstrap against the best single candidate, and a one-level stack.
#include "automlsupport.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <random>

namespace cairn::automl::detail {

namespace {
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr int kMinResamples = 30;
// Stack regularisation towards the best single candidate: ridge strength as a share of each
// member's own variance, and the L2 weight of the log-linear pool.
constexpr double kRidge = 0.1;
constexpr double kPoolL2 = 0.02;

std::vector<double> select(const std::vector<double> &compact, const std::vector<size_t> &positions, int w)
{
    std::vector<double> out;
    out.reserve(positions.size() * size_t(w));
    for (size_t pos : positions)
        for (int j = 0; j < w; ++j)
            out.push_back(compact[pos * size_t(w) + size_t(j)]);
    return out;
}

bool rowFinite(const std::vector<std::vector<double>> &members, size_t pos, int w)
{
    for (const std::vector<double> &m : members)
        for (int j = 0; j < w; ++j)
            if (!std::isfinite(m[pos * size_t(w) + size_t(j)]))
                return false;
    return true;
}

// Solves a·x = b (n × n, row-major) by Gaussian elimination with partial pivoting; false when singular.
bool solve(std::vector<double> a, std::vector<double> b, size_t n, std::vector<double> &x)
{
    for (size_t c = 0; c < n; ++c) {
        size_t pivot = c;
        for (size_t r = c + 1; r < n; ++r)
            if (std::abs(a[r * n + c]) > std::abs(a[pivot * n + c]))
                pivot = r;
        if (!(std::abs(a[pivot * n + c]) > 1e-300))
            return false;
        for (size_t k = 0; k < n; ++k)
            std::swap(a[c * n + k], a[pivot * n + k]);
        std::swap(b[c], b[pivot]);
        for (size_t r = c + 1; r < n; ++r) {
            const double f = a[r * n + c] / a[c * n + c];
            for (size_t k = c; k < n; ++k)
                a[r * n + k] -= f * a[c * n + k];
            b[r] -= f * b[c];
        }
    }
    x.assign(n, 0.0);
    for (size_t r = n; r-- > 0;) {
        double s = b[r];
        for (size_t k = r + 1; k < n; ++k)
            s -= a[r * n + k] * x[k];
        x[r] = s / a[r * n + r];
    }
    return true;
}
} // namespace

std::vector<int> rowGroups(size_t n, int groups, quint64 seed)
{
    std::vector<int> group(n);
    for (size_t i = 0; i < n; ++i)
        group[i] = int(i % size_t(std::max(1, groups)));
    std::mt19937_64 rng(seed ^ 0x5eedc0deULL);
    std::shuffle(group.begin(), group.end(), rng);
    return group;
}

std::vector<double> crossFit(size_t n, int width, const std::vector<int> &group,
                             const std::function<std::vector<double>(const std::vector<size_t> &fit)> &fitPredict)
{
    const int groups = group.empty() ? 0 : *std::max_element(group.begin(), group.end()) + 1;
    std::vector<double> out(n * size_t(width), kNaN);
    for (int g = 0; g < groups; ++g) {
        std::vector<size_t> fit;
        for (size_t i = 0; i < n; ++i)
            if (group[i] != g)
                fit.push_back(i);
        const std::vector<double> pred = fitPredict(fit);
        if (pred.size() != out.size())
            return {};
        for (size_t i = 0; i < n; ++i)
            if (group[i] == g)
                for (int j = 0; j < width; ++j)
                    out[i * size_t(width) + size_t(j)] = pred[i * size_t(width) + size_t(j)];
    }
    return out;
}

QString GuardDecision::reason(const QString &what, const QString &single) const
{
    if (resamples < kMinResamples)
        return QStringLiteral("%1 not used: no time was left to check it against %2").arg(what, single);
    const QString figures = QStringLiteral("its cross-fitted out-of-fold score is %1 than %2's by %3, the noise (one bootstrap standard error) is %4")
                                .arg(gain >= 0 ? QStringLiteral("better") : QStringLiteral("worse"), single,
                                     QString::number(std::abs(gain), 'g', 3), QString::number(noise, 'g', 3));
    return keep ? QStringLiteral("%1 kept: %2").arg(what, figures)
                : QStringLiteral("%1 not used, %2 is kept: %3").arg(what, single, figures);
}

GuardDecision guardGain(const PreparedData &data, const std::vector<double> &single, const std::vector<double> &combined,
                        const std::vector<qsizetype> &rows, quint64 seed, int resamples, const std::function<bool()> &deadlineReached)
{
    GuardDecision d;
    const int w = data.width();
    auto oriented = [&](double v) { return data.maximize ? v : -v; }; // higher is better
    auto gainOn = [&](const std::vector<size_t> &positions, const std::vector<qsizetype> &sample) {
        return oriented(selectionScore(data, select(combined, positions, w), sample)) - oriented(selectionScore(data, select(single, positions, w), sample));
    };
    std::vector<size_t> all(rows.size());
    std::iota(all.begin(), all.end(), size_t(0));
    d.gain = gainOn(all, rows);
    if (!std::isfinite(d.gain) || combined.size() != single.size() || rows.size() < 10)
        return d;
    // Paired: both are scored on the same resampled rows, so what they share cancels out.
    std::mt19937_64 rng(seed ^ 0xb007ULL);
    std::uniform_int_distribution<size_t> pick(0, rows.size() - 1);
    double sum = 0, sum2 = 0;
    std::vector<size_t> positions(rows.size());
    std::vector<qsizetype> sample(rows.size());
    for (int b = 0; b < resamples; ++b) {
        if (deadlineReached && deadlineReached())
            break;
        for (size_t i = 0; i < rows.size(); ++i) {
            positions[i] = pick(rng);
            sample[i] = rows[positions[i]];
        }
        const double g = gainOn(positions, sample);
        if (!std::isfinite(g))
            continue;
        sum += g;
        sum2 += g * g;
        ++d.resamples;
    }
    if (d.resamples < kMinResamples)
        return d;
    const double mean = sum / d.resamples;
    d.noise = std::sqrt(std::max(0.0, sum2 / d.resamples - mean * mean));
    d.keep = d.gain > 0 && d.gain > d.noise;
    return d;
}

StackCombiner fitStack(const PreparedData &data, const std::vector<std::vector<double>> &members, const std::vector<qsizetype> &rows,
                       const std::vector<size_t> &fit, size_t prior, const StackCombiner *start)
{
    const size_t m = members.size();
    const int w = data.width();
    std::vector<size_t> use;
    for (size_t pos : fit)
        if (rowFinite(members, pos, w))
            use.push_back(pos);
    StackCombiner s;
    s.weights.assign(m, 0.0);
    s.weights[prior] = 1.0;
    if (data.task == Task::Regression) {
        s.combine = QStringLiteral("linear");
        if (use.size() < 2)
            return s;
        // Ridge on centred predictions, shrunk towards the prior member alone: w = w0 + d with
        // (XᵀX + λI) d = Xᵀ(y − X w0).
        std::vector<double> mean(m, 0.0);
        double ymean = 0;
        for (size_t pos : use) {
            for (size_t i = 0; i < m; ++i)
                mean[i] += members[i][pos];
            ymean += data.values[size_t(rows[pos])];
        }
        for (double &x : mean)
            x /= double(use.size());
        ymean /= double(use.size());
        std::vector<double> a(m * m, 0.0), b(m, 0.0);
        for (size_t pos : use) {
            const double residual = (data.values[size_t(rows[pos])] - ymean) - (members[prior][pos] - mean[prior]);
            for (size_t i = 0; i < m; ++i) {
                const double xi = members[i][pos] - mean[i];
                b[i] += xi * residual;
                for (size_t j = 0; j < m; ++j)
                    a[i * m + j] += xi * (members[j][pos] - mean[j]);
            }
        }
        // Each member's penalty scales with its own variance (ridge on standardised predictions).
        for (size_t i = 0; i < m; ++i)
            a[i * m + i] += kRidge * a[i * m + i] + 1e-12;
        std::vector<double> delta;
        if (!solve(a, b, m, delta))
            return s;
        double fitted = 0;
        for (size_t i = 0; i < m; ++i) {
            s.weights[i] += delta[i];
            fitted += s.weights[i] * mean[i];
        }
        s.intercept = ymean - fitted;
        return s;
    }

    // Classes: softmax(bias + Σ w · log max(p, floor)), fitted by gradient descent with a
    // backtracking line search on the mean log loss plus kPoolL2/2 · |w − w0|².
    s.combine = QStringLiteral("logpool");
    const size_t k = size_t(w);
    s.bias.assign(k, 0.0);
    if (use.size() < 2)
        return s;
    const size_t n = use.size();
    std::vector<double> logp(n * m * k);
    std::vector<int> truth(n);
    for (size_t r = 0; r < n; ++r) {
        truth[r] = data.labels[size_t(rows[use[r]])];
        for (size_t i = 0; i < m; ++i)
            for (size_t c = 0; c < k; ++c)
                logp[(r * m + i) * k + c] = std::log(std::max(members[i][use[r] * k + c], s.floor));
    }
    const std::vector<double> prior0 = s.weights;
    // A fit on most of the same rows is a good first guess: the cross-fitted fits converge in a few steps.
    if (start && start->weights.size() == m && start->bias.size() == k) {
        s.weights = start->weights;
        s.bias = start->bias;
    }
    auto loss = [&](const std::vector<double> &wt, const std::vector<double> &bias, std::vector<double> *gw, std::vector<double> *gb) {
        double total = 0;
        std::vector<double> score(k);
        if (gw) {
            gw->assign(m, 0.0);
            gb->assign(k, 0.0);
        }
        for (size_t r = 0; r < n; ++r) {
            double top = -std::numeric_limits<double>::infinity();
            for (size_t c = 0; c < k; ++c) {
                double v = bias[c];
                for (size_t i = 0; i < m; ++i)
                    v += wt[i] * logp[(r * m + i) * k + c];
                score[c] = v;
                top = std::max(top, v);
            }
            double z = 0;
            for (size_t c = 0; c < k; ++c)
                z += std::exp(score[c] - top);
            const double logz = top + std::log(z);
            if (truth[r] >= 0 && size_t(truth[r]) < k)
                total += logz - score[size_t(truth[r])];
            if (!gw)
                continue;
            for (size_t c = 0; c < k; ++c) {
                const double g = std::exp(score[c] - logz) - (int(c) == truth[r] ? 1.0 : 0.0);
                (*gb)[c] += g / double(n);
                for (size_t i = 0; i < m; ++i)
                    (*gw)[i] += g * logp[(r * m + i) * k + c] / double(n);
            }
        }
        double penalty = 0;
        for (size_t i = 0; i < m; ++i) {
            penalty += 0.5 * kPoolL2 * (wt[i] - prior0[i]) * (wt[i] - prior0[i]);
            if (gw)
                (*gw)[i] += kPoolL2 * (wt[i] - prior0[i]);
        }
        return total / double(n) + penalty;
    };
    std::vector<double> gw, gb;
    double current = loss(s.weights, s.bias, &gw, &gb);
    double step = 1.0;
    for (int iteration = 0; iteration < 60; ++iteration) {
        double norm2 = 0;
        for (double g : gw)
            norm2 += g * g;
        for (double g : gb)
            norm2 += g * g;
        if (norm2 < 1e-12)
            break;
        bool moved = false;
        for (int tries = 0; tries < 30; ++tries) {
            std::vector<double> wt = s.weights, bias = s.bias;
            for (size_t i = 0; i < m; ++i)
                wt[i] -= step * gw[i];
            for (size_t c = 0; c < k; ++c)
                bias[c] -= step * gb[c];
            const double next = loss(wt, bias, nullptr, nullptr);
            if (next <= current - 1e-4 * step * norm2) {
                s.weights = wt;
                s.bias = bias;
                const double before = current;
                current = loss(s.weights, s.bias, &gw, &gb);
                // Converged: what is left would not change a prediction (and many classes make each step costly).
                moved = before - current > 1e-6;
                step *= 2;
                break;
            }
            step /= 2;
        }
        if (!moved)
            break;
    }
    return s;
}

std::vector<double> applyStack(const StackCombiner &stack, const std::vector<std::vector<double>> &members, int width)
{
    if (members.empty())
        return {};
    const size_t n = members.front().size() / size_t(width);
    std::vector<double> out(n * size_t(width), kNaN), row(members.size() * size_t(width));
    for (size_t r = 0; r < n; ++r) {
        for (size_t i = 0; i < members.size(); ++i)
            std::copy_n(members[i].begin() + qsizetype(r * size_t(width)), width, row.begin() + qsizetype(i * size_t(width)));
        stack.combineRow(row.data(), width, &out[r * size_t(width)]);
    }
    return out;
}

} // namespace cairn::automl::detail
