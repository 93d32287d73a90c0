#pragma once

#include <QtGlobal>

#include <vector>

namespace cairn::data {

struct Split
{
    std::vector<qsizetype> train;
    std::vector<qsizetype> validation;
};

/// A seeded random split of rows 0..n-1: `validationFraction` of the rows go to validation.
/// With `strata` (one class id per row; negative ids go to training) each class is split in
/// the same proportion, and a class with at least two rows keeps at least one on each side.
/// The same seed gives the same split on every machine (std::mt19937_64).
Split trainValidationSplit(qsizetype n, double validationFraction, quint64 seed,
                           const std::vector<int> *strata = nullptr);

} // namespace cairn::data
