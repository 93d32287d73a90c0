#pragma once

#include <vector>

/// Statistical tests and distances used by drift detection, computed as scipy does (the tests
/// compare them with scipy.stats on the same samples).
namespace cairn::monitor::stats {

struct TestResult
{
    double statistic = 0;
    double pValue = 1;
};

/// Two-sample Kolmogorov–Smirnov test, two-sided (scipy.stats.ks_2samp, method="auto": exact
/// p-value when both samples are small, else the asymptotic one). NaNs must be removed first.
TestResult ks2samp(std::vector<double> a, std::vector<double> b);
/// Pearson's chi-squared test of observed against expected counts (scipy.stats.chisquare,
/// ddof 0): k-1 degrees of freedom. Categories with expected 0 must be merged/removed first.
TestResult chiSquare(const std::vector<double> &observed, const std::vector<double> &expected);
/// Two-proportion z-test (pooled), two-sided; counts of "successes" and totals.
TestResult proportionZTest(double successA, double totalA, double successB, double totalB);
/// First Wasserstein distance between two samples (scipy.stats.wasserstein_distance).
double wassersteinDistance(std::vector<double> u, std::vector<double> v);
/// Jensen–Shannon distance of two distributions (scipy.spatial.distance.jensenshannon, base e
/// unless `base` > 0): the square root of the divergence. Both are normalised first.
double jensenShannon(const std::vector<double> &p, const std::vector<double> &q, double base = 0);
/// Population stability index of two bin-share vectors (zeros replaced by 1e-4 as Evidently does).
double psi(const std::vector<double> &referenceShares, const std::vector<double> &currentShares);
/// Benjamini–Hochberg adjusted p-values (same order as given; NaN stays NaN).
std::vector<double> benjaminiHochberg(const std::vector<double> &pValues);
/// Bonferroni adjusted p-values (capped at 1).
std::vector<double> bonferroni(const std::vector<double> &pValues);

/// Effect sizes printed beside p-values: Cramér's V of a 2×k contingency table of counts,
/// Cohen's h of two proportions.
double cramersV(const std::vector<double> &referenceCounts, const std::vector<double> &currentCounts);
double cohensH(double p1, double p2);

/// Survival function of the chi-squared distribution (upper regularised gamma).
double chiSquaredSf(double x, double degreesOfFreedom);
/// Survival function of the Kolmogorov distribution (scipy.special.kolmogorov).
double kolmogorovSf(double x);

/// ks2samp() and wassersteinDistance() for samples already sorted ascending (a drift report
/// sorts each column once for both).
TestResult ks2sampSorted(const std::vector<double> &a, const std::vector<double> &b);
double wassersteinDistanceSorted(const std::vector<double> &u, const std::vector<double> &v);

/// Histogram edges of numpy's "sturges" rule over [min, max] of both samples.
std::vector<double> sturgesEdges(const std::vector<double> &a, const std::vector<double> &b);
/// Counts of `values` in the bins `edges` (numpy.histogram: last bin closed).
std::vector<double> histogramCounts(const std::vector<double> &values, const std::vector<double> &edges);

} // namespace cairn::monitor::stats
