#pragma once

#include "cairn/data/table.h"

#include <QJsonObject>

#include <vector>

namespace cairn::data {

struct FeatureEncoderOptions
{
    /// Categorical columns become one indicator per category; false: one feature holding the
    /// category code (for learners with native categorical support, e.g. XGBoost).
    bool oneHot = true;
    /// Numeric features become (x - mean) / std (neural nets, k-means).
    bool standardize = false;
    /// Missing numbers become the training mean (0 after standardizing); else they stay NaN.
    bool imputeMissing = false;
    /// The most frequent categories kept per column; rarer ones encode like an unseen value.
    int maxCategories = 64;
};

/// Turns table columns into a dense float matrix the same way at training and prediction time.
/// Fitted on the training rows; serialised into the model card so `cairn predict` applies the
/// identical preprocessing to raw rows. Text columns are not features (they are listed as
/// dropped), booleans are 0/1, datetimes are days since 1970-01-01.
class FeatureEncoder
{
public:
    struct Feature
    {
        QString column;
        ColumnType type = ColumnType::Numeric;
        QStringList categories; ///< categorical: the kept categories, in feature order
        double mean = 0;
        double scale = 1;
    };

    void fit(const Table &table, const QStringList &columns, const FeatureEncoderOptions &options = {});
    /// Rows × width(), row-major. Throws cairn::Error naming `source` when a column is absent.
    std::vector<float> transform(const Table &table, const QString &source = {}) const;

    int width() const { return m_width; }
    QStringList featureNames() const;
    /// Per output feature: true for a categorical code feature (only when oneHot is off).
    std::vector<bool> categoricalFeatures() const;
    const QList<Feature> &features() const { return m_features; }
    QStringList inputColumns() const;
    QStringList droppedColumns() const { return m_dropped; }
    const FeatureEncoderOptions &options() const { return m_options; }

    QJsonObject toJson() const;
    static FeatureEncoder fromJson(const QJsonObject &json);

private:
    FeatureEncoderOptions m_options;
    QList<Feature> m_features;
    QStringList m_dropped;
    int m_width = 0;
};

} // namespace cairn::data
