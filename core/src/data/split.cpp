#include "cairn/data/split.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <random>

namespace cairn::data {

Split trainValidationSplit(qsizetype n, double validationFraction, quint64 seed, const std::vector<int> *strata)
{
    Split s;
    validationFraction = std::clamp(validationFraction, 0.0, 1.0);
    std::mt19937_64 rng(seed);
    std::map<int, std::vector<qsizetype>> groups;
    for (qsizetype i = 0; i < n; ++i) {
        const int g = strata ? (*strata)[size_t(i)] : 0;
        groups[g].push_back(i);
    }
    for (auto &[g, rows] : groups) {
        if (g < 0) {
            s.train.insert(s.train.end(), rows.begin(), rows.end());
            continue;
        }
        // A portable Fisher-Yates (std::shuffle's draws differ between standard libraries).
        for (qsizetype i = qsizetype(rows.size()) - 1; i > 0; --i) {
            const auto j = qsizetype(rng() % quint64(i + 1));
            std::swap(rows[size_t(i)], rows[size_t(j)]);
        }
        auto nv = qsizetype(std::llround(double(rows.size()) * validationFraction));
        if (strata && rows.size() >= 2 && validationFraction > 0 && validationFraction < 1)
            nv = std::clamp<qsizetype>(nv, 1, qsizetype(rows.size()) - 1);
        s.validation.insert(s.validation.end(), rows.begin(), rows.begin() + nv);
        s.train.insert(s.train.end(), rows.begin() + nv, rows.end());
    }
    std::sort(s.train.begin(), s.train.end());
    std::sort(s.validation.begin(), s.validation.end());
    return s;
}

} // namespace cairn::data
