#pragma once

#include "cairn/data/table.h"

#include <QHash>
#include <QJsonObject>
#include <QList>
#include <QString>
#include <QStringList>
#include <QtNumeric>

#include <vector>

namespace cairn::monitor {

/// Baseline and current distributions of one feature on shared bins, for overlays.
/// Numeric: `edges` has bins+1 values; categorical: `categories` names the bins. Shares sum to 1.
struct DriftHistogram
{
    std::vector<double> edges;
    QStringList categories;
    std::vector<double> reference;  ///< share of the reference rows per bin
    std::vector<double> current;    ///< share of the current rows per bin

    QJsonObject toJson() const;
    static DriftHistogram fromJson(const QJsonObject &json);
};

/// The drift verdict of one feature.
/// method: "ks" (Kolmogorov–Smirnov), "chisquare", "z" (two-proportion z-test),
/// "wasserstein" (normed by the reference's standard deviation), "jensenshannon".
/// Tests ("ks", "chisquare", "z") give pValue/adjustedPValue and an effectSize (KS: D,
/// chi-squared: Cramér's V, z: |Cohen's h|); distances give `distance` and no p-value (NaN).
struct FeatureDrift
{
    QString name;
    QString kind;                  ///< "numeric", "categorical", "binary" or "text" (not tested, method "none")
    QString method;
    double statistic = 0;          ///< the test statistic, or the distance
    double pValue = qQNaN();       ///< tests only
    double adjustedPValue = qQNaN(); ///< after the multiple-testing correction
    double effectSize = qQNaN();   ///< tests only (see above)
    double distance = qQNaN();     ///< distances only; equals `statistic`
    double psi = qQNaN();          ///< population stability index, always reported
    double threshold = 0;          ///< p-value (tests) or distance threshold used
    bool drifted = false;
    qint64 referenceCount = 0;     ///< present values compared
    qint64 currentCount = 0;
    DriftHistogram histogram;

    /// What to sort and plot by: the distance, or for tests 1 - adjusted p-value.
    double score() const;
    QJsonObject toJson() const;
    static FeatureDrift fromJson(const QJsonObject &json);
};

/// Evidently's defaults, plus an effect-size floor and a multiple-testing correction so that a
/// verdict does not flip with the sample size alone.
struct DriftOptions
{
    qsizetype smallReferenceRows = 1000;  ///< reference ≤ this: statistical tests, else distances
    double pValueThreshold = 0.05;
    double distanceThreshold = 0.1;
    /// A tested feature drifts only when its adjusted p-value is below the threshold AND its
    /// effect size reaches this (KS D, Cramér's V, |Cohen's h|); 0 disables the floor.
    double effectSizeThreshold = 0.1;
    enum class Correction { None, BenjaminiHochberg, Bonferroni };
    Correction correction = Correction::BenjaminiHochberg;
    /// Numeric columns with at most this many distinct values are treated as categorical.
    int numericMinDistinct = 5;
    /// Force one method for every feature ("" = choose as above).
    QString method;
    /// Per-feature distance thresholds (e.g. constraints' comparison_threshold overrides).
    QHash<QString, double> featureThresholds;
    /// Share of drifted features from which the dataset counts as drifted (Evidently: 0.5).
    double datasetDriftShare = 0.5;
    /// Threads (0: as many as cores).
    int threads = 0;
};

struct DriftReport
{
    qint64 referenceRows = 0;
    qint64 currentRows = 0;
    QList<FeatureDrift> features;  ///< in the reference's column order
    QStringList missingColumns;    ///< in the reference, not in the current data
    QStringList extraColumns;      ///< in the current data, not in the reference
    QString correction;            ///< "benjamini-hochberg", "bonferroni" or "none"

    int driftedCount() const;
    double driftShare() const;
    bool datasetDrift(double share = 0.5) const;
    const FeatureDrift *feature(const QString &name) const;
    QJsonObject toJson() const;
    static DriftReport fromJson(const QJsonObject &json);
    /// A report a person reads: a table of features, method, statistic, p-value, effect size,
    /// PSI and verdict.
    QString toMarkdown(const QString &title = {}) const;
    QString toHtml(const QString &title = {}) const;  ///< self-contained, with inline SVG overlays
};

/// Compares every column of `reference` with the same column of `current` (by name).
/// Columns absent from either side are listed, not compared. Throws cairn::Error when the
/// reference is empty.
DriftReport computeDrift(const data::Table &reference, const data::Table &current, const DriftOptions &options = {});

} // namespace cairn::monitor
